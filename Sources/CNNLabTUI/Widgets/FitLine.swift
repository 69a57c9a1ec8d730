/// One line of fields that never cuts a field inside: when they do not all fit, whole fields
/// are left out, the least needed first, so a number, a clock or a word is either shown whole
/// or not at all. Headers, status lines and the key-hint bar are all drawn with it.
///
/// Leading fields go left to right from the start of the area; trailing fields end at its right
/// edge. A field that may be shortened (a message in a status line) is cut at a space and ends in
/// an ellipsis, so the cut is marked, when it is the one that does not fit.
public struct FitLine: Widget {
  /// A priority that is never left out for a lesser one (help, quit, a screen's name).
  public static let essential = Int.max

  public struct Field: Equatable, Sendable {
    public enum Alignment: Equatable, Sendable { case leading, trailing }

    /// Styled runs drawn one after the other (a key name, then what it does).
    public var parts: [(text: String, role: Role)]
    /// Higher stays longer; equal priorities leave the right-most out first.
    public var priority: Int
    /// Blank columns before the field when another field precedes it on its side.
    public var gap: Int
    public var alignment: Alignment
    /// Whether the field may be cut at a space (with an ellipsis) rather than left out.
    public var shortenable: Bool

    public init(
      _ parts: [(text: String, role: Role)], priority: Int = 0, gap: Int = 2, alignment: Alignment = .leading,
      shortenable: Bool = false
    ) {
      self.parts = parts
      self.priority = priority
      self.gap = gap
      self.alignment = alignment
      self.shortenable = shortenable
    }

    public init(
      _ text: String, role: Role = .normal, priority: Int = 0, gap: Int = 2, alignment: Alignment = .leading,
      shortenable: Bool = false
    ) {
      self.init([(text, role)], priority: priority, gap: gap, alignment: alignment, shortenable: shortenable)
    }

    public var text: String { parts.map(\.text).joined() }
    public var width: Int { parts.reduce(0) { $0 + $1.text.count } }

    public static func == (a: Field, b: Field) -> Bool {
      a.parts.map(\.text) == b.parts.map(\.text) && a.parts.map(\.role) == b.parts.map(\.role)
        && a.priority == b.priority && a.gap == b.gap && a.alignment == b.alignment && a.shortenable == b.shortenable
    }
  }

  public var fields: [Field]
  /// Fills the whole row first, when set (a title bar, the hint bar).
  public var fill: Role?
  /// Blank columns kept at the left and right ends of the area.
  public var margin: Int

  public init(_ fields: [Field], fill: Role? = nil, margin: Int = 0) {
    self.fields = fields
    self.fill = fill
    self.margin = margin
  }

  /// What is drawn: each shown field's index and text (shortened ones end in an ellipsis).
  public struct Placement: Equatable, Sendable {
    public var index: Int
    public var x: Int
    public var parts: [String]
  }

  /// Which fields fit in `width` columns, and where (columns from the area's left edge).
  public func place(width: Int, ellipsis: Character = "…") -> [Placement] {
    let room = width - 2 * margin
    var shown = Array(fields.indices)
    var shortened: (index: Int, parts: [String])?
    func used(_ indices: [Int]) -> Int {
      var total = 0
      var seen: Set<Field.Alignment> = []
      for i in indices {
        let field = fields[i]
        if seen.contains(field.alignment) { total += field.gap }
        seen.insert(field.alignment)
        total += i == shortened?.index ? shortened!.parts.reduce(0) { $0 + $1.count } : field.width
      }
      // Two columns at least between the leading and the trailing fields.
      if seen.count == 2 { total += 2 }
      return total
    }
    while !shown.isEmpty && used(shown) > room {
      // The least needed field, right-most among equals.
      let drop = shown.indices.min { a, b in
        let (pa, pb) = (fields[shown[a]].priority, fields[shown[b]].priority)
        return pa != pb ? pa < pb : a > b
      }!
      let index = shown[drop]
      if fields[index].shortenable, shortened?.index != index {
        shortened = (index, [])
        let others = used(shown)  // with this field counted as empty
        if let parts = FitLine.shorten(fields[index].parts.map(\.text), to: room - others, ellipsis: ellipsis) {
          shortened = (index, parts)
          continue
        }
        shortened = nil
      }
      shown.remove(at: drop)
    }
    var placements: [Placement] = []
    var x = margin
    var first = true
    for i in shown where fields[i].alignment == .leading {
      if !first { x += fields[i].gap }
      first = false
      let parts = i == shortened?.index ? shortened!.parts : fields[i].parts.map(\.text)
      placements.append(Placement(index: i, x: x, parts: parts))
      x += parts.reduce(0) { $0 + $1.count }
    }
    let trailing = shown.filter { fields[$0].alignment == .trailing }
    var right = width - margin
    for i in trailing.reversed() {
      let parts = i == shortened?.index ? shortened!.parts : fields[i].parts.map(\.text)
      right -= parts.reduce(0) { $0 + $1.count }
      placements.append(Placement(index: i, x: right, parts: parts))
      right -= fields[i].gap
    }
    return placements.sorted { $0.x < $1.x }
  }

  /// `parts` cut after the last whole word that leaves room for the ellipsis in `width`
  /// columns; nil when not even one word fits.
  static func shorten(_ parts: [String], to width: Int, ellipsis: Character) -> [String]? {
    let text = parts.joined()
    guard width >= 2 else { return nil }
    let characters = Array(text)
    var cut = min(characters.count, width - 1)
    // Back to a space, so no word is cut inside.
    while cut > 0 && characters[cut] != " " { cut -= 1 }
    while cut > 0 && characters[cut - 1] == " " { cut -= 1 }
    guard cut > 0 else { return nil }
    var out: [String] = []
    var remaining = cut
    for part in parts {
      guard remaining > 0 else { break }
      out.append(String(part.prefix(remaining)))
      remaining -= min(remaining, part.count)
    }
    out[out.count - 1] += String(ellipsis)
    return out
  }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    guard !area.isEmpty else { return }
    let row = Rect(x: area.x, y: area.y, width: area.width, height: 1)
    if let fill { buffer.fill(row, role: fill) }
    let ellipsis: Character = buffer.glyphs.isUnicode ? "…" : "~"
    for placement in place(width: area.width, ellipsis: ellipsis) {
      var x = area.x + placement.x
      for (text, part) in zip(placement.parts, fields[placement.index].parts) {
        x = buffer.put(text, x: x, y: row.y, role: part.role, clip: row)
      }
    }
  }
}
