import CNNLabEngine

/// A small greyscale image drawn with square pixels: each pixel is two cells wide and one row
/// high, two shade characters (` ░▒▓█`, or ASCII ` .:-=+*#%@`) coloured in its grey, so the
/// picture reads both in colour and as plain text. Large images use `HalfBlockImage` instead,
/// which packs two pixel rows into one row of cells.
struct BlockImage: Widget {
  /// Brightness per pixel, 0 (black) to 1 (white), row by row.
  var pixels: [[Double]]
  /// Pixels not computed yet (an output being filled): drawn as a dim `·`.
  var hidden: Set<GridPoint> = []
  /// Pixels a question asks about: drawn as `?` until it is answered (a shade would give the
  /// value away).
  var asked: Set<GridPoint> = []

  /// Maps a 2-D grid's smallest value to black and its largest to white.
  init(_ rows: [[Float]]) {
    let values = rows.flatMap { $0 }.filter(\.isFinite)
    let low = values.min() ?? 0
    let high = values.max() ?? 1
    let span = high > low ? Double(high - low) : 1
    pixels = rows.map { $0.map { $0.isFinite ? Double($0 - low) / span : 0 } }
  }

  var size: (width: Int, height: Int) { (2 * (pixels.map(\.count).max() ?? 0), pixels.count) }

  /// Whether an image of `rows` is small enough to draw with square pixels.
  static func fits(_ rows: [[Float]]) -> Bool {
    rows.count <= 14 && (rows.map(\.count).max() ?? 0) <= 20
  }

  func render(in area: Rect, into buffer: inout CellBuffer) {
    for (row, line) in pixels.enumerated() where area.y + row < area.maxY {
      for (column, brightness) in line.enumerated() {
        let x = area.x + 2 * column
        if asked.contains(GridPoint(row: row, column: column)) {
          buffer.put(" ?", x: x, y: area.y + row, role: .field, clip: area)
          continue
        }
        if hidden.contains(GridPoint(row: row, column: column)) {
          buffer.put(" " + String(buffer.glyphs.middleDot), x: x, y: area.y + row, role: .dim, clip: area)
          continue
        }
        let level = Role.greyLevel(brightness)
        let glyph = buffer.glyphs.shade(brightness)
        buffer.put(String([glyph, glyph]), x: x, y: area.y + row, role: .grey(level), clip: area)
      }
    }
  }
}
