import CNNLabEngine
import CNNLabTraining

/// A square image the learner draws on with a cursor or the mouse: brightness 0 (background)
/// to 1 (ink) per pixel. A soft brush (on canvases of 16 pixels or more) inks the pixel under
/// the cursor fully and its neighbours partly, like a pen stroke in MNIST.
public struct DigitCanvas: Equatable, Sendable {
  public let rows: Int
  public let columns: Int
  public private(set) var pixels: [Float]
  public private(set) var cursor = (row: 0, column: 0)
  /// Bumped by every change of the pixels.
  public private(set) var revision = 0

  public init(rows: Int, columns: Int) {
    self.rows = max(1, rows)
    self.columns = max(1, columns)
    pixels = Array(repeating: 0, count: self.rows * self.columns)
    cursor = (self.rows / 2, self.columns / 2)
  }

  public static func == (a: DigitCanvas, b: DigitCanvas) -> Bool {
    a.pixels == b.pixels && a.cursor == b.cursor && a.rows == b.rows
  }

  public var softBrush: Bool { rows >= 16 }
  public var isBlank: Bool { pixels.allSatisfy { $0 == 0 } }

  public subscript(row: Int, column: Int) -> Float {
    guard row >= 0, row < rows, column >= 0, column < columns else { return 0 }
    return pixels[row * columns + column]
  }

  public mutating func moveCursor(rows dr: Int, columns dc: Int) {
    cursor = (min(rows - 1, max(0, cursor.row + dr)), min(columns - 1, max(0, cursor.column + dc)))
  }

  public mutating func moveCursor(toRow row: Int, column: Int) {
    cursor = (min(rows - 1, max(0, row)), min(columns - 1, max(0, column)))
  }

  /// Inks at the cursor (the brush never lightens a pixel).
  public mutating func paint() {
    stamp { current, weight in max(current, weight) }
  }

  /// Erases at the cursor with the same brush.
  public mutating func erase() {
    stamp { current, weight in max(0, current - weight) }
  }

  /// Moves the cursor to `(row, column)` in a straight line, inking (or erasing) every pixel on
  /// the way, so a fast mouse drag leaves an unbroken stroke.
  public mutating func stroke(toRow row: Int, column: Int, erasing: Bool = false) {
    let target = (min(rows - 1, max(0, row)), min(columns - 1, max(0, column)))
    let (r0, c0) = cursor
    let steps = max(abs(target.0 - r0), abs(target.1 - c0))
    for i in 0...steps {
      let t = steps == 0 ? 0 : Double(i) / Double(steps)
      // Rounding the position itself (never negative) makes a stroke and its reverse the same.
      cursor = (
        Int((Double(r0) + Double(target.0 - r0) * t).rounded()),
        Int((Double(c0) + Double(target.1 - c0) * t).rounded())
      )
      if erasing { erase() } else { paint() }
    }
  }

  public mutating func clear() {
    guard !isBlank else { return }
    pixels = Array(repeating: 0, count: rows * columns)
    revision += 1
  }

  private mutating func stamp(_ combine: (Float, Float) -> Float) {
    let brush: [(Int, Int, Float)] =
      softBrush
      ? [(0, 0, 1), (-1, 0, 0.6), (1, 0, 0.6), (0, -1, 0.6), (0, 1, 0.6), (-1, -1, 0.25), (-1, 1, 0.25), (1, -1, 0.25), (1, 1, 0.25)]
      : [(0, 0, 1)]
    var changed = false
    for (dr, dc, weight) in brush {
      let r = cursor.row + dr
      let c = cursor.column + dc
      guard r >= 0, r < rows, c >= 0, c < columns else { continue }
      let old = pixels[r * columns + c]
      let new = combine(old, weight)
      if new != old {
        pixels[r * columns + c] = new
        changed = true
      }
    }
    if changed { revision += 1 }
  }

  /// The drawing as a network input `(1, rows, columns)`, mapping ink 0...1 to `background...ink`.
  public func tensor(background: Float, ink: Float) -> Tensor {
    Tensor(shape: [1, rows, columns], scalars: pixels.map { background + (ink - background) * $0 })
  }

  /// The cells the canvas takes: two columns per pixel and one row per pixel on small canvases,
  /// half blocks (one column per pixel, two pixels per row) on large ones.
  public var cellSize: (width: Int, height: Int) {
    rows < 16 ? (columns * 2, rows) : (columns, (rows + 1) / 2)
  }

  /// The pixel under the cell at `(x, y)` relative to the canvas's top-left corner, if any.
  public func pixel(atCellX x: Int, y: Int) -> (row: Int, column: Int)? {
    let (row, column) = rows < 16 ? (y, x / 2) : (y * 2, x)
    guard x >= 0, y >= 0, row < rows, column < columns else { return nil }
    return (row, column)
  }
}

/// Draws a `DigitCanvas` with its cursor: ink is light on a dark background (as MNIST digits
/// are shown), in half blocks or grey blocks; shade characters in ASCII or without greys.
public struct CanvasView: Widget {
  public var canvas: DigitCanvas
  public var showsCursor: Bool

  public init(_ canvas: DigitCanvas, showsCursor: Bool = true) {
    self.canvas = canvas
    self.showsCursor = showsCursor
  }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    let greys = buffer.capabilities.showsGreys && buffer.glyphs.isUnicode
    let c = canvas
    if c.rows < 16 {
      for r in 0..<c.rows {
        for col in 0..<c.columns {
          let v = Double(c[r, col])
          let cursor = showsCursor && c.cursor == (r, col)
          let text: String
          let role: Role
          if greys {
            text = cursor ? "[]" : "██"
            role = cursor ? .editCursor : .grey(Role.greyLevel(0.12 + 0.88 * v))
          } else {
            let mark = buffer.glyphs.shade(v)
            text = cursor ? "[]" : String(repeating: mark == " " ? buffer.glyphs.middleDot : mark, count: 2)
            role = cursor ? .editCursor : (v > 0 ? .normal : .dim)
          }
          buffer.put(text, x: area.x + col * 2, y: area.y + r, role: role, clip: area)
        }
      }
      return
    }
    for cellRow in 0..<((c.rows + 1) / 2) {
      for col in 0..<c.columns {
        let top = Double(c[2 * cellRow, col])
        let bottom = Double(c[2 * cellRow + 1, col])
        let x = area.x + col
        let y = area.y + cellRow
        guard area.contains(x: x, y: y) else { continue }
        let cursor = showsCursor && c.cursor.column == col && c.cursor.row / 2 == cellRow
        if cursor {
          let glyph: Character = buffer.glyphs.isUnicode ? (c.cursor.row % 2 == 0 ? "▀" : "▄") : "@"
          buffer[x: x, y: y] = Cell(glyph, role: .editCursor)
        } else if greys {
          buffer[x: x, y: y] = Cell(
            "▀", role: .halfBlock(top: Role.greyLevel(0.1 + 0.9 * top), bottom: Role.greyLevel(0.1 + 0.9 * bottom)))
        } else {
          let mark = buffer.glyphs.shade((top + bottom) / 2)
          buffer[x: x, y: y] = Cell(mark == " " ? buffer.glyphs.middleDot : mark, role: (top + bottom) > 0 ? .normal : .dim)
        }
      }
    }
  }
}
