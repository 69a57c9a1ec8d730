import CNNLabEngine
import Foundation

// `cross-entropy PROBS target K|GRID -> NAME`: the loss −Σ t·ln p, in one frame.

public enum CrossEntropyTarget: Equatable, Sendable {
  case index(Int)
  case grid(NameReference)
}

public struct CrossEntropyOperation: Equatable, Sendable {
  public var input: NameReference
  public var target: CrossEntropyTarget

  public init(input: NameReference, target: CrossEntropyTarget) {
    self.input = input
    self.target = target
  }
}

extension CrossEntropyOperation: OperationSpec {
  static let keyword = "cross-entropy"

  var inputs: [NameReference] {
    if case .grid(let t) = target { return [input, t] }
    return [input]
  }

  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind {
    let input = try cursor.name("the probabilities")
    try cursor.expectWord("target", note: "write 'cross-entropy PROBS target 0 -> NAME'")
    if let token = cursor.peek, token.kind == .word {
      return .crossEntropy(CrossEntropyOperation(input: input, target: .grid(try cursor.name("the target"))))
    }
    return .crossEntropy(
      CrossEntropyOperation(input: input, target: .index(try cursor.integer("the target class", in: 0...1_000_000))))
  }

  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation {
    let animation = try run.crossEntropy(input, target: target, output: operation.output.name)
    run.values[operation.output.name] = .number(Double(animation.loss))
    return .crossEntropy(animation)
  }
}

extension LessonRun {
  func crossEntropy(_ name: NameReference, target: CrossEntropyTarget, output: String) throws(EvalError)
    -> CrossEntropyAnimation
  {
    let probabilities = try grid(name).scalars
    var targetValues = [Float](repeating: 0, count: probabilities.count)
    var targetClass: Int?
    switch target {
    case .index(let k):
      guard k < probabilities.count else {
        throw EvalError(
          location: name.location, message: "'\(name.name)' has \(probabilities.count) classes, so there is no class \(k)",
          note: "classes count from 0 to \(probabilities.count - 1)")
      }
      targetValues[k] = 1
      targetClass = k
    case .grid(let t):
      let values = try grid(t).scalars
      guard values.count == probabilities.count else {
        throw EvalError(
          location: t.location, message: "'\(t.name)' has \(values.count) values but '\(name.name)' has \(probabilities.count)",
          note: "give the target one value per class")
      }
      targetValues = values
    }
    guard probabilities.allSatisfy({ $0 >= 0 && $0 <= 1.0001 }) else {
      throw EvalError(
        location: name.location, message: "'\(name.name)' holds values outside 0 to 1, so they are not probabilities",
        note: "apply 'softmax' first")
    }
    var terms: [Float] = []
    for (p, t) in zip(probabilities, targetValues) {
      guard t != 0 else {
        terms.append(0)
        continue
      }
      guard p > 0 else {
        throw EvalError(
          location: name.location, message: "the target class has probability 0, so the loss is infinite",
          note: "use probabilities from 'softmax', which are never 0")
      }
      terms.append(-t * Float(log(Double(p))))
    }
    return CrossEntropyAnimation(
      inputName: name.name, outputName: output, probabilities: probabilities, target: targetValues,
      targetClass: targetClass, terms: terms, loss: terms.reduce(0, +))
  }
}

/// Cross-entropy of probabilities against a class or a target distribution.
public struct CrossEntropyAnimation: Equatable, Sendable {
  public var inputName: String
  public var outputName: String
  public var probabilities: [Float]
  /// One-hot for a class index.
  public var target: [Float]
  public var targetClass: Int?
  /// −t·ln p per class (0 where t is 0).
  public var terms: [Float]
  public var loss: Float
}

extension CrossEntropyAnimation: OperationAnimation {
  public var frameCount: Int { 1 }

  public func parts(frame: Int) -> AnimationParts { AnimationParts(input: inputName) }

  public func printArithmetic(into printed: inout PrintedArithmetic) {
    for value in probabilities + [loss] { printed.add(value, decimals: 3) }
  }
}
