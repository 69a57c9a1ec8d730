/// One character cell of the screen: what is drawn and what it means.
public struct Cell: Equatable, Hashable, Sendable {
  public var character: Character
  public var role: Role

  public init(_ character: Character = " ", role: Role = .normal) {
    self.character = character
    self.role = role
  }
}

/// A width x height grid of cells that screens draw into; the backend shows it.
///
/// Every character takes exactly one cell: screens use single-width characters only (no CJK or
/// emoji). Drawing outside the buffer, or outside the `clip` rectangle given to `put`, is
/// silently cut off, so widgets never need to check bounds themselves.
public struct CellBuffer: Equatable, Sendable {
  public let width: Int
  public let height: Int
  /// What the terminal can show; widgets read `glyphs` and `capabilities.showsGreys` from it.
  public var capabilities: Capabilities
  /// Row-major: the cell at `(x, y)` is `cells[y * width + x]`.
  public private(set) var cells: [Cell]

  /// A buffer with every cell set to `fill` in `role`.
  public init(
    width: Int, height: Int, fill: Character = " ", role: Role = .normal,
    capabilities: Capabilities = .full
  ) {
    self.width = max(0, width)
    self.height = max(0, height)
    self.capabilities = capabilities
    self.cells = Array(
      repeating: Cell(CellBuffer.shown(fill, glyphs: capabilities.glyphs), role: role),
      count: self.width * self.height)
  }

  /// A buffer holding `lines` in `.normal`, as wide as the longest line (shorter ones are padded
  /// with spaces): handy for expected values in tests.
  public init(lines: [String], capabilities: Capabilities = .full) {
    let width = lines.map(\.count).max() ?? 0
    self.init(width: width, height: lines.count, capabilities: capabilities)
    for (y, line) in lines.enumerated() { put(line, x: 0, y: y) }
  }

  /// The whole buffer as a rectangle at the origin.
  public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }
  public var glyphs: Glyphs { capabilities.glyphs }

  /// A copy of the rows in `range` (clamped to the buffer), as a buffer of their own.
  public func rows(_ range: Range<Int>) -> CellBuffer {
    let rows = range.clamped(to: 0..<height)
    var copy = CellBuffer(width: width, height: rows.count, capabilities: capabilities)
    copy.cells = Array(cells[(rows.lowerBound * width)..<(rows.upperBound * width)])
    return copy
  }

  /// The cell at `(x, y)`; reading outside gives a blank cell and writing outside does nothing.
  public subscript(x x: Int, y y: Int) -> Cell {
    get {
      guard x >= 0, x < width, y >= 0, y < height else { return Cell() }
      return cells[y * width + x]
    }
    set {
      guard x >= 0, x < width, y >= 0, y < height else { return }
      cells[y * width + x] = Cell(CellBuffer.shown(newValue.character, glyphs: glyphs), role: newValue.role)
    }
  }

  /// Writes `string` on row `y` from column `x`, one character per cell, cut off at the edges of
  /// the buffer and of `clip`. Newlines and tabs are drawn as spaces, other control characters
  /// as a placeholder (see `shown`). Returns the column just after the string, whether or not it
  /// was all visible.
  @discardableResult
  public mutating func put(
    _ string: String, x: Int, y: Int, role: Role = .normal, clip: Rect? = nil
  ) -> Int {
    let bounds = clip.map { $0.intersection(area) } ?? area
    var column = x
    guard y >= bounds.y, y < bounds.maxY else { return x + string.count }
    let rowStart = y * width
    for character in string {
      if column >= bounds.maxX { column += 1; continue }
      if column >= bounds.x {
        cells[rowStart + column] = Cell(CellBuffer.shown(character, glyphs: glyphs), role: role)
      }
      column += 1
    }
    return column
  }

  /// Sets every cell of `rect` (clipped to the buffer) to `character` in `role`.
  public mutating func fill(_ rect: Rect, with character: Character = " ", role: Role = .normal) {
    let r = rect.intersection(area)
    let cell = Cell(CellBuffer.shown(character, glyphs: glyphs), role: role)
    for y in r.y..<r.maxY {
      for x in r.x..<r.maxX { cells[y * width + x] = cell }
    }
  }

  /// What a cell shows for `character`: the character itself, unless it holds a control code.
  ///
  /// Every write into the buffer goes through here, and the backend draws only the buffer, so no
  /// text from a file (a model's class names, a lesson, a file name in an error) can send the
  /// terminal an escape sequence: retitle the window, clear the screen, move the cursor. Newlines
  /// and tabs become spaces (text is laid out before it is put); every other C0 control, DEL and
  /// the C1 controls (U+0080-U+009F, which some terminals obey like ESC [) become `placeholder`.
  public static func shown(_ character: Character, glyphs: Glyphs) -> Character {
    guard character.unicodeScalars.contains(where: \.isTerminalControl) else { return character }
    let layout = character.unicodeScalars.allSatisfy { $0 == "\t" || $0 == "\n" || $0 == "\r" }
    return layout ? " " : placeholder(glyphs)
  }

  /// Stands in for a control character: visible, one cell wide, plainly not part of the text.
  static func placeholder(_ glyphs: Glyphs) -> Character { glyphs.isUnicode ? "\u{FFFD}" : "?" }

  /// Changes the role, but not the characters, of every cell in `rect` (clipped to the buffer).
  public mutating func setRole(_ role: Role, in rect: Rect) {
    let r = rect.intersection(area)
    for y in r.y..<r.maxY {
      for x in r.x..<r.maxX { cells[y * width + x].role = role }
    }
  }

  /// Each row as a string (trailing spaces kept, so every line is `width` long).
  public var lines: [String] {
    (0..<height).map { y in String(cells[(y * width)..<((y + 1) * width)].map(\.character)) }
  }

  /// Row `y` as one `Role.code` per cell, for checking highlights in tests.
  public func roleMap(row y: Int) -> String {
    guard y >= 0, y < height else { return "" }
    return String(cells[(y * width)..<((y + 1) * width)].map(\.role.code))
  }

  /// Every row's role codes: `roleMap(row:)` for each row.
  public var roleMaps: [String] { (0..<height).map { roleMap(row: $0) } }

  /// Row `y` as runs of equal roles, `(role, count)` left to right.
  public func roleRuns(row y: Int) -> [(role: Role, count: Int)] {
    guard y >= 0, y < height else { return [] }
    var runs: [(role: Role, count: Int)] = []
    for x in 0..<width {
      let role = cells[y * width + x].role
      if let last = runs.last, last.role == role {
        runs[runs.count - 1].count += 1
      } else {
        runs.append((role, 1))
      }
    }
    return runs
  }

  /// The cells that differ from `previous`, row by row, left to right: what a backend must
  /// redraw to turn the screen showing `previous` into this buffer. When the sizes differ
  /// every cell is returned.
  public func diff(from previous: CellBuffer) -> [(x: Int, y: Int, cell: Cell)] {
    var changes: [(x: Int, y: Int, cell: Cell)] = []
    guard previous.width == width, previous.height == height else {
      changes.reserveCapacity(cells.count)
      for y in 0..<height {
        for x in 0..<width { changes.append((x, y, cells[y * width + x])) }
      }
      return changes
    }
    cells.withUnsafeBufferPointer { new in
      previous.cells.withUnsafeBufferPointer { old in
        for index in 0..<new.count where new[index] != old[index] {
          changes.append((index % width, index / width, new[index]))
        }
      }
    }
    return changes
  }
}

extension Unicode.Scalar {
  /// Whether a terminal may take this scalar as a command rather than as text: a C0 control, DEL,
  /// or a C1 control (U+0080-U+009F, which some terminals obey like ESC [). The one rule for
  /// text from a file on its way to a terminal: the screens draw these as a placeholder
  /// (`CellBuffer.shown`), the command line writes them out as escapes.
  public var isTerminalControl: Bool { value < 0x20 || (0x7F...0x9F).contains(value) }
}
