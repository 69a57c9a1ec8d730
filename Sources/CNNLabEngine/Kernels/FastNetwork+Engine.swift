// Moving between a `Network` (the engine's layers, which the spec builds and models save) and a
// `FastNetwork` compiled from it (what a training loop that counts microseconds runs on).

extension FastNetwork {
  /// Why a network cannot take the fast path; callers then train on the `Network` itself.
  public struct Unsupported: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
  }

  /// Compiles `network` for the fast path with its current parameter values. Every layer is
  /// supported; a `conv1d` runs as a convolution of height 1.
  public convenience init(
    network: Network, threads: Int, trainingBatch: Int, inferenceBatch: Int = 256
  ) throws(Unsupported) {
    var specs: [FastLayerSpec] = []
    var transforms: [(flip: Bool, scale: Float)] = []  // per convolution, in order
    var shape = network.inputShape
    for layer in network.layers {
      switch (layer as? Conv1D)?.conv ?? layer {
      case let conv as Conv2D:
        let g: ConvGeometry
        let image = shape.count == 2 ? [shape[0], 1, shape[1]] : shape  // a signal: height 1
        do { g = try conv.geometry(for: image) } catch {
          throw Unsupported(description: "conv: \(error)")
        }
        specs.append(
          .convolution(
            filters: conv.filters, kernelHeight: conv.kernelH, kernelWidth: conv.kernelW,
            strideY: g.rows.stride, strideX: g.cols.stride,
            dilationY: g.rows.dilation, dilationX: g.cols.dilation,
            padTop: g.rows.padBefore, padLeft: g.cols.padBefore,
            padBottom: g.rows.padAfter, padRight: g.cols.padAfter, bias: conv.bias != nil))
        transforms.append(
          (
            conv.options.mode == .convolve,
            conv.options.normalize ? 1 / Float(conv.inChannels * conv.kernelH * conv.kernelW) : 1
          ))
        if let activation = Self.spec(for: conv.activation) { specs.append(activation) }
      case let pool as Pool2D:
        let (k, s) = (pool.size, pool.stride)
        specs.append(
          pool.mode == .max
            ? .maxPool(kernelHeight: k, kernelWidth: k, strideY: s, strideX: s, ceil: pool.ceil)
            : .averagePool(kernelHeight: k, kernelWidth: k, strideY: s, strideX: s, ceil: pool.ceil))
      case let activation as ActivationLayer:
        if let spec = Self.spec(for: activation.activation) { specs.append(spec) }
      case is Flatten:
        specs.append(.flatten)
      case let dense as Dense:
        specs.append(.dense(outputs: dense.outputs, bias: dense.bias != nil))
        if let activation = Self.spec(for: dense.activation) { specs.append(activation) }
      default:
        throw Unsupported(description: "the fast path has no '\(layer.specText)' layer")
      }
      do { shape = try layer.outputShape(for: shape) } catch {
        throw Unsupported(description: "\(layer.specText): \(error)")
      }
    }
    guard shape.count == 1, shape[0] >= 1 else {
      throw Unsupported(description: "the network must end in a vector of class scores")
    }
    self.init(
      inputShape: network.inputShape, layers: specs, threads: threads,
      trainingBatch: trainingBatch, inferenceBatch: inferenceBatch)
    var next = 0
    for op in ops {
      guard let conv = op as? FastConvOp else { continue }
      conv.flipKernel = transforms[next].flip
      conv.weightScale = transforms[next].scale
      next += 1
    }
    load(from: network)
  }

  private static func spec(for activation: Activation) -> FastLayerSpec? {
    switch activation {
    case .identity: return nil
    case .relu: return .relu
    case .sigmoid: return .sigmoid
    case .tanh: return .tanh
    }
  }

  /// Copies the parameter values of `network` (the one this was compiled from, or one with the
  /// same layers) into this network.
  public func load(from network: Network) {
    let values = network.parameters
    precondition(values.count == parameters.count, "\(values.count) parameters, not \(parameters.count)")
    for (p, source) in zip(parameters, values) { p.values = source.value.scalars }
  }

  /// Copies this network's parameter values (and accumulated gradients) into `network`.
  public func store(into network: inout Network) {
    let fast = parameters
    network.updateParameters { index, p in
      p.value.scalars = fast[index].values
      p.grad.scalars = fast[index].gradients
    }
  }

  /// Mean loss and gradients for a batch `(N, C, H, W)` of a `Tensor`, added to `parameters`.
  @discardableResult
  public func accumulateGradients(images: Tensor, labels: [Int]) -> Float {
    precondition(images.count == labels.count * imageSize, "\(labels.count) labels for \(images.shape)")
    let classes = labels.map { Int32(truncatingIfNeeded: $0) }
    return images.scalars.withStart { x in
      classes.withStart { y in accumulateGradients(images: x, labels: y, count: labels.count) }
    }
  }

  /// The logits `(N, classes)` of a batch `(N, C, H, W)`.
  public func logits(_ images: Tensor) -> Tensor {
    let count = images.count / imageSize
    var output = [Float](repeating: 0, count: count * classes)
    images.scalars.withStart { x in
      output.withMutableStart { y in logits(images: x, count: count, into: y) }
    }
    return Tensor(shape: [count, classes], scalars: output)
  }
}
