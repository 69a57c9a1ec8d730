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


/// Keywords that open a top-level block or set the header.
let topLevelKeywords: Set<String> = ["format", "title", "grid", "kernel", "network", "step"]

/// Keywords of statements that live inside a step: its own and every operation's.
let stepKeywords: Set<String> = Set([
  "say", "note", "erratum", "show", "working", "focus", "compute", "edit", "ask", "hint",
  "challenge", "goal", "solution",
] + StepOperation.kinds.map { $0.keyword })

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
