@testable import CNNLabEngine
import CNNLabTestSupport
import Testing

// Any number of threads: the same training steps on 1 to 16 lanes (more than this machine has
// cores), with every batch forced to split as far as it can, so each lane count really runs.

/// A few training steps of a small conv net on `threads` threads; every batch is split over
/// `min(threads, batch)` lanes. `parallelReduction` makes the lanes finish the gradients and
/// update the parameters together (by parameter ranges) instead of the calling thread alone.
private func train(
  threads: Int, batch: Int = 19, trainingBatch: Int? = nil, parallelReduction: Bool = true
) throws -> (losses: [Float], weights: [[Float]], gradients: [[Float]], lanes: Int) {
  let network = try Network(
    "conv 6 3x3 pad 1 relu | maxpool 2 | conv 8 3x3 same convolve relu | dense 20 relu | dense 4",
    inputShape: [2, 12, 12], seed: 5)
  let fast = try FastNetwork(network: network, threads: threads, trainingBatch: trainingBatch ?? batch)
  fast.minimumLaneWork = 0
  fast.minimumParallelWork = parallelReduction ? 0 : .max
  var rng = SplitMix64(seed: 11)
  var losses: [Float] = []
  for _ in 0..<3 {
    let images = Tensor.random(shape: [batch, 2, 12, 12], using: &rng)
    let labels = (0..<batch).map { _ in Int(rng.next() % 4) }
    fast.zeroGradients()
    losses.append(fast.accumulateGradients(images: images, labels: labels))
    fast.update(.sgd(learningRate: 0.05, momentum: 0.9))
  }
  return (losses, fast.parameters.map(\.values), fast.parameters.map(\.gradients), fast.lanes(for: batch))
}

/// Equal within float rounding: 1e-5 of the largest magnitude in the array, or 1e-5 relative.
/// Splitting a batch regroups the sums of its images' gradients (float addition is not
/// associative), which moves the last bits; a wrong slice or a lost lane moves whole percents.
private func expectSameWithinRounding(_ actual: [Float], _ expected: [Float], _ comment: Comment) {
  let scale = Double(expected.map { abs($0) }.max() ?? 0)
  expectClose(
    actual, expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-5 * scale + 1e-7, comment)
}

@Suite struct ThreadCountTests {
  @Test(arguments: [2, 3, 4, 8, 16])
  func anyThreadCountTrainsLikeOneThread(threads: Int) throws {
    let one = try train(threads: 1)
    let many = try train(threads: threads)
    #expect(one.lanes == 1)
    #expect(many.lanes == threads)  // batch 19: 16 lanes get one or two images each
    expectSameWithinRounding(many.losses, one.losses, "losses, \(threads) threads against 1")
    for (p, (a, b)) in zip(many.weights, one.weights).enumerated() {
      expectSameWithinRounding(a, b, "parameter \(p), \(threads) threads against 1")
    }
  }

  @Test(arguments: [2, 3, 8, 16])
  func theSameThreadCountTwiceIsBitIdentical(threads: Int) throws {
    let (a, b) = (try train(threads: threads), try train(threads: threads))
    #expect(a.losses == b.losses)
    #expect(a.weights == b.weights)
  }

  @Test(arguments: [2, 3, 8])
  func addingLaneGradientsInParallelChangesNoBit(threads: Int) throws {
    // Every element is summed lane 0 first, then lane 1, … however the ranges are shared out.
    let together = try train(threads: threads, parallelReduction: true)
    let alone = try train(threads: threads, parallelReduction: false)
    #expect(together.gradients == alone.gradients)
    #expect(together.weights == alone.weights)
  }

  @Test func batchesSmallerThanTheThreadCountUseOneLanePerImage() throws {
    let one = try train(threads: 1, batch: 3, trainingBatch: 8)
    let eight = try train(threads: 8, batch: 3, trainingBatch: 8)
    #expect(eight.lanes == 3)
    expectSameWithinRounding(eight.losses, one.losses, "losses, batch 3 on 8 threads")
    for (p, (a, b)) in zip(eight.weights, one.weights).enumerated() {
      expectSameWithinRounding(a, b, "parameter \(p), batch 3 on 8 threads")
    }
  }

  @Test func inferenceSplitsLikeTraining() throws {
    let network = try Network("conv 4 3x3 relu | maxpool 2 | dense 3", inputShape: [1, 10, 10], seed: 2)
    let one = try FastNetwork(network: network, threads: 1, trainingBatch: 0, inferenceBatch: 16)
    var rng = SplitMix64(seed: 4)
    for (threads, count) in [(5, 16), (16, 16), (8, 3), (16, 1)] {
      let many = try FastNetwork(network: network, threads: threads, trainingBatch: 0, inferenceBatch: 16)
      many.minimumLaneWork = 0
      let images = Tensor.random(shape: [count, 1, 10, 10], using: &rng)
      #expect(many.lanes(for: count) == min(threads, count))
      // Nothing is summed across images, but the dense layer's matrix multiply blocks its rows
      // by the slice it gets, which can move the last bit.
      expectSameWithinRounding(
        many.logits(images).scalars, one.logits(images).scalars, "\(count) images, \(threads) threads")
    }
  }

  @Test func smallBatchesStayOnTheCallingThread() throws {
    // mnist-small: forward multiply-adds per image, counted by hand from the shapes:
    // conv 8 5x5 on 1x28x28 (same): 8*28*28*1*25 = 156,800; conv 16 5x5 on 8x14x14 (same):
    // 16*14*14*8*25 = 627,200; dense 784 -> 10: 7,840. Total 791,840.
    let network = try Network(
      "conv 8 5x5 pad 2 relu | maxpool 2 | conv 16 5x5 pad 2 relu | maxpool 2 | dense 10",
      inputShape: [1, 28, 28], seed: 1)
    let fast = try FastNetwork(network: network, threads: 16, trainingBatch: 64)
    // A lane needs 2,000,000 multiply-adds: 2 images are 1.58 M (one lane), 3 are 2.38 M (one),
    // 6 are 4.75 M (two), 64 are 50.7 M (25, capped at 16 threads).
    #expect(fast.lanes(for: 1) == 1)
    #expect(fast.lanes(for: 2) == 1)
    #expect(fast.lanes(for: 3) == 1)
    #expect(fast.lanes(for: 6) == 2)
    #expect(fast.lanes(for: 64) == 16)
    let two = try FastNetwork(network: network, threads: 2, trainingBatch: 64)
    #expect(two.lanes(for: 5) == 1)  // 3.96 M: under two lanes' worth
    #expect(two.lanes(for: 64) == 2)
  }

  @Test func laneSharesCoverTheBatchInOrder() {
    for (total, parts) in [(19, 16), (3, 8), (64, 3), (0, 4), (7, 1)] {
      let shares = (0..<parts).map { laneShare(total, part: $0, of: parts) }
      #expect(shares.first?.lowerBound == 0)
      #expect(shares.last?.upperBound == total)
      for (a, b) in zip(shares, shares.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
      let sizes = shares.map(\.count)
      #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1, "\(total) over \(parts): \(sizes)")
    }
  }
}
