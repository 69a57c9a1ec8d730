import CNNLabEngine

/// A convolution's input drawn as conv_arithmetic draws it, for the lessons and the playground
/// alike: inside the convolution's padding (zeros, drawn as padding), with the rows and columns
/// no window reaches dimmed, and the cells a window or a receptive field reads lit wherever they
/// lie (a dilated window's taps spread out, with gaps between them).
struct DrawnInput: Equatable {
  /// The input's rows with the padding around them.
  var values: [[Float]]
  var roles: [GridPoint: Role]
  /// Rows and columns of padding before the input's first cell.
  var offset: (row: Int, column: Int)

  static func == (a: DrawnInput, b: DrawnInput) -> Bool {
    a.values == b.values && a.roles == b.roles && a.offset == b.offset
  }

  /// `rows` inside `geometry`'s padding; `lit(row, col)` (in the input's coordinates, so
  /// padding is below 0 or past the last row or column) says which cells are read.
  init(rows: [[Float]], geometry g: ConvGeometry, lit: (Int, Int) -> Bool) {
    let (top, left) = (g.rows.padBefore, g.cols.padBefore)
    let height = rows.count
    let width = rows.first?.count ?? 0
    let paddedRows = height + top + g.rows.padAfter
    let paddedCols = width + left + g.cols.padAfter
    var values = [[Float]](repeating: [Float](repeating: 0, count: paddedCols), count: paddedRows)
    var roles: [GridPoint: Role] = [:]
    let unusedRows = Set(g.rows.unusedInputs)
    let unusedCols = Set(g.cols.unusedInputs)
    for r in 0..<paddedRows {
      for c in 0..<paddedCols {
        let (ir, ic) = (r - top, c - left)
        let point = GridPoint(row: r, column: c)
        let inside = ir >= 0 && ir < height && ic >= 0 && ic < rows[ir].count
        if inside { values[r][c] = rows[ir][ic] }
        if lit(ir, ic) {
          roles[point] = .kernelWindow
        } else if !inside {
          roles[point] = .padding
        } else if unusedRows.contains(ir) || unusedCols.contains(ic) {
          roles[point] = .dim
        }
      }
    }
    self.values = values
    self.roles = roles
    self.offset = (top, left)
  }

  /// Whether the geometry pads the input at all.
  static func isPadded(_ g: ConvGeometry) -> Bool {
    g.rows.padBefore + g.rows.padAfter + g.cols.padBefore + g.cols.padAfter > 0
  }
}
