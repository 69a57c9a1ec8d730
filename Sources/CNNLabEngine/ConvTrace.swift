// C = input channels, F = filters, H/W = input height/width, KH/KW = kernel height/width,
// OH/OW = output height/width. Loop indices: f, oy, ox (output), c, ky, kx (kernel), iy, ix (input).

/// One multiplication inside a kernel placement.
public struct Tap: Equatable, Sendable {
  public var channel: Int
  /// The weight used, as an index into the kernel as written (after the flip in convolve mode).
  public var kernelRow: Int
  public var kernelCol: Int
  /// The input cell under this tap; outside `0..<H` or `0..<W` it is a padding zero.
  public var inputRow: Int
  public var inputCol: Int
  public var isPadding: Bool
  public var input: Float
  public var weight: Float
  public var product: Float
}

/// One position of the kernel: the window it covers and every step of its arithmetic.
public struct Placement: Equatable, Sendable {
  public var filter: Int
  public var outRow: Int
  public var outCol: Int
  /// In order: channel, then kernel row, then kernel column (padding taps included).
  public var taps: [Tap]
  /// Σ products, added in tap order.
  public var sum: Float
  /// 1, or 1/(C·KH·KW) for a normalised match.
  public var scale: Float
  public var bias: Float
  /// sum · scale + bias.
  public var preActivation: Float
  /// The output cell: the activation of `preActivation`.
  public var value: Float
}

/// Every kernel placement of a convolution over one example, in the order the reference
/// computes them (filter, output row, output column), and the output they produce.
public struct ConvTrace: Equatable, Sendable {
  public var geometry: ConvGeometry
  public var options: ConvOptions
  public var activation: Activation
  public var placements: [Placement]
  /// (F, OH, OW).
  public var output: Tensor
}

/// The reference implementation: plain loops over every kernel tap, the code lessons animate
/// and tests trust. Speed lives elsewhere (`Kernels/`), tested equal to this.
public enum Reference {
  /// Visits every tap of every placement in trace order.
  ///
  /// The closure gets the output position, the channel, the kernel tap `(ky, kx)` as it slides,
  /// the weight index `(wy, wx)` it multiplies (flipped in convolve mode) and the input cell
  /// `(iy, ix)`, which may lie in the padding.
  @inlinable
  public static func forEachTap(
    filters: Int, channels: Int, kernelH: Int, kernelW: Int, geometry: ConvGeometry,
    mode: KernelMode,
    _ body: (_ f: Int, _ oy: Int, _ ox: Int, _ c: Int, _ wy: Int, _ wx: Int, _ iy: Int, _ ix: Int)
      -> Void
  ) {
    let flip = mode == .convolve
    for f in 0..<filters {
      for oy in 0..<geometry.rows.output {
        for ox in 0..<geometry.cols.output {
          for c in 0..<channels {
            for ky in 0..<kernelH {
              let iy = geometry.rows.inputIndex(output: oy, tap: ky)
              let wy = flip ? kernelH - 1 - ky : ky
              for kx in 0..<kernelW {
                let ix = geometry.cols.inputIndex(output: ox, tap: kx)
                let wx = flip ? kernelW - 1 - kx : kx
                body(f, oy, ox, c, wy, wx, iy, ix)
              }
            }
          }
        }
      }
    }
  }

  /// Convolves one example `(C, H, W)` with `weights` `(F, C, KH, KW)`, keeping every placement.
  ///
  /// Output `(F, OH, OW)`: `activation(scale · Σ input·weight + bias[f])`.
  public static func conv2DTrace(
    input: Tensor, weights: Tensor, bias: [Float]? = nil, options: ConvOptions = ConvOptions(),
    activation: Activation = .identity
  ) throws(ShapeError) -> ConvTrace {
    try conv2D(
      input: input, weights: weights, bias: bias, options: options, activation: activation,
      recordPlacements: true)
  }

  /// The reference forward pass of one example: the same loop as `conv2DTrace`, without the record.
  public static func conv2D(
    input: Tensor, weights: Tensor, bias: [Float]? = nil, options: ConvOptions = ConvOptions(),
    activation: Activation = .identity
  ) throws(ShapeError) -> Tensor {
    try conv2D(
      input: input, weights: weights, bias: bias, options: options, activation: activation,
      recordPlacements: false
    ).output
  }

  static func conv2D(
    input: Tensor, weights: Tensor, bias: [Float]?, options: ConvOptions, activation: Activation,
    recordPlacements: Bool
  ) throws(ShapeError) -> ConvTrace {
    let (channels, height, width) = try imageShape(input)
    let (filters, kernelH, kernelW) = try kernelShape(weights, channels: channels)
    if let bias, bias.count != filters {
      throw ShapeError("\(filters) filters need \(filters) biases, not \(bias.count)")
    }
    let geometry = try ConvGeometry.convolution(
      inputH: height, inputW: width, kernelH: kernelH, kernelW: kernelW, options: options)
    let scale = options.normalize ? 1 / Float(channels * kernelH * kernelW) : 1
    let outH = geometry.rows.output
    let outW = geometry.cols.output
    let x = input.scalars
    let w = weights.scalars
    var output = Tensor.zeros([filters, outH, outW])
    var placements: [Placement] = []
    var taps: [Tap] = []
    var sum: Float = 0
    let tapsPerPlacement = channels * kernelH * kernelW
    var tapIndex = 0
    forEachTap(
      filters: filters, channels: channels, kernelH: kernelH, kernelW: kernelW,
      geometry: geometry, mode: options.mode
    ) { f, oy, ox, c, wy, wx, iy, ix in
      let inside = iy >= 0 && iy < height && ix >= 0 && ix < width
      let value = inside ? x[(c * height + iy) * width + ix] : 0
      let weight = w[((f * channels + c) * kernelH + wy) * kernelW + wx]
      let product = value * weight
      sum += product
      if recordPlacements {
        taps.append(
          Tap(
            channel: c, kernelRow: wy, kernelCol: wx, inputRow: iy, inputCol: ix,
            isPadding: !inside, input: value, weight: weight, product: product))
      }
      tapIndex += 1
      if tapIndex == tapsPerPlacement {  // the last tap of this placement: finish the cell
        let b = bias?[f] ?? 0
        let pre = sum * scale + b
        let out = activation.apply(pre)
        output.scalars[(f * outH + oy) * outW + ox] = out
        if recordPlacements {
          placements.append(
            Placement(
              filter: f, outRow: oy, outCol: ox, taps: taps, sum: sum, scale: scale, bias: b,
              preActivation: pre, value: out))
          taps.removeAll(keepingCapacity: true)
        }
        sum = 0
        tapIndex = 0
      }
    }
    return ConvTrace(
      geometry: geometry, options: options, activation: activation, placements: placements,
      output: output)
  }

  /// Bytes `conv2DTrace` needs for its placements (and their taps) over `geometry`, or nil
  /// when that is more than an `Int` counts: what to check before asking for a trace.
  public static func conv2DTraceBytes(
    filters: Int, channels: Int, kernelH: Int, kernelW: Int, geometry: ConvGeometry
  ) -> Int? {
    guard
      let placements = SizeLimits.product([filters, geometry.rows.output, geometry.cols.output]),
      let taps = SizeLimits.product([placements, channels, kernelH, kernelW]),
      let placementBytes = SizeLimits.product([placements, MemoryLayout<Placement>.stride]),
      let tapBytes = SizeLimits.product([taps, MemoryLayout<Tap>.stride])
    else { return nil }
    return SizeLimits.sum([placementBytes, tapBytes])
  }

  /// Gradients of one example through `conv2D` (before any activation), accumulated with `+=`.
  ///
  /// - dOutput: (F, OH, OW), the gradient of the loss with respect to the pre-activation output.
  /// - Returns: dInput (C, H, W); `dWeights` (F, C, KH, KW) and `dBias` (F) are added to.
  public static func conv2DBackward(
    input: Tensor, weights: Tensor, options: ConvOptions, dOutput: Tensor,
    dWeights: inout Tensor, dBias: inout [Float]
  ) throws(ShapeError) -> Tensor {
    let (channels, height, width) = try imageShape(input)
    let (filters, kernelH, kernelW) = try kernelShape(weights, channels: channels)
    let geometry = try ConvGeometry.convolution(
      inputH: height, inputW: width, kernelH: kernelH, kernelW: kernelW, options: options)
    let outH = geometry.rows.output
    let outW = geometry.cols.output
    precondition(dOutput.shape == [filters, outH, outW], "dOutput \(dOutput.shape) does not match")
    let scale = options.normalize ? 1 / Float(channels * kernelH * kernelW) : 1
    var dInput = Tensor.zeros(like: input)
    let x = input.scalars
    let w = weights.scalars
    let g = dOutput.scalars
    forEachTap(
      filters: filters, channels: channels, kernelH: kernelH, kernelW: kernelW,
      geometry: geometry, mode: options.mode
    ) { f, oy, ox, c, wy, wx, iy, ix in
      guard iy >= 0 && iy < height && ix >= 0 && ix < width else { return }  // padding: no input
      let upstream = g[(f * outH + oy) * outW + ox] * scale  // chain rule through the scale
      let wi = ((f * channels + c) * kernelH + wy) * kernelW + wx
      let xi = (c * height + iy) * width + ix
      dWeights.scalars[wi] += x[xi] * upstream
      dInput.scalars[xi] += w[wi] * upstream
    }
    for f in 0..<filters {
      for i in 0..<(outH * outW) { dBias[f] += g[f * outH * outW + i] }
    }
    return dInput
  }

  /// `(C, H, W)` of an example given as `(H, W)` or `(C, H, W)`.
  static func imageShape(_ t: Tensor) throws(ShapeError) -> (Int, Int, Int) {
    let shape: (Int, Int, Int)
    switch t.rank {
    case 2: shape = (1, t.shape[0], t.shape[1])
    case 3: shape = (t.shape[0], t.shape[1], t.shape[2])
    default: throw ShapeError("an input must be (H, W) or (C, H, W), not \(t.shape)")
    }
    guard shape.0 > 0 else { throw ShapeError("the input has no channels (its shape is \(t.shape))") }
    return shape
  }

  /// `(F, KH, KW)` of weights `(F, C, KH, KW)`, checking C against the input's channels.
  static func kernelShape(_ t: Tensor, channels: Int) throws(ShapeError) -> (Int, Int, Int) {
    guard t.rank == 4 else {
      throw ShapeError("weights must be (F, C, KH, KW), not \(t.shape)")
    }
    guard t.shape[0] > 0 else {
      throw ShapeError("the kernel has 0 filters (its shape is \(t.shape)); give it at least one")
    }
    guard t.shape[1] == channels else {
      throw ShapeError(
        "the kernel has \(t.shape[1]) channel(s) but the input has \(channels): each filter needs one kernel slice per input channel"
      )
    }
    return (t.shape[0], t.shape[2], t.shape[3])
  }
}

extension Reference {
  /// A 1-D convolution of `signal` `(L)` or `(C, L)` with `kernel` `(K)`, `(C, K)` or `(F, C, K)`:
  /// the 2-D reference with a height of 1, so it has the same trace.
  public static func conv1DTrace(
    signal: Tensor, kernel: Tensor, bias: [Float]? = nil, stride: Int = 1, dilation: Int = 1,
    padding: (before: Int, after: Int) = (0, 0), mode: KernelMode = .correlate,
    normalize: Bool = false, activation: Activation = .identity
  ) throws(ShapeError) -> ConvTrace {
    let input: Tensor
    switch signal.rank {
    case 1: input = signal.reshaped([1, 1, signal.shape[0]])
    case 2: input = signal.reshaped([signal.shape[0], 1, signal.shape[1]])
    default: throw ShapeError("a 1-D signal must be (L) or (C, L), not \(signal.shape)")
    }
    let weights: Tensor
    switch kernel.rank {
    case 1: weights = kernel.reshaped([1, 1, 1, kernel.shape[0]])
    case 2: weights = kernel.reshaped([1, kernel.shape[0], 1, kernel.shape[1]])
    case 3: weights = kernel.reshaped([kernel.shape[0], kernel.shape[1], 1, kernel.shape[2]])
    default: throw ShapeError("a 1-D kernel must be (K), (C, K) or (F, C, K), not \(kernel.shape)")
    }
    let options = ConvOptions.signal(
      stride: stride, dilation: dilation, padding: padding, mode: mode, normalize: normalize)
    return try conv2DTrace(
      input: input, weights: weights, bias: bias, options: options, activation: activation)
  }
}
