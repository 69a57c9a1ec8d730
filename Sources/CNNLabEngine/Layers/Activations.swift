/// An element-wise activation as a layer of its own (`relu`, `sigmoid`, `tanh` in a spec).
public struct ActivationLayer: Layer {
  public let activation: Activation
  private var output: Tensor?  // the derivative is written in terms of the output

  public init(_ activation: Activation) { self.activation = activation }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

  public mutating func forward(_ input: Tensor) -> Tensor {
    let y = input.activated(activation)
    output = y
    return y
  }

  public mutating func backward(_ dOutput: Tensor) -> Tensor {
    guard let output else { preconditionFailure("ActivationLayer.backward called before forward") }
    var dInput = dOutput
    for i in dInput.scalars.indices {
      dInput.scalars[i] *= activation.derivative(output: output.scalars[i])
    }
    return dInput
  }
}

/// `(N, C, H, W)` → `(N, C·H·W)`, channel by channel, row by row (PyTorch's order).
public struct Flatten: Layer {
  private var inputShape: [Int]?

  public init() {}

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    [inputShape.reduce(1, *)]
  }

  public mutating func forward(_ input: Tensor) -> Tensor {
    inputShape = input.shape
    return input.reshaped([input.batchSize, input.count / max(input.batchSize, 1)])
  }

  public mutating func backward(_ dOutput: Tensor) -> Tensor {
    guard let inputShape else { preconditionFailure("Flatten.backward called before forward") }
    return dOutput.reshaped(inputShape)
  }
}
