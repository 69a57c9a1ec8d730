import CNNLabEngine

// `dense INPUT with W1, W2, ... [bias B1, B2, ...] [normalize] [labels "A" "B" ...] -> NAME`:
// a fully connected vote, one class per frame.

public struct DenseOperation: Equatable, Sendable {
  public var input: NameReference
  public var weights: [NameReference]
  public var bias: [LessonNumber] = []
  public var normalize: Bool = false
  public var labels: [String] = []

  public init(input: NameReference, weights: [NameReference]) {
    self.input = input
    self.weights = weights
  }
}

extension DenseOperation: OperationSpec {
  static let keyword = "dense"

  var inputs: [NameReference] { [input] + weights }

  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind {
    let input = try cursor.name("the values to weigh")
    try cursor.expectWord("with", note: "write 'dense VALUES with W1, W2 -> NAME', one weight grid per class")
    var dense = DenseOperation(input: input, weights: try cursor.nameList("a weight grid"))
    try cursor.options(
      unknown: { c in
        ParseError(
          column: c.column, message: "unknown dense option \(c.found)",
          note: didYouMean(c.peek?.text, among: ["bias", "normalize", "labels"]) ?? "options are bias, normalize and labels")
      }
    ) { word, c throws(ParseError) in
      switch word.text {
      case "bias":
        dense.bias = [try c.number("the bias")]
        while c.skipSymbol(",") { dense.bias.append(try c.number("the bias")) }
      case "normalize": dense.normalize = true
      case "labels":
        dense.labels = [try c.string("a class label")]
        while let token = c.peek, case .string = token.kind {
          dense.labels.append(try c.string("a class label"))
        }
      default: return false
      }
      return true
    }
    if !dense.labels.isEmpty, dense.labels.count != dense.weights.count {
      throw ParseError(
        column: location.column,
        message: "\(dense.labels.count) labels for \(dense.weights.count) weight grids",
        note: "give one label per class")
    }
    return .dense(dense)
  }

  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation {
    let output = operation.output.name
    let animation = try run.dense(self, output: output)
    run.values[output] = .grid(animation.output, unscaled: nil, scale: nil)
    run.labels[output] = animation.classes.map(\.label)
    return .dense(animation)
  }
}

extension LessonRun {
  func dense(_ d: DenseOperation, output: String) throws(EvalError) -> DenseAnimation {
    let input = try grid(d.input)
    guard d.bias.isEmpty || d.bias.count == d.weights.count else {
      throw EvalError(
        location: d.input.location, message: "\(d.bias.count) biases for \(d.weights.count) classes",
        note: "give one bias per weight grid")
    }
    var classes: [DenseAnimation.ClassScore] = []
    for (k, name) in d.weights.enumerated() {
      let weights = try grid(name)
      guard weights.count == input.count else {
        throw EvalError(
          location: name.location,
          message: "'\(name.name)' has \(weights.count) weights but '\(d.input.name)' has \(input.count) values",
          note: "give each class one weight per input value")
      }
      let products = zip(input.scalars, weights.scalars).map { $0 * $1 }
      let sum = products.reduce(0, +)
      let scale: Float = d.normalize ? 1 / Float(max(input.count, 1)) : 1
      let bias = d.bias.isEmpty ? 0 : Float(d.bias[k].value)
      classes.append(
        DenseAnimation.ClassScore(
          label: d.labels.isEmpty ? name.name : d.labels[k], weightName: name.name, weights: weights,
          products: products, sum: sum, scale: scale, bias: bias, score: sum * scale + bias))
    }
    return DenseAnimation(
      inputName: d.input.name, outputName: output, input: input, classes: classes,
      output: Tensor(vector: classes.map(\.score)))
  }
}

/// A fully connected vote: each class weighs every input value.
public struct DenseAnimation: Equatable, Sendable {
  public struct ClassScore: Equatable, Sendable {
    public var label: String
    public var weightName: String
    public var weights: Tensor
    /// input[i] · weight[i], in input order.
    public var products: [Float]
    public var sum: Float
    /// 1, or 1/count with `normalize`.
    public var scale: Float
    public var bias: Float
    public var score: Float
  }

  public var inputName: String
  public var outputName: String
  public var input: Tensor
  public var classes: [ClassScore]
  /// `(K)`: the scores.
  public var output: Tensor
}

extension DenseAnimation: OperationAnimation {
  public var frameCount: Int { classes.count }
  public var frameUnit: String { "class" }

  public func parts(frame: Int) -> AnimationParts {
    AnimationParts(input: inputName, kernels: classes.map(\.weightName), output: outputName)
  }

  public func computedCells(frame: Int, channel: Int, count: Int) -> (done: Set<Int>, current: Int?) {
    cellByCell(frame: frame, channel: channel, count: count)
  }

  public func printArithmetic(into printed: inout PrintedArithmetic) {
    for (k, c) in classes.enumerated() {
      for value in c.products + [c.sum, c.score] { printed.add(value) }
      printed.add(SceneQuestion.Cell(grid: outputName, index: [k]), replacing: true)
    }
  }
}
