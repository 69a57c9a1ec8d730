import CNNLabEngine
import Testing

/// How two arrays of numbers differ, when they differ by more than a tolerance.
///
/// A pair `(actual, expected)` is close when `|actual − expected| ≤ absolute + relative·|expected|`.
/// The absolute part is for values near zero, where fp32 sums of terms of size `s` carry
/// errors of about `s · 1e-7` however small the result; the relative part is for the rest.
public struct Closeness: Sendable, CustomStringConvertible {
  /// Flat indices of the pairs that are not close, in order.
  public var mismatches: [Int]
  /// The largest |actual − expected| over all pairs, and where it is.
  public var maxDifference: Double
  public var maxDifferenceIndex: Int
  /// The report: the first few mismatching pairs (with multi-axis indices when a shape is
  /// known) and the largest difference.
  public var description: String

  /// Compares two sequences of equal length. `shape`, when given, turns flat indices into
  /// `[i, j, …]` in the report.
  public init(
    _ actual: [Double], _ expected: [Double], shape: [Int]? = nil, relativeTolerance: Double,
    absoluteTolerance: Double, show: Int = 5
  ) {
    precondition(actual.count == expected.count, "compare \(actual.count) with \(expected.count)")
    var mismatches: [Int] = []
    var worst = 0.0
    var worstIndex = 0
    for i in actual.indices {
      let difference = abs(actual[i] - expected[i])
      // NaN fails the comparison below, so it counts as a mismatch
      if !(difference <= absoluteTolerance + relativeTolerance * abs(expected[i])) {
        mismatches.append(i)
      }
      if difference > worst || difference.isNaN {
        worst = difference
        worstIndex = i
      }
    }
    func place(_ i: Int) -> String {
      guard let shape, shape.reduce(1, *) == actual.count, !shape.isEmpty else { return "[\(i)]" }
      var rest = i
      var index = [Int](repeating: 0, count: shape.count)
      for axis in shape.indices.reversed() {
        index[axis] = rest % max(shape[axis], 1)
        rest /= max(shape[axis], 1)
      }
      return "[" + index.map(String.init).joined(separator: ", ") + "]"
    }
    var lines = [
      "\(mismatches.count) of \(actual.count) values differ by more than "
        + "\(absoluteTolerance) + \(relativeTolerance)·|expected|"
    ]
    for i in mismatches.prefix(show) {
      lines.append(
        "  at \(place(i)): actual \(Float(actual[i])), expected \(Float(expected[i])), "
          + "difference \(Float(abs(actual[i] - expected[i])))")
    }
    if mismatches.count > show { lines.append("  … and \(mismatches.count - show) more") }
    lines.append(
      "  largest difference \(worst) at \(place(worstIndex))"
        + (actual.isEmpty ? "" : " (actual \(actual[worstIndex]), expected \(expected[worstIndex]))"))
    self.mismatches = mismatches
    self.maxDifference = worst
    self.maxDifferenceIndex = worstIndex
    self.description = lines.joined(separator: "\n")
  }

  public var isClose: Bool { mismatches.isEmpty }
}

/// Records an issue unless `actual` and `expected` have the same shape and every pair of values
/// is within `absoluteTolerance + relativeTolerance·|expected|`; the issue lists the first
/// mismatching pairs and the largest difference.
///
/// The defaults suit one fp32 operation over a handful of terms: a relative error of 1e-5 is
/// about 80 units in the last place of a Float. Sums of many terms need a looser absolute
/// tolerance scaled to the size of the terms.
public func expectClose(
  _ actual: Tensor, _ expected: Tensor, relativeTolerance: Double = 1e-5,
  absoluteTolerance: Double = 1e-6, _ comment: Comment? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard actual.shape == expected.shape else {
    Issue.record(
      prefixed(comment, "shape \(actual.shape) is not the expected \(expected.shape)"),
      sourceLocation: sourceLocation)
    return
  }
  let closeness = Closeness(
    actual.scalars.map(Double.init), expected.scalars.map(Double.init), shape: expected.shape,
    relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance)
  if !closeness.isClose {
    Issue.record(prefixed(comment, closeness.description), sourceLocation: sourceLocation)
  }
}

/// `expectClose` for plain arrays of Float.
public func expectClose(
  _ actual: [Float], _ expected: [Float], relativeTolerance: Double = 1e-5,
  absoluteTolerance: Double = 1e-6, _ comment: Comment? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  expectClose(
    actual.map(Double.init), expected.map(Double.init), relativeTolerance: relativeTolerance,
    absoluteTolerance: absoluteTolerance, comment, sourceLocation: sourceLocation)
}

/// `expectClose` for plain arrays of Double.
public func expectClose(
  _ actual: [Double], _ expected: [Double], relativeTolerance: Double = 1e-5,
  absoluteTolerance: Double = 1e-6, _ comment: Comment? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard actual.count == expected.count else {
    Issue.record(
      prefixed(comment, "\(actual.count) values, expected \(expected.count)"),
      sourceLocation: sourceLocation)
    return
  }
  let closeness = Closeness(
    actual, expected, relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance)
  if !closeness.isClose {
    Issue.record(prefixed(comment, closeness.description), sourceLocation: sourceLocation)
  }
}

/// `expectClose` for one number.
public func expectClose(
  _ actual: Float, _ expected: Float, relativeTolerance: Double = 1e-5,
  absoluteTolerance: Double = 1e-6, _ comment: Comment? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  expectClose(
    [Double(actual)], [Double(expected)], relativeTolerance: relativeTolerance,
    absoluteTolerance: absoluteTolerance, comment, sourceLocation: sourceLocation)
}

private func prefixed(_ comment: Comment?, _ text: String) -> Comment {
  guard let comment else { return Comment(rawValue: text) }
  return Comment(rawValue: "\(comment.rawValue): \(text)")
}
