// N = batch, K = classes.

/// A stack of layers built from a `NetworkSpec` for a given input shape, with shapes checked:
/// the plan (`info`, every layer's shapes, geometry and parameter count, worked out once by
/// `plan`) and the reference executor. Its layers run one example at a time through the
/// per-placement reference the lessons trace (`Reference.conv2D`, `Reference.pool`, the dense
/// sums written out), for gradient checks, probes and single predictions. Training and batch
/// inference compile the same plan for the fast executor, `FastNetwork`.
public struct Network: Sendable {
  /// One entry of the plan, and the one description of a layer the executors run: the layer
  /// as the spec writes it, the shapes it sees, its window arithmetic and its weight count.
  /// The reference executor (`layers`) and the fast executor (`FastNetwork`) are both built
  /// from these entries; neither works any of it out again.
  public struct LayerInfo: Equatable, Sendable {
    public var index: Int
    /// The layer as the spec describes it (a `flatten` the network added is `.flatten`).
    public var layer: NetworkSpec.LayerSpec
    public var text: String
    /// Where the layer's text starts in the spec (1-based), for pointing at it.
    public var column: Int
    public var inputShape: [Int]
    public var outputShape: [Int]
    /// A convolution's or pool's windows by the one output-size rule, with its working (a
    /// `conv1d`'s is that of its convolution of height 1); nil for other layers.
    public var geometry: ConvGeometry?
    public var parameterCount: Int
    /// How the count breaks down, e.g. `32·1·5·5 + 32`.
    public var parameterWorking: String
    /// False for a layer the network added itself (a `flatten` before a `dense`).
    public var isWritten: Bool
  }

  /// A layer that does not fit its input: which layer, and the arithmetic.
  public struct BuildError: Error, Equatable, Sendable, CustomStringConvertible {
    public var layerIndex: Int
    public var layerText: String
    public var column: Int
    public var message: String
    public var description: String { "layer \(layerIndex) (\(layerText)): \(message)" }
  }

  public let spec: NetworkSpec
  /// One example's shape, e.g. `[1, 28, 28]`.
  public let inputShape: [Int]
  public var layers: [any Layer]
  public private(set) var info: [LayerInfo]

  /// Builds the network, refusing one whose weights and one example's activations would not
  /// fit the memory budget (`memoryEstimate`), before any weight is allocated.
  public init(
    spec: NetworkSpec, inputShape: [Int], initializer: Initializer = .torch, seed: UInt64 = 0
  ) throws(BuildError) {
    var rng = SplitMix64(seed: seed)
    self.spec = spec
    self.inputShape = inputShape
    info = try Network.plan(spec: spec, inputShape: inputShape)
    try Network.checkMemory(info, inputShape: inputShape, batch: 1)
    layers = info.map { Network.makeLayer($0.layer, inputShape: $0.inputShape, initializer: initializer, using: &rng) }
  }

  /// Shapes and parameter counts, layer by layer, without allocating any weights (so the
  /// table of a 196-million-weight layer costs nothing).
  ///
  /// Every size from the spec and the input shape is checked here, once for every caller (the
  /// command line, the trainer, lessons, model files): each is at most
  /// `SizeLimits.largestSize`, and every product (a layer's output, its parameter count, the
  /// total) is computed with overflow checks, so what comes out is a count an `Int` holds.
  public static func plan(spec: NetworkSpec, inputShape: [Int]) throws(BuildError) -> [LayerInfo] {
    guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
      throw BuildError(
        layerIndex: 0, layerText: "input", column: 1,
        message: "the input shape \(shapeText(inputShape)) needs every size to be at least 1")
    }
    if let big = inputShape.first(where: { $0 > SizeLimits.largestSize }) {
      throw BuildError(
        layerIndex: 0, layerText: "input", column: 1,
        message: SizeLimits.tooLarge("input size", big))
    }
    guard SizeLimits.product(inputShape) != nil else {
      throw BuildError(
        layerIndex: 0, layerText: "input", column: 1,
        message: "the input shape \(shapeText(inputShape)) has more values than cnnlab can count")
    }
    var rows: [LayerInfo] = []
    var shape = inputShape
    var total = 0
    for (i, item) in spec.items.enumerated() {
      func fail(_ message: String) -> BuildError {
        BuildError(layerIndex: i + 1, layerText: item.text, column: item.column, message: message)
      }
      /// Refuses `value`, naming `what`, when it is over the largest size.
      func checkSize(_ value: Int, _ what: String) throws(BuildError) {
        guard value <= SizeLimits.largestSize else { throw fail(SizeLimits.tooLarge(what, value)) }
      }
      /// Weights plus biases, or an error when they cannot be counted.
      func parameters(_ weights: [Int], bias: Int) throws(BuildError) -> Int {
        guard let w = SizeLimits.product(weights), let count = SizeLimits.sum([w, bias]) else {
          throw fail(
            "\(weights.map(String.init).joined(separator: "·")) weights are more than cnnlab can count")
        }
        return count
      }
      var parts: [(NetworkSpec.LayerSpec, Bool)] = [(item.layer, true)]
      if case .dense = item.layer, shape.count != 1 { parts.insert((.flatten, false), at: 0) }
      for (layer, written) in parts {
        let output: [Int]
        var geometry: ConvGeometry? = nil
        var count = 0
        var working = "0"
        switch layer {
        case .conv(let filters, let kh, let kw, let options, _, let bias):
          guard shape.count == 3 else {
            throw fail("conv needs an image input (C, H, W), not \(shapeText(shape))")
          }
          try checkSize(filters, "number of filters")
          let g: ConvGeometry
          do {
            g = try ConvGeometry.convolution(
              inputH: shape[1], inputW: shape[2], kernelH: kh, kernelW: kw, options: options)
          } catch { throw fail(error.message) }
          output = [filters, g.rows.output, g.cols.output]
          geometry = g
          count = try parameters([filters, shape[0], kh, kw], bias: bias ? filters : 0)
          working = "\(filters)·\(shape[0])·\(kh)·\(kw)" + (bias ? " + \(filters)" : "")
        case .conv1d(let filters, let k, _, _, _, _, _, let bias):
          guard shape.count == 2, let conv = layer.convolution else {
            throw fail("conv1d needs a signal input (C, L), not \(shapeText(shape))")
          }
          try checkSize(filters, "number of filters")
          let g: ConvGeometry
          do {
            g = try ConvGeometry.convolution(
              inputH: 1, inputW: shape[1], kernelH: 1, kernelW: k, options: conv.options)
          } catch { throw fail(error.message) }
          output = [filters, g.cols.output]
          geometry = g
          count = try parameters([filters, shape[0], k], bias: bias ? filters : 0)
          working = "\(filters)·\(shape[0])·\(k)" + (bias ? " + \(filters)" : "")
        case .pool(_, let size, let stride, let ceil):
          guard shape.count == 3 else {
            throw fail("pooling needs an image input (C, H, W), not \(shapeText(shape))")
          }
          let g: ConvGeometry
          do {
            g = try ConvGeometry.pooling(
              inputH: shape[1], inputW: shape[2], size: size, stride: stride, ceil: ceil)
          } catch { throw fail(error.message) }
          output = [shape[0], g.rows.output, g.cols.output]
          geometry = g
        case .activation, .dropout:
          output = shape
        case .flatten:
          output = [shape.reduce(1, *)]  // counted below, as every output is
        case .dense(let units, _, let bias):
          let inputs = shape.reduce(1, *)  // counted when it was the previous output
          try checkSize(units, "number of units")
          output = [units]
          count = try parameters([inputs, units], bias: bias ? units : 0)
          working = "\(inputs)·\(units)" + (bias ? " + \(units)" : "")
        }
        guard SizeLimits.product(output) != nil else {
          throw fail(
            "its output, \(output.map(String.init).joined(separator: "x")), has more values than cnnlab can count")
        }
        guard let newTotal = SizeLimits.sum([total, count]) else {
          throw fail("the network has more parameters than cnnlab can count")
        }
        total = newTotal
        rows.append(
          LayerInfo(
            index: i + 1, layer: layer, text: written ? item.text : "flatten", column: item.column,
            inputShape: shape,
            outputShape: output, geometry: geometry, parameterCount: count, parameterWorking: working,
            isWritten: written))
        shape = output
      }
    }
    return rows
  }

  /// Bytes that running `plan` on batches of `batch` examples may allocate, or nil when that is
  /// more than an `Int` counts. An upper estimate of what training on `lanes` threads allocates:
  /// six floats per parameter (the weight and its gradient in the layers and again on the fast
  /// path, and two optimiser moments), one more per lane for each parameter of a layer other
  /// than dense (each lane's own gradient copy), and three per activation value of every
  /// example in a batch (the value, its gradient and a working copy), input included. A dense
  /// layer's weight gradient is one multiply over the whole batch, with no copy per lane; on
  /// more than one lane it is multiplied from a copy of the batch's inputs and output gradients,
  /// two more floats per input and output value of the layer and example. Inference needs less.
  public static func memoryEstimate(_ plan: [LayerInfo], inputShape: [Int], batch: Int, lanes: Int = 1) -> Int? {
    let shapes = [inputShape] + plan.map(\.outputShape)
    let values = shapes.map { SizeLimits.product($0) }
    let dense = plan.filter { if case .dense = $0.layer { true } else { false } }
    let denseValues = dense.flatMap { [$0.inputShape, $0.outputShape] }.map { SizeLimits.product($0) }
    guard let parameters = SizeLimits.sum(plan.map(\.parameterCount)),
      let denseParameters = SizeLimits.sum(dense.map(\.parameterCount)),
      values.allSatisfy({ $0 != nil }), let perExample = SizeLimits.sum(values.compactMap { $0 }),
      denseValues.allSatisfy({ $0 != nil }), let perDenseExample = SizeLimits.sum(denseValues.compactMap { $0 }),
      let weights = SizeLimits.product([6, parameters]),
      let copies = SizeLimits.product([max(lanes, 1), parameters - denseParameters]),
      let activations = SizeLimits.product([3, perExample, max(batch, 1)]),
      let batchCopies = SizeLimits.product([lanes > 1 ? 2 : 0, perDenseExample, max(batch, 1)]),
      let floats = SizeLimits.sum([weights, copies, activations, batchCopies])
    else { return nil }
    return SizeLimits.product([MemoryLayout<Float>.size, floats])
  }

  /// Refuses a plan whose `memoryEstimate` at `batch` on `lanes` threads is over the budget,
  /// naming the layer that needs the most (its parameters and its output).
  public static func checkMemory(_ plan: [LayerInfo], inputShape: [Int], batch: Int, lanes: Int = 1) throws(BuildError) {
    let bytes = memoryEstimate(plan, inputShape: inputShape, batch: batch, lanes: lanes)
    do {
      let what = batch > 1 ? "the network, with batches of \(batch)," : "the network"
      try SizeLimits.checkMemory(bytes, for: what)
    } catch {
      func weight(_ row: LayerInfo) -> Int {
        SizeLimits.sum([row.parameterCount, SizeLimits.product(row.outputShape) ?? Int.max]) ?? Int.max
      }
      let biggest = plan.max { weight($0) < weight($1) }
      throw BuildError(
        layerIndex: biggest?.index ?? 0, layerText: biggest?.text ?? "input",
        column: biggest?.column ?? 1, message: error.description)
    }
  }

  private static func makeLayer(
    _ layer: NetworkSpec.LayerSpec, inputShape shape: [Int], initializer: Initializer,
    using rng: inout SplitMix64
  ) -> any Layer {
    switch layer {
    case .conv(let filters, let kh, let kw, let options, let activation, let bias):
      return Conv2D(
        inChannels: shape[0], filters: filters, kernelH: kh, kernelW: kw, options: options,
        activation: activation, useBias: bias, initializer: initializer, using: &rng)
    case .conv1d(let filters, let k, let stride, let dilation, let padding, let mode, let activation, let bias):
      return Conv1D(
        inChannels: shape[0], filters: filters, kernel: k, stride: stride, dilation: dilation,
        padding: (padding, padding), mode: mode, activation: activation, useBias: bias,
        initializer: initializer, using: &rng)
    case .pool(let mode, let size, let stride, let ceil):
      return Pool2D(mode, size: size, stride: stride, ceil: ceil)
    case .activation(let a):
      return ActivationLayer(a)
    case .flatten:
      return Flatten()
    case .dropout(let p):
      return Dropout(p)
    case .dense(let units, let activation, let bias):
      return Dense(
        inputs: shape.reduce(1, *), outputs: units, activation: activation, useBias: bias,
        initializer: initializer, using: &rng)
    }
  }

  /// Builds from spec text; parse errors become build errors at layer 0.
  public init(
    _ specText: String, inputShape: [Int], initializer: Initializer = .torch, seed: UInt64 = 0
  ) throws(BuildError) {
    let spec: NetworkSpec
    do { spec = try NetworkSpec.parse(specText) } catch {
      throw BuildError(layerIndex: 0, layerText: specText, column: error.column, message: error.message)
    }
    try self.init(spec: spec, inputShape: inputShape, initializer: initializer, seed: seed)
  }

  /// The shape of one example's output, e.g. `[10]`.
  public var outputShape: [Int] { info.last?.outputShape ?? inputShape }
  public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

  /// Runs a batch `(N, …inputShape)` through every layer.
  public mutating func forward(_ batch: Tensor) -> Tensor {
    var x = batch
    for i in layers.indices { x = layers[i].forward(x) }
    return x
  }

  /// Runs a batch and keeps every layer's output, for showing feature maps.
  public mutating func activations(_ batch: Tensor) -> [Tensor] {
    var x = batch
    var outputs: [Tensor] = []
    for i in layers.indices {
      x = layers[i].forward(x)
      outputs.append(x)
    }
    return outputs
  }

  /// Backpropagates the loss gradient from the last layer to the first, accumulating gradients.
  @discardableResult
  public mutating func backward(_ dOutput: Tensor) -> Tensor {
    var g = dOutput
    for i in layers.indices.reversed() { g = layers[i].backward(g) }
    return g
  }

  public mutating func zeroGradients() {
    for i in layers.indices { layers[i].zeroGradients() }
  }

  /// Puts every layer in training mode (a `dropout` draws a new mask each forward pass, from a
  /// stream seeded by `maskSeed` and the layer's place, `Dropout.maskSeed`) or back in
  /// evaluation mode (every `dropout` the identity), the default. Turning training on restarts
  /// the masks, so the same seed gives the same masks as `FastNetwork` draws.
  public mutating func setTraining(_ training: Bool, maskSeed: UInt64 = 0) {
    for (i, row) in info.enumerated() {
      layers[i].setTraining(training, maskSeed: Dropout.maskSeed(maskSeed, layer: row.index))
    }
  }

  /// Every parameter in a fixed order: layer by layer, weight before bias.
  public var parameters: [Parameter] { layers.flatMap(\.parameters) }

  /// Where layer `index`'s tensors sit in `parameters`: its weights first, then its bias.
  public func parameterRange(ofLayer index: Int) -> Range<Int> {
    let start = layers[..<index].reduce(0) { $0 + $1.parameters.count }
    return start..<(start + layers[index].parameters.count)
  }

  /// Changes every parameter in place, in `parameters` order, with its index.
  public mutating func updateParameters(_ body: (Int, inout Parameter) -> Void) {
    var index = 0
    for i in layers.indices {
      layers[i].updateParameters { p in
        body(index, &p)
        index += 1
      }
    }
  }
}
