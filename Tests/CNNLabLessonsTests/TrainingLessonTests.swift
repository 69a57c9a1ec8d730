import CNNLabData
import CNNLabEngine
import Foundation
import Testing

@testable import CNNLabLessons

/// Lessons 14 and 15 and lesson 7's average pooling, held to numbers from outside the code under
/// test: the optimisers' walks from `Fixtures/optimizer_paths.py` (the update rules in NumPy,
/// checked there against PyTorch's `torch.optim`), the pooled cell from
/// `Fixtures/lesson_numbers.py`, and the training step's gradient against central differences
/// of the loss and against the fast executor's own first step.
@Suite struct TrainingLessonTests {
  func scenes(_ name: String, kernels: [String: KernelSetting] = [:]) throws -> [Scene] {
    let course = Course.load(directory: repositoryRoot.appendingPathComponent("lessons").path)
    let lesson = try #require(course.entries.first { $0.name == name }?.lesson, "\(name) loads")
    return ScenePlanner.plan(lesson, kernels: kernels)
  }

  func descent(_ scene: Scene) throws -> DescentAnimation {
    guard case .descent(let a)? = scene.animation else {
      Issue.record("step \(scene.number) is not a descent: \(String(describing: scene.problem?.message))")
      throw CancellationError()
    }
    return a
  }

  func training(_ scene: Scene) throws -> TrainingAnimation {
    guard case .training(let a)? = scene.animation else {
      Issue.record("step \(scene.number) is not a training step: \(String(describing: scene.problem?.message))")
      throw CancellationError()
    }
    return a
  }

  // MARK: - Lesson 15: the optimisers

  /// `optimizer_paths.py`: steps 1 to 3 of each walk at rate 0.1 from (−4, 1.5) on ½(x² + 8y²),
  /// and the loss after 30 steps.
  static let golden: [String: (steps: [(Float, Float)], loss30: Float)] = [
    "sgd": ([(-3.6, 0.3), (-3.24, 0.06), (-2.916, 0.012)], 0.0143761),
    "momentum": ([(-3.6, 0.3), (-2.88, -1.02), (-1.944, -1.392)], 0.580761),
    "rmsprop": ([(-3.0, 0.5), (-2.398071, 0.182339), (-1.962722, 0.066693)], 0.000112444),
    "adam": ([(-3.9, 1.4), (-3.800074, 1.300239), (-3.700274, 1.200903)], 1.10109),
  ]

  @Test func eachOptimisersWalkMatchesNumPyAndPyTorch() throws {
    let a = try descent(try scenes("15-optimizers")[0])
    #expect(a.names == ["sgd", "momentum", "rmsprop", "adam"])
    #expect(a.rate == 0.1)
    for (name, path) in zip(a.names, a.paths) {
      let golden = try #require(Self.golden[name])
      #expect(path.count == 31)
      #expect(path[0].x == -4 && path[0].y == 1.5 && path[0].loss == 17)
      for (k, (x, y)) in golden.steps.enumerated() {
        #expect(abs(path[k + 1].x - x) < 1e-5 && abs(path[k + 1].y - y) < 1e-5, "\(name) step \(k + 1): \(path[k + 1])")
      }
      #expect(abs(path[30].loss - golden.loss30) <= 1e-3 * golden.loss30, "\(name) after 30: \(path[30].loss)")
    }
  }

  /// `optimizer_paths.py`: SGD's loss after 30 steps at 0.24, 0.25 and 0.26 (from 17).
  @Test(arguments: [(0.24, Float(0.0604665)), (0.25, 9), (0.26, 911.309)])
  func sgdDivergesJustAboveTwoOverTheSteepestCurvature(rate: Double, loss: Float) throws {
    let scene = try scenes("15-optimizers")[3]
    let operation = try #require(scene.operation)
    guard case .descend(var d) = operation.kind else {
      Issue.record("step 4 is not a descent")
      return
    }
    d.rate = LessonNumber(rate)
    let a = d.descend(rate: Float(rate), output: "p")
    #expect(a.divergenceLimit == 0.25)
    let sgd = a.paths[0]
    #expect(abs(sgd[30].loss - loss) <= 1e-3 * loss, "rate \(rate): \(sgd[30].loss)")
    #expect((sgd[30].loss > sgd[0].loss) == (rate > 0.25))
  }

  /// The rate knob walks its values; a rate read from a cell has none.
  @Test func theRateKnobTurnsTheWalks() throws {
    let planned = try scenes("15-optimizers")
    let operation = try #require(planned[3].operation)
    #expect(operation.knobs == [Knob(name: "rate", value: "0.24")])
    let up = try #require(operation.turning("rate", by: 1))
    #expect(up.knobs == [Knob(name: "rate", value: "0.26")])
    #expect(operation.turning("rate", by: 10) == nil)
    #expect(try #require(planned[4].operation).knobs.isEmpty)
  }

  /// The landscape's bands grow outwards from the minimum; each walk starts on the start's cell.
  @Test func theLandscapeIsABowlAroundTheMinimum() throws {
    let a = try descent(try scenes("15-optimizers")[0])
    let bands = a.landscape
    #expect(bands.count == DescentAnimation.rows && bands[0].count == DescentAnimation.columns)
    let middle = (DescentAnimation.rows / 2, DescentAnimation.columns / 2)
    #expect(bands[middle.0][middle.1] == 0)
    #expect(bands[0][0] == DescentAnimation.bands - 1)
    #expect(a.thresholds.count == DescentAnimation.bands - 1)
    #expect(zip(a.thresholds, a.thresholds.dropFirst()).allSatisfy { $0 < $1 })
    let start = try #require(a.cell(of: a.paths[0][0]))
    #expect(start.column < middle.1 && start.row < middle.0)
  }

  @Test func aDescentWithoutABowlIsRefusedWithTheFix() {
    let text = """
      format 1
      title "t"
      step "s"
        descend quadratic 0, 8 from -4, 1.5 rate 0.1 steps 30 -> p
      end
      """
    do {
      _ = try LessonParser.parse(text, file: "t.cnnlab")
      Issue.record("a flat bowl was accepted")
    } catch {
      let first = error.diagnostics.first
      #expect(first?.message.contains("curvatures must be above 0") == true, "\(String(describing: first?.message))")
      #expect(first?.location == SourceLocation(line: 4, column: 21))
    }
  }

  // MARK: - Lesson 14: the training loop

  @Test(arguments: [
    ("train net on mnist count 10 batch 2 rate 0.1 -> t", 4, "expected 'xo'"),
    ("train net on xo count 10 rate 0.1 -> t", 4, "no batch size"),
    ("train net on xo count 10 batch 2 rate 0.1 init lecun -> t", 4, "unknown initialisation 'lecun'"),
  ])
  func aTrainLineWithoutWhatItNeedsIsRefusedWhereItIs(line: String, row: Int, message: String) {
    let text = """
      format 1
      title "t"
      step "s"
        \(line)
      end
      """
    do {
      _ = try LessonParser.parse(text, file: "t.cnnlab")
      Issue.record("accepted: \(line)")
    } catch {
      let first = error.diagnostics.first
      #expect(first?.message.contains(message) == true, "\(String(describing: first?.message))")
      #expect(first?.location.line == row)
    }
  }

  @Test func theFirstStepIsSGDOnTheBatchAndTheGradientMatchesCentralDifferences() throws {
    let a = try training(try scenes("14-training-loop")[0])
    #expect(a.batchSize == 16 && a.imageCount == 50)
    #expect(a.stepsPerEpoch == 4)  // ⌈50/16⌉
    #expect(a.updated == a.weight - a.rate * a.gradient)
    #expect(a.lossAfter < a.loss)

    // The same network, data and batch, rebuilt here; the loss as a function of the one weight.
    let network = try Network(
      "conv 3 3x3 nobias relu | maxpool 2 ceil | dense 2", inputShape: [1, 9, 9], initializer: .he, seed: 1)
    let set = XOGenerator.dataset(count: 50, seed: 1).labelledSet(classCount: 2)
    let trainer = Trainer(
      network: network, optimizer: .sgd(learningRate: 0.05), training: set, batchSize: 16, seed: 1)
    let (images, labels) = set.batch(Array(trainer.order.prefix(16)))
    #expect(network.parameters[0].value.scalars[0] == a.weight)
    func loss(_ w: Float) -> Double {
      var n = network
      n.updateParameters { index, p in if index == 0 { p.value.scalars[0] = w } }
      return Double(SoftmaxCrossEntropy.evaluate(logits: n.forward(images), labels: labels).loss)
    }
    let h: Float = 1e-2
    let numeric = (loss(a.weight + h) - loss(a.weight - h)) / Double(2 * h)
    #expect(abs(numeric - Double(a.gradient)) <= 2e-3 + 1e-2 * abs(numeric), "numeric \(numeric), engine \(a.gradient)")
    #expect(abs(loss(a.weight) - Double(a.loss)) < 1e-5)
  }

  /// The fast executor, which `cnnlab train` runs, takes the same first step as the reference
  /// executor the lesson shows.
  @Test func theTrainerAgreesWithTheStepTheLessonShows() throws {
    let a = try training(try scenes("14-training-loop")[0])
    let network = try Network(
      "conv 3 3x3 nobias relu | maxpool 2 ceil | dense 2", inputShape: [1, 9, 9], initializer: .he, seed: 1)
    let set = XOGenerator.dataset(count: 50, seed: 1).labelledSet(classCount: 2)
    var trainer = Trainer(
      network: network, optimizer: .sgd(learningRate: 0.05), training: set, batchSize: 16, seed: 1)
    let first = trainer.step()
    #expect(abs(first.loss - a.loss) < 1e-4, "trainer \(first.loss), lesson \(a.loss)")
    #expect(abs(trainer.parameterValues[0][0] - a.updated) < 1e-5)
  }

  /// The challenge's goal is the trainer's loss over the set after one epoch: lower for more
  /// steps (smaller batches) at a larger rate.
  @Test func moreStepsAndALargerRateLowerTheLossAfterOneEpoch() throws {
    let slow = try training(try scenes("14-training-loop")[5])
    let fast = try training(try scenes("14-training-loop", kernels: ["settings": KernelSetting(values: [2, 0.1])])[5])
    #expect(slow.stepsPerEpoch == 4 && fast.stepsPerEpoch == 25)
    #expect(slow.startLoss == fast.startLoss)
    #expect(fast.finalLoss < 0.1 && slow.finalLoss >= 0.1)
  }

  /// He initialisation: the engine's weights for a 3x3 kernel on one channel have standard
  /// deviation √(2/9) = 0.4714 (the lesson's question), measured on 9,000 draws.
  @Test func heInitialisationHasTheStandardDeviationTheLessonComputes() {
    var rng = SplitMix64(seed: 5)
    let w = Initializer.he.weights(shape: [1000, 1, 3, 3], fanIn: 9, fanOut: 9, using: &rng).scalars
    let mean = w.reduce(0, +) / Float(w.count)
    let std = (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(w.count)).squareRoot()
    #expect(abs(std - 0.4714) < 0.02, "\(std)")
  }

  // MARK: - Lesson 7: average pooling

  /// `lesson_numbers.py`: the mean of dmap's top-left window is 7/18, and a pooling layer has no
  /// parameters.
  @Test func averagePoolingBesideMax() throws {
    let planned = try scenes("07-max-pooling")
    let scene = try #require(planned.first { $0.title == "Average instead of max" })
    guard case .pooling(let a)? = scene.animation else {
      Issue.record("the step does not pool")
      return
    }
    #expect(abs(a.output.scalars[0] - 7 / 18) < 1e-6)
    #expect(scene.grids.map(\.name) == ["dmap", "pooled", "dmean"])
    #expect(try Network("maxpool 2 stride 2 ceil", inputShape: [1, 7, 7]).parameterCount == 0)
  }
}
