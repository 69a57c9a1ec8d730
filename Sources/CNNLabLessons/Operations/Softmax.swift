import CNNLabEngine
import Foundation

// `softmax SCORES -> NAME`: e^z, their sum and each share, one class per frame.

public struct SoftmaxOperation: Equatable, Sendable {
  public var input: NameReference

  public init(input: NameReference) { self.input = input }
}

extension SoftmaxOperation: OperationSpec {
  static let keyword = "softmax"

  var inputs: [NameReference] { [input] }

  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind {
    .softmax(SoftmaxOperation(input: try cursor.name("the scores")))
  }

  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation {
    let (name, output) = (input, operation.output.name)
    let logits = try run.grid(name).scalars
    guard !logits.isEmpty else {
      throw EvalError(location: name.location, message: "'\(name.name)' is empty", note: "softmax needs scores")
    }
    let probabilities = CNNLabEngine.softmax(logits)
    let largest = logits.max() ?? 0
    // e^z for the display; computed after subtracting the largest score when e^z would overflow.
    let shift = largest > 80 ? largest : 0
    let exponentials = logits.map { Float(exp(Double($0 - shift))) }
    let total = exponentials.reduce(0, +)
    let result = Tensor(vector: probabilities)
    run.values[output] = .grid(result, unscaled: nil, scale: nil)
    run.labels[output] = run.labels[name.name]
    return .softmax(
      SoftmaxAnimation(
        inputName: name.name, outputName: output, logits: logits, exponentials: exponentials,
        total: total, probabilities: probabilities))
  }
}

/// Softmax: e^z, their sum, and each share.
public struct SoftmaxAnimation: Equatable, Sendable {
  public var inputName: String
  public var outputName: String
  public var logits: [Float]
  public var exponentials: [Float]
  public var total: Float
  public var probabilities: [Float]
}

extension SoftmaxAnimation: OperationAnimation {
  public var frameCount: Int { logits.count }
  public var frameUnit: String { "class" }

  public func parts(frame: Int) -> AnimationParts { AnimationParts(input: inputName, output: outputName) }

  public func computedCells(frame: Int, channel: Int, count: Int) -> (done: Set<Int>, current: Int?) {
    cellByCell(frame: frame, channel: channel, count: count)
  }

  public func printArithmetic(into printed: inout PrintedArithmetic) {
    for value in logits + [total] { printed.add(value) }
    for value in exponentials + probabilities { printed.add(value, decimals: 3) }
    for k in probabilities.indices { printed.add(SceneQuestion.Cell(grid: outputName, index: [k]), replacing: true) }
  }
}
