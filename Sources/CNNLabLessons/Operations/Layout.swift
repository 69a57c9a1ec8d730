import CNNLabEngine

// `layout GRID hwc -> NAME`: channels first (C,H,W) reordered to channels last (H,W,C), one
// output cell per frame.

public struct LayoutOperation: Equatable, Sendable {
  public var input: NameReference

  public init(input: NameReference) { self.input = input }
}

extension LayoutOperation: OperationSpec {
  static let keyword = "layout"

  var inputs: [NameReference] { [input] }

  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind {
    let input = try cursor.name("the grid")
    let column = cursor.column
    guard cursor.skipWord("hwc") else {
      throw ParseError(
        column: column, message: "expected 'hwc', found \(cursor.found)",
        note: "'layout GRID hwc -> NAME' reorders (C,H,W) into (H,W,C)")
    }
    return .layoutHWC(LayoutOperation(input: input))
  }

  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation {
    let name = self.input
    let input = try run.grid(name)
    guard input.rank == 3 else {
      throw EvalError(
        location: name.location, message: "'\(name.name)' is \(shapeText(input.shape)); 'layout' needs channels x rows x columns",
        note: "use a grid with channels, like 3x2x2")
    }
    let (c, h, w) = (input.shape[0], input.shape[1], input.shape[2])
    var scalars: [Float] = []
    scalars.reserveCapacity(input.count)
    for y in 0..<h {
      for x in 0..<w {
        for k in 0..<c { scalars.append(input.scalars[(k * h + y) * w + x]) }
      }
    }
    let result = Tensor(shape: [h, w, c], scalars: scalars)
    run.values[operation.output.name] = .grid(result, unscaled: nil, scale: nil)
    return .layout(LayoutAnimation(input: input, output: result, names: OperandNames(input: name.name, output: operation.output.name)))
  }
}

/// (C,H,W) into (H,W,C).
public struct LayoutAnimation: Equatable, Sendable {
  public var input: Tensor
  public var output: Tensor
  public var names: OperandNames
}

extension LayoutAnimation: OperationAnimation, CellByCellAnimation {
  /// (H, W, C) position [y, x, k] holds (C, H, W) position [k, y, x].
  public func sourceIndex(frame: Int) -> Int? {
    guard input.rank == 3, output.shape == [input.shape[1], input.shape[2], input.shape[0]],
      output.scalars.indices.contains(frame)
    else { return nil }
    let at = Screen.index(frame, shape: output.shape)
    return checkedSource(input.offset([at[2], at[0], at[1]]), frame)
  }

  public func frameIndex(of target: GridPosition, filter: Int) -> Int? {
    cellFrame(of: target, filter: filter, in: output.shape)
  }

  public func parts(frame: Int) -> AnimationParts { channelParts(frame: frame) }
}
