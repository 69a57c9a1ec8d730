import CNNLabEngine

// What a lesson file says, as written: names are not resolved and nothing is computed here.
// `LessonCheck` validates it against the engine; `ScenePlanner` turns it into `Scene`s.

/// A lesson script, parsed: its grids, kernels, networks and steps.
public struct Lesson: Equatable, Sendable {
  /// The file name given to the parser, used in diagnostics.
  public var file: String
  public var title: String
  public var titleLocation: SourceLocation
  public var grids: [GridDeclaration]
  public var kernels: [KernelDeclaration]
  public var networks: [NetworkDeclaration]
  public var steps: [Step]

  public init(
    file: String, title: String, titleLocation: SourceLocation = SourceLocation(line: 1, column: 1),
    grids: [GridDeclaration] = [], kernels: [KernelDeclaration] = [],
    networks: [NetworkDeclaration] = [], steps: [Step] = []
  ) {
    self.file = file
    self.title = title
    self.titleLocation = titleLocation
    self.grids = grids
    self.kernels = kernels
    self.networks = networks
    self.steps = steps
  }
}

/// A name as written in the file, with where it was written.
public struct NameReference: Hashable, Sendable, CustomStringConvertible {
  public var name: String
  public var location: SourceLocation

  public init(_ name: String, at location: SourceLocation) {
    self.name = name
    self.location = location
  }

  public var description: String { name }
}

/// A number as written (`1/9`, `-0.5`, `27`) and its value.
public struct LessonNumber: Hashable, Sendable, CustomStringConvertible {
  public var value: Double
  public var text: String

  public init(_ value: Double, text: String? = nil) {
    self.value = value
    self.text = text ?? LessonNumber.format(value)
  }

  public var description: String { text }

  /// `27`, `0.5`, `-0.111111`: whole numbers without a decimal point.
  public static func format(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(value)
  }
}

/// Where a grid's numbers come from.
public enum GridSource: Hashable, Sendable {
  /// Rows written in the lesson file.
  case inline
  /// A text grid under the repository (`assets/xo/x.grid`), read by `Course.load`.
  case file(path: String, location: SourceLocation)
  /// A named preset from `KernelPreset` (kernels only).
  case preset(name: String, location: SourceLocation)
}

/// `grid NAME SHAPE [scale S]` rows `end`, or `grid NAME [SHAPE] from "path"`.
public struct GridDeclaration: Equatable, Sendable {
  public var name: NameReference
  /// The declared shape: `[n]`, `[rows, cols]` or `[channels, rows, cols]`; nil when a file
  /// grid leaves it out.
  public var declaredShape: [Int]?
  /// The values row-major, unscaled; nil until a file grid is loaded.
  public var values: [Double]?
  /// The shape the values were found in (rows and channels as laid out in the text).
  public var shape: [Int]?
  public var scale: LessonNumber?
  public var source: GridSource
  /// How many steps come before the declaration: it can be used from that step on.
  public var availableFromStep: Int

  public init(
    name: NameReference, declaredShape: [Int]?, values: [Double]?, shape: [Int]?,
    scale: LessonNumber? = nil, source: GridSource = .inline, availableFromStep: Int = 0
  ) {
    self.name = name
    self.declaredShape = declaredShape
    self.values = values
    self.shape = shape
    self.scale = scale
    self.source = source
    self.availableFromStep = availableFromStep
  }

  /// The values times the scale.
  public var scaledValues: [Double]? {
    guard let values else { return nil }
    guard let scale else { return values }
    return values.map { $0 * scale.value }
  }
}

/// `kernel NAME SHAPE [scale S]` [presets ...] rows `end`, `kernel NAME preset P`, or a file.
public struct KernelDeclaration: Equatable, Sendable {
  public var grid: GridDeclaration
  /// Presets the learner cycles with `p` when a step edits this kernel.
  public var presets: [NameReference]

  public init(grid: GridDeclaration, presets: [NameReference] = []) {
    self.grid = grid
    self.presets = presets
  }

  public var name: NameReference { grid.name }
}

/// `network NAME INPUTSHAPE` with one layer per line, then `end`.
public struct NetworkDeclaration: Equatable, Sendable {
  public var name: NameReference
  public var inputShape: [Int]
  public var layers: [NetworkLayer]
  public var availableFromStep: Int

  public init(
    name: NameReference, inputShape: [Int], layers: [NetworkLayer], availableFromStep: Int = 0
  ) {
    self.name = name
    self.inputShape = inputShape
    self.layers = layers
    self.availableFromStep = availableFromStep
  }
}

/// One line of a `network` block: a layer in the `cnnlab train` network syntax, or `softmax`.
public struct NetworkLayer: Equatable, Sendable {
  public enum Kind: Equatable, Sendable {
    case layer(NetworkSpec.LayerSpec)
    /// The softmax that turns the last scores into probabilities (part of the loss in training).
    case softmax
  }

  public var kind: Kind
  /// The line as written, trimmed.
  public var text: String
  public var location: SourceLocation

  public init(_ kind: Kind, text: String, at location: SourceLocation) {
    self.kind = kind
    self.text = text
    self.location = location
  }
}

/// `step "title"` ... `end`: statements the player presents in order.
public struct Step: Equatable, Sendable {
  public var title: String
  public var location: SourceLocation
  public var statements: [Statement]

  public init(title: String, location: SourceLocation, statements: [Statement] = []) {
    self.title = title
    self.location = location
    self.statements = statements
  }

  /// The step's operation, if it has one (a step has at most one).
  public var operation: StepOperation? {
    for statement in statements { if case .operation(let operation) = statement.kind { return operation } }
    return nil
  }

  /// Kernels the learner may edit in this step (`edit` lines, including inside challenges).
  public var editableKernels: [NameReference] {
    statements.flatMap { statement -> [NameReference] in
      switch statement.kind {
      case .edit(let name): return [name]
      case .challenge(let challenge): return challenge.edits
      default: return []
      }
    }
  }
}

/// One line (or block) of a step.
public struct Statement: Equatable, Sendable {
  public enum Kind: Equatable, Sendable {
    /// Paragraphs of prose, each wrapped by the player.
    case say([String])
    case note(String)
    /// A correction of a slide. With `printed` and `expect`, the slide's number (or formula)
    /// must differ from the engine's value; a text-only erratum is not checked.
    case erratum(text: String, printed: Expression?, expect: Expression?)
    case show([ShowItem])
    case working(NameReference)
    case focus(row: Int, col: Int)
    case compute(name: NameReference, expression: Expression)
    case operation(StepOperation)
    case edit(NameReference)
    case ask(Question)
    case challenge(Challenge)
  }

  public var kind: Kind
  public var location: SourceLocation

  public init(_ kind: Kind, at location: SourceLocation) {
    self.kind = kind
    self.location = location
  }
}

/// One entry of `show a, b as shades`.
public struct ShowItem: Equatable, Sendable {
  /// `colour`: a grid of three channels (red, green, blue, 0–255) as numbers and as the
  /// picture they make.
  public enum Style: String, Equatable, Sendable { case numbers, shades, both, colour }
  public var name: NameReference
  /// A part of a `learn` result: `grad` in `show step1.grad`.
  public var part: String?
  public var style: Style

  public init(_ name: NameReference, part: String? = nil, style: Style = .numbers) {
    self.name = name
    self.part = part
    self.style = style
  }

  /// The name shown: `step1` or `step1.grad`.
  public var key: String { part.map { "\(name.name).\($0)" } ?? name.name }
}

/// `ask "..." answer A expect EXPR [tolerance T]` with its `hint`.
public struct Question: Equatable, Sendable {
  public var prompt: String
  public var answer: Answer
  public var answerLocation: SourceLocation
  public var expect: Expression
  public var tolerance: Double?
  public var hint: String?
  public var location: SourceLocation

  public init(
    prompt: String, answer: Answer, answerLocation: SourceLocation, expect: Expression,
    tolerance: Double? = nil, hint: String? = nil, location: SourceLocation
  ) {
    self.prompt = prompt
    self.answer = answer
    self.answerLocation = answerLocation
    self.expect = expect
    self.tolerance = tolerance
    self.hint = hint
    self.location = location
  }

  /// The tolerance when the file gives none.
  public static let defaultTolerance = 0.01
}

/// What the learner is expected to type.
public enum Answer: Equatable, Sendable, CustomStringConvertible {
  case number(LessonNumber)
  case shape([Int])
  /// A class label, like `X` (checked against `label(scores)`).
  case label(String)

  public var description: String {
    switch self {
    case .number(let n): return n.text
    case .shape(let s): return s.map(String.init).joined(separator: "x")
    case .label(let l): return l
    }
  }
}

/// `challenge "..."` with its goals, hints and a solution that proves it can be done.
public struct Challenge: Equatable, Sendable {
  public var prompt: String
  public var edits: [NameReference]
  public var goals: [Condition]
  /// The hints in the order the learner sees them, one more each time they ask.
  public var hints: [String]
  /// The first hint.
  public var hint: String? { hints.first }
  /// A kernel meeting every goal, row-major (its shape is the edited kernel's).
  public var solution: [Double]?
  public var solutionLocation: SourceLocation?
  public var location: SourceLocation

  public init(
    prompt: String, edits: [NameReference] = [], goals: [Condition] = [], hint: String? = nil,
    hints: [String] = [], solution: [Double]? = nil, solutionLocation: SourceLocation? = nil,
    location: SourceLocation
  ) {
    self.prompt = prompt
    self.edits = edits
    self.goals = goals
    self.hints = hints.isEmpty ? (hint.map { [$0] } ?? []) : hints
    self.solution = solution
    self.solutionLocation = solutionLocation
    self.location = location
  }
}
