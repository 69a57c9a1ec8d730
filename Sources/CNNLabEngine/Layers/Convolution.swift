// N = batch, C = input channels, F = filters, H/W = input size, KH/KW = kernel size,
// OH/OW = output size.

/// A 2-D convolution layer: `(N, C, H, W)` → `(N, F, OH, OW)`, where along each axis
/// OH = ⌊(H + 2P − D·(KH−1) − 1)/S⌋ + 1, followed by an optional activation.
public struct Conv2D: Layer {
  public var weights: Parameter  // (F, C, KH, KW)
  public var bias: Parameter?  // (F)
  public let inChannels: Int
  public let filters: Int
  public let kernelH: Int
  public let kernelW: Int
  public var options: ConvOptions
  public var activation: Activation

  private var input: Tensor?  // (N, C, H, W), kept by forward for backward
  private var output: Tensor?  // (N, F, OH, OW) after the activation: its derivative needs it

  public init(
    inChannels: Int, filters: Int, kernelH: Int, kernelW: Int, options: ConvOptions = ConvOptions(),
    activation: Activation = .identity, useBias: Bool = true, initializer: Initializer = .torch,
    using rng: inout SplitMix64
  ) {
    self.inChannels = inChannels
    self.filters = filters
    self.kernelH = kernelH
    self.kernelW = kernelW
    self.options = options
    self.activation = activation
    let fanIn = inChannels * kernelH * kernelW
    weights = Parameter(
      name: "weight",
      value: initializer.weights(
        shape: [filters, inChannels, kernelH, kernelW], fanIn: fanIn,
        fanOut: filters * kernelH * kernelW, using: &rng))
    bias =
      useBias
      ? Parameter(name: "bias", value: initializer.biases(count: filters, fanIn: fanIn, using: &rng))
      : nil
  }

  public func geometry(for inputShape: [Int]) throws(ShapeError) -> ConvGeometry {
    guard inputShape.count == 3 else {
      throw ShapeError("conv needs an image input (C, H, W), not \(shapeText(inputShape))")
    }
    guard inputShape[0] == inChannels else {
      throw ShapeError("conv expects \(inChannels) input channel(s), got \(inputShape[0])")
    }
    return try ConvGeometry.convolution(
      inputH: inputShape[1], inputW: inputShape[2], kernelH: kernelH, kernelW: kernelW,
      options: options)
  }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    let g = try geometry(for: inputShape)
    return [filters, g.rows.output, g.cols.output]
  }

  /// The reference executor's forward pass: each example through `Reference.conv2D`, the
  /// per-placement loop the lessons trace.
  public mutating func forward(_ input: Tensor) -> Tensor {
    let (w, biases, options, activation) = (weights.value, bias?.value.scalars, options, activation)
    let shape: [Int]
    do { shape = try outputShape(for: input.exampleShape) } catch {
      preconditionFailure("Conv2D.forward: \(error) (check shapes with outputShape first)")
    }
    let y = input.mapExamples(to: shape, "Conv2D.forward") { _, x throws(ShapeError) in
      try Reference.conv2D(input: x, weights: w, bias: biases, options: options, activation: activation)
    }
    self.input = input
    self.output = y
    return y
  }

  /// Each example through `Reference.conv2DBackward`, after the activation's derivative.
  public mutating func backward(_ dOutput: Tensor) -> Tensor {
    guard let input, let output else { preconditionFailure("Conv2D.backward called before forward") }
    var dPre = dOutput  // through the activation: dL/dz = dL/dy · σ'(z)
    if activation != .identity {
      for i in dPre.scalars.indices {
        dPre.scalars[i] *= activation.derivative(output: output.scalars[i])
      }
    }
    var dWeights = weights.grad
    var dBias = bias?.grad.scalars ?? [Float](repeating: 0, count: filters)
    let (w, options) = (weights.value, options)
    let dInput = input.mapExamples(to: input.exampleShape, "Conv2D.backward") { b, x throws(ShapeError) in
      try Reference.conv2DBackward(
        input: x, weights: w, options: options, dOutput: dPre.slice(b),
        dWeights: &dWeights, dBias: &dBias)
    }
    weights.grad = dWeights
    if bias != nil { bias!.grad.scalars = dBias }
    return dInput
  }

  public var parameters: [Parameter] { [weights] + (bias.map { [$0] } ?? []) }

  public mutating func updateParameters(_ body: (inout Parameter) -> Void) {
    body(&weights)
    if bias != nil { body(&bias!) }
  }
}

/// A 1-D convolution layer: `(N, C, L)` → `(N, F, L')`, a `Conv2D` of height 1.
public struct Conv1D: Layer {
  public var conv: Conv2D

  public init(
    inChannels: Int, filters: Int, kernel: Int, stride: Int = 1, dilation: Int = 1,
    padding: (before: Int, after: Int) = (0, 0), mode: KernelMode = .correlate,
    normalize: Bool = false, activation: Activation = .identity, useBias: Bool = true,
    initializer: Initializer = .torch, using rng: inout SplitMix64
  ) {
    let options = ConvOptions.signal(
      stride: stride, dilation: dilation, padding: padding, mode: mode, normalize: normalize)
    conv = Conv2D(
      inChannels: inChannels, filters: filters, kernelH: 1, kernelW: kernel, options: options,
      activation: activation, useBias: useBias, initializer: initializer, using: &rng)
  }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 2 else {
      throw ShapeError("conv1d needs a signal input (C, L), not \(shapeText(inputShape))")
    }
    let out = try conv.outputShape(for: [inputShape[0], 1, inputShape[1]])
    return [out[0], out[2]]
  }

  public mutating func forward(_ input: Tensor) -> Tensor {
    let (n, c, l) = (input.shape[0], input.shape[1], input.shape[2])
    let y = conv.forward(input.reshaped([n, c, 1, l]))
    return y.reshaped([n, y.shape[1], y.shape[3]])
  }

  public mutating func backward(_ dOutput: Tensor) -> Tensor {
    let (n, f, l) = (dOutput.shape[0], dOutput.shape[1], dOutput.shape[2])
    let dx = conv.backward(dOutput.reshaped([n, f, 1, l]))
    return dx.reshaped([n, dx.shape[1], dx.shape[3]])
  }

  public var parameters: [Parameter] { conv.parameters }
  public mutating func updateParameters(_ body: (inout Parameter) -> Void) {
    conv.updateParameters(body)
  }
}

/// `C×H×W`, the way shapes are printed to learners.
public func shapeText(_ shape: [Int]) -> String {
  shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: "x")
}
