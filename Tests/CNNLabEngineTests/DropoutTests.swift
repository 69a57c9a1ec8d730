@testable import CNNLabEngine
import CNNLabTestSupport
import Testing

// Dropout as PyTorch's `nn.Dropout(p)`: the spec, evaluation (the identity), training (the
// inverted, scaled mask), its gradient with the mask fixed, the fast executor against the
// reference, and the same run on any thread count.

/// The spec's 1-based column of an error, and its message, for `text`.
private func specError(_ text: String) -> NetworkSpec.ParseError? {
  do {
    _ = try NetworkSpec.parse(text)
    return nil
  } catch {
    return error
  }
}

/// A batch of `n` random examples of `shape`, values in −1..<1, none near zero (so a dropped
/// value is told from a kept one by its value alone).
private func batch(_ n: Int, _ shape: [Int], seed: UInt64) -> Tensor {
  var rng = SplitMix64(seed: seed)
  return Tensor.random(shape: [n] + shape, in: 0.5..<1.5, using: &rng)
}

@Suite struct DropoutTests {
  @Test func theSpecReadsAProbability() throws {
    let spec = try NetworkSpec.parse("dense 8 relu | dropout 0.2 | dense 3")
    #expect(spec.layers[1] == .dropout(0.2))
    #expect(spec.items[1].column == 16)
    #expect(try NetworkSpec.parse("dropout 0").layers == [.dropout(0)])
    let plan = try Network.plan(spec: spec, inputShape: [1, 4, 4])
    let row = try #require(plan.first { $0.text == "dropout 0.2" })
    #expect(row.inputShape == [8] && row.outputShape == [8])
    #expect(row.parameterCount == 0)
  }

  /// Each bad probability is refused at its own column, with what to write instead.
  @Test(arguments: [
    ("dense 8 | dropout 1", 19, "found '1'"),
    ("dense 8 | dropout -0.1", 19, "found '-0.1'"),
    ("dense 8 | dropout nan", 19, "found 'nan'"),
    ("dense 8 | dropout inf", 19, "found 'inf'"),
    ("dense 8 | dropout 1.5", 19, "found '1.5'"),
    ("dense 8 | dropout 0.99999999", 19, "found '0.99999999'"),
    ("dense 8 | dropout half", 19, "found 'half'"),
    ("dense 8 | dropout", 18, "expected a drop probability"),
    ("dense 8 | dropout 0.2 0.3", 23, "takes no options"),
  ])
  func badProbabilitiesAreRefusedAtTheirColumn(text: String, column: Int, message: String) throws {
    let error = try #require(specError(text))
    #expect(error.column == column, "\(error)")
    #expect(error.message.contains(message), "\(error)")
    if message.hasPrefix("found") {
      #expect(error.message.contains("from 0 up to (not including) 1, as in 'dropout 0.2'"))
    }
  }

  @Test func evaluationIsTheIdentity() throws {
    var network = try Network("dense 6 relu | dropout 0.5 | dense 3", inputShape: [4], seed: 1)
    let x = batch(5, [4], seed: 2)
    var plain = try Network("dense 6 relu | dense 3", inputShape: [4], seed: 1)
    #expect(network.forward(x) == plain.forward(x))  // a dropout layer has no weights to draw
    var layer = Dropout(0.5)
    #expect(layer.forward(x) == x)
    #expect(layer.backward(x) == x)
    // Training, then back to evaluation: the identity again.
    network.setTraining(true, maskSeed: 3)
    #expect(network.forward(x) != plain.forward(x))
    network.setTraining(false)
    #expect(network.forward(x) == plain.forward(x))
  }

  /// Over many values, about p of them are dropped, the kept ones are scaled by 1/(1 − p), and
  /// the mean is kept.
  @Test(arguments: [0.2, 0.5, 0.8])
  func trainingDropsAboutPAndKeepsTheMean(p: Double) {
    var layer = Dropout(p)
    layer.setTraining(true, maskSeed: 9)
    let n = 40_000
    let x = Tensor(shape: [n / 100, 100], scalars: [Float](repeating: 1, count: n))
    let y = layer.forward(x)
    let scale = 1 / (1 - Float(p))
    #expect(y.scalars.allSatisfy { $0 == 0 || $0 == scale })
    let dropped = Double(y.scalars.filter { $0 == 0 }.count) / Double(n)
    // The count of drops is binomial: its standard deviation is √(p(1−p)/n) ≤ 0.0025.
    #expect(abs(dropped - p) < 0.01, "dropped \(dropped), p = \(p)")
    let mean = Double(y.scalars.reduce(0, +)) / Double(n)
    #expect(abs(mean - 1) < 0.05, "mean \(mean)")
    // A second pass draws a new mask.
    #expect(layer.forward(x) != y)
  }

  @Test func probabilityZeroKeepsEverything() {
    var layer = Dropout(0)
    layer.setTraining(true, maskSeed: 1)
    let x = batch(3, [7], seed: 4)
    #expect(layer.forward(x) == x)
  }

  /// The same seed gives the same masks; another seed other masks.
  @Test func theMaskComesFromTheSeed() {
    let x = batch(4, [50], seed: 5)
    func masked(_ seed: UInt64) -> Tensor {
      var layer = Dropout(0.3)
      layer.setTraining(true, maskSeed: seed)
      return layer.forward(x)
    }
    #expect(masked(7) == masked(7))
    #expect(masked(7) != masked(8))
  }

  /// Two dropout layers of one network draw masks of their own, not one mask shifted: the
  /// seeds used to differ by SplitMix64's own increment, which made layer 5 drop unit j exactly
  /// when layer 3 dropped unit j + 2.
  @Test func eachLayerDrawsItsOwnMask() {
    func mask(layer: Int) -> [Float] {
      var generator = SplitMix64(seed: Dropout.maskSeed(1, layer: layer))
      var values = [Float](repeating: 0, count: 64)
      values.withUnsafeMutableBufferPointer {
        Dropout.drawMask($0.baseAddress!, count: 64, probability: 0.5, using: &generator)
      }
      return values
    }
    let (a, b) = (mask(layer: 3), mask(layer: 5))
    for shift in 0..<8 {
      let same = (0..<(64 - shift)).filter { a[$0 + shift] == b[$0] }.count
      #expect(same < 64 - shift - 8, "layer 5 is layer 3's mask shifted by \(shift)")
      let other = (0..<(64 - shift)).filter { b[$0 + shift] == a[$0] }.count
      #expect(other < 64 - shift - 8, "layer 3 is layer 5's mask shifted by \(shift)")
    }
  }

  /// The gradient through dropout with the mask fixed: a copy of the layer draws the same mask,
  /// so the central differences of the loss see the same mask as the backward pass.
  @Test func backwardMatchesNumericalGradientWithTheMaskFixed() throws {
    var network = try Network("dense 7 tanh | dropout 0.4 | dense 3", inputShape: [5], seed: 3)
    network.setTraining(true, maskSeed: 21)
    let x = batch(3, [5], seed: 6)
    let labels = [0, 2, 1]
    func loss(_ candidate: Network, _ input: Tensor) -> Double {
      var copy = candidate
      return Double(SoftmaxCrossEntropy.evaluate(logits: copy.forward(input), labels: labels).loss)
    }
    var analytic = network
    let (_, dLogits) = SoftmaxCrossEntropy.evaluate(logits: analytic.forward(x), labels: labels)
    analytic.zeroGradients()
    let dInput = analytic.backward(dLogits)
    let numeric = numericalGradient(at: x, step: 1e-2) { loss(network, $0) }
    #expect(numeric.scalars.contains { abs($0) > 1e-3 }, "a check of zeros proves nothing")
    expectClose(dInput, numeric, relativeTolerance: 2e-2, absoluteTolerance: 2e-4, "dInput")
    let first = analytic.parameters[0]
    let numericWeights = numericalGradient(at: network.parameters[0].value, step: 1e-2) { value in
      var probe = network
      probe.updateParameters { index, p in if index == 0 { p.value = value } }
      return loss(probe, x)
    }
    expectClose(first.grad, numericWeights, relativeTolerance: 2e-2, absoluteTolerance: 2e-4, "weights")
    // The mask really dropped something: the same mask, drawn again, zeroes some hidden values.
    var probe = network
    #expect(probe.activations(x)[1].scalars.contains(0))
  }

  /// The fast executor draws the reference's masks for the same seed: the same loss, logits and
  /// gradients over three training steps, on one thread and on several.
  @Test(arguments: [1, 2, 3])
  func fastMatchesTheReference(threads: Int) throws {
    let spec = "conv 3 3x3 relu | dropout 0.3 | maxpool 2 | dense 12 relu | dropout 0.5 | dense 4"
    var reference = try Network(spec, inputShape: [1, 8, 8], seed: 4)
    reference.setTraining(true, maskSeed: 77)
    let fast = try FastNetwork(network: reference, threads: threads, trainingBatch: 6, maskSeed: 77)
    fast.minimumLaneWork = 0
    var rng = SplitMix64(seed: 12)
    for step in 0..<3 {
      let images = Tensor.random(shape: [6, 1, 8, 8], using: &rng)
      let labels = (0..<6).map { _ in Int(rng.next() % 4) }
      reference.zeroGradients()
      let logits = reference.forward(images)
      let (loss, dLogits) = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels)
      reference.backward(dLogits)
      fast.zeroGradients()
      let fastLoss = fast.accumulateGradients(images: images, labels: labels)
      let context = Comment(rawValue: "step \(step), \(threads) thread(s)")
      expectRelativelyClose([fastLoss], [loss], context)
      for (p, expected) in zip(fast.parameters, reference.parameters) {
        expectRelativelyClose(p.gradients, expected.grad.scalars, context)
      }
      // The same step on both: plain SGD on the reference's own parameters.
      fast.update(.sgd(learningRate: 0.1))
      reference.updateParameters { _, p in
        for i in p.value.scalars.indices { p.value.scalars[i] -= 0.1 * p.grad.scalars[i] }
      }
    }
    // Inference is the identity on both.
    let images = Tensor.random(shape: [5, 1, 8, 8], using: &rng)
    reference.setTraining(false)
    expectRelativelyClose(fast.logits(images).scalars, reference.forward(images).scalars, "inference")
  }

  /// A training run with dropout: the same seed and thread count give bit-identical weights,
  /// another seed other weights, and other thread counts the same run up to float rounding.
  @Test func threadCountsGiveTheSameRun() throws {
    func run(threads: Int, seed: UInt64) throws -> [[Float]] {
      let network = try Network("dense 16 relu | dropout 0.5 | dense 3", inputShape: [1, 4, 4], seed: 2)
      let fast = try FastNetwork(network: network, threads: threads, trainingBatch: 9, maskSeed: seed)
      fast.minimumLaneWork = 0
      var rng = SplitMix64(seed: 5)
      for _ in 0..<4 {
        let images = Tensor.random(shape: [9, 1, 4, 4], using: &rng)
        let labels = (0..<9).map { _ in Int(rng.next() % 3) }
        fast.zeroGradients()
        fast.accumulateGradients(images: images, labels: labels)
        fast.update(.sgd(learningRate: 0.2))
      }
      return fast.parameters.map(\.values)
    }
    let one = try run(threads: 1, seed: 3)
    #expect(try run(threads: 1, seed: 3) == one)
    #expect(try run(threads: 1, seed: 4) != one)
    for threads in [2, 3, 4] {
      let many = try run(threads: threads, seed: 3)
      #expect(try run(threads: threads, seed: 3) == many)
      for (a, b) in zip(many, one) { expectRelativelyClose(a, b, "\(threads) threads against 1") }
    }
  }

  /// The trainer seeds the masks with its own seed: two trainers with the same seed and
  /// threads give the same weights, whatever else runs between.
  @Test func theTrainerSeedsTheMasks() throws {
    var rng = SplitMix64(seed: 8)
    let set = LabelledSet(
      inputs: Tensor.random(shape: [40, 1, 4, 4], using: &rng),
      labels: (0..<40).map { _ in Int(rng.next() % 3) }, classCount: 3)
    func weights(seed: UInt64, threads: Int) throws -> [[Float]] {
      let network = try Network("dense 16 relu | dropout 0.5 | dense 3", inputShape: [1, 4, 4], seed: 2)
      var trainer = Trainer(
        network: network, optimizer: .sgd(learningRate: 0.1), training: set, batchSize: 10, seed: seed,
        threads: threads)
      for _ in 0..<8 { _ = trainer.step() }
      return trainer.parameterValues
    }
    for threads in [1, 2] {
      #expect(try weights(seed: 1, threads: threads) == weights(seed: 1, threads: threads))
    }
    #expect(try weights(seed: 1, threads: 1) != weights(seed: 2, threads: 1))
  }
}
