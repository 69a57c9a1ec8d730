import CNNLabTraining
import Foundation

/// A line chart of one or more series, drawn with Braille dots (2x4 per cell) in Unicode, or
/// with one marker character per cell in ASCII. The y range is labelled on the left.
public struct LineChart: Widget {
  /// One line: points in data coordinates, drawn in `role`, and its ASCII marker.
  public struct Series: Equatable, Sendable {
    public var points: [(x: Double, y: Double)]
    public var role: Role
    public var marker: Character

    public init(points: [(x: Double, y: Double)], role: Role, marker: Character) {
      self.points = points
      self.role = role
      self.marker = marker
    }

    public static func == (a: Series, b: Series) -> Bool {
      a.role == b.role && a.marker == b.marker && a.points.count == b.points.count
        && zip(a.points, b.points).allSatisfy { $0.x == $1.x && $0.y == $1.y }
    }
  }

  public var series: [Series]
  public var xRange: ClosedRange<Double>
  public var yRange: ClosedRange<Double>
  /// How the axis labels print a y value.
  public var format: @Sendable (Double) -> String

  public init(
    series: [Series], xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
    format: @escaping @Sendable (Double) -> String = { String(format: "%.2f", $0) }
  ) {
    self.series = series
    self.xRange = xRange
    self.yRange = yRange
    self.format = format
  }

  /// The columns the y-axis labels take (label and the axis line).
  public var labelWidth: Int { max(format(yRange.upperBound).count, format(yRange.lowerBound).count) + 1 }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    let labels = labelWidth
    guard area.width > labels + 1, area.height >= 2 else { return }
    let g = buffer.glyphs
    let top = format(yRange.upperBound)
    let bottom = format(yRange.lowerBound)
    buffer.put(top, x: area.x + labels - 1 - top.count, y: area.y, role: .dim, clip: area)
    buffer.put(bottom, x: area.x + labels - 1 - bottom.count, y: area.maxY - 1, role: .dim, clip: area)
    for y in area.y..<area.maxY { buffer.put(String(g.vertical), x: area.x + labels - 1, y: y, role: .dim) }
    let plot = Rect(x: area.x + labels, y: area.y, width: area.width - labels, height: area.height)
    let braille = g.isUnicode
    let (dotsX, dotsY) = braille ? (2, 4) : (1, 1)
    let pw = plot.width * dotsX
    let ph = plot.height * dotsY
    var bits = [UInt8](repeating: 0, count: plot.width * plot.height)
    var owner = [Int](repeating: -1, count: plot.width * plot.height)
    for (index, line) in series.enumerated() {
      var previous: (x: Int, y: Int)?
      for point in line.points {
        guard point.x.isFinite, point.y.isFinite else { previous = nil; continue }
        let px = pixel(point.x, xRange, pw, flip: false)
        let py = pixel(point.y, yRange, ph, flip: true)
        // Each column between two points gets the span of the line across it, so steep and
        // sparse lines both stay connected.
        let from = previous ?? (px, py)
        let steps = max(1, abs(px - from.x))
        for k in 0...steps {
          let x = from.x + (px - from.x) * k / steps
          let y0 = from.y + (py - from.y) * k / steps
          let y1 = from.y + (py - from.y) * min(steps, k + 1) / steps
          // Up to the row before the next column's, so a diagonal stays one dot thick.
          let end = abs(y1 - y0) > 1 ? y1 - (y1 > y0 ? 1 : -1) : y0
          for y in min(y0, end)...max(y0, end) {
            let cell = (y / dotsY) * plot.width + x / dotsX
            guard cell >= 0, cell < bits.count else { continue }
            bits[cell] |= braille ? LineChart.dot(column: x % 2, row: y % 4) : 1
            owner[cell] = index
          }
        }
        previous = (px, py)
      }
    }
    for row in 0..<plot.height {
      for column in 0..<plot.width {
        let cell = row * plot.width + column
        guard bits[cell] != 0, owner[cell] >= 0 else { continue }
        let line = series[owner[cell]]
        let character: Character =
          braille ? Character(Unicode.Scalar(0x2800 + UInt32(bits[cell])) ?? " ") : line.marker
        buffer[x: plot.x + column, y: plot.y + row] = Cell(character, role: line.role)
      }
    }
  }

  private func pixel(_ v: Double, _ range: ClosedRange<Double>, _ count: Int, flip: Bool) -> Int {
    let span = range.upperBound - range.lowerBound
    let f = span > 0 ? (v - range.lowerBound) / span : 0.5
    let p = Int((min(1, max(0, f)) * Double(count - 1)).rounded())
    return flip ? count - 1 - p : p
  }

  /// The Braille bit of the dot at `column` (0, 1) and `row` (0...3) of a cell.
  static func dot(column: Int, row: Int) -> UInt8 {
    let left: [UInt8] = [0x01, 0x02, 0x04, 0x40]
    let right: [UInt8] = [0x08, 0x10, 0x20, 0x80]
    return column == 0 ? left[row] : right[row]
  }
}

/// A weight grid as coloured blocks on the diverging scale (negative and positive in two hues,
/// stronger for larger magnitudes), each weight `cellWidth` columns wide. Without colour each
/// weight shows its sign and a magnitude mark (`+#`, `-:`) so the picture survives `NO_COLOR`.
public struct Heatmap: Widget {
  public var values: [[Float]]
  /// The magnitude drawn strongest; the largest absolute value when nil.
  public var maxMagnitude: Float?
  public var cellWidth: Int

  public init(values: [[Float]], maxMagnitude: Float? = nil, cellWidth: Int = 2) {
    self.values = values
    self.maxMagnitude = maxMagnitude
    self.cellWidth = max(1, cellWidth)
  }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    let largest = maxMagnitude ?? values.joined().map { abs($0) }.filter(\.isFinite).max() ?? 0
    let coloured = buffer.capabilities.colorDepth != .monochrome
    let marks: [Character] = [".", ":", "*", "#"]
    for (r, row) in values.enumerated() {
      for (c, value) in row.enumerated() {
        let role = Role.diverging(Double(value), maxMagnitude: Double(largest))
        var text: String
        if coloured && buffer.glyphs.isUnicode {
          text = String(repeating: "█", count: cellWidth)
          if case .value(.zero, _) = role { text = String(repeating: "·", count: cellWidth) }
        } else {
          guard case .value(let polarity, let level) = role else { continue }
          let sign: Character = polarity == .negative ? "-" : (polarity == .positive ? "+" : " ")
          text = String(sign) + String(repeating: marks[level], count: cellWidth - 1)
          if cellWidth == 1 { text = polarity == .zero ? "." : String(sign) }
        }
        buffer.put(text, x: area.x + c * cellWidth, y: area.y + r, role: role, clip: area)
      }
    }
  }
}

/// Horizontal bars for class probabilities: `name ████▌   97.1%`, the largest in `.accent`.
public struct ProbabilityBars: Widget {
  public var names: [String]
  public var probabilities: [Float]
  /// The true class, marked with `<` when known.
  public var truth: Int?

  public init(names: [String], probabilities: [Float], truth: Int? = nil) {
    self.names = names
    self.probabilities = probabilities
    self.truth = truth
  }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    let nameWidth = min(12, names.map(\.count).max() ?? 1)
    let barWidth = max(1, area.width - nameWidth - 10)
    let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] }
    let full: Character = buffer.glyphs.isUnicode ? "█" : "#"
    for (i, p) in probabilities.enumerated() where i < area.height {
      let y = area.y + i
      let name = String(names[safe: i]?.prefix(nameWidth) ?? "\(i)")
      var x = buffer.put(name.padding(toLength: nameWidth, withPad: " ", startingAt: 0), x: area.x, y: y, clip: area)
      x += 1
      let value = p.isFinite ? Double(min(1, max(0, p))) : 0
      let filled = Int((value * Double(barWidth)).rounded())
      let role: Role = i == best ? .accent : .dim
      buffer.put(String(repeating: full, count: filled), x: x, y: y, role: role, clip: area)
      buffer.put(String(repeating: buffer.glyphs.middleDot, count: barWidth - filled), x: x + filled, y: y, role: .dim, clip: area)
      let percent = String(format: "%5.1f%%", value * 100)
      let end = buffer.put(" " + percent, x: x + barWidth, y: y, role: i == best ? .accent : .normal, clip: area)
      if i == truth { buffer.put(" <", x: end, y: y, role: .dim, clip: area) }
    }
  }
}

/// A confusion matrix: rows are the true class, columns the prediction; the diagonal (right)
/// in `.success`, the other non-zero counts in `.error`.
public struct ConfusionMatrix: Widget {
  public var counts: [[Int]]
  public var names: [String]
  /// The chosen cell `(truth, predicted)`, drawn reversed.
  public var selected: (row: Int, column: Int)?

  public init(counts: [[Int]], names: [String], selected: (row: Int, column: Int)? = nil) {
    self.counts = counts
    self.names = names
    self.selected = selected
  }

  /// The cell `(truth, predicted)` drawn at `(x, y)` relative to the matrix's top-left corner.
  public func cell(atX x: Int, y: Int) -> (row: Int, column: Int)? {
    let label = min(5, names.map(\.count).max() ?? 1) + 1
    let (row, column) = (y - 1, (x - label - 1) / columnWidth)
    guard x > label, row >= 0, row < counts.count, column < counts.count else { return nil }
    return (row, column)
  }

  /// Column width: the widest count or name (names cut to 5), plus a space.
  var columnWidth: Int {
    let widest = counts.joined().map { String($0).count }.max() ?? 1
    return max(widest, names.map { min(5, $0.count) }.max() ?? 1) + 1
  }

  public var size: (width: Int, height: Int) {
    let label = min(5, names.map(\.count).max() ?? 1) + 1
    return (label + 1 + columnWidth * counts.count, counts.count + 1)
  }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    let label = min(5, names.map(\.count).max() ?? 1) + 1
    let w = columnWidth
    func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
    for (j, name) in names.enumerated() {
      buffer.put(pad(String(name.prefix(5)), w), x: area.x + label + 1 + j * w, y: area.y, role: .dim, clip: area)
    }
    for (i, row) in counts.enumerated() {
      let y = area.y + 1 + i
      buffer.put(pad(String(names[safe: i]?.prefix(5) ?? "\(i)"), label), x: area.x, y: y, role: .dim, clip: area)
      buffer.put(String(buffer.glyphs.vertical), x: area.x + label, y: y, role: .dim, clip: area)
      for (j, count) in row.enumerated() {
        let chosen = selected.map { $0.row == i && $0.column == j } ?? false
        let role: Role = chosen ? .selection : i == j ? .success : (count > 0 ? .error : .dim)
        buffer.put(pad(String(count), w), x: area.x + label + 1 + j * w, y: y, role: role, clip: area)
      }
    }
  }
}
