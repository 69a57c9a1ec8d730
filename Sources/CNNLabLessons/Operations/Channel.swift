import CNNLabEngine

// `channel GRID K -> NAME`: channel K of a (C,H,W) grid, one cell per frame.

public struct ChannelOperation: Equatable, Sendable {
  public var input: NameReference
  public var index: Int

  public init(input: NameReference, index: Int) {
    self.input = input
    self.index = index
  }
}

extension ChannelOperation: OperationSpec {
  static let keyword = "channel"

  var inputs: [NameReference] { [input] }

  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind {
    let input = try cursor.name("the grid")
    return .channel(ChannelOperation(input: input, index: try cursor.integer("the channel", in: 0...100_000)))
  }

  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation {
    let name = self.input
    let input = try run.grid(name)
    guard input.rank == 3 else {
      throw EvalError(
        location: name.location, message: "'\(name.name)' is \(shapeText(input.shape)) and has no channels",
        note: "use a grid written channels x rows x columns")
    }
    guard index < input.shape[0] else {
      throw EvalError(
        location: operation.location, message: "'\(name.name)' has \(input.shape[0]) channels, so there is no channel \(index)",
        note: "channels count from 0 to \(input.shape[0] - 1)")
    }
    let result = input.slice(index)
    run.values[operation.output.name] = .grid(result, unscaled: nil, scale: nil)
    return .channel(
      ChannelAnimation(
        input: input, index: index, output: result, names: OperandNames(input: name.name, output: operation.output.name)))
  }
}

/// One channel taken out of a (C,H,W) grid.
public struct ChannelAnimation: Equatable, Sendable {
  public var input: Tensor
  public var index: Int
  public var output: Tensor
  public var names: OperandNames
}

extension ChannelAnimation: OperationAnimation, CellByCellAnimation {
  public func sourceIndex(frame: Int) -> Int? {
    guard input.rank == 3, Array(input.shape.dropFirst()) == output.shape, (0..<input.shape[0]).contains(index),
      output.scalars.indices.contains(frame)
    else { return nil }
    return checkedSource(input.offset([index] + Screen.index(frame, shape: output.shape)), frame)
  }

  public func frameIndex(of target: GridPosition, filter: Int) -> Int? {
    cellFrame(of: target, filter: filter, in: output.shape)
  }

  public func parts(frame: Int) -> AnimationParts { AnimationParts(input: names.input, output: names.output) }
}

/// The operations that write one output cell per frame, each copied (or rectified) from one
/// input cell.
public protocol CellByCellAnimation: OperationAnimation {
  var input: Tensor { get }
  var output: Tensor { get }
  var names: OperandNames { get }
}

extension CellByCellAnimation {
  public var frameCount: Int { output.count }

  public func computedCells(frame: Int, channel: Int, count: Int) -> (done: Set<Int>, current: Int?) {
    cellByCell(frame: frame, channel: channel, count: count)
  }

  public func printArithmetic(into printed: inout PrintedArithmetic) {
    // These traces print every result cell, asked or not.
    for (flat, value) in output.scalars.enumerated() {
      printed.add(value)
      printed.add(SceneQuestion.Cell(grid: names.output, index: Screen.index(flat, shape: output.shape)))
    }
  }

  /// `source` when the input holds there the value written to output cell `frame`; nil
  /// otherwise, so a wrong cell is never lit.
  func checkedSource(_ source: Int, _ frame: Int) -> Int? {
    guard input.scalars.indices.contains(source), output.scalars.indices.contains(frame) else { return nil }
    let (read, written) = (input.scalars[source], output.scalars[frame])
    return read == written || (read.isNaN && written.isNaN) ? source : nil
  }

  /// The frame of output cell `target` in channel `filter`, frames counting cells row-major.
  func cellFrame(of target: GridPosition, filter: Int, in shape: [Int]) -> Int? {
    guard shape.count >= 2 else { return target.col }
    let rows = shape[shape.count - 2]
    let columns = shape[shape.count - 1]
    return (filter * rows + target.row) * columns + target.col
  }

  /// The names, and the channels of the output cell written at `frame` and of the input cell
  /// its value is read from.
  func channelParts(frame: Int) -> AnimationParts {
    var parts = AnimationParts(input: names.input, output: names.output)
    if output.rank == 3 { parts.outputChannel = frame / max(1, output.shape[1] * output.shape[2]) }
    if input.rank == 3, let source = sourceIndex(frame: frame) {
      parts.inputChannel = source / max(1, input.shape[1] * input.shape[2])
    }
    return parts
  }
}
