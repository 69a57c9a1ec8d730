import CNNLabEngine

// Steps and their statements; an operation's line is read by its kind (see Operations/).

extension Parser {
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
      let printed = try cursor.expression()
      try cursor.expectWord("expect", note: "write 'erratum \"...\" printed 0.55 expect EXPR', or the text alone")
      let expect = try cursor.expression()
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
          let word = try cursor.name("'numbers', 'shades', 'both' or 'colour'")
          guard let s = ShowItem.Style(rawValue: word.name == "color" ? "colour" : word.name) else {
            throw ParseError(
              column: styleColumn, message: "unknown style '\(word.name)'",
              note: "write 'as numbers', 'as shades', 'as both' or 'as colour'")
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
      let expression = try cursor.expression()
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
    case let word where StepOperation.kind(keyword: word) != nil:
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
    let expect = try cursor.expression()
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
          challenge.goals.append(try line.condition())
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

  /// An operation line: the keyword picks the kind, which reads up to `->`; then the name.
  func parseOperation(_ cursor: inout Cursor, keyword: Token) throws(ParseError) -> StepOperation {
    let location = cursor.location(keyword)
    guard let operation = StepOperation.kind(keyword: keyword.text) else {
      throw ParseError(column: keyword.column, message: "unknown operation '\(keyword.text)'", note: "see lessons/README.md")
    }
    let kind = try operation.parse(&cursor, at: location)
    guard cursor.skipSymbol("->") else {
      throw ParseError(
        column: cursor.column, message: "expected '->' and a name for the result, found \(cursor.found)",
        note: "end the line with '-> NAME', like '-> edges'")
    }
    let output = try cursor.name("a name for the result")
    try cursor.expectEnd()
    return StepOperation(kind, output: output, at: location)
  }
}
