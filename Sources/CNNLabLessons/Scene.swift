import CNNLabEngine

// What the player runs: one `Scene` per step, with every number already computed by the engine.
// A scene is a value; the player never computes anything (a kernel edit asks `ScenePlanner` for
// new scenes).

/// One step of a lesson, planned: what to say, what to show, what to animate, what to ask.
public struct Scene: Equatable, Sendable {
  /// 1-based step number.
  public var number: Int
  public var title: String
  /// What the player presents, in the order the file wrote it.
  public var beats: [Beat]
  /// The grids on screen, left to right.
  public var grids: [ShownGrid]
  /// Kernels the learner may edit in this step (`e`) and cycle presets of (`p`).
  public var editable: [EditableKernel]
  /// The output cell whose placement the animation starts on and waits at.
  public var focus: GridPosition?
  /// Set when the step could not be computed (only after an edit makes a shape impossible);
  /// the scene then holds the beats before the problem.
  public var problem: LessonDiagnostic?
  /// The step's operation as planned (turned, when the learner turned a knob): the player
  /// turns its knobs and plans again with the result.
  public var operation: StepOperation?

  public init(
    number: Int, title: String, beats: [Beat] = [], grids: [ShownGrid] = [],
    editable: [EditableKernel] = [], focus: GridPosition? = nil, problem: LessonDiagnostic? = nil
  ) {
    self.number = number
    self.title = title
    self.beats = beats
    self.grids = grids
    self.editable = editable
    self.focus = focus
    self.problem = problem
  }

  /// The step's animation, if it has an operation.
  public var animation: Animation? {
    for beat in beats { if case .operation(let animation) = beat { return animation } }
    return nil
  }
}

/// A row and column of a grid, 0-based.
public struct GridPosition: Hashable, Sendable {
  public var row: Int
  public var col: Int

  public init(row: Int, col: Int) {
    self.row = row
    self.col = col
  }
}

/// One thing the player presents.
public enum Beat: Equatable, Sendable {
  /// Paragraphs to wrap to the width available.
  case text([String])
  case note(String)
  /// A correction: the slide printed `printed` (a number or formula), the engine computes
  /// `actual`; both nil for a correction in words only.
  case erratum(text: String, printed: String?, actual: Double?)
  /// A network's layer table made by an earlier step's `layers`, shown again.
  case table(name: String, LayersAnimation)
  /// The output-size formula per axis, e.g. `rows: ⌊(9 + 2·0 − 3)/2⌋ + 1 = 4`, and the cells a
  /// stride leaves unused.
  case working(name: String, lines: [String])
  /// `weights = 3 * 256 * 256 * 1000 = 196,608,000`.
  case compute(name: String, expression: String, value: Double)
  case operation(Animation)
  case question(SceneQuestion)
  case challenge(SceneChallenge)
}

/// A grid on screen.
public struct ShownGrid: Equatable, Sendable {
  public enum Role: String, Equatable, Sendable { case input, kernel, output, other }

  public var name: String
  /// The values as the engine uses them (scale applied).
  public var tensor: Tensor
  /// For kernels written with a scale: the unscaled values and the scale text (`1/9`), so the
  /// view can print `1/9 ×` and whole numbers.
  public var unscaled: Tensor?
  public var scale: String?
  public var style: ShowItem.Style
  public var role: Role

  public init(
    name: String, tensor: Tensor, unscaled: Tensor? = nil, scale: String? = nil,
    style: ShowItem.Style = .numbers, role: Role = .other
  ) {
    self.name = name
    self.tensor = tensor
    self.unscaled = unscaled
    self.scale = scale
    self.style = style
    self.role = role
  }
}

/// What the learner may change in a kernel, and where it starts.
public struct EditableKernel: Equatable, Sendable {
  public var name: String
  /// The current setting (as declared, or as edited).
  public var setting: KernelSetting
  /// `[rows, cols]` or `[channels, rows, cols]`.
  public var shape: [Int]
  public var presets: [KernelPreset]

  public init(name: String, setting: KernelSetting, shape: [Int], presets: [KernelPreset]) {
    self.name = name
    self.setting = setting
    self.shape = shape
    self.presets = presets
  }
}

/// A kernel's values as the learner sees them: unscaled numbers and an optional scale.
public struct KernelSetting: Equatable, Sendable {
  public var values: [Double]
  public var scale: LessonNumber?

  public init(values: [Double], scale: LessonNumber? = nil) {
    self.values = values
    self.scale = scale
  }

  public init(preset: KernelPreset) {
    self.init(values: preset.values, scale: preset.scale)
  }

  /// The values the engine uses.
  public var scaledValues: [Double] { values.map { $0 * (scale?.value ?? 1) } }
}

/// A question with the engine's value it is checked against.
public struct SceneQuestion: Equatable, Sendable {
  public enum Expected: Equatable, Sendable {
    case number(Double)
    case shape([Int])
    /// A class label; the learner's answer is compared ignoring case.
    case label(String)

    /// Whether the answer is a label, typed in letters.
    public var isLabel: Bool { if case .label = self { true } else { false } }
  }

  /// A cell the question's `expect` reads, like `step1[0,1]` or `maps[1,0,2]`: the player
  /// hides it until the question is answered, so the screen never gives the answer away.
  public struct Cell: Hashable, Sendable {
    /// The grid as shown: `h`, or `step1.grad` for a part.
    public var grid: String
    /// One position per axis of the grid.
    public var index: [Int]

    public init(grid: String, index: [Int]) {
      self.grid = grid
      self.index = index
    }
  }

  public var prompt: String
  public var hint: String
  /// What the lesson file says the answer is (shown after the learner gives up).
  public var answer: String
  public var expected: Expected
  public var tolerance: Double
  /// The single cells of computed results (not declared grids, which a question may ask the
  /// learner to read) the `expect` expression names.
  public var cells: [Cell]
  /// Every grid the `expect` expression reads (`step1.grad` for a part).
  public var grids: [String]

  public init(
    prompt: String, hint: String, answer: String, expected: Expected, tolerance: Double,
    cells: [Cell] = [], grids: [String] = []
  ) {
    self.prompt = prompt
    self.hint = hint
    self.answer = answer
    self.expected = expected
    self.tolerance = tolerance
    self.cells = cells
    self.grids = grids
  }

  /// Whether `typed` is a right answer: a number (`0.78`, `7/9`, `-3`, `0.777…`) within the
  /// tolerance of the engine's value, or a shape (`4x4`, `4 x 4`, `(4, 4)`, `[3,3,2]`) equal to it.
  public func accepts(_ typed: String) -> Bool {
    switch expected {
    case .number(let value):
      if let number = AnswerText.number(typed) { return abs(number - value) <= tolerance + 1e-9 }
      if let shape = AnswerText.shape(typed), shape.count == 1 { return Double(shape[0]) == value }
      return false
    case .shape(let shape):
      if let typedShape = AnswerText.shape(typed) { return typedShape == shape }
      if shape.count == 1, let number = AnswerText.number(typed) { return number == Double(shape[0]) }
      return false
    case .label(let label):
      return AnswerText.label(typed) == AnswerText.label(label)
    }
  }
}

/// Reading what a learner types.
enum AnswerText {
  /// `0.78`, `7/9`, `-3`, `.5`, `0.777…`, `0.777...`.
  static func number(_ typed: String) -> Double? {
    var text = typed.trimmingSpaces.replacingMinusSigns
    for suffix in ["…", "..."] where text.hasSuffix(suffix) { text.removeLast(suffix.count) }
    if text.hasSuffix(".") { text.removeLast() }
    return LessonLexer.parseNumber(text)
  }

  /// A label as compared: no surrounding spaces or quotes, lower case.
  static func label(_ typed: String) -> String {
    var text = typed.trimmingSpaces.lowercased()
    if text.count >= 2, let first = text.first, first == text.last, "\"'".contains(first) {
      text = String(text.dropFirst().dropLast()).trimmingSpaces
    }
    return text
  }

  /// `4x4`, `4 x 4`, `4×4`, `(4, 4)`, `[3,3,2]`, `3 3 2`.
  static func shape(_ typed: String) -> [Int]? {
    var text = typed.trimmingSpaces.lowercased()
    if let first = text.first, "([".contains(first) { text.removeFirst() }
    if let last = text.last, ")]".contains(last) { text.removeLast() }
    let parts = text.split(whereSeparator: { "x×*, ".contains($0) })
    guard !parts.isEmpty, parts.count <= 4 else { return nil }
    var shape: [Int] = []
    for part in parts {
      guard let n = Int(part), n >= 0 else { return nil }
      shape.append(n)
    }
    return shape
  }
}

extension String {
  /// The text with typographic minus signs (−) as ASCII hyphens.
  var replacingMinusSigns: String { String(map { $0 == "−" ? "-" : $0 }) }
}

/// An open task on an edited kernel, with each goal's state for the current kernel.
public struct SceneChallenge: Equatable, Sendable {
  public struct Goal: Equatable, Sendable {
    /// The goal as written, e.g. `all(across) >= 27`.
    public var text: String
    public var holds: Bool
  }

  public var prompt: String
  /// Shown one at a time, each when the learner asks for the next.
  public var hints: [String]
  public var kernels: [String]
  public var goals: [Goal]
  /// The stated solution, one line per kernel row (a blank line between channels), shown only
  /// after the learner has tried and read every hint.
  public var solution: [String]

  public init(prompt: String, hints: [String], kernels: [String], goals: [Goal], solution: [String] = []) {
    self.prompt = prompt
    self.hints = hints
    self.kernels = kernels
    self.goals = goals
    self.solution = solution
  }

  /// The first hint.
  public var hint: String { hints.first ?? "" }

  public var isSolved: Bool { !goals.isEmpty && goals.allSatisfy(\.holds) }
}
