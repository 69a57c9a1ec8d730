import CNNLabEngine

// `pool INPUT max|avg size K [stride S] [ceil] -> NAME`: max or average pooling, one window per
// frame from the engine's trace, each channel on its own.

public enum PoolKind: String, Equatable, Sendable { case max, avg }

public struct PoolOperation: Equatable, Sendable {
  public var input: NameReference
  public var kind: PoolKind
  public var size: Int
  public var stride: Int?
  public var ceil: Bool

  public init(input: NameReference, kind: PoolKind, size: Int, stride: Int? = nil, ceil: Bool = false) {
    self.input = input
    self.kind = kind
    self.size = size
    self.stride = stride
    self.ceil = ceil
  }
}

extension PoolOperation: OperationSpec {
  static let keyword = "pool"

  var inputs: [NameReference] { [input] }

  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind {
    let input = try cursor.name("the grid to pool")
    let kindColumn = cursor.column
    let mode = try cursor.name("'max' or 'avg'")
    guard let poolKind = PoolKind(rawValue: mode.name) else {
      throw ParseError(
        column: kindColumn, message: "expected 'max' or 'avg', found '\(mode.name)'",
        note: "write 'pool GRID max size 2 stride 2 -> NAME'")
    }
    var pool = PoolOperation(input: input, kind: poolKind, size: 0)
    var sawSize = false
    try cursor.options(
      unknown: { c in
        ParseError(
          column: c.column, message: "unknown pool option \(c.found)",
          note: didYouMean(c.peek?.text, among: ["size", "stride", "ceil"]) ?? "options are size, stride and ceil")
      }
    ) { word, c throws(ParseError) in
      switch word.text {
      case "size":
        let (rows, cols) = try c.pair("the pool size", in: 1...1024)
        guard rows == cols else {
          throw ParseError(column: word.column, message: "pooling windows are square", note: "write 'size 2'")
        }
        pool.size = rows
        sawSize = true
      case "stride": pool.stride = try c.integer("the stride", in: 1...1024)
      case "ceil": pool.ceil = true
      default: return false
      }
      return true
    }
    guard sawSize else {
      throw ParseError(
        column: cursor.column, message: "the pool has no size",
        note: "add 'size 2' (the window is 2x2)")
    }
    return .pool(pool)
  }

  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation {
    let animation = try run.pool(self, operation: operation)
    run.values[operation.output.name] = .grid(animation.output, unscaled: nil, scale: nil)
    run.workings[operation.output.name] = animation.working
    return .pooling(animation)
  }
}

extension PoolOperation {
  /// How far the window and stride knobs turn (`KnobScale`, shared with the playground):
  /// small enough that every map still fits.
  static let knobSizes = Array(KnobScale.poolWindow.lessonValues)
  static let knobStrides = Array(KnobScale.poolStride.lessonValues)

  /// Window, stride, max or average, and floor or ceil at the edges.
  var knobs: [Knob] {
    [
      Knob(name: KnobScale.poolWindow.name, value: "\(size)"),
      Knob(name: KnobScale.poolStride.name, value: "\(stride ?? size)"),
      Knob(name: "mode", value: kind.rawValue),
      Knob(name: "edges", value: ceil ? "ceil" : "floor"),
    ]
  }

  func turning(_ name: String, by notches: Int) -> StepOperation.Kind? {
    var p = self
    switch name {
    case "window":
      guard let size = turned(size, among: PoolOperation.knobSizes, by: notches) else { return nil }
      p.size = size
    case "stride":
      guard let stride = turned(stride ?? size, among: PoolOperation.knobStrides, by: notches) else { return nil }
      p.stride = stride
    case "mode":
      p.kind = kind == .max ? .avg : .max
    case "edges":
      p.ceil.toggle()
    default:
      return nil
    }
    return .pool(p)
  }
}

extension LessonRun {
  func pool(_ p: PoolOperation, operation: StepOperation) throws(EvalError) -> PoolingAnimation {
    let input = try grid(p.input)
    guard input.rank == 2 || input.rank == 3 else {
      throw EvalError(
        location: p.input.location, message: "'\(p.input.name)' is a row of values; pooling needs rows and columns",
        note: "pool a 2-D map (or channels of maps)")
    }
    let channels = input.rank == 3 ? input.shape[0] : 1
    let height = input.shape[input.rank - 2]
    let width = input.shape[input.rank - 1]
    let geometry: ConvGeometry
    do {
      geometry = try ConvGeometry.pooling(inputH: height, inputW: width, size: p.size, stride: p.stride, ceil: p.ceil)
    } catch {
      throw EvalError(
        location: operation.location, message: error.message,
        note: "use a window no larger than \(height)x\(width)")
    }
    let cells = geometry.rows.output * geometry.cols.output * channels * p.size * p.size
    guard cells <= maxTracedTaps else {
      throw EvalError(
        location: operation.location, message: "this pooling visits \(cells) cells, too many to show",
        note: "use a smaller grid")
    }
    let trace: PoolTrace
    do {
      trace = try Reference.poolTrace(
        input: input.reshaped([channels, height, width]), size: p.size, stride: p.stride, ceil: p.ceil,
        mode: p.kind == .max ? .max : .avg)
    } catch {
      throw EvalError(location: operation.location, message: error.message, note: "check the pool's size")
    }
    let output =
      input.rank == 2 ? trace.output.reshaped([geometry.rows.output, geometry.cols.output]) : trace.output
    return PoolingAnimation(
      inputName: p.input.name, outputName: operation.output.name, input: input, trace: trace, output: output,
      working: working(geometry, oneDimensional: false))
  }
}

/// A pooling with every window.
public struct PoolingAnimation: Equatable, Sendable {
  public var inputName: String
  public var outputName: String
  public var input: Tensor
  public var trace: PoolTrace
  public var output: Tensor
  public var working: [String]
}

extension PoolingAnimation: OperationAnimation {
  public var frameCount: Int { trace.placements.count }
  public var frameUnit: String { "window" }
  public var focusShape: [Int]? { Array(trace.output.shape.suffix(2)) }
  public var sizeFormula: String? { CNNLabLessons.sizeFormula(trace.geometry, oneDimensional: false) }

  public func frameIndex(of target: GridPosition, filter: Int) -> Int? {
    trace.placements.firstIndex { $0.channel == filter && $0.outRow == target.row && $0.outCol == target.col }
  }

  public func parts(frame: Int) -> AnimationParts {
    var parts = AnimationParts(input: inputName, output: outputName)
    parts.inputChannel = trace.placements[safe: frame]?.channel ?? 0
    parts.outputChannel = parts.inputChannel
    return parts
  }

  public func computedCells(frame: Int, channel: Int, count: Int) -> (done: Set<Int>, current: Int?) {
    var done: Set<Int> = []
    var current: Int?
    let columns = trace.geometry.cols.output
    for (index, p) in trace.placements.enumerated() where index <= frame && p.channel == channel {
      done.insert(p.outRow * columns + p.outCol)
      if index == frame { current = p.outRow * columns + p.outCol }
    }
    return (done, current)
  }

  public func printArithmetic(into printed: inout PrintedArithmetic) {
    for p in trace.placements {
      let index = output.rank == 3 ? [p.channel, p.outRow, p.outCol] : [p.outRow, p.outCol]
      let cell = SceneQuestion.Cell(grid: outputName, index: index)
      if printed.isHidden(cell) { continue }
      printed.add(p.value)
      printed.add(cell)
    }
  }
}
