#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The layers of the fast path: each works on a lane's slice of the batch, reads and writes
// preallocated buffers, and finishes its weight gradients after the lanes (`finishGradients`)
// in a fixed order (a convolution adds its lanes' copies up lane 0 first, then lane 1, …; a
// dense layer multiplies over the whole batch), so a run is bit-identical for a given thread
// count.
//
// n = images in a lane's slice; per-image sizes are in floats.

/// A trainable array of the fast path: values, accumulated gradients, optimiser state.
public final class FastParameter: @unchecked Sendable {
  public let count: Int
  let value: FastBuffer
  let grad: FastBuffer
  var moment1: FastBuffer?
  var moment2: FastBuffer?
  /// How many optimiser steps this parameter has taken (PyTorch's `state['step']`): a layer
  /// frozen for a while resumes its bias correction where it stopped, not at the network's count.
  var steps = 0

  init(count: Int) {
    self.count = count
    value = FastBuffer(count: count)
    grad = FastBuffer(count: count)
  }

  /// The values, in the engine's layout (`(F, C, KH, KW)` for convolutions, `(O, I)` for dense).
  public var values: [Float] {
    get { Array(UnsafeBufferPointer(start: value.pointer, count: count)) }
    set {
      precondition(newValue.count == count, "parameter holds \(count) values, not \(newValue.count)")
      newValue.withStart { value.pointer.update(from: $0, count: count) }
    }
  }

  /// The gradients accumulated since the last `zeroGradients()`.
  public var gradients: [Float] { Array(UnsafeBufferPointer(start: grad.pointer, count: count)) }
}

/// One layer of the fast path.
protocol FastOp: AnyObject {
  /// Floats per image going in and coming out.
  var inputSize: Int { get }
  var outputSize: Int { get }
  var parameters: [FastParameter] { get }
  /// Runs once per pass on the calling thread before the lanes start (packs weights).
  func prepare()
  /// Runs once per training step on the calling thread before the lanes start, with the
  /// batch's size and how many lanes split it (draws dropout masks).
  func beginTraining(images: Int, lanes: Int)
  func forward(
    lane: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, images: Int,
    training: Bool)
  /// `dOutput` may be overwritten. `dInput` is nil for the first layer.
  func backward(
    lane: Int, input: UnsafePointer<Float>, output: UnsafePointer<Float>,
    dOutput: UnsafeMutablePointer<Float>, dInput: UnsafeMutablePointer<Float>?, images: Int)
  /// Adds what lanes `0 ..< lanes` computed, in that order, into part `part` of `parts` of the
  /// parameters' gradients, after the lanes finish. The parts are disjoint, so they may run on
  /// different threads at once, and each element's sum is the same whatever `parts` is.
  func finishGradients(lanes: Int, part: Int, of parts: Int)
}

extension FastOp {
  var parameters: [FastParameter] { [] }
  func prepare() {}
  func beginTraining(images: Int, lanes: Int) {}
  func finishGradients(lanes: Int, part: Int, of parts: Int) {}

  /// Adds the lanes' gradients into the parameters on this thread.
  func finishBackward(lanes: Int) { finishGradients(lanes: lanes, part: 0, of: 1) }
}

// MARK: - Convolution

/// Conv2D (any stride, padding, dilation), optionally followed by a fused ReLU and a fused max
/// pool. Fused pooling reads the maxima straight from the wide output and sends gradients
/// straight back into the wide gradient planes, skipping two passes over the full-size maps.
final class FastConvOp: FastOp {
  let geometry: FastConvGeometry
  let weights: FastParameter  // (F, C, KH, KW)
  let bias: FastParameter?  // (F)
  let relu: Bool
  /// The fused max pool's windows over the convolution's output.
  let pool: ConvGeometry?
  let pooledHeight: Int, pooledWidth: Int
  /// True convolution: the kernel is used flipped on both spatial axes.
  let flipKernel: Bool
  /// A factor on every weight (the "normalised match" divides by C*KH*KW).
  let weightScale: Float
  var inputSize: Int { geometry.inputSize }
  var outputSize: Int { geometry.filters * pooledHeight * pooledWidth }
  var parameters: [FastParameter] { bias.map { [weights, $0] } ?? [weights] }

  private let taps: FastIndexBuffer  // (T) offsets of each tap in a padded plane
  private let negatedTaps: FastIndexBuffer  // (T)
  private let columnOffsets: FastIndexBuffer  // (C*T) channel plane + tap offset
  private let packedForward: FastBuffer  // (Fpad/8, C, T, 8)
  private let packedBackward: FastBuffer  // (Cpad/8, F, T, 8)
  private let packedBias: FastBuffer  // (Fpad)
  /// Whether the backward pass visits only the fused pool's maxima (`fastSparseWeightGradient`
  /// and `fastSparseInputGradient`) instead of whole gradient planes: a max pool whose windows
  /// step by at least four cells (a maximum in every four positions or fewer), behind at least
  /// eight channels (a tap row's run over the channels is then whole vectors), with taps one
  /// column apart.
  var fromMaxima: Bool { maxima != nil }
  private let maxima: MaximaLayout?
  private let lanes: [Lane]

  /// The interleaved planes the backward pass from the maxima works on.
  private struct MaximaLayout {
    /// Channels rounded up to 8: the floats from one position to the next.
    let channelsPadded: Int
    /// One kernel row's taps over every channel, rounded up to whole vectors.
    let run: Int
    /// Floats per interleaved plane: every padded row, one more for the taps that read past
    /// the last, and a run of slack.
    let plane: Int
    let rowOffsets: FastIndexBuffer  // (KH) ky*dilationY*pitch*channelsPadded
    let packed: FastBuffer  // (F, KH, run): the weights as used, by kernel row, [kx][channel]

    init(_ g: FastConvGeometry) {
      let cp = roundUp8(g.channels)
      channelsPadded = cp
      run = roundUp16(g.kernelWidth * cp)
      plane = roundUp16((g.paddedHeight + 1) * g.pitch * cp + run)
      rowOffsets = FastIndexBuffer((0..<g.kernelHeight).map { $0 * g.dilationY * g.pitch * cp })
      packed = FastBuffer(count: g.filters * g.kernelHeight * run)
    }
  }

  /// Per-lane workspace. Borders and slack of the wide planes are zeroed once and never written.
  private final class Lane {
    let padded: FastBuffer  // (capacity, C, inputPlane): kept from forward for the weight gradient
    let wide: FastBuffer  // (Fpad, forwardChunks*16): one image's stride-1 output
    let gradient: FastBuffer  // (capacity, Fpad, gradientPlane): output gradients, wide
    let inputGradient: FastBuffer  // (Cpad, backwardChunks*16): one image's input gradient, wide
    let dWeights: FastBuffer  // (F, C*T)
    let dBias: FastBuffer  // (F)
    let argmax: FastIndexBuffer  // (capacity, F, pooled): wide position of each pooled maximum
    // From the maxima, instead of `gradient` and `inputGradient`:
    let interleaved: FastBuffer  // (capacity, plane): the padded inputs, channel-minor
    let interleavedGradient: FastBuffer  // (plane): one image's input gradient, channel-minor
    let dWeightRuns: FastBuffer  // (F, KH, run)

    init(_ g: FastConvGeometry, pooled: Int?, maxima: MaximaLayout?, capacity: Int, training: Bool) {
      let dense = training && maxima == nil, sparse = training ? maxima : nil
      argmax = FastIndexBuffer(count: training ? capacity * (pooled ?? 0) : 0)
      padded = FastBuffer(count: (training ? capacity : 1) * g.channels * g.inputPlane)
      wide = FastBuffer(count: g.paddedFilters * g.forwardChunks * 16)
      gradient = FastBuffer(count: dense ? capacity * g.paddedFilters * g.gradientPlane : 0)
      inputGradient = FastBuffer(count: dense ? g.paddedChannels * g.backwardChunks * 16 : 0)
      dWeights = FastBuffer(count: training ? g.filters * g.channels * g.taps : 0)
      dBias = FastBuffer(count: training ? g.filters : 0)
      interleaved = FastBuffer(count: sparse.map { capacity * $0.plane } ?? 0)
      interleavedGradient = FastBuffer(count: sparse?.plane ?? 0)
      dWeightRuns = FastBuffer(count: sparse.map { g.filters * g.kernelHeight * $0.run } ?? 0)
    }
  }

  init(
    geometry g: FastConvGeometry, bias: Bool, flip: Bool, scale: Float, relu: Bool,
    pool: ConvGeometry?, capacities: [Int], training: Bool
  ) {
    geometry = g
    weights = FastParameter(count: g.filters * g.channels * g.taps)
    self.bias = bias ? FastParameter(count: g.filters) : nil
    flipKernel = flip
    weightScale = scale
    self.relu = relu
    self.pool = pool
    pooledHeight = pool?.outputHeight ?? g.outputHeight
    pooledWidth = pool?.outputWidth ?? g.outputWidth
    let pooled = pool == nil ? nil : g.filters * pooledHeight * pooledWidth
    var offsets: [Int] = []
    for ky in 0..<g.kernelHeight {
      for kx in 0..<g.kernelWidth {
        offsets.append(ky * g.dilationY * g.pitch + kx * g.dilationX)
      }
    }
    taps = FastIndexBuffer(offsets)
    negatedTaps = FastIndexBuffer(offsets.map { -$0 })
    columnOffsets = FastIndexBuffer(
      (0..<g.channels).flatMap { c in offsets.map { c * g.inputPlane + $0 } })
    packedForward = FastBuffer(count: g.channels * g.taps * g.paddedFilters)
    packedBackward = FastBuffer(count: g.filters * g.taps * g.paddedChannels)
    packedBias = FastBuffer(count: g.paddedFilters)
    let spread = pool.map { $0.rows.stride * $0.cols.stride } ?? 0
    let maxima = spread >= 4 && g.channels >= 8 && g.dilationX == 1 ? MaximaLayout(g) : nil
    self.maxima = maxima
    self.lanes = capacities.map {
      Lane(g, pooled: pooled, maxima: maxima, capacity: $0, training: training)
    }
  }

  /// Where tap `k` of the kernel as written is used: itself, or its mirror image.
  private func usedTap(_ k: Int) -> Int {
    guard flipKernel else { return k }
    let g = geometry
    let (ky, kx) = k.quotientAndRemainder(dividingBy: g.kernelWidth)
    return (g.kernelHeight - 1 - ky) * g.kernelWidth + (g.kernelWidth - 1 - kx)
  }

  func prepare() {
    let g = geometry
    let w = weights.value.pointer
    let t = g.taps
    let forward = packedForward.pointer, backward = packedBackward.pointer
    let scale = weightScale
    // The backward pass from the maxima wants the same weights by kernel row, [kx][channel].
    let byRow = maxima.map { (packed: $0.packed.pointer, run: $0.run, step: $0.channelsPadded) }
    for f in 0..<g.filters {
      for c in 0..<g.channels {
        for ky in 0..<g.kernelHeight {
          for kx in 0..<g.kernelWidth {
            let k = ky * g.kernelWidth + kx
            let v = scale * w[(f * g.channels + c) * t + usedTap(k)]
            forward[(((f >> 3) * g.channels + c) * t + k) * 8 + (f & 7)] = v
            backward[(((c >> 3) * g.filters + f) * t + k) * 8 + (c & 7)] = v
            if let byRow { byRow.packed[(f * g.kernelHeight + ky) * byRow.run + kx * byRow.step + c] = v }
          }
        }
      }
    }
    if let bias { packedBias.pointer.update(from: bias.value.pointer, count: g.filters) }
  }

  /// Copies `images` inputs into lane `l`'s padded planes, as a training forward pass does,
  /// without computing anything: for a backward pass on its own.
  func loadInputs(lane l: Int, input: UnsafePointer<Float>, images: Int) {
    let g = geometry, plane = g.inputPlane
    for n in 0..<images {
      let padded = lanes[l].padded.pointer + n * g.channels * plane
      let x = input + n * g.inputSize
      for c in 0..<g.channels {
        for iy in 0..<g.height {
          (padded + c * plane + (g.padTop + iy) * g.pitch + g.padLeft)
            .update(from: x + (c * g.height + iy) * g.width, count: g.width)
        }
      }
    }
  }

  func forward(
    lane l: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, images: Int,
    training: Bool
  ) {
    let g = geometry, lane = lanes[l]
    let wp = g.pitch, plane = g.inputPlane
    let wideStride = g.forwardChunks * 16
    let ho = g.outputHeight, wo = g.outputWidth
    let rowStep = g.strideY * wp, sx = g.strideX
    for n in 0..<images {
      // Copy the image into the interior of its padded planes; the border stays zero.
      let padded = lane.padded.pointer + (training ? n * g.channels * plane : 0)
      let x = input + n * g.inputSize
      for c in 0..<g.channels {
        for iy in 0..<g.height {
          (padded + c * plane + (g.padTop + iy) * wp + g.padLeft)
            .update(from: x + (c * g.height + iy) * g.width, count: g.width)
        }
      }
      fastCorrelate(
        input: padded, inputs: g.channels, inputStride: plane,
        taps: taps.pointer, tapCount: g.taps, weights: packedForward.pointer,
        bias: packedBias.pointer, outputs: g.paddedFilters, chunks: g.forwardChunks,
        output: lane.wide.pointer, outputStride: wideStride)
      if let pool {
        poolForward(
          pool, wide: lane.wide.pointer, output: output + n * outputSize,
          argmax: training ? lane.argmax.pointer + n * outputSize : nil)
        continue
      }
      // Keep every stride-th row and column of the dense output, dropping the wide columns.
      let y = output + n * outputSize
      for f in 0..<g.filters {
        let src = lane.wide.pointer + f * wideStride
        let dst = y + f * ho * wo
        for oy in 0..<ho {
          let row = src + oy * rowStep
          let out = dst + oy * wo
          if relu {
            for ox in 0..<wo { out[ox] = max(row[ox * sx], 0) }
          } else {
            for ox in 0..<wo { out[ox] = row[ox * sx] }
          }
        }
      }
    }
  }

  /// Max pooling over the conv output as it sits in the wide planes (through the ReLU, which
  /// commutes with max); `argmax` gets the wide position of each maximum.
  private func poolForward(
    _ pool: ConvGeometry, wide: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
    argmax: UnsafeMutablePointer<Int>?
  ) {
    let g = geometry
    let wideStride = g.forwardChunks * 16
    let ho = g.outputHeight, wo = g.outputWidth, ph = pooledHeight, pw = pooledWidth
    let rowStep = g.strideY * g.pitch, sx = g.strideX
    let floor = relu ? Float(0) : -Float.infinity
    let (py0, px0) = (pool.rows, pool.cols)
    let simple =
      py0.kernel == 2 && px0.kernel == 2 && py0.stride == 2 && px0.stride == 2
      && sx == 1 && 2 * ph <= ho && 2 * pw <= wo
    for f in 0..<g.filters {
      let plane = wide + f * wideStride
      let out = output + f * ph * pw
      let at = argmax.map { $0 + f * ph * pw }
      for py in 0..<ph {
        if simple {
          let row = 2 * py * rowStep
          maxPool2x2Row(
            top: plane + row, rowStep: rowStep, count: pw, floor: floor, out: out + py * pw,
            at: at.map { $0 + py * pw }, atBase: row)
          continue
        }
        let y0 = py * py0.stride, y1 = min(y0 + py0.kernel, ho)
        for px in 0..<pw {
          let x0 = px * px0.stride, x1 = min(x0 + px0.kernel, wo)
          var best = -Float.infinity, position = y0 * rowStep + x0 * sx
          for oy in y0..<y1 {
            for ox in x0..<x1 where plane[oy * rowStep + ox * sx] > best {
              best = plane[oy * rowStep + ox * sx]
              position = oy * rowStep + ox * sx
            }
          }
          out[py * pw + px] = max(best, floor)
          at?[py * pw + px] = position
        }
      }
    }
  }

  func backward(
    lane l: Int, input: UnsafePointer<Float>, output: UnsafePointer<Float>,
    dOutput: UnsafeMutablePointer<Float>, dInput: UnsafeMutablePointer<Float>?, images: Int
  ) {
    let g = geometry, lane = lanes[l]
    if let maxima {
      backwardFromMaxima(maxima, lane: lane, output: output, dOutput: dOutput, dInput: dInput, images: images)
      return
    }
    let wp = g.pitch
    let ho = g.outputHeight, wo = g.outputWidth
    let rowStep = g.strideY * wp, sx = g.strideX
    let gPlane = g.gradientPlane, margin = g.gradientMargin
    let dBias = lane.dBias.pointer
    lane.dWeights.zero()
    lane.dBias.zero()
    for n in 0..<images {
      let dy = dOutput + n * outputSize
      let y = output + n * outputSize
      let wide = lane.gradient.pointer + n * g.paddedFilters * gPlane + margin
      if pool != nil {
        // The ReLU and the bias gradients first; then each pooled gradient goes to the
        // position its maximum came from. Everything else in the plane is zero (the positions
        // written are put back to zero once the weight gradient has used them, below).
        let at = lane.argmax.pointer + n * outputSize
        let pooled = pooledHeight * pooledWidth
        pooledGradient(dy, output: y, dBias: dBias)
        for f in 0..<g.filters {
          let dst = wide + f * gPlane
          let d = dy + f * pooled, from = at + f * pooled
          for i in 0..<pooled { dst[from[i]] += d[i] }
        }
      } else {
        // Scatter the output gradient (through the ReLU) into the wide planes.
        for f in 0..<g.filters {
          let dst = wide + f * gPlane
          var sum: Float = 0
          for oy in 0..<ho {
            let row = dst + oy * rowStep
            let k = (f * ho + oy) * wo
            for ox in 0..<wo {
              var d = dy[k + ox]
              if relu && y[k + ox] <= 0 { d = 0 }
              row[ox * sx] = d
              sum += d
            }
          }
          dBias[f] += sum
        }
      }
      guard let dInput else { continue }
      let bw = g.backwardChunks * 16
      fastCorrelate(
        input: wide + g.padTop * wp, inputs: g.filters, inputStride: gPlane,
        taps: negatedTaps.pointer, tapCount: g.taps, weights: packedBackward.pointer, bias: nil,
        outputs: g.paddedChannels, chunks: g.backwardChunks,
        output: lane.inputGradient.pointer, outputStride: bw)
      let dx = dInput + n * g.inputSize
      for c in 0..<g.channels {
        let src = lane.inputGradient.pointer + c * bw + g.padLeft
        for iy in 0..<g.height {
          (dx + (c * g.height + iy) * g.width).update(from: src + iy * wp, count: g.width)
        }
      }
    }
    fastWeightGradient(
      gradient: lane.gradient.pointer + margin, gradientStride: gPlane,
      gradientImageStride: g.paddedFilters * gPlane,
      input: lane.padded.pointer, inputImageStride: g.channels * g.inputPlane,
      columnOffsets: columnOffsets.pointer, columns: g.channels * g.taps, filters: g.filters,
      images: images, chunks: g.forwardChunks,
      dWeights: lane.dWeights.pointer, dWeightsStride: g.channels * g.taps)
    if pool != nil {
      // Leave the gradient planes all zero for the next step: only the maxima were written.
      let pooled = pooledHeight * pooledWidth
      for n in 0..<images {
        let wide = lane.gradient.pointer + n * g.paddedFilters * gPlane + margin
        let at = lane.argmax.pointer + n * outputSize
        for f in 0..<g.filters {
          let dst = wide + f * gPlane
          for i in f * pooled..<(f + 1) * pooled { dst[at[i]] = 0 }
        }
      }
    }
  }

  /// The backward pass when `fromMaxima`: the same gradients as the dense pass above, computed
  /// from each window's maximum alone, on channel-minor copies of the padded inputs.
  private func backwardFromMaxima(
    _ m: MaximaLayout, lane: Lane, output: UnsafePointer<Float>,
    dOutput: UnsafeMutablePointer<Float>, dInput: UnsafeMutablePointer<Float>?, images: Int
  ) {
    let g = geometry
    let pooled = pooledHeight * pooledWidth, positions = g.paddedHeight * g.pitch
    let cp = m.channelsPadded, run = m.run, rows = g.kernelHeight
    let dBias = lane.dBias.pointer, runs = lane.dWeightRuns.pointer
    lane.dWeights.zero()
    lane.dBias.zero()
    lane.dWeightRuns.zero()
    for n in 0..<images {
      let dy = dOutput + n * outputSize, y = output + n * outputSize
      let at = lane.argmax.pointer + n * outputSize
      pooledGradient(dy, output: y, dBias: dBias)
      // This image's padded input, channel-minor, for the weight gradient after the loop.
      let x = lane.padded.pointer + n * g.channels * g.inputPlane
      let xi = lane.interleaved.pointer + n * m.plane
      for c in 0..<g.channels {
        let plane = x + c * g.inputPlane
        for p in 0..<positions { xi[p * cp + c] = plane[p] }
      }
      guard let dInput else { continue }
      let dxi = lane.interleavedGradient.pointer
      dxi.update(repeating: 0, count: m.plane)
      for f in 0..<g.filters {
        fastSparseInputGradient(
          gradient: dy + f * pooled, at: at + f * pooled, maxima: pooled, channelsPadded: cp,
          weights: m.packed.pointer + f * rows * run, rowOffsets: m.rowOffsets.pointer, rows: rows,
          run: run, dInput: dxi)
      }
      let dx = dInput + n * g.inputSize
      for c in 0..<g.channels {
        for iy in 0..<g.height {
          let from = dxi + ((g.padTop + iy) * g.pitch + g.padLeft) * cp + c
          let to = dx + (c * g.height + iy) * g.width
          for ix in 0..<g.width { to[ix] = from[ix * cp] }
        }
      }
    }
    for f in 0..<g.filters {
      fastSparseWeightGradient(
        gradient: dOutput + f * pooled, at: lane.argmax.pointer + f * pooled, maxima: pooled,
        imageStride: outputSize, input: lane.interleaved.pointer, inputImageStride: m.plane,
        channelsPadded: cp, rowOffsets: m.rowOffsets.pointer, rows: rows, run: run, images: images,
        dWeights: runs + f * rows * run)
    }
    // Back to the (filter, channel, tap) order of the dense pass.
    var dw = lane.dWeights.pointer
    for f in 0..<g.filters {
      for c in 0..<g.channels {
        for ky in 0..<rows {
          for kx in 0..<g.kernelWidth {
            dw.pointee = runs[(f * rows + ky) * run + kx * cp + c]
            dw += 1
          }
        }
      }
    }
  }

  /// One image's pooled output gradient through the fused ReLU, in place (one pass the
  /// compiler vectorises), and its filters' bias gradients, sixteen at a time.
  private func pooledGradient(
    _ dy: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>, dBias: UnsafeMutablePointer<Float>
  ) {
    if relu { for i in 0..<outputSize { dy[i] = y[i] <= 0 ? 0 : dy[i] } }
    let pooled = pooledHeight * pooledWidth
    for f in 0..<geometry.filters { dBias[f] += fastSum(dy + f * pooled, count: pooled) }
  }

  func finishGradients(lanes count: Int, part: Int, of parts: Int) {
    let g = geometry, t = g.taps
    // Whole kernel rows (one filter and channel), so a flipped kernel stays inside its part.
    let rows = laneShare(g.filters * g.channels, part: part, of: parts)
    let biases = laneShare(g.filters, part: part, of: parts)
    for l in 0..<count {
      let src = lanes[l].dWeights.pointer, dst = weights.grad.pointer
      if flipKernel || weightScale != 1 {
        // The lanes hold gradients for the weights as used; map them back to the kernel as written.
        for row in rows {
          for k in 0..<t { dst[row * t + usedTap(k)] += weightScale * src[row * t + k] }
        }
      } else {
        fastAdd(src + rows.lowerBound * t, into: dst + rows.lowerBound * t, count: rows.count * t)
      }
      if let bias {
        fastAdd(
          lanes[l].dBias.pointer + biases.lowerBound, into: bias.grad.pointer + biases.lowerBound,
          count: biases.count)
      }
    }
  }

}

/// 2x2, stride-2 max pooling of `count` windows whose top-left corners are `top[2i]`, with the
/// second row `rowStep` further: `out[i] = max(window, floor)`, and `at[i] = atBase + offset`
/// of the maximum (first in reading order on ties). Sixteen windows per step, branch-free; may
/// read up to 32 floats past the last window of a row and write up to 15 values past the last
/// output (buffers carry slack for both; rows must be produced in order).
private let evenLanes = SIMD16<Int>(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)

@inline(__always) func maxPool2x2Row(
  top: UnsafePointer<Float>, rowStep: Int, count: Int, floor: Float,
  out: UnsafeMutablePointer<Float>, at: UnsafeMutablePointer<Int>?, atBase: Int,
  slack: Bool = true
) {
  let right = SIMD16<Int32>(repeating: 1)
  let down = SIMD16<Int32>(repeating: Int32(rowStep))
  let downRight = SIMD16<Int32>(repeating: Int32(rowStep + 1))
  let zero = SIMD16<Int32>(repeating: 0)
  let lowest = SIMD16<Float>(repeating: floor)
  var i = 0
  // Without slack in the buffers, vectors stop at the last whole group and a scalar loop ends.
  let vectorEnd = slack ? count : count - count % 16
  while i < vectorEnd {
    let upper = UnsafeRawPointer(top + 2 * i).loadUnaligned(as: SIMD32<Float>.self)
    let lower = UnsafeRawPointer(top + 2 * i + rowStep).loadUnaligned(as: SIMD32<Float>.self)
    let a = upper.evenHalf, b = upper.oddHalf, c = lower.evenHalf, d = lower.oddHalf
    let topRight = b .> a
    let topMax = a.replacing(with: b, where: topRight)
    let topAt = zero.replacing(with: right, where: topRight)
    let bottomRight = d .> c
    let bottomMax = c.replacing(with: d, where: bottomRight)
    let bottomAt = down.replacing(with: downRight, where: bottomRight)
    let below = bottomMax .> topMax
    var best = topMax.replacing(with: bottomMax, where: below)
    best.replace(with: lowest, where: best .< lowest)  // the fused ReLU (pointwiseMax is scalar)
    let offset = topAt.replacing(with: bottomAt, where: below)
    // Whole vectors: lanes past `count` land on the next row, which is written after this one
    // (or in the buffer's slack).
    store16(best, out + i)
    if let at {
      let spot = SIMD16<Int>(repeating: atBase + 2 * i) &+ evenLanes
        &+ SIMD16<Int>(truncatingIfNeeded: offset)
      UnsafeMutableRawPointer(at + i).storeBytes(of: spot, as: SIMD16<Int>.self)
    }
    i += 16
  }
  while i < count {
    let p = top + 2 * i
    var best = p[0], offset = 0
    if p[1] > best { best = p[1]; offset = 1 }
    if p[rowStep] > best { best = p[rowStep]; offset = rowStep }
    if p[rowStep + 1] > best { best = p[rowStep + 1]; offset = rowStep + 1 }
    out[i] = max(best, floor)
    at?[i] = atBase + 2 * i + offset
    i += 1
  }
}

/// The sum of `count` floats: sixteen running sums, added up at the end, then the rest one by
/// one (a single running sum would wait on each addition before the next).
@inline(__always) func fastSum(_ p: UnsafePointer<Float>, count: Int) -> Float {
  var sums = SIMD16<Float>()
  var i = 0
  while i + 16 <= count {
    sums += load16(p + i)
    i += 16
  }
  var sum = horizontalSum(sums)
  while i < count {
    sum += p[i]
    i += 1
  }
  return sum
}

@inline(__always) func fastAdd(
  _ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int
) {
  for i in 0..<count { target[i] += source[i] }
}

// MARK: - Pooling

/// Max or average pooling without padding; `ceil` keeps a last, partial window when it starts
/// inside the input (PyTorch's `ceil_mode`). Max pooling remembers where each maximum came from.
final class FastPoolOp: FastOp {
  let channels: Int, height: Int, width: Int
  let kernelHeight: Int, kernelWidth: Int, strideY: Int, strideX: Int
  let outputHeight: Int, outputWidth: Int
  let isMax: Bool
  /// The input and output buffers have the fast path's slack past their end (FastBuffer).
  var slack = true
  var inputSize: Int { channels * height * width }
  var outputSize: Int { channels * outputHeight * outputWidth }
  private let argmax: [FastIndexBuffer]  // per lane (capacity, C, Ho, Wo): offsets in the image

  /// Pooling of `channels` planes with the windows of `geometry` (`ConvGeometry.pooling`).
  init(channels: Int, geometry g: ConvGeometry, isMax: Bool, capacities: [Int]) {
    self.channels = channels
    (height, width) = (g.rows.input, g.cols.input)
    (kernelHeight, kernelWidth) = (g.rows.kernel, g.cols.kernel)
    (strideY, strideX) = (g.rows.stride, g.cols.stride)
    (outputHeight, outputWidth) = (g.rows.output, g.cols.output)
    self.isMax = isMax
    let outputs = channels * outputHeight * outputWidth
    argmax = capacities.map { FastIndexBuffer(count: isMax ? $0 * outputs : 0) }
  }

  func forward(
    lane l: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, images: Int,
    training: Bool
  ) {
    let ho = outputHeight, wo = outputWidth, h = height, w = width
    let kh = kernelHeight, kw = kernelWidth, sy = strideY, sx = strideX
    let planes = images * channels
    let index = argmax[l].pointer
    let fast2x2 = isMax && kh == 2 && kw == 2 && sy == 2 && sx == 2 && 2 * ho <= h && 2 * wo <= w
    for q in 0..<planes {
      let x = input + q * h * w
      let y = output + q * ho * wo
      let base = (q % channels) * h * w
      let idx = index + q * ho * wo
      if fast2x2 {
        for oy in 0..<ho {
          maxPool2x2Row(
            top: x + 2 * oy * w, rowStep: w, count: wo, floor: -.infinity, out: y + oy * wo,
            at: training ? idx + oy * wo : nil, atBase: base + 2 * oy * w, slack: slack)
        }
        continue
      }
      for oy in 0..<ho {
        let y0 = oy * sy, y1 = min(y0 + kh, h)
        for ox in 0..<wo {
          let x0 = ox * sx, x1 = min(x0 + kw, w)
          if isMax {
            var best = -Float.infinity, at = y0 * w + x0
            for iy in y0..<y1 {
              for ix in x0..<x1 where x[iy * w + ix] > best {
                best = x[iy * w + ix]
                at = iy * w + ix
              }
            }
            y[oy * wo + ox] = best
            if training { idx[oy * wo + ox] = base + at }
          } else {
            var sum: Float = 0
            for iy in y0..<y1 { for ix in x0..<x1 { sum += x[iy * w + ix] } }
            y[oy * wo + ox] = sum / Float((y1 - y0) * (x1 - x0))
          }
        }
      }
    }
  }

  func backward(
    lane l: Int, input: UnsafePointer<Float>, output: UnsafePointer<Float>,
    dOutput: UnsafeMutablePointer<Float>, dInput: UnsafeMutablePointer<Float>?, images: Int
  ) {
    guard let dInput else { return }
    dInput.update(repeating: 0, count: images * inputSize)
    let ho = outputHeight, wo = outputWidth, h = height, w = width
    if isMax {
      let index = argmax[l].pointer
      for n in 0..<images {
        let dx = dInput + n * inputSize
        let dy = dOutput + n * outputSize
        let idx = index + n * outputSize
        for i in 0..<outputSize { dx[idx[i]] += dy[i] }
      }
      return
    }
    for q in 0..<images * channels {
      let dx = dInput + q * h * w
      let dy = dOutput + q * ho * wo
      for oy in 0..<ho {
        let y0 = oy * strideY, y1 = min(y0 + kernelHeight, h)
        for ox in 0..<wo {
          let x0 = ox * strideX, x1 = min(x0 + kernelWidth, w)
          let share = dy[oy * wo + ox] / Float((y1 - y0) * (x1 - x0))
          for iy in y0..<y1 { for ix in x0..<x1 { dx[iy * w + ix] += share } }
        }
      }
    }
  }
}

// MARK: - Activations

/// ReLU, sigmoid or tanh, element by element; backward uses the output.
final class FastActivationOp: FastOp {
  let kind: Activation
  let size: Int
  var inputSize: Int { size }
  var outputSize: Int { size }

  init(_ kind: Activation, size: Int) {
    self.kind = kind
    self.size = size
  }

  func forward(
    lane: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, images: Int,
    training: Bool
  ) {
    let count = images * size
    switch kind {
    case .identity: output.update(from: input, count: count)
    case .relu: for i in 0..<count { output[i] = max(input[i], 0) }
    case .sigmoid: for i in 0..<count { output[i] = 1 / (1 + expf(-input[i])) }
    case .tanh: for i in 0..<count { output[i] = tanhf(input[i]) }
    }
  }

  func backward(
    lane: Int, input: UnsafePointer<Float>, output: UnsafePointer<Float>,
    dOutput: UnsafeMutablePointer<Float>, dInput: UnsafeMutablePointer<Float>?, images: Int
  ) {
    guard let dInput else { return }
    let count = images * size
    switch kind {
    case .identity: dInput.update(from: dOutput, count: count)
    case .relu: for i in 0..<count { dInput[i] = output[i] > 0 ? dOutput[i] : 0 }
    case .sigmoid: for i in 0..<count { dInput[i] = dOutput[i] * output[i] * (1 - output[i]) }
    case .tanh: for i in 0..<count { dInput[i] = dOutput[i] * (1 - output[i] * output[i]) }
    }
  }
}

// MARK: - Dropout

/// Inverted dropout (`Dropout`): the identity at inference; while training, each value times
/// its mask value, 0 or 1/(1 − p). The whole batch's mask is drawn on the calling thread before
/// the lanes split the batch (`beginTraining`), in the order the reference layer draws it, so
/// the masks depend on neither the lanes nor the executor.
final class FastDropoutOp: FastOp {
  let probability: Double
  let size: Int
  var inputSize: Int { size }
  var outputSize: Int { size }
  private var generator: SplitMix64
  private let mask: FastBuffer  // (batch, size)
  /// Where each lane's slice starts in the batch, for the current step.
  private var laneStarts: [Int]

  init(probability: Double, size: Int, seed: UInt64, trainingBatch: Int, lanes: Int) {
    self.probability = probability
    self.size = size
    generator = SplitMix64(seed: seed)
    mask = FastBuffer(count: trainingBatch * size)
    laneStarts = [Int](repeating: 0, count: lanes)
  }

  func beginTraining(images: Int, lanes: Int) {
    Dropout.drawMask(mask.pointer, count: images * size, probability: probability, using: &generator)
    for l in 0..<lanes { laneStarts[l] = laneShare(images, part: l, of: lanes).lowerBound }
  }

  func forward(
    lane l: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, images: Int,
    training: Bool
  ) {
    let count = images * size
    guard training else {
      output.update(from: input, count: count)
      return
    }
    let m = mask.pointer + laneStarts[l] * size
    for i in 0..<count { output[i] = input[i] * m[i] }
  }

  func backward(
    lane l: Int, input: UnsafePointer<Float>, output: UnsafePointer<Float>,
    dOutput: UnsafeMutablePointer<Float>, dInput: UnsafeMutablePointer<Float>?, images: Int
  ) {
    guard let dInput else { return }
    let m = mask.pointer + laneStarts[l] * size
    for i in 0..<(images * size) { dInput[i] = dOutput[i] * m[i] }
  }
}

// MARK: - Dense

/// y = x W^T + b with W `(O, I)`, as three matrix multiplies per step. The weight gradient
/// dW = dY^T X is one multiply over the whole batch, added straight into the parameters'
/// gradients, with no copy per lane: a dense layer can hold most of a network's weights (3.2 M
/// of the Keras network's 3.3 M), and a copy per lane would be as many floats to write, keep and
/// add up again. A lane alone (the batch not split) multiplies in its backward pass; lanes that
/// split the batch copy their slices of X and dY into whole-batch buffers, and
/// `finishGradients` multiplies after them, 32-column panels of dW at a time (the multiply's
/// own panels, each computed the same way whichever lane runs it). Either way every element
/// sums the same products in the same order, so the dense gradients do not depend on the lanes.
final class FastDenseOp: FastOp {
  let inputs: Int, outputs: Int
  let weights: FastParameter  // (O, I)
  let bias: FastParameter?  // (O)
  var inputSize: Int { inputs }
  var outputSize: Int { outputs }
  var parameters: [FastParameter] { bias.map { [weights, $0] } ?? [weights] }
  private let packs: [FastBuffer]  // per lane: the multiply's packed panel
  /// The whole batch's inputs `(batch, I)` and output gradients `(batch, O)`, when lanes split
  /// it (empty on one thread).
  private let batchInputs: FastBuffer
  private let batchGradients: FastBuffer
  /// The current training step's batch size and lane count (`beginTraining`).
  private var images = 0, lanes = 1

  init(inputs: Int, outputs: Int, bias: Bool, trainingBatch: Int, lanes: Int) {
    precondition(inputs >= 1 && outputs >= 1, "a dense layer needs at least one input and output")
    self.inputs = inputs
    self.outputs = outputs
    weights = FastParameter(count: inputs * outputs)
    self.bias = bias ? FastParameter(count: outputs) : nil
    packs = (0..<lanes).map { _ in FastBuffer(count: gemmPackSize) }
    let copies = lanes > 1 ? trainingBatch : 0
    batchInputs = FastBuffer(count: copies * inputs)
    batchGradients = FastBuffer(count: copies * outputs)
  }

  func beginTraining(images: Int, lanes: Int) {
    (self.images, self.lanes) = (images, lanes)
  }

  func forward(
    lane l: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, images: Int,
    training: Bool
  ) {
    if let bias {
      for n in 0..<images { (output + n * outputs).update(from: bias.value.pointer, count: outputs) }
    }
    // Y (n, O) += X (n, I) . W^T (I, O)
    fastGemm(
      m: images, n: outputs, k: inputs, a: input, aRow: inputs, aColumn: 1,
      b: weights.value.pointer, bRow: 1, bColumn: inputs,
      c: output, cRow: outputs, accumulate: bias != nil, pack: packs[l].pointer)
  }

  func backward(
    lane l: Int, input: UnsafePointer<Float>, output: UnsafePointer<Float>,
    dOutput: UnsafeMutablePointer<Float>, dInput: UnsafeMutablePointer<Float>?, images: Int
  ) {
    if lanes == 1 {
      addWeightGradients(
        dOutput: dOutput, input: input, images: images, panels: 0..<panels, outputs: 0..<outputs,
        pack: packs[l].pointer)
    } else {
      let start = laneShare(self.images, part: l, of: lanes).lowerBound
      (batchInputs.pointer + start * inputs).update(from: input, count: images * inputs)
      (batchGradients.pointer + start * outputs).update(from: dOutput, count: images * outputs)
    }
    if let dInput {
      // dX (n, I) = dY (n, O) . W (O, I)
      fastGemm(
        m: images, n: inputs, k: outputs, a: dOutput, aRow: outputs, aColumn: 1,
        b: weights.value.pointer, bRow: inputs, bColumn: 1,
        c: dInput, cRow: inputs, accumulate: false, pack: packs[l].pointer)
    }
  }

  func finishGradients(lanes count: Int, part: Int, of parts: Int) {
    guard count > 1 else { return }  // a lane alone has added them already
    addWeightGradients(
      dOutput: batchGradients.pointer, input: batchInputs.pointer, images: images,
      panels: laneShare(panels, part: part, of: parts), outputs: laneShare(outputs, part: part, of: parts),
      pack: packs[part].pointer)
  }

  /// The multiply's 32-column panels across the inputs.
  private var panels: Int { (inputs + gemmPanelWidth - 1) / gemmPanelWidth }

  /// Adds dW (O, I) += dY^T (O, n) . X (n, I) for the columns of `panels`, and the bias
  /// gradient (the sum of dY's rows, in image order) for `outputs`, into the parameters'
  /// gradients.
  private func addWeightGradients(
    dOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, images: Int, panels: Range<Int>,
    outputs range: Range<Int>, pack: UnsafeMutablePointer<Float>
  ) {
    let first = panels.lowerBound * gemmPanelWidth
    let columns = min(inputs, panels.upperBound * gemmPanelWidth) - first
    if columns > 0 {
      fastGemm(
        m: outputs, n: columns, k: images, a: dOutput, aRow: 1, aColumn: outputs,
        b: input + first, bRow: inputs, bColumn: 1,
        c: weights.grad.pointer + first, cRow: inputs, accumulate: true, pack: pack)
    }
    guard let bias, !range.isEmpty else { return }
    for n in 0..<images {
      fastAdd(
        dOutput + n * outputs + range.lowerBound, into: bias.grad.pointer + range.lowerBound,
        count: range.count)
    }
  }
}
