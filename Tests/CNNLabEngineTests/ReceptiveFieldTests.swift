import CNNLabEngine
import Testing

// The receptive field against the textbook rule, 1 + Σ (F−1)·D·jump, and against brute force:
// the input cells each output cell reads, found by following the engine's own traced windows
// (`ConvTrace` taps, `PoolTrace` cells) back through conv → pool → conv.

@Suite struct ReceptiveFieldTests {
  /// One step of a chain as the tests build it.
  enum Layer {
    case conv(kernel: Int, stride: Int, dilation: Int, padding: Padding)
    case pool(size: Int, stride: Int, ceil: Bool)
  }

  /// Runs `layers` over an `h`×`w` input with the reference implementation and returns each
  /// layer's geometry and, for every cell of the last map, the input cells it read.
  static func bruteForce(_ layers: [Layer], h: Int, w: Int) throws -> (
    geometries: [ConvGeometry], reads: [[Set<[Int]>]]
  ) {
    var map = Tensor(shape: [1, h, w], scalars: (0..<(h * w)).map { Float($0 % 7) - 3 })
    // reads[r][c] of the current map: the input cells behind its cell (r, c).
    var reads: [[Set<[Int]>]] = (0..<h).map { r in (0..<w).map { c in [[r, c]] } }
    var geometries: [ConvGeometry] = []
    for layer in layers {
      var next: [[Set<[Int]>]]
      switch layer {
      case .conv(let k, let s, let d, let p):
        let trace = try Reference.conv2DTrace(
          input: map, weights: Tensor(shape: [1, 1, k, k], repeating: 1),
          options: ConvOptions(stride: s, dilation: d, padding: p))
        next = Array(repeating: Array(repeating: [], count: trace.geometry.outputWidth), count: trace.geometry.outputHeight)
        for placement in trace.placements {
          for tap in placement.taps where !tap.isPadding {
            next[placement.outRow][placement.outCol].formUnion(reads[tap.inputRow][tap.inputCol])
          }
        }
        geometries.append(trace.geometry)
        map = trace.output
      case .pool(let size, let s, let ceil):
        let trace = try Reference.poolTrace(input: map, size: size, stride: s, ceil: ceil)
        next = Array(repeating: Array(repeating: [], count: trace.geometry.outputWidth), count: trace.geometry.outputHeight)
        for placement in trace.placements {
          for cell in placement.cells {
            next[placement.outRow][placement.outCol].formUnion(reads[cell.row][cell.col])
          }
        }
        geometries.append(trace.geometry)
        map = trace.output
      }
      reads = next
    }
    return (geometries, reads)
  }

  /// Chains over a 13x11 input, with stride, dilation, padding and a ceil-mode pool.
  static let chains: [[Layer]] = [
    [.conv(kernel: 3, stride: 1, dilation: 1, padding: .valid), .pool(size: 2, stride: 2, ceil: false),
     .conv(kernel: 3, stride: 1, dilation: 1, padding: .valid)],
    [.conv(kernel: 3, stride: 2, dilation: 1, padding: .uniform(1)), .pool(size: 2, stride: 1, ceil: false),
     .conv(kernel: 2, stride: 1, dilation: 2, padding: .uniform(1))],
    [.conv(kernel: 2, stride: 1, dilation: 3, padding: .same), .pool(size: 3, stride: 2, ceil: true),
     .conv(kernel: 3, stride: 2, dilation: 1, padding: .uniform(2))],
    [.conv(kernel: 1, stride: 3, dilation: 1, padding: .valid), .pool(size: 2, stride: 2, ceil: true),
     .conv(kernel: 2, stride: 1, dilation: 1, padding: .valid)],
  ]

  @Test(arguments: chains.indices)
  func everyCellDependsOnExactlyItsFieldsCells(chain: Int) throws {
    let (geometries, reads) = try Self.bruteForce(Self.chains[chain], h: 13, w: 11)
    for (r, row) in reads.enumerated() {
      for (c, expected) in row.enumerated() {
        let field = ReceptiveField.of(row: r, col: c, through: geometries)
        let cells = Set(field.rows.positions.flatMap { y in field.cols.positions.map { [y, $0] } })
        #expect(cells == expected, "chain \(chain), cell (\(r), \(c))")
        // Every cell read lies inside the field's extent.
        #expect(field.rows.positions.allSatisfy(field.rows.clipped.contains))
        #expect(field.cols.positions.allSatisfy(field.cols.clipped.contains))
      }
    }
  }

  @Test(arguments: chains.indices)
  func theSizeIsOnePlusTheSumOfEachKernelsReachTimesItsJump(chain: Int) throws {
    let layers = Self.chains[chain]
    let (geometries, reads) = try Self.bruteForce(layers, h: 13, w: 11)
    // The rule written out from the layers as built, independently of the geometry.
    var size = 1
    var jump = 1
    for layer in layers {
      switch layer {
      case .conv(let k, let s, let d, _):
        size += (k - 1) * d * jump
        jump *= s
      case .pool(let k, let s, _):
        size += (k - 1) * jump
        jump *= s
      }
    }
    #expect(AxisGeometry.receptiveFieldSize(through: geometries.map(\.rows)) == size)
    for r in reads.indices {
      for c in reads[r].indices {
        let field = ReceptiveField.of(row: r, col: c, through: geometries)
        #expect(field.height == size && field.width == size)
      }
    }
  }

  @Test func knownFieldsOfStackedKernels() throws {
    // Two 3x3 convolutions see 5x5, three see 7x7: the reason for stacking small kernels.
    let two = try Self.bruteForce([.conv(kernel: 3, stride: 1, dilation: 1, padding: .valid), .conv(kernel: 3, stride: 1, dilation: 1, padding: .valid)], h: 9, w: 9)
    #expect(ReceptiveField.of(row: 0, col: 0, through: two.geometries).height == 5)
    let three = try Self.bruteForce(
      Array(repeating: .conv(kernel: 3, stride: 1, dilation: 1, padding: .valid), count: 3), h: 9, w: 9)
    #expect(ReceptiveField.of(row: 2, col: 1, through: three.geometries).width == 7)
    // conv 3x3, max-pool 2, conv 3x3: 1 + 2·1 + 1·1 + 2·2 = 8.
    let lenet = try Self.bruteForce(Self.chains[0], h: 13, w: 11)
    let field = ReceptiveField.of(row: 1, col: 0, through: lenet.geometries)
    #expect(field.height == 8 && field.rows.extent == 2..<10 && field.cols.extent == 0..<8)
    #expect(field.rows.inPadding == 0)
  }

  @Test func paddingIsCountedOutsideTheInput() throws {
    // A 3x3 kernel with one ring of padding: the corner cell's field is 3x3, one row and one
    // column of it in the padding.
    let chain = try Self.bruteForce([.conv(kernel: 3, stride: 1, dilation: 1, padding: .uniform(1))], h: 5, w: 5)
    let corner = ReceptiveField.of(row: 0, col: 0, through: chain.geometries)
    #expect(corner.rows.extent == -1..<2)
    #expect(corner.rows.clipped == 0..<2)
    #expect(corner.rows.inPadding == 1 && corner.cols.inPadding == 1)
    #expect(corner.rows.positions == [0, 1] && corner.rows.padding == [-1])
    #expect(corner.contains(row: 1, col: 1) && !corner.contains(row: 2, col: 0))
  }

  @Test func dilationLeavesGapsInTheCellsRead() throws {
    let chain = try Self.bruteForce([.conv(kernel: 3, stride: 1, dilation: 2, padding: .valid)], h: 7, w: 7)
    let field = ReceptiveField.of(row: 0, col: 1, through: chain.geometries)
    #expect(field.width == 5 && field.cols.extent == 1..<6)
    #expect(field.cols.positions == [1, 3, 5] && field.cols.padding.isEmpty)
  }

  @Test func noLayersIsTheCellItself() {
    let field = ReceptiveField.of(row: 2, col: 3, through: [])
    #expect(field.height == 1 && field.rows.positions == [2] && field.cols.positions == [3])
  }
}
