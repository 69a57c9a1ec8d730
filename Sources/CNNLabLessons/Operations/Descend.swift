import CNNLabEngine

// `descend quadratic A, B from X, Y rate η steps N -> NAME`: the four optimisers of the engine
// (SGD, momentum, RMSProp, Adam) walking down the bowl f(x, y) = ½(A·x² + B·y²) from one start,
// one frame per step. Each step hands the problem's gradient (A·x, B·y) to the engine's own
// `Optimizer.update`, the code that trains every network; nothing here re-implements a rule.
//
// O = optimiser (0 sgd, 1 momentum, 2 rmsprop, 3 adam), K = step (0 is the start), R/C = rows and
// columns of the drawn landscape.

public struct DescendOperation: Equatable, Sendable {
  /// The curvatures A and B of ½(A·x² + B·y²).
  public var curvature: (x: LessonNumber, y: LessonNumber)
  public var start: (x: LessonNumber, y: LessonNumber)
  /// The learning rate as written, or nil when it is read from a cell (`rate lr[0]`).
  public var rate: LessonNumber?
  public var rateSetting: Expression?
  public var steps: Int

  public init(
    curvature: (x: LessonNumber, y: LessonNumber), start: (x: LessonNumber, y: LessonNumber), rate: LessonNumber?,
    rateSetting: Expression? = nil, steps: Int
  ) {
    self.curvature = curvature
    self.start = start
    self.rate = rate
    self.rateSetting = rateSetting
    self.steps = steps
  }

  public static func == (a: DescendOperation, b: DescendOperation) -> Bool {
    a.curvature == b.curvature && a.start == b.start && a.rate == b.rate && a.rateSetting == b.rateSetting
      && a.steps == b.steps
  }
}

extension DescendOperation: OperationSpec {
  static let keyword = "descend"

  /// The optimisers, in the order they are drawn, by the names the command line uses.
  static let optimizers: [OptimizerKind] = [.sgd, .momentum, .rmsprop, .adam]

  var inputs: [NameReference] { [] }

  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind {
    let usage = "write 'descend quadratic 1, 8 from -4, 1.5 rate 0.1 steps 30 -> NAME'"
    try cursor.expectWord("quadratic", note: usage)
    let curvatureColumn = cursor.column
    let a = try cursor.number("the curvature along x")
    try cursor.expectSymbol(",", note: usage)
    let b = try cursor.number("the curvature along y")
    guard a.value > 0, b.value > 0, a.value <= 100, b.value <= 100 else {
      throw ParseError(
        column: curvatureColumn, message: "the curvatures must be above 0 and at most 100",
        note: "½(A·x² + B·y²) is a bowl only when A and B are positive: write 'quadratic 1, 8'")
    }
    try cursor.expectWord("from", note: usage)
    let startColumn = cursor.column
    let x = try cursor.number("the starting x")
    try cursor.expectSymbol(",", note: usage)
    let y = try cursor.number("the starting y")
    guard x.value != 0 || y.value != 0, abs(x.value) <= 100, abs(y.value) <= 100 else {
      throw ParseError(
        column: startColumn, message: "the start must be off the minimum and within 100 of it",
        note: "start somewhere on the slope, like 'from -4, 1.5'")
    }
    var descend = DescendOperation(curvature: (a, b), start: (x, y), rate: nil, steps: 0)
    try cursor.options(
      unknown: { c in
        ParseError(
          column: c.column, message: "unknown descend option \(c.found)",
          note: didYouMean(c.peek?.text, among: ["rate", "steps"]) ?? "options are rate and steps")
      }
    ) { word, c throws(ParseError) in
      switch word.text {
      case "rate":
        if c.peek?.kind == .word {
          descend.rateSetting = try c.expression()
        } else {
          descend.rate = try c.number("the learning rate")
        }
      case "steps": descend.steps = try c.integer("the number of steps", in: 1...200)
      default: return false
      }
      return true
    }
    guard descend.rate != nil || descend.rateSetting != nil else {
      throw ParseError(column: cursor.column, message: "the descent has no learning rate", note: "add 'rate 0.1'")
    }
    guard descend.steps > 0 else {
      throw ParseError(column: cursor.column, message: "the descent has no number of steps", note: "add 'steps 30'")
    }
    return .descend(descend)
  }

  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation {
    let output = operation.output.name
    let rate: Double
    if let expression = rateSetting {
      rate = try run.number(expression, what: "a learning rate")
      guard rate > 0, rate <= 10 else {
        throw EvalError(
          location: expression.location,
          message: "\(expression) is \(format(rate)), but a learning rate is above 0 and at most 10",
          note: "set \(expression) to a small positive number such as 0.1")
      }
    } else {
      rate = self.rate?.value ?? 0
      guard rate > 0, rate <= 10 else {
        throw EvalError(
          location: operation.location, message: "the learning rate must be above 0 and at most 10",
          note: "write a small positive rate such as 'rate 0.1'")
      }
    }
    var animation = descend(rate: Float(rate), output: output)
    animation.rateText = rateText(Float(rate))
    for (kind, path) in zip(DescendOperation.optimizers, animation.paths) {
      let grid = Tensor(shape: [steps + 1, 3], scalars: path.flatMap { [$0.x, $0.y, $0.loss] })
      run.values[output + "." + kind.rawValue] = .grid(grid, unscaled: nil, scale: nil)
    }
    // The name itself is the rate, not a grid: the walks are drawn on the landscape, and a
    // question about one shows no table of them.
    run.values[output] = .number(rate)
    run.values[output + ".rate"] = .number(rate)
    run.values[output + ".limit"] = .number(Double(animation.divergenceLimit))
    return .descent(animation)
  }

  /// The four walks, from the engine's optimiser, and the landscape they cross.
  func descend(rate: Float, output: String) -> DescentAnimation {
    let (a, b) = (Float(curvature.x.value), Float(curvature.y.value))
    let (x0, y0) = (Float(start.x.value), Float(start.y.value))
    let problem = DescentAnimation.Problem(a: a, b: b)
    var paths: [[DescentAnimation.Point]] = []
    for kind in DescendOperation.optimizers {
      let optimizer = kind.make(learningRate: rate)
      var values: [Float] = [x0, y0]
      var gradients: [Float] = [0, 0]
      var moment1: [Float] = [0, 0]
      var moment2: [Float] = [0, 0]
      var path = [DescentAnimation.Point(x: x0, y: y0, loss: problem.loss(x0, y0))]
      for step in 1...steps {
        // A walk that has left for infinity stays where it gave up, so every number stays finite.
        if abs(values[0]) > DescentAnimation.farAway || abs(values[1]) > DescentAnimation.farAway {
          path.append(path[path.count - 1])
          continue
        }
        gradients = problem.gradient(values[0], values[1])
        values.withUnsafeMutableBufferPointer { v in
          gradients.withUnsafeBufferPointer { g in
            moment1.withUnsafeMutableBufferPointer { m1 in
              moment2.withUnsafeMutableBufferPointer { m2 in
                guard let v = v.baseAddress, let g = g.baseAddress else { return }
                optimizer.update(
                  step: step, values: v, gradients: g, moment1: m1.baseAddress, moment2: m2.baseAddress, count: 2)
              }
            }
          }
        }
        path.append(DescentAnimation.Point(x: values[0], y: values[1], loss: problem.loss(values[0], values[1])))
      }
      paths.append(path)
    }
    // The view: the start and its mirror image, with a margin, so the walks have room on both sides.
    let half = (x: max(abs(x0), 0.5) * 1.25, y: max(abs(y0), 0.5) * 1.25)
    return DescentAnimation(
      outputName: output, problem: problem, rate: rate, half: half, paths: paths,
      names: DescendOperation.optimizers.map(\.rawValue))
  }
}

extension DescendOperation {
  /// The rates the knob turns through: around where SGD stops converging on the lessons' bowls.
  static let knobRates: [Double] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.24, 0.26, 0.3, 0.5]

  /// The learning rate, unless the lesson reads it from a cell the learner edits.
  var knobs: [Knob] {
    guard rateSetting == nil, let rate else { return [] }
    return [Knob(name: "rate", value: rate.text)]
  }

  func turning(_ name: String, by notches: Int) -> StepOperation.Kind? {
    guard name == "rate", rateSetting == nil, let rate else { return nil }
    guard let next = turned(rate.value, among: DescendOperation.knobRates, by: notches) else { return nil }
    var d = self
    d.rate = LessonNumber(next)
    return .descend(d)
  }
}

/// Four optimisers walking down a two-parameter bowl, step by step.
public struct DescentAnimation: Equatable, Sendable {
  /// f(x, y) = ½(a·x² + b·y²), with gradient (a·x, b·y).
  public struct Problem: Equatable, Sendable {
    public var a: Float
    public var b: Float

    public func loss(_ x: Float, _ y: Float) -> Float { (a * x * x + b * y * y) / 2 }
    public func gradient(_ x: Float, _ y: Float) -> [Float] { [a * x, b * y] }
  }

  public struct Point: Equatable, Sendable {
    public var x: Float
    public var y: Float
    public var loss: Float
  }

  /// Beyond this a walk has diverged; it stops there.
  static let farAway: Float = 1e6
  /// The landscape's size in characters.
  public static let rows = 7
  public static let columns = 61
  /// How many shades the landscape uses, from the floor of the bowl up.
  public static let bands = 4

  public var outputName: String
  public var problem: Problem
  public var rate: Float
  /// The rate as the lesson (or the learner) wrote it: `0.1`.
  public var rateText = ""
  /// Half the width and half the height of the view, centred on the minimum.
  public var half: (x: Float, y: Float)
  /// One walk per optimiser, O × (steps + 1).
  public var paths: [[Point]]
  /// `sgd`, `momentum`, `rmsprop`, `adam`.
  public var names: [String]

  public static func == (l: DescentAnimation, r: DescentAnimation) -> Bool {
    l.outputName == r.outputName && l.problem == r.problem && l.rate == r.rate && l.rateText == r.rateText && l.half == r.half
      && l.paths == r.paths && l.names == r.names
  }

  /// Plain gradient descent on the bowl diverges above 2/max(a, b): there the steep axis's
  /// factor 1 − η·b falls below −1 and every step overshoots further.
  public var divergenceLimit: Float { 2 / max(problem.a, problem.b) }

  /// The loss at which band `k` (from 1) begins: the view's corner loss times (k/bands)², so the
  /// bands are evenly spaced ellipses.
  public var thresholds: [Float] {
    let top = problem.loss(half.x, half.y)
    return (1..<DescentAnimation.bands).map { k in top * Float(k * k) / Float(DescentAnimation.bands * DescentAnimation.bands) }
  }

  /// The x and y at the centre of landscape cell (row, column); row 0 is the top (largest y).
  func centre(row: Int, column: Int) -> (x: Float, y: Float) {
    let x = -half.x + 2 * half.x * Float(column) / Float(DescentAnimation.columns - 1)
    let y = half.y - 2 * half.y * Float(row) / Float(DescentAnimation.rows - 1)
    return (x, y)
  }

  /// Each landscape cell's band, R × C: how many thresholds its loss reaches.
  public var landscape: [[Int]] {
    let limits = thresholds
    return (0..<DescentAnimation.rows).map { row in
      (0..<DescentAnimation.columns).map { column in
        let (x, y) = centre(row: row, column: column)
        let loss = problem.loss(x, y)
        return limits.filter { loss >= $0 }.count
      }
    }
  }

  /// The landscape cell a point falls in, or nil off the view.
  public func cell(of point: Point) -> (row: Int, column: Int)? {
    let column = ((point.x + half.x) / (2 * half.x) * Float(DescentAnimation.columns - 1)).rounded()
    let row = ((half.y - point.y) / (2 * half.y) * Float(DescentAnimation.rows - 1)).rounded()
    guard column >= 0, column < Float(DescentAnimation.columns), row >= 0, row < Float(DescentAnimation.rows) else {
      return nil
    }
    return (Int(row), Int(column))
  }
}

extension DescentAnimation: OperationAnimation {
  public var frameCount: Int { paths.first?.count ?? 1 }
  /// Frame 1 is the start, frame k + 1 the walks after k steps.
  public var frameUnit: String { "frame" }
  public var producesGrid: Bool { false }

  public func parts(frame: Int) -> AnimationParts { AnimationParts() }

  public func printArithmetic(into printed: inout PrintedArithmetic) {
    for value in thresholds { printed.add(value, place: "the landscape's scale") }
    for path in paths {
      for point in path { printed.add(point.loss, place: "the losses under the landscape") }
    }
  }
}

/// A rate as a person writes it: `0.1`, `0.26`, `10` (a float's shortest digits, without `.0`).
func rateText(_ rate: Float) -> String {
  let text = "\(rate)"
  return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
}
