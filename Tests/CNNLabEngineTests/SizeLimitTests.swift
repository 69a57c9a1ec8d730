import CNNLabEngine
import Testing

// Sizes from outside the engine (specs, options, model metadata) are checked where the plan is
// built. The expected numbers are worked out by hand from the formulas in the comments.

@Suite struct SizeLimitTests {
  func plan(_ spec: String, _ input: [Int]) throws -> [Network.LayerInfo] {
    try Network.plan(spec: NetworkSpec.parse(spec), inputShape: input)
  }

  func planError(_ spec: String, _ input: [Int]) throws -> Network.BuildError {
    let parsed = try NetworkSpec.parse(spec)
    return try #require(throws: Network.BuildError.self) {
      try Network.plan(spec: parsed, inputShape: input)
    }
  }

  @Test func aFilterCountPastTheLimitIsRefusedWithTheLimit() throws {
    let error = try planError("conv 4611686018427387904 3x3", [1, 9, 9])
    #expect(error.layerIndex == 1)
    #expect(
      error.message
        == "the number of filters 4611686018427387904 is too large: a size can be at most 2147483648 (2^31)")
  }

  @Test func everySizeOfAConvIsChecked() throws {
    let big = "9223372036854775807"
    for (spec, what) in [
      ("conv 2 3x3 pad \(big)", "padding"), ("conv 2 3x3 dilation \(big)", "dilation"),
      ("conv 2 3x3 stride \(big)", "stride"), ("conv 2 \(big)x3", "kernel height"),
      ("conv1d 2 \(big)", "kernel width"), ("maxpool \(big)", "pooling window"),
      ("dense \(big)", "number of units"),
    ] {
      let input = spec.hasPrefix("conv1d") ? [1, 9] : [1, 9, 9]
      let error = try planError(spec, input)
      #expect(error.message.hasPrefix("the \(what) \(big) is too large"), "\(spec): \(error.message)")
    }
  }

  @Test func parameterCountsNeverWrap() throws {
    // Each 2^31 x 2^31 layer has 2^62 + 2^31 parameters; two of them pass Int.max (2^63 − 1).
    let n = "2147483648"
    let one = try plan("dense \(n) | dense \(n)", [1])
    #expect(one.map(\.parameterCount) == [2 * (1 << 31), (1 << 62) + (1 << 31)])
    let error = try planError("dense \(n) | dense \(n) | dense \(n)", [1])
    #expect(error.layerIndex == 3 && error.message == "the network has more parameters than cnnlab can count")
    // F·C·KH·KW = 2^31 · 2^20 · 2^20 · 2^20 = 2^91, on an input of 2^60 values.
    let m = 1 << 20
    let weights = try planError("conv \(n) \(m)x\(m)", [m, m, m])
    #expect(weights.message == "2147483648·1048576·1048576·1048576 weights are more than cnnlab can count")
  }

  @Test func anOutputTooLargeToCountIsRefused() throws {
    // (2^31 + 2·2^31 − 1)/1 + 1 = 3·2^31 per axis, times 2^31 filters: 9·2^93.
    let error = try planError("conv 2147483648 1x1 pad 2147483648", [1, 2147483648, 2147483648])
    #expect(error.message.hasPrefix("its output, 2147483648x6442450944x6442450944, has more values"))
  }

  @Test func aHugePaddingIsPlannedAtOnce() throws {
    // (9 + 2·1,000,000 − 3)/1 + 1 = 2,000,007: only arithmetic, no walk over the windows.
    let rows = try plan("conv 2 3x3 pad 1000000", [1, 9, 9])
    #expect(rows[0].outputShape == [2, 2_000_007, 2_000_007])
  }

  @Test func theInputShapeIsChecked() throws {
    #expect(try planError("dense 2", [1, 0, 9]).message.contains("at least 1"))
    #expect(try planError("dense 2", [1, 1 << 40, 9]).message.contains("too large"))
  }

  @Test func memoryIsEstimatedBeforeWeightsAreAllocated() throws {
    // dense 10^9 on 1x9x9 (after the flatten the plan adds): P = 81·10^9 + 10^9 parameters,
    // A = 81 (input) + 81 (flatten) + 10^9 values per example.
    // A dense layer keeps no gradient copy per lane:
    // 4 bytes × (6·P + 3A) = 4 × (492·10^9 + 3·10^9 + 486) = 1,980,000,001,944 (1.8 TiB).
    let rows = try plan("dense 1000000000", [1, 9, 9])
    #expect(Network.memoryEstimate(rows, inputShape: [1, 9, 9], batch: 1) == 1_980_000_001_944)
    do {
      _ = try Network("dense 1000000000", inputShape: [1, 9, 9])
      Issue.record("a 82-billion-parameter network was built")
    } catch {
      #expect(error.layerIndex == 1)
      #expect(error.message == "the network would need 1.8 TiB of memory, over the 1.0 GiB limit")
    }
  }

  @Test func aBatchCountsInTheEstimate() throws {
    // xo-tiny: conv 3·1·3·3 = 27, dense 48·2 + 2 = 98, so P = 125; per example A = 81 (input)
    // + 147 (conv, 3x7x7) + 48 (pool, 3x4x4) + 48 (flatten) + 2 (dense) = 326.
    let spec = "conv 3 3x3 nobias relu | maxpool 2 ceil | dense 2"
    let rows = try plan(spec, [1, 9, 9])
    let perExample = 81 + rows.map { $0.outputShape.reduce(1, *) }.reduce(0, +)
    #expect(perExample == 81 + 147 + 48 + 48 + 2)
    // Six floats per parameter, one lane's copy of the conv's 27 gradients, three per value.
    #expect(Network.memoryEstimate(rows, inputShape: [1, 9, 9], batch: 16) == 4 * (6 * 125 + 27 + 3 * 326 * 16))
    #expect(throws: Network.BuildError.self) {
      try Network.checkMemory(rows, inputShape: [1, 9, 9], batch: 100_000_000)
    }
    try Network.checkMemory(rows, inputShape: [1, 9, 9], batch: 256)
  }

  @Test func eachLaneCountsItsGradientCopy() throws {
    // The Keras network has 3,274,634 parameters, 3,222,538 of them in its dense layers, whose
    // weight gradients are one multiply over the batch: every lane keeps a gradient copy of the
    // other 52,096 (the convolutions'), and on more than one lane the dense layers keep a copy
    // of the batch's inputs and output gradients, (3,136 + 1,024 + 1,024 + 10) values each.
    let rows = try plan(
      "conv 32 5x5 same relu | maxpool 2 | conv 64 5x5 same relu | maxpool 2 | dense 1024 relu | dense 10",
      [1, 28, 28])
    let parameters = rows.map(\.parameterCount).reduce(0, +)
    #expect(parameters == 3_274_634)
    let one = try #require(Network.memoryEstimate(rows, inputShape: [1, 28, 28], batch: 100, lanes: 1))
    let sixteen = try #require(Network.memoryEstimate(rows, inputShape: [1, 28, 28], batch: 100, lanes: 16))
    #expect(sixteen - one == 4 * (15 * 52_096 + 2 * 5_194 * 100))
    // 256 lanes' copies are 53 MB together: the network fits the budget on any thread count.
    try Network.checkMemory(rows, inputShape: [1, 28, 28], batch: 100, lanes: 256)
  }

  @Test func unusedInputsMatchAWalkOverEveryWindow() throws {
    var rng = SplitMix64(seed: 41)
    for _ in 0..<300 {
      let n = 1 + Int(rng.next() % 12), k = 1 + Int(rng.next() % 4)
      let s = 1 + Int(rng.next() % 4), d = 1 + Int(rng.next() % 3)
      let (before, after) = (Int(rng.next() % 4), Int(rng.next() % 4))
      let options = ConvOptions(
        stride: s, dilation: d, padding: .explicit(top: before, bottom: after, left: 0, right: 0))
      guard
        let g = try? ConvGeometry.convolution(
          inputH: n, inputW: 1, kernelH: k, kernelW: 1, options: options)
      else { continue }
      var used = Set<Int>()
      for o in 0..<g.rows.output {
        for tap in 0..<k { used.insert(o * s + tap * d - before) }
      }
      let expected = (0..<n).filter { !used.contains($0) }
      #expect(g.rows.unusedInputs == expected, "N \(n) F \(k) S \(s) D \(d) P \(before),\(after)")
    }
  }

  @Test func poolingWithoutATraceGivesTheTracedOutput() throws {
    var rng = SplitMix64(seed: 7)
    for mode in PoolMode.allCases {
      for (size, stride, ceil) in [(2, 2, true), (3, 2, false), (2, 1, false), (3, 3, true)] {
        let input = Tensor(
          shape: [2, 7, 6], scalars: (0..<84).map { _ in rng.nextFloat(in: -1..<1) })
        let traced = try Reference.poolTrace(input: input, size: size, stride: stride, ceil: ceil, mode: mode)
        let plain = try Reference.pool(input: input, size: size, stride: stride, ceil: ceil, mode: mode)
        #expect(plain == traced.output)
      }
    }
  }

  @Test func degenerateKernelsAndInputsHaveTheirOwnErrors() {
    let input = Tensor(shape: [1, 3, 3], repeating: 1)
    #expect(throws: ShapeError("the kernel has 0 filters (its shape is [0, 1, 2, 2]); give it at least one")) {
      try Reference.conv2D(input: input, weights: Tensor(shape: [0, 1, 2, 2], scalars: []))
    }
    #expect(throws: ShapeError("the input has no channels (its shape is [0, 3, 3])")) {
      try Reference.pool(input: Tensor(shape: [0, 3, 3], scalars: []), size: 2)
    }
  }

  @Test func traceCostsAreCountedWithoutOverflow() throws {
    let g = try ConvGeometry.convolution(
      inputH: 2000, inputW: 2000, kernelH: 3, kernelW: 3, options: ConvOptions())
    let bytes = try #require(
      Reference.conv2DTraceBytes(filters: 1, channels: 1, kernelH: 3, kernelW: 3, geometry: g))
    #expect(bytes > 2 * SizeLimits.memoryBudget)  // 1998² placements of 9 taps, over 500 bytes each
    #expect(Reference.conv2DTraceBytes(filters: Int.max, channels: 1, kernelH: 2, kernelW: 2, geometry: g) == nil)
  }

  @Test func countsAreDescribedAtAGlance() {
    #expect(SizeLimits.describe(count: 65536) == "65536")
    #expect(SizeLimits.describe(count: SizeLimits.referenceWork) == "1.0·10^9")
    #expect(SizeLimits.describe(count: 410_000_000_000) == "4.1·10^11")
  }
}
