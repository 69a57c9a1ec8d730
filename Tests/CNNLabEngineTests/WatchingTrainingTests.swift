import CNNLabEngine
import CNNLabTraining
import Foundation
import Testing

/// A run of exactly `epochs` x 10 steps on the halves task (80 examples, batches of 8).
func tenStepEpochs(_ epochs: Int, pace: TrainingPace = .max, startPaused: Bool = false) throws
  -> (TrainingConfiguration, LabelledSet, LabelledSet)
{
  let config = TrainingConfiguration(
    spec: try NetworkSpec.parse("conv 2 3x3 relu | maxpool 2 | dense 2"), inputShape: [1, 5, 6],
    optimizer: .momentum, learningRate: 0.1, batchSize: 8, seed: 5, epochs: epochs, stepsPerSnapshot: 4,
    pace: pace)
  return (config, halvesDataset(count: 80, seed: 3), halvesDataset(count: 32, seed: 99))
}

/// Trains a session at `pace` to the end and returns its final parameters and the wall seconds.
func pacedParameters(epochs: Int, pace: TrainingPace) throws -> (parameters: [Parameter], seconds: Double) {
  let (config, training, validation) = try tenStepEpochs(epochs, pace: pace)
  let start = Date()
  let session = try TrainingSession(configuration: config, training: training, validation: validation)
  #expect(session.waitUntil(timeout: 120) { $0.state == .finished })
  let seconds = Date().timeIntervalSince(start)
  #expect(session.stop())
  let run = try #require(session.finalRun)
  #expect(run.snapshot.step == epochs * 10)
  return (run.trainer.network.parameters, seconds)
}

@Suite struct TrainingPaceTests {
  @Test func theLadderGoesUpAndDownAndReadsArguments() {
    #expect(TrainingPace.ladder.map(\.description) == [
      "1 step/s", "3 steps/s", "10 steps/s", "30 steps/s", "100 steps/s", "300 steps/s", "max",
    ])
    #expect(TrainingPace.stepsPerSecond(30).faster == .stepsPerSecond(100))
    #expect(TrainingPace.stepsPerSecond(30).slower == .stepsPerSecond(10))
    #expect(TrainingPace.stepsPerSecond(50).faster == .stepsPerSecond(100))
    #expect(TrainingPace.stepsPerSecond(50).slower == .stepsPerSecond(30))
    #expect(TrainingPace.max.faster == .max)
    #expect(TrainingPace.max.slower == .stepsPerSecond(300))
    #expect(TrainingPace.stepsPerSecond(1).slower == .stepsPerSecond(1))
    #expect(TrainingPace(argument: "max") == .max)
    #expect(TrainingPace(argument: "7") == .stepsPerSecond(7))
    for bad in ["0", "-3", "fast", "1.5", "100001"] { #expect(TrainingPace(argument: bad) == nil) }
  }

  /// The default paces: 625 steps of X/O over at least 20 s is 30 steps/s (21 s); mnist's
  /// 127-step first epoch over at least 20 s is 3 steps/s (42 s).
  @Test func theWatchablePaceIsTheFastestRungThatLastsLongEnough() {
    #expect(TrainingPace.watchable(steps: 625, seconds: 20) == .stepsPerSecond(30))
    #expect(TrainingPace.watchable(steps: 127, seconds: 20) == .stepsPerSecond(3))
    #expect(TrainingPace.watchable(steps: 1688, seconds: 20) == .stepsPerSecond(30))
    #expect(TrainingPace.watchable(steps: 5, seconds: 20) == .stepsPerSecond(1))
  }

  /// Pace spaces steps out and changes nothing else: the same seed gives bit-identical weights
  /// after 20 steps at 1 step/s (which takes about 20 s), 30 steps/s and full speed, and after
  /// 60 steps at 30 steps/s and full speed; and a paced run does take its time.
  @Test func theSameSeedGivesTheSameWeightsAtEveryPace() async throws {
    async let slow = pacedParameters(epochs: 2, pace: .stepsPerSecond(1))
    async let medium = pacedParameters(epochs: 2, pace: .stepsPerSecond(30))
    async let longer = pacedParameters(epochs: 6, pace: .stepsPerSecond(30))
    let fast = try pacedParameters(epochs: 2, pace: .max)
    let fastLonger = try pacedParameters(epochs: 6, pace: .max)
    var headless = try { () throws -> TrainingRun in
      let (config, training, validation) = try tenStepEpochs(2)
      return try TrainingRun(configuration: config, training: training, validation: validation)
    }()
    drain(&headless)
    let (slowRun, mediumRun, longerRun) = try await (slow, medium, longer)
    #expect(fast.parameters == headless.trainer.network.parameters)
    #expect(slowRun.parameters == fast.parameters)
    #expect(mediumRun.parameters == fast.parameters)
    #expect(longerRun.parameters == fastLonger.parameters)
    #expect(longerRun.parameters != fast.parameters)
    // 20 steps at 1 step/s: the first at once, the last 19 s later; 60 at 30 steps/s: 2 s.
    #expect(slowRun.seconds >= 18.5)
    #expect(longerRun.seconds >= 1.9)
    #expect(fast.seconds < 10)
  }

  @Test func aPaceChangeShowsInTheSnapshot() throws {
    let (config, training, validation) = try tenStepEpochs(1, pace: .stepsPerSecond(3), startPaused: true)
    var run = try TrainingRun(configuration: config, training: training, validation: validation, startPaused: true)
    #expect(run.snapshot.pace == .stepsPerSecond(3))
    run.handle(.setPace(.max))
    #expect(run.snapshot.pace == .max)
    run.handle(.reset)
    #expect(run.snapshot.pace == .max)  // a reset keeps the learner's pace
  }
}

@Suite struct CurveHistoryTests {
  @Test func everyStepHasABucketUntilTheHistoryFills() {
    var history = CurveHistory()
    for i in 1...10 { history.append(loss: Float(i), accuracy: 0.5) }
    #expect(history.buckets.count == 10)
    #expect(history.stepsPerBucket == 1)
    let fourth = history.buckets[3]
    #expect(fourth.firstStep == 4 && fourth.count == 1)
    #expect(fourth.loss.min == 4 && fourth.loss.max == 4 && fourth.loss.sum == 4 && fourth.accuracy.sum == 0.5)
  }

  /// 3,000 steps in at most 1,024 buckets: 4 steps each, the spike at step 1,234 kept as its
  /// bucket's maximum, and the sums still the sums of every step.
  @Test func aLongRunMergesNeighboursAndKeepsSpikes() {
    var history = CurveHistory()
    for i in 1...3000 { history.append(loss: i == 1234 ? 99 : 1, accuracy: Float(i % 2)) }
    #expect(history.steps == 3000)
    #expect(history.stepsPerBucket == 4)
    #expect(history.buckets.count == 750)
    #expect(history.buckets.allSatisfy { $0.count == 4 })
    #expect(history.buckets.map(\.firstStep) == Array(stride(from: 1, through: 2997, by: 4)))
    let spike = history.buckets[(1234 - 1) / 4]
    #expect(spike.firstStep == 1233 && spike.loss.max == 99 && spike.loss.min == 1)
    #expect(history.buckets.map(\.loss.sum).reduce(0, +) == 2999 + 99)
    #expect(history.buckets.map(\.accuracy.sum).reduce(0, +) == 1500)
  }

  @Test func aRunRecordsEveryStepFromStepOne() throws {
    var run = try halvesRun()
    run.handle(.step(600))
    drain(&run)
    #expect(run.snapshot.history.steps == 600)
    #expect(run.snapshot.history.buckets.first?.firstStep == 1)
    #expect(run.snapshot.losses.count == 50)  // the recent losses stay bounded
  }
}

@Suite struct ParameterTimelineTests {
  @Test func keepsEveryStepThenThinsToEvenlySpacedSteps() {
    var timeline = ParameterTimeline(parameterCount: 10)
    #expect(timeline.capacity == 512)
    for step in 0...2500 { timeline.record(step: step, values: [[Float(step)]]) }
    // 2,500 steps: thinned three times, to every 8th step.
    #expect(timeline.stride == 8)
    #expect(timeline.steps == Array(stride(from: 0, through: 2496, by: 8)))
    #expect(timeline.values(at: 1600) == [[1600]])
    #expect(timeline.values(at: 1601) == nil)
  }

  @Test func theFirstStepsAreAllKept() {
    var timeline = ParameterTimeline(parameterCount: 10)
    for step in 0...300 { timeline.record(step: step, values: [[Float(step)]]) }
    #expect(timeline.steps == Array(0...300))
  }

  /// The budget: 64 MiB over the bytes of one copy of the parameters, 512 at most, 2 at least.
  @Test func theCapacityKeepsToTheMemoryBudget() {
    #expect(ParameterTimeline(parameterCount: 11_274).capacity == 512)  // mnist-small: 23 MiB
    #expect(ParameterTimeline(parameterCount: 3_274_634).capacity == 5)  // 12.5 MiB each
    #expect(ParameterTimeline(parameterCount: 100_000_000).capacity == 2)
    var big = ParameterTimeline(parameterCount: 100_000_000)
    for step in 0...100 { big.record(step: step, values: [[Float(step)]]) }
    #expect(big.entries.count <= 2 && big.steps.first == 0)
  }

  /// Viewing an earlier step shows its kernels and probes the network as it was; resuming goes
  /// back to the newest step.
  @Test func viewingAnEarlierStepShowsTheNetworkAsItWas() throws {
    var run = try halvesRun()
    let start = run.snapshot.kernels
    let image = halvesDataset(count: 1, seed: 5).inputs.slice(0)
    let probeAtStart = try #require(run.probe(image, id: 1))
    run.handle(.step(30))
    drain(&run)
    #expect(run.snapshot.timeline == Array(0...30))
    #expect(run.snapshot.kernels != start)
    run.handle(.view(step: 0))
    #expect(run.snapshot.viewed?.step == 0)
    #expect(run.snapshot.viewed?.kernels == start)
    let probe = try #require(run.probe(image, id: 2))
    #expect(probe.step == 0)
    #expect(probe.probabilities == probeAtStart.probabilities)
    #expect(run.inspect(example: 0).step == 0)
    run.handle(.view(step: 12))
    #expect(run.snapshot.viewed?.step == 12)
    run.handle(.resume)
    #expect(run.snapshot.viewed == nil)
    #expect(run.probe(image, id: 3)?.step == 30)
  }

  @Test func aRunningRunIgnoresView() throws {
    var run = try halvesRun(startPaused: false)
    run.advance()
    run.handle(.view(step: 0))
    #expect(run.snapshot.viewed == nil)
  }
}
