import CNNLabEngine
import Testing

/// A small seeded task: bright left half (class 0) or bright right half (class 1), with noise.
func halvesDataset(count: Int, seed: UInt64) -> LabelledSet {
  var rng = SplitMix64(seed: seed)
  var scalars: [Float] = []
  var labels: [Int] = []
  for i in 0..<count {
    let label = i % 2
    for _ in 0..<5 {
      for x in 0..<6 {
        let bright = (x < 3) == (label == 0)
        scalars.append((bright ? 1 : 0) + rng.nextFloat(in: -0.3..<0.3))
      }
    }
    labels.append(label)
  }
  return LabelledSet(inputs: Tensor(shape: [count, 1, 5, 6], scalars: scalars), labels: labels, classCount: 2)
}

func trainHalves(seed: UInt64, optimizer: OptimizerKind = .momentum, steps: Int = 40) throws -> (
  losses: [Float], trainer: Trainer
) {
  let net = try Network("conv 2 3x3 relu | maxpool 2 | dense 2", inputShape: [1, 5, 6], seed: seed)
  var trainer = Trainer(
    network: net, optimizer: optimizer.make(learningRate: [.adam, .rmsprop].contains(optimizer) ? 0.01 : 0.1),
    training: halvesDataset(count: 64, seed: 3), batchSize: 8, seed: seed)
  var losses: [Float] = []
  for _ in 0..<steps { losses.append(trainer.step().loss) }
  return (losses, trainer)
}

@Suite struct TrainingTests {
  @Test(arguments: OptimizerKind.allCases)
  func seededLossFalls(optimizer: OptimizerKind) throws {
    let (losses, trainer) = try trainHalves(seed: 11, optimizer: optimizer, steps: 80)
    let first = losses.prefix(8).reduce(0, +) / 8
    let last = losses.suffix(8).reduce(0, +) / 8
    #expect(last < first * 0.5, "loss went from \(first) to \(last)")
    var net = trainer.network
    #expect(net.evaluate(halvesDataset(count: 32, seed: 99)).accuracy >= 0.9)
  }

  @Test func sameSeedGivesABitIdenticalRun() throws {
    let a = try trainHalves(seed: 5)
    let b = try trainHalves(seed: 5)
    #expect(a.losses == b.losses)
    #expect(a.trainer.network.parameters == b.trainer.network.parameters)
    let c = try trainHalves(seed: 6)
    #expect(c.losses != a.losses)
  }

  /// Evaluation runs on the fast path (the trainer's own, or one compiled for it); it must score
  /// exactly as the layers' own forward pass does.
  @Test func fastEvaluationMatchesTheLayersForwardPass() throws {
    let (_, trainer) = try trainHalves(seed: 4, steps: 1)  // barely trained: some answers wrong
    let set = halvesDataset(count: 300, seed: 21)  // two batches of 256
    var network = trainer.network
    let reference = Evaluation(scoring: set) { network.forward($0) }
    #expect(reference.correct > 0 && reference.correct < 300, "\(reference.correct) right")
    for fast in [trainer.evaluate(set), network.evaluate(set), network.evaluate(set, threads: 2)] {
      #expect(fast.correct == reference.correct)
      #expect(fast.confusion == reference.confusion)
      #expect(abs(fast.loss - reference.loss) <= 1e-5 * max(1, reference.loss))
    }
  }

  /// The weights live only in the fast executor: `network` builds the layers anew from the
  /// plan and fills them from it, so it reads the starting weights before any step (not those
  /// the rebuild drew), the trained ones after, and the same on every read.
  @Test func networkReadsTheWeightsFromTheFastExecutor() throws {
    let start = try Network(
      "conv 2 3x3 relu | maxpool 2 | dense 2", inputShape: [1, 5, 6], initializer: .he, seed: 7)
    var trainer = Trainer(
      network: start, optimizer: .sgd(learningRate: 0.1), training: halvesDataset(count: 16, seed: 3),
      batchSize: 8, seed: 1)
    #expect(trainer.network.parameters.map(\.value) == start.parameters.map(\.value))
    _ = trainer.step()
    let trained = trainer.network
    #expect(trained.parameters[0].value != start.parameters[0].value)
    #expect(trainer.kernels.map(\.weights) == [trained.parameters[0].value])
    #expect(trainer.kernels.map(\.layer) == [0])
    #expect(trainer.network.parameters == trained.parameters)
  }

  @Test func epochsAdvanceAfterEveryBatch() throws {
    let (_, trainer) = try trainHalves(seed: 1, steps: 17)
    #expect(trainer.stepsPerEpoch == 8)
    #expect(trainer.epoch == 2 && trainer.stepInEpoch == 1)
  }
}
