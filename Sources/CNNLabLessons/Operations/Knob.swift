import CNNLabEngine

// A knob is a setting of a step's operation the learner turns on screen (a stride, a padding,
// a pooling window, an activation). Each kind lists its own knobs and how one turns in its own
// file; the planner then runs the turned operation instead of the lesson's, so every result
// after it is computed again by the engine (see `ScenePlanner.plan`).

/// One setting of an operation, as the screen names it and writes its value.
public struct Knob: Equatable, Sendable {
  public var name: String
  /// The value as the screen writes it: `2`, `same`, `max`, `sigmoid`.
  public var value: String

  public init(name: String, value: String) {
    self.name = name
    self.value = value
  }
}

extension StepOperation {
  /// The operation's knobs, in the order the screen offers them (none for most kinds).
  public var knobs: [Knob] { kind.spec.knobs }

  /// The operation with knob `name` turned by `notches` (up when positive); nil when the knob
  /// is already at that end or the operation has no such knob.
  public func turning(_ name: String, by notches: Int) -> StepOperation? {
    guard let kind = kind.spec.turning(name, by: notches) else { return nil }
    var turned = self
    turned.kind = kind
    return turned
  }
}

extension Step {
  /// The step with its operation replaced by `operation` (a turned copy of its own).
  func replacingOperation(with operation: StepOperation) -> Step {
    var step = self
    step.statements = statements.map { statement in
      guard case .operation = statement.kind else { return statement }
      return Statement(.operation(operation), at: statement.location)
    }
    return step
  }
}

/// The value `notches` along `values` from `current` (from the first when `current` is not
/// among them); nil when that passes either end.
func turned<T: Equatable>(_ current: T, among values: [T], by notches: Int) -> T? {
  guard let index = values.firstIndex(of: current) else { return values.first }
  let next = index + notches
  return values.indices.contains(next) ? values[next] : nil
}

/// `2`, or `2x1` when the two axes differ.
func axesText(_ rows: Int, _ cols: Int) -> String { rows == cols ? "\(rows)" : "\(rows)x\(cols)" }

/// A knob that takes whole numbers, described once for the lessons and the playground: its
/// name, the values it takes, the first few a lesson turns through, and how a value is written.
///
/// The playground (and `cnnlab playground`) take every value of `values`; a lesson turns only
/// through `lessonValues`, because its maps must still fit beside the lesson's text at 80x24.
public struct KnobScale: Equatable, Sendable {
  /// The knob's name on screen: `stride`, `window`.
  public var name: String
  /// What the knob is called in a sentence: `pooling window`.
  public var described: String
  public var values: ClosedRange<Int>
  public var lessonValues: ClosedRange<Int>

  public init(name: String, described: String? = nil, values: ClosedRange<Int>, lessonValues: ClosedRange<Int>) {
    self.name = name
    self.described = described ?? name
    self.values = values
    self.lessonValues = lessonValues
  }

  /// The largest stride, dilation, padding, kernel or pooling window any knob takes.
  public static let largest = 32

  public static let stride = KnobScale(name: "stride", values: 1...largest, lessonValues: 1...4)
  public static let dilation = KnobScale(name: "dilation", values: 1...largest, lessonValues: 1...4)
  /// The zeros on each side; the padding knob also offers `valid` and `same` before them.
  public static let padding = KnobScale(name: "padding", values: 0...largest, lessonValues: 1...3)
  public static let poolWindow = KnobScale(name: "window", described: "pooling window", values: 1...largest, lessonValues: 1...4)
  public static let poolStride = KnobScale(name: "stride", described: "pooling stride", values: 1...largest, lessonValues: 1...4)

  /// `2`, or `2x1` when the two axes differ.
  public func text(_ rows: Int, _ cols: Int) -> String { axesText(rows, cols) }

  /// `the stride must be 1 to 32, not 40`; nil when `value` is one the knob takes.
  public func problem(_ value: Int) -> String? {
    values.contains(value) ? nil : "the \(described) must be \(values.lowerBound) to \(values.upperBound), not \(value)"
  }

  /// The paddings the padding knob steps through, in a lesson and in the playground:
  /// `valid`, `same`, then `lessonValues` zeros on every side.
  public static let paddings: [Padding] = [.valid, .same] + padding.lessonValues.map { Padding.uniform($0) }

  /// `valid`, `same`, or the number of zeros on each side (`1`, or `1,1,0,0` when they differ).
  public static func paddingText(_ padding: Padding) -> String {
    switch padding {
    case .valid: "valid"
    case .same: "same"
    case .explicit(let t, let b, let l, let r): t == b && b == l && l == r ? "\(t)" : "\(t),\(b),\(l),\(r)"
    }
  }
}
