// N = batch, C = input channels, F = filters, H/W = input size, OH/OW = output size.

/// Batched convolution for training. These loop over the examples and call the reference;
/// a faster implementation may replace the bodies, tested equal to the reference.
enum ConvKernels {
  /// Pre-activation output `(N, F, OH, OW)` of `input` `(N, C, H, W)`.
  static func forward(
    input: Tensor, weights: Tensor, bias: [Float]?, options: ConvOptions, geometry: ConvGeometry
  ) -> Tensor {
    let n = input.batchSize
    let f = weights.shape[0]
    var output = Tensor.zeros([n, f, geometry.rows.output, geometry.cols.output])
    let size = f * geometry.rows.output * geometry.cols.output
    for i in 0..<n {
      // The shapes were checked when the layer was built, so the reference cannot throw here.
      guard let y = try? Reference.conv2D(input: input.slice(i), weights: weights, bias: bias, options: options)
      else { preconditionFailure("Conv2D shapes changed after the layer was built") }
      output.scalars.replaceSubrange(i * size..<(i + 1) * size, with: y.scalars)
    }
    return output
  }

  /// Accumulates dWeights `(F, C, KH, KW)` and dBias `(F)`; returns dInput `(N, C, H, W)`.
  static func backward(
    input: Tensor, weights: Tensor, options: ConvOptions, geometry: ConvGeometry,
    dOutput: Tensor, dWeights: inout Tensor, dBias: inout [Float]
  ) -> Tensor {
    var dInput = Tensor.zeros(like: input)
    let size = input.count / max(input.batchSize, 1)
    for i in 0..<input.batchSize {
      guard
        let dx = try? Reference.conv2DBackward(
          input: input.slice(i), weights: weights, options: options, dOutput: dOutput.slice(i),
          dWeights: &dWeights, dBias: &dBias)
      else { preconditionFailure("Conv2D shapes changed after the layer was built") }
      dInput.scalars.replaceSubrange(i * size..<(i + 1) * size, with: dx.scalars)
    }
    return dInput
  }
}

/// Batched pooling for training, over the reference; replaceable like `ConvKernels`.
enum PoolKernels {
  static func forward(input: Tensor, size: Int, stride: Int, ceil: Bool, mode: PoolMode) -> Tensor {
    var parts: [Tensor] = []
    parts.reserveCapacity(input.batchSize)
    for i in 0..<input.batchSize {
      guard let y = try? Reference.pool(input: input.slice(i), size: size, stride: stride, ceil: ceil, mode: mode)
      else { preconditionFailure("Pool shapes changed after the layer was built") }
      parts.append(y)
    }
    return .stack(parts)
  }

  static func backward(
    input: Tensor, size: Int, stride: Int, ceil: Bool, mode: PoolMode, dOutput: Tensor
  ) -> Tensor {
    var parts: [Tensor] = []
    parts.reserveCapacity(input.batchSize)
    for i in 0..<input.batchSize {
      guard
        let dx = try? Reference.poolBackward(
          input: input.slice(i), size: size, stride: stride, ceil: ceil, mode: mode,
          dOutput: dOutput.slice(i))
      else { preconditionFailure("Pool shapes changed after the layer was built") }
      parts.append(dx)
    }
    return .stack(parts)
  }
}

/// Dense layer products: y = x·Wᵀ + b with x `(N, I)`, W `(O, I)`.
enum DenseKernels {
  static func forward(input: Tensor, weights: Tensor, bias: [Float]?) -> Tensor {
    let (n, inputs, outputs) = (input.shape[0], input.shape[1], weights.shape[0])
    var y = Tensor.zeros([n, outputs])
    for b in 0..<n {
      for o in 0..<outputs {
        var sum: Float = 0
        for i in 0..<inputs { sum += input.scalars[b * inputs + i] * weights.scalars[o * inputs + i] }
        y.scalars[b * outputs + o] = sum + (bias?[o] ?? 0)
      }
    }
    return y
  }

  static func backward(
    input: Tensor, weights: Tensor, dOutput: Tensor, dWeights: inout Tensor, dBias: inout [Float]
  ) -> Tensor {
    let (n, inputs, outputs) = (input.shape[0], input.shape[1], weights.shape[0])
    var dInput = Tensor.zeros(like: input)
    for b in 0..<n {
      for o in 0..<outputs {
        let g = dOutput.scalars[b * outputs + o]
        dBias[o] += g
        for i in 0..<inputs {
          dWeights.scalars[o * inputs + i] += input.scalars[b * inputs + i] * g
          dInput.scalars[b * inputs + i] += weights.scalars[o * inputs + i] * g
        }
      }
    }
    return dInput
  }
}
