// N = batch, I = inputs, O = outputs.

/// A fully connected layer: `(N, I)` → `(N, O)`, y = x·Wᵀ + b, then an optional activation.
/// Each output is a weighted vote of every input.
public struct Dense: Layer {
  public var weights: Parameter  // (O, I), PyTorch's Linear layout
  public var bias: Parameter?  // (O)
  public let inputs: Int
  public let outputs: Int
  public var activation: Activation
  private var input: Tensor?  // (N, I)
  private var output: Tensor?  // (N, O) after the activation

  public init(
    inputs: Int, outputs: Int, activation: Activation = .identity, useBias: Bool = true,
    initializer: Initializer = .torch, using rng: inout SplitMix64
  ) {
    self.inputs = inputs
    self.outputs = outputs
    self.activation = activation
    weights = Parameter(
      name: "weight",
      value: initializer.weights(
        shape: [outputs, inputs], fanIn: inputs, fanOut: outputs, using: &rng))
    bias =
      useBias
      ? Parameter(name: "bias", value: initializer.biases(count: outputs, fanIn: inputs, using: &rng))
      : nil
  }

  public var specText: String {
    var text = "dense \(outputs)"
    if bias == nil { text += " nobias" }
    if activation != .identity { text += " \(activation.rawValue)" }
    return text
  }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape == [inputs] else {
      throw ShapeError("dense expects \(inputs) inputs, got \(shapeText(inputShape))")
    }
    return [outputs]
  }

  public mutating func forward(_ input: Tensor) -> Tensor {
    var y = DenseKernels.forward(input: input, weights: weights.value, bias: bias?.value.scalars)
    if activation != .identity { y = y.activated(activation) }
    self.input = input
    self.output = y
    return y
  }

  public mutating func backward(_ dOutput: Tensor) -> Tensor {
    guard let input, let output else { preconditionFailure("Dense.backward called before forward") }
    var dPre = dOutput
    if activation != .identity {
      for i in dPre.scalars.indices {
        dPre.scalars[i] *= activation.derivative(output: output.scalars[i])
      }
    }
    var dBias = bias?.grad.scalars ?? [Float](repeating: 0, count: outputs)
    let dInput = DenseKernels.backward(
      input: input, weights: weights.value, dOutput: dPre, dWeights: &weights.grad, dBias: &dBias)
    if bias != nil { bias!.grad.scalars = dBias }
    return dInput
  }

  public var parameters: [Parameter] { [weights] + (bias.map { [$0] } ?? []) }

  public mutating func updateParameters(_ body: (inout Parameter) -> Void) {
    body(&weights)
    if bias != nil { body(&bias!) }
  }
}
