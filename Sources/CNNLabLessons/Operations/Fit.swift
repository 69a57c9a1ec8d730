import CNNLabData
import CNNLabEngine
import Synchronization

// `fit NETWORK [dropout P] [epochs E] [rate R] [seed S] [compare RUN] -> NAME`: trains a network
// declared in the lesson, headless, with a fixed seed, on the first 500 training digits of the
// bundled MNIST sample (the training loss of an epoch is the mean over its batches, as training
// measured it), and scores it after every epoch on the sample's 450 validation digits. One frame per epoch: the curves grow as the player steps. `dropout P` sets
// every dropout layer's probability (a number, or a cell the learner edits, `dropout p[0]`);
// `compare RUN` draws an earlier run's validation loss beside this one's.
//
// Parts: `NAME.train_loss`, `NAME.val_loss`, `NAME.train_acc`, `NAME.val_acc` (one value per
// epoch, accuracies in %), `NAME.best` (the epoch, from 1, with the lowest validation loss) and
// `NAME.scale` (what a kept value is multiplied by while training, 1/(1 − p), as the engine's
// dropout draws it; 1 without dropout).

public struct FitOperation: Equatable, Sendable {
  public var network: NameReference
  public var dropout: Expression?
  public var epochs = 15
  public var seed = 1
  /// Adam's learning rate.
  public var rate = LessonNumber(0.001)
  public var compare: NameReference?

  public init(network: NameReference) { self.network = network }
}

extension FitOperation: OperationSpec {
  static let keyword = "fit"

  /// The run: these many training digits, in batches of 50, with Adam (the lecture's choice
  /// for its dense network with dropout).
  static let trainingCount = 500
  static let batchSize = 50

  var inputs: [NameReference] { [network] + (compare.map { [$0] } ?? []) }

  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind {
    var fit = FitOperation(network: try cursor.name("the network to train"))
    let usage = "write 'fit NETWORK [dropout P] [epochs E] [rate R] [seed S] [compare RUN] -> NAME'"
    while let token = cursor.peek, token.kind == .word {
      if cursor.skipWord("dropout") {
        fit.dropout = try cursor.expression()
      } else if cursor.skipWord("epochs") {
        fit.epochs = try cursor.integer("the number of epochs", in: 2...60)
      } else if cursor.skipWord("rate") {
        fit.rate = try cursor.number("Adam's learning rate")
        guard fit.rate.value > 0, fit.rate.value <= 1 else {
          throw ParseError(column: token.column, message: "a learning rate is above 0 and at most 1", note: "write 'rate 0.001'")
        }
      } else if cursor.skipWord("seed") {
        fit.seed = try cursor.integer("the seed", in: 0...1_000_000)
      } else if cursor.skipWord("compare") {
        fit.compare = try cursor.name("an earlier fit to compare with")
      } else {
        throw ParseError(column: token.column, message: "unknown fit option '\(token.text)'", note: usage)
      }
    }
    return .fit(fit)
  }

  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation {
    let output = operation.output.name
    let spec = try run.fitSpec(self)
    var compared: [Float]? = nil
    if let compare {
      guard case .grid(let losses, _, _)? = run.values[compare.name + ".val_loss"] else {
        throw EvalError(
          location: compare.location, message: "'\(compare.name)' is not the result of a fit",
          note: "compare with the name an earlier 'fit ... -> NAME' gave its run")
      }
      compared = losses.scalars
    }
    let curves: FitCurves
    do {
      curves = try FitCurves.train(spec: spec, epochs: epochs, rate: Float(rate.value), seed: UInt64(seed))
    } catch {
      throw EvalError(location: network.location, message: error.message, note: error.note)
    }
    let animation = FitAnimation(
      networkName: network.name, spec: spec.description, curves: curves, compared: compared,
      comparedName: compare?.name)
    func series(_ values: [Float]) -> LessonValue { .grid(Tensor(vector: values), unscaled: nil, scale: nil) }
    run.values[output] = series(curves.validationLoss)
    run.values[output + ".train_loss"] = series(curves.trainingLoss)
    run.values[output + ".val_loss"] = series(curves.validationLoss)
    run.values[output + ".train_acc"] = series(curves.trainingAccuracy)
    run.values[output + ".val_acc"] = series(curves.validationAccuracy)
    run.values[output + ".best"] = .number(Double(curves.bestEpoch))
    run.values[output + ".scale"] = .number(Double(curves.keptScale))
    run.curveResults.insert(output)
    return .fit(animation)
  }
}

extension LessonRun {
  /// The network's spec, with every dropout layer's probability set by the operation's
  /// `dropout`, checked to take the sample's 28x28 digits to ten classes.
  func fitSpec(_ fit: FitOperation) throws(EvalError) -> NetworkSpec {
    guard let declaration = lesson.networks.first(where: { $0.name.name == fit.network.name }) else {
      throw EvalError(
        location: fit.network.location, message: "'\(fit.network.name)' is not a network",
        note: "declare it with 'network \(fit.network.name) 1x28x28' ... 'end'")
    }
    guard declaration.inputShape == [1, 28, 28] else {
      throw EvalError(
        location: fit.network.location, message: "'fit' trains on 28x28 digits, so the network's input is 1x28x28",
        note: "declare the network with 'network \(fit.network.name) 1x28x28'")
    }
    var probability: Double? = nil
    if let expression = fit.dropout {
      let p = try number(expression, what: "a drop probability")
      guard p >= 0, p < 1 else {
        throw EvalError(
          location: expression.location,
          message: "\(expression) is \(format(p)), but a drop probability is from 0 up to (not including) 1",
          note: "set \(expression) to a probability such as 0.5")
      }
      probability = p
    }
    var texts: [String] = []
    var sawDropout = false
    for layer in declaration.layers {
      guard case .layer(let spec) = layer.kind else { continue }
      if case .dropout = spec, let probability {
        texts.append("dropout \(probability)")  // every digit the learner typed
        sawDropout = true
      } else {
        texts.append(layer.text)
      }
    }
    if fit.dropout != nil && !sawDropout {
      throw EvalError(
        location: fit.network.location, message: "'\(fit.network.name)' has no dropout layer for 'dropout' to set",
        note: "add a line 'dropout 0.5' to the network where the dropout goes")
    }
    let spec: NetworkSpec
    do { spec = try NetworkSpec.parse(texts.joined(separator: " | ")) } catch {
      throw EvalError(location: fit.network.location, message: error.message, note: "check the network's layers")
    }
    guard let plan = try? Network.plan(spec: spec, inputShape: [1, 28, 28]), plan.last?.outputShape == [10],
      plan.reduce(0, { $0 + $1.parameterCount }) <= 500_000
    else {
      throw EvalError(
        location: fit.network.location,
        message: "'fit' trains a network of at most 500,000 weights that ends in 10 scores, one per digit",
        note: "end the network with 'dense 10' and keep its layers small")
    }
    return spec
  }
}

/// One training run's curves, epoch by epoch: training as its batches measured it (dropout on),
/// validation scored after the epoch (dropout off).
public struct FitCurves: Equatable, Sendable {
  public var trainingLoss: [Float]
  public var validationLoss: [Float]
  /// In %.
  public var trainingAccuracy: [Float]
  public var validationAccuracy: [Float]
  /// 1/(1 − p) of the first dropout layer, as `Dropout.drawMask` scales; 1 without one.
  public var keptScale: Float
  public var trainingCount: Int
  public var validationCount: Int

  /// The epoch (from 1) with the lowest validation loss, the first of equals.
  public var bestEpoch: Int { argmax(ArraySlice(validationLoss.map { -$0 })) + 1 }

  struct Failure: Error {
    var message: String
    var note: String
  }

  /// Runs already trained in this process, by spec, epochs and seed: a run is the same every
  /// time, and a lesson is planned again on every edit and knob.
  private static let done = Mutex<[String: FitCurves]>([:])
  /// The bundled sample's first 500 training digits and its validation digits (pixels 0…1).
  private static let sample = Mutex<(training: LabelledSet, validation: LabelledSet)?>(nil)

  static func train(spec: NetworkSpec, epochs: Int, rate: Float, seed: UInt64) throws(Failure) -> FitCurves {
    let key = "\(spec.description)|\(epochs)|\(rate)|\(seed)"
    if let known = done.withLock({ $0[key] }) { return known }
    let (training, validation) = try loadSample()
    let network: Network
    do { network = try Network(spec: spec, inputShape: [1, 28, 28], seed: seed) } catch {
      throw Failure(message: error.description, note: "check the network's layers")
    }
    var trainer = Trainer(
      network: network, optimizer: .adam(learningRate: rate), training: training,
      batchSize: FitOperation.batchSize, seed: seed, threads: 1)
    var curves = FitCurves(
      trainingLoss: [], validationLoss: [], trainingAccuracy: [], validationAccuracy: [], keptScale: 1,
      trainingCount: training.count, validationCount: validation.count)
    if let p = spec.layers.lazy.compactMap({ layer -> Double? in
      if case .dropout(let p) = layer { return p } else { return nil }
    }).first {
      curves.keptScale = Dropout.keptScale(p)
    }
    for _ in 0..<epochs {
      // The training loss as training sees it (dropout on), the mean over the epoch's batches,
      // as Keras reports it; the validation set is scored after the epoch, dropout off.
      var (loss, correct) = (Float(0), 0)
      for _ in 0..<trainer.stepsPerEpoch {
        let step = trainer.step()
        loss += step.loss * Float(step.count)
        correct += step.correct
      }
      let held = trainer.evaluate(validation)
      curves.trainingLoss.append(loss / Float(training.count))
      curves.validationLoss.append(held.loss)
      curves.trainingAccuracy.append(Float(correct) * 100 / Float(training.count))
      curves.validationAccuracy.append(Float(held.accuracy * 100))
    }
    done.withLock { $0[key] = curves }
    return curves
  }

  private static func loadSample() throws(Failure) -> (training: LabelledSet, validation: LabelledSet) {
    if let known = sample.withLock({ $0 }) { return known }
    let data: TrainingData
    do { data = try TrainingData.load("mnist") } catch {
      throw Failure(
        message: "the bundled MNIST sample could not be read: \(error)",
        note: "run cnnlab from its source folder, or set CNNLAB_ASSETS to its assets folder")
    }
    guard let all = data.training, all.count >= FitOperation.trainingCount else {
      throw Failure(message: "the bundled MNIST sample has no training digits", note: "restore assets/mnist")
    }
    let loaded = (training: all.subset(Array(0..<FitOperation.trainingCount)), validation: data.validation)
    sample.withLock { $0 = loaded }
    return loaded
  }
}

/// A training run's curves, one epoch per frame.
public struct FitAnimation: Equatable, Sendable {
  public var networkName: String
  /// The spec the run trained, with the dropout the operation set.
  public var spec: String
  public var curves: FitCurves
  /// An earlier run's validation loss, drawn beside this one's.
  public var compared: [Float]?
  public var comparedName: String?
}

extension FitAnimation: OperationAnimation {
  public var frameCount: Int { curves.validationLoss.count }
  public var frameUnit: String { "epoch" }
  public var producesGrid: Bool { false }

  public func parts(frame: Int) -> AnimationParts { AnimationParts(input: nil, output: nil) }

  public func printArithmetic(into printed: inout PrintedArithmetic) {
    for values in [curves.trainingLoss, curves.validationLoss] { for v in values { printed.add(v, decimals: 3) } }
    for values in [curves.trainingAccuracy, curves.validationAccuracy] { for v in values { printed.add(v, decimals: 1) } }
    if let compared { for v in compared { printed.add(v, decimals: 3) } }
    printed.add(chartTop, decimals: 2)
  }

  /// The loss at the top of the chart: the largest after the first epoch (whose loss, from
  /// random weights, would flatten the rest), rounded up to a tenth; a larger one is drawn at
  /// the top.
  public var chartTop: Float {
    let all = [curves.trainingLoss, curves.validationLoss, compared ?? []].flatMap { $0.count > 1 ? $0.dropFirst() : $0[...] }
    return max(0.1, ((all.max() ?? 1) * 10).rounded(.up) / 10)
  }
}
