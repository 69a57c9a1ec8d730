// The parser's view of one line: its tokens, a position in them, and readers for names,
// numbers, shapes, options and expressions that report what they expected where.

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

  /// Reads a line's options (`stride 2`, `ceil`, `scale 1/9`) in any order, up to `->` (or,
  /// with `toArrow` false, the end of the line). `read` gets each option's word, already
  /// skipped, reads what follows it and returns false for a word it does not know; `unknown`
  /// then describes the problem with the cursor on that word.
  mutating func options(
    toArrow: Bool = true, unknown: (Cursor) -> ParseError, _ read: (Token, inout Cursor) throws(ParseError) -> Bool
  ) throws(ParseError) {
    while let token = peek, !(toArrow && isSymbol("->")) {
      let start = position
      if token.kind == .word {
        position += 1
        if try read(token, &self) { continue }
        position = start
      }
      throw unknown(self)
    }
  }

  /// An expression: `edges[0,1] * 2`, `sum(maps)`.
  mutating func expression() throws(ParseError) -> Expression { try ExpressionParser.parseExpression(&self) }

  /// A goal's condition: `all(edges) >= 2`, `label(scores) == X`.
  mutating func condition() throws(ParseError) -> Condition { try ExpressionParser.parseCondition(&self) }
}
