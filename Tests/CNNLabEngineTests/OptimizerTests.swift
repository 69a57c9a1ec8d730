import CNNLabEngine
import CNNLabTestSupport
import Testing

// Every rule of the one optimiser against two steps worked by hand: a weight w₀ = 1 with
// gradient 2 and then −1, learning rate 0.1. (The mnist-small fixture checks SGD with momentum
// and Adam against PyTorch on a real network.)

/// The weight after each of the two steps of `optimizer`.
private func twoSteps(_ optimizer: Optimizer) -> [Float] {
  var value: [Float] = [1]
  var moment1: [Float] = [0]
  var moment2: [Float] = [0]
  var after: [Float] = []
  for (step, gradient) in [Float(2), -1].enumerated() {
    value.withMutableStart { v in
      [gradient].withStart { g in
        moment1.withMutableStart { m1 in
          moment2.withMutableStart { m2 in
            optimizer.update(
              step: step + 1, values: v, gradients: g, moment1: optimizer.moments >= 1 ? m1 : nil,
              moment2: optimizer.moments >= 2 ? m2 : nil, count: 1)
          }
        }
      }
    }
    after.append(value[0])
  }
  return after
}

@Suite struct OptimizerTests {
  @Test func sgdStepsAgainstTheGradient() {
    // w₁ = 1 − 0.1·2 = 0.8; w₂ = 0.8 − 0.1·(−1) = 0.9.
    expectClose(twoSteps(.sgd(learningRate: 0.1)), [0.8, 0.9], relativeTolerance: 1e-6)
  }

  @Test func momentumStartsFromTheGradient() {
    // v₁ = 2, w₁ = 0.8; v₂ = 0.9·2 − 1 = 0.8, w₂ = 0.8 − 0.08 = 0.72.
    expectClose(
      twoSteps(.sgd(learningRate: 0.1, momentum: 0.9)), [0.8, 0.72], relativeTolerance: 1e-6)
  }

  @Test func rmspropDividesByTheRootMeanSquare() {
    // α = 0.5, ε = 0: s₁ = 0.5·2² = 2, w₁ = 1 − 0.1·2/√2 = 0.8585786;
    // s₂ = 0.5·2 + 0.5·(−1)² = 1.5, w₂ = w₁ + 0.1/√1.5 = 0.9402283.
    expectClose(
      twoSteps(.rmsprop(learningRate: 0.1, alpha: 0.5, epsilon: 0)), [0.8585786, 0.9402283],
      relativeTolerance: 1e-6)
    // PyTorch's defaults, α = 0.99, ε = 1e-8: s₁ = 0.01·4 = 0.04, w₁ = 1 − 0.1·2/(0.2 + 1e-8)
    // = 5e-8 (the first step is 10 times the learning rate); s₂ = 0.99·0.04 + 0.01 = 0.0496,
    // w₂ = w₁ + 0.1/√0.0496 = 0.4490133. w₁ is 1 − 1 in fp32, so it is judged on the scale of
    // w₀ (a few float spacings of 1).
    expectClose(
      twoSteps(.rmsprop(learningRate: 0.1)), [5e-8, 0.4490133], relativeTolerance: 1e-6,
      absoluteTolerance: 1e-6)
  }

  @Test func adamCorrectsItsMomentsForTheirStart() {
    // m₁ = 0.2, v₁ = 0.004; m̂ = 2, v̂ = 4: w₁ = 1 − 0.1·2/2 = 0.9.
    // m₂ = 0.18 − 0.1 = 0.08, v₂ = 0.003996 + 0.001 = 0.004996; m̂ = 0.08/0.19, v̂ = 0.004996/0.001999:
    // w₂ = 0.9 − 0.1·0.4210526/1.5808998 = 0.8733663.
    expectClose(twoSteps(.adam(learningRate: 0.1)), [0.9, 0.8733663], relativeTolerance: 1e-6)
  }

  @Test func everyKindHasItsRule() {
    #expect(OptimizerKind.sgd.make(learningRate: 0.1) == .sgd(learningRate: 0.1))
    #expect(OptimizerKind.momentum.make(learningRate: 0.1) == .sgd(learningRate: 0.1, momentum: 0.9))
    #expect(OptimizerKind.adam.make(learningRate: 0.1) == .adam(learningRate: 0.1))
    #expect(OptimizerKind.rmsprop.make(learningRate: 0.1) == .rmsprop(learningRate: 0.1))
    #expect(OptimizerKind(rawValue: "rmsprop") == .rmsprop)
  }
}

/// A parameter frozen while the others train keeps its own step count: when it thaws, Adam's
/// bias correction starts at step 1 for it, as PyTorch's `state['step']` does per parameter.
/// Adam's first step moves every weight by the learning rate (m̂/√v̂ = g/|g|); counted from the
/// network's 11th step instead, it would move them by 0.48 of it.
@Suite struct FrozenOptimizerStateTests {
  @Test func aThawedParameterStartsItsOwnBiasCorrection() throws {
    let network = try Network("dense 3", inputShape: [1, 2, 2], seed: 3)
    let fast = try FastNetwork(network: network, threads: 1, trainingBatch: 4)
    var rng = SplitMix64(seed: 9)
    let images = Tensor.random(shape: [4, 1, 2, 2], using: &rng)
    let labels = [0, 1, 2, 1]
    let adam = Optimizer.adam(learningRate: 0.01)
    for _ in 0..<10 {  // the weights (parameter 0) frozen, the bias trains
      fast.zeroGradients()
      fast.accumulateGradients(images: images, labels: labels)
      fast.update(adam, frozen: 0..<1)
    }
    let before = fast.parameters[0].values
    fast.zeroGradients()
    fast.accumulateGradients(images: images, labels: labels)
    let gradients = fast.parameters[0].gradients
    fast.update(adam)
    for (i, (w0, w1)) in zip(before, fast.parameters[0].values).enumerated() where abs(gradients[i]) > 1e-4 {
      #expect(abs(abs(w1 - w0) - 0.01) < 1e-4, "weight \(i) moved \(w1 - w0)")
    }
  }
}
