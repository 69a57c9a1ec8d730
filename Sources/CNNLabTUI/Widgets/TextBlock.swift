/// Prose word-wrapped to the width of its area, scrolled by whole lines.
///
/// Blank lines in `text` separate paragraphs and are kept; runs of spaces inside a paragraph
/// collapse to one, but a paragraph's leading spaces indent its first line. A word longer than
/// the width is broken across lines.
public struct TextBlock: Widget {
  public var text: String
  public var role: Role
  /// The first wrapped line shown (0 = the top).
  public var scrollOffset: Int
  /// Centre each line instead of starting it at the left edge.
  public var centered: Bool

  public init(_ text: String, role: Role = .normal, scrollOffset: Int = 0, centered: Bool = false) {
    self.text = text
    self.role = role
    self.scrollOffset = scrollOffset
    self.centered = centered
  }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    guard !area.isEmpty else { return }
    let lines = TextBlock.wrap(text, width: area.width)
    let first = max(0, scrollOffset)
    guard first < lines.count else { return }
    for (row, line) in lines[first..<min(lines.count, first + area.height)].enumerated() {
      let x = centered ? area.x + (area.width - line.count) / 2 : area.x
      buffer.put(line, x: x, y: area.y + row, role: role, clip: area)
    }
  }

  /// `text` broken into lines of at most `width` characters (none when `width` < 1).
  public static func wrap(_ text: String, width: Int) -> [String] {
    guard width > 0 else { return [] }
    var lines: [String] = []
    for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let indent = String(paragraph.prefix { $0 == " " }.prefix(max(0, width - 1)))
      // `length` tracks line.count, which String would recount from the start every time.
      var line = indent
      var length = indent.count
      var lineHasWord = false
      for word in paragraph.split(separator: " ") {
        var rest = Substring(word)
        var restLength = rest.count
        if length + (lineHasWord ? 1 : 0) + restLength <= width {
          if lineHasWord {
            line += " "
            length += 1
          }
          line += rest
          length += restLength
          lineHasWord = true
          continue
        }
        if lineHasWord {
          lines.append(line)
          line = ""
          length = 0
          lineHasWord = false
        }
        // The word starts a line; break it if it is still too long.
        while length + restLength > width {
          let room = width - length
          lines.append(line + rest.prefix(room))
          rest = rest.dropFirst(room)
          restLength -= room
          line = ""
          length = 0
        }
        if restLength > 0 {
          line += rest
          length += restLength
          lineHasWord = true
        }
      }
      lines.append(lineHasWord ? line : "")
    }
    return lines
  }
}
