/// A challenge's stated solution as the learner reads it once they have tried: one line per
/// kernel row, channels separated by a blank line, numbers right-aligned in columns.
enum ChallengeSolution {
  static func rows(_ values: [Double], shape: [Int]) -> [String] {
    guard !values.isEmpty else { return [] }
    let columns = max(1, shape.last ?? values.count)
    let rowsPerChannel = shape.count == 3 ? max(1, shape[1]) : Int.max
    let texts = values.map { format($0) }
    let width = texts.map(\.count).max() ?? 1
    var lines: [String] = []
    for start in stride(from: 0, to: texts.count, by: columns) {
      let row = start / columns
      if row > 0, row % rowsPerChannel == 0 { lines.append("") }
      let cells = texts[start..<min(start + columns, texts.count)]
      lines.append(cells.map { String(repeating: " ", count: width - $0.count) + $0 }.joined(separator: " "))
    }
    return lines
  }
}

extension Lesson {
  /// Every challenge of the lesson, in order.
  public var challenges: [Challenge] {
    steps.flatMap(\.statements).compactMap { statement in
      if case .challenge(let challenge) = statement.kind { return challenge }
      return nil
    }
  }
}

extension LessonRun {
  /// A goal on a class label, `label(votes) == X` or `!=`: the vote's winning label against a
  /// label written as a bare word, compared ignoring case. Nil when the goal is not about a
  /// label, so it is judged as a number.
  func labelGoal(_ condition: Condition) throws(EvalError) -> Bool? {
    guard condition.quantifier == .value, case .call(let function, _) = condition.lhs, function.name == "label",
      case .label(let label) = try evaluate(condition.lhs)
    else { return nil }
    guard case .reference(let wanted, nil, nil) = condition.rhs else {
      throw EvalError(
        location: condition.rhs.location, message: "'\(condition.rhs)' is not a class label",
        note: "write the label as a word, like 'goal \(condition.lhs) == X'")
    }
    switch condition.comparison {
    case .equal: return AnswerText.label(label) == AnswerText.label(wanted.name)
    case .notEqual: return AnswerText.label(label) != AnswerText.label(wanted.name)
    default:
      throw EvalError(
        location: condition.location, message: "a label can only be compared with == or !=",
        note: "write it like 'goal \(condition.lhs) == \(wanted.name)'")
    }
  }
}
