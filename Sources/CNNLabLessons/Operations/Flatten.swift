import CNNLabEngine

// `flatten GRID -> NAME`: the values read row by row into one long row, one cell per frame.

public struct FlattenOperation: Equatable, Sendable {
  public var input: NameReference

  public init(input: NameReference) { self.input = input }
}

extension FlattenOperation: OperationSpec {
  static let keyword = "flatten"

  var inputs: [NameReference] { [input] }

  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind {
    .flatten(FlattenOperation(input: try cursor.name("the grid to flatten")))
  }

  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation {
    let input = try run.grid(self.input)
    let result = input.reshaped([input.count])
    run.values[operation.output.name] = .grid(result, unscaled: nil, scale: nil)
    return .flatten(
      FlattenAnimation(input: input, output: result, names: OperandNames(input: self.input.name, output: operation.output.name)))
  }
}

/// Values read row by row into one long row.
public struct FlattenAnimation: Equatable, Sendable {
  public var input: Tensor
  public var output: Tensor
  public var names: OperandNames
}

extension FlattenAnimation: OperationAnimation, CellByCellAnimation {
  /// Read row by row: the same flat index.
  public func sourceIndex(frame: Int) -> Int? { checkedSource(frame, frame) }

  public func frameIndex(of target: GridPosition, filter: Int) -> Int? { target.col }

  public func parts(frame: Int) -> AnimationParts { AnimationParts(input: names.input, output: names.output) }
}
