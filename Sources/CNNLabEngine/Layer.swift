// N = batch size. Layers see whole batches: (N, C, H, W) for images, (N, K) for vectors.

/// A trainable tensor and the gradient accumulated for it since the last `zeroGradients()`.
public struct Parameter: Equatable, Sendable {
  public var name: String
  public var value: Tensor
  public var grad: Tensor

  public init(name: String, value: Tensor) {
    self.name = name
    self.value = value
    self.grad = .zeros(like: value)
  }
}

/// One step of the reference executor, made from a plan entry (`Network.LayerInfo`, the one
/// description of a layer) with the weights it holds. `forward` keeps what `backward` needs; `backward` adds the
/// parameter gradients (`+=`, so a separate `zeroGradients()` clears them) and returns the
/// gradient for the layer's input.
public protocol Layer: Sendable {
  /// The shape of one example's output for one example's input shape, e.g. `[1, 28, 28]`.
  func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int]
  /// Batched forward: `(N, …)` in, `(N, …)` out.
  mutating func forward(_ input: Tensor) -> Tensor
  /// Batched backward; must follow a `forward` of the same batch.
  mutating func backward(_ dOutput: Tensor) -> Tensor
  /// The layer's parameters, in a fixed order.
  var parameters: [Parameter] { get }
  /// Lets an optimiser or a loader change each parameter in place, in `parameters` order.
  mutating func updateParameters(_ body: (inout Parameter) -> Void)
  /// Training or evaluation mode; only `Dropout` behaves differently (`Network.setTraining`).
  mutating func setTraining(_ training: Bool, maskSeed: UInt64)
}

extension Layer {
  public var parameters: [Parameter] { [] }
  public mutating func updateParameters(_ body: (inout Parameter) -> Void) {}
  public mutating func setTraining(_ training: Bool, maskSeed: UInt64) {}
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

  /// Clears every gradient to zero.
  public mutating func zeroGradients() {
    updateParameters { $0.grad = .zeros(like: $0.value) }
  }
}

/// Splits a batch `(N, rest…)` into its examples and back.
extension Tensor {
  /// The number of examples in a batch.
  public var batchSize: Int { shape.first ?? 0 }
  /// The shape of one example.
  public var exampleShape: [Int] { Array(shape.dropFirst()) }

  /// Each example `b` through `body(b, example)`, whose results of `shape` are stacked into `(N, shape…)`:
  /// how the reference executor runs a batch through the per-example reference. `what` names
  /// the caller when a shape that was checked before does not fit after all.
  func mapExamples(to shape: [Int], _ what: String, _ body: (Int, Tensor) throws(ShapeError) -> Tensor) -> Tensor {
    var scalars: [Float] = []
    for b in 0..<batchSize {
      do { scalars += try body(b, slice(b)).scalars } catch {
        preconditionFailure("\(what): \(error) (check shapes with outputShape first)")
      }
    }
    return Tensor(shape: [batchSize] + shape, scalars: scalars)
  }
}
