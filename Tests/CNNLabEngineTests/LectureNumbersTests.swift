import CNNLabEngine
import Testing

// The numbers printed in the lecture notes, reproduced by the engine. The slides print the X/O
// maps truncated to two decimals (7/9 = 0.777… appears as 0.77), so these tests compare exact
// ninths, and separately check that truncating the engine's values gives the slide's digits.

/// The 9x9 X of the X/O lectures: +1 strokes on a −1 background.
let lectureX = Tensor([
  [-1, -1, -1, -1, -1, -1, -1, -1, -1],
  [-1, 1, -1, -1, -1, -1, -1, 1, -1],
  [-1, -1, 1, -1, -1, -1, 1, -1, -1],
  [-1, -1, -1, 1, -1, 1, -1, -1, -1],
  [-1, -1, -1, -1, 1, -1, -1, -1, -1],
  [-1, -1, -1, 1, -1, 1, -1, -1, -1],
  [-1, -1, 1, -1, -1, -1, 1, -1, -1],
  [-1, 1, -1, -1, -1, -1, -1, 1, -1],
  [-1, -1, -1, -1, -1, -1, -1, -1, -1],
])

let diagonalFeature = Tensor([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]])
let xCentreFeature = Tensor([[1, -1, 1], [-1, 1, -1], [1, -1, 1]])
let antiDiagonalFeature = Tensor([[-1, -1, 1], [-1, 1, -1], [1, -1, -1]])

/// A single (H, W) kernel as weights (1, 1, H, W).
func weights(_ kernel: Tensor) -> Tensor { kernel.reshaped([1, 1] + kernel.shape) }

/// A (1, H, W) or (H, W) result as rows.
func rows(_ t: Tensor) -> [[Float]] { t.reshaped(Array(t.shape.suffix(2))).rows }

/// Truncation to two decimals, the way the slides print the maps.
func truncated2(_ rows: [[Float]]) -> [[Double]] {
  rows.map { $0.map { (Double($0) * 100).rounded(.towardZero) / 100 } }
}

/// The normalised match of the lecture X with one feature.
func normalisedMatch(_ feature: Tensor) throws -> Tensor {
  try Reference.conv2D(
    input: lectureX, weights: weights(feature), options: ConvOptions(normalize: true))
}

@Suite struct XOFeatureMapTests {
  // Slides: "0.77 -0.11 0.11 0.33 0.55 -0.11 0.33 / -0.11 1.00 …" (seeds 001, 002, 003).
  static let diagonalNinths: [[Float]] = [
    [7, -1, 1, 3, 5, -1, 3], [-1, 9, -1, 3, -1, 1, -1], [1, -1, 9, -3, 1, -1, 5],
    [3, 3, -3, 5, -3, 3, 3], [5, -1, 1, -3, 9, -1, 1], [-1, 1, -1, 3, -1, 9, -1],
    [3, -1, 5, 3, 1, -1, 7],
  ]
  static let xCentreNinths: [[Float]] = [
    [3, -5, 1, -1, 1, -5, 3], [-5, 5, -5, 3, -5, 5, -5], [1, -5, 5, -7, 5, -5, 1],
    [-1, 3, -7, 9, -7, 3, -1], [1, -5, 5, -7, 5, -5, 1], [-5, 5, -5, 3, -5, 5, -5],
    [3, -5, 1, -1, 1, -5, 3],
  ]
  static let antiDiagonalNinths: [[Float]] = [
    [3, -1, 5, 3, 1, -1, 7], [-1, 1, -1, 3, -1, 9, -1], [5, -1, 1, -3, 9, -1, 1],
    [3, 3, -3, 5, -3, 3, 3], [1, -1, 9, -3, 1, -1, 5], [-1, 9, -1, 3, -1, 1, -1],
    [7, -1, 1, 3, 5, -1, 3],
  ]

  @Test func diagonalMapFirstRowIsInNinths() throws {
    let map = rows(try normalisedMatch(diagonalFeature))
    #expect(map[0] == [7, -1, 1, 3, 5, -1, 3].map { Float($0) / 9 })
  }

  @Test(arguments: [
    (diagonalFeature, diagonalNinths), (xCentreFeature, xCentreNinths),
    (antiDiagonalFeature, antiDiagonalNinths),
  ])
  func featureMapsMatchTheSlides(feature: Tensor, ninths: [[Float]]) throws {
    let map = try normalisedMatch(feature)
    #expect(map.shape == [1, 7, 7])
    #expect(rows(map) == ninths.map { $0.map { $0 / 9 } })
    // …and the raw sums (before dividing by 9) are the integers themselves.
    let sums = try Reference.conv2D(input: lectureX, weights: weights(feature))
    #expect(rows(sums) == ninths)
  }

  @Test func truncatedDiagonalMapPrintsAsTheSlide() throws {
    let slide: [[Double]] = [
      [0.77, -0.11, 0.11, 0.33, 0.55, -0.11, 0.33],
      [-0.11, 1.00, -0.11, 0.33, -0.11, 0.11, -0.11],
      [0.11, -0.11, 1.00, -0.33, 0.11, -0.11, 0.55],
      [0.33, 0.33, -0.33, 0.55, -0.33, 0.33, 0.33],
      [0.55, -0.11, 0.11, -0.33, 1.00, -0.11, 0.11],
      [-0.11, 0.11, -0.11, 0.33, -0.11, 1.00, -0.11],
      [0.33, -0.11, 0.55, 0.33, 0.11, -0.11, 0.77],
    ]
    #expect(truncated2(rows(try normalisedMatch(diagonalFeature))) == slide)
  }

  @Test func oneWindowIsMultiplyAddDivide() throws {
    // The slide's first window: nine products of +1, "(1+1+…+1)/9 = 1" — at output (1, 1).
    let trace = try Reference.conv2DTrace(
      input: lectureX, weights: weights(diagonalFeature), options: ConvOptions(normalize: true))
    let window = try #require(trace.placements.first { $0.outRow == 1 && $0.outCol == 1 })
    #expect(window.taps.map(\.product) == Array(repeating: 1, count: 9))
    #expect(window.sum == 9)
    #expect(window.value == 1)
    #expect(trace.placements.count == 49)
    #expect(trace.placements.map(\.value) == trace.output.scalars)
  }
}

@Suite struct PoolingAndReLUTests {
  @Test func maxPoolKeepsThePartialEdgeWindows() throws {
    let map = try normalisedMatch(diagonalFeature)
    let pooled = try Reference.pool(input: map, size: 2, stride: 2, ceil: true)
    #expect(pooled.shape == [1, 4, 4])
    #expect(rows(pooled)[0] == [9, 3, 5, 3].map { Float($0) / 9 })  // slide: 1.00 0.33 0.55 0.33
    #expect(
      truncated2(rows(pooled)) == [
        [1.00, 0.33, 0.55, 0.33], [0.33, 1.00, 0.33, 0.55], [0.55, 0.33, 1.00, 0.11],
        [0.33, 0.55, 0.11, 0.77],
      ])
    // Floor mode drops the last row and column: 3x3.
    #expect(try Reference.pool(input: map, size: 2, stride: 2).shape == [1, 3, 3])
  }

  @Test func pooledStackMatchesTheSlides() throws {
    let xCentre = try Reference.pool(input: try normalisedMatch(xCentreFeature), size: 2, ceil: true)
    #expect(
      truncated2(rows(xCentre)) == [
        [0.55, 0.33, 0.55, 0.33], [0.33, 1.00, 0.55, 0.11], [0.55, 0.55, 0.55, 0.11],
        [0.33, 0.11, 0.11, 0.33],
      ])
    let anti = try Reference.pool(input: try normalisedMatch(antiDiagonalFeature), size: 2, ceil: true)
    #expect(
      truncated2(rows(anti)) == [
        [0.33, 0.55, 1.00, 0.77], [0.55, 0.55, 1.00, 0.33], [1.00, 1.00, 0.11, 0.55],
        [0.77, 0.33, 0.55, 0.33],
      ])
  }

  @Test func reluZeroesTheNegativesOfTheMap() throws {
    let rectified = try normalisedMatch(diagonalFeature).activated(.relu)
    #expect(
      truncated2(rows(rectified))[0] == [0.77, 0, 0.11, 0.33, 0.55, 0, 0.33])
    #expect(rectified.scalars.allSatisfy { $0 >= 0 })
    #expect(rectified.scalars.filter { $0 == 0 }.count == 20)  // the 20 negative cells
  }
}

@Suite struct SmallGridTests {
  static let grid = Tensor([[5, 2, 3, 4], [6, 7, 8, 5], [4, 5, 4, 5], [1, 0, 2, 3]])
  static let kernel = Tensor([[1, 0], [1, -1]])

  @Test func fourByFourExample() throws {
    let out = try Reference.conv2D(input: Self.grid, weights: weights(Self.kernel))
    #expect(rows(out) == [[4, 1, 6], [5, 8, 7], [5, 3, 3]])
  }

  @Test func fourByFourAtStrideTwo() throws {
    let out = try Reference.conv2D(
      input: Self.grid, weights: weights(Self.kernel), options: ConvOptions(stride: 2))
    #expect(rows(out) == [[4, 6], [5, 3]])
  }

  /// Seed 004's feature detector slide. Its printed map has a 1 in the third row, third
  /// column; the window there holds a single 1 under a kernel 0, so the sum is 0.
  @Test func featureDetectorMapAndTheSlidesError() throws {
    let image = Tensor([
      [0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 1, 0, 0, 0], [0, 1, 0, 0, 0, 1, 0], [0, 0, 1, 1, 1, 0, 0],
      [0, 0, 0, 0, 0, 0, 0],
    ])
    let detector = Tensor([[0, 0, 1], [1, 0, 0], [0, 1, 1]])
    let out = rows(try Reference.conv2D(input: image, weights: weights(detector)))
    let slide: [[Float]] = [
      [0, 1, 0, 0, 0], [0, 1, 1, 1, 0], [1, 0, 1, 2, 1], [1, 4, 2, 1, 0], [0, 0, 1, 2, 1],
    ]
    var disagreements: [String] = []
    for r in 0..<5 {
      for c in 0..<5 where out[r][c] != slide[r][c] {
        disagreements.append("(\(r),\(c)) slide \(slide[r][c]) engine \(out[r][c])")
      }
    }
    #expect(disagreements == ["(2,2) slide 1.0 engine 0.0"])
  }
}

@Suite struct ConvolutionVersusCorrelationTests {
  static let step = Tensor(vector: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
  static let edge = Tensor(vector: [-1, 1])

  @Test func correlationMarksTheStepPositive() throws {
    let out = try Reference.conv1DTrace(signal: Self.step, kernel: Self.edge).output
    #expect(out.scalars == [0, 0, 0, 0, 1, 0, 0, 0, 0])
  }

  @Test func convolutionFlipsTheKernelAndTheSign() throws {
    let out = try Reference.conv1DTrace(signal: Self.step, kernel: Self.edge, mode: .convolve).output
    #expect(out.scalars == [0, 0, 0, 0, -1, 0, 0, 0, 0])
  }
}

@Suite struct ShapeArithmeticTests {
  @Test func sevenBySevenByThreeWithTwoFiltersAtStrideTwo() throws {
    let net = try Network("conv 2 3x3 stride 2", inputShape: [3, 7, 7])
    #expect(net.outputShape == [2, 3, 3])  // [7, 7, 3] -> [3, 3, 2] in (H, W, C) order
  }

  @Test func lectureKerasMNISTNetwork() throws {
    let net = try Network(
      "conv 32 5x5 same relu | maxpool 2 | conv 64 5x5 same relu | maxpool 2 | dense 1024 relu | dense 10",
      inputShape: [1, 28, 28])
    let counts = net.info.filter { $0.parameterCount > 0 }.map(\.parameterCount)
    #expect(counts == [832, 51_264, 3_212_288, 10_250])
    #expect(net.info.map(\.outputShape) == [
      [32, 28, 28], [32, 14, 14], [64, 14, 14], [64, 7, 7], [3136], [1024], [10],
    ])
  }

  @Test func denseVersusConvWeights() throws {
    let dense = try Network("dense 32 nobias", inputShape: [1, 10, 10])
    #expect(dense.parameterCount == 3_200)
    let conv = try Network("conv 32 3x3 nobias", inputShape: [1, 10, 10])
    #expect(conv.parameterCount == 288)
    // 256x256 RGB into 1,000 classes with one dense layer (no bias).
    #expect(3 * 256 * 256 * 1_000 == 196_608_000)
    let wide = try Network.plan(spec: NetworkSpec.parse("dense 1000 nobias"), inputShape: [3, 256, 256])
    #expect(wide.last?.parameterCount == 196_608_000)
  }

  @Test func strideOneTwoThreeOverNineByNine() throws {
    for (stride, size) in [(1, 7), (2, 4), (3, 3)] {
      let g = try ConvGeometry.convolution(
        inputH: 9, inputW: 9, kernelH: 3, kernelW: 3, options: ConvOptions(stride: stride))
      #expect(g.outputHeight == size && g.outputWidth == size)
    }
  }

  @Test func workingAndUnusedCells() throws {
    let g = try ConvGeometry.convolution(
      inputH: 9, inputW: 9, kernelH: 3, kernelW: 3, options: ConvOptions(stride: 2))
    #expect(g.rows.working == "⌊(9 + 2·0 − 3)/2⌋ + 1 = 4")
    #expect(g.rows.unusedInputs == [])
    let g2 = try ConvGeometry.convolution(
      inputH: 4, inputW: 4, kernelH: 2, kernelW: 2, options: ConvOptions(stride: 3))
    #expect(g2.rows.output == 1 && g2.rows.unusedInputs == [2, 3])
    let same = try ConvGeometry.convolution(
      inputH: 9, inputW: 9, kernelH: 3, kernelW: 3, options: ConvOptions(padding: .same))
    #expect(same.outputHeight == 9 && same.rows.padBefore == 1 && same.rows.padAfter == 1)
  }

  @Test func aKernelThatDoesNotFitShowsTheWorking() {
    #expect(throws: ShapeError("conv 5x5 does not fit a 3x3 input: (3 + 2·0 − 5)/1 + 1 = −1")) {
      try ConvGeometry.convolution(
        inputH: 3, inputW: 3, kernelH: 5, kernelW: 5, options: ConvOptions())
    }
    #expect(throws: Network.BuildError.self) {
      try Network("conv 8 5x5", inputShape: [1, 3, 3])
    }
  }
}
