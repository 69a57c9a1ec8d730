// Moving between a `Network` (the engine's layers, which the spec builds and models save) and a
// `FastNetwork` compiled from it (what a training loop that counts microseconds runs on).

extension FastNetwork {
  /// Why a network cannot be compiled for the fast executor: it does not end in a vector of
  /// class scores (every layer of a plan fits its input, or there would be no plan).
  public struct Unsupported: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
  }

  /// Compiles `network` for the fast path with its current parameter values, straight from
  /// its plan (`Network.info`), whose entries already carry every shape and geometry. Every
  /// layer is supported; a `conv1d` runs as a convolution of height 1. `maskSeed` seeds the
  /// dropout masks of training steps, as `Network.setTraining(true, maskSeed:)` does.
  public convenience init(
    network: Network, threads: Int, trainingBatch: Int, inferenceBatch: Int = 256,
    maskSeed: UInt64 = 0
  ) throws(Unsupported) {
    guard network.outputShape.count == 1, network.outputShape[0] >= 1 else {
      throw Unsupported(description: "the network must end in a vector of class scores")
    }
    self.init(
      plan: network.info, inputShape: network.inputShape, threads: threads,
      trainingBatch: trainingBatch, inferenceBatch: inferenceBatch, maskSeed: maskSeed)
    load(from: network)
  }

  /// Copies the parameter values of `network` (the one this was compiled from, or one with the
  /// same layers) into this network.
  public func load(from network: Network) {
    let values = network.parameters
    precondition(values.count == parameters.count, "\(values.count) parameters, not \(parameters.count)")
    for (p, source) in zip(parameters, values) { p.values = source.value.scalars }
  }

  /// Copies this network's parameter values (and accumulated gradients) into `network`.
  public func store(into network: inout Network) {
    let fast = parameters
    network.updateParameters { index, p in
      p.value.scalars = fast[index].values
      p.grad.scalars = fast[index].gradients
    }
  }

  /// Mean loss and gradients for a batch `(N, C, H, W)` of a `Tensor`, added to `parameters`.
  @discardableResult
  public func accumulateGradients(images: Tensor, labels: [Int]) -> Float {
    precondition(images.count == labels.count * imageSize, "\(labels.count) labels for \(images.shape)")
    let classes = labels.map { Int32(truncatingIfNeeded: $0) }
    return images.scalars.withStart { x in
      classes.withStart { y in accumulateGradients(images: x, labels: y, count: labels.count) }
    }
  }

  /// The logits `(N, classes)` of a batch `(N, C, H, W)`.
  public func logits(_ images: Tensor) -> Tensor {
    let count = images.count / imageSize
    var output = [Float](repeating: 0, count: count * classes)
    images.scalars.withStart { x in
      output.withMutableStart { y in logits(images: x, count: count, into: y) }
    }
    return Tensor(shape: [count, classes], scalars: output)
  }
}
