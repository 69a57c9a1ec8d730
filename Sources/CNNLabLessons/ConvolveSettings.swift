extension LessonRun {
  /// The largest stride or padding a setting may give: beyond it the maps are too big to show.
  static let settingRange = (stride: 1...64, padding: 0...64)

  /// `c` with a stride or padding written as a cell (`stride plan[0]`) replaced by the cell's
  /// value, which must be a whole number in range. A value the learner typed that is not is
  /// reported as the step's problem, naming the cell.
  func settled(_ c: ConvolveOperation) throws(EvalError) -> ConvolveOperation {
    var settled = c
    if let expression = c.strideSetting {
      let stride = try whole(expression, what: "a stride", in: LessonRun.settingRange.stride)
      (settled.strideRows, settled.strideCols) = (stride, stride)
    }
    if let expression = c.paddingSetting {
      let padding = try whole(expression, what: "a padding", in: LessonRun.settingRange.padding)
      settled.padding = .explicit(rows: padding, cols: padding)
    }
    return settled
  }

  private func whole(_ expression: Expression, what: String, in range: ClosedRange<Int>) throws(EvalError) -> Int {
    let value = try number(expression, what: what)
    guard value == value.rounded(), value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
      throw EvalError(
        location: expression.location,
        message: "\(expression) is \(format(value)), but \(what) is a whole number from \(range.lowerBound) to \(range.upperBound)",
        note: "set \(expression) to a whole number such as \(range.lowerBound + 1)")
    }
    return Int(value)
  }
}
