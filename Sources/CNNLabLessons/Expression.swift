/// An expression after `expect`, `goal`, `compute` or `erratum`, as written.
public indirect enum Expression: Equatable, Sendable, CustomStringConvertible {
  case number(LessonNumber, SourceLocation)
  /// A name, an optional part (`learned.grad`) and an optional index (`[0,1]`, `[1..2,*]`).
  case reference(NameReference, part: String?, index: [IndexItem]?)
  /// `sum(x)`, `shape(mnist, 2)`, `floor(e)`.
  case call(NameReference, [Expression])
  case binary(BinaryOperator, Expression, Expression, SourceLocation)
  case negate(Expression, SourceLocation)

  public enum BinaryOperator: String, Equatable, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/"
  }

  /// Where the expression starts.
  public var location: SourceLocation {
    switch self {
    case .number(_, let l): return l
    case .reference(let n, _, _): return n.location
    case .call(let n, _): return n.location
    case .binary(_, let lhs, _, _): return lhs.location
    case .negate(_, let l): return l
    }
  }

  public var description: String {
    switch self {
    case .number(let n, _): return n.text
    case .reference(let name, let part, let index):
      var text = name.name
      if let part { text += ".\(part)" }
      if let index { text += "[" + index.map(\.description).joined(separator: ",") + "]" }
      return text
    case .call(let name, let arguments):
      return name.name + "(" + arguments.map(\.description).joined(separator: ", ") + ")"
    case .binary(let op, let lhs, let rhs, _): return "\(lhs) \(op.rawValue) \(rhs)"
    case .negate(let e, _): return "-\(e)"
    }
  }

  /// Every name the expression mentions (not function names).
  public var references: [NameReference] {
    switch self {
    case .number: return []
    case .reference(let n, _, _): return [n]
    case .call(_, let arguments): return arguments.flatMap(\.references)
    case .binary(_, let lhs, let rhs, _): return lhs.references + rhs.references
    case .negate(let e, _): return e.references
    }
  }
}

/// One position of an index: `2`, `1..3` (both ends included) or `*`.
public enum IndexItem: Equatable, Sendable, CustomStringConvertible {
  case at(Int)
  case range(Int, Int)
  case all

  public var description: String {
    switch self {
    case .at(let i): return String(i)
    case .range(let a, let b): return "\(a)..\(b)"
    case .all: return "*"
    }
  }
}

/// A `goal`: `E >= 2`, `all(R) >= 2` (every cell) or `any(R) > 0` (some cell).
public struct Condition: Equatable, Sendable, CustomStringConvertible {
  public enum Quantifier: String, Equatable, Sendable { case value, all, any }
  public enum Comparison: String, Equatable, Sendable, CaseIterable {
    case greaterOrEqual = ">=", lessOrEqual = "<=", equal = "==", notEqual = "!="
    case greater = ">", less = "<"
  }

  public var quantifier: Quantifier
  public var lhs: Expression
  public var comparison: Comparison
  public var rhs: Expression
  public var location: SourceLocation

  public init(
    quantifier: Quantifier, lhs: Expression, comparison: Comparison, rhs: Expression,
    location: SourceLocation
  ) {
    self.quantifier = quantifier
    self.lhs = lhs
    self.comparison = comparison
    self.rhs = rhs
    self.location = location
  }

  /// How far apart two values may be and still count as `==`.
  public static let equalityTolerance = 0.0001

  /// Whether `a` compares to `b` as this condition asks.
  public func holds(_ a: Double, _ b: Double) -> Bool {
    let tolerance = Condition.equalityTolerance
    switch comparison {
    case .greaterOrEqual: return a >= b - tolerance
    case .lessOrEqual: return a <= b + tolerance
    case .equal: return abs(a - b) <= tolerance
    case .notEqual: return abs(a - b) > tolerance
    case .greater: return a > b
    case .less: return a < b
    }
  }

  public var description: String {
    let left = quantifier == .value ? lhs.description : "\(quantifier.rawValue)(\(lhs))"
    return "\(left) \(comparison.rawValue) \(rhs)"
  }
}
