// The training fast path for Conv2D: direct SIMD kernels on "wide" padded planes.
//
// C = input channels, F = filters, H/W = input height/width, KH/KW = kernel size,
// T = KH*KW taps, J = C*T weight columns, p = position in a wide plane.
//
// The trick that lets one kernel serve every stride, padding and dilation: the input is copied
// into a zero-padded plane with a row pitch Wp, and the *stride-1* output is computed on the
// same pitch, so output position p reads input p + offset(tap) with
// offset(ky, kx) = ky*dilationY*Wp + kx*dilationX. Columns past the real output width are
// computed and thrown away (the price of contiguous 16-wide vectors); strides keep every
// stride-th row and column of that dense output, and their gradients are scattered back the
// same way, with zeros in between. The backward pass for the input is the same correlation run
// on the gradient plane with the offsets negated.
//
// Neighbouring rows share their padding: the zeros after a row's pixels are its right padding
// and the next row's left padding, so Wp is W plus the wider of the two pads, not their sum
// (`pitch`). For a 14-wide map padded by 2 on each side that is 16 columns instead of 18: a
// row is one vector, and an eighth fewer columns are computed and thrown away.

/// One convolution as the wide planes see it: the engine's geometry (`ConvGeometry`, the one
/// output-size rule) with the channels and filters, and the sizes derived from it here.
struct FastConvGeometry: Equatable, Sendable {
  let channels: Int, filters: Int
  let axes: ConvGeometry

  init(channels: Int, filters: Int, _ axes: ConvGeometry) {
    self.channels = channels
    self.filters = filters
    self.axes = axes
  }

  var height: Int { axes.rows.input }
  var width: Int { axes.cols.input }
  var kernelHeight: Int { axes.rows.kernel }
  var kernelWidth: Int { axes.cols.kernel }
  var strideY: Int { axes.rows.stride }
  var strideX: Int { axes.cols.stride }
  var dilationY: Int { axes.rows.dilation }
  var dilationX: Int { axes.cols.dilation }
  var padTop: Int { axes.rows.padBefore }
  var padBottom: Int { axes.rows.padAfter }
  var padLeft: Int { axes.cols.padBefore }
  var padRight: Int { axes.cols.padAfter }
  var outputHeight: Int { axes.rows.output }
  var outputWidth: Int { axes.cols.output }

  var paddedHeight: Int { height + padTop + padBottom }
  /// Floats from one row of a padded plane to the next. A row holds the left padding and the
  /// pixels, then zeros up to the pitch, which the next row's left padding follows:
  /// - a tap reading past a row's last pixel must find zeros before the next row's pixels,
  ///   so the pitch is at least `width + padRight` (and `width + padLeft`, to hold the row);
  /// - the stride-1 output row, `width + padLeft + padRight - dilationX*(kernelWidth - 1)`
  ///   positions, must fit in one pitch.
  /// The input gradient's negated taps need the same two conditions, mirrored: a position left
  /// of a row's first output lands in the thrown-away columns at the end of the row above.
  var pitch: Int {
    max(width + max(padLeft, padRight), width + padLeft + padRight - dilationX * (kernelWidth - 1))
  }
  /// Rows of the stride-1 output.
  var denseHeight: Int { paddedHeight - dilationY * (kernelHeight - 1) }
  var taps: Int { kernelHeight * kernelWidth }
  var inputSize: Int { channels * height * width }
  var outputSize: Int { filters * outputHeight * outputWidth }

  /// The furthest a tap reads past its output position.
  var maxOffset: Int { (kernelHeight - 1) * dilationY * pitch + (kernelWidth - 1) * dilationX }
  /// 16-wide chunks covering the dense output rows.
  var forwardChunks: Int { (denseHeight * pitch + 15) / 16 }
  /// 16-wide chunks covering the input rows (for the input gradient).
  var backwardChunks: Int { (height * pitch + 15) / 16 }
  /// Floats per padded input plane, with slack for the last chunk's reads.
  var inputPlane: Int { roundUp16(paddedHeight * pitch + 16 + (kernelWidth - 1) * dilationX) }
  /// Zeros before the gradient plane, so that negated offsets stay inside it.
  var gradientMargin: Int { roundUp16(maxOffset) }
  /// Floats per wide output-gradient plane (margin, plane, slack).
  var gradientPlane: Int { roundUp16(gradientMargin + paddedHeight * pitch + 32) }
  /// Filters rounded up to the 8-filter blocks of the forward kernel.
  var paddedFilters: Int { roundUp8(filters) }
  /// Channels rounded up to the 8-channel blocks of the input-gradient kernel.
  var paddedChannels: Int { roundUp8(channels) }
}

@inline(__always) func roundUp16(_ n: Int) -> Int { (n + 15) & ~15 }
@inline(__always) func roundUp8(_ n: Int) -> Int { (n + 7) & ~7 }

@inline(__always) func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always) func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// `acc += a * b`, fused in release builds (one rounding; `-target-cpu native` makes it one
/// instruction) and plain in debug builds, where the fused form would be a library call per lane.
@inline(__always) func fma(_ acc: inout SIMD16<Float>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) {
  #if DEBUG
  acc += a * b
  #else
  acc.addProduct(a, b)
  #endif
}

@inline(__always) func splat(_ x: Float) -> SIMD16<Float> { SIMD16(repeating: x) }

@inline(__always) func horizontalSum(_ v: SIMD16<Float>) -> Float {
  let a = v.lowHalf + v.highHalf
  let b = a.lowHalf + a.highHalf
  let c = b.lowHalf + b.highHalf
  return c[0] + c[1]
}

/// The multi-channel correlation both passes share:
/// `output[o][p] = bias[o] + sum over i, t of weights[i][t][o] * input[i*inputStride + p + taps[t]]`
/// for `p` in `0 ..< chunks*16` and `o` in `0 ..< outputs` (a multiple of 8). `weights` is
/// packed by blocks of 8 outputs, `(outputs/8, inputs, tapCount, 8)`, so that one block's
/// weights are contiguous and stay in L1 while the block runs. Blocks of 8 outputs by 2 chunks
/// keep 16 accumulators in registers; each input vector is loaded once and used 8 times.
func fastCorrelate(
  input: UnsafePointer<Float>, inputs: Int, inputStride: Int,
  taps: UnsafePointer<Int>, tapCount: Int,
  weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, outputs: Int,
  chunks: Int, output: UnsafeMutablePointer<Float>, outputStride: Int
) {
  let wStep = 8
  let channelStep = tapCount * 8
  for ob in stride(from: 0, to: outputs, by: 8) {
    let block = weights + ob * inputs * tapCount
    var b0: Float = 0, b1: Float = 0, b2: Float = 0, b3: Float = 0
    var b4: Float = 0, b5: Float = 0, b6: Float = 0, b7: Float = 0
    if let bias {
      b0 = bias[ob]; b1 = bias[ob + 1]; b2 = bias[ob + 2]; b3 = bias[ob + 3]
      b4 = bias[ob + 4]; b5 = bias[ob + 5]; b6 = bias[ob + 6]; b7 = bias[ob + 7]
    }
    let out = output + ob * outputStride
    var chunk = 0
    while chunk + 2 <= chunks {
      let p = chunk * 16
      var a0 = splat(b0), a1 = splat(b1), a2 = splat(b2), a3 = splat(b3)
      var a4 = splat(b4), a5 = splat(b5), a6 = splat(b6), a7 = splat(b7)
      var c0 = a0, c1 = a1, c2 = a2, c3 = a3, c4 = a4, c5 = a5, c6 = a6, c7 = a7
      for i in 0..<inputs {
        let x = input + i * inputStride + p
        var w = block + i * channelStep
        for t in 0..<tapCount {
          let xt = x + taps[t]
          let u = load16(xt)
          let v = load16(xt + 16)
          var s = splat(w[0])
          fma(&a0, u, s); fma(&c0, v, s)
          s = splat(w[1]); fma(&a1, u, s); fma(&c1, v, s)
          s = splat(w[2]); fma(&a2, u, s); fma(&c2, v, s)
          s = splat(w[3]); fma(&a3, u, s); fma(&c3, v, s)
          s = splat(w[4]); fma(&a4, u, s); fma(&c4, v, s)
          s = splat(w[5]); fma(&a5, u, s); fma(&c5, v, s)
          s = splat(w[6]); fma(&a6, u, s); fma(&c6, v, s)
          s = splat(w[7]); fma(&a7, u, s); fma(&c7, v, s)
          w += wStep
        }
      }
      let o = out + p
      store16(a0, o); store16(c0, o + 16)
      store16(a1, o + outputStride); store16(c1, o + outputStride + 16)
      store16(a2, o + 2 * outputStride); store16(c2, o + 2 * outputStride + 16)
      store16(a3, o + 3 * outputStride); store16(c3, o + 3 * outputStride + 16)
      store16(a4, o + 4 * outputStride); store16(c4, o + 4 * outputStride + 16)
      store16(a5, o + 5 * outputStride); store16(c5, o + 5 * outputStride + 16)
      store16(a6, o + 6 * outputStride); store16(c6, o + 6 * outputStride + 16)
      store16(a7, o + 7 * outputStride); store16(c7, o + 7 * outputStride + 16)
      chunk += 2
    }
    if chunk < chunks {
      let p = chunk * 16
      var a0 = splat(b0), a1 = splat(b1), a2 = splat(b2), a3 = splat(b3)
      var a4 = splat(b4), a5 = splat(b5), a6 = splat(b6), a7 = splat(b7)
      for i in 0..<inputs {
        let x = input + i * inputStride + p
        var w = block + i * channelStep
        for t in 0..<tapCount {
          let u = load16(x + taps[t])
          fma(&a0, u, splat(w[0])); fma(&a1, u, splat(w[1]))
          fma(&a2, u, splat(w[2])); fma(&a3, u, splat(w[3]))
          fma(&a4, u, splat(w[4])); fma(&a5, u, splat(w[5]))
          fma(&a6, u, splat(w[6])); fma(&a7, u, splat(w[7]))
          w += wStep
        }
      }
      let o = out + p
      store16(a0, o); store16(a1, o + outputStride)
      store16(a2, o + 2 * outputStride); store16(a3, o + 3 * outputStride)
      store16(a4, o + 4 * outputStride); store16(a5, o + 5 * outputStride)
      store16(a6, o + 6 * outputStride); store16(a7, o + 7 * outputStride)
    }
  }
}

/// Weight gradient on wide planes, summed over `images`:
/// `dWeights[f][j] += sum over images, p of gradient[f][p] * input[columnOffsets[j] + p]`
/// for `p` in `0 ..< chunks*16`. The gradient planes are zero wherever the forward pass threw
/// its output away, so the wasted columns add nothing. Tiles of 4 filters by 4 columns stay in
/// registers across all images and are summed across lanes once at the end.
func fastWeightGradient(
  gradient: UnsafePointer<Float>, gradientStride: Int, gradientImageStride: Int,
  input: UnsafePointer<Float>, inputImageStride: Int,
  columnOffsets: UnsafePointer<Int>, columns: Int, filters: Int, images: Int, chunks: Int,
  dWeights: UnsafeMutablePointer<Float>, dWeightsStride: Int
) {
  var f = 0
  while f < filters {
    let fn = min(4, filters - f)  // gradient planes exist up to a multiple of 8: read them all
    var j = 0
    while j + 4 <= columns {
      var s00 = SIMD16<Float>(), s01 = SIMD16<Float>(), s02 = SIMD16<Float>(), s03 = SIMD16<Float>()
      var s10 = SIMD16<Float>(), s11 = SIMD16<Float>(), s12 = SIMD16<Float>(), s13 = SIMD16<Float>()
      var s20 = SIMD16<Float>(), s21 = SIMD16<Float>(), s22 = SIMD16<Float>(), s23 = SIMD16<Float>()
      var s30 = SIMD16<Float>(), s31 = SIMD16<Float>(), s32 = SIMD16<Float>(), s33 = SIMD16<Float>()
      for n in 0..<images {
        let g0 = gradient + n * gradientImageStride + f * gradientStride
        let g1 = g0 + gradientStride, g2 = g1 + gradientStride, g3 = g2 + gradientStride
        let xi = input + n * inputImageStride
        let x0 = xi + columnOffsets[j], x1 = xi + columnOffsets[j + 1]
        let x2 = xi + columnOffsets[j + 2], x3 = xi + columnOffsets[j + 3]
        var p = 0
        let end = chunks * 16
        while p < end {
          let d0 = load16(g0 + p), d1 = load16(g1 + p), d2 = load16(g2 + p), d3 = load16(g3 + p)
          let u0 = load16(x0 + p), u1 = load16(x1 + p), u2 = load16(x2 + p), u3 = load16(x3 + p)
          fma(&s00, d0, u0); fma(&s01, d0, u1); fma(&s02, d0, u2); fma(&s03, d0, u3)
          fma(&s10, d1, u0); fma(&s11, d1, u1); fma(&s12, d1, u2); fma(&s13, d1, u3)
          fma(&s20, d2, u0); fma(&s21, d2, u1); fma(&s22, d2, u2); fma(&s23, d2, u3)
          fma(&s30, d3, u0); fma(&s31, d3, u1); fma(&s32, d3, u2); fma(&s33, d3, u3)
          p += 16
        }
      }
      let w = dWeights + f * dWeightsStride + j
      w[0] += horizontalSum(s00); w[1] += horizontalSum(s01)
      w[2] += horizontalSum(s02); w[3] += horizontalSum(s03)
      if fn > 1 {
        let w1 = w + dWeightsStride
        w1[0] += horizontalSum(s10); w1[1] += horizontalSum(s11)
        w1[2] += horizontalSum(s12); w1[3] += horizontalSum(s13)
      }
      if fn > 2 {
        let w2 = w + 2 * dWeightsStride
        w2[0] += horizontalSum(s20); w2[1] += horizontalSum(s21)
        w2[2] += horizontalSum(s22); w2[3] += horizontalSum(s23)
      }
      if fn > 3 {
        let w3 = w + 3 * dWeightsStride
        w3[0] += horizontalSum(s30); w3[1] += horizontalSum(s31)
        w3[2] += horizontalSum(s32); w3[3] += horizontalSum(s33)
      }
      j += 4
    }
    while j < columns {
      var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
      for n in 0..<images {
        let g0 = gradient + n * gradientImageStride + f * gradientStride
        let g1 = g0 + gradientStride, g2 = g1 + gradientStride, g3 = g2 + gradientStride
        let x0 = input + n * inputImageStride + columnOffsets[j]
        var p = 0
        let end = chunks * 16
        while p < end {
          let u = load16(x0 + p)
          fma(&s0, load16(g0 + p), u); fma(&s1, load16(g1 + p), u)
          fma(&s2, load16(g2 + p), u); fma(&s3, load16(g3 + p), u)
          p += 16
        }
      }
      let w = dWeights + f * dWeightsStride + j
      w[0] += horizontalSum(s0)
      if fn > 1 { w[dWeightsStride] += horizontalSum(s1) }
      if fn > 2 { w[2 * dWeightsStride] += horizontalSum(s2) }
      if fn > 3 { w[3 * dWeightsStride] += horizontalSum(s3) }
      j += 1
    }
    f += 4
  }
}

// MARK: - Gradients through a fused max pool, from the maxima alone
//
// Behind a max pool, a convolution's output gradient is zero except where each window's maximum
// was, one position in four for a 2x2 pool. These two kernels visit only those positions
// instead of whole gradient planes. They work on planes stored channel-minor ("interleaved":
// position p's C channels at p*Cp, Cp = C rounded up to 8), where one kernel row's taps over
// every channel are a single run of KW*Cp floats: with Rp the run rounded up to 16, a tap row is
// whole vectors. `rowOffsets[ky]` is where kernel row ky starts, in floats from a position.

/// `dWeights[ky][0 ..< run] += sum over images n, maxima k of gradient[n][k] * input[n][at[n][k]*Cp
/// + rowOffsets[ky] ..< + run]` for one filter: the weight gradient as runs over (kx, channel).
/// Four vectors of the run are summed in registers across every image and maximum, then added
/// once.
func fastSparseWeightGradient(
  gradient: UnsafePointer<Float>, at: UnsafePointer<Int>, maxima: Int, imageStride: Int,
  input: UnsafePointer<Float>, inputImageStride: Int, channelsPadded: Int,
  rowOffsets: UnsafePointer<Int>, rows: Int, run: Int, images: Int,
  dWeights: UnsafeMutablePointer<Float>
) {
  for ky in 0..<rows {
    let rowOffset = rowOffsets[ky]
    var block = 0
    while block < run {
      let vectors = min(4, (run - block) / 16)
      var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
      for n in 0..<images {
        let d = gradient + n * imageStride, positions = at + n * imageStride
        let x = input + n * inputImageStride + rowOffset + block
        for k in 0..<maxima {
          let value = d[k]
          if value == 0 { continue }
          let s = splat(value), u = x + positions[k] * channelsPadded
          fma(&a0, load16(u), s)
          if vectors > 1 { fma(&a1, load16(u + 16), s) }
          if vectors > 2 { fma(&a2, load16(u + 32), s) }
          if vectors > 3 { fma(&a3, load16(u + 48), s) }
        }
      }
      let w = dWeights + ky * run + block
      store16(load16(w) + a0, w)
      if vectors > 1 { store16(load16(w + 16) + a1, w + 16) }
      if vectors > 2 { store16(load16(w + 32) + a2, w + 32) }
      if vectors > 3 { store16(load16(w + 48) + a3, w + 48) }
      block += 16 * vectors
    }
  }
}

/// `dInput[at[k]*Cp + rowOffsets[ky] ..< + run] += gradient[k] * weights[ky][0 ..< run]` for one
/// filter's maxima in one image: each maximum sends its gradient back through every tap to the
/// interleaved input gradient. Weights past the real run are zero, so the rounded-up run adds
/// nothing to the positions after it.
func fastSparseInputGradient(
  gradient: UnsafePointer<Float>, at: UnsafePointer<Int>, maxima: Int, channelsPadded: Int,
  weights: UnsafePointer<Float>, rowOffsets: UnsafePointer<Int>, rows: Int, run: Int,
  dInput: UnsafeMutablePointer<Float>
) {
  for k in 0..<maxima {
    let value = gradient[k]
    if value == 0 { continue }
    let s = splat(value), base = dInput + at[k] * channelsPadded
    for ky in 0..<rows {
      let out = base + rowOffsets[ky], w = weights + ky * run
      var v = 0
      while v < run {
        var acc = load16(out + v)
        fma(&acc, load16(w + v), s)
        store16(acc, out + v)
        v += 16
      }
    }
  }
}
