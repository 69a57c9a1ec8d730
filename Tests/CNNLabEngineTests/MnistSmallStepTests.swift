import CNNLabEngine
import CNNLabTestSupport
import Testing

// One training step of mnist-small (the network cnnlab trains on MNIST), against the reference
// fixture: four real MNIST digits, PyTorch-initialised weights, the logits, the loss, every
// gradient, the weights after two SGD-with-momentum steps and after one Adam step.
//
// The fixture is float64 rounded to float32; PyTorch in float32 lands within 1e-6 of it
// relative to each tensor's largest value. Gradients here are sums over thousands of products,
// so they are compared relative to the largest gradient of their tensor.

@Suite struct MnistSmallStepTests {
  static let spec = "conv 8 5x5 pad 2 relu | maxpool 2 | conv 16 5x5 pad 2 relu | maxpool 2 | dense 10"

  /// The network built from the spec and loaded with `parameters` (PyTorch's order and
  /// layouts, which must also be the engine's).
  static func network(_ parameters: MnistStepFixture.Parameters) throws -> Network {
    var network = try Network(spec, inputShape: [1, 28, 28])
    let fixture = parameters.inOrder
    #expect(network.parameters.map(\.value.shape) == fixture.map(\.value.shape))
    try #require(network.parameters.count == fixture.count)
    network.updateParameters { index, parameter in
      parameter.value = fixture[index].value.tensor
    }
    return network
  }

  /// Compares tensors whose values are sums of many terms: the absolute tolerance is a
  /// fraction of the largest expected value.
  static func expectCloseToScale(
    _ actual: Tensor, _ expected: Tensor, fraction: Double, _ comment: Comment,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let scale = Double(expected.scalars.map(abs).max() ?? 0)
    expectClose(
      actual, expected, relativeTolerance: 0, absoluteTolerance: fraction * scale, comment,
      sourceLocation: sourceLocation)
  }

  @Test func specIsTheFixtureNetwork() throws {
    let fixture = try ReferenceFixtures.mnistStep()
    #expect(fixture.network == Self.spec)
    let network = try Network(Self.spec, inputShape: [1, 28, 28])
    #expect(network.outputShape == [10])
    // 16·7·7 = 784 features reach the dense layer.
    #expect(network.info.last?.inputShape == [784])
  }

  @Test func logitsLossAndGradientsMatch() throws {
    let fixture = try ReferenceFixtures.mnistStep()
    var network = try Self.network(fixture.initialParameters)
    let logits = network.forward(fixture.images.tensor)
    expectClose(logits, fixture.logits.tensor, relativeTolerance: 1e-4, absoluteTolerance: 1e-5,
                "logits")
    let (loss, dLogits) = SoftmaxCrossEntropy.evaluate(logits: logits, labels: fixture.labels)
    expectClose(loss, fixture.loss, relativeTolerance: 1e-5, "loss")
    network.zeroGradients()
    network.backward(dLogits)
    for (parameter, expected) in zip(network.parameters, fixture.gradients.inOrder) {
      Self.expectCloseToScale(parameter.grad, expected.value.tensor, fraction: 1e-4,
                              "gradient of \(expected.name)")
    }
  }

  /// One training step of the fixture's batch on the fast executor; returns the loss before it.
  static func step(_ fast: FastNetwork, _ fixture: MnistStepFixture, _ optimizer: Optimizer) -> Float {
    fast.zeroGradients()
    let loss = fast.accumulateGradients(images: fixture.images.tensor, labels: fixture.labels)
    fast.update(optimizer)
    return loss
  }

  @Test func twoStepsOfSGDWithMomentumMatch() throws {
    let fixture = try ReferenceFixtures.mnistStep()
    let network = try Self.network(fixture.initialParameters)
    let fast = try FastNetwork(network: network, threads: 1, trainingBatch: fixture.labels.count)
    let sgd = Optimizer.sgd(learningRate: fixture.sgd.learningRate, momentum: fixture.sgd.momentum)
    let first = Self.step(fast, fixture, sgd)
    let second = Self.step(fast, fixture, sgd)
    expectClose(first, fixture.loss, relativeTolerance: 1e-5, "loss before the first step")
    expectClose(second, fixture.sgd.lossAfterStep1, relativeTolerance: 1e-5,
                "loss before the second step")
    // Compare what the steps changed, so the tolerance is relative to the size of the change.
    let initial = fixture.initialParameters.inOrder
    for (i, expected) in fixture.sgd.parametersAfter.inOrder.enumerated() {
      let after = fast.parameters[i].values
      let change = after.indices.map { after[$0] - initial[i].value.values[$0] }
      let expectedChange = expected.value.values.indices.map {
        expected.value.values[$0] - initial[i].value.values[$0]
      }
      Self.expectCloseToScale(
        Tensor(shape: expected.value.shape, scalars: change),
        Tensor(shape: expected.value.shape, scalars: expectedChange), fraction: 1e-3,
        "change of \(expected.name)")
    }
  }

  @Test func oneAdamStepMatches() throws {
    let fixture = try ReferenceFixtures.mnistStep()
    let network = try Self.network(fixture.initialParameters)
    let fast = try FastNetwork(network: network, threads: 1, trainingBatch: fixture.labels.count)
    let adam = Optimizer.adam(
      learningRate: fixture.adam.learningRate, beta1: fixture.adam.beta1, beta2: fixture.adam.beta2,
      epsilon: fixture.adam.epsilon)
    _ = Self.step(fast, fixture, adam)
    // The first Adam step moves each weight by about lr·sign(g) = ±1e-3, or by 0 where g = 0.
    let initial = fixture.initialParameters.inOrder
    for (i, expected) in fixture.adam.parametersAfter.inOrder.enumerated() {
      let after = fast.parameters[i].values
      let change = after.indices.map { after[$0] - initial[i].value.values[$0] }
      let expectedChange = expected.value.values.indices.map {
        expected.value.values[$0] - initial[i].value.values[$0]
      }
      expectClose(change, expectedChange, relativeTolerance: 0, absoluteTolerance: 2e-6,
                  "change of \(expected.name)")
    }
  }
}
