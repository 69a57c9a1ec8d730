import CNNLabEngine
import CNNLabTraining

/// A square image the learner draws on with a cursor or the mouse: brightness 0 (background)
/// to 1 (ink) per pixel. On canvases of 16 pixels or more the brush has a size, 1 to 3 pixels
/// (`brushSize`): 1 inks one pixel, 2 (the start) inks the pixel under the cursor fully and
/// its neighbours partly, like a pen stroke in MNIST, and 3 inks a 3x3 square fully with a soft
/// edge around it. Small canvases (X/O) ink one pixel at a time.
public struct DigitCanvas: Equatable, Sendable {
  public let rows: Int
  public let columns: Int
  public private(set) var pixels: [Float]
  public private(set) var cursor = (row: 0, column: 0)
  /// Bumped by every change of the pixels.
  public private(set) var revision = 0
  /// How wide a stroke the brush paints, 1 to 3 pixels (always 1 on a small canvas).
  public private(set) var brushSize: Int
  public static let brushSizes = 1...3

  public init(rows: Int, columns: Int) {
    self.rows = max(1, rows)
    self.columns = max(1, columns)
    pixels = Array(repeating: 0, count: self.rows * self.columns)
    cursor = (self.rows / 2, self.columns / 2)
    brushSize = self.rows >= 16 ? 2 : 1
  }

  /// The next brush size (1, 2, 3, then 1 again); false on a small canvas, whose brush is one pixel.
  @discardableResult
  public mutating func nextBrushSize() -> Bool {
    guard softBrush else { return false }
    brushSize = brushSize % DigitCanvas.brushSizes.upperBound + 1
    return true
  }

  /// Copies `image` (rows x columns, ink 0...1) onto the canvas, to edit it.
  public mutating func load(_ image: [Float]) {
    precondition(image.count == rows * columns, "\(image.count) pixels for a \(rows)x\(columns) canvas")
    let clamped = image.map { min(1, max(0, $0.isFinite ? $0 : 0)) }
    guard clamped != pixels else { return }
    pixels = clamped
    revision += 1
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
  /// the way, so a fast mouse drag or a held arrow key leaves an unbroken stroke.
  public mutating func stroke(toRow row: Int, column: Int, erasing: Bool = false) {
    let target = (row: min(rows - 1, max(0, row)), column: min(columns - 1, max(0, column)))
    for pixel in DigitCanvas.line(from: cursor, to: target) {
      cursor = pixel
      if erasing { erase() } else { paint() }
    }
  }

  /// The pixels of the straight line from `a` to `b`, both ends included, in order (Bresenham:
  /// whole-number steps along the longer axis, the error term deciding each step of the other).
  /// A line and its reverse cover the same pixels: it is always traced from the smaller end.
  public static func line(
    from a: (row: Int, column: Int), to b: (row: Int, column: Int)
  ) -> [(row: Int, column: Int)] {
    let reversed = (b.row, b.column) < (a.row, a.column)
    let (start, end) = reversed ? (b, a) : (a, b)
    let dx = abs(end.column - start.column)
    let dy = -abs(end.row - start.row)
    let sx = start.column < end.column ? 1 : -1
    let sy = start.row < end.row ? 1 : -1
    var (x, y) = (start.column, start.row)
    var error = dx + dy
    var points: [(row: Int, column: Int)] = []
    while true {
      points.append((y, x))
      if x == end.column && y == end.row { break }
      let e2 = 2 * error
      if e2 >= dy {
        error += dy
        x += sx
      }
      if e2 <= dx {
        error += dx
        y += sy
      }
    }
    return reversed ? points.reversed() : points
  }

  public mutating func clear() {
    guard !isBlank else { return }
    pixels = Array(repeating: 0, count: rows * columns)
    revision += 1
  }

  private mutating func stamp(_ combine: (Float, Float) -> Float) {
    let brush = DigitCanvas.brush(size: softBrush ? brushSize : 1)
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

  /// The ink a brush of `size` puts around the cursor: `(row offset, column offset, ink)`.
  static func brush(size: Int) -> [(Int, Int, Float)] {
    let offsets = (-2...2).flatMap { dr in (-2...2).map { dc in (dr, dc) } }
    return offsets.compactMap { dr, dc in
      let d = max(abs(dr), abs(dc))  // 0 the cursor, 1 the ring around it, 2 the next
      let corner = abs(dr) == abs(dc) && d > 0
      let ink: Float =
        switch size {
        case 1: d == 0 ? 1 : 0
        case 2: d == 0 ? 1 : d == 1 ? (corner ? 0.25 : 0.6) : 0
        default: d <= 1 ? 1 : (abs(dr) == 2 && abs(dc) == 2 ? 0 : (abs(dr) + abs(dc) == 2 ? 0.6 : 0.25))
        }
      return ink > 0 ? (dr, dc, ink) : nil
    }
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
