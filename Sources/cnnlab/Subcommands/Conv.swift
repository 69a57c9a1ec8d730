import ArgumentParser
import Foundation
import CNNLabData
import CNNLabEngine

extension CNNLab {
  struct Conv: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Convolve a grid with a kernel, with the engine the lessons use.",
      usage: """
        cnnlab conv INPUT KERNEL [--stride S|SHxSW] [--padding P] [--dilation D]
        [--mode correlate|convolve] [--normalize] [--bias B[,B2,...]]
        [--activation A] [--trace] [-o OUT]
        """,
      discussion: """
        INPUT and KERNEL are text grids (numbers separated by spaces, a row per line,
        channels separated by a blank line, '#' comments, fractions like 1/9 allowed)
        or NumPy .npy files. INPUT is (H,W) or (C,H,W). KERNEL is (KH,KW), (C,KH,KW)
        for one filter over C channels, or (F,C,KH,KW) for F filters; a (K,KH,KW)
        kernel over a one-channel input is K filters.
        Examples:
          cnnlab conv assets/xo/x.grid assets/xo/diagonal.grid --normalize
          cnnlab conv assets/images/face-7x7.grid assets/kernels/feature-detector.grid
          cnnlab conv assets/xo/o.grid assets/xo/x-centre.grid --stride 2 --trace
        """)

    @Argument(help: "The input grid (text or .npy).")
    var input: String

    @Argument(help: "The kernel (text or .npy).")
    var kernel: String

    // Numbers are taken as they come (`parsing: .unconditional`), so `--stride -1` is read as
    // -1 and refused by `validate` with the rule, not mistaken for a missing value.
    @Option(parsing: .unconditional, help: "Stride: S, or SHxSW for rows and columns.")
    var stride = "1"

    @Option(parsing: .unconditional, help: "Padding: valid, same, N zeros on every side, or T,B,L,R.")
    var padding = "valid"

    @OptionGroup var kernelOptions: KernelOptions

    @Option(parsing: .unconditional, help: "A bias added to every output cell, or one per filter: B or B1,B2,...")
    var bias: String?

    @Option(help: "An activation applied last: identity, relu, sigmoid or tanh.")
    var activation: Activation = .identity

    @Flag(help: "Print every kernel placement with its products and sum.")
    var trace = false

    @Option(name: .shortAndLong, help: "Write the result to this file (.npy or text) instead of printing it.")
    var output: String?

    /// The longest trace printed: over a million products is more than anyone reads, and
    /// printing it takes seconds.
    static let mostTracedProducts = 1 << 20

    func validate() throws {
      _ = try options()
      _ = try biasValues()
    }

    /// The options as the engine takes them; the geometry checks their sizes against the input.
    func options() throws -> ConvOptions {
      guard let (sh, sw) = parsePair(stride) else {
        throw ValidationError("--stride must be S or SHxSW with whole numbers of 1 or more, e.g. 2 or 2x1; got '\(stride)'")
      }
      guard let padding = parsePadding(padding) else {
        throw ValidationError("--padding must be valid, same, N or T,B,L,R with whole numbers of 0 or more; got '\(self.padding)'")
      }
      let k = kernelOptions
      guard k.dilation >= 1 else { throw ValidationError("--dilation must be at least 1, not \(k.dilation)") }
      var options = ConvOptions(dilation: k.dilation, padding: padding, mode: k.mode, normalize: k.normalize)
      (options.strideH, options.strideW) = (sh, sw)
      return options
    }

    func run() throws {
      let options = try options()
      let (x, k) = try reportingFileErrors { (try GridFiles.load(input), try GridFiles.load(kernel)) }
      let image: Tensor
      let weights: Tensor
      let geometry: ConvGeometry
      do {
        image = try asImage(x, file: input)
        weights = try asWeights(k, channels: image.shape[0], file: kernel)
        geometry = try ConvGeometry.convolution(
          inputH: image.shape[1], inputW: image.shape[2], kernelH: weights.shape[2],
          kernelW: weights.shape[3], options: options)
      } catch {
        throw fail(error.message, note: fitNote(error))
      }
      guard weights.shape[0] > 0 else {
        throw fail("\(kernel): the kernel has 0 filters (its shape is \(shapeText(k.shape)))", note: "give a kernel with at least one filter")
      }
      let biases = try parseBiases(filters: weights.shape[0])
      let (filters, channels, kh, kw) = (weights.shape[0], weights.shape[1], weights.shape[2], weights.shape[3])
      let outputs = SizeLimits.product([filters, geometry.outputHeight, geometry.outputWidth])
      let traceBytes =
        trace
        ? Reference.conv2DTraceBytes(filters: filters, channels: channels, kernelH: kh, kernelW: kw, geometry: geometry)
        : 0
      try checkBudget(
        memory: SizeLimits.sum([gridBytes(image.scalars.count), gridBytes(weights.scalars.count), gridBytes(outputs, asText: output == nil), traceBytes].map { $0 ?? Int.max }),
        for: trace ? "the convolution with its trace" : "the convolution",
        note: trace ? "leave out --trace, or trace a smaller input" : "use a smaller input, kernel, padding or dilation, or a larger stride")
      let products = SizeLimits.product([outputs ?? Int.max, channels, kh, kw])
      try checkWork(products, of: "the convolution", note: "use a smaller input or kernel, or a larger stride")
      if trace {
        try checkWork(
          products, of: "the trace", unit: "printed products", limit: Self.mostTracedProducts,
          note: "leave out --trace, or trace a smaller input")
      }
      do {
        if trace {
          let result = try Reference.conv2DTrace(
            input: image, weights: weights, bias: biases, options: options, activation: activation)
          printTrace(result)
          try reportingFileErrors { try GridFiles.emit(GridFiles.squeezed(result.output), to: output) }
        } else {
          let result = try Reference.conv2D(
            input: image, weights: weights, bias: biases, options: options, activation: activation)
          try reportingFileErrors { try GridFiles.emit(GridFiles.squeezed(result), to: output) }
        }
      } catch let error as ShapeError {
        throw fail(error.message, note: fitNote(error))
      }
    }

    /// What to do about a kernel that does not fit; nothing to add to other shape errors.
    func fitNote(_ error: ShapeError) -> String? {
      error.message.contains("does not fit")
        ? "make the kernel smaller, add padding (--padding same), or use a bigger input" : nil
    }

    /// The numbers of `--bias`, or nil without it; every one finite.
    func biasValues() throws -> [Float]? {
      guard let bias else { return nil }
      let values = bias.split(separator: ",", omittingEmptySubsequences: false)
        .map { Float($0.trimmingCharacters(in: .whitespaces)) }
      guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
        throw ValidationError("--bias must be a number or a comma-separated list of numbers; got '\(bias)'")
      }
      let numbers = values.compactMap { $0 }
      guard numbers.allSatisfy(\.isFinite) else {
        throw ValidationError("--bias must be finite numbers, not NaN or infinity (nor beyond ±3.4e38); got '\(bias)'")
      }
      return numbers
    }

    func parseBiases(filters: Int) throws -> [Float]? {
      guard let numbers = try biasValues() else { return nil }
      if numbers.count == 1 { return Array(repeating: numbers[0], count: filters) }
      guard numbers.count == filters else {
        throw fail("--bias has \(numbers.count) values but the kernel has \(filters) filters", note: "give one bias, or one per filter")
      }
      return numbers
    }

    func printTrace(_ trace: ConvTrace) {
      print("# \(trace.placements.count) placements; rows: \(trace.geometry.rows.working); columns: \(trace.geometry.cols.working)")
      for p in trace.placements {
        let products = p.taps.map { "(\(GridText.formatNumber($0.input))×\(GridText.formatNumber($0.weight)))" }
        var line = "out[\(p.filter),\(p.outRow),\(p.outCol)] = " + products.joined(separator: " + ")
        line += " = \(GridText.formatNumber(p.sum))"
        if p.scale != 1 {
          let cells = Int((1 / p.scale).rounded())
          line += " → \(GridText.formatNumber(p.sum))/\(cells) = \(GridText.formatNumber(p.sum * p.scale))"
        }
        if p.bias != 0 { line += " + \(GridText.formatNumber(p.bias)) = \(GridText.formatNumber(p.preActivation))" }
        if trace.activation != .identity { line += " → \(trace.activation.rawValue) = \(GridText.formatNumber(p.value))" }
        print(line)
      }
    }
  }
}

extension KernelMode: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}
extension PoolMode: ExpressibleByArgument {}

/// "2" → (2, 2); "2x1" → (2, 1).
/// How a kernel is applied, the options `conv` and `playground` share: its dilation, whether
/// it is flipped, and whether each sum is divided by its cell count. Each command checks the
/// dilation against its own limit.
struct KernelOptions: ParsableArguments {
  @Option(parsing: .unconditional, help: "Dilation: gaps between kernel taps (1 = none).")
  var dilation = 1

  @Option(help: "correlate (what CNN layers compute) or convolve (kernel flipped first).")
  var mode: KernelMode = .correlate

  @Flag(help: "Divide each sum by the number of kernel cells (the X/O lecture's match score).")
  var normalize = false
}

func parsePair(_ text: String) -> (Int, Int)? {
  let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
  if parts.count == 1, let a = parts[0], a >= 1 { return (a, a) }
  if parts.count == 2, let a = parts[0], let b = parts[1], a >= 1, b >= 1 { return (a, b) }
  return nil
}

/// "valid", "same", "2", "1,1,0,0" (top, bottom, left, right).
func parsePadding(_ text: String) -> Padding? {
  switch text.lowercased() {
  case "valid": return .valid
  case "same": return .same
  default:
    let numbers = text.split(separator: ",").map { Int($0) }
    if numbers.count == 1, let p = numbers[0], p >= 0 { return .uniform(p) }
    if numbers.count == 4, numbers.allSatisfy({ ($0 ?? -1) >= 0 }) {
      let n = numbers.compactMap { $0 }
      return .explicit(top: n[0], bottom: n[1], left: n[2], right: n[3])
    }
    return nil
  }
}

/// An input grid as `(C, H, W)`.
func asImage(_ t: Tensor, file: String) throws(ShapeError) -> Tensor {
  switch t.rank {
  case 1: return t.reshaped([1, 1, t.shape[0]])
  case 2: return t.reshaped([1] + t.shape)
  case 3: return t
  default: throw ShapeError("\(file): an input must be (H,W) or (C,H,W), not \(shapeText(t.shape))")
  }
}

/// A kernel as weights `(F, C, KH, KW)` for an input with `channels` channels.
func asWeights(_ t: Tensor, channels: Int, file: String) throws(ShapeError) -> Tensor {
  switch t.rank {
  case 1:
    guard channels == 1 else {
      throw ShapeError("\(file): the input has \(channels) channels; give the kernel one slice per channel, (\(channels),KH,KW)")
    }
    return t.reshaped([1, 1, 1, t.shape[0]])
  case 2:
    guard channels == 1 else {
      throw ShapeError("\(file): the input has \(channels) channels; give the kernel one slice per channel, (\(channels),KH,KW)")
    }
    return t.reshaped([1, 1] + t.shape)
  case 3:
    if t.shape[0] == channels { return t.reshaped([1] + t.shape) }
    if channels == 1 { return t.reshaped([t.shape[0], 1, t.shape[1], t.shape[2]]) }
    throw ShapeError("\(file): the kernel has \(t.shape[0]) slices but the input has \(channels) channels; a filter needs one slice per input channel")
  case 4:
    guard t.shape[1] == channels else {
      throw ShapeError("\(file): the kernel expects \(t.shape[1]) input channels but the input has \(channels)")
    }
    return t
  default:
    throw ShapeError("\(file): a kernel must be (KH,KW), (C,KH,KW) or (F,C,KH,KW), not \(shapeText(t.shape))")
  }
}
