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

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape == [inputs] else {
      throw ShapeError("dense expects \(inputs) inputs, got \(shapeText(inputShape))")
    }
    return [outputs]
  }

  /// The reference executor's dense layer: for each example and output, the bias plus the
  /// inputs' weighted sum, then the activation.
  public mutating func forward(_ input: Tensor) -> Tensor {
    let n = input.batchSize
    let (x, w) = (input.scalars, weights.value.scalars)
    var y = Tensor.zeros([n, outputs])
    for b in 0..<n {
      for o in 0..<outputs {
        var sum = bias?.value.scalars[o] ?? 0
        for i in 0..<inputs { sum += w[o * inputs + i] * x[b * inputs + i] }
        y.scalars[b * outputs + o] = activation.apply(sum)
      }
    }
    self.input = input
    self.output = y
    return y
  }

  /// dW += dZᵀ·x, db += Σ dZ and dx = dZ·W per example, where dZ is the gradient through the
  /// activation.
  public mutating func backward(_ dOutput: Tensor) -> Tensor {
    guard let input, let output else { preconditionFailure("Dense.backward called before forward") }
    let n = input.batchSize
    let (x, w) = (input.scalars, weights.value.scalars)
    var dInput = Tensor.zeros(like: input)
    for b in 0..<n {
      for o in 0..<outputs {
        let k = b * outputs + o
        let dz = dOutput.scalars[k] * activation.derivative(output: output.scalars[k])
        for i in 0..<inputs {
          weights.grad.scalars[o * inputs + i] += dz * x[b * inputs + i]
          dInput.scalars[b * inputs + i] += dz * w[o * inputs + i]
        }
        bias?.grad.scalars[o] += dz
      }
    }
    return dInput
  }

  public var parameters: [Parameter] { [weights] + (bias.map { [$0] } ?? []) }

  public mutating func updateParameters(_ body: (inout Parameter) -> Void) {
    body(&weights)
    if bias != nil { body(&bias!) }
  }
}
