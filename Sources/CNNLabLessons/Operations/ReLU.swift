import CNNLabEngine

// `relu GRID -> NAME`: negatives become 0, one output cell per frame. Its knob swaps ReLU for
// another of the engine's activations (sigmoid, tanh, or none), to compare what each keeps.

public struct ReLUOperation: Equatable, Sendable {
  public var input: NameReference
  /// ReLU as written; the knob turns it to the others.
  public var activation: Activation = .relu

  public init(input: NameReference) { self.input = input }
}

extension ReLUOperation: OperationSpec {
  static let keyword = "relu"

  var inputs: [NameReference] { [input] }

  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind {
    .relu(ReLUOperation(input: try cursor.name("the grid to rectify")))
  }

  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation {
    let input = try run.grid(self.input)
    let result = input.activated(activation)
    run.values[operation.output.name] = .grid(result, unscaled: nil, scale: nil)
    return .relu(
      ReLUAnimation(
        input: input, output: result, names: OperandNames(input: self.input.name, output: operation.output.name),
        activation: activation))
  }

  /// The order the activation knob turns through.
  static let knobActivations: [Activation] = [.relu, .sigmoid, .tanh, .identity]

  var knobs: [Knob] { [Knob(name: "activation", value: ReLUOperation.name(activation))] }

  func turning(_ name: String, by notches: Int) -> StepOperation.Kind? {
    guard name == "activation", let next = turned(activation, among: ReLUOperation.knobActivations, by: notches)
    else { return nil }
    var r = self
    r.activation = next
    return .relu(r)
  }

  /// `relu`, `sigmoid`, `tanh` or `none`, as the knob writes them.
  public static func name(_ activation: Activation) -> String {
    activation == .identity ? "none" : activation.rawValue
  }
}

/// ReLU cell by cell.
public struct ReLUAnimation: Equatable, Sendable {
  public var input: Tensor
  public var output: Tensor
  public var names: OperandNames
  /// ReLU unless the learner turned the step's knob.
  public var activation: Activation = .relu
}

extension ReLUAnimation: OperationAnimation, CellByCellAnimation {
  /// The one cell-by-cell operation that changes values: the input cell is the output cell.
  public func sourceIndex(frame: Int) -> Int? {
    guard input.shape == output.shape, input.scalars.indices.contains(frame) else { return nil }
    return frame
  }

  public func frameIndex(of target: GridPosition, filter: Int) -> Int? {
    cellFrame(of: target, filter: filter, in: output.shape)
  }

  public func parts(frame: Int) -> AnimationParts { channelParts(frame: frame) }
}
