@testable import CNNLabEngine
import CNNLabTestSupport
import Testing

/// A random, buildable network spec and input shape: one or two convolutions with random
/// kernels, strides, paddings, dilations, modes and activations, optional pooling, then dense.
func randomFastSpec(using rng: inout SplitMix64) -> (spec: String, inputShape: [Int]) {
  func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
  while true {
    let shape = [1 + pick(3), 5 + pick(8), 5 + pick(9)]
    var layers: [String] = []
    for _ in 0..<(1 + pick(2)) {
      var conv = "conv \(1 + pick(10)) \(1 + pick(4))x\(1 + pick(4))"
      switch pick(4) {
      case 0: conv += " stride \(1 + pick(3))"
      case 1: conv += " stride \(1 + pick(2))x\(1 + pick(3))"
      default: break
      }
      switch pick(5) {
      case 0: conv += " pad \(pick(3))"
      case 1: conv += " pad \(pick(3)),\(pick(3)),\(pick(3)),\(pick(4))"
      case 2: conv += " same"
      case 3: conv += " valid"
      default: break
      }
      if pick(4) == 0 { conv += " dilation 2" }
      if pick(6) == 0 { conv += " convolve" }
      if pick(6) == 0 { conv += " normalize" }
      if pick(5) == 0 { conv += " nobias" }
      conv += ["", " relu", " relu", " sigmoid", " tanh"][pick(5)]
      layers.append(conv)
      switch pick(5) {
      case 0, 1: layers.append("maxpool \(1 + pick(3))" + (pick(2) == 0 ? " ceil" : ""))
      case 2: layers.append("avgpool 2 stride \(1 + pick(2))" + (pick(2) == 0 ? " ceil" : ""))
      case 3: layers.append(["relu", "tanh", "sigmoid"][pick(3)])
      default: break
      }
    }
    if pick(2) == 0 { layers.append("dense \(2 + pick(40))" + ["", " relu", " tanh"][pick(3)]) }
    layers.append("dense \(2 + pick(4))")
    let spec = layers.joined(separator: " | ")
    if (try? Network.plan(spec: NetworkSpec.parse(spec), inputShape: shape)) != nil {
      return (spec, shape)
    }
  }
}

/// The reference pass, one example at a time through the per-placement functions lessons use
/// (`Reference.conv2D`, `Reference.pool` and their backward twins; dense layers as plain
/// sums): the oracle for both `FastNetwork` and the batched layer kernels. Returns the mean
/// loss, the logits and every parameter's gradient, in `Network.parameters` order.
func referenceGradients(_ network: Network, images: Tensor, labels: [Int]) throws -> (
  loss: Float, logits: Tensor, gradients: [[Float]]
) {
  let n = images.batchSize
  var grads: [[Tensor]] = network.layers.map { layer in layer.parameters.map { .zeros(like: $0.value) } }
  var logits: [Float] = []
  var total: Float = 0
  for b in 0..<n {
    var inputs: [Tensor] = []
    var x = images.slice(b)
    for layer in network.layers {
      inputs.append(x)
      switch layer {
      case let conv as Conv2D:
        x = try Reference.conv2D(
          input: x, weights: conv.weights.value, bias: conv.bias?.value.scalars,
          options: conv.options, activation: conv.activation)
      case let pool as Pool2D:
        x = try Reference.pool(input: x, size: pool.size, stride: pool.stride, ceil: pool.ceil, mode: pool.mode)
      case let a as ActivationLayer:
        x = x.activated(a.activation)
      case is Flatten:
        x = x.reshaped([x.count])
      case let dense as Dense:
        var y = [Float](repeating: 0, count: dense.outputs)
        for o in 0..<dense.outputs {
          var sum = dense.bias?.value.scalars[o] ?? 0
          for i in 0..<dense.inputs { sum += dense.weights.value.scalars[o * dense.inputs + i] * x.scalars[i] }
          y[o] = dense.activation.apply(sum)
        }
        x = Tensor(vector: y)
      default:
        Issue.record("no reference for \(type(of: layer))")
      }
    }
    logits += x.scalars
    total += crossEntropy(logits: x.scalars, label: labels[b])
    var dy = Tensor(vector: softmax(x.scalars).enumerated().map { j, p in (p - (j == labels[b] ? 1 : 0)) / Float(n) })
    var output = x
    for (index, layer) in network.layers.enumerated().reversed() {
      let input = inputs[index]
      switch layer {
      case let conv as Conv2D:
        let dPre = Tensor(shape: dy.shape, scalars: zip(dy.scalars, output.scalars).map { $0 * conv.activation.derivative(output: $1) })
        var dBias = grads[index].count > 1 ? grads[index][1].scalars : [Float](repeating: 0, count: conv.filters)
        dy = try Reference.conv2DBackward(
          input: input, weights: conv.weights.value, options: conv.options, dOutput: dPre,
          dWeights: &grads[index][0], dBias: &dBias)
        if grads[index].count > 1 { grads[index][1].scalars = dBias }
      case let pool as Pool2D:
        dy = try Reference.poolBackward(
          input: input, size: pool.size, stride: pool.stride, ceil: pool.ceil, mode: pool.mode, dOutput: dy)
      case let a as ActivationLayer:
        dy = Tensor(shape: dy.shape, scalars: zip(dy.scalars, output.scalars).map { $0 * a.activation.derivative(output: $1) })
      case is Flatten:
        dy = dy.reshaped(input.shape)
      case let dense as Dense:
        let dPre = zip(dy.scalars, output.scalars).map { $0 * dense.activation.derivative(output: $1) }
        var dx = [Float](repeating: 0, count: dense.inputs)
        for o in 0..<dense.outputs {
          for i in 0..<dense.inputs {
            grads[index][0].scalars[o * dense.inputs + i] += dPre[o] * input.scalars[i]
            dx[i] += dPre[o] * dense.weights.value.scalars[o * dense.inputs + i]
          }
          if grads[index].count > 1 { grads[index][1].scalars[o] += dPre[o] }
        }
        dy = Tensor(vector: dx)
      default:
        break
      }
      output = input
    }
  }
  return (total / Float(n), Tensor(shape: [n, logits.count / n], scalars: logits), grads.flatMap { $0.map(\.scalars) })
}

/// `expectClose` with a tolerance relative to the largest value: 1e-4 of it, so sums that
/// cancel to nearly zero are judged against the size of their terms.
func expectRelativelyClose(
  _ actual: [Float], _ expected: [Float], _ comment: Comment,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let scale = Double(expected.map { abs($0) }.max() ?? 0)
  expectClose(
    actual, expected, relativeTolerance: 1e-4, absoluteTolerance: 1e-4 * scale + 1e-7, comment,
    sourceLocation: sourceLocation)
}

@Suite struct FastPathTests {
  @Test(arguments: 0..<24)
  func fastNetworkMatchesTheReference(seed: Int) throws {
    var rng = SplitMix64(seed: UInt64(seed) &* 7919 &+ 17)
    let (spec, shape) = randomFastSpec(using: &rng)
    var network = try Network(spec, inputShape: shape, seed: UInt64(seed))
    let batch = 1 + Int(rng.next() % 5)
    let images = Tensor.random(shape: [batch] + shape, using: &rng)
    let classes = network.outputShape[0]
    let labels = (0..<batch).map { _ in Int(rng.next() % UInt64(classes)) }
    let reference = try referenceGradients(network, images: images, labels: labels)
    let context = Comment(rawValue: "\(spec) on \(shape), batch \(batch)")

    // The layers' own batched forward and backward passes.
    network.zeroGradients()
    let logits = network.forward(images)
    let (loss, dLogits) = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels)
    network.backward(dLogits)
    expectRelativelyClose([loss], [reference.loss], "layers: \(context)")
    expectRelativelyClose(logits.scalars, reference.logits.scalars, "layers: \(context)")
    for (p, expected) in zip(network.parameters, reference.gradients) {
      expectRelativelyClose(p.grad.scalars, expected, "layers: \(context)")
    }

    for threads in [1, 2] {
      let fast = try FastNetwork(network: network, threads: threads, trainingBatch: batch)
      fast.zeroGradients()
      let loss = fast.accumulateGradients(images: images, labels: labels)
      let context = Comment(rawValue: "\(spec) on \(shape), batch \(batch), \(threads) thread(s)")
      expectRelativelyClose([loss], [reference.loss], context)
      expectRelativelyClose(fast.logits(images).scalars, reference.logits.scalars, context)
      #expect(fast.parameters.count == reference.gradients.count)
      for (p, expected) in zip(fast.parameters, reference.gradients) {
        expectRelativelyClose(p.gradients, expected, context)
      }
    }

    // Every ReLU and max pool its own op, none folded into a convolution: the same numbers.
    let unfused = FastNetwork(
      plan: network.info, inputShape: shape, threads: 1, trainingBatch: batch, fusing: false)
    unfused.load(from: network)
    unfused.zeroGradients()
    let unfusedLoss = unfused.accumulateGradients(images: images, labels: labels)
    expectRelativelyClose([unfusedLoss], [reference.loss], "unfused: \(context)")
    for (p, expected) in zip(unfused.parameters, reference.gradients) {
      expectRelativelyClose(p.gradients, expected, "unfused: \(context)")
    }
  }

  /// Which plan entries the fast executor folds into a convolution: a ReLU (the convolution's
  /// own or the next entry), then a max pool; nothing past another non-linearity.
  @Test(arguments: [
    ("conv 2 3x3 relu | maxpool 2 | dense 2", 2),
    ("conv 2 3x3 | relu | maxpool 2 | dense 2", 2),
    ("conv 2 3x3 | maxpool 2 | dense 2", 2),
    ("conv 2 3x3 relu | avgpool 2 | dense 2", 3),
    ("conv 2 3x3 sigmoid | maxpool 2 | dense 2", 4),
    ("conv 2 3x3 relu | relu | maxpool 2 | dense 2", 4),
    ("conv 2 3x3 | tanh | dense 2 relu | dense 2", 5),
  ])
  func fusionFoldsAReluAndAMaxPoolIntoTheConvolution(spec: String, ops: Int) throws {
    let network = try Network(spec, inputShape: [1, 8, 8])
    let fast = try FastNetwork(network: network, threads: 1, trainingBatch: 1)
    #expect(fast.ops.count == ops, "\(fast.ops)")
  }

  /// A convolution behind a max pool sends its gradients back from the maxima alone when it
  /// has at least eight channels and the pool steps by four cells or more: channel counts that
  /// are and are not a multiple of 8, strides, lopsided padding, a normalised kernel,
  /// overlapping, wider and ceil windows, the first layer (no input gradient) and a
  /// convolution without a ReLU. A dilated kernel (taps two columns apart) keeps the dense
  /// pass, and so does a pool that steps by one.
  @Test(arguments: [
    ("conv 8 3x3 pad 1 relu | conv 12 5x5 pad 2 relu | maxpool 2 | dense 5", [1, 11, 13], true),
    ("conv 9 3x3 relu | conv 6 3x3 stride 2 pad 1,0,2,1 normalize relu | maxpool 3 stride 2 | dense 4", [2, 17, 15], true),
    ("conv 5 3x3 pad 1 | maxpool 2 ceil | dense 3", [8, 9, 11], true),
    ("conv 7 2x4 pad 0,1,3,0 convolve relu | maxpool 3 | dense 3", [20, 10, 12], true),
    ("conv 4 3x3 dilation 2 relu | maxpool 2 | dense 3", [16, 12, 12], false),
    ("conv 4 3x3 relu | maxpool 2 stride 1 | dense 3", [16, 9, 9], false),
  ])
  func theGradientFromAPoolsMaximaMatchesTheReference(spec: String, shape: [Int], fromMaxima: Bool) throws {
    let network = try Network(spec, inputShape: shape, seed: 3)
    var rng = SplitMix64(seed: 5)
    let batch = 3
    let images = Tensor.random(shape: [batch] + shape, using: &rng)
    let labels = (0..<batch).map { $0 % network.outputShape[0] }
    let reference = try referenceGradients(network, images: images, labels: labels)
    for threads in [1, 2] {
      let fast = try FastNetwork(network: network, threads: threads, trainingBatch: batch)
      let pooled = fast.ops.compactMap { $0 as? FastConvOp }.last { $0.pool != nil }
      #expect(pooled?.fromMaxima == fromMaxima, "\(spec)")
      fast.zeroGradients()
      let loss = fast.accumulateGradients(images: images, labels: labels)
      let context = Comment(rawValue: "\(spec) on \(shape), \(threads) thread(s)")
      expectRelativelyClose([loss], [reference.loss], context)
      for (p, expected) in zip(fast.parameters, reference.gradients) {
        expectRelativelyClose(p.gradients, expected, context)
      }
    }
  }

  /// Digit-like images are mostly blank: many pooling windows hold four equal values, and many
  /// maxima carry no gradient (the ReLU's zeros, which the backward pass from the maxima
  /// skips). The gradients are still the reference's.
  @Test func mostlyBlankImagesMatchTheReference() throws {
    let network = try Network(
      "conv 8 5x5 pad 2 relu | maxpool 2 | conv 16 5x5 pad 2 relu | maxpool 2 | dense 10",
      inputShape: [1, 28, 28], seed: 3)
    var rng = SplitMix64(seed: 5)
    let batch = 6
    var pixels = [Float](repeating: 0, count: batch * 784)
    for i in pixels.indices where rng.next() % 6 == 0 { pixels[i] = Float(rng.next() % 256) / 255 }
    let images = Tensor(shape: [batch, 1, 28, 28], scalars: pixels)
    let labels = (0..<batch).map { $0 % 10 }
    let reference = try referenceGradients(network, images: images, labels: labels)
    let fast = try FastNetwork(network: network, threads: 1, trainingBatch: batch)
    #expect(fast.ops.compactMap { $0 as? FastConvOp }.map(\.fromMaxima) == [false, true])
    fast.zeroGradients()
    let loss = fast.accumulateGradients(images: images, labels: labels)
    expectRelativelyClose([loss], [reference.loss], "loss")
    for (p, expected) in zip(fast.parameters, reference.gradients) {
      expectRelativelyClose(p.gradients, expected, "gradient")
    }
  }

  @Test func wideBatchesSplitAcrossTwoThreadsMatchTheReference() throws {
    // Enough work per batch that two threads really split it (odd batch: 4 + 5 images), and a
    // dense layer wider than one GEMM panel with more inputs than one panel is deep.
    let network = try Network(
      "conv 6 3x3 pad 1 relu | maxpool 2 | conv 9 3x3 same relu | dense 40 relu | dense 3",
      inputShape: [2, 24, 24], seed: 4)
    var rng = SplitMix64(seed: 8)
    let images = Tensor.random(shape: [9, 2, 24, 24], using: &rng)
    let labels = (0..<9).map { $0 % 3 }
    let reference = try referenceGradients(network, images: images, labels: labels)
    let fast = try FastNetwork(network: network, threads: 2, trainingBatch: 9)
    fast.zeroGradients()
    let loss = fast.accumulateGradients(images: images, labels: labels)
    expectRelativelyClose([loss], [reference.loss], "loss")
    for (p, expected) in zip(fast.parameters, reference.gradients) {
      expectRelativelyClose(p.gradients, expected, "gradient")
    }
  }

  @Test func sameSeedAndThreadCountGiveABitIdenticalRun() throws {
    func run(threads: Int) throws -> ([Float], [[Float]]) {
      let network = try Network(
        "conv 8 5x5 pad 2 relu | maxpool 2 | conv 4 3x3 relu | maxpool 2 | dense 10",
        inputShape: [1, 28, 28], seed: 9)
      let fast = try FastNetwork(network: network, threads: threads, trainingBatch: 32)
      var rng = SplitMix64(seed: 1)
      var losses: [Float] = []
      for _ in 0..<3 {
        let images = Tensor.random(shape: [32, 1, 28, 28], in: 0..<1, using: &rng)
        let labels = (0..<32).map { _ in Int(rng.next() % 10) }
        fast.zeroGradients()
        losses.append(fast.accumulateGradients(images: images, labels: labels))
        fast.update(.sgd(learningRate: 0.05, momentum: 0.9))
      }
      return (losses, fast.parameters.map(\.values))
    }
    let (a, b) = (try run(threads: 2), try run(threads: 2))
    #expect(a.0 == b.0)
    #expect(a.1 == b.1)
    let one = try run(threads: 1)
    for (x, y) in zip(one.1, a.1) { expectRelativelyClose(x, y, "1 thread against 2") }
  }

  @Test(arguments: 0..<64)
  func fastConvolutionMatchesTheReferenceWithPerAxisOptions(seed: Int) throws {
    // Options a spec cannot write: different strides and dilations per axis, lopsided padding.
    var rng = SplitMix64(seed: UInt64(100 + seed))
    func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    var options = ConvOptions(
      padding: .explicit(top: pick(3), bottom: pick(3), left: pick(3), right: pick(3)),
      mode: pick(2) == 0 ? .correlate : .convolve, normalize: pick(3) == 0)
    (options.strideH, options.strideW) = (1 + pick(3), 1 + pick(3))
    (options.dilationH, options.dilationW) = (1 + pick(3), 1 + pick(3))
    let (c, f, kh, kw) = (1 + pick(4), 1 + pick(12), 1 + pick(4), 1 + pick(4))
    let shape = [c, kh * options.dilationH + pick(8), kw * options.dilationW + pick(10)]
    let g = try ConvGeometry.convolution(
      inputH: shape[1], inputW: shape[2], kernelH: kh, kernelW: kw, options: options)
    let weights = Tensor.random(shape: [f, c, kh, kw], using: &rng)
    let bias: [Float]? = pick(4) != 0 ? Tensor.random(shape: [f], using: &rng).scalars : nil
    let batch = 1 + pick(3)
    let x = Tensor.random(shape: [batch] + shape, using: &rng)
    let dy = Tensor.random(shape: [batch, f, g.outputHeight, g.outputWidth], using: &rng)
    var scratch = dy.scalars  // the op may overwrite the gradient it is given

    // One lane of the fast executor's convolution, forward and backward on the whole batch.
    let op = FastConvOp(
      geometry: FastConvGeometry(channels: c, filters: f, g), bias: bias != nil,
      flip: options.mode == .convolve, scale: options.normalize ? 1 / Float(c * kh * kw) : 1,
      relu: false, pool: nil, capacities: [batch], training: true)
    op.weights.values = weights.scalars
    if let bias { op.bias?.values = bias }
    op.prepare()
    var y = Tensor.zeros(like: dy)
    var dx = Tensor.zeros(like: x)
    x.scalars.withStart { input in
      y.scalars.withMutableStart { output in
        op.forward(lane: 0, input: input, output: output, images: batch, training: true)
        scratch.withMutableStart { dOutput in
          dx.scalars.withMutableStart { dInput in
            op.backward(
              lane: 0, input: input, output: output, dOutput: dOutput, dInput: dInput, images: batch)
          }
        }
      }
    }
    op.finishBackward(lanes: 1)

    var dWeights = Tensor.zeros(like: weights)
    var dBias = [Float](repeating: 0, count: f)
    let context = Comment(rawValue: "\(options), \(c)->\(f) \(kh)x\(kw) on \(shape)")
    for b in 0..<batch {
      let expected = try Reference.conv2D(input: x.slice(b), weights: weights, bias: bias, options: options)
      expectRelativelyClose(y.slice(b).scalars, expected.scalars, context)
      let expectedDx = try Reference.conv2DBackward(
        input: x.slice(b), weights: weights, options: options, dOutput: dy.slice(b),
        dWeights: &dWeights, dBias: &dBias)
      expectRelativelyClose(dx.slice(b).scalars, expectedDx.scalars, context)
    }
    expectRelativelyClose(op.weights.gradients, dWeights.scalars, context)
    if let parameter = op.bias { expectRelativelyClose(parameter.gradients, dBias, context) }
  }

  @Test func storeCopiesTrainedValuesBackIntoTheNetwork() throws {
    var network = try Network("conv 2 3x3 | dense 2", inputShape: [1, 4, 4], seed: 1)
    let fast = try FastNetwork(network: network, threads: 1, trainingBatch: 1)
    fast.parameters[0].values = [Float](repeating: 0.5, count: fast.parameters[0].count)
    fast.store(into: &network)
    #expect(network.parameters[0].value.scalars == [Float](repeating: 0.5, count: 18))
  }

  @Test func conv1DNetworksRunAsConvolutionsOfHeightOne() throws {
    var network = try Network(
      "conv1d 3 3 stride 2 pad 1 relu | conv1d 2 2 tanh | dense 2", inputShape: [2, 11], seed: 1)
    var rng = SplitMix64(seed: 6)
    let images = Tensor.random(shape: [3, 2, 11], using: &rng)
    let labels = [0, 1, 1]
    network.zeroGradients()
    let logits = network.forward(images)
    let (loss, dLogits) = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels)
    network.backward(dLogits)
    let fast = try FastNetwork(network: network, threads: 1, trainingBatch: 3)
    fast.zeroGradients()
    expectRelativelyClose([fast.accumulateGradients(images: images, labels: labels)], [loss], "loss")
    expectRelativelyClose(fast.logits(images).scalars, logits.scalars, "logits")
    for (p, expected) in zip(fast.parameters, network.parameters) {
      expectRelativelyClose(p.gradients, expected.grad.scalars, "gradient")
    }
  }
}
