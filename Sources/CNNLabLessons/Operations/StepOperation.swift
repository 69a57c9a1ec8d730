import CNNLabEngine

// Every kind of step operation lives in one file of this directory: how its line is written
// and read, the names it reads, how the engine computes it, and what its animation tells the
// player (frames, parts, the numbers its arithmetic prints). This file lists the kinds; the
// `spec` and `Animation.content` switches are the only places that tell them apart.

/// A computation whose result gets a name.
public struct StepOperation: Equatable, Sendable {
  public enum Kind: Equatable, Sendable {
    case convolve(ConvolveOperation)
    case pool(PoolOperation)
    case relu(ReLUOperation)
    case flatten(FlattenOperation)
    case dense(DenseOperation)
    case softmax(SoftmaxOperation)
    case crossEntropy(CrossEntropyOperation)
    case learn(LearnOperation)
    case layers(LayersOperation)
    /// (C,H,W) to (H,W,C).
    case layoutHWC(LayoutOperation)
    case channel(ChannelOperation)
    /// A trained model on one picture, layer by layer.
    case classify(ClassifyOperation)
    /// Optimisers walking down a two-parameter bowl.
    case descend(DescendOperation)
    /// A network trained on X/O pictures: one mini-batch step, then epochs.
    case train(TrainOperation)
    /// A network trained on MNIST digits, epoch by epoch.
    case fit(FitOperation)

    /// The operation as its kind, which knows everything about it.
    var spec: any OperationSpec {
      switch self {
      case .convolve(let o): return o
      case .pool(let o): return o
      case .relu(let o): return o
      case .flatten(let o): return o
      case .dense(let o): return o
      case .softmax(let o): return o
      case .crossEntropy(let o): return o
      case .learn(let o): return o
      case .layers(let o): return o
      case .layoutHWC(let o): return o
      case .channel(let o): return o
      case .classify(let o): return o
      case .descend(let o): return o
      case .train(let o): return o
      case .fit(let o): return o
      }
    }
  }

  public var kind: Kind
  public var output: NameReference
  public var location: SourceLocation

  public init(_ kind: Kind, output: NameReference, at location: SourceLocation) {
    self.kind = kind
    self.output = output
    self.location = location
  }

  /// The names this operation reads.
  public var inputs: [NameReference] { kind.spec.inputs }

  /// Every kind, in the order the lesson format documents them.
  static let kinds: [any OperationSpec.Type] = [
    ConvolveOperation.self, PoolOperation.self, ReLUOperation.self, FlattenOperation.self,
    DenseOperation.self, SoftmaxOperation.self, CrossEntropyOperation.self, LearnOperation.self,
    LayersOperation.self, LayoutOperation.self, ChannelOperation.self, ClassifyOperation.self,
    TrainOperation.self, DescendOperation.self, FitOperation.self,
  ]

  /// The kind whose line starts with `keyword`.
  static func kind(keyword: String) -> (any OperationSpec.Type)? {
    kinds.first { $0.keyword == keyword }
  }
}

/// One kind of step operation: the keyword that starts its line, how the rest of the line is
/// read, the names it reads and how the engine computes it.
protocol OperationSpec: Sendable {
  /// The word that starts the line: `convolve`.
  static var keyword: String { get }
  /// Reads the line after the keyword, up to `->`.
  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind
  /// The names the operation reads.
  var inputs: [NameReference] { get }
  /// Computes the result with the engine, keeps it (and its parts) under the operation's
  /// output name in `run`, and returns what the player animates.
  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation
  /// The settings the learner may turn on screen (see `Knob`).
  var knobs: [Knob] { get }
  /// The operation with knob `name` turned by `notches`; nil at either end or for no such knob.
  func turning(_ name: String, by notches: Int) -> StepOperation.Kind?
  /// The operation with the files it names read (paths relative to `repository`), problems
  /// added to `diagnostics` against `file`; nil when it names none.
  func readingFiles(
    repository: String, file: String, diagnostics: inout [LessonDiagnostic]
  ) -> StepOperation.Kind?
}

extension OperationSpec {
  var knobs: [Knob] { [] }
  func turning(_ name: String, by notches: Int) -> StepOperation.Kind? { nil }
  func readingFiles(
    repository: String, file: String, diagnostics: inout [LessonDiagnostic]
  ) -> StepOperation.Kind? { nil }
}

/// What a step's operation animates, with everything the engine computed.
public enum Animation: Equatable, Sendable {
  case convolution(ConvolutionAnimation)
  case pooling(PoolingAnimation)
  /// ReLU cell by cell: negatives become 0.
  case relu(ReLUAnimation)
  /// Values read row by row into one long row.
  case flatten(FlattenAnimation)
  case dense(DenseAnimation)
  case softmax(SoftmaxAnimation)
  case crossEntropy(CrossEntropyAnimation)
  case learning(LearningAnimation)
  case layers(LayersAnimation)
  /// (C,H,W) into (H,W,C).
  case layout(LayoutAnimation)
  /// One channel taken out of a (C,H,W) grid.
  case channel(ChannelAnimation)
  /// A trained network's maps, stage by stage.
  case pipeline(PipelineAnimation)
  /// Optimisers walking down a two-parameter bowl, one step per frame.
  case descent(DescentAnimation)
  /// One mini-batch step of a network, then whole epochs.
  case training(TrainingAnimation)
  /// A training run's curves, one epoch per frame.
  case fit(FitAnimation)

  /// The animation as its kind, which knows its frames, parts and arithmetic.
  public var content: any OperationAnimation {
    switch self {
    case .convolution(let a): return a
    case .pooling(let a): return a
    case .relu(let a): return a
    case .flatten(let a): return a
    case .dense(let a): return a
    case .softmax(let a): return a
    case .crossEntropy(let a): return a
    case .learning(let a): return a
    case .layers(let a): return a
    case .layout(let a): return a
    case .channel(let a): return a
    case .pipeline(let a): return a
    case .descent(let a): return a
    case .training(let a): return a
    case .fit(let a): return a
    }
  }

  /// How many frames the animation has: one per kernel placement, window, cell or row.
  public var frameCount: Int { content.frameCount }
}

/// What an animation tells the player and the checks about itself.
public protocol OperationAnimation: Sendable {
  /// One per kernel placement, window, cell, class or layer.
  var frameCount: Int { get }
  /// What one frame is called on the playback line: `window`, `cell`, `class`, `layer`.
  var frameUnit: String { get }
  /// The frame that writes output cell `target` of filter (or channel) `filter`, if one does.
  func frameIndex(of target: GridPosition, filter: Int) -> Int?
  /// What frame `frame` reads and writes.
  func parts(frame: Int) -> AnimationParts
  /// Whether the result is a grid that appears when the operation runs (not a kernel update
  /// or a table).
  var producesGrid: Bool { get }
  /// The rows and columns of the result a `focus` line may point into; nil when the
  /// operation has no placements to focus on.
  var focusShape: [Int]? { get }
  /// The kernel frame `frame` slides, for operations with several.
  func kernelName(frame: Int) -> String?
  /// For operations that go one output cell per frame, the input cell (a flat index) frame
  /// `frame` reads; nil when no single cell holds the value written.
  func sourceIndex(frame: Int) -> Int?
  /// Output cells (flat indexes within `channel`, of `count` per channel) written by frame
  /// `frame`, and the one being written.
  func computedCells(frame: Int, channel: Int, count: Int) -> (done: Set<Int>, current: Int?)
  /// Every number the arithmetic under the grids prints, over all frames.
  func printArithmetic(into printed: inout PrintedArithmetic)
  /// The output size worked out with the current numbers, from the engine's geometry:
  /// `⌊(9 + 2·1 − 3)/2⌋ + 1 = 5`, once for a square result, else per axis; nil for an
  /// operation without one.
  var sizeFormula: String? { get }
}

extension OperationAnimation {
  public var frameUnit: String { "cell" }
  public func frameIndex(of target: GridPosition, filter: Int) -> Int? { nil }
  public var producesGrid: Bool { true }
  public var focusShape: [Int]? { nil }
  public func kernelName(frame: Int) -> String? { nil }
  public func sourceIndex(frame: Int) -> Int? { nil }
  public var sizeFormula: String? { nil }
  public func computedCells(frame: Int, channel: Int, count: Int) -> (done: Set<Int>, current: Int?) {
    (Set(0..<count), nil)
  }

  /// Cells written one per frame, channel after channel.
  func cellByCell(frame: Int, channel: Int, count: Int) -> (done: Set<Int>, current: Int?) {
    let start = channel * count
    var done: Set<Int> = []
    for index in 0..<count where start + index <= frame { done.insert(index) }
    return (done, frame >= start && frame < start + count ? frame - start : nil)
  }
}

/// `⌊(9 − 3)/2⌋ + 1 = 4`, or `rows ⌊…⌋ + 1 = 4, columns (9 − 3)/1 + 1 = 7` when they differ;
/// `length …` for a row.
func sizeFormula(_ geometry: ConvGeometry, oneDimensional: Bool) -> String {
  if oneDimensional { return "length \(geometry.cols.working)" }
  if geometry.rows.working == geometry.cols.working { return geometry.rows.working }
  return "rows \(geometry.rows.working), columns \(geometry.cols.working)"
}

/// What a frame of an animation reads and writes, by name.
public struct AnimationParts: Equatable, Sendable {
  public var input: String?
  public var kernels: [String] = []
  public var output: String?
  /// The channel of the input and output the current frame works on; nil when a frame uses
  /// every input channel (a convolution).
  public var inputChannel: Int?
  public var outputChannel: Int?

  public init(input: String? = nil, kernels: [String] = [], output: String? = nil) {
    self.input = input
    self.kernels = kernels
    self.output = output
  }
}

/// The numbers an animation's arithmetic prints, as `AnswerOnScreen` reads the screen.
public struct PrintedArithmetic {
  /// Cells that show `?` in the arithmetic while the question waits.
  let isHidden: (SceneQuestion.Cell) -> Bool
  /// Values as printed, with their decimals and, when not the arithmetic line, where.
  var numbers: [(value: Double, decimals: Int, place: String?)] = []
  /// Result cells whose value the arithmetic prints; `replacing` names the arithmetic as the
  /// place even where a grid shows the cell too.
  var cells: [(cell: SceneQuestion.Cell, replacing: Bool)] = []
  var tables: [LayersAnimation] = []

  mutating func add(_ value: Float, decimals: Int = 2, place: String? = nil) {
    numbers.append((Double(value), decimals, place))
  }

  mutating func add(_ cell: SceneQuestion.Cell, replacing: Bool = false) {
    cells.append((cell, replacing))
  }
}

/// The grids an operation without a trace of its own reads and writes, by name.
public struct OperandNames: Equatable, Sendable {
  public var input: String
  public var output: String

  public init(input: String, output: String) {
    self.input = input
    self.output = output
  }
}

extension Array {
  subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
