import CNNLabEngine
import Foundation

// `convolve INPUT with KERNEL[, KERNEL...] [options] -> NAME`: a 1-D or 2-D convolution of one
// or more kernels, animated one kernel placement per frame from the engine's trace.

public struct ConvolveOperation: Equatable, Sendable {
  public var input: NameReference
  public var kernels: [NameReference]
  public var strideRows: Int = 1
  public var strideCols: Int = 1
  public var padding: PaddingSpec = .valid
  public var dilationRows: Int = 1
  public var dilationCols: Int = 1
  public var flip: Bool = false
  public var normalize: Bool = false
  public var bias: [LessonNumber] = []
  public var relu: Bool = false
  /// `stride plan[0]`, `padding plan[1]`: both axes' stride or padding read from a cell the
  /// learner edits, so a challenge can ask for the settings that give a size.
  public var strideSetting: Expression?
  public var paddingSetting: Expression?

  public init(input: NameReference, kernels: [NameReference]) {
    self.input = input
    self.kernels = kernels
  }
}

/// `padding valid|same|N|NxM` as written.
public enum PaddingSpec: Equatable, Sendable {
  case valid
  case same
  case explicit(rows: Int, cols: Int)
}

extension ConvolveOperation: OperationSpec {
  static let keyword = "convolve"

  var inputs: [NameReference] { [input] + kernels }

  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind {
    let input = try cursor.name("the grid to convolve")
    try cursor.expectWord("with", note: "write 'convolve GRID with KERNEL -> NAME'")
    var convolve = ConvolveOperation(input: input, kernels: try cursor.nameList("a kernel"))
    try cursor.options(
      unknown: { c in
        ParseError(
          column: c.column, message: "unknown convolve option \(c.found)",
          note: didYouMean(c.peek?.text, among: ["stride", "padding", "pad", "dilation", "mode", "normalize", "bias", "relu"])
            ?? "options are stride, padding, dilation, mode, normalize, bias and relu")
      }
    ) { word, c throws(ParseError) in
      switch word.text {
      case "stride":
        if c.peek?.kind == .word {
          convolve.strideSetting = try c.expression()
        } else {
          (convolve.strideRows, convolve.strideCols) = try c.pair("the stride", in: 1...1024)
        }
      case "padding", "pad":
        if c.peek?.kind == .word, !c.isWord("valid"), !c.isWord("same") {
          convolve.paddingSetting = try c.expression()
        } else {
          convolve.padding = try parsePadding(&c)
        }
      case "dilation":
        (convolve.dilationRows, convolve.dilationCols) = try c.pair("the dilation", in: 1...1024)
      case "mode":
        if c.skipWord("correlate") {
          convolve.flip = false
        } else if c.skipWord("convolve") {
          convolve.flip = true
        } else {
          throw ParseError(
            column: c.column, message: "expected 'correlate' or 'convolve' after 'mode', found \(c.found)",
            note: "'mode correlate' slides the kernel as it is; 'mode convolve' flips it first")
        }
      case "normalize": convolve.normalize = true
      case "relu": convolve.relu = true
      case "bias":
        convolve.bias = [try c.number("the bias")]
        while c.skipSymbol(",") { convolve.bias.append(try c.number("the bias")) }
      default: return false
      }
      return true
    }
    return .convolve(convolve)
  }

  /// `valid`, `same`, `1` or `1x0` after `padding`.
  static func parsePadding(_ cursor: inout Cursor) throws(ParseError) -> PaddingSpec {
    if cursor.skipWord("valid") { return .valid }
    if cursor.skipWord("same") { return .same }
    guard let token = cursor.peek, token.kind != .word else {
      throw ParseError(
        column: cursor.column, message: "expected 'valid', 'same' or a number after 'padding', found \(cursor.found)",
        note: "write 'padding valid', 'padding same', 'padding 1' or 'padding 1x0'")
    }
    let (rows, cols) = try cursor.pair("the padding", in: 0...1024)
    return .explicit(rows: rows, cols: cols)
  }

  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation {
    let animation = try run.convolve(self, operation: operation)
    run.values[operation.output.name] = .grid(animation.output, unscaled: nil, scale: nil)
    run.workings[operation.output.name] = animation.working
    return .convolution(animation)
  }
}

extension ConvolveOperation {
  /// How far the stride and dilation knobs turn, and the paddings the padding knob steps
  /// through (`KnobScale`, shared with the playground): small enough that every map still fits.
  static let knobStrides = Array(KnobScale.stride.lessonValues)
  static let knobDilations = Array(KnobScale.dilation.lessonValues)
  static let knobPaddings: [PaddingSpec] = KnobScale.paddings.map(PaddingSpec.init)

  /// Stride, padding, dilation and mode; a stride or padding the lesson reads from a cell the
  /// learner edits (`stride plan[0]`) is turned there, not by a knob.
  var knobs: [Knob] {
    var knobs: [Knob] = []
    if strideSetting == nil { knobs.append(Knob(name: KnobScale.stride.name, value: KnobScale.stride.text(strideRows, strideCols))) }
    if paddingSetting == nil { knobs.append(Knob(name: KnobScale.padding.name, value: padding.text)) }
    knobs.append(Knob(name: KnobScale.dilation.name, value: KnobScale.dilation.text(dilationRows, dilationCols)))
    knobs.append(Knob(name: "mode", value: flip ? "convolve" : "correlate"))
    return knobs
  }

  func turning(_ name: String, by notches: Int) -> StepOperation.Kind? {
    var c = self
    switch name {
    case "stride" where strideSetting == nil:
      guard let stride = turned(strideCols, among: ConvolveOperation.knobStrides, by: notches) else { return nil }
      (c.strideRows, c.strideCols) = (stride, stride)
    case "padding" where paddingSetting == nil:
      let current = padding == .explicit(rows: 0, cols: 0) ? .valid : padding
      guard let next = turned(current, among: ConvolveOperation.knobPaddings, by: notches) else { return nil }
      c.padding = next
    case "dilation":
      guard let dilation = turned(dilationCols, among: ConvolveOperation.knobDilations, by: notches) else { return nil }
      (c.dilationRows, c.dilationCols) = (dilation, dilation)
    case "mode":
      c.flip.toggle()
    default:
      return nil
    }
    return .convolve(c)
  }
}

extension PaddingSpec {
  /// A padding the knob offers, as a lesson writes it.
  init(_ padding: Padding) {
    switch padding {
    case .valid: self = .valid
    case .same: self = .same
    case .explicit(let top, _, let left, _): self = .explicit(rows: top, cols: left)
    }
  }

  /// `valid`, `same`, `1` or `1x0`, as a lesson writes it.
  public var text: String {
    switch self {
    case .valid: return "valid"
    case .same: return "same"
    case .explicit(let rows, let cols): return axesText(rows, cols)
    }
  }
}

extension LessonRun {
  func convolve(_ written: ConvolveOperation, operation: StepOperation) throws(EvalError) -> ConvolutionAnimation {
    let c = try settled(written)
    let input = try grid(c.input)
    var kernels: [Tensor] = []
    for name in c.kernels { kernels.append(try grid(name)) }
    let first = kernels[0]
    for (name, kernel) in zip(c.kernels, kernels) where kernel.shape != first.shape {
      throw EvalError(
        location: name.location,
        message: "kernel '\(name.name)' is \(shapeText(kernel.shape)) but '\(c.kernels[0].name)' is \(shapeText(first.shape))",
        note: "kernels convolved together must have one shape")
    }
    let filters = kernels.count
    guard c.bias.isEmpty || c.bias.count == 1 || c.bias.count == filters else {
      throw EvalError(
        location: operation.location, message: "\(c.bias.count) biases for \(filters) kernels",
        note: "give one bias, or one per kernel")
    }
    let bias: [Float]? =
      c.bias.isEmpty ? nil : (c.bias.count == 1 ? [Float](repeating: Float(c.bias[0].value), count: filters) : c.bias.map { Float($0.value) })
    let mode: KernelMode = c.flip ? .convolve : .correlate
    let activation: Activation = c.relu ? .relu : .identity
    let oneDimensional = input.rank == 1
    let channels: Int
    let height: Int
    let width: Int
    let kernelH: Int
    let kernelW: Int
    if oneDimensional {
      guard first.rank == 1 else {
        throw EvalError(
          location: c.kernels[0].location,
          message: "'\(c.input.name)' is a row of \(input.count) values, so its kernel must be a row too, not \(shapeText(first.shape))",
          note: "declare the kernel with one size, like 'kernel \(c.kernels[0].name) 2'")
      }
      (channels, height, width, kernelH, kernelW) = (1, 1, input.shape[0], 1, first.shape[0])
    } else {
      channels = input.rank == 3 ? input.shape[0] : 1
      height = input.shape[input.rank - 2]
      width = input.shape[input.rank - 1]
      switch first.rank {
      case 2:
        guard channels == 1 else {
          throw EvalError(
            location: c.kernels[0].location,
            message: "'\(c.input.name)' has \(channels) channels but kernel '\(c.kernels[0].name)' has one",
            note: "declare the kernel as \(channels)x\(first.shape[0])x\(first.shape[1]): one slice per channel")
        }
      case 3:
        guard first.shape[0] == channels else {
          throw EvalError(
            location: c.kernels[0].location,
            message: "kernel '\(c.kernels[0].name)' has \(first.shape[0]) channels but '\(c.input.name)' has \(channels)",
            note: "give the kernel one slice per channel of its input")
        }
      default:
        throw EvalError(
          location: c.kernels[0].location,
          message: "kernel '\(c.kernels[0].name)' is a row of \(first.count) values but '\(c.input.name)' is a \(shapeText(input.shape)) grid",
          note: "declare the kernel with rows and columns, like 'kernel \(c.kernels[0].name) 3x3'")
      }
      kernelH = first.shape[first.rank - 2]
      kernelW = first.shape[first.rank - 1]
    }
    var options = ConvOptions(
      strideH: oneDimensional ? 1 : c.strideRows, strideW: c.strideCols, mode: mode, normalize: c.normalize)
    options.dilationH = oneDimensional ? 1 : c.dilationRows
    options.dilationW = c.dilationCols
    switch c.padding {
    case .valid: options.padding = .valid
    case .same:
      if oneDimensional {
        let (before, after) = ConvGeometry.samePadding(
          input: width, kernel: kernelW, stride: c.strideCols, dilation: c.dilationCols)
        options.padding = .explicit(top: 0, bottom: 0, left: before, right: after)
      } else {
        options.padding = .same
      }
    case .explicit(let rows, let cols):
      options.padding = .explicit(
        top: oneDimensional ? 0 : rows, bottom: oneDimensional ? 0 : rows, left: cols, right: cols)
    }
    let geometry: ConvGeometry
    do {
      geometry = try ConvGeometry.convolution(
        inputH: height, inputW: width, kernelH: kernelH, kernelW: kernelW, options: options)
    } catch {
      let size = oneDimensional ? "\(kernelW)" : "\(kernelH)x\(kernelW)"
      let inputSize = "\(width)"
      let message = oneDimensional ? error.message.replacingOccurrences(of: "conv 1x\(kernelW) does not fit a 1x\(width) input", with: "conv \(size) does not fit a row of \(inputSize)") : error.message
      // The least padding that lets one window fit: N + 2P ≥ D·(F − 1) + 1 on each axis.
      let spanH = options.dilationH * (kernelH - 1) + 1
      let spanW = options.dilationW * (kernelW - 1) + 1
      let padding = max((spanH - height + 1) / 2, (spanW - width + 1) / 2, 1)
      let needed = oneDimensional ? "\(spanW)" : "\(spanH)x\(spanW)"
      throw EvalError(
        location: operation.location, message: message,
        note: "add 'padding \(padding)', or use a grid at least \(needed)")
    }
    let taps = geometry.rows.output * geometry.cols.output * filters * channels * kernelH * kernelW
    guard taps <= maxTracedTaps else {
      throw EvalError(
        location: operation.location, message: "this convolution has \(taps) multiplications, too many to show",
        note: "use smaller grids, less padding or a larger stride")
    }
    let weights = Tensor(
      shape: [filters, channels, kernelH, kernelW], scalars: kernels.flatMap(\.scalars))
    let engineInput = input.reshaped([channels, height, width])
    let trace: ConvTrace
    do {
      trace = try Reference.conv2DTrace(
        input: engineInput, weights: weights, bias: bias, options: options, activation: activation)
    } catch {
      throw EvalError(location: operation.location, message: error.message, note: "check the shapes of the grid and kernel")
    }
    let (oh, ow) = (geometry.rows.output, geometry.cols.output)
    let output: Tensor
    if oneDimensional {
      output = filters == 1 ? trace.output.reshaped([ow]) : trace.output.reshaped([filters, ow])
    } else {
      output = filters == 1 ? trace.output.reshaped([oh, ow]) : trace.output
    }
    return ConvolutionAnimation(
      inputName: c.input.name, kernelNames: c.kernels.map(\.name), outputName: operation.output.name,
      input: input, kernels: kernels, trace: trace, output: output, isOneDimensional: oneDimensional,
      working: working(geometry, oneDimensional: oneDimensional))
  }

  /// The output-size formula per axis, and the input cells no window reaches.
  func working(_ geometry: ConvGeometry, oneDimensional: Bool) -> [String] {
    var lines: [String] = []
    if oneDimensional {
      lines.append("length: \(geometry.cols.working)")
      if !geometry.cols.unusedInputs.isEmpty {
        lines.append("unused: \(geometry.cols.unusedInputs.map(String.init).joined(separator: ", "))")
      }
      return lines
    }
    lines.append("rows: \(geometry.rows.working)")
    lines.append("columns: \(geometry.cols.working)")
    if !geometry.rows.unusedInputs.isEmpty {
      lines.append("unused rows: \(geometry.rows.unusedInputs.map(String.init).joined(separator: ", "))")
    }
    if !geometry.cols.unusedInputs.isEmpty {
      lines.append("unused columns: \(geometry.cols.unusedInputs.map(String.init).joined(separator: ", "))")
    }
    return lines
  }
}

/// A convolution (1-D or 2-D) with every kernel placement.
public struct ConvolutionAnimation: Equatable, Sendable {
  public var inputName: String
  public var kernelNames: [String]
  public var outputName: String
  /// As the lesson holds it: `(L)`, `(H, W)` or `(C, H, W)`.
  public var input: Tensor
  /// One per kernel, as the lesson holds them (scale applied).
  public var kernels: [Tensor]
  /// The engine's trace: for a 1-D convolution, rows are of height 1.
  public var trace: ConvTrace
  /// The result as the lesson names it: `(L')`, `(H', W')` or `(F, H', W')`.
  public var output: Tensor
  public var isOneDimensional: Bool
  /// The output size worked out per axis.
  public var working: [String]
}

extension ConvolutionAnimation: OperationAnimation {
  public var frameCount: Int { trace.placements.count }
  public var frameUnit: String { "window" }
  public var focusShape: [Int]? { Array(trace.output.shape.suffix(2)) }
  public var sizeFormula: String? { CNNLabLessons.sizeFormula(trace.geometry, oneDimensional: isOneDimensional) }

  public func frameIndex(of target: GridPosition, filter: Int) -> Int? {
    trace.placements.firstIndex { $0.filter == filter && $0.outRow == target.row && $0.outCol == target.col }
  }

  public func parts(frame: Int) -> AnimationParts {
    var parts = AnimationParts(input: inputName, kernels: kernelNames, output: outputName)
    parts.outputChannel = trace.placements[safe: frame]?.filter ?? 0
    return parts
  }

  public func kernelName(frame: Int) -> String? {
    trace.placements[safe: frame].flatMap { kernelNames[safe: $0.filter] }
  }

  public func computedCells(frame: Int, channel: Int, count: Int) -> (done: Set<Int>, current: Int?) {
    var done: Set<Int> = []
    var current: Int?
    let columns = trace.geometry.cols.output
    for (index, p) in trace.placements.enumerated() where index <= frame && p.filter == channel {
      let flat = isOneDimensional ? p.outCol : p.outRow * columns + p.outCol
      done.insert(flat)
      if index == frame { current = flat }
    }
    return (done, current)
  }

  public func printArithmetic(into printed: inout PrintedArithmetic) {
    for p in trace.placements {
      for tap in p.taps { printed.add(tap.product, place: "the products of a window") }
      let index = isOneDimensional ? [p.outCol] : (output.rank == 3 ? [p.filter, p.outRow, p.outCol] : [p.outRow, p.outCol])
      let cell = SceneQuestion.Cell(grid: outputName, index: index)
      if printed.isHidden(cell) { continue }
      for value in [p.sum, p.preActivation, p.value] { printed.add(value) }
      printed.add(cell)
    }
  }
}
