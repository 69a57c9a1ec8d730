import CNNLabEngine
import CNNLabTestSupport
import Testing

// Every case of the reference fixtures (scripts/make_fixtures.py: NumPy/SciPy in float64,
// checked against PyTorch) against the engine: the per-placement reference (`Reference`, what
// lessons animate) and the batched layers that training runs.
//
// Tolerances: the fixtures are float64 results rounded to float32; the engine sums in float32.
// A conv output here sums at most 3·4·4 = 48 products of values below 1 in size, so its error
// stays below 48 · 2⁻²⁴ ≈ 3e-6; gradients sum over at most ~100 output cells. Any real mistake
// (a missed flip, scale, padding cell or window) moves values by 1e-2 or more.

/// Absolute and relative tolerance for the small fixture cases.
private let smallAbsolute = 2e-5
private let smallRelative = 1e-5

extension Conv2DCase {
  var kernelMode: KernelMode { mode == "convolve" ? .convolve : .correlate }

  var enginePadding: Padding {
    switch padding.kind {
    case "valid": return .valid
    case "same": return .same
    default:
      return .explicit(
        top: padding.top ?? 0, bottom: padding.bottom ?? 0, left: padding.left, right: padding.right)
    }
  }

  var options: ConvOptions {
    var options = ConvOptions(padding: enginePadding, mode: kernelMode, normalize: normalise)
    options.strideH = stride[0]
    options.strideW = stride[1]
    options.dilationH = dilation[0]
    options.dilationW = dilation[1]
    return options
  }

  var filters: Int { weights.shape[0] }
}

// The batched layers run the fixture's example together with a second, different one (the
// values reversed), whose expected results come from the per-placement reference, itself held
// to the fixtures above: a batched path that mixes up examples, or does not add their
// parameter gradients, fails.

/// The same values in reverse order: a second example of the same shape (and, for pooling,
/// with the same ties).
private func reversed(_ t: Tensor) -> Tensor {
  Tensor(shape: t.shape, scalars: t.scalars.reversed())
}

private func sum(_ a: Tensor, _ b: Tensor) -> Tensor {
  Tensor(shape: a.shape, scalars: zip(a.scalars, b.scalars).map { $0 + $1 })
}

@Suite struct Conv2DFixtureTests {
  @Test(arguments: try ReferenceFixtures.conv2D())
  func referenceForwardAndBackwardMatch(_ c: Conv2DCase) throws {
    let output = try Reference.conv2D(
      input: c.input.tensor, weights: c.weights.tensor, bias: c.bias?.values, options: c.options)
    expectClose(output, c.output.tensor, relativeTolerance: smallRelative,
                absoluteTolerance: smallAbsolute, "output")

    var dWeights = Tensor.zeros(c.weights.shape)
    var dBias = [Float](repeating: 0, count: c.filters)
    let dInput = try Reference.conv2DBackward(
      input: c.input.tensor, weights: c.weights.tensor, options: c.options,
      dOutput: c.dOutput.tensor, dWeights: &dWeights, dBias: &dBias)
    expectClose(dInput, c.dInput.tensor, relativeTolerance: smallRelative,
                absoluteTolerance: smallAbsolute, "dInput")
    expectClose(dWeights, c.dWeights.tensor, relativeTolerance: smallRelative,
                absoluteTolerance: smallAbsolute, "dWeights")
    if let expected = c.dBias {
      expectClose(dBias, expected.values, relativeTolerance: smallRelative,
                  absoluteTolerance: smallAbsolute, "dBias")
    }
  }

  @Test(arguments: try ReferenceFixtures.conv2D())
  func traceMatchesAndPadsLikeTheFixture(_ c: Conv2DCase) throws {
    let trace = try Reference.conv2DTrace(
      input: c.input.tensor, weights: c.weights.tensor, bias: c.bias?.values, options: c.options)
    expectClose(trace.output, c.output.tensor, relativeTolerance: smallRelative,
                absoluteTolerance: smallAbsolute)
    // "same" resolves to TensorFlow's split; explicit and valid pass through.
    #expect(trace.geometry.rows.padBefore == c.padding.top)
    #expect(trace.geometry.rows.padAfter == c.padding.bottom)
    #expect(trace.geometry.cols.padBefore == c.padding.left)
    #expect(trace.geometry.cols.padAfter == c.padding.right)
    #expect(trace.placements.count == c.output.values.count)
  }

  @Test(arguments: try ReferenceFixtures.conv2D())
  func layerMatchesOnABatch(_ c: Conv2DCase) throws {
    var rng = SplitMix64(seed: 1)
    var layer = Conv2D(
      inChannels: c.input.shape[0], filters: c.filters, kernelH: c.weights.shape[2],
      kernelW: c.weights.shape[3], options: c.options, useBias: c.bias != nil, using: &rng)
    layer.weights.value = c.weights.tensor
    if let bias = c.bias { layer.bias?.value = bias.tensor }
    #expect(try layer.outputShape(for: c.input.shape) == c.output.shape)

    let (x2, g2) = (reversed(c.input.tensor), reversed(c.dOutput.tensor))
    let y2 = try Reference.conv2D(
      input: x2, weights: c.weights.tensor, bias: c.bias?.values, options: c.options)
    var dWeights2 = Tensor.zeros(c.weights.shape)
    var dBias2 = [Float](repeating: 0, count: c.filters)
    let dInput2 = try Reference.conv2DBackward(
      input: x2, weights: c.weights.tensor, options: c.options, dOutput: g2,
      dWeights: &dWeights2, dBias: &dBias2)

    let output = layer.forward(.stack([c.input.tensor, x2]))
    expectClose(output, .stack([c.output.tensor, y2]), relativeTolerance: smallRelative,
                absoluteTolerance: smallAbsolute, "output")
    let dInput = layer.backward(.stack([c.dOutput.tensor, g2]))
    expectClose(dInput, .stack([c.dInput.tensor, dInput2]), relativeTolerance: smallRelative,
                absoluteTolerance: smallAbsolute, "dInput")
    expectClose(layer.weights.grad, sum(c.dWeights.tensor, dWeights2),
                relativeTolerance: smallRelative, absoluteTolerance: 2 * smallAbsolute, "dWeights")
    if let expected = c.dBias {
      let grad = try #require(layer.bias?.grad)
      expectClose(grad, sum(expected.tensor, Tensor(vector: dBias2)),
                  relativeTolerance: smallRelative, absoluteTolerance: 2 * smallAbsolute, "dBias")
    }
  }
}

@Suite struct Conv1DFixtureTests {
  private static func options(_ c: Conv1DCase) -> ConvOptions {
    var options = ConvOptions(
      stride: c.stride, dilation: c.dilation,
      padding: .explicit(top: 0, bottom: 0, left: c.padding.left, right: c.padding.right),
      mode: c.mode == "convolve" ? .convolve : .correlate)
    options.dilationH = 1
    return options
  }

  @Test(arguments: try ReferenceFixtures.conv1D())
  func referenceForwardAndBackwardMatch(_ c: Conv1DCase) throws {
    let trace = try Reference.conv1DTrace(
      signal: c.input.tensor, kernel: c.weights.tensor, bias: c.bias?.values, stride: c.stride,
      dilation: c.dilation, padding: (c.padding.left, c.padding.right),
      mode: c.mode == "convolve" ? .convolve : .correlate)
    let (filters, length) = (c.output.shape[0], c.output.shape[1])
    #expect(trace.output.shape == [filters, 1, length])
    expectClose(trace.output.reshaped([filters, length]), c.output.tensor,
                relativeTolerance: smallRelative, absoluteTolerance: smallAbsolute, "output")

    // The 1-D backward is the 2-D one at height 1.
    let (channels, inputLength, k) = (c.input.shape[0], c.input.shape[1], c.weights.shape[2])
    var dWeights = Tensor.zeros([filters, channels, 1, k])
    var dBias = [Float](repeating: 0, count: filters)
    let dInput = try Reference.conv2DBackward(
      input: c.input.tensor([channels, 1, inputLength]),
      weights: c.weights.tensor([filters, channels, 1, k]), options: Self.options(c),
      dOutput: c.dOutput.tensor([filters, 1, length]), dWeights: &dWeights, dBias: &dBias)
    expectClose(dInput.reshaped(c.input.shape), c.dInput.tensor, relativeTolerance: smallRelative,
                absoluteTolerance: smallAbsolute, "dInput")
    expectClose(dWeights.reshaped(c.weights.shape), c.dWeights.tensor,
                relativeTolerance: smallRelative, absoluteTolerance: smallAbsolute, "dWeights")
    if let expected = c.dBias {
      expectClose(dBias, expected.values, relativeTolerance: smallRelative,
                  absoluteTolerance: smallAbsolute, "dBias")
    }
  }

  @Test(arguments: try ReferenceFixtures.conv1D())
  func layerMatchesOnABatch(_ c: Conv1DCase) throws {
    var rng = SplitMix64(seed: 1)
    let (filters, channels, k) = (c.weights.shape[0], c.weights.shape[1], c.weights.shape[2])
    var layer = Conv1D(
      inChannels: channels, filters: filters, kernel: k, stride: c.stride, dilation: c.dilation,
      padding: (c.padding.left, c.padding.right),
      mode: c.mode == "convolve" ? .convolve : .correlate, useBias: c.bias != nil, using: &rng)
    layer.conv.weights.value = c.weights.tensor([filters, channels, 1, k])
    if let bias = c.bias { layer.conv.bias?.value = bias.tensor }
    #expect(try layer.outputShape(for: c.input.shape) == c.output.shape)

    let (x2, g2) = (reversed(c.input.tensor), reversed(c.dOutput.tensor))
    let (length, inputLength) = (c.output.shape[1], c.input.shape[1])
    let y2 = try Reference.conv1DTrace(
      signal: x2, kernel: c.weights.tensor, bias: c.bias?.values, stride: c.stride,
      dilation: c.dilation, padding: (c.padding.left, c.padding.right),
      mode: c.mode == "convolve" ? .convolve : .correlate
    ).output.reshaped([filters, length])
    var dWeights2 = Tensor.zeros([filters, channels, 1, k])
    var dBias2 = [Float](repeating: 0, count: filters)
    let dInput2 = try Reference.conv2DBackward(
      input: x2.reshaped([channels, 1, inputLength]),
      weights: c.weights.tensor([filters, channels, 1, k]), options: Self.options(c),
      dOutput: g2.reshaped([filters, 1, length]), dWeights: &dWeights2, dBias: &dBias2)

    let output = layer.forward(.stack([c.input.tensor, x2]))
    expectClose(output, .stack([c.output.tensor, y2]), relativeTolerance: smallRelative,
                absoluteTolerance: smallAbsolute, "output")
    let dInput = layer.backward(.stack([c.dOutput.tensor, g2]))
    expectClose(dInput, .stack([c.dInput.tensor, dInput2.reshaped(c.input.shape)]),
                relativeTolerance: smallRelative, absoluteTolerance: smallAbsolute, "dInput")
    expectClose(layer.conv.weights.grad.reshaped(c.weights.shape),
                sum(c.dWeights.tensor, dWeights2.reshaped(c.weights.shape)),
                relativeTolerance: smallRelative, absoluteTolerance: 2 * smallAbsolute, "dWeights")
    if let expected = c.dBias {
      let grad = try #require(layer.conv.bias?.grad)
      expectClose(grad, sum(expected.tensor, Tensor(vector: dBias2)),
                  relativeTolerance: smallRelative, absoluteTolerance: 2 * smallAbsolute, "dBias")
    }
  }

  @Test func lectureStepEdgeGivesOneSpike() throws {
    let cases = try ReferenceFixtures.conv1D()
    let correlate = try #require(cases.first { $0.name == "lecture step edge, correlate" })
    let convolve = try #require(cases.first { $0.name == "lecture step edge, convolve" })
    #expect(correlate.input.values == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    #expect(correlate.weights.values == [-1, 1])
    let up = try Reference.conv1DTrace(signal: correlate.input.tensor, kernel: correlate.weights.tensor)
    let down = try Reference.conv1DTrace(
      signal: convolve.input.tensor, kernel: convolve.weights.tensor, mode: .convolve)
    #expect(up.output.scalars == correlate.output.values)  // [0 0 0 0 1 0 0 0 0]
    #expect(down.output.scalars == convolve.output.values)  // numpy.convolve: [0 0 0 0 −1 0 0 0 0]
  }
}

@Suite struct PoolFixtureTests {
  /// The engine pools with square windows and one stride; the fixtures also hold two
  /// rectangular cases (3x2 and 2x3), which it cannot express.
  static func squareCases() throws -> [PoolCase] {
    try ReferenceFixtures.pool().filter {
      $0.window[0] == $0.window[1] && $0.stride[0] == $0.stride[1]
    }
  }

  @Test func onlyTheTwoRectangularCasesAreLeftOut() throws {
    #expect(try ReferenceFixtures.pool().count == 20)
    #expect(try Self.squareCases().count == 18)
  }

  @Test(arguments: try squareCases())
  func referenceForwardAndBackwardMatch(_ c: PoolCase) throws {
    let mode: PoolMode = c.kind == "max" ? .max : .avg
    let output = try Reference.pool(
      input: c.input.tensor, size: c.window[0], stride: c.stride[0], ceil: c.ceilMode, mode: mode)
    expectClose(output, c.output.tensor, relativeTolerance: smallRelative,
                absoluteTolerance: smallAbsolute, "output")
    let dInput = try Reference.poolBackward(
      input: c.input.tensor, size: c.window[0], stride: c.stride[0], ceil: c.ceilMode, mode: mode,
      dOutput: c.dOutput.tensor)
    expectClose(dInput, c.dInput.tensor, relativeTolerance: smallRelative,
                absoluteTolerance: smallAbsolute, "dInput")
  }

  @Test(arguments: try squareCases())
  func layerMatchesOnABatch(_ c: PoolCase) throws {
    var layer = Pool2D(
      c.kind == "max" ? .max : .avg, size: c.window[0], stride: c.stride[0], ceil: c.ceilMode)
    #expect(try layer.outputShape(for: c.input.shape) == c.output.shape)
    let mode: PoolMode = c.kind == "max" ? .max : .avg
    let (x2, g2) = (reversed(c.input.tensor), reversed(c.dOutput.tensor))
    let y2 = try Reference.pool(
      input: x2, size: c.window[0], stride: c.stride[0], ceil: c.ceilMode, mode: mode)
    let dInput2 = try Reference.poolBackward(
      input: x2, size: c.window[0], stride: c.stride[0], ceil: c.ceilMode, mode: mode, dOutput: g2)

    let output = layer.forward(.stack([c.input.tensor, x2]))
    expectClose(output, .stack([c.output.tensor, y2]), relativeTolerance: smallRelative,
                absoluteTolerance: smallAbsolute, "output")
    let dInput = layer.backward(.stack([c.dOutput.tensor, g2]))
    expectClose(dInput, .stack([c.dInput.tensor, dInput2]), relativeTolerance: smallRelative,
                absoluteTolerance: smallAbsolute, "dInput")
  }
}

@Suite struct LayerFixtureTests {
  @Test func fixtureNumbersDecodeToTheExactFloat32Written() throws {
    struct Check: Decodable {
      struct Values: Decodable { let values: [Float] }
      let values: Values
      let bits: [UInt32]
    }
    struct File: Decodable { let decodingCheck: Check }
    let check = try ReferenceFixtures.load("layers", as: File.self).decodingCheck
    #expect(check.values.values.count == check.bits.count)
    let wrong = zip(check.values.values, check.bits).filter { $0.bitPattern != $1 }
    #expect(wrong.isEmpty, "decoded to other floats: \(wrong.prefix(5))")
  }

  @Test(arguments: try ReferenceFixtures.layers().dense)
  func denseMatches(_ c: DenseCase) throws {
    var rng = SplitMix64(seed: 1)
    var layer = Dense(inputs: c.weights.shape[1], outputs: c.weights.shape[0], using: &rng)
    layer.weights.value = c.weights.tensor
    layer.bias?.value = c.bias.tensor
    expectClose(layer.forward(c.input.tensor), c.output.tensor, "output")
    expectClose(layer.backward(c.dOutput.tensor), c.dInput.tensor, "dInput")
    expectClose(layer.weights.grad, c.dWeights.tensor, "dWeights")
    expectClose(try #require(layer.bias?.grad), c.dBias.tensor, "dBias")
  }

  @Test(arguments: try ReferenceFixtures.layers().activations)
  func activationMatches(_ c: ActivationCase) throws {
    let activation = try #require(Activation(rawValue: c.kind))
    var layer = ActivationLayer(activation)
    // Saturated sigmoid/tanh derivatives are ~1e-7 in float64 and 0 or one ulp in float32.
    expectClose(layer.forward(c.input.tensor), c.output.tensor, "output")
    expectClose(layer.backward(c.dOutput.tensor), c.dInput.tensor, absoluteTolerance: 1e-6,
                "dInput")
  }

  @Test(arguments: try ReferenceFixtures.layers().softmax)
  func softmaxMatches(_ c: SoftmaxCase) throws {
    let k = c.input.shape[1]
    for row in 0..<c.input.shape[0] {
      let logits = Array(c.input.values[row * k..<(row + 1) * k])
      let expected = Array(c.output.values[row * k..<(row + 1) * k])
      expectClose(softmax(logits), expected, "row \(row)")
    }
  }

  @Test(arguments: try ReferenceFixtures.layers().softmaxCrossEntropy)
  func softmaxCrossEntropyMatches(_ c: CrossEntropyCase) throws {
    let (loss, dLogits) = SoftmaxCrossEntropy.evaluate(logits: c.logits.tensor, labels: c.labels)
    #expect(loss.isFinite)
    expectClose(loss, c.loss, "loss")
    expectClose(dLogits, c.dLogits.tensor, "dLogits")
    // The per-example function agrees with the batch mean.
    let k = c.logits.shape[1]
    var total: Double = 0
    for (row, label) in c.labels.enumerated() {
      total += Double(
        crossEntropy(logits: Array(c.logits.values[row * k..<(row + 1) * k]), label: label))
    }
    expectClose(Float(total / Double(c.labels.count)), c.loss, "crossEntropy(logits:label:)")
  }
}
