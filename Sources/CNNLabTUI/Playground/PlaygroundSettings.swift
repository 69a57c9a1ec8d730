import CNNLabData
import CNNLabEngine
import CNNLabLessons

/// A named grid of one channel: the playground's input or one of its kernels.
public struct NamedGrid: Equatable, Sendable {
  public var name: String
  /// Rows of equal length.
  public var rows: [[Float]]

  public init(name: String, rows: [[Float]]) {
    self.name = name
    self.rows = rows
  }

  public var height: Int { rows.count }
  public var width: Int { rows.first?.count ?? 0 }
  /// `(H, W)` as the engine takes an input.
  public var tensor: Tensor { Tensor(shape: [height, width], scalars: rows.flatMap { $0 }) }

  /// The lecture's X and O, 9x9, as the X/O generator draws them.
  public static let x = NamedGrid(name: "x", tensor: XOGenerator.canonical(.x))!
  public static let o = NamedGrid(name: "o", tensor: XOGenerator.canonical(.o))!

  /// A grid from a tensor `(H, W)` or `(1, H, W)`; nil for any other shape.
  public init?(name: String, tensor: Tensor) {
    let shape = tensor.shape
    guard shape.count == 2 || (shape.count == 3 && shape[0] == 1) else { return nil }
    let (h, w) = (shape[shape.count - 2], shape[shape.count - 1])
    guard h > 0, w > 0 else { return nil }
    self.init(name: name, rows: (0..<h).map { Array(tensor.scalars[($0 * w)..<(($0 + 1) * w)]) })
  }

  /// The kernels the playground offers by name: the lecture's three X/O features (as the
  /// X/O lessons and the training screen name them), then every 2-D lesson preset.
  public static let kernels: [NamedGrid] =
    TrainingScreen.lectureFeatures.map { feature in
      NamedGrid(name: feature.name.lowercased().replacingOccurrences(of: " ", with: "-"), rows: feature.values)
    }
    + KernelPreset.all.filter { $0.shape.count == 2 }.map { preset in
      let columns = preset.shape[1]
      let values = preset.scaledValues.map(Float.init)
      return NamedGrid(
        name: preset.name, rows: (0..<preset.shape[0]).map { Array(values[($0 * columns)..<(($0 + 1) * columns)]) })
    }

  /// Other names the lessons use for the X/O features (`kernel diag`, `cross`, `anti`).
  static let aliases = ["diag": "diagonal", "cross": "x-centre", "anti": "anti-diagonal", "x-center": "x-centre"]

  /// The kernel called `name` (or one of its aliases), if there is one.
  public static func kernel(named name: String) -> NamedGrid? {
    let key = name.lowercased()
    let wanted = aliases[key] ?? key
    return kernels.first { $0.name == wanted }
  }
}

/// Every knob of the playground: input → conv → activation → pool → conv.
public struct PlaygroundSettings: Equatable, Sendable {
  public var input: NamedGrid
  public var kernel: NamedGrid
  public var stride: Int
  public var padding: Padding
  public var dilation: Int
  public var mode: KernelMode
  /// Divide each sum by the kernel's cell count (the X/O lecture's match score).
  public var normalize: Bool
  public var activation: Activation
  /// The pooling window, or nil for no pooling.
  public var pool: Int?
  /// The pooling stride; nil is the window.
  public var poolStride: Int?
  public var poolMode: PoolMode
  public var ceil: Bool
  /// The second convolution's kernel (stride 1, no padding), or nil for none.
  public var kernel2: NamedGrid?

  public init(
    input: NamedGrid = .x, kernel: NamedGrid = NamedGrid.kernels[0], stride: Int = 1,
    padding: Padding = .valid, dilation: Int = 1, mode: KernelMode = .correlate, normalize: Bool = false,
    activation: Activation = .identity, pool: Int? = nil, poolStride: Int? = nil,
    poolMode: PoolMode = .max, ceil: Bool = false, kernel2: NamedGrid? = nil
  ) {
    self.input = input
    self.kernel = kernel
    self.stride = stride
    self.padding = padding
    self.dilation = dilation
    self.mode = mode
    self.normalize = normalize
    self.activation = activation
    self.pool = pool
    self.poolStride = poolStride
    self.poolMode = poolMode
    self.ceil = ceil
    self.kernel2 = kernel2
  }

  /// The largest input the playground draws: beyond this the maps stop being readable.
  public static let largestInput = 64
  /// The largest kernel, stride, padding, dilation or pooling window it takes (the knobs'
  /// one description, `KnobScale`, which the lessons turn through too).
  public static let largestKnob = KnobScale.largest

  public var convOptions: ConvOptions {
    ConvOptions(stride: stride, dilation: dilation, padding: padding, mode: mode, normalize: normalize)
  }

  /// What is wrong with these settings before any arithmetic, naming the knob to change.
  public func problem() -> String? {
    if input.height > Self.largestInput || input.width > Self.largestInput {
      return "the input is \(input.height)x\(input.width); the playground takes inputs up to \(Self.largestInput)x\(Self.largestInput): crop it"
    }
    for grid in [kernel] + (kernel2.map { [$0] } ?? []) where grid.height > Self.largestKnob || grid.width > Self.largestKnob {
      return "the kernel \(grid.name) is \(grid.height)x\(grid.width); give one of at most \(Self.largestKnob)x\(Self.largestKnob)"
    }
    for grid in [input, kernel] + (kernel2.map { [$0] } ?? []) where grid.rows.joined().contains(where: { !$0.isFinite }) {
      return "\(grid.name) holds a value that is not a finite number; every cell must be a number"
    }
    if let problem = KnobScale.stride.problem(stride) ?? KnobScale.dilation.problem(dilation) { return problem }
    if case .explicit(let t, let b, let l, let r) = padding, [t, b, l, r].contains(where: { !KnobScale.padding.values.contains($0) }) {
      let values = KnobScale.padding.values
      return "the padding must be valid, same or \(values.lowerBound) to \(values.upperBound), not \(Self.paddingText(padding))"
    }
    if let problem = pool.flatMap(KnobScale.poolWindow.problem) ?? poolStride.flatMap(KnobScale.poolStride.problem) {
      return problem
    }
    return nil
  }

  /// `valid`, `same` or the number of zeros on each side.
  public static func paddingText(_ padding: Padding) -> String { KnobScale.paddingText(padding) }
}
