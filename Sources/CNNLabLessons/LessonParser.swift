import CNNLabEngine

// The lesson parser: text in, `Lesson` or diagnostics out. It works a line at a time; a line
// with a problem becomes one diagnostic and parsing goes on with the next line, so one pass
// reports every independent mistake. Names are not resolved here (`LessonCheck` does that).

/// Parses lesson scripts (the format is described in `lessons/README.md`).
public enum LessonParser {
  /// The format version this parser reads.
  public static let formatVersion = 1

  /// Parses a lesson's text. `file` only labels diagnostics; grids `from` files are left
  /// unloaded for `Course.load` to fill in.
  public static func parse(_ text: String, file: String) throws(LessonDiagnostics) -> Lesson {
    var parser = Parser(text: text, file: file)
    parser.run()
    if !parser.diagnostics.isEmpty {
      throw LessonDiagnostics(parser.diagnostics.sorted { $0.location < $1.location })
    }
    return parser.lesson
  }
}

/// A problem on the current line.
struct ParseError: Error {
  var column: Int
  var message: String
  var note: String
}

/// The tokens of one line and a position in them.
struct Cursor {
  var tokens: [Token]
  var position = 0
  /// Operators read so far in expressions on this line (long chains are refused).
  var operators = 0
  let line: Int
  /// The column just after the last character, for "expected more" errors.
  let endColumn: Int

  init(tokens: [Token], line: Int, endColumn: Int) {
    self.tokens = tokens
    self.line = line
    self.endColumn = endColumn
  }

  var atEnd: Bool { position >= tokens.count }
  var peek: Token? { position < tokens.count ? tokens[position] : nil }
  /// The column of the next token, or the end of the line.
  var column: Int { peek?.column ?? endColumn }
  var here: SourceLocation { SourceLocation(line: line, column: column) }

  func location(_ token: Token) -> SourceLocation { SourceLocation(line: line, column: token.column) }

  mutating func next() -> Token? {
    guard let token = peek else { return nil }
    position += 1
    return token
  }

  func isWord(_ word: String) -> Bool { peek?.kind == .word && peek?.text == word }
  func isSymbol(_ symbol: String) -> Bool { peek?.kind == .symbol && peek?.text == symbol }

  mutating func skipWord(_ word: String) -> Bool {
    guard isWord(word) else { return false }
    position += 1
    return true
  }

  mutating func skipSymbol(_ symbol: String) -> Bool {
    guard isSymbol(symbol) else { return false }
    position += 1
    return true
  }

  /// What the next token is, for messages: `'foo'` or `the end of the line`.
  var found: String { peek.map { "'\($0.text)'" } ?? "the end of the line" }

  mutating func expectWord(_ word: String, note: String) throws(ParseError) {
    guard skipWord(word) else {
      throw ParseError(column: column, message: "expected '\(word)', found \(found)", note: note)
    }
  }

  mutating func expectSymbol(_ symbol: String, note: String) throws(ParseError) {
    guard skipSymbol(symbol) else {
      throw ParseError(column: column, message: "expected '\(symbol)', found \(found)", note: note)
    }
  }

  /// A name: a word that is not `end`.
  mutating func name(_ what: String) throws(ParseError) -> NameReference {
    guard let token = peek, token.kind == .word, token.text != "end" else {
      throw ParseError(
        column: column, message: "expected \(what), found \(found)",
        note: "names start with a letter and use letters, digits, '_' and '-'")
    }
    position += 1
    return NameReference(token.text, at: location(token))
  }

  /// Names separated by commas: `a, b, c`.
  mutating func nameList(_ what: String) throws(ParseError) -> [NameReference] {
    var names = [try name(what)]
    while skipSymbol(",") { names.append(try name(what)) }
    return names
  }

  mutating func string(_ what: String) throws(ParseError) -> String {
    guard let token = peek, case .string(let value) = token.kind else {
      throw ParseError(
        column: column, message: "expected \(what) in double quotes, found \(found)",
        note: "write text like \"this\"")
    }
    position += 1
    return value
  }

  /// A number with an optional leading minus: `-1`, `1/9`, `0.5`.
  mutating func number(_ what: String) throws(ParseError) -> LessonNumber {
    let negative = skipSymbol("-")
    guard let token = peek, case .number(let value) = token.kind else {
      throw ParseError(
        column: column, message: "expected \(what), found \(found)",
        note: "write a number like 2, -1, 0.5 or 1/9")
    }
    position += 1
    return LessonNumber(negative ? -value : value, text: (negative ? "-" : "") + token.text)
  }

  /// A whole number in `range`.
  mutating func integer(_ what: String, in range: ClosedRange<Int>) throws(ParseError) -> Int {
    let start = column
    let number = try number(what)
    guard number.value == number.value.rounded(), number.value >= Double(range.lowerBound),
      number.value <= Double(range.upperBound)
    else {
      throw ParseError(
        column: start, message: "\(what) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(number.text)",
        note: "write a whole number like \(max(range.lowerBound, min(2, range.upperBound)))")
    }
    return Int(number.value)
  }

  /// `2` or `2x1`: one value for both axes or rows x columns.
  mutating func pair(_ what: String, in range: ClosedRange<Int>) throws(ParseError) -> (Int, Int) {
    if let token = peek, case .shape(let shape) = token.kind {
      guard shape.count == 2, shape.allSatisfy(range.contains) else {
        throw ParseError(
          column: token.column, message: "\(what) '\(token.text)' must be one number or ROWSxCOLUMNS",
          note: "write it like 2 or 2x1, each from \(range.lowerBound) to \(range.upperBound)")
      }
      position += 1
      return (shape[0], shape[1])
    }
    let n = try integer(what, in: range)
    return (n, n)
  }

  /// A shape: `10`, `4x4`, `3x7x7`.
  mutating func shape(_ what: String) throws(ParseError) -> [Int] {
    if let token = peek, case .shape(let shape) = token.kind {
      position += 1
      return shape
    }
    if let token = peek, case .number(let value) = token.kind, value == value.rounded(), value >= 1,
      value <= 1_000_000, !token.text.contains("/"), !token.text.contains(".")
    {
      position += 1
      return [Int(value)]
    }
    throw ParseError(
      column: column, message: "expected \(what), found \(found)",
      note: "write a shape like 10, 4x4 or 3x7x7")
  }

  mutating func expectEnd() throws(ParseError) {
    guard let token = peek else { return }
    throw ParseError(
      column: token.column, message: "unexpected '\(token.text)' at the end of the line",
      note: "remove it, or start a new line for a new statement")
  }
}

/// Keywords that open a top-level block or set the header.
private let topLevelKeywords: Set<String> = ["format", "title", "grid", "kernel", "network", "step"]

/// Keywords of statements that live inside a step.
private let stepKeywords: Set<String> = [
  "say", "note", "erratum", "show", "working", "focus", "compute", "edit", "ask", "hint",
  "challenge", "goal", "solution",
  "convolve", "pool", "relu", "flatten", "dense", "softmax", "cross-entropy", "learn", "layers",
  "layout", "channel",
]

struct Parser {
  let file: String
  let lines: [String]
  var index = 0
  var diagnostics: [LessonDiagnostic] = []
  var lesson: Lesson
  /// Every name declared so far and where.
  var names: [String: SourceLocation] = [:]
  var sawTitle = false
  /// True after an `ask` line that could not be parsed, so its `hint` is not reported too.
  var askFailed = false
  /// Top-level keywords whose lines failed (so "no title" is not reported on top of them).
  var failedKeywords: Set<String> = []

  init(text: String, file: String) {
    self.file = file
    let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text  // a byte-order mark
    self.lines = lessonLines(text)
    self.lesson = Lesson(file: file, title: "")
  }

  // MARK: - Reporting

  mutating func report(_ location: SourceLocation, _ message: String, note: String) {
    diagnostics.append(LessonDiagnostic(file: file, at: location, message, note: note))
  }

  mutating func report(line: Int, _ error: ParseError) {
    report(SourceLocation(line: line, column: error.column), error.message, note: error.note)
  }

  /// Registers a new name; reports it when it is taken.
  mutating func declare(_ name: NameReference) {
    if let previous = names[name.name] {
      report(
        name.location, "'\(name.name)' is already a name, given at line \(previous.line)",
        note: "choose another name: every name is used once per lesson")
    } else {
      names[name.name] = name.location
    }
  }

  // MARK: - Lines

  /// The tokens of line `i` (0-based), or a diagnostic and nil when the line does not lex.
  mutating func cursor(at i: Int) -> Cursor? {
    let text = lines[i]
    do {
      let tokens = try LessonLexer.tokens(text)
      return Cursor(tokens: tokens, line: i + 1, endColumn: text.count + 1)
    } catch {
      report(SourceLocation(line: i + 1, column: error.column), error.message, note: error.note)
      return nil
    }
  }

  /// Whether line `i` holds nothing but spaces and comments.
  func isBlank(_ i: Int) -> Bool {
    for c in lines[i] {
      if c == "#" { return true }
      if c != " " && c != "\t" && c != "\r" { return false }
    }
    return true
  }

  /// The first word of line `i`, if it starts with one.
  func firstWord(_ i: Int) -> String? {
    let trimmed = lines[i].drop { $0 == " " || $0 == "\t" }
    let word = trimmed.prefix { LessonLexer.isLetter($0) || LessonLexer.isDigit($0) || $0 == "-" || $0 == "_" }
    guard let first = word.first, LessonLexer.isLetter(first) else { return nil }
    return String(word)
  }

  /// Whether line `i` is `end` (with optional spaces and a comment).
  func isEnd(_ i: Int) -> Bool {
    let content = lines[i].split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    return content.trimmingSpaces == "end"
  }

  /// The next line of a block that ends with `end`, with its tokens (blank lines and lines that
  /// do not lex are skipped); `.done` after the block's `end` (then `closed` is set) or at a
  /// top-level keyword or the end of the file, which are left for the caller.
  enum BlockLine {
    case line(Cursor, index: Int)
    case done
  }

  mutating func nextBlockLine(closed: inout Bool) -> BlockLine {
    while index < lines.count {
      let i = index
      if isEnd(i) {
        index += 1
        closed = true
        return .done
      }
      if let word = firstWord(i), topLevelKeywords.contains(word) { return .done }
      index += 1
      if isBlank(i) { continue }
      guard let line = cursor(at: i) else { continue }
      return .line(line, index: i)
    }
    return .done
  }

  // MARK: - Top level

  mutating func run() {
    guard readFormat() else { return }
    while index < lines.count {
      let i = index
      index += 1
      if isBlank(i) { continue }
      guard var cursor = cursor(at: i) else {
        if let word = firstWord(i) { failedKeywords.insert(word) }
        continue
      }
      guard let keyword = cursor.peek, keyword.kind == .word else {
        report(
          cursor.here, "expected a statement, found \(cursor.found)",
          note: "a lesson holds 'title', 'grid', 'kernel', 'network' and 'step' blocks")
        continue
      }
      _ = cursor.next()
      do throws(ParseError) {
        switch keyword.text {
        case "format":
          throw ParseError(
            column: keyword.column, message: "'format' appears twice",
            note: "keep only the first line 'format 1'")
        case "title":
          let title = try cursor.string("the lesson's title")
          try cursor.expectEnd()
          if sawTitle {
            throw ParseError(
              column: keyword.column, message: "the lesson has two titles",
              note: "keep one 'title' line")
          }
          sawTitle = true
          lesson.title = title
          lesson.titleLocation = cursor.location(keyword)
        case "grid":
          if let grid = try parseGridHeader(&cursor, keyword: keyword, isKernel: false) {
            lesson.grids.append(grid.grid)
          }
        case "kernel":
          if let kernel = try parseGridHeader(&cursor, keyword: keyword, isKernel: true) {
            lesson.kernels.append(kernel)
          }
        case "network":
          try parseNetwork(&cursor, keyword: keyword)
        case "step":
          try parseStep(&cursor, keyword: keyword)
        case "end":
          throw ParseError(
            column: keyword.column, message: "'end' without a block to close",
            note: "remove it, or check the block above for an extra 'end'")
        default:
          if stepKeywords.contains(keyword.text) {
            throw ParseError(
              column: keyword.column, message: "'\(keyword.text)' must be inside a step",
              note: "put it between 'step \"...\"' and 'end'")
          }
          throw ParseError(
            column: keyword.column, message: "unknown statement '\(keyword.text)'",
            note: didYouMean(keyword.text, among: Array(topLevelKeywords) + Array(stepKeywords))
              ?? "a lesson holds 'title', 'grid', 'kernel', 'network' and 'step' blocks")
        }
      } catch {
        failedKeywords.insert(keyword.text)
        report(line: i + 1, error)
      }
    }
    // A title or step line that failed has been reported already.
    if !sawTitle && !failedKeywords.contains("title") {
      report(
        SourceLocation(line: 1, column: 1), "the lesson has no title",
        note: "add a line 'title \"...\"' after 'format 1'")
    }
    if lesson.steps.isEmpty && !failedKeywords.contains("step") {
      report(
        SourceLocation(line: max(lines.count, 1), column: 1), "the lesson has no steps",
        note: "add at least one 'step \"...\"' ... 'end' block")
    }
  }

  /// Reads the `format 1` line; false when the file cannot be read as this format.
  mutating func readFormat() -> Bool {
    while index < lines.count, isBlank(index) { index += 1 }
    guard index < lines.count, let cursor = cursor(at: index) else {
      if index >= lines.count {
        report(
          SourceLocation(line: 1, column: 1), "the lesson is empty",
          note: "start the file with 'format 1', then 'title \"...\"' and the steps")
      }
      return false
    }
    var c = cursor
    guard c.skipWord("format") else {
      report(
        c.here, "a lesson starts with 'format 1'",
        note: "add the line 'format 1' at the top of the file")
      return false
    }
    let versionColumn = c.column
    guard let token = c.next(), case .number(let version) = token.kind, c.atEnd else {
      report(
        SourceLocation(line: index + 1, column: versionColumn), "expected a format number after 'format'",
        note: "write 'format 1'")
      return false
    }
    guard version == Double(LessonParser.formatVersion) else {
      report(
        SourceLocation(line: index + 1, column: versionColumn),
        "format \(token.text) is not one this cnnlab reads",
        note: "this cnnlab reads format \(LessonParser.formatVersion); write 'format 1' or update cnnlab")
      return false
    }
    index += 1
    return true
  }

  // MARK: - Grids and kernels

  /// Parses `grid|kernel NAME [SHAPE] [scale S] [from "path" | preset P]` and its body.
  mutating func parseGridHeader(
    _ cursor: inout Cursor, keyword: Token, isKernel: Bool
  ) throws(ParseError) -> KernelDeclaration? {
    let what = isKernel ? "kernel" : "grid"
    let headerLine = cursor.line
    let name = try cursor.name("the \(what)'s name")
    declare(name)
    var declaredShape: [Int]?
    if let token = cursor.peek, token.kind != .word {
      declaredShape = try cursor.shape("the \(what)'s shape")
      if let shape = declaredShape {
        guard (1...3).contains(shape.count), shape.allSatisfy({ $0 >= 1 }) else {
          throw ParseError(
            column: token.column, message: "a \(what) has 1, 2 or 3 axes, each at least 1, not \(token.text)",
            note: "write a shape like 10, 4x4 or 3x7x7")
        }
        guard checkedCount(shape) != nil else {
          throw ParseError(
            column: token.column, message: "the \(what) \(token.text) is too large",
            note: "a grid holds at most \(TextGrid.maxValues) values")
        }
      }
    }
    var scale: LessonNumber?
    var source: GridSource = .inline
    while let token = cursor.peek {
      if cursor.skipWord("scale") {
        let number = try cursor.number("the scale")
        scale = number
      } else if cursor.skipWord("from") {
        let location = cursor.here
        let path = try cursor.string("the file path")
        guard !path.isEmpty else {
          throw ParseError(
            column: location.column, message: "the file path is empty",
            note: "give a path under the repository, like \"assets/xo/x.grid\"")
        }
        source = .file(path: path, location: location)
      } else if isKernel, cursor.skipWord("preset") {
        let location = cursor.here
        let preset = try cursor.name("a preset name")
        guard KernelPreset.named(preset.name) != nil else {
          throw ParseError(
            column: location.column, message: "no preset named '\(preset.name)'",
            note: "the presets are: \(KernelPreset.namesList)")
        }
        source = .preset(name: preset.name, location: location)
      } else {
        let options = isKernel ? "'scale', 'from' or 'preset'" : "'scale' or 'from'"
        throw ParseError(
          column: token.column, message: "unexpected '\(token.text)' after the \(what)'s name",
          note: "write 'NAME SHAPE', then \(options)")
      }
    }
    let availableFromStep = lesson.steps.count
    switch source {
    case .file:
      return KernelDeclaration(
        grid: GridDeclaration(
          name: name, declaredShape: declaredShape, values: nil, shape: nil, scale: scale,
          source: source, availableFromStep: availableFromStep))
    case .preset(let presetName, _):
      guard let preset = KernelPreset.named(presetName) else { return nil }
      if let declaredShape, declaredShape != preset.shape {
        throw ParseError(
          column: keyword.column,
          message: "kernel '\(name.name)' is declared \(shapeText(declaredShape)) but preset '\(presetName)' is \(shapeText(preset.shape))",
          note: "leave out the shape, or write \(shapeText(preset.shape))")
      }
      if scale != nil {
        throw ParseError(
          column: keyword.column, message: "a preset kernel has its own scale",
          note: "remove 'scale' from this line")
      }
      return KernelDeclaration(
        grid: GridDeclaration(
          name: name, declaredShape: preset.shape, values: preset.values, shape: preset.shape,
          scale: preset.scale, source: source, availableFromStep: availableFromStep))
    case .inline:
      guard let declaredShape else {
        // Read the body anyway so its rows are not taken for statements.
        _ = readBody(opening: SourceLocation(line: headerLine, column: keyword.column), what: what, name: name.name)
        throw ParseError(
          column: cursor.endColumn, message: "the \(what) '\(name.name)' needs a shape",
          note: "write it after the name, like '\(what) \(name.name) 3x3'")
      }
      let body = readBody(opening: SourceLocation(line: headerLine, column: keyword.column), what: what, name: name.name)
      var presets: [NameReference] = []
      var rows: [TextGrid.Line] = []
      var sawRow = false
      for line in body {
        if !sawRow, isKernel, firstWord(line.number - 1) == "presets" {
          guard var presetCursor = self.cursor(at: line.number - 1) else { continue }
          _ = presetCursor.next()
          if presetCursor.atEnd {
            report(
              presetCursor.here, "'presets' lists no presets",
              note: "name presets after it, like 'presets identity sharpen'")
          }
          while let token = presetCursor.next() {
            guard token.kind == .word else {
              report(
                presetCursor.location(token), "expected a preset name, found '\(token.text)'",
                note: "the presets are: \(KernelPreset.namesList)")
              break
            }
            if KernelPreset.named(token.text) == nil {
              report(
                presetCursor.location(token), "no preset named '\(token.text)'",
                note: "the presets are: \(KernelPreset.namesList)")
            } else {
              presets.append(NameReference(token.text, at: presetCursor.location(token)))
            }
          }
          continue
        }
        if !isBlank(line.number - 1) { sawRow = true }
        rows.append(line)
      }
      var rowDiagnostics: [LessonDiagnostic] = []
      let parsed = TextGrid.parse(lines: rows, file: file, diagnostics: &rowDiagnostics)
      diagnostics += rowDiagnostics
      guard rowDiagnostics.isEmpty else { return nil }
      guard let parsed else {
        throw ParseError(
          column: keyword.column, message: "the \(what) '\(name.name)' has no rows",
          note: "write its rows between this line and 'end'")
      }
      if let problem = TextGrid.fit(parsed, to: declaredShape) {
        report(
          SourceLocation(line: headerLine, column: keyword.column),
          "\(what) '\(name.name)' is declared \(shapeText(declaredShape)) but \(problem)",
          note: "make the shape on this line match the rows, or fix the rows")
        return nil
      }
      if isKernel {
        for preset in presets {
          if let p = KernelPreset.named(preset.name), p.shape != declaredShape {
            report(
              preset.location,
              "preset '\(preset.name)' is \(shapeText(p.shape)) but kernel '\(name.name)' is \(shapeText(declaredShape))",
              note: "list only presets of the kernel's shape")
          }
        }
      }
      return KernelDeclaration(
        grid: GridDeclaration(
          name: name, declaredShape: declaredShape, values: parsed.values, shape: declaredShape,
          scale: scale, source: .inline, availableFromStep: availableFromStep),
        presets: presets)
    }
  }

  /// The lines of a block up to its `end`, which is consumed. A line that opens a new
  /// top-level block also ends it, with a diagnostic about the missing `end`.
  mutating func readBody(opening: SourceLocation, what: String, name: String) -> [TextGrid.Line] {
    var body: [TextGrid.Line] = []
    while index < lines.count {
      let i = index
      if isEnd(i) {
        index += 1
        return body
      }
      if let word = firstWord(i), topLevelKeywords.contains(word) || stepKeywords.contains(word),
        word != "presets"
      {
        break
      }
      body.append(TextGrid.Line(number: i + 1, text: lines[i]))
      index += 1
    }
    report(
      opening, "the \(what) '\(name)' has no 'end'",
      note: "add a line 'end' after its last row")
    return body
  }

  // MARK: - Networks

  mutating func parseNetwork(_ cursor: inout Cursor, keyword: Token) throws(ParseError) {
    let name = try cursor.name("the network's name")
    declare(name)
    let shapeColumn = cursor.column
    let inputShape = try cursor.shape("the network's input shape")
    try cursor.expectEnd()
    guard inputShape.count == 3 else {
      throw ParseError(
        column: shapeColumn, message: "a network's input is channels x rows x columns",
        note: "write it like 1x28x28")
    }
    let opening = SourceLocation(line: cursor.line, column: keyword.column)
    var layers: [NetworkLayer] = []
    var closed = false
    let reportedBefore = diagnostics.count
    lines: while true {
      guard case .line(var line, let i) = nextBlockLine(closed: &closed) else { break lines }
      layers += parseLayer(&line, text: lines[i])
    }
    if !closed {
      report(opening, "the network '\(name.name)' has no 'end'", note: "add a line 'end' after its last layer")
    }
    if layers.isEmpty && diagnostics.count == reportedBefore {
      throw ParseError(
        column: keyword.column, message: "the network '\(name.name)' has no layers",
        note: "write one layer per line, like 'conv 8 3x3 relu' or 'dense 10'")
    }
    lesson.networks.append(
      NetworkDeclaration(
        name: name, inputShape: inputShape, layers: layers, availableFromStep: lesson.steps.count))
  }

  /// A layer line: the `cnnlab train` network syntax (`conv 32 5x5 pad same relu`), or
  /// `softmax`; `dense 10 softmax` is read as `dense 10` followed by `softmax`.
  mutating func parseLayer(_ cursor: inout Cursor, text: String) -> [NetworkLayer] {
    let leading = text.prefix { $0 == " " || $0 == "\t" }.count
    var body = String(text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    let location = SourceLocation(line: cursor.line, column: leading + 1)
    var softmax = false
    var words = body.split(separator: " ", omittingEmptySubsequences: true)
    if words.last == "softmax" {
      softmax = true
      words.removeLast()
      body = String(body[..<(body.range(of: "softmax", options: .backwards)?.lowerBound ?? body.endIndex)])
    }
    var layers: [NetworkLayer] = []
    if !words.isEmpty {
      if body.contains("|") {
        report(
          SourceLocation(line: cursor.line, column: (body.firstIndex(of: "|").map { body.distance(from: body.startIndex, to: $0) } ?? 0) + 1),
          "write one layer per line", note: "put each layer of the network on a line of its own")
        return []
      }
      do {
        let spec = try NetworkSpec.parse(body)
        for item in spec.items {
          layers.append(NetworkLayer(.layer(item.layer), text: item.text, at: location))
        }
      } catch {
        report(
          SourceLocation(line: cursor.line, column: error.column), error.message,
          note: "layers are written as for 'cnnlab train': conv F KxK [stride S] [pad P] [relu], maxpool K [stride S] [ceil], avgpool K, relu, flatten, dense N [relu], softmax")
        return []
      }
    }
    if softmax {
      layers.append(NetworkLayer(.softmax, text: "softmax", at: location))
    }
    return layers
  }

  mutating func parsePadding(_ cursor: inout Cursor) throws(ParseError) -> PaddingSpec {
    if cursor.skipWord("valid") { return .valid }
    if cursor.skipWord("same") { return .same }
    guard let token = cursor.peek, token.kind != .word else {
      throw ParseError(
        column: cursor.column, message: "expected 'valid', 'same' or a number after 'padding', found \(cursor.found)",
        note: "write 'padding valid', 'padding same', 'padding 1' or 'padding 1x0'")
    }
    let (rows, cols) = try cursor.pair("the padding", in: 0...1024)
    return .explicit(rows: rows, cols: cols)
  }

  // MARK: - Steps

  mutating func parseStep(_ cursor: inout Cursor, keyword: Token) throws(ParseError) {
    let title = try cursor.string("the step's title")
    try cursor.expectEnd()
    var step = Step(title: title, location: cursor.location(keyword))
    var closed = false
    var operationLine: Int?
    lines: while true {
      guard case .line(var line, let i) = nextBlockLine(closed: &closed) else { break lines }
      let wasAskFailed = askFailed
      askFailed = false
      do throws(ParseError) {
        if firstWord(i) == "hint" && wasAskFailed { continue }
        if let statement = try parseStatement(&line, step: &step) {
          if case .operation = statement.kind {
            if let operationLine {
              throw ParseError(
                column: statement.location.column,
                message: "a step has one operation; this one already has one at line \(operationLine)",
                note: "move this operation into a step of its own")
            }
            operationLine = i + 1
          }
          step.statements.append(statement)
        }
      } catch {
        if firstWord(i) == "ask" { askFailed = true }
        report(line: i + 1, error)
      }
    }
    if !closed {
      report(step.location, "the step \"\(title)\" has no 'end'", note: "add a line 'end' after its last statement")
    }
    lesson.steps.append(step)
  }

  /// Parses one statement line (and the lines of its block, if it opens one). Returns nil
  /// for lines that modify an earlier statement (`hint`).
  mutating func parseStatement(_ cursor: inout Cursor, step: inout Step) throws(ParseError) -> Statement? {
    guard let keyword = cursor.next(), keyword.kind == .word else {
      throw ParseError(
        column: cursor.tokens.first?.column ?? 1, message: "expected a statement, found '\(cursor.tokens.first?.text ?? "")'",
        note: "a step holds lines like 'say \"...\"', 'convolve ...', 'ask ...'")
    }
    let location = cursor.location(keyword)
    switch keyword.text {
    case "say":
      if cursor.atEnd {
        return Statement(.say(readSayBlock(opening: location)), at: location)
      }
      let text = try cursor.string("the text to say")
      try cursor.expectEnd()
      return Statement(.say([text]), at: location)
    case "note":
      let text = try cursor.string("the note")
      try cursor.expectEnd()
      return Statement(.note(text), at: location)
    case "erratum":
      let text = try cursor.string("the correction")
      if cursor.atEnd { return Statement(.erratum(text: text, printed: nil, expect: nil), at: location) }
      try cursor.expectWord("printed", note: "write 'erratum \"...\" printed 0.55 expect EXPR', or the text alone")
      let printed = try parseExpression(&cursor)
      try cursor.expectWord("expect", note: "write 'erratum \"...\" printed 0.55 expect EXPR', or the text alone")
      let expect = try parseExpression(&cursor)
      try cursor.expectEnd()
      return Statement(.erratum(text: text, printed: printed, expect: expect), at: location)
    case "show":
      var items: [ShowItem] = []
      repeat {
        let name = try cursor.name("a name to show")
        var part: String?
        if cursor.skipSymbol(".") { part = try cursor.name("a part name after '.', like 'grad'").name }
        var style = ShowItem.Style.numbers
        if cursor.skipWord("as") {
          let styleColumn = cursor.column
          let word = try cursor.name("'numbers', 'shades' or 'both'")
          guard let s = ShowItem.Style(rawValue: word.name) else {
            throw ParseError(
              column: styleColumn, message: "unknown style '\(word.name)'",
              note: "write 'as numbers', 'as shades' or 'as both'")
          }
          style = s
        }
        items.append(ShowItem(name, part: part, style: style))
      } while cursor.skipSymbol(",")
      try cursor.expectEnd()
      return Statement(.show(items), at: location)
    case "working":
      let name = try cursor.name("the result whose size to work out")
      try cursor.expectEnd()
      return Statement(.working(name), at: location)
    case "focus":
      let row = try cursor.integer("the row", in: 0...100_000)
      try cursor.expectSymbol(",", note: "write 'focus ROW,COLUMN', like 'focus 0,0'")
      let col = try cursor.integer("the column", in: 0...100_000)
      try cursor.expectEnd()
      return Statement(.focus(row: row, col: col), at: location)
    case "compute":
      let name = try cursor.name("a name for the value")
      try cursor.expectSymbol("=", note: "write 'compute NAME = EXPRESSION'")
      let expression = try parseExpression(&cursor)
      try cursor.expectEnd()
      declare(name)
      return Statement(.compute(name: name, expression: expression), at: location)
    case "edit":
      let name = try cursor.name("the kernel to edit")
      try cursor.expectEnd()
      return Statement(.edit(name), at: location)
    case "ask":
      return Statement(.ask(try parseAsk(&cursor, location: location)), at: location)
    case "hint":
      let text = try cursor.string("the hint")
      try cursor.expectEnd()
      guard let last = step.statements.indices.last, case .ask(var question) = step.statements[last].kind
      else {
        throw ParseError(
          column: keyword.column, message: "a hint must follow an 'ask' line",
          note: "put it on the line after its question, or inside a 'challenge' block")
      }
      guard question.hint == nil else {
        throw ParseError(
          column: keyword.column, message: "this question already has a hint",
          note: "keep one hint per question")
      }
      question.hint = text
      step.statements[last].kind = .ask(question)
      return nil
    case "challenge":
      return Statement(.challenge(try parseChallenge(&cursor, location: location)), at: location)
    case "goal", "solution":
      throw ParseError(
        column: keyword.column, message: "'\(keyword.text)' must be inside a challenge",
        note: "put it between 'challenge \"...\"' and its 'end'")
    case "convolve", "pool", "relu", "flatten", "dense", "softmax", "cross-entropy", "learn",
      "layers", "layout", "channel":
      let operation = try parseOperation(&cursor, keyword: keyword)
      declare(operation.output)
      return Statement(.operation(operation), at: location)
    default:
      throw ParseError(
        column: keyword.column, message: "unknown statement '\(keyword.text)' in a step",
        note: didYouMean(keyword.text, among: Array(stepKeywords))
          ?? "a step holds say, note, erratum, show, working, focus, compute, edit, ask, hint, challenge and one operation")
    }
  }

  /// The paragraphs of a `say` block, up to its `end`.
  mutating func readSayBlock(opening: SourceLocation) -> [String] {
    var paragraphs: [String] = []
    var current: [String] = []
    var closed = false
    while index < lines.count {
      let line = lines[index]
      let trimmed = line.trimmingSpaces
      if trimmed == "end" {
        index += 1
        closed = true
        break
      }
      if trimmed.hasPrefix("step \"") { break }
      index += 1
      if trimmed.isEmpty {
        if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
        current = []
      } else {
        current.append(trimmed)
      }
    }
    if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
    if !closed {
      report(opening, "the say block has no 'end'", note: "add a line 'end' after its text")
    }
    if paragraphs.isEmpty, closed {
      report(opening, "the say block is empty", note: "write its text between 'say' and 'end'")
    }
    return paragraphs
  }

  mutating func parseAsk(_ cursor: inout Cursor, location: SourceLocation) throws(ParseError) -> Question {
    let prompt = try cursor.string("the question")
    try cursor.expectWord("answer", note: "write 'ask \"...\" answer 27 expect edges[0,0]'")
    let answerLocation = cursor.here
    let answer: Answer
    if let token = cursor.peek, case .shape(let shape) = token.kind {
      _ = cursor.next()
      answer = .shape(shape)
    } else if let token = cursor.peek, token.kind == .word, token.text != "expect" {
      _ = cursor.next()
      answer = .label(token.text)
    } else if let token = cursor.peek, case .string = token.kind {
      answer = .label(try cursor.string("the answer"))
    } else {
      answer = .number(try cursor.number("the answer"))
    }
    try cursor.expectWord("expect", note: "after the answer, write 'expect' and what the engine computes, like 'expect edges[0,0]'")
    let expect = try parseExpression(&cursor)
    var tolerance: Double?
    if cursor.skipWord("tolerance") {
      let column = cursor.column
      let value = try cursor.number("the tolerance")
      guard value.value >= 0 else {
        throw ParseError(column: column, message: "a tolerance cannot be negative", note: "write it like 0.01")
      }
      tolerance = value.value
    }
    try cursor.expectEnd()
    return Question(
      prompt: prompt, answer: answer, answerLocation: answerLocation, expect: expect,
      tolerance: tolerance, location: location)
  }

  mutating func parseChallenge(_ cursor: inout Cursor, location: SourceLocation) throws(ParseError) -> Challenge {
    let prompt = try cursor.string("the challenge")
    try cursor.expectEnd()
    var challenge = Challenge(prompt: prompt, location: location)
    var closed = false
    lines: while true {
      guard case .line(var line, let i) = nextBlockLine(closed: &closed) else { break lines }
      do throws(ParseError) {
        guard let keyword = line.next(), keyword.kind == .word else {
          throw ParseError(
            column: line.tokens.first?.column ?? 1, message: "expected 'edit', 'goal', 'hint' or 'solution'",
            note: "a challenge holds 'edit KERNEL', 'goal ...', 'hint \"...\"' and 'solution' rows 'end'")
        }
        switch keyword.text {
        case "edit":
          challenge.edits.append(try line.name("the kernel to edit"))
          try line.expectEnd()
        case "goal":
          challenge.goals.append(try parseCondition(&line))
          try line.expectEnd()
        case "hint":
          let text = try line.string("the hint")
          try line.expectEnd()
          challenge.hints.append(text)  // Several hints are shown one at a time.
        case "solution":
          try line.expectEnd()
          let opening = line.location(keyword)
          let body = readBody(opening: opening, what: "solution", name: prompt)
          var rowDiagnostics: [LessonDiagnostic] = []
          let parsed = TextGrid.parse(lines: body, file: file, diagnostics: &rowDiagnostics)
          diagnostics += rowDiagnostics
          if rowDiagnostics.isEmpty, parsed == nil {
            report(opening, "the solution has no rows", note: "write the kernel's rows between 'solution' and 'end'")
          }
          challenge.solution = parsed?.values
          challenge.solutionLocation = opening
        default:
          throw ParseError(
            column: keyword.column, message: "unknown statement '\(keyword.text)' in a challenge",
            note: didYouMean(keyword.text, among: ["edit", "goal", "hint", "solution"]) ?? "a challenge holds 'edit KERNEL', 'goal ...', 'hint \"...\"' and 'solution' rows 'end'")
        }
      } catch {
        report(line: i + 1, error)
      }
    }
    if !closed {
      report(location, "the challenge has no 'end'", note: "add a line 'end' after its last goal")
    }
    if challenge.goals.isEmpty {
      report(location, "the challenge has no goal", note: "add a line like 'goal all(edges) >= 2'")
    }
    return challenge
  }

  // MARK: - Operations

  mutating func parseOperation(_ cursor: inout Cursor, keyword: Token) throws(ParseError) -> StepOperation {
    let location = cursor.location(keyword)
    let kind: StepOperation.Kind
    switch keyword.text {
    case "convolve":
      let input = try cursor.name("the grid to convolve")
      try cursor.expectWord("with", note: "write 'convolve GRID with KERNEL -> NAME'")
      var convolve = ConvolveOperation(input: input, kernels: try cursor.nameList("a kernel"))
      while !cursor.atEnd && !cursor.isSymbol("->") {
        let option = cursor.column
        if cursor.skipWord("stride") {
          if cursor.peek?.kind == .word {
            convolve.strideSetting = try parseExpression(&cursor)
          } else {
            (convolve.strideRows, convolve.strideCols) = try cursor.pair("the stride", in: 1...1024)
          }
        } else if cursor.skipWord("padding") || cursor.skipWord("pad") {
          if cursor.peek?.kind == .word, !cursor.isWord("valid"), !cursor.isWord("same") {
            convolve.paddingSetting = try parseExpression(&cursor)
          } else {
            convolve.padding = try parsePadding(&cursor)
          }
        } else if cursor.skipWord("dilation") {
          (convolve.dilationRows, convolve.dilationCols) = try cursor.pair("the dilation", in: 1...1024)
        } else if cursor.skipWord("mode") {
          if cursor.skipWord("correlate") {
            convolve.flip = false
          } else if cursor.skipWord("convolve") {
            convolve.flip = true
          } else {
            throw ParseError(
              column: cursor.column, message: "expected 'correlate' or 'convolve' after 'mode', found \(cursor.found)",
              note: "'mode correlate' slides the kernel as it is; 'mode convolve' flips it first")
          }
        } else if cursor.skipWord("normalize") {
          convolve.normalize = true
        } else if cursor.skipWord("relu") {
          convolve.relu = true
        } else if cursor.skipWord("bias") {
          convolve.bias = [try cursor.number("the bias")]
          while cursor.skipSymbol(",") { convolve.bias.append(try cursor.number("the bias")) }
        } else {
          throw ParseError(
            column: option, message: "unknown convolve option \(cursor.found)",
            note: didYouMean(cursor.peek?.text, among: ["stride", "padding", "pad", "dilation", "mode", "normalize", "bias", "relu"])
              ?? "options are stride, padding, dilation, mode, normalize, bias and relu")
        }
      }
      kind = .convolve(convolve)
    case "pool":
      let input = try cursor.name("the grid to pool")
      let kindColumn = cursor.column
      let word = try cursor.name("'max' or 'avg'")
      guard let poolKind = PoolKind(rawValue: word.name) else {
        throw ParseError(
          column: kindColumn, message: "expected 'max' or 'avg', found '\(word.name)'",
          note: "write 'pool GRID max size 2 stride 2 -> NAME'")
      }
      var pool = PoolOperation(input: input, kind: poolKind, size: 0)
      var sawSize = false
      while !cursor.atEnd && !cursor.isSymbol("->") {
        let option = cursor.column
        if cursor.skipWord("size") {
          let (rows, cols) = try cursor.pair("the pool size", in: 1...1024)
          guard rows == cols else {
            throw ParseError(column: option, message: "pooling windows are square", note: "write 'size 2'")
          }
          pool.size = rows
          sawSize = true
        } else if cursor.skipWord("stride") {
          pool.stride = try cursor.integer("the stride", in: 1...1024)
        } else if cursor.skipWord("ceil") {
          pool.ceil = true
        } else {
          throw ParseError(
            column: option, message: "unknown pool option \(cursor.found)",
            note: didYouMean(cursor.peek?.text, among: ["size", "stride", "ceil"]) ?? "options are size, stride and ceil")
        }
      }
      guard sawSize else {
        throw ParseError(
          column: cursor.column, message: "the pool has no size",
          note: "add 'size 2' (the window is 2x2)")
      }
      kind = .pool(pool)
    case "relu": kind = .relu(try cursor.name("the grid to rectify"))
    case "flatten": kind = .flatten(try cursor.name("the grid to flatten"))
    case "softmax": kind = .softmax(try cursor.name("the scores"))
    case "layers": kind = .layers(try cursor.name("the network"))
    case "layout":
      let input = try cursor.name("the grid")
      let column = cursor.column
      guard cursor.skipWord("hwc") else {
        throw ParseError(
          column: column, message: "expected 'hwc', found \(cursor.found)",
          note: "'layout GRID hwc -> NAME' reorders (C,H,W) into (H,W,C)")
      }
      kind = .layoutHWC(input)
    case "channel":
      let input = try cursor.name("the grid")
      kind = .channel(input, index: try cursor.integer("the channel", in: 0...100_000))
    case "dense":
      let input = try cursor.name("the values to weigh")
      try cursor.expectWord("with", note: "write 'dense VALUES with W1, W2 -> NAME', one weight grid per class")
      var dense = DenseOperation(input: input, weights: try cursor.nameList("a weight grid"))
      while !cursor.atEnd && !cursor.isSymbol("->") {
        let option = cursor.column
        if cursor.skipWord("bias") {
          dense.bias = [try cursor.number("the bias")]
          while cursor.skipSymbol(",") { dense.bias.append(try cursor.number("the bias")) }
        } else if cursor.skipWord("normalize") {
          dense.normalize = true
        } else if cursor.skipWord("labels") {
          dense.labels = [try cursor.string("a class label")]
          while let token = cursor.peek, case .string = token.kind {
            dense.labels.append(try cursor.string("a class label"))
          }
        } else {
          throw ParseError(
            column: option, message: "unknown dense option \(cursor.found)",
            note: didYouMean(cursor.peek?.text, among: ["bias", "normalize", "labels"]) ?? "options are bias, normalize and labels")
        }
      }
      if !dense.labels.isEmpty, dense.labels.count != dense.weights.count {
        throw ParseError(
          column: location.column,
          message: "\(dense.labels.count) labels for \(dense.weights.count) weight grids",
          note: "give one label per class")
      }
      kind = .dense(dense)
    case "cross-entropy":
      let input = try cursor.name("the probabilities")
      try cursor.expectWord("target", note: "write 'cross-entropy PROBS target 0 -> NAME'")
      if let token = cursor.peek, token.kind == .word {
        kind = .crossEntropy(input: input, target: .grid(try cursor.name("the target")))
      } else {
        kind = .crossEntropy(input: input, target: .index(try cursor.integer("the target class", in: 0...1_000_000)))
      }
    case "learn":
      let kernel = try cursor.name("the kernel to train")
      try cursor.expectWord("on", note: "write 'learn KERNEL on INPUT target T rate 0.1 -> NAME'")
      let input = try cursor.name("the input grid")
      try cursor.expectWord("target", note: "write 'learn KERNEL on INPUT target T rate 0.1 -> NAME'")
      let target = try cursor.name("the target grid")
      try cursor.expectWord("rate", note: "write 'learn KERNEL on INPUT target T rate 0.1 -> NAME'")
      let rate = try cursor.number("the learning rate")
      kind = .learn(LearnOperation(kernel: kernel, input: input, target: target, rate: rate))
    default:
      throw ParseError(column: keyword.column, message: "unknown operation '\(keyword.text)'", note: "see lessons/README.md")
    }
    guard cursor.skipSymbol("->") else {
      throw ParseError(
        column: cursor.column, message: "expected '->' and a name for the result, found \(cursor.found)",
        note: "end the line with '-> NAME', like '-> edges'")
    }
    let output = try cursor.name("a name for the result")
    try cursor.expectEnd()
    return StepOperation(kind, output: output, at: location)
  }

  // MARK: - Expressions

  /// Deeper nesting than this is reported rather than followed.
  static let maxDepth = 40

  mutating func parseCondition(_ cursor: inout Cursor) throws(ParseError) -> Condition {
    let location = cursor.here
    var quantifier = Condition.Quantifier.value
    let lhs: Expression
    if (cursor.isWord("all") || cursor.isWord("any")),
      cursor.position + 1 < cursor.tokens.count, cursor.tokens[cursor.position + 1].text == "("
    {
      quantifier = cursor.isWord("all") ? .all : .any
      _ = cursor.next()
      _ = cursor.next()
      lhs = try parseExpression(&cursor)
      try cursor.expectSymbol(")", note: "close the parenthesis: 'all(edges) >= 2'")
    } else {
      lhs = try parseExpression(&cursor)
    }
    let comparisonColumn = cursor.column
    guard let token = cursor.next(), token.kind == .symbol,
      let comparison = Condition.Comparison(rawValue: token.text)
    else {
      throw ParseError(
        column: comparisonColumn, message: "expected a comparison (>=, <=, >, <, ==, !=)",
        note: "write a goal like 'all(edges) >= 2' or 'max(edges) == 0'")
    }
    let rhs = try parseExpression(&cursor)
    return Condition(quantifier: quantifier, lhs: lhs, comparison: comparison, rhs: rhs, location: location)
  }

  func parseExpression(_ cursor: inout Cursor, depth: Int = 0) throws(ParseError) -> Expression {
    guard depth < Parser.maxDepth else {
      throw ParseError(column: cursor.column, message: "the expression is nested too deeply", note: "simplify it")
    }
    var lhs = try parseTerm(&cursor, depth: depth)
    while let token = cursor.peek, token.kind == .symbol, token.text == "+" || token.text == "-" {
      _ = cursor.next()
      try countOperator(&cursor, token)
      let rhs = try parseTerm(&cursor, depth: depth)
      lhs = .binary(token.text == "+" ? .add : .subtract, lhs, rhs, cursor.location(token))
    }
    return lhs
  }

  func parseTerm(_ cursor: inout Cursor, depth: Int) throws(ParseError) -> Expression {
    var lhs = try parseUnary(&cursor, depth: depth)
    while let token = cursor.peek, token.kind == .symbol, token.text == "*" || token.text == "/" {
      _ = cursor.next()
      try countOperator(&cursor, token)
      let rhs = try parseUnary(&cursor, depth: depth)
      lhs = .binary(token.text == "*" ? .multiply : .divide, lhs, rhs, cursor.location(token))
    }
    return lhs
  }

  /// The most operators one line's expressions may hold.
  static let maxOperators = 100

  func countOperator(_ cursor: inout Cursor, _ token: Token) throws(ParseError) {
    cursor.operators += 1
    guard cursor.operators <= Parser.maxOperators else {
      throw ParseError(
        column: token.column, message: "the expression is too long",
        note: "split it with 'compute NAME = ...' lines")
    }
  }

  func parseUnary(_ cursor: inout Cursor, depth: Int) throws(ParseError) -> Expression {
    if let token = cursor.peek, token.kind == .symbol, token.text == "-" {
      _ = cursor.next()
      guard depth + 1 < Parser.maxDepth else {
        throw ParseError(column: token.column, message: "the expression is nested too deeply", note: "simplify it")
      }
      return .negate(try parseUnary(&cursor, depth: depth + 1), cursor.location(token))
    }
    return try parsePrimary(&cursor, depth: depth)
  }

  func parsePrimary(_ cursor: inout Cursor, depth: Int) throws(ParseError) -> Expression {
    guard let token = cursor.peek else {
      throw ParseError(
        column: cursor.column, message: "expected a value, found the end of the line",
        note: "write a number, a name like edges[0,0] or a function like sum(edges)")
    }
    switch token.kind {
    case .number(let value):
      _ = cursor.next()
      return .number(LessonNumber(value, text: token.text), cursor.location(token))
    case .symbol where token.text == "(":
      _ = cursor.next()
      let inner = try parseExpression(&cursor, depth: depth + 1)
      try cursor.expectSymbol(")", note: "close every '(' with a ')'")
      return inner
    case .word where token.text != "end":
      _ = cursor.next()
      let name = NameReference(token.text, at: cursor.location(token))
      if cursor.skipSymbol("(") {
        var arguments: [Expression] = []
        if !cursor.isSymbol(")") {
          arguments.append(try parseArgument(&cursor, depth: depth + 1))
          while cursor.skipSymbol(",") { arguments.append(try parseArgument(&cursor, depth: depth + 1)) }
        }
        try cursor.expectSymbol(")", note: "close the function's parentheses: 'sum(edges)'")
        return .call(name, arguments)
      }
      var part: String?
      if cursor.skipSymbol(".") {
        part = try cursor.name("a part name after '.'").name
      }
      var index: [IndexItem]?
      if cursor.skipSymbol("[") {
        var items: [IndexItem] = []
        repeat {
          items.append(try parseIndexItem(&cursor))
        } while cursor.skipSymbol(",")
        try cursor.expectSymbol("]", note: "close the index: 'edges[0,2]'")
        index = items
      }
      return .reference(name, part: part, index: index)
    case .shape:
      throw ParseError(
        column: token.column, message: "a shape like '\(token.text)' cannot be used in a calculation",
        note: "compare shapes through an answer: 'answer \(token.text) expect shape(NAME)'")
    default:
      throw ParseError(
        column: token.column, message: "expected a value, found '\(token.text)'",
        note: "write a number, a name like edges[0,0] or a function like sum(edges)")
    }
  }

  /// A function's argument: an expression, or a comparison such as `x > 0` (for `count`).
  func parseArgument(_ cursor: inout Cursor, depth: Int) throws(ParseError) -> Expression {
    let lhs = try parseExpression(&cursor, depth: depth)
    guard let token = cursor.peek, token.kind == .symbol,
      let comparison = Condition.Comparison(rawValue: token.text)
    else { return lhs }
    _ = cursor.next()
    let rhs = try parseExpression(&cursor, depth: depth)
    return .comparison(comparison, lhs, rhs, cursor.location(token))
  }

  func parseIndexItem(_ cursor: inout Cursor) throws(ParseError) -> IndexItem {
    if cursor.skipSymbol("*") { return .all }
    let start = try cursor.integer("a position", in: 0...1_000_000)
    if cursor.skipSymbol("..") {
      let column = cursor.column
      let end = try cursor.integer("the last position", in: 0...1_000_000)
      guard end >= start else {
        throw ParseError(
          column: column, message: "the range \(start)..\(end) runs backwards",
          note: "write the smaller position first, like \(end)..\(start)")
      }
      return .range(start, end)
    }
    return .at(start)
  }
}

// MARK: - Helpers

/// The lines of a text file: `\n`, `\r\n` (one `Character` in Swift) and `\r` all end a line.
public func lessonLines(_ text: String) -> [String] {
  text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
    .map(String.init)
}

/// "did you mean 'stride'?" when `word` is one or two edits from a known word.
func didYouMean(_ word: String?, among known: [String]) -> String? {
  guard let word, word.count >= 2 else { return nil }
  let scored = known.map { ($0, editDistance($0, word)) }.filter { $0.1 <= (word.count <= 3 ? 1 : 2) }
  guard let best = scored.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) else { return nil }
  return "did you mean '\(best.0)'?"
}

/// The number of values in `shape`, or nil when it exceeds the grid limit.
func checkedCount(_ shape: [Int]) -> Int? {
  var count = 1
  for n in shape {
    let (product, overflow) = count.multipliedReportingOverflow(by: n)
    guard !overflow, product <= TextGrid.maxValues else { return nil }
    count = product
  }
  return count
}

extension StringProtocol {
  /// The text without leading and trailing spaces, tabs and carriage returns.
  var trimmingSpaces: String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
    guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(self[first...last])
  }
}
