/// A rectangle of cells: `x`, `y` is the top-left corner; empty when either extent is 0.
public struct Rect: Equatable, Hashable, Sendable, CustomStringConvertible {
  public var x: Int
  public var y: Int
  public var width: Int
  public var height: Int

  /// A rectangle; negative extents become 0.
  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = max(0, width)
    self.height = max(0, height)
  }

  /// One past the right-most column.
  public var maxX: Int { x + width }
  /// One past the bottom row.
  public var maxY: Int { y + height }
  public var isEmpty: Bool { width == 0 || height == 0 }
  public var description: String { "\(width)x\(height)@\(x),\(y)" }

  public func contains(x px: Int, y py: Int) -> Bool {
    px >= x && px < maxX && py >= y && py < maxY
  }

  /// The cells in both rectangles (empty, at `self`'s corner, when they do not overlap).
  public func intersection(_ other: Rect) -> Rect {
    let left = max(x, other.x)
    let top = max(y, other.y)
    let right = min(maxX, other.maxX)
    let bottom = min(maxY, other.maxY)
    guard right > left, bottom > top else { return Rect(x: x, y: y, width: 0, height: 0) }
    return Rect(x: left, y: top, width: right - left, height: bottom - top)
  }

  /// Shrinks every side by `amount` (never below empty).
  public func inset(by amount: Int) -> Rect {
    inset(horizontal: amount, vertical: amount)
  }

  /// Shrinks the left and right sides by `horizontal` and the top and bottom by `vertical`.
  public func inset(horizontal: Int, vertical: Int) -> Rect {
    let dx = min(horizontal, width / 2)
    let dy = min(vertical, height / 2)
    return Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
  }

  /// The top `rows` rows (at most all of them) and the rest.
  public func splitTop(_ rows: Int) -> (top: Rect, rest: Rect) {
    let n = min(max(0, rows), height)
    return (Rect(x: x, y: y, width: width, height: n), Rect(x: x, y: y + n, width: width, height: height - n))
  }

  /// The bottom `rows` rows (at most all of them) and the rest.
  public func splitBottom(_ rows: Int) -> (rest: Rect, bottom: Rect) {
    let n = min(max(0, rows), height)
    return (
      Rect(x: x, y: y, width: width, height: height - n),
      Rect(x: x, y: maxY - n, width: width, height: n)
    )
  }

  /// The left `columns` columns (at most all of them) and the rest.
  public func splitLeft(_ columns: Int) -> (left: Rect, rest: Rect) {
    let n = min(max(0, columns), width)
    return (Rect(x: x, y: y, width: n, height: height), Rect(x: x + n, y: y, width: width - n, height: height))
  }

  /// The right `columns` columns (at most all of them) and the rest.
  public func splitRight(_ columns: Int) -> (rest: Rect, right: Rect) {
    let n = min(max(0, columns), width)
    return (
      Rect(x: x, y: y, width: width - n, height: height),
      Rect(x: maxX - n, y: y, width: n, height: height)
    )
  }

  /// How a `split` shares out space along one axis.
  public enum Size: Equatable, Sendable {
    /// Exactly this many cells (less if there is not enough room).
    case fixed(Int)
    /// A share of whatever the fixed sizes leave, in proportion to the weight.
    case fill(Int)
    /// Shorthand for `.fill(1)`.
    public static let fill = Size.fill(1)
  }

  /// Splits into consecutive rows (`.vertical`) or columns (`.horizontal`), one per size, with
  /// `gap` cells between them. Fixed sizes are served first, in order; fills share the rest,
  /// and any remainder from rounding goes to the last fill.
  public func split(_ axis: Axis, _ sizes: [Size], gap: Int = 0) -> [Rect] {
    let total = axis == .vertical ? height : width
    var remaining = max(0, total - max(0, gap) * max(0, sizes.count - 1))
    var extents = Array(repeating: 0, count: sizes.count)
    for (index, size) in sizes.enumerated() {
      if case .fixed(let n) = size {
        extents[index] = min(max(0, n), remaining)
        remaining -= extents[index]
      }
    }
    let weights = sizes.map { size -> Int in if case .fill(let w) = size { max(0, w) } else { 0 } }
    let weightSum = weights.reduce(0, +)
    if weightSum > 0 {
      var handedOut = 0
      var lastFill = 0
      for (index, weight) in weights.enumerated() where weight > 0 {
        extents[index] = remaining * weight / weightSum
        handedOut += extents[index]
        lastFill = index
      }
      extents[lastFill] += remaining - handedOut
    }
    var rects: [Rect] = []
    var offset = axis == .vertical ? y : x
    for extent in extents {
      rects.append(
        axis == .vertical
          ? Rect(x: x, y: offset, width: width, height: extent)
          : Rect(x: offset, y: y, width: extent, height: height))
      offset += extent + max(0, gap)
    }
    return rects
  }

  /// A rectangle of at most `width` x `height` centred in this one.
  public func centered(width w: Int, height h: Int) -> Rect {
    let cw = min(max(0, w), width)
    let ch = min(max(0, h), height)
    return Rect(x: x + (width - cw) / 2, y: y + (height - ch) / 2, width: cw, height: ch)
  }

  /// The direction of a `split`.
  public enum Axis: Sendable {
    /// Rows, top to bottom.
    case vertical
    /// Columns, left to right.
    case horizontal
  }
}
