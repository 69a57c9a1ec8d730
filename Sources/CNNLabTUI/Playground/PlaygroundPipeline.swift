import CNNLabEngine

/// The playground's arithmetic: input → conv → activation → pool → conv, every number the
/// engine's own (`Reference.conv2DTrace`, `Reference.poolTrace` and their geometry).
public struct PlaygroundPipeline: Sendable {
  /// The layers whose outputs a cursor can sit on, in order from the input.
  public enum Layer: Int, CaseIterable, Sendable {
    case conv, pool, conv2

    /// How maps and the arithmetic name the layer's output.
    public var name: String {
      switch self {
      case .conv: "conv"
      case .pool: "pool"
      case .conv2: "conv2"
      }
    }
  }

  public let settings: PlaygroundSettings
  /// The first convolution, its activation applied (`Placement.preActivation` keeps the sum).
  public let conv: ConvTrace
  public let pool: PoolTrace?
  public let conv2: ConvTrace?

  /// Runs the settings through the engine; a shape that does not work throws with the
  /// working and the knob to change.
  public init(_ settings: PlaygroundSettings) throws(ShapeError) {
    if let problem = settings.problem() { throw ShapeError(problem) }
    self.settings = settings
    do {
      conv = try Reference.conv2DTrace(
        input: settings.input.tensor, weights: settings.kernel.tensor.reshaped([1, 1, settings.kernel.height, settings.kernel.width]),
        options: settings.convOptions, activation: settings.activation)
    } catch {
      throw ShapeError(error.message + "; use a smaller kernel or dilation, or more padding")
    }
    if let size = settings.pool {
      do {
        pool = try Reference.poolTrace(
          input: conv.output, size: size, stride: settings.poolStride, ceil: settings.ceil, mode: settings.poolMode)
      } catch {
        throw ShapeError(error.message + " (the conv map); use a smaller pooling window, --ceil, or no pooling")
      }
    } else {
      pool = nil
    }
    if let kernel2 = settings.kernel2 {
      let before = pool?.output ?? conv.output
      do {
        conv2 = try Reference.conv2DTrace(
          input: before, weights: kernel2.tensor.reshaped([1, 1, kernel2.height, kernel2.width]))
      } catch {
        throw ShapeError("the second " + error.message + "; use a smaller second kernel, or less stride or pooling before it")
      }
    } else {
      conv2 = nil
    }
  }

  /// The layers present, in order.
  public var layers: [Layer] {
    [.conv] + (pool == nil ? [] : [.pool]) + (conv2 == nil ? [] : [.conv2])
  }

  public func geometry(_ layer: Layer) -> ConvGeometry? {
    switch layer {
    case .conv: conv.geometry
    case .pool: pool?.geometry
    case .conv2: conv2?.geometry
    }
  }

  /// Each present layer's geometry, in order: the chain a receptive field walks back through.
  public var geometries: [ConvGeometry] { layers.compactMap(geometry) }

  /// The output of `layer` as rows (the conv's after its activation).
  public func output(_ layer: Layer) -> [[Float]] {
    let tensor: Tensor? =
      switch layer {
      case .conv: conv.output
      case .pool: pool?.output
      case .conv2: conv2?.output
      }
    return tensor.map(Self.rows) ?? []
  }

  /// The first convolution's sums before the activation, from its placements.
  public var preActivation: [[Float]] {
    let w = conv.geometry.outputWidth
    return (0..<conv.geometry.outputHeight).map { r in (0..<w).map { conv.placements[r * w + $0].preActivation } }
  }

  /// The receptive field of cell (`row`, `col`) of `layer`, in the map that feeds the layer at
  /// position `from` of `layers` (0: the input).
  public func field(of layer: Layer, row: Int, col: Int, in from: Int) -> ReceptiveField {
    let upTo = (layers.firstIndex(of: layer) ?? 0) + 1
    return ReceptiveField.of(row: row, col: col, through: Array(geometries[min(from, upTo)..<upTo]))
  }

  /// A `(1, H, W)` or `(H, W)` tensor's rows.
  static func rows(_ t: Tensor) -> [[Float]] {
    let (h, w) = (t.shape[t.rank - 2], t.shape[t.rank - 1])
    return (0..<h).map { Array(t.scalars[($0 * w)..<(($0 + 1) * w)]) }
  }
}
