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
