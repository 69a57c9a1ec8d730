import CNNLabData
import CNNLabEngine

// `train NETWORK on xo count N seed S batch B rate η [epochs E] [init he|glorot|torch] -> NAME`:
// the training loop, once by hand and then for whole epochs. The first mini-batch goes through
// the reference executor (`Network`): its mean loss, the gradient of the first weight, one SGD
// step by the engine's `Optimizer`, and the same batch's loss after it. Then the trainer
// (`Trainer`, the code `cnnlab train` runs) trains for E epochs from the same start, and the
// loss over all N images is measured before and after.
//
// N = images, B = batch size, E = epochs.

public struct TrainOperation: Equatable, Sendable {
  public var network: NameReference
  public var count: Int
  public var seed: Int
  /// The batch size and the rate as written, or read from cells the learner edits.
  public var batch: LessonNumber?
  public var batchSetting: Expression?
  public var rate: LessonNumber?
  public var rateSetting: Expression?
  /// Whole epochs the trainer runs after the step shown by hand; none when 0.
  public var epochs: Int = 0
  public var initializer: Initializer = .torch

  public init(network: NameReference, count: Int, seed: Int) {
    self.network = network
    self.count = count
    self.seed = seed
  }
}

extension TrainOperation: OperationSpec {
  static let keyword = "train"

  var inputs: [NameReference] { [network] }

  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind {
    let usage = "write 'train NETWORK on xo count 100 seed 1 batch 16 rate 0.1 -> NAME'"
    let network = try cursor.name("the network to train")
    try cursor.expectWord("on", note: usage)
    try cursor.expectWord("xo", note: "the lessons train on generated X and O pictures: 'on xo'")
    var train = TrainOperation(network: network, count: 0, seed: 1)
    try cursor.options(
      unknown: { c in
        ParseError(
          column: c.column, message: "unknown train option \(c.found)",
          note: didYouMean(c.peek?.text, among: ["count", "seed", "batch", "rate", "epochs", "init"])
            ?? "options are count, seed, batch, rate, epochs and init")
      }
    ) { word, c throws(ParseError) in
      switch word.text {
      case "count": train.count = try c.integer("the number of images", in: 2...1000)
      case "seed": train.seed = try c.integer("the seed", in: 0...1_000_000)
      case "epochs": train.epochs = try c.integer("the number of epochs", in: 1...50)
      case "batch":
        if c.peek?.kind == .word { train.batchSetting = try c.expression() } else { train.batch = try c.number("the batch size") }
      case "rate":
        if c.peek?.kind == .word { train.rateSetting = try c.expression() } else { train.rate = try c.number("the learning rate") }
      case "init":
        let column = c.column
        let name = try c.name("he, glorot or torch")
        guard let initializer = Initializer(rawValue: name.name) else {
          throw ParseError(
            column: column, message: "unknown initialisation '\(name.name)'", note: "write 'init he', 'init glorot' or 'init torch'")
        }
        train.initializer = initializer
      default: return false
      }
      return true
    }
    guard train.count > 0 else {
      throw ParseError(column: cursor.column, message: "the training has no number of images", note: "add 'count 100'")
    }
    guard train.batch != nil || train.batchSetting != nil else {
      throw ParseError(column: cursor.column, message: "the training has no batch size", note: "add 'batch 16'")
    }
    guard train.rate != nil || train.rateSetting != nil else {
      throw ParseError(column: cursor.column, message: "the training has no learning rate", note: "add 'rate 0.1'")
    }
    return .train(train)
  }

  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation {
    let output = operation.output.name
    let animation = try run.train(self, operation: operation)
    run.values[output] = .number(Double(animation.finalLoss))
    let numbers: [(String, Float)] = [
      ("loss", animation.loss), ("weight", animation.weight), ("grad", animation.gradient),
      ("updated", animation.updated), ("after", animation.lossAfter), ("rate", animation.rate),
      ("batch", Float(animation.batchSize)), ("steps", Float(animation.stepsPerEpoch)),
      ("start", animation.startLoss), ("final", animation.finalLoss), ("accuracy", animation.finalAccuracy),
    ]
    for (part, value) in numbers { run.values[output + "." + part] = .number(Double(value)) }
    run.values[output + ".kernel"] = .grid(animation.kernel, unscaled: nil, scale: nil)
    run.values[output + ".image"] = .grid(animation.image, unscaled: nil, scale: nil)
    return .training(animation)
  }
}

extension LessonRun {
  func train(_ t: TrainOperation, operation: StepOperation) throws(EvalError) -> TrainingAnimation {
    guard case .network(let plan) = try value(t.network, part: nil) else {
      throw EvalError(
        location: t.network.location, message: "'\(t.network.name)' is not a network",
        note: "declare it with 'network \(t.network.name) 1x9x9' ... 'end'")
    }
    guard plan.inputShape.count == 3, plan.inputShape[0] == 1, plan.inputShape[1] == plan.inputShape[2],
      plan.inputShape[1] >= 9, plan.inputShape[1] <= 28
    else {
      throw EvalError(
        location: t.network.location, message: "X/O pictures are one square channel, 9x9 to 28x28, not \(shapeText(plan.inputShape))",
        note: "declare the network's input as 1x9x9")
    }
    guard plan.rows.last?.outputShape == [2] else {
      throw EvalError(
        location: t.network.location, message: "the network must end in 2 class scores (X and O)",
        note: "end it with 'dense 2'")
    }
    let batch = try setting(t.batchSetting, written: t.batch, what: "a batch size")
    guard batch == batch.rounded(), batch >= 1, batch <= Double(t.count) else {
      throw EvalError(
        location: t.batchSetting?.location ?? operation.location,
        message: "the batch size is \(format(batch)), but it is a whole number from 1 to \(t.count), the number of images",
        note: "set it to a whole number such as 16")
    }
    let rate = try setting(t.rateSetting, written: t.rate, what: "a learning rate")
    guard rate > 0, rate <= 10 else {
      throw EvalError(
        location: t.rateSetting?.location ?? operation.location,
        message: "the learning rate is \(format(rate)), but it is above 0 and at most 10",
        note: "set it to a small positive number such as 0.1")
    }
    let text = plan.trainingSpec
    let network: Network
    do {
      network = try Network(text, inputShape: plan.inputShape, initializer: t.initializer, seed: UInt64(t.seed))
    } catch {
      throw EvalError(location: t.network.location, message: error.message, note: "check the network's layers")
    }
    guard let first = network.parameters.first, first.value.rank == 4 else {
      throw EvalError(
        location: t.network.location, message: "the network's first layer must be a convolution",
        note: "start it with a line like 'conv 3 3x3 relu'")
    }
    let set = XOGenerator.dataset(count: t.count, seed: UInt64(t.seed), size: plan.inputShape[1])
      .labelledSet(classCount: 2)
    let optimizer = Optimizer.sgd(learningRate: Float(rate))
    var trainer = Trainer(
      network: network, optimizer: optimizer, training: set, batchSize: Int(batch), seed: UInt64(t.seed))

    // The first mini-batch, by the reference executor: loss, one weight's gradient, the step.
    let indices = Array(trainer.order.prefix(Int(batch)))
    let (images, labels) = set.batch(indices)
    var reference = network
    let (loss, dLogits) = SoftmaxCrossEntropy.evaluate(logits: reference.forward(images), labels: labels)
    reference.zeroGradients()
    reference.backward(dLogits)
    let weight = first.value.scalars[0]
    let gradient = reference.parameters[0].grad.scalars[0]
    reference.updateParameters { _, p in
      let count = p.value.count
      p.grad.scalars.withUnsafeBufferPointer { g in
        p.value.scalars.withUnsafeMutableBufferPointer { v in
          guard let v = v.baseAddress, let g = g.baseAddress else { return }
          optimizer.update(step: 1, values: v, gradients: g, moment1: nil, moment2: nil, count: count)
        }
      }
    }
    let updated = reference.parameters[0].value.scalars[0]
    let lossAfter = SoftmaxCrossEntropy.evaluate(logits: reference.forward(images), labels: labels).loss

    // Whole epochs, by the trainer, from the same start.
    let start = trainer.evaluate(set)
    for _ in 0..<(t.epochs * trainer.stepsPerEpoch) { _ = trainer.step() }
    let final = trainer.evaluate(set)
    let side = plan.inputShape[1]
    let kernelSide = (first.value.shape[2], first.value.shape[3])
    return TrainingAnimation(
      outputName: operation.output.name, imageCount: t.count, batchSize: Int(batch), xCount: labels.filter { $0 == 0 }.count,
      rate: Float(rate), rateText: rateText(Float(rate)), loss: loss, weight: weight, gradient: gradient, updated: updated, lossAfter: lossAfter,
      stepsPerEpoch: trainer.stepsPerEpoch, epochs: t.epochs, startLoss: start.loss, finalLoss: final.loss,
      finalAccuracy: Float(final.accuracy),
      kernel: Tensor(
        shape: [kernelSide.0, kernelSide.1], scalars: Array(first.value.scalars.prefix(kernelSide.0 * kernelSide.1))),
      image: Tensor(shape: [side, side], scalars: Array(images.scalars.prefix(side * side))))
  }

  /// A number written in the line, or read from a cell the learner edits.
  private func setting(_ expression: Expression?, written: LessonNumber?, what: String) throws(EvalError) -> Double {
    if let expression { return try number(expression, what: what) }
    return written?.value ?? 0
  }
}

/// One mini-batch step worked out, then whole epochs.
public struct TrainingAnimation: Equatable, Sendable {
  public var outputName: String
  public var imageCount: Int
  public var batchSize: Int
  /// How many of the first batch's images are X.
  public var xCount: Int
  public var rate: Float
  /// The rate as the lesson (or the learner) wrote it: `0.05`.
  public var rateText: String
  /// The first batch's mean cross-entropy before the step.
  public var loss: Float
  /// The first convolution's first weight, kernel 0, row 0, column 0, and ∂loss/∂w.
  public var weight: Float
  public var gradient: Float
  /// w − η·∂loss/∂w.
  public var updated: Float
  /// The same batch's loss after the step.
  public var lossAfter: Float
  /// ⌈N/B⌉.
  public var stepsPerEpoch: Int
  public var epochs: Int
  /// Mean loss over all N images before training and after `epochs` epochs.
  public var startLoss: Float
  public var finalLoss: Float
  public var finalAccuracy: Float
  /// The first convolution's kernel 0 before the step.
  public var kernel: Tensor
  /// The batch's first image.
  public var image: Tensor

  /// The frames: the batch, its loss, the gradient, the step, the loss after, and the epochs
  /// when there are any.
  public static let stages = 6
}

extension TrainingAnimation: OperationAnimation {
  public var frameCount: Int { epochs > 0 ? TrainingAnimation.stages : TrainingAnimation.stages - 1 }
  public var frameUnit: String { "stage" }
  public var producesGrid: Bool { false }

  public func parts(frame: Int) -> AnimationParts { AnimationParts() }

  public func printArithmetic(into printed: inout PrintedArithmetic) {
    for value in [loss, gradient, updated, lossAfter] { printed.add(value, decimals: 4) }
    if epochs > 0 {
      for value in [startLoss, finalLoss] { printed.add(value, decimals: 4) }
      printed.add(Float(stepsPerEpoch), decimals: 0)
      printed.add(Float(stepsPerEpoch * epochs), decimals: 0)
    }
    printed.add(weight, decimals: 4)
    printed.add(rate)
  }
}
