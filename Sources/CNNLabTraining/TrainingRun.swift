import CNNLabEngine
// N = examples, K = classes.

/// Everything that decides a training run; the same configuration and data give the same run.
public struct TrainingConfiguration: Equatable, Sendable {
  public var spec: NetworkSpec
  /// One example's shape, e.g. `[1, 28, 28]`.
  public var inputShape: [Int]
  public var optimizer: OptimizerKind
  public var learningRate: Float
  public var batchSize: Int
  public var seed: UInt64
  /// Stop after this many epochs; nil trains until stopped.
  public var epochs: Int?
  /// Steps between two published snapshots.
  public var stepsPerSnapshot: Int
  /// How many recent batch losses the snapshot keeps for the curve.
  public var curveCapacity: Int
  /// How many worst-misclassified examples an inspection lists.
  public var worstCount: Int
  /// Threads a training step uses (see `Trainer.threads`); the command line uses every core,
  /// with the screen open too (a session gives way to the screen's thread between chunks).
  public var threads: Int
  /// How fast a session takes its steps (a `TrainingRun` driven directly ignores it).
  public var pace: TrainingPace
  /// The first convolution's starting weights `(F, C, KH, KW)` in place of random ones (its
  /// bias, if any, then starts at 0), e.g. `LectureFeatures.kernels`; nil starts at random.
  public var startingKernels: Tensor?

  public init(
    spec: NetworkSpec, inputShape: [Int], optimizer: OptimizerKind = .momentum,
    learningRate: Float = 0.05, batchSize: Int = 32, seed: UInt64 = 1, epochs: Int? = nil,
    stepsPerSnapshot: Int = 10, curveCapacity: Int = 500, worstCount: Int = 8, threads: Int = 1,
    pace: TrainingPace = .max, startingKernels: Tensor? = nil
  ) {
    precondition(
      threads >= 1 && threads <= FastNetwork.maximumThreads,
      "training runs on 1 to \(FastNetwork.maximumThreads) threads, not \(threads)")
    self.spec = spec
    self.inputShape = inputShape
    self.optimizer = optimizer
    self.learningRate = learningRate
    self.batchSize = batchSize
    self.seed = seed
    self.epochs = epochs
    self.stepsPerSnapshot = stepsPerSnapshot
    self.curveCapacity = curveCapacity
    self.worstCount = worstCount
    self.threads = threads
    self.pace = pace
    self.startingKernels = startingKernels
  }
}

/// A request to a training run. The run applies commands between steps, never during one.
public enum TrainingCommand: Equatable, Sendable {
  case pause
  case resume
  /// Runs exactly this many steps, then stays paused.
  case step(Int)
  /// Takes effect from the next step; the optimiser keeps its state (momentum, Adam's moments).
  /// A rate that is not a positive finite number is ignored.
  case setLearningRate(Float)
  /// A fresh optimiser of this kind at the current learning rate (its state starts at zero).
  case setOptimizer(OptimizerKind)
  /// Back to step 0 with the starting weights, seed, optimiser and learning rate: the run that
  /// follows is identical to the first. The run is paused afterwards.
  case reset
  /// Ends the run; a session's thread exits.
  case stop
  /// Computes an `Inspection` of this validation example.
  case inspect(example: Int)
  /// Holds the first convolution's weights and bias as they are (true) or trains them again
  /// (false), from the next step; their optimiser state is kept either way. A reset trains them.
  case freezeFirstLayer(Bool)
  /// Computes a `Probe` of this image `(C, H, W)`; `id` comes back in `TrainingSnapshot.probe`.
  case probe(Tensor, id: Int)
  /// Spaces the steps out (see `TrainingPace`); the steps themselves do not change.
  case setPace(TrainingPace)
  /// Looks at the network as it was after a step the timeline kept (`TrainingSnapshot.timeline`),
  /// or at the newest step (nil): later inspections and probes use that network, and the
  /// snapshot's `viewed` carries its kernels. Only while not running; `.resume`, `.step` and
  /// `.reset` go back to the newest step, from which training continues.
  case view(step: Int?)
}

/// A training run driven one chunk of steps at a time: the logic of `TrainingSession` without
/// the thread, so the command line can drive it directly and tests can drive it step by step.
public struct TrainingRun: Sendable {
  public let configuration: TrainingConfiguration
  public let training: LabelledSet
  public let validation: LabelledSet?
  public private(set) var trainer: Trainer
  public private(set) var snapshot = TrainingSnapshot()
  /// True after `.stop`: nothing more will happen.
  public private(set) var isStopped = false
  /// The parameters at earlier steps, for rewinding.
  public private(set) var timeline: ParameterTimeline
  /// The network at the step being viewed, when it is not the newest.
  private var viewedNetwork: (step: Int, network: Network)?

  private var pendingSteps = 0  // single steps still to run while paused
  private var epochLossSum: Double = 0  // over the current epoch, weighted by batch size
  private var epochCorrect = 0
  private var epochCount = 0
  private var epochSeconds = 0.0  // training steps only, no validation

  /// Builds the network from the spec and seed; throws if the spec does not fit the input.
  public init(
    configuration: TrainingConfiguration, training: LabelledSet, validation: LabelledSet? = nil,
    startPaused: Bool = false
  ) throws(Network.BuildError) {
    precondition(configuration.batchSize > 0, "batch size must be at least 1")
    precondition(training.count > 0, "a training set needs at least one example")
    // Built before any stored property is set, so a throw leaves nothing half-initialised.
    let trainer = try TrainingRun.makeTrainer(configuration, training)
    self.configuration = configuration
    self.training = training
    self.validation = validation
    self.trainer = trainer
    timeline = TrainingRun.startTimeline(trainer)
    snapshot.state = startPaused ? .paused : .running
    snapshot.optimizer = configuration.optimizer
    snapshot.pace = configuration.pace
    refreshSnapshot()
  }

  /// A timeline holding the trainer's starting weights as step 0.
  private static func startTimeline(_ trainer: Trainer) -> ParameterTimeline {
    let network = trainer.network
    var timeline = ParameterTimeline(parameterCount: network.parameterCount)
    timeline.record(step: 0, values: network.parameters.map(\.value.scalars))
    return timeline
  }

  private static func makeTrainer(_ c: TrainingConfiguration, _ training: LabelledSet)
    throws(Network.BuildError) -> Trainer
  {
    var network = try Network(spec: c.spec, inputShape: c.inputShape, seed: c.seed)
    if let start = c.startingKernels, let first = network.layers.firstIndex(where: { $0 is Conv2D }) {
      // The layer's weights take the kernels, its bias (if any) starts at zero.
      let range = network.parameterRange(ofLayer: first)
      network.updateParameters { index, parameter in
        if index == range.lowerBound {
          precondition(parameter.value.shape == start.shape, "starting kernels \(start.shape) for weights \(parameter.value.shape)")
          parameter.value = start
        } else if range.contains(index) {
          parameter.value = Tensor.zeros(like: parameter.value)
        }
      }
    }
    return Trainer(
      network: network, optimizer: c.optimizer.make(learningRate: c.learningRate),
      training: training, batchSize: c.batchSize, seed: c.seed, threads: c.threads)
  }

  /// True while there are steps to run: running, or single steps pending.
  public var wantsToRun: Bool {
    guard !isStopped else { return false }
    switch snapshot.state {
    case .running: return true
    case .paused: return pendingSteps > 0
    case .finished, .failed: return false
    }
  }

  // MARK: - Commands

  public mutating func handle(_ command: TrainingCommand) {
    guard !isStopped else { return }
    switch command {
    case .pause:
      if snapshot.state == .running { snapshot.state = .paused }
      pendingSteps = 0
    case .resume:
      if snapshot.state == .paused {
        snapshot.state = .running
        view(nil)
      }
    case .step(let count):
      if snapshot.state == .running || snapshot.state == .paused {
        view(nil)
        snapshot.state = .paused
        pendingSteps += max(0, count)
      }
    case .setLearningRate(let rate):
      guard rate > 0 && rate.isFinite else { return }  // a screen's typo must not poison the run
      trainer.setLearningRate(rate)
      snapshot.learningRate = rate
    case .setOptimizer(let kind):
      trainer.setOptimizer(kind.make(learningRate: trainer.optimizer.learningRate))
      snapshot.optimizer = kind
    case .reset:
      // The build succeeded once with this configuration, so it cannot fail now.
      guard let fresh = try? TrainingRun.makeTrainer(configuration, training) else { return }
      trainer = fresh
      timeline = TrainingRun.startTimeline(fresh)
      viewedNetwork = nil
      let (generation, pace) = (snapshot.generation + 1, snapshot.pace)
      snapshot = TrainingSnapshot()
      snapshot.generation = generation
      snapshot.state = .paused
      snapshot.optimizer = configuration.optimizer
      snapshot.pace = pace
      pendingSteps = 0
      (epochLossSum, epochCorrect, epochCount, epochSeconds) = (0, 0, 0, 0)
      refreshSnapshot()
    case .stop:
      if snapshot.state == .running || snapshot.state == .paused { snapshot.state = .finished }
      isStopped = true
    case .inspect(let example):
      snapshot.inspection = inspect(example: example)
    case .probe(let input, let id):
      snapshot.probe = probe(input, id: id)
    case .setPace(let pace):
      snapshot.pace = pace
    case .freezeFirstLayer(let frozen):
      trainer.freezesFirstConvolution = frozen && !snapshot.kernels.isEmpty
      snapshot.firstLayerFrozen = trainer.freezesFirstConvolution
    case .view(let step):
      if snapshot.state != .running { view(step) }
    }
  }

  /// Makes `step` the viewed one (nil, or a step the timeline does not keep: the newest).
  private mutating func view(_ step: Int?) {
    guard let step, step != snapshot.step, let values = timeline.values(at: step) else {
      viewedNetwork = nil
      snapshot.viewed = nil
      return
    }
    var network = trainer.network
    network.updateParameters { index, parameter in
      parameter.value = Tensor(shape: parameter.value.shape, scalars: values[index])
    }
    viewedNetwork = (step, network)
    snapshot.viewed = ViewedStep(step: step, kernels: TrainingRun.kernels(of: network))
  }

  /// Every `Conv2D` layer's weights.
  static func kernels(of network: Network) -> [KernelSnapshot] {
    network.layers.enumerated().compactMap { index, layer in
      (layer as? Conv2D).map { KernelSnapshot(layer: index, text: network.info[index].text, weights: $0.weights.value) }
    }
  }

  /// The network inspections and probes look at: the viewed step's, or the newest.
  var shownNetwork: (step: Int, network: Network) { viewedNetwork ?? (snapshot.step, trainer.network) }

  /// The logits of the shown network: the trainer's fast path for the newest step, a fast
  /// network compiled once for a viewed one (the layers themselves when it cannot be).
  func shownLogits() -> (Tensor) -> Tensor {
    guard let network = viewedNetwork?.network else { return trainer.logits }
    if let fast = try? FastNetwork(network: network, threads: 1, trainingBatch: 1) { return fast.logits }
    return { images in
      var copy = network
      return copy.forward(images)
    }
  }

  // MARK: - Training

  /// Counts `seconds` that a paced session waited between steps as training time, so the
  /// clock on screen says how long the run has been going at its pace.
  public mutating func addWaiting(_ seconds: Double) {
    guard seconds > 0 else { return }
    snapshot.elapsed += seconds
  }

  /// Runs up to `stepsPerSnapshot` steps (fewer when single steps run out, an epoch limit is
  /// reached or the loss stops being finite), then updates the snapshot.
  /// `limit` caps the steps further (a paced session asks for as many as are due).
  public mutating func advance(limit: Int? = nil) {
    var images = 0
    var seconds = 0.0
    var steps = 0
    let most = min(configuration.stepsPerSnapshot, limit ?? Int.max)
    while wantsToRun && steps < most {
      let (count, time) = runOneStep()
      images += count
      seconds += time
      steps += 1
      if snapshot.state == .paused { pendingSteps -= 1 }
    }
    if seconds > 0 && images > 0 { snapshot.imagesPerSecond = Double(images) / seconds }
    refreshSnapshot()
  }

  /// Runs one step and what follows it (an epoch's validation, a failure); returns the batch
  /// size and the seconds the step itself took.
  private mutating func runOneStep() -> (images: Int, seconds: Double) {
    let clock = ContinuousClock()
    let epochBefore = trainer.epoch
    let start = clock.now
    let result = trainer.step()
    let seconds = Self.seconds(clock.now - start)
    snapshot.elapsed += seconds
    epochSeconds += seconds
    let step = snapshot.step + 1
    guard result.loss.isFinite else {
      fail(step: step, loss: result.loss)
      return (result.count, seconds)
    }
    snapshot.step = step
    snapshot.imagesSeen += result.count
    record(loss: result.loss, accuracy: Float(result.correct) / Float(max(result.count, 1)))
    if timeline.wants(step) { timeline.record(step: step, values: trainer.parameterValues) }
    epochLossSum += Double(result.loss) * Double(result.count)
    epochCorrect += result.correct
    epochCount += result.count
    if trainer.epoch > epochBefore { finishEpoch() }
    return (result.count, seconds)
  }

  private mutating func record(loss: Float, accuracy: Float) {
    snapshot.history.append(loss: loss, accuracy: accuracy)
    snapshot.losses.append(loss)
    snapshot.accuracies.append(accuracy)
    let extra = snapshot.losses.count - configuration.curveCapacity
    if extra > 0 {
      snapshot.losses.removeFirst(extra)
      snapshot.accuracies.removeFirst(extra)
      snapshot.curveStart += extra
    }
  }

  private mutating func finishEpoch() {
    var summary = EpochSummary(
      epoch: trainer.epoch, trainLoss: Float(epochLossSum / Double(max(epochCount, 1))),
      trainAccuracy: Double(epochCorrect) / Double(max(epochCount, 1)), validationLoss: nil,
      validationAccuracy: nil,
      imagesPerSecond: epochSeconds > 0 ? Double(epochCount) / epochSeconds : 0, elapsed: 0)
    if let validation {
      let clock = ContinuousClock()
      let start = clock.now
      let result = trainer.evaluate(validation)
      summary.validationLoss = result.loss
      summary.validationAccuracy = result.accuracy
      snapshot.elapsed += Self.seconds(clock.now - start)
    }
    summary.elapsed = snapshot.elapsed
    snapshot.epochs.append(summary)
    (epochLossSum, epochCorrect, epochCount, epochSeconds) = (0, 0, 0, 0)
    if let limit = configuration.epochs, trainer.epoch >= limit {
      snapshot.state = .finished
      pendingSteps = 0
    }
  }

  private mutating func fail(step: Int, loss: Float) {
    let rate = trainer.optimizer.learningRate
    let what = loss.isNaN ? "not a number (NaN)" : "infinite"
    func text(_ x: Float) -> String {
      let s = "\(x)"
      return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
    }
    snapshot.state = .failed(
      "the loss became \(what) at step \(step) (epoch \(trainer.epoch + 1)) with learning rate "
        + "\(text(rate)) (\(snapshot.optimizer.rawValue)): the weights have blown up, so training "
        + "stopped. Lower the learning rate (try \(text(rate / 10))) and train again.")
    snapshot.failedStep = step
    pendingSteps = 0
  }

  /// Copies the counters, kernels and estimates that change with every step.
  private mutating func refreshSnapshot() {
    snapshot.epoch = trainer.epoch
    snapshot.stepInEpoch = trainer.stepInEpoch
    snapshot.stepsPerEpoch = trainer.stepsPerEpoch
    snapshot.totalEpochs = configuration.epochs
    snapshot.learningRate = trainer.optimizer.learningRate
    snapshot.kernels = trainer.kernels
    snapshot.timeline = timeline.steps
    if let limit = configuration.epochs, snapshot.step > 0 {
      let left = max(0, limit * trainer.stepsPerEpoch - snapshot.step)
      snapshot.remaining = snapshot.elapsed / Double(snapshot.step) * Double(left)
      if let rate = snapshot.pace.rate { snapshot.remaining = max(snapshot.remaining ?? 0, Double(left) / Double(rate)) }
    } else {
      snapshot.remaining = nil
    }
  }

  // MARK: - Inspection

  /// Feature maps and probabilities of one example, the confusion matrix and the worst
  /// misclassified examples of the validation set (the training set if there is none).
  public func inspect(example: Int) -> Inspection {
    let set = validation ?? training
    let index = min(max(example, 0), set.count - 1)
    let shown = shownNetwork
    let (input, labels) = set.batch([index])
    // The example goes through every layer (as a probe), the set through the fast path.
    let maps = probe(input.slice(0), id: 0)
    var confusion = [[Int]](
      repeating: [Int](repeating: 0, count: set.classCount), count: set.classCount)
    var wrong: [Misclassified] = []
    var predictions = [Int](repeating: 0, count: set.count)
    set.score(logits: shownLogits()) { example in
      let predicted = argmax(example.logits)
      confusion[example.label][predicted] += 1
      predictions[example.index] = predicted
      guard predicted != example.label else { return }
      let row = Array(example.logits)
      wrong.append(
        Misclassified(
          index: example.index, label: example.label, predicted: predicted,
          loss: crossEntropy(logits: row, label: example.label), confidence: softmax(row)[predicted]))
    }
    wrong.sort { ($0.loss, $1.index) > ($1.loss, $0.index) }
    return Inspection(
      step: shown.step, example: index, label: labels[0], input: input.slice(0),
      activations: maps?.activations ?? [], probabilities: maps?.probabilities ?? [],
      confusion: confusion, worst: Array(wrong.prefix(configuration.worstCount)), predictions: predictions)
  }

  static func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }
}
