// Expressions and conditions, as written after `expect`, `goal`, `compute` and `erratum`
// (the grammar is in lessons/README.md).

/// Reads expressions off a line's cursor.
enum ExpressionParser {
  /// Deeper nesting than this is reported rather than followed.
  static let maxDepth = 40

  static func parseCondition(_ cursor: inout Cursor) throws(ParseError) -> Condition {
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

  static func parseExpression(_ cursor: inout Cursor, depth: Int = 0) throws(ParseError) -> Expression {
    guard depth < ExpressionParser.maxDepth else {
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

  static func parseTerm(_ cursor: inout Cursor, depth: Int) throws(ParseError) -> Expression {
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

  static func countOperator(_ cursor: inout Cursor, _ token: Token) throws(ParseError) {
    cursor.operators += 1
    guard cursor.operators <= ExpressionParser.maxOperators else {
      throw ParseError(
        column: token.column, message: "the expression is too long",
        note: "split it with 'compute NAME = ...' lines")
    }
  }

  static func parseUnary(_ cursor: inout Cursor, depth: Int) throws(ParseError) -> Expression {
    if let token = cursor.peek, token.kind == .symbol, token.text == "-" {
      _ = cursor.next()
      guard depth + 1 < ExpressionParser.maxDepth else {
        throw ParseError(column: token.column, message: "the expression is nested too deeply", note: "simplify it")
      }
      return .negate(try parseUnary(&cursor, depth: depth + 1), cursor.location(token))
    }
    return try parsePrimary(&cursor, depth: depth)
  }

  static func parsePrimary(_ cursor: inout Cursor, depth: Int) throws(ParseError) -> Expression {
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
  static func parseArgument(_ cursor: inout Cursor, depth: Int) throws(ParseError) -> Expression {
    let lhs = try parseExpression(&cursor, depth: depth)
    guard let token = cursor.peek, token.kind == .symbol,
      let comparison = Condition.Comparison(rawValue: token.text)
    else { return lhs }
    _ = cursor.next()
    let rhs = try parseExpression(&cursor, depth: depth)
    return .comparison(comparison, lhs, rhs, cursor.location(token))
  }

  static func parseIndexItem(_ cursor: inout Cursor) throws(ParseError) -> IndexItem {
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
