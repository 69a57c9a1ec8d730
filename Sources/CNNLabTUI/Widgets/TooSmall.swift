/// What the run loop shows instead of a screen when the terminal is below its minimum size.
public struct TooSmall: Widget {
  public var required: (width: Int, height: Int)
  public var actual: (width: Int, height: Int)

  public init(required: (width: Int, height: Int), actual: (width: Int, height: Int)) {
    self.required = required
    self.actual = actual
  }

  /// The sentence shown, with `times` between the extents ("×" or "x").
  public func message(times: Character) -> String {
    "make the terminal at least \(required.width)\(times)\(required.height); "
      + "it is \(actual.width)\(times)\(actual.height)"
  }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    let text = message(times: buffer.glyphs.times)
    let lines = TextBlock.wrap(text, width: area.width)
    let top = area.y + max(0, (area.height - lines.count) / 2)
    for (row, line) in lines.enumerated() {
      buffer.put(line, x: area.x + (area.width - line.count) / 2, y: top + row, role: .accent, clip: area)
    }
  }
}
