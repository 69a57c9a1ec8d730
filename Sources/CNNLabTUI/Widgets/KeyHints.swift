/// A key and what it does, as shown by `KeyHintBar` and `HelpOverlay`.
public struct KeyHint: Equatable, Sendable {
  public var keys: [Key]
  public var keyLabel: String?
  public var summary: String
  /// Higher stays longer in the hint bar; `FitLine.essential` always stays.
  public var priority: Int

  public init(keys: [Key], keyLabel: String? = nil, summary: String, priority: Int = 0) {
    self.keys = keys
    self.keyLabel = keyLabel
    self.summary = summary
    self.priority = priority
  }

  public init<Action>(_ binding: KeyBinding<Action>) {
    self.init(keys: binding.keys, keyLabel: binding.keyLabel, summary: binding.summary, priority: binding.priority)
  }

  /// The key names, for example "←/→" (or "<-/->" with ASCII glyphs).
  public func label(_ glyphs: Glyphs) -> String {
    keyLabel ?? keys.map { $0.label(glyphs) }.joined(separator: "/")
  }
}

/// The bottom line of a screen: `key summary` pairs in order, each whole. When they do not all
/// fit, the hints of lowest priority are left out first, so help and quit (`FitLine.essential`)
/// are always there. The row is filled in `.hint`, the key names in `.keyHint`.
public struct KeyHintBar: Widget {
  public var hints: [KeyHint]

  public init(_ hints: [KeyHint]) {
    self.hints = hints
  }

  /// The bindings of a key table that are marked for the hint bar, in their short form.
  public init<Action>(bindings: [KeyBinding<Action>]) {
    self.init(
      bindings.filter(\.inHintBar).map { binding in
        var hint = KeyHint(binding)
        if let short = binding.hint {
          hint.keyLabel = short.keys
          hint.summary = short.summary
        }
        return hint
      })
  }

  /// The line as fields, for `FitLine`.
  public func line(_ glyphs: Glyphs) -> FitLine {
    FitLine(
      hints.map { hint in
        FitLine.Field([(hint.label(glyphs), .keyHint), (" " + hint.summary, .hint)], priority: hint.priority, gap: 3)
      }, fill: .hint, margin: 1)
  }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    line(buffer.glyphs).render(in: area, into: &buffer)
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

  /// Drawn within `area`: a summary or footer too long for it wraps, under itself, rather than
  /// being cut.
  public func render(in area: Rect, into buffer: inout CellBuffer) {
    let glyphs = buffer.glyphs
    let labels = hints.map { $0.label(glyphs) }
    let keyWidth = labels.map(\.count).max() ?? 0
    let summaryWidth = hints.map(\.summary.count).max() ?? 0
    // Border, a blank column each side.
    let contentWidth = min(max(keyWidth + 3 + summaryWidth, footer.count, title.count + 2), max(1, area.width - 4))
    let summaryRoom = max(1, contentWidth - keyWidth - 3)
    let summaries = hints.map { TextBlock.wrap($0.summary, width: summaryRoom) }
    let footerLines = TextBlock.wrap(footer, width: contentWidth)
    let listHeight = summaries.reduce(0) { $0 + $1.count }
    // The list, a blank line, the footer.
    let box = area.centered(width: contentWidth + 4, height: listHeight + footerLines.count + 3)
    Box(title: title).render(in: box, into: &buffer)
    let inner = Box.inner(box).inset(horizontal: 1, vertical: 0)
    let listRows = max(0, inner.height - footerLines.count - 1)
    var y = inner.y
    for (index, lines) in summaries.enumerated() where y + lines.count <= inner.y + listRows {
      let padded = labels[index] + String(repeating: " ", count: keyWidth - labels[index].count)
      let x = buffer.put(padded, x: inner.x, y: y, role: .keyHint, clip: inner)
      for line in lines {
        buffer.put("   " + line, x: x, y: y, clip: inner)
        y += 1
      }
    }
    for (row, line) in footerLines.enumerated() {
      buffer.put(line, x: inner.x, y: inner.maxY - footerLines.count + row, role: .dim, clip: inner)
    }
  }
}
