// Moving between a `Network` (the engine's layers, which the spec builds and models save) and a
// `FastNetwork` compiled from it (what a training loop that counts microseconds runs on).

extension FastNetwork {
  /// Why a network cannot be compiled for the fast executor: it does not end in a vector of
  /// class scores, or a layer does not fit its input.
  public struct Unsupported: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
  }

  /// Compiles `network` for the fast path with its current parameter values, from its plan
  /// (`Network.info`: every layer with its input shape). Every layer is supported; a `conv1d`
  /// runs as a convolution of height 1.
  public convenience init(
    network: Network, threads: Int, trainingBatch: Int, inferenceBatch: Int = 256
  ) throws(Unsupported) {
    var specs: [FastLayerSpec] = []
    for row in network.info {
      // A signal (C, L) is an image of height 1.
      let shape = row.inputShape.count == 2 ? [row.inputShape[0], 1, row.inputShape[1]] : row.inputShape
      do throws(ShapeError) {
        switch row.layer {
        case .conv(let filters, let kh, let kw, let options, let activation, let bias):
          try specs.append(Self.convolution(filters, kh, kw, options, bias, shape))
          specs += Self.spec(for: activation)
        case .conv1d(let filters, let k, let stride, let dilation, let padding, let mode, let activation, let bias):
          let options = ConvOptions.signal(
            stride: stride, dilation: dilation, padding: (padding, padding), mode: mode)
          try specs.append(Self.convolution(filters, 1, k, options, bias, shape))
          specs += Self.spec(for: activation)
        case .pool(let mode, let size, let stride, let ceil):
          guard shape.count == 3 else { throw ShapeError("pooling needs an image input (C, H, W)") }
          specs.append(
            .pool(mode, try .pooling(inputH: shape[1], inputW: shape[2], size: size, stride: stride, ceil: ceil)))
        case .activation(let activation):
          specs += Self.spec(for: activation)
        case .flatten:
          specs.append(.flatten)
        case .dense(let units, let activation, let bias):
          specs.append(.dense(outputs: units, bias: bias))
          specs += Self.spec(for: activation)
        }
      } catch {
        throw Unsupported(description: "\(row.text): \(error)")
      }
    }
    guard network.outputShape.count == 1, network.outputShape[0] >= 1 else {
      throw Unsupported(description: "the network must end in a vector of class scores")
    }
    self.init(
      inputShape: network.inputShape, layers: specs, threads: threads,
      trainingBatch: trainingBatch, inferenceBatch: inferenceBatch)
    load(from: network)
  }

  /// A convolution over an image of `shape` `(C, H, W)`, with its flip and scale.
  private static func convolution(
    _ filters: Int, _ kh: Int, _ kw: Int, _ options: ConvOptions, _ bias: Bool, _ shape: [Int]
  ) throws(ShapeError) -> FastLayerSpec {
    guard shape.count == 3 else { throw ShapeError("conv needs an image input (C, H, W)") }
    let geometry = try ConvGeometry.convolution(
      inputH: shape[1], inputW: shape[2], kernelH: kh, kernelW: kw, options: options)
    return .convolution(
      filters: filters, geometry: geometry, bias: bias, flip: options.mode == .convolve,
      scale: options.normalize ? 1 / Float(shape[0] * kh * kw) : 1)
  }

  private static func spec(for activation: Activation) -> [FastLayerSpec] {
    switch activation {
    case .identity: return []
    case .relu: return [.relu]
    case .sigmoid: return [.sigmoid]
    case .tanh: return [.tanh]
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
