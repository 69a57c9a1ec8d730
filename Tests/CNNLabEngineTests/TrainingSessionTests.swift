import Foundation
import CNNLabEngine
import CNNLabTraining
import Testing

/// A run on the halves task (see TrainingTests) with a validation set.
func halvesRun(
  seed: UInt64 = 3, optimizer: OptimizerKind = .momentum, learningRate: Float = 0.1,
  epochs: Int? = nil, stepsPerSnapshot: Int = 4, startPaused: Bool = true
) throws -> TrainingRun {
  let config = TrainingConfiguration(
    spec: try NetworkSpec.parse("conv 2 3x3 relu | maxpool 2 | dense 2"), inputShape: [1, 5, 6],
    optimizer: optimizer, learningRate: learningRate, batchSize: 8, seed: seed, epochs: epochs,
    stepsPerSnapshot: stepsPerSnapshot, curveCapacity: 50, worstCount: 3)
  return try TrainingRun(
    configuration: config, training: halvesDataset(count: 64, seed: 3),
    validation: halvesDataset(count: 32, seed: 99), startPaused: startPaused)
}

/// Runs chunks until the run has nothing more to do (or `limit` chunks, to fail instead of hang).
func drain(_ run: inout TrainingRun, limit: Int = 1000) {
  var chunks = 0
  while run.wantsToRun && chunks < limit {
    run.advance()
    chunks += 1
  }
}

@Suite struct TrainingRunTests {
  @Test func aPausedRunDoesNothingUntilAskedToStep() throws {
    var run = try halvesRun()
    #expect(run.snapshot.state == .paused)
    #expect(!run.wantsToRun)
    run.handle(.step(3))
    drain(&run)
    #expect(run.snapshot.step == 3)
    #expect(run.snapshot.state == .paused)
    #expect(run.snapshot.losses.count == 3)
    #expect(run.snapshot.imagesSeen == 24)
  }

  @Test func singleStepsMatchAnUninterruptedRun() throws {
    var stepped = try halvesRun()
    for _ in 0..<10 {
      stepped.handle(.step(1))
      drain(&stepped)
    }
    var straight = try halvesRun(stepsPerSnapshot: 5)
    straight.handle(.step(10))
    drain(&straight)
    #expect(stepped.snapshot.step == 10 && straight.snapshot.step == 10)
    #expect(stepped.snapshot.losses == straight.snapshot.losses)
    #expect(stepped.trainer.network.parameters == straight.trainer.network.parameters)
  }

  @Test func pauseStopsAfterTheCurrentChunkAndResumeGoesOn() throws {
    var run = try halvesRun(stepsPerSnapshot: 4, startPaused: false)
    #expect(run.snapshot.state == .running)
    run.advance()
    #expect(run.snapshot.step == 4)
    run.handle(.pause)
    #expect(!run.wantsToRun)
    run.advance()
    #expect(run.snapshot.step == 4)
    run.handle(.resume)
    run.advance()
    #expect(run.snapshot.step == 8 && run.snapshot.state == .running)
  }

  @Test func epochsEndWithValidationAndTheLimitFinishesTheRun() throws {
    var run = try halvesRun(epochs: 3, startPaused: false)
    drain(&run)
    let s = run.snapshot
    #expect(s.state == .finished)
    #expect(s.step == 24 && s.epoch == 3 && s.stepsPerEpoch == 8)
    #expect(s.epochs.map(\.epoch) == [1, 2, 3])
    #expect(s.epochs.allSatisfy { $0.validationAccuracy != nil })
    #expect((s.epochs.last?.validationAccuracy ?? 0) >= 0.9)
    #expect((s.epochs.last?.trainLoss ?? 1) < (s.epochs.first?.trainLoss ?? 0))
    #expect(s.remaining == 0)
  }

  @Test func resetGivesAnIdenticalRun() throws {
    var run = try halvesRun()
    run.handle(.step(12))
    drain(&run)
    let first = run.snapshot
    let weights = run.trainer.network.parameters
    run.handle(.setLearningRate(0.5))
    run.handle(.step(5))
    drain(&run)
    run.handle(.reset)
    #expect(run.snapshot.step == 0 && run.snapshot.losses.isEmpty)
    #expect(run.snapshot.generation == 1)
    #expect(run.snapshot.learningRate == 0.1)
    run.handle(.step(12))
    drain(&run)
    #expect(run.snapshot.losses == first.losses)
    #expect(run.trainer.network.parameters == weights)
  }

  @Test func learningRateAndOptimiserChangeBetweenSteps() throws {
    var run = try halvesRun()
    run.handle(.step(2))
    drain(&run)
    run.handle(.setLearningRate(0.01))
    run.handle(.setOptimizer(.adam))
    #expect(run.snapshot.learningRate == 0.01)
    #expect(run.snapshot.optimizer == .adam)
    #expect(run.trainer.optimizer == .adam(learningRate: 0.01))
    #expect(run.trainer.optimizer.learningRate == 0.01)
    run.handle(.setLearningRate(-1))
    run.handle(.setLearningRate(.nan))
    #expect(run.trainer.optimizer.learningRate == 0.01)
    run.handle(.setOptimizer(.sgd))
    #expect(run.trainer.optimizer == .sgd(learningRate: 0.01))
  }

  @Test func anExplodingLossStopsWithAnExplanation() throws {
    var run = try halvesRun(learningRate: 1e6, startPaused: false)
    drain(&run)
    guard case .failed(let reason) = run.snapshot.state else {
      Issue.record("expected a failure, got \(run.snapshot.state) after \(run.snapshot.step) steps")
      return
    }
    #expect(reason.contains("learning rate 1000000"))
    #expect(reason.contains("Lower the learning rate"))
    #expect(reason.contains("at step \(run.snapshot.step + 1)"))
    #expect(run.snapshot.losses.allSatisfy { $0.isFinite })
    #expect(!run.wantsToRun)
  }

  @Test func snapshotsCarryKernelCopiesAndABoundedCurve() throws {
    var run = try halvesRun(epochs: 10, startPaused: false)
    drain(&run)
    let s = run.snapshot
    #expect(s.kernels.count == 1)
    #expect(s.kernels.first?.weights.shape == [2, 1, 3, 3])
    #expect(s.kernels.first?.weights == run.trainer.network.parameters[0].value)
    #expect(s.losses.count == 50 && s.curveStart == 30)
  }

  @Test func inspectionShowsEveryLayerAndTheWorstMistakes() throws {
    var run = try halvesRun(learningRate: 0.1)
    run.handle(.step(3))
    drain(&run)
    run.handle(.inspect(example: 5))
    guard let inspection = run.snapshot.inspection else {
      Issue.record("no inspection")
      return
    }
    #expect(inspection.step == 3 && inspection.example == 5)
    #expect(inspection.activations.map(\.output.shape) == [[2, 3, 4], [2, 1, 2], [4], [2]])
    #expect(abs(inspection.probabilities.reduce(0, +) - 1) < 1e-5)
    #expect(inspection.confusion.flatMap { $0 }.reduce(0, +) == 32)
    let wrong = inspection.confusion[0][1] + inspection.confusion[1][0]
    #expect(inspection.worst.count == min(3, wrong))
    #expect(zip(inspection.worst, inspection.worst.dropFirst()).allSatisfy { $0.loss >= $1.loss })
    #expect(inspection.worst.allSatisfy { $0.label != $0.predicted })
  }
}

@Suite struct TrainingSessionTests {
  func session(startPaused: Bool = true, learningRate: Float = 0.1) throws -> TrainingSession {
    let run = try halvesRun(learningRate: learningRate)
    return try TrainingSession(
      configuration: run.configuration, training: run.training, validation: run.validation,
      startPaused: startPaused)
  }

  @Test func stepsOnTheThreadMatchTheSameStepsDrivenDirectly() throws {
    let s = try session()
    defer { s.stop() }
    s.send(.step(7))
    #expect(s.waitUntil(timeout: 20) { $0.step == 7 })
    var direct = try halvesRun()
    direct.handle(.step(7))
    drain(&direct)
    #expect(s.snapshot.losses == direct.snapshot.losses)
    #expect(s.snapshot.kernels == direct.snapshot.kernels)
    #expect(s.snapshot.state == .paused)
  }

  @Test func pauseResumeResetAndStop() throws {
    let s = try session()
    s.send(.resume)
    #expect(s.waitUntil(timeout: 20) { $0.step >= 8 })
    s.send(.pause)
    #expect(s.waitUntil(timeout: 20) { $0.state == .paused })
    let paused = s.snapshot.step
    s.send(.inspect(example: 0))  // a round trip through the inbox: the pause has been applied
    #expect(s.waitUntil(timeout: 20) { $0.inspection != nil })
    #expect(s.snapshot.step == paused)
    s.send(.reset)
    #expect(s.waitUntil(timeout: 20) { $0.generation == 1 && $0.step == 0 })
    #expect(s.stop())
    #expect(s.hasStopped)
    #expect(s.snapshot.state == .finished)
  }

  @Test func givingWayHoldsTheStepsButNotTheCommands() throws {
    let s = try session()
    defer { s.stop() }
    s.giveWay(milliseconds: 600_000)
    s.send(.resume)
    s.send(.inspect(example: 0))  // applied while held: the inbox is not held
    #expect(s.waitUntil(timeout: 20) { $0.inspection != nil })
    #expect(s.snapshot.state == .running)
    Thread.sleep(forTimeInterval: 0.05)
    #expect(s.snapshot.step == 0)
    s.giveWay(milliseconds: 0)
    #expect(s.waitUntil(timeout: 20) { $0.step >= 8 })
  }

  @Test func aNaNLossFailsTheSessionInsteadOfTrainingOn() throws {
    let s = try session(startPaused: false, learningRate: 1e6)
    defer { s.stop() }
    #expect(
      s.waitUntil(timeout: 20) {
        if case .failed = $0.state { return true }
        return false
      })
  }
}
