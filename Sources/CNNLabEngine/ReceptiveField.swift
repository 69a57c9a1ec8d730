// N = input extent, F = kernel extent, P = padding before, D = dilation, S = stride (one axis).
// A chain of layers is read from the input towards the output: layer 0 sees the input.

/// The input positions along one axis that one output position of a chain of layers depends on.
///
/// Walking back through each layer, output position o reads input positions o·S + k·D − P for
/// every tap k < F. Composed over the chain, the field spans 1 + Σ (F−1)·D·jump positions, where
/// a layer's jump is the product of the strides before it: one step at that layer's input is
/// `jump` steps of the chain's input.
public struct ReceptiveSpan: Equatable, Sendable {
  /// The chain's input length.
  public var input: Int
  /// Every position the field reaches, padding included: it may start below 0 or end past
  /// `input`, where a layer reads zeros (or a partial pooling window hangs over the edge).
  public var extent: Range<Int>
  /// The input positions some tap of some window on the way reads, ascending. Padding read by
  /// a later layer depends on nothing, and dilation or a stride wider than the window can leave
  /// gaps, so these may be fewer than `clipped` holds.
  public var positions: [Int]
  /// The positions outside the input (below 0 or from `input` on) that the first layer's taps
  /// read on the way: the zeros of its padding this field takes in, ascending.
  public var padding: [Int]

  /// The field's size, `1 + Σ (F−1)·D·jump`.
  public var size: Int { extent.count }
  /// `extent` within the input.
  public var clipped: Range<Int> { extent.clamped(to: 0..<max(0, input)) }
  /// How many positions of the field lie outside the input, in padding.
  public var inPadding: Int { extent.count - clipped.count }
}

/// The input cells one output cell of a chain of 2-D layers (convolutions and poolings) depends
/// on: rows and columns are independent, so the cells are `rows.positions × cols.positions`.
public struct ReceptiveField: Equatable, Sendable {
  public var rows: ReceptiveSpan
  public var cols: ReceptiveSpan

  /// The field of output cell (`row`, `col`) of the last of `layers`, each given by the geometry
  /// the engine worked out for it (`ConvGeometry.convolution`, `ConvGeometry.pooling`), in order
  /// from the input. No layers: the cell is its own field.
  public static func of(row: Int, col: Int, through layers: [ConvGeometry]) -> ReceptiveField {
    ReceptiveField(
      rows: AxisGeometry.receptiveSpan(of: row, through: layers.map(\.rows)),
      cols: AxisGeometry.receptiveSpan(of: col, through: layers.map(\.cols)))
  }

  /// `height`×`width` of the field, padding included.
  public var height: Int { rows.size }
  public var width: Int { cols.size }

  /// Whether the output cell depends on input cell (`row`, `col`).
  public func contains(row: Int, col: Int) -> Bool {
    rows.positions.contains(row) && cols.positions.contains(col)
  }
}

extension AxisGeometry {
  /// The receptive field size of a chain along one axis: `1 + Σ (F−1)·D·jump`.
  public static func receptiveFieldSize(through axes: [AxisGeometry]) -> Int {
    var size = 1
    var jump = 1
    for axis in axes {
      size += (axis.kernel - 1) * axis.dilation * jump
      jump *= axis.stride
    }
    return size
  }

  /// The positions of the chain's input that output position `o` of the last of `axes` depends
  /// on. The sizes are the engine's (each at most `SizeLimits.largestSize`), and a chain is a few
  /// layers, so the arithmetic stays far inside an `Int`.
  public static func receptiveSpan(of o: Int, through axes: [AxisGeometry]) -> ReceptiveSpan {
    var lower = o
    var upper = o
    // The positions read at each layer's output, walked back one layer at a time; those in a
    // layer's padding read nothing further back.
    var reached: [Int] = [o]
    var padding: Set<Int> = []
    for axis in axes.reversed() {
      padding = []
      lower = axis.inputIndex(output: lower, tap: 0)
      upper = axis.inputIndex(output: upper, tap: axis.kernel - 1)
      var read = [Bool](repeating: false, count: max(0, axis.input))
      for position in reached {
        for tap in 0..<axis.kernel {
          let i = axis.inputIndex(output: position, tap: tap)
          if i >= 0 && i < axis.input { read[i] = true } else { padding.insert(i) }
        }
      }
      reached = read.indices.filter { read[$0] }
    }
    let input = axes.first?.input ?? o + 1
    return ReceptiveSpan(input: input, extent: lower..<(upper + 1), positions: reached, padding: padding.sorted())
  }
}
