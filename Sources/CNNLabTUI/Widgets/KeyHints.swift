/// A key and what it does, as shown by `KeyHintBar` and `HelpOverlay`.
public struct KeyHint: Equatable, Sendable {
  public var keys: [Key]
  public var keyLabel: String?
  public var summary: String

  public init(keys: [Key], keyLabel: String? = nil, summary: String) {
    self.keys = keys
    self.keyLabel = keyLabel
    self.summary = summary
  }

  public init<Action>(_ binding: KeyBinding<Action>) {
    self.init(keys: binding.keys, keyLabel: binding.keyLabel, summary: binding.summary)
  }

  /// The key names, for example "←/→" (or "<-/->" with ASCII glyphs).
  public func label(_ glyphs: Glyphs) -> String {
    keyLabel ?? keys.map { $0.label(glyphs) }.joined(separator: "/")
  }
}

/// The bottom line of a screen: the most useful keys, `key summary` pairs in order, as many as
/// fit whole. The row is filled in `.hint`, the key names in `.keyHint`.
public struct KeyHintBar: Widget {
  public var hints: [KeyHint]

  public init(_ hints: [KeyHint]) {
    self.hints = hints
  }

  /// The bindings of a key table that are marked for the hint bar.
  public init<Action>(bindings: [KeyBinding<Action>]) {
    self.init(bindings.filter(\.inHintBar).map(KeyHint.init))
  }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    guard !area.isEmpty else { return }
    let y = area.y
    buffer.fill(Rect(x: area.x, y: y, width: area.width, height: 1), role: .hint)
    var x = area.x + 1
    for hint in hints {
      let key = hint.label(buffer.glyphs)
      let needed = key.count + 1 + hint.summary.count
      if x + needed > area.maxX { break }
      x = buffer.put(key, x: x, y: y, role: .keyHint, clip: area)
      x = buffer.put(" " + hint.summary, x: x, y: y, role: .hint, clip: area)
      x += 3
    }
  }
}

/// A box in the middle of the screen listing every key of a key table and what it does.
public struct HelpOverlay: Widget {
  public var title: String
  public var hints: [KeyHint]
  /// A last line under the list, for example how to close the overlay.
  public var footer: String

  public init(title: String = "Keys", _ hints: [KeyHint], footer: String = "press any key to close") {
    self.title = title
    self.hints = hints
    self.footer = footer
  }

  public init<Action>(title: String = "Keys", bindings: [KeyBinding<Action>], footer: String = "press any key to close") {
    self.init(title: title, bindings.map(KeyHint.init), footer: footer)
  }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    let glyphs = buffer.glyphs
    let labels = hints.map { $0.label(glyphs) }
    let keyWidth = labels.map(\.count).max() ?? 0
    let summaryWidth = hints.map(\.summary.count).max() ?? 0
    let contentWidth = max(keyWidth + 3 + summaryWidth, footer.count, title.count + 2)
    // Border, a blank column each side; the list, a blank line, the footer.
    let box = area.centered(width: contentWidth + 4, height: hints.count + 4)
    Box(title: title).render(in: box, into: &buffer)
    let inner = Box.inner(box).inset(horizontal: 1, vertical: 0)
    let listRows = max(0, inner.height - 2)
    for (row, hint) in hints.prefix(listRows).enumerated() {
      let y = inner.y + row
      let padded = labels[row] + String(repeating: " ", count: keyWidth - labels[row].count)
      let x = buffer.put(padded, x: inner.x, y: y, role: .keyHint, clip: inner)
      buffer.put("   " + hint.summary, x: x, y: y, clip: inner)
    }
    if inner.height >= 1 {
      buffer.put(footer, x: inner.x, y: inner.maxY - 1, role: .dim, clip: inner)
    }
  }
}
