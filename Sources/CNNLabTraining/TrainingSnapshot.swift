import CNNLabEngine
// N = examples, K = classes, F = filters, C = channels, KH/KW = kernel size.

/// What a training run is doing.
public enum TrainingState: Equatable, Sendable {
  case running
  case paused
  /// Every requested epoch is done, or the run was stopped.
  case finished
  /// Training cannot go on; the reason says what happened and what to try.
  case failed(String)
}

/// How one finished epoch went: the training batches' running means and the validation set.
public struct EpochSummary: Equatable, Sendable {
  /// 1-based.
  public var epoch: Int
  public var trainLoss: Float
  public var trainAccuracy: Double
  /// Nil when the run has no validation set.
  public var validationLoss: Float?
  public var validationAccuracy: Double?
  public var imagesPerSecond: Double
  /// Seconds of training (pauses excluded) at the end of the epoch.
  public var elapsed: Double
}

/// A validation example the network gets wrong, and how badly.
public struct Misclassified: Equatable, Sendable {
  /// Index into the validation set.
  public var index: Int
  public var label: Int
  public var predicted: Int
  /// Cross-entropy of this example: −log p(label).
  public var loss: Float
  /// The probability given to the wrong prediction.
  public var confidence: Float
}

/// What the network makes of one example and of the whole validation set, computed on request
/// between two steps.
public struct Inspection: Equatable, Sendable {
  /// The step after which this was computed.
  public var step: Int
  /// Index into the validation set (or the training set when there is no validation set).
  public var example: Int
  public var label: Int
  /// One example's input, `(C, H, W)`.
  public var input: Tensor
  /// Each layer's output for that example, without the batch axis, in layer order.
  public var activations: [LayerActivation]
  /// Softmax of the logits, `K` values summing to 1.
  public var probabilities: [Float]
  /// `confusion[truth][predicted]` over the validation set.
  public var confusion: [[Int]]
  /// The misclassified validation examples with the highest loss, worst first.
  public var worst: [Misclassified]
  /// The class predicted for each validation example, in order: which examples make up each
  /// cell of `confusion`.
  public var predictions: [Int] = []

  /// One layer's output.
  public struct LayerActivation: Equatable, Sendable {
    public var text: String
    public var output: Tensor
  }
}

/// An earlier step the screen is looking at: the network as it was after that step.
public struct ViewedStep: Equatable, Sendable {
  public var step: Int
  /// Every convolution layer's kernels at that step.
  public var kernels: [KernelSnapshot]
}

/// A copy of everything the training screen draws, published by the trainer thread every few
/// steps. It is a value: reading it never races with training.
public struct TrainingSnapshot: Equatable, Sendable {
  public var state: TrainingState = .paused
  /// Bumped by every reset, so a reader can tell a new run from an old one.
  public var generation = 0
  /// Completed epochs.
  public var epoch = 0
  /// Steps (batches) done since the start or the last reset.
  public var step = 0
  public var stepInEpoch = 0
  public var stepsPerEpoch = 0
  /// Nil when the run goes on until stopped.
  public var totalEpochs: Int?
  public var imagesSeen = 0
  public var optimizer: OptimizerKind = .sgd
  public var learningRate: Float = 0
  /// How fast the run takes its steps on screen.
  public var pace: TrainingPace = .max
  /// Whether the first convolution is frozen (`TrainingCommand.freezeFirstLayer`).
  public var firstLayerFrozen = false
  /// Every batch loss and accuracy since step 1, in buckets (for the curves of the whole run).
  public var history = CurveHistory()
  /// The steps the timeline keeps parameters of, oldest first (step 0 is the start).
  public var timeline: [Int] = []
  /// The kept step the screen looks at instead of the newest (after `.view`), and its kernels.
  public var viewed: ViewedStep?
  /// The step at which the loss stopped being finite, when the run failed.
  public var failedStep: Int?
  /// The last `curveCapacity` batch losses, oldest first; the first is that of step `curveStart + 1`.
  public var losses: [Float] = []
  /// The matching batch accuracies (0…1).
  public var accuracies: [Float] = []
  public var curveStart = 0
  /// One entry per finished epoch.
  public var epochs: [EpochSummary] = []
  /// Recent speed, over the last chunk of steps.
  public var imagesPerSecond: Double = 0
  /// Seconds spent training (pauses excluded; on screen, the waits of its pace included).
  public var elapsed: Double = 0
  /// Estimated seconds to the last epoch at the recent speed; nil without an epoch limit.
  public var remaining: Double?
  /// Every convolution layer's kernels.
  public var kernels: [KernelSnapshot] = []
  /// The answer to the last `.inspect` command.
  public var inspection: Inspection?
  /// The answer to the last `.probe` command (nil if its image did not fit the network).
  public var probe: Probe?

  public init() {}

  /// The mean of the last `count` batch losses (all of them when there are fewer).
  public func recentLoss(_ count: Int = 20) -> Float? {
    guard !losses.isEmpty else { return nil }
    let tail = losses.suffix(count)
    return tail.reduce(0, +) / Float(tail.count)
  }
}
