// N = examples, K = classes.

/// Labelled examples held in one tensor: images `(N, C, H, W)` (or any `(N, …)`) and labels.
public struct LabelledSet: Sendable {
  public var inputs: Tensor
  public var labels: [Int]
  public var classCount: Int

  public init(inputs: Tensor, labels: [Int], classCount: Int) {
    precondition(inputs.batchSize == labels.count, "\(inputs.batchSize) inputs, \(labels.count) labels")
    self.inputs = inputs
    self.labels = labels
    self.classCount = classCount
  }

  public var count: Int { labels.count }

  /// The examples at `indices`, in that order, as one batch.
  public func batch(_ indices: some Collection<Int>) -> (inputs: Tensor, labels: [Int]) {
    let size = inputs.count / max(count, 1)
    var scalars: [Float] = []
    scalars.reserveCapacity(indices.count * size)
    var labels: [Int] = []
    labels.reserveCapacity(indices.count)
    inputs.scalars.withUnsafeBufferPointer { all in
      for i in indices {
        scalars.append(contentsOf: all[i * size..<(i + 1) * size])
        labels.append(self.labels[i])
      }
    }
    return (Tensor(shape: [indices.count] + inputs.exampleShape, scalars: scalars), labels)
  }
}

/// How well a network does on a set: mean loss, accuracy and the confusion matrix
/// (`confusion[truth][predicted]`).
public struct Evaluation: Equatable, Sendable {
  public var loss: Float
  public var correct: Int
  public var count: Int
  public var confusion: [[Int]]
  public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }
}

extension LabelledSet {
  /// One example's result: its index, label and logits row `(K)`.
  public typealias Scored = (index: Int, label: Int, logits: ArraySlice<Float>)

  /// Runs every example through `logits` (a batch `(B, …)` to its logits `(B, K)`), `batchSize`
  /// at a time, and hands each one's row to `body`, in order.
  public func score(
    batchSize: Int = 256, logits: (Tensor) -> Tensor, _ body: (Scored) -> Void
  ) {
    var start = 0
    while start < count {
      let end = min(start + batchSize, count)
      let output = logits(batch(start..<end).inputs)
      let k = output.shape[1]
      for b in 0..<(end - start) {
        body((start + b, labels[start + b], output.scalars[b * k..<(b + 1) * k]))
      }
      start = end
    }
  }
}

/// The index of the largest value (the first of equals): the predicted class of a logits row.
public func argmax(_ row: ArraySlice<Float>) -> Int {
  var best = row.startIndex
  for j in row.indices where row[j] > row[best] { best = j }
  return best - row.startIndex
}

extension Evaluation {
  /// Scores `set` in batches of `batchSize`; `logits` maps a batch `(B, …)` to its logits `(B, K)`.
  public init(scoring set: LabelledSet, batchSize: Int = 256, logits: (Tensor) -> Tensor) {
    var confusion = [[Int]](
      repeating: [Int](repeating: 0, count: set.classCount), count: set.classCount)
    var totalLoss: Double = 0
    var correct = 0
    set.score(batchSize: batchSize, logits: logits) { example in
      let predicted = argmax(example.logits)
      totalLoss += Double(crossEntropy(logits: Array(example.logits), label: example.label))
      confusion[example.label][predicted] += 1
      if predicted == example.label { correct += 1 }
    }
    self.init(
      loss: Float(totalLoss / Double(max(set.count, 1))), correct: correct, count: set.count,
      confusion: confusion)
  }
}

extension Network {
  /// Evaluates on `set` in batches of `batchSize` (no training, no randomness), on the fast
  /// executor (`threads` workers) when the network ends in class scores, and on the reference
  /// executor (its own layers) otherwise.
  public mutating func evaluate(_ set: LabelledSet, batchSize: Int = 256, threads: Int = 1) -> Evaluation {
    if let fast = try? FastNetwork(
      network: self, threads: threads, trainingBatch: 0, inferenceBatch: batchSize)
    {
      return Evaluation(scoring: set, batchSize: batchSize, logits: fast.logits)
    }
    return Evaluation(scoring: set, batchSize: batchSize) { forward($0) }
  }
}

/// Mini-batch training, one step at a time, so a caller (the command line, the training screen)
/// decides when to step, pause or stop. Shuffling comes from its own seeded generator: the same
/// seed, network, data and thread count give a bit-identical run.
///
/// Steps run on the engine's fast executor (`FastNetwork`, compiled from the network's plan, on
/// `threads` workers). Its flat buffers are the only place the weights, their gradients and the
/// optimiser's state live while training: the trainer keeps the spec, not the network, and
/// `network` builds a reference network from the plan each time it is read and fills it from
/// those buffers (a copy for its reader, never kept in sync). A `Trainer` owns its fast network:
/// step only one copy of a trainer.
public struct Trainer: Sendable {
  public let training: LabelledSet
  public let batchSize: Int
  /// Threads the fast path splits a batch over (`FastNetwork`): 1 behind a screen, which needs a
  /// core of its own; the machine's cores (`FastNetwork.defaultThreads`) for a headless run.
  public let threads: Int
  public private(set) var epoch = 0  // completed epochs
  public private(set) var stepInEpoch = 0
  public private(set) var order: [Int]
  public private(set) var optimizer: Optimizer
  /// What `network` builds its reference network from: the spec and one example's shape.
  private let spec: NetworkSpec
  private let inputShape: [Int]
  /// Where a `Conv2D` layer's weights are: the layer's index and text, the weights' shape, and
  /// their index in `FastNetwork.parameters`.
  private struct KernelSlot: Sendable {
    var layer: Int
    var text: String
    var shape: [Int]
    var parameter: Int
    /// How many parameters the layer has (its weights, and its bias if it has one).
    var parameterCount: Int
  }
  private let convolutions: [KernelSlot]
  private let fast: FastNetwork
  /// The batch, gathered anew each step into storage allocated once.
  private var batchImages: [Float] = []
  private var batchLabels: [Int32] = []
  private var rng: SplitMix64
  /// Whether the first convolution's weights and bias are held as they are: the steps leave
  /// them and their optimiser state alone, and train every other layer.
  public var freezesFirstConvolution = false

  /// A trainer for `network`, which must end in a vector of class scores.
  public init(
    network: Network, optimizer: Optimizer, training: LabelledSet, batchSize: Int, seed: UInt64,
    threads: Int = 1
  ) {
    precondition(batchSize > 0, "batch size must be at least 1")
    precondition(
      threads >= 1 && threads <= FastNetwork.maximumThreads,
      "the fast path runs on 1 to \(FastNetwork.maximumThreads) threads, not \(threads)")
    spec = network.spec
    inputShape = network.inputShape
    convolutions = network.layers.enumerated().compactMap { index, layer in
      guard let conv = layer as? Conv2D else { return nil }
      let range = network.parameterRange(ofLayer: index)
      return KernelSlot(
        layer: index, text: network.info[index].text, shape: conv.weights.value.shape,
        parameter: range.lowerBound, parameterCount: range.count)
    }
    self.optimizer = optimizer
    self.training = training
    self.batchSize = batchSize
    self.threads = threads
    do {
      fast = try FastNetwork(
        network: network, threads: threads, trainingBatch: batchSize, maskSeed: seed)
    } catch {
      preconditionFailure("\(network.spec) cannot be trained: \(error)")
    }
    batchImages.reserveCapacity(batchSize * training.inputs.count / max(training.count, 1))
    batchLabels.reserveCapacity(batchSize)
    rng = SplitMix64(seed: seed ^ 0x5EED_0F_5_4FF1E)
    order = Array(0..<training.count)
    order.shuffle(using: &rng)
  }

  /// The network with its current weights (and the last step's gradients): a reference network
  /// built anew from the plan, its starting weights all overwritten from the fast executor.
  public var network: Network {
    var current: Network
    do { current = try Network(spec: spec, inputShape: inputShape) } catch {
      preconditionFailure("\(spec) built once and not again: \(error)")
    }
    fast.store(into: &current)
    return current
  }

  /// Every parameter's current values, in `Network.parameters` order, read straight from the
  /// fast executor's buffers: what a timeline keeps, without building a network to read them.
  public var parameterValues: [[Float]] { fast.parameters.map(\.values) }

  /// The logits `(N, K)` of a batch with the current weights, on the trainer's own fast network
  /// (at most `max(256, batchSize)` images at a time).
  public func logits(_ images: Tensor) -> Tensor { fast.logits(images) }

  /// Loss, accuracy and confusion matrix of the current weights on `set`.
  public func evaluate(_ set: LabelledSet) -> Evaluation {
    Evaluation(scoring: set, logits: logits)
  }

  /// Every `Conv2D` layer's current weights, read without copying the rest of the network.
  public var kernels: [KernelSnapshot] {
    convolutions.map { conv in
      KernelSnapshot(
        layer: conv.layer, text: conv.text,
        weights: Tensor(shape: conv.shape, scalars: fast.parameters[conv.parameter].values))
    }
  }

  /// Changes the learning rate from the next step; the optimiser keeps its state.
  public mutating func setLearningRate(_ rate: Float) {
    optimizer.learningRate = rate
  }

  /// Replaces the optimiser; the new one starts from zero state (no momentum, no moments).
  public mutating func setOptimizer(_ replacement: Optimizer) {
    optimizer = replacement
    fast.resetOptimizerState()
  }

  /// Steps in one epoch; the last batch may be smaller.
  public var stepsPerEpoch: Int { (training.count + batchSize - 1) / batchSize }

  /// Trains on the next batch; returns its mean loss and how many it got right (before the update).
  public mutating func step() -> (loss: Float, correct: Int, count: Int) {
    let start = stepInEpoch * batchSize
    let end = min(start + batchSize, training.count)
    let batch = order[start..<end]
    gather(batch)
    let (fast, optimizer) = (fast, optimizer)
    let frozen = freezesFirstConvolution ? convolutions.first.map { $0.parameter..<($0.parameter + $0.parameterCount) } : nil
    let loss = batchImages.withStart { x in
      batchLabels.withStart { y in
        fast.train(images: x, labels: y, count: batch.count, optimizer: optimizer, frozen: frozen ?? 0..<0)
      }
    }
    let correct = fast.lastBatchCorrect
    stepInEpoch += 1
    if stepInEpoch == stepsPerEpoch {
      stepInEpoch = 0
      epoch += 1
      order.shuffle(using: &rng)
    }
    return (loss, correct, batch.count)
  }

  /// Copies the examples at `indices` into `batchImages` and `batchLabels`.
  private mutating func gather(_ indices: ArraySlice<Int>) {
    let size = training.inputs.count / max(training.count, 1)
    var images = batchImages
    var labels = batchLabels
    (batchImages, batchLabels) = ([], [])  // the locals hold the only reference: no copy
    images.removeAll(keepingCapacity: true)
    labels.removeAll(keepingCapacity: true)
    training.inputs.scalars.withUnsafeBufferPointer { all in
      for i in indices {
        images.append(contentsOf: all[i * size..<(i + 1) * size])
        labels.append(Int32(truncatingIfNeeded: training.labels[i]))
      }
    }
    (batchImages, batchLabels) = (images, labels)
  }
}

/// One convolution layer's kernels, copied out for drawing.
public struct KernelSnapshot: Equatable, Sendable {
  /// Position of the layer in the network (0-based, as in `Network.layers`).
  public var layer: Int
  /// The layer as the spec writes it, e.g. `conv 8 5x5 pad 2 relu`.
  public var text: String
  /// `(F, C, KH, KW)`.
  public var weights: Tensor

  public init(layer: Int, text: String, weights: Tensor) {
    self.layer = layer
    self.text = text
    self.weights = weights
  }
}
