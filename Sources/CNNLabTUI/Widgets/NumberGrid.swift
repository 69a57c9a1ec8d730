import CNNLabEngine

/// A cell of a grid, by row and column from the top-left (0-based).
public struct GridPoint: Hashable, Sendable {
  public var row: Int
  public var column: Int

  public init(row: Int, column: Int) {
    self.row = row
    self.column = column
  }
}

/// A block of grid cells: the top-left cell and the number of rows and columns.
public struct GridRect: Hashable, Sendable {
  public var row: Int
  public var column: Int
  public var rows: Int
  public var columns: Int

  public init(row: Int, column: Int, rows: Int, columns: Int) {
    self.row = row
    self.column = column
    self.rows = rows
    self.columns = columns
  }

  public func contains(_ point: GridPoint) -> Bool {
    point.row >= row && point.row < row + rows && point.column >= column && point.column < column + columns
  }
}

/// A matrix of numbers in right-aligned columns of equal width, with the kernel window, the
/// current output cell and padding highlighted, and the other values coloured on a diverging
/// scale (negative, zero, positive; stronger as they near the largest magnitude).
///
/// Each column is `cellWidth` characters wide, the number at its right edge, so `[[1, 2, 3]]`
/// draws as `"  1  2  3"`. Highlights cover whole cells. A grid larger than its area is cut
/// off at the right and bottom; `firstRow`/`firstColumn` scroll it.
public struct NumberGrid: Widget {
  /// The values, row by row; every row should have the same length.
  public var values: [[Float]]
  /// Digits after the point; `nil` shows integers when every value is whole, otherwise 2.
  public var decimals: Int?
  /// Characters per column; `nil` is the widest number plus one, and at least 3.
  public var cellWidth: Int?
  /// The input cells under the kernel (`.kernelWindow`).
  public var window: GridRect?
  /// The output cell being computed (`.outputCurrent`).
  public var current: GridPoint?
  /// How many rings of cells around the edge are zero padding (`.padding`).
  public var paddingWidth: Int
  /// Colour values on the diverging scale (`.value`); otherwise they are `.normal`.
  public var diverging: Bool
  /// The magnitude that gets the strongest colour; `nil` uses the largest in `values`.
  public var maxMagnitude: Float?
  /// Roles for particular cells; these win over every other highlight.
  public var cellRoles: [GridPoint: Role]
  /// Cells whose value is not shown yet (an output not computed so far): drawn as `·`, dim
  /// unless highlighted.
  public var hiddenCells: Set<GridPoint>
  /// The first row and column shown, for grids larger than their area.
  public var firstRow: Int
  public var firstColumn: Int

  public init(
    _ values: [[Float]], decimals: Int? = nil, cellWidth: Int? = nil, window: GridRect? = nil,
    current: GridPoint? = nil, paddingWidth: Int = 0, diverging: Bool = true,
    maxMagnitude: Float? = nil, cellRoles: [GridPoint: Role] = [:], hiddenCells: Set<GridPoint> = [],
    firstRow: Int = 0, firstColumn: Int = 0
  ) {
    self.values = values
    self.decimals = decimals
    self.cellWidth = cellWidth
    self.window = window
    self.current = current
    self.paddingWidth = paddingWidth
    self.diverging = diverging
    self.maxMagnitude = maxMagnitude
    self.cellRoles = cellRoles
    self.hiddenCells = hiddenCells
    self.firstRow = firstRow
    self.firstColumn = firstColumn
  }

  /// A grid from a 2-D tensor `(rows, columns)`.
  public init(_ tensor: Tensor) {
    precondition(tensor.shape.count == 2, "NumberGrid needs a 2-D tensor, not shape \(tensor.shape)")
    let columns = tensor.shape[1]
    self.init((0..<tensor.shape[0]).map { Array(tensor.scalars[($0 * columns)..<(($0 + 1) * columns)]) })
  }

  public var rowCount: Int { values.count }
  public var columnCount: Int { values.map(\.count).max() ?? 0 }

  /// The digits after the point actually used.
  public var resolvedDecimals: Int {
    if let decimals { return max(0, decimals) }
    let whole = values.allSatisfy { $0.allSatisfy { $0 == $0.rounded() && abs($0) < 1e9 } }
    return whole ? 0 : 2
  }

  /// The column width actually used, given the characters a number is written with.
  public func resolvedCellWidth(minus: Character = "-") -> Int {
    if let cellWidth { return max(1, cellWidth) }
    let d = resolvedDecimals
    let widest = values.lazy.flatMap { $0 }.map { NumberGrid.format($0, decimals: d, minus: minus).count }.max() ?? 1
    return max(3, widest + 1)
  }

  /// The cells the whole grid needs: `(columns * cellWidth, rows)`.
  public func size(minus: Character = "-") -> (width: Int, height: Int) {
    (columnCount * resolvedCellWidth(minus: minus), rowCount)
  }

  /// The role `point` is drawn in.
  public func role(at point: GridPoint, magnitude: Float) -> Role {
    if let role = cellRoles[point] { return role }
    if point == current { return .outputCurrent }
    if let window, window.contains(point) { return .kernelWindow }
    if paddingWidth > 0 {
      let fromEdge = min(point.row, point.column, rowCount - 1 - point.row, columnCount - 1 - point.column)
      if fromEdge < paddingWidth { return .padding }
    }
    guard diverging, point.row < values.count, point.column < values[point.row].count else { return .normal }
    return Role.diverging(Double(values[point.row][point.column]), maxMagnitude: Double(magnitude))
  }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    let minus = buffer.glyphs.minus
    let d = resolvedDecimals
    let width = resolvedCellWidth(minus: minus)
    let magnitude = maxMagnitude ?? values.lazy.flatMap { $0 }.map { abs($0) }.filter(\.isFinite).max() ?? 0
    for (screenRow, row) in (max(0, firstRow)..<max(max(0, firstRow), rowCount)).enumerated() {
      let y = area.y + screenRow
      if y >= area.maxY { break }
      for (screenColumn, column) in (max(0, firstColumn)..<max(max(0, firstColumn), values[row].count)).enumerated() {
        let x = area.x + screenColumn * width
        if x >= area.maxX { break }
        let point = GridPoint(row: row, column: column)
        let hidden = hiddenCells.contains(point)
        let text = hidden
          ? String(buffer.glyphs.middleDot) : NumberGrid.format(values[row][column], decimals: d, minus: minus)
        let padded = String(repeating: " ", count: max(0, width - text.count)) + text
        var role = role(at: point, magnitude: magnitude)
        if hidden, case .value = role { role = .dim }
        buffer.put(padded, x: x, y: y, role: role, clip: area)
      }
    }
  }

  /// `value` with `decimals` digits after the point, rounded half away from zero; negative
  /// numbers start with `minus`, and a value that rounds to zero has no sign.
  public static func format(_ value: Float, decimals: Int, minus: Character = "-") -> String {
    let v = Double(value)
    if v.isNaN { return "nan" }
    if v.isInfinite { return v < 0 ? "\(minus)inf" : "inf" }
    let d = min(max(0, decimals), 9)
    var scale = 1.0
    for _ in 0..<d { scale *= 10 }
    let scaled = (abs(v) * scale).rounded()
    guard scaled < 9e15 else { return (v < 0 ? String(minus) : "") + "\(abs(v))" }
    let units = Int64(scaled)
    let whole = units / Int64(scale)
    let fraction = units % Int64(scale)
    var text = String(whole)
    if d > 0 {
      let digits = String(fraction)
      text += "." + String(repeating: "0", count: d - digits.count) + digits
    }
    return units == 0 ? text : (v < 0 ? String(minus) + text : text)
  }
}
