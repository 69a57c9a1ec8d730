import CNNLabEngine
import CNNLabTestSupport
import Testing

// Every layer's backward pass against central differences of its own forward pass
// (convnetjs's gradient checks). The engine computes in fp32, so the differences use a step of
// 1e-2 and the loss L = Σ forward(x)·G with a random G, summed in Double. For the
// piecewise-linear layers (convolution, pooling, ReLU, dense) the difference quotient is then
// exact up to fp32 rounding, about 1e-4 here, while a wrong gradient is off by 1e-2 or more;
// inputs are kept further than the step from every kink (ReLU at 0, ties in a max window).

/// Checks `layer.backward` against central differences for the input and every parameter.
private func expectGradientsMatchNumerical<L: Layer>(
  _ layer: L, input: Tensor, seed: UInt64 = 7, step: Float = 1e-2,
  relativeTolerance: Double = 1e-2, absoluteTolerance: Double = 2e-3,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  var rng = SplitMix64(seed: seed)
  var analytic = layer
  let output = analytic.forward(input)
  let upstream = Tensor.random(shape: output.shape, using: &rng)
  analytic.zeroGradients()
  let dInput = analytic.backward(upstream)

  func loss(_ candidate: L, _ x: Tensor) -> Double {
    var copy = candidate
    return dot(copy.forward(x), upstream)
  }
  let numericInput = numericalGradient(at: input, step: step) { loss(layer, $0) }
  // A check of zeros against zeros proves nothing.
  #expect(
    numericInput.scalars.contains { abs($0) > 1e-2 }, "the input gradient is all but zero",
    sourceLocation: sourceLocation)
  expectClose(
    dInput, numericInput, relativeTolerance: relativeTolerance,
    absoluteTolerance: absoluteTolerance, "dInput", sourceLocation: sourceLocation)

  for (k, parameter) in analytic.parameters.enumerated() {
    let numeric = numericalGradient(at: layer.parameters[k].value, step: step) { value in
      var probe = layer
      var index = 0
      probe.updateParameters { p in
        if index == k { p.value = value }
        index += 1
      }
      return loss(probe, input)
    }
    expectClose(
      parameter.grad, numeric, relativeTolerance: relativeTolerance,
      absoluteTolerance: absoluteTolerance, "gradient of \(parameter.name)",
      sourceLocation: sourceLocation)
  }
}

/// A batch of `n` random examples of `shape`, values in −1..<1.
private func randomBatch(_ n: Int, _ shape: [Int], seed: UInt64) -> Tensor {
  var rng = SplitMix64(seed: seed)
  return .random(shape: [n] + shape, using: &rng)
}

/// A batch whose values are all different, at least 0.05 apart: no max window holds two values
/// within a step of each other.
private func distinctBatch(_ n: Int, _ shape: [Int], seed: UInt64) -> Tensor {
  var rng = SplitMix64(seed: seed)
  let count = n * shape.reduce(1, *)
  let values = (0..<count).shuffled(using: &rng).map { Float($0 - count / 2) * 0.05 }
  return Tensor(shape: [n] + shape, scalars: values)
}

/// Random values pushed at least 0.05 away from zero, where ReLU bends.
private func awayFromZero(_ t: Tensor) -> Tensor {
  t.map { $0 < 0 ? $0 - 0.05 : $0 + 0.05 }
}

/// One convolution to check: input shape, filters, kernel and options.
struct ConvCheck: Sendable, CustomStringConvertible {
  var name: String
  var input: [Int]  // (C, H, W) of one example
  var filters: Int
  var kernel: (Int, Int)
  var options: ConvOptions
  var activation: Activation = .identity
  var bias = true

  var description: String { name }

  static func options(
    stride: (Int, Int) = (1, 1), dilation: (Int, Int) = (1, 1), padding: Padding = .valid,
    mode: KernelMode = .correlate, normalize: Bool = false
  ) -> ConvOptions {
    var options = ConvOptions(padding: padding, mode: mode, normalize: normalize)
    (options.strideH, options.strideW) = stride
    (options.dilationH, options.dilationW) = dilation
    return options
  }

  static let all: [ConvCheck] = [
    ConvCheck(name: "3x3 valid", input: [1, 5, 5], filters: 2, kernel: (3, 3), options: options()),
    ConvCheck(
      name: "stride 2x1", input: [1, 6, 5], filters: 2, kernel: (3, 3),
      options: options(stride: (2, 1))),
    ConvCheck(
      name: "stride 3, same", input: [2, 7, 8], filters: 2, kernel: (3, 2),
      options: options(stride: (3, 3), padding: .same)),
    ConvCheck(
      name: "same, even kernel (extra zero after)", input: [1, 5, 6], filters: 2, kernel: (2, 4),
      options: options(padding: .same)),
    ConvCheck(
      name: "explicit asymmetric padding", input: [1, 5, 5], filters: 2, kernel: (2, 3),
      options: options(padding: .explicit(top: 1, bottom: 0, left: 2, right: 1))),
    ConvCheck(
      name: "padding wider than the kernel", input: [1, 3, 3], filters: 1, kernel: (2, 2),
      options: options(padding: .uniform(2))),
    ConvCheck(
      name: "dilation 2", input: [2, 7, 7], filters: 2, kernel: (3, 3),
      options: options(dilation: (2, 2), padding: .uniform(1))),
    ConvCheck(
      name: "dilation 2x1, stride 1x2, same", input: [1, 7, 8], filters: 2, kernel: (2, 3),
      options: options(stride: (1, 2), dilation: (2, 1), padding: .same)),
    ConvCheck(
      name: "three channels, three filters", input: [3, 5, 4], filters: 3, kernel: (2, 2),
      options: options(padding: .uniform(1))),
    ConvCheck(
      name: "no bias", input: [2, 5, 5], filters: 2, kernel: (3, 3), options: options(),
      bias: false),
    ConvCheck(
      name: "normalise", input: [2, 5, 5], filters: 2, kernel: (3, 3),
      options: options(normalize: true)),
    ConvCheck(
      name: "convolve, asymmetric kernel, stride and padding", input: [2, 6, 6], filters: 2,
      kernel: (2, 3), options: options(stride: (2, 1), padding: .uniform(1), mode: .convolve)),
    ConvCheck(
      name: "convolve, normalise, same, dilation", input: [1, 6, 7], filters: 2, kernel: (3, 2),
      options: options(dilation: (1, 2), padding: .same, mode: .convolve, normalize: true)),
    ConvCheck(
      name: "with tanh", input: [2, 5, 5], filters: 2, kernel: (3, 3),
      options: options(padding: .uniform(1)), activation: .tanh),
    ConvCheck(
      name: "with sigmoid", input: [1, 5, 5], filters: 2, kernel: (2, 2), options: options(),
      activation: .sigmoid),
  ]
}

@Suite struct GradientCheckTests {
  @Test(arguments: ConvCheck.all)
  func conv2DBackwardMatchesNumericalGradient(_ check: ConvCheck) {
    var rng = SplitMix64(seed: 3)
    var layer = Conv2D(
      inChannels: check.input[0], filters: check.filters, kernelH: check.kernel.0,
      kernelW: check.kernel.1, options: check.options, activation: check.activation,
      useBias: check.bias, using: &rng)
    // Weights of size ~1, so that gradients are of size ~1 too.
    layer.weights.value = Tensor.random(shape: layer.weights.value.shape, using: &rng)
    expectGradientsMatchNumerical(layer, input: randomBatch(2, check.input, seed: 11))
  }

  @Test func conv2DWithReLUMatchesNumericalGradient() throws {
    // Find weights whose pre-activations all stay clear of zero by more than a step can move
    // them (0.01: every input, weight and bias is below 1 in size), so the differences never
    // cross the kink: the margin is checked, not hoped for.
    let input = randomBatch(2, [1, 4, 4], seed: 11)
    var chosen: Conv2D?
    for seed in UInt64(1)...200 {
      var rng = SplitMix64(seed: seed)
      var layer = Conv2D(
        inChannels: 1, filters: 2, kernelH: 3, kernelW: 3, options: ConvOptions(padding: .uniform(1)),
        activation: .relu, using: &rng)
      layer.weights.value = Tensor.random(shape: layer.weights.value.shape, using: &rng)
      var linear = layer
      linear.activation = .identity
      if linear.forward(input).scalars.allSatisfy({ abs($0) > 0.015 }) {
        chosen = layer
        break
      }
    }
    let layer = try #require(chosen, "no seed keeps every pre-activation 0.015 from zero")
    expectGradientsMatchNumerical(layer, input: input)
  }

  @Test func conv1DBackwardMatchesNumericalGradient() {
    var rng = SplitMix64(seed: 5)
    let layers = [
      Conv1D(inChannels: 2, filters: 3, kernel: 3, using: &rng),
      Conv1D(
        inChannels: 1, filters: 2, kernel: 2, stride: 2, dilation: 2, padding: (1, 2), using: &rng),
      Conv1D(
        inChannels: 2, filters: 2, kernel: 3, padding: (2, 0), mode: .convolve, useBias: false,
        using: &rng),
    ]
    for var layer in layers {
      layer.conv.weights.value = Tensor.random(shape: layer.conv.weights.value.shape, using: &rng)
      expectGradientsMatchNumerical(layer, input: randomBatch(2, [layer.conv.inChannels, 9], seed: 13))
    }
  }

  @Test(arguments: PoolMode.allCases, [false, true])
  func poolingBackwardMatchesNumericalGradient(mode: PoolMode, ceil: Bool) {
    // (input H x W, window, stride): overlapping, stride > window, and ragged edges for ceil.
    let shapes: [(Int, Int, Int, Int)] = [(6, 6, 2, 2), (7, 5, 3, 2), (7, 7, 2, 3), (5, 8, 3, 1)]
    for (h, w, size, stride) in shapes {
      let layer = Pool2D(mode, size: size, stride: stride, ceil: ceil)
      expectGradientsMatchNumerical(layer, input: distinctBatch(2, [2, h, w], seed: 17))
    }
  }

  @Test(arguments: [Activation.relu, .sigmoid, .tanh])
  func activationBackwardMatchesNumericalGradient(_ activation: Activation) {
    let input = awayFromZero(randomBatch(2, [2, 3, 3], seed: 19).map { 3 * $0 })
    expectGradientsMatchNumerical(ActivationLayer(activation), input: input)
  }

  @Test func flattenBackwardMatchesNumericalGradient() {
    expectGradientsMatchNumerical(Flatten(), input: randomBatch(2, [3, 2, 4], seed: 23))
  }

  @Test(arguments: [Activation.identity, .sigmoid, .tanh], [true, false])
  func denseBackwardMatchesNumericalGradient(_ activation: Activation, bias: Bool) {
    var rng = SplitMix64(seed: 29)
    var layer = Dense(inputs: 6, outputs: 4, activation: activation, useBias: bias, using: &rng)
    layer.weights.value = Tensor.random(shape: [4, 6], using: &rng)
    expectGradientsMatchNumerical(layer, input: randomBatch(3, [6], seed: 31))
  }

  @Test func softmaxCrossEntropyGradientMatchesNumericalGradient() {
    let logits = randomBatch(3, [5], seed: 37).map { 3 * $0 }
    let labels = [4, 0, 2]
    let (_, dLogits) = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels)
    let numeric = numericalGradient(at: logits) {
      SoftmaxCrossEntropy.evaluate(logits: $0, labels: labels).loss
    }
    expectClose(dLogits, numeric, relativeTolerance: 1e-2, absoluteTolerance: 1e-4)
  }

  /// A small network with every kind of layer, end to end: convolution, ReLU, max and average
  /// pooling (ceil), a strided "same" convolution with tanh, flatten and dense.
  @Test func smallNetworkBackwardMatchesNumericalGradient() throws {
    let spec = "conv 3 3x3 pad 1 | relu | maxpool 2 | conv 4 3x3 stride 2 same tanh | avgpool 2 ceil | dense 3"
    let input = randomBatch(2, [2, 10, 10], seed: 41)
    let step: Float = 1e-3
    // A seed whose first convolution stays clear of the ReLU kink and of ties in the max
    // windows by more than a step can move them (3·step·M, M the largest input or weight).
    var chosen: Network?
    for seed in UInt64(1)...300 {
      var network = try Network(spec, inputShape: [2, 10, 10], seed: seed)
      let weights = network.parameters[0].value.scalars
      let m = Float(max(1, weights.map(abs).max() ?? 0, input.scalars.map(abs).max() ?? 0))
      let margin = 3 * step * m
      let outputs = network.activations(input)
      let preActivation = outputs[0]
      guard preActivation.scalars.allSatisfy({ abs($0) > margin }) else { continue }
      if Self.maxPoolWindowsAreClear(outputs[1], size: 2, margin: margin) {
        chosen = network
        break
      }
    }
    let network = try #require(chosen, "no seed keeps the kinks a step away")

    var rng = SplitMix64(seed: 43)
    var analytic = network
    let logits = analytic.forward(input)
    let upstream = Tensor.random(shape: logits.shape, using: &rng)
    analytic.zeroGradients()
    let dInput = analytic.backward(upstream)

    func loss(_ candidate: Network, _ x: Tensor) -> Double {
      var copy = candidate
      return dot(copy.forward(x), upstream)
    }
    func expectMatches(_ actual: Tensor, _ numeric: Tensor, _ what: String) {
      // fp32 noise over a step of 1e-3 is ~1e-3 of the largest gradient
      let scale = Double(numeric.scalars.map(abs).max() ?? 0)
      #expect(scale > 1e-2, "\(what): the gradient is all but zero")
      expectClose(actual, numeric, relativeTolerance: 1e-2, absoluteTolerance: 1e-2 * scale, "\(what)")
    }
    expectMatches(dInput, numericalGradient(at: input, step: step) { loss(network, $0) }, "dInput")
    for (k, parameter) in analytic.parameters.enumerated() {
      let numeric = numericalGradient(at: network.parameters[k].value, step: step) { value in
        var probe = network
        probe.updateParameters { index, p in if index == k { p.value = value } }
        return loss(probe, input)
      }
      expectMatches(parameter.grad, numeric, "parameter \(k) (\(parameter.name))")
    }
  }

  /// True when every 2x2-style window of `t` `(N, C, H, W)` with a positive maximum has its
  /// runner-up more than `margin` below it.
  static func maxPoolWindowsAreClear(_ t: Tensor, size: Int, margin: Float) -> Bool {
    let (n, c, h, w) = (t.shape[0], t.shape[1], t.shape[2], t.shape[3])
    for b in 0..<n {
      for ch in 0..<c {
        for top in stride(from: 0, to: h - size + 1, by: size) {
          for left in stride(from: 0, to: w - size + 1, by: size) {
            var values: [Float] = []
            for y in top..<top + size {
              for x in left..<left + size { values.append(t[b, ch, y, x]) }
            }
            values.sort(by: >)
            if values[0] > 0 && values[0] - values[1] <= margin { return false }
          }
        }
      }
    }
    return true
  }
}
