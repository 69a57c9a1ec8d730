// N = input extent, F = kernel extent, P = padding, D = dilation, S = stride (one axis at a time).

/// How a convolution pads its input with zeros before the kernel slides.
public enum Padding: Equatable, Sendable {
  /// No padding: the kernel only visits windows that lie wholly inside the input.
  case valid
  /// TensorFlow's rule: enough zeros that the output is ⌈N/S⌉ long; an odd total puts the
  /// extra zero after (bottom, right).
  case same
  /// Explicit zeros on each side.
  case explicit(top: Int, bottom: Int, left: Int, right: Int)

  /// The same number of zeros on every side.
  public static func uniform(_ p: Int) -> Padding { .explicit(top: p, bottom: p, left: p, right: p) }
}

/// Which sum a kernel computes.
public enum KernelMode: String, Sendable, CaseIterable {
  /// Σ input[o·S + k] · w[k]: what CNN layers (PyTorch, Keras) call convolution.
  case correlate
  /// True convolution, (f∗g)[n] = Σ f[n−m]·g[m]: the kernel is flipped on every axis first.
  case convolve
}

/// The settings of a convolution, per axis where they can differ.
public struct ConvOptions: Equatable, Sendable {
  public var strideH: Int
  public var strideW: Int
  public var dilationH: Int
  public var dilationW: Int
  public var padding: Padding
  public var mode: KernelMode
  /// Divides each sum by the number of kernel cells (C·KH·KW) before the bias: the "normalised
  /// match" of the X/O lecture, where a perfect match scores 1.
  public var normalize: Bool

  public init(
    stride: Int = 1, strideH: Int? = nil, strideW: Int? = nil, dilation: Int = 1,
    padding: Padding = .valid, mode: KernelMode = .correlate, normalize: Bool = false
  ) {
    self.strideH = strideH ?? stride
    self.strideW = strideW ?? stride
    self.dilationH = dilation
    self.dilationW = dilation
    self.padding = padding
    self.mode = mode
    self.normalize = normalize
  }
}

extension ConvOptions {
  /// A 1-D convolution's options: those of the 2-D convolution of height 1 that runs it
  /// (padding and dilation along the signal only).
  public static func signal(
    stride: Int = 1, dilation: Int = 1, padding: (before: Int, after: Int) = (0, 0),
    mode: KernelMode = .correlate, normalize: Bool = false
  ) -> ConvOptions {
    var options = ConvOptions(
      stride: stride, dilation: dilation,
      padding: .explicit(top: 0, bottom: 0, left: padding.before, right: padding.after),
      mode: mode, normalize: normalize)
    options.dilationH = 1
    return options
  }
}

/// A shape that does not work, with the arithmetic that shows why.
public struct ShapeError: Error, Equatable, Sendable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Output-size arithmetic along one axis, with its working.
public struct AxisGeometry: Equatable, Sendable {
  public var input: Int
  public var kernel: Int
  public var stride: Int
  public var dilation: Int
  public var padBefore: Int
  public var padAfter: Int
  public var output: Int
  /// The formula with the numbers filled in, e.g. `⌊(9 + 2·0 − 3)/2⌋ + 1 = 4`.
  public var working: String
  /// Input positions (0-based) that no window touches, e.g. the last row at stride 2.
  ///
  /// Worked out when asked (a lesson shows it), not with the geometry: an axis may be long.
  public var unusedInputs: [Int] {
    guard output > 0, input > 0 else { return Array(0..<max(input, 0)) }
    var used = [Bool](repeating: false, count: input)
    // Only the windows that overlap the input: o·S ≤ padBefore + input − 1 and
    // o·S + span − 1 ≥ padBefore.
    let first = max(0, ceilDivide(padBefore - span + 1, stride))
    let last = min(output - 1, floorDivide(padBefore + input - 1, stride))
    if first <= last {
      for o in first...last {
        for k in 0..<kernel {
          let i = inputIndex(output: o, tap: k)
          if i >= 0 && i < input { used[i] = true }
        }
      }
    }
    return used.indices.filter { !used[$0] }
  }

  /// The extent of one window: D·(F−1) + 1.
  public var span: Int { dilation * (kernel - 1) + 1 }

  /// The input position (may be negative or ≥ input: padding) of kernel tap `k` at output `o`.
  @inlinable
  public func inputIndex(output o: Int, tap k: Int) -> Int { o * stride + k * dilation - padBefore }

  /// Geometry of a kernel sliding with zero padding; `output` < 1 means it does not fit.
  /// Every size must be in 0...`SizeLimits.largestSize` (checked by the callers below), so
  /// none of this arithmetic can overflow.
  static func convolution(
    input n: Int, kernel f: Int, stride s: Int, dilation d: Int, padBefore: Int, padAfter: Int
  ) -> AxisGeometry {
    let numerator = n + padBefore + padAfter - d * (f - 1) - 1
    let output = floorDivide(numerator, s) + 1
    let paddingText =
      padBefore == padAfter ? "2·\(padBefore)" : "\(padBefore) + \(padAfter)"
    let kernelText = d == 1 ? "\(f)" : "\(d)·(\(f)−1) − 1"
    let inner = "\(n) + \(paddingText) − \(kernelText)"
    let working: String
    if s == 1 {
      working = "(\(inner))/1 + 1 = \(signed(output))"
    } else {
      working = "⌊(\(inner))/\(s)⌋ + 1 = \(signed(output))"
    }
    return AxisGeometry(
      input: n, kernel: f, stride: s, dilation: d, padBefore: padBefore, padAfter: padAfter,
      output: output, working: working)
  }

  /// Geometry of a pooling window; ceil mode keeps a last, partial window that starts inside.
  static func pooling(input n: Int, window k: Int, stride s: Int, ceil: Bool) -> AxisGeometry {
    let numerator = n - k
    var output: Int
    let working: String
    if ceil {
      output = ceilDivide(numerator, s) + 1
      // A window must start inside the input (PyTorch's rule).
      if output > 0 && (output - 1) * s >= n { output -= 1 }
      working = "⌈(\(n) − \(k))/\(s)⌉ + 1 = \(signed(output))"
    } else {
      output = floorDivide(numerator, s) + 1
      working = "⌊(\(n) − \(k))/\(s)⌋ + 1 = \(signed(output))"
    }
    return AxisGeometry(
      input: n, kernel: k, stride: s, dilation: 1, padBefore: 0, padAfter: 0, output: output,
      working: working)
  }
}

/// Output-size arithmetic for a 2-D window (convolution or pooling), rows and columns.
public struct ConvGeometry: Equatable, Sendable {
  public var rows: AxisGeometry
  public var cols: AxisGeometry

  public var outputHeight: Int { rows.output }
  public var outputWidth: Int { cols.output }

  /// The geometry of a `kernelH`×`kernelW` convolution over an `inputH`×`inputW` input.
  ///
  /// Each axis follows ⌊(N + 2P − D·(F−1) − 1)/S⌋ + 1. Throws when the kernel does not fit,
  /// with the working: `conv 5x5 does not fit a 3x3 input: (3 + 2·0 − 5)/1 + 1 = −1`.
  public static func convolution(
    inputH: Int, inputW: Int, kernelH: Int, kernelW: Int, options: ConvOptions
  ) throws(ShapeError) -> ConvGeometry {
    guard inputH > 0, inputW > 0 else {
      throw ShapeError("the input is empty (\(inputH)x\(inputW))")
    }
    guard kernelH > 0, kernelW > 0 else {
      throw ShapeError("a kernel needs at least one cell, not \(kernelH)x\(kernelW)")
    }
    guard options.strideH > 0, options.strideW > 0 else {
      throw ShapeError("the stride must be at least 1, not \(options.strideH)x\(options.strideW)")
    }
    guard options.dilationH > 0, options.dilationW > 0 else {
      throw ShapeError("the dilation must be at least 1")
    }
    try checkSizes([
      ("input height", inputH), ("input width", inputW), ("kernel height", kernelH),
      ("kernel width", kernelW), ("stride", options.strideH), ("stride", options.strideW),
      ("dilation", options.dilationH), ("dilation", options.dilationW),
    ])
    let (top, bottom, left, right): (Int, Int, Int, Int)
    switch options.padding {
    case .valid:
      (top, bottom, left, right) = (0, 0, 0, 0)
    case .same:
      (top, bottom) = samePadding(
        input: inputH, kernel: kernelH, stride: options.strideH, dilation: options.dilationH)
      (left, right) = samePadding(
        input: inputW, kernel: kernelW, stride: options.strideW, dilation: options.dilationW)
    case .explicit(let t, let b, let l, let r):
      guard t >= 0, b >= 0, l >= 0, r >= 0 else {
        throw ShapeError("padding cannot be negative (\(t), \(b), \(l), \(r))")
      }
      try checkSizes([("padding", t), ("padding", b), ("padding", l), ("padding", r)])
      (top, bottom, left, right) = (t, b, l, r)
    }
    let geometry = ConvGeometry(
      rows: .convolution(
        input: inputH, kernel: kernelH, stride: options.strideH, dilation: options.dilationH,
        padBefore: top, padAfter: bottom),
      cols: .convolution(
        input: inputW, kernel: kernelW, stride: options.strideW, dilation: options.dilationW,
        padBefore: left, padAfter: right))
    if geometry.rows.output < 1 || geometry.cols.output < 1 {
      let failing = geometry.rows.output < 1 ? geometry.rows : geometry.cols
      throw ShapeError(
        "conv \(kernelH)x\(kernelW) does not fit a \(inputH)x\(inputW) input: \(failing.working)")
    }
    return geometry
  }

  /// The geometry of a `size`×`size` pooling window moving by `stride` (default: `size`).
  public static func pooling(
    inputH: Int, inputW: Int, size: Int, stride: Int? = nil, ceil: Bool = false
  ) throws(ShapeError) -> ConvGeometry {
    let stride = stride ?? size
    guard size > 0 else { throw ShapeError("a pooling window needs at least one cell") }
    guard stride > 0 else { throw ShapeError("the stride must be at least 1, not \(stride)") }
    guard inputH > 0, inputW > 0 else {
      throw ShapeError("the input is empty (\(inputH)x\(inputW))")
    }
    try checkSizes([
      ("input height", inputH), ("input width", inputW), ("pooling window", size),
      ("stride", stride),
    ])
    let geometry = ConvGeometry(
      rows: .pooling(input: inputH, window: size, stride: stride, ceil: ceil),
      cols: .pooling(input: inputW, window: size, stride: stride, ceil: ceil))
    if geometry.rows.output < 1 || geometry.cols.output < 1 {
      let failing = geometry.rows.output < 1 ? geometry.rows : geometry.cols
      throw ShapeError(
        "pool \(size)x\(size) does not fit a \(inputH)x\(inputW) input: \(failing.working)")
    }
    return geometry
  }

  /// Refuses any size over `SizeLimits.largestSize`, naming it.
  static func checkSizes(_ sizes: [(String, Int)]) throws(ShapeError) {
    for (what, value) in sizes where value > SizeLimits.largestSize {
      throw ShapeError(SizeLimits.tooLarge(what, value))
    }
  }

  /// TensorFlow's "same": output ⌈N/S⌉, total = max((out−1)·S + D·(F−1) + 1 − N, 0).
  public static func samePadding(input: Int, kernel: Int, stride: Int, dilation: Int) -> (
    before: Int, after: Int
  ) {
    let output = ceilDivide(input, stride)
    let total = max((output - 1) * stride + dilation * (kernel - 1) + 1 - input, 0)
    return (total / 2, total - total / 2)
  }
}

@usableFromInline
func floorDivide(_ a: Int, _ b: Int) -> Int {
  let q = a / b
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

@usableFromInline
func ceilDivide(_ a: Int, _ b: Int) -> Int { -floorDivide(-a, b) }

/// An integer with a typographic minus, as the working strings print it.
func signed(_ value: Int) -> String { value < 0 ? "−\(-value)" : "\(value)" }
