// N = batch, C = input channels, F = filters, H/W = input size, OH/OW = output size.

/// Batched convolution for `Conv2D.forward`/`backward`, on the fast path's SIMD kernels (one
/// thread, workspaces sized for this batch). `FastPathTests` hold them equal to the per-example
/// reference (`Reference.conv2D`); training loops that care about every microsecond use
/// `FastNetwork`, which also keeps its workspaces between steps.
enum ConvKernels {
  /// Pre-activation output `(N, F, OH, OW)` of `input` `(N, C, H, W)`.
  static func forward(
    input: Tensor, weights: Tensor, bias: [Float]?, options: ConvOptions, geometry: ConvGeometry
  ) -> Tensor {
    let n = input.batchSize
    let op = makeOp(input: input, weights: weights, bias: bias, options: options, geometry: geometry, training: false)
    var output = Tensor.zeros([n, op.geometry.filters, geometry.rows.output, geometry.cols.output])
    input.scalars.withStart { x in
      output.scalars.withMutableStart { y in
        op.forward(lane: 0, input: x, output: y, images: n, training: false)
      }
    }
    return output
  }

  /// Accumulates dWeights `(F, C, KH, KW)` and dBias `(F)`; returns dInput `(N, C, H, W)`.
  static func backward(
    input: Tensor, weights: Tensor, options: ConvOptions, geometry: ConvGeometry,
    dOutput: Tensor, dWeights: inout Tensor, dBias: inout [Float]
  ) -> Tensor {
    let n = input.batchSize
    let op = makeOp(input: input, weights: weights, bias: [], options: options, geometry: geometry, training: true)
    var dInput = Tensor.zeros(like: input)
    var gradient = dOutput.scalars
    input.scalars.withStart { x in
      gradient.withMutableStart { dy in
        dInput.scalars.withMutableStart { dx in
          op.loadInputs(lane: 0, input: x, images: n)
          op.backward(
            lane: 0, input: x, output: dy, dOutput: dy,
            dInput: dx, images: n)
        }
      }
    }
    op.finishBackward(lanes: 1)
    let dw = op.weights.gradients
    for i in dw.indices { dWeights.scalars[i] += dw[i] }
    if let db = op.bias?.gradients { for f in db.indices { dBias[f] += db[f] } }
    return dInput
  }

  private static func makeOp(
    input: Tensor, weights: Tensor, bias: [Float]?, options: ConvOptions, geometry g: ConvGeometry,
    training: Bool
  ) -> FastConvOp {
    let (f, c, kh, kw) = (weights.shape[0], weights.shape[1], weights.shape[2], weights.shape[3])
    let op = FastConvOp(
      geometry: FastConvGeometry(channels: c, filters: f, g), bias: bias != nil,
      flip: options.mode == .convolve, scale: options.normalize ? 1 / Float(c * kh * kw) : 1,
      relu: false, pool: nil, capacities: [max(input.batchSize, 1)], training: training)
    op.weights.values = weights.scalars
    if let bias, let parameter = op.bias, bias.count == f { parameter.values = bias }
    op.prepare()
    return op
  }
}

/// Batched pooling for `Pool2D`, on the fast path's pooling (argmax kept between the passes of
/// one call; backward finds the maxima again, as the layer keeps only its input).
enum PoolKernels {
  static func forward(input: Tensor, size: Int, stride: Int, ceil: Bool, mode: PoolMode) -> Tensor {
    let (op, n) = makeOp(input: input, size: size, stride: stride, ceil: ceil, mode: mode, training: false)
    var output = Tensor.zeros([n, op.channels, op.outputHeight, op.outputWidth])
    input.scalars.withStart { x in
      output.scalars.withMutableStart { y in
        op.forward(lane: 0, input: x, output: y, images: n, training: false)
      }
    }
    return output
  }

  static func backward(
    input: Tensor, size: Int, stride: Int, ceil: Bool, mode: PoolMode, dOutput: Tensor
  ) -> Tensor {
    let (op, n) = makeOp(input: input, size: size, stride: stride, ceil: ceil, mode: mode, training: true)
    var dInput = Tensor.zeros(like: input)
    var output = [Float](repeating: 0, count: n * op.outputSize)
    var gradient = dOutput.scalars
    input.scalars.withStart { x in
      output.withMutableStart { y in
        gradient.withMutableStart { dy in
          dInput.scalars.withMutableStart { dx in
            op.forward(lane: 0, input: x, output: y, images: n, training: true)
            op.backward(
              lane: 0, input: x, output: y, dOutput: dy,
              dInput: dx, images: n)
          }
        }
      }
    }
    return dInput
  }

  /// The op for `input`; only `training` needs room to remember where each maximum was.
  private static func makeOp(
    input: Tensor, size: Int, stride: Int, ceil: Bool, mode: PoolMode, training: Bool
  ) -> (FastPoolOp, Int) {
    let shape = input.exampleShape
    let n = input.batchSize
    guard let geometry = try? ConvGeometry.pooling(
      inputH: shape[1], inputW: shape[2], size: size, stride: stride, ceil: ceil)
    else { preconditionFailure("pool \(size) does not fit \(shape)") }
    let op = FastPoolOp(
      channels: shape[0], geometry: geometry, isMax: mode == .max,
      capacities: [training ? max(n, 1) : 0])
    op.slack = false  // tensors end where their values do
    return (op, n)
  }
}

/// Dense layer products: y = x·Wᵀ + b with x `(N, I)`, W `(O, I)`, on the blocked GEMM.
enum DenseKernels {
  static func forward(input: Tensor, weights: Tensor, bias: [Float]?) -> Tensor {
    let (n, inputs, outputs) = (input.shape[0], input.shape[1], weights.shape[0])
    var y = Tensor.zeros([n, outputs])
    let pack = FastBuffer(count: gemmPackSize)
    input.scalars.withStart { x in
      weights.scalars.withStart { w in
        y.scalars.withMutableStart { out in
          if let bias {
            for b in 0..<n { for o in 0..<outputs { out[b * outputs + o] = bias[o] } }
          }
          fastGemm(
            m: n, n: outputs, k: inputs, a: x, aRow: inputs, aColumn: 1,
            b: w, bRow: 1, bColumn: inputs,
            c: out, cRow: outputs, accumulate: bias != nil, pack: pack.pointer)
        }
      }
    }
    return y
  }

  static func backward(
    input: Tensor, weights: Tensor, dOutput: Tensor, dWeights: inout Tensor, dBias: inout [Float]
  ) -> Tensor {
    let (n, inputs, outputs) = (input.shape[0], input.shape[1], weights.shape[0])
    var dInput = Tensor.zeros(like: input)
    let pack = FastBuffer(count: gemmPackSize)
    input.scalars.withStart { x in
      weights.scalars.withStart { w in
        dOutput.scalars.withStart { dy in
          dWeights.scalars.withMutableStart { dw in
            // dW (O, I) += dY^T (O, N) . X (N, I)
            fastGemm(
              m: outputs, n: inputs, k: n, a: dy, aRow: 1, aColumn: outputs,
              b: x, bRow: inputs, bColumn: 1,
              c: dw, cRow: inputs, accumulate: true, pack: pack.pointer)
          }
          dInput.scalars.withMutableStart { dx in
            // dX (N, I) = dY (N, O) . W (O, I)
            fastGemm(
              m: n, n: inputs, k: outputs, a: dy, aRow: outputs, aColumn: 1,
              b: w, bRow: inputs, bColumn: 1,
              c: dx, cRow: inputs, accumulate: false, pack: pack.pointer)
          }
          for b in 0..<n { for o in 0..<outputs { dBias[o] += dy[b * outputs + o] } }
        }
      }
    }
    return dInput
  }
}
