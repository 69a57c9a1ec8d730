import CNNLabEngine

// Runs a lesson through the engine, step by step, keeping everything the player animates.
// `LessonCheck` runs the same code with checking on, so what is checked is what is shown.

/// Turns a checked `Lesson` into `Scene`s, computing every number with the engine.
public enum ScenePlanner {
  /// Plans every step. `kernels` replaces declared kernels' values (the learner's edits and
  /// presets) and `operations` replaces steps' operations, by step index (0-based), with
  /// turned copies of their own (see `Knob`); every result computed from them, in every step,
  /// is recomputed.
  public static func plan(
    _ lesson: Lesson, kernels: [String: KernelSetting] = [:], operations: [Int: StepOperation] = [:]
  ) -> [Scene] {
    var run = LessonRun(lesson: lesson, overrides: kernels, checking: false)
    guard !operations.isEmpty else {
      run.run()
      return run.scenes
    }
    // Questions and challenges are about the lesson's own settings: they come from the lesson
    // as written, whatever the knobs computed since (see `lessonScenes`).
    run.run()
    var turned = lesson
    for (index, operation) in operations where turned.steps.indices.contains(index) {
      turned.steps[index] = turned.steps[index].replacingOperation(with: operation)
    }
    var turnedRun = LessonRun(lesson: turned, overrides: kernels, checking: false)
    turnedRun.lessonScenes = run.scenes
    turnedRun.run()
    return turnedRun.scenes
  }
}

/// A value a name in a lesson stands for.
enum LessonValue {
  /// A grid, kernel or map; for kernels with a scale, also the unscaled values.
  case grid(Tensor, unscaled: Tensor?, scale: LessonNumber?)
  case number(Double)
  case network(LayersAnimation)
}

/// A problem met while computing a lesson.
struct EvalError: Error {
  var location: SourceLocation
  var message: String
  var note: String
  /// A follow-on of a problem already reported (a result that could not be computed).
  var isFollowOn = false
}

/// The largest number of kernel taps a lesson step may trace (keeps mistakes from eating memory).
let maxTracedTaps = 2_000_000

/// One run over a lesson: values by name, scenes, and (when checking) diagnostics.
struct LessonRun {
  let lesson: Lesson
  let overrides: [String: KernelSetting]
  let checking: Bool
  var values: [String: LessonValue] = [:]
  /// Names whose computation failed; using them is a silent follow-on error.
  var failed: Set<String> = []
  /// The output-size working of each convolution and pooling result.
  var workings: [String: [String]] = [:]
  /// The class labels of each `dense` result (and of the softmax of one).
  var labels: [String: [String]] = [:]
  /// Results drawn as curves (a `fit`'s): shown as grids only when a `show` line names them.
  var curveResults: Set<String> = []
  var scenes: [Scene] = []
  var diagnostics: [LessonDiagnostic] = []
  /// Whether the step being planned met a follow-on of an earlier step's problem.
  var metFollowOn = false
  /// The scenes of the lesson as written, when knobs are turned: questions and challenges are
  /// taken from them rather than worked out again, and a line that only fits the lesson's own
  /// sizes (a `compute` or `focus` naming a cell the turned result lacks) keeps the lesson's
  /// beat instead of becoming the step's problem. Only the turned operation itself can fail.
  var lessonScenes: [Scene]?

  init(lesson: Lesson, overrides: [String: KernelSetting], checking: Bool) {
    self.lesson = lesson
    self.overrides = overrides
    self.checking = checking
  }

  mutating func report(_ error: EvalError) {
    guard !error.isFollowOn else {
      metFollowOn = true
      return
    }
    let diagnostic = LessonDiagnostic(file: lesson.file, at: error.location, error.message, note: error.note)
    if !diagnostics.contains(diagnostic) { diagnostics.append(diagnostic) }
  }

  mutating func report(_ location: SourceLocation, _ message: String, note: String) {
    report(EvalError(location: location, message: message, note: note))
  }

  // MARK: - Declarations

  mutating func declare(upTo step: Int) {
    for grid in lesson.grids where grid.availableFromStep == step { declareGrid(grid, setting: nil) }
    for kernel in lesson.kernels where kernel.grid.availableFromStep == step {
      declareGrid(kernel.grid, setting: overrides[kernel.name.name])
    }
    for network in lesson.networks where network.availableFromStep == step { declareNetwork(network) }
  }

  /// The tensor shape of a declared grid: `[n]`, `[rows, cols]` or `[C, rows, cols]`.
  mutating func declareGrid(_ grid: GridDeclaration, setting: KernelSetting?) {
    let name = grid.name.name
    guard var shape = grid.shape ?? grid.declaredShape, let declaredValues = grid.values else {
      failed.insert(name)
      report(
        grid.name.location, "the grid '\(name)' has no values",
        note: "its file is read when the course is loaded; check it with 'cnnlab lessons check'")
      return
    }
    if shape.count == 3 && shape[0] == 1 && grid.declaredShape?.count == 2 { shape.removeFirst() }
    var raw = declaredValues
    var scale = grid.scale
    if let setting, setting.values.count == raw.count {
      raw = setting.values
      scale = setting.scale
    }
    guard checkedCount(shape) == raw.count else {
      failed.insert(name)
      report(
        grid.name.location, "the grid '\(name)' has \(raw.count) values for the shape \(shapeText(shape))",
        note: "make the shape match the rows")
      return
    }
    let unscaled = Tensor(shape: shape, scalars: raw.map { Float($0) })
    if let scale {
      let scaled = Tensor(shape: shape, scalars: raw.map { Float($0 * scale.value) })
      self.values[name] = .grid(scaled, unscaled: unscaled, scale: scale)
    } else {
      self.values[name] = .grid(unscaled, unscaled: nil, scale: nil)
    }
  }

  mutating func declareNetwork(_ network: NetworkDeclaration) {
    do throws(EvalError) {
      values[network.name.name] = .network(try planNetwork(network))
    } catch {
      failed.insert(network.name.name)
      report(error)
    }
  }

  // MARK: - Steps

  mutating func run() {
    for (index, step) in lesson.steps.enumerated() {
      declare(upTo: index)
      scenes.append(plan(step, number: index + 1))
    }
    for grid in lesson.grids + lesson.kernels.map(\.grid)
    where !lesson.steps.isEmpty && grid.availableFromStep >= lesson.steps.count {
      report(
        grid.name.location, "'\(grid.name.name)' is declared after the last step",
        note: "move it before the step that uses it")
    }
  }

  mutating func plan(_ step: Step, number stepNumber: Int) -> Scene {
    var scene = Scene(number: stepNumber, title: step.title)
    scene.operation = step.operation
    let problemsBefore = diagnostics.count
    metFollowOn = false
    // The operation runs first, so a question written before it can still name its result.
    var animation: Animation?
    if let operation = step.operation {
      do throws(EvalError) {
        animation = try operation.kind.spec.perform(operation, in: &self)
      } catch {
        failed.insert(operation.output.name)
        report(error)
      }
    }
    // Then the step's `compute` lines, so a question above one can use its name.
    for statement in step.statements {
      guard case .compute(let name, let expression) = statement.kind else { continue }
      if let n = try? number(expression, what: "'compute'") { values[name.name] = .number(n) }
    }
    var explicitShow: [ShowItem]?
    for statement in step.statements {
      do throws(EvalError) {
        switch statement.kind {
        case .say(let paragraphs):
          scene.beats.append(.text(paragraphs))
        case .note(let text):
          scene.beats.append(.note(text))
        case .erratum(let text, let printed, let expect):
          guard let printed, let expect else {
            scene.beats.append(.erratum(text: text, printed: nil, actual: nil))
            break
          }
          let printedValue = try number(printed, what: "an erratum")
          let actual = try number(expect, what: "an erratum")
          if checking && abs(actual - printedValue) < 0.0005 {
            report(
              statement.location,
              "the slide's \(printed) is what cnnlab computes (\(format(actual))), so this erratum corrects nothing",
              note: "remove the erratum, or check its expression")
          }
          scene.beats.append(.erratum(text: text, printed: printed.description, actual: actual))
        case .show(let items):
          for item in items {
            if item.part == nil, case .network(let table) = try value(item.name, part: nil) {
              scene.beats.append(.table(name: item.name.name, table))
              continue
            }
            guard case .grid = try value(item.name, part: item.part) else {
              throw EvalError(
                location: item.name.location, message: "'\(item.key)' is a number, not a grid",
                note: "show grids, kernels, results and layer tables; a number is shown with 'compute'")
            }
          }
          explicitShow = (explicitShow ?? []) + items
        case .working(let name):
          var found = workings[name.name]
          var title = name.name
          if case .network(let network)? = values[name.name] {
            found = network.sizeWorkings
            title = "each layer of \(network.networkName)"
          }
          guard let lines = found else {
            if failed.contains(name.name) { break }
            _ = try value(name, part: nil)
            throw EvalError(
              location: name.location, message: "'\(name.name)' was not made by a convolution, a pooling or 'layers'",
              note: "'working' shows the output-size formula of a 'convolve', 'pool' or 'layers' result")
          }
          scene.beats.append(.working(name: title, lines: lines))
        case .focus(let row, let col):
          scene.focus = try checkFocus(row: row, col: col, animation: animation, at: statement.location)
        case .compute(let name, let expression):
          if let value = values[name.name], case .number(let n) = value {
            // Worked out already, before the step's other lines.
            scene.beats.append(.compute(name: name.name, expression: expression.description, value: n))
            break
          }
          do throws(EvalError) {
            let value = try number(expression, what: "'compute'")
            values[name.name] = .number(value)
            scene.beats.append(.compute(name: name.name, expression: expression.description, value: value))
          } catch {
            failed.insert(name.name)
            throw error
          }
        case .operation:
          if let animation { scene.beats.append(.operation(animation)) }
        case .edit(let name):
          if !scene.editable.contains(where: { $0.name == name.name }) {
            scene.editable.append(try editable(name))
          }
        case .ask(let question):
          if checking && question.hint == nil {
            report(
              question.location, "this question has no hint",
              note: "add a line 'hint \"...\"' after it: the hint is shown after a wrong answer")
          }
          if let own = lessonBeat(of: scene, statement.kind) {
            scene.beats.append(own)
          } else {
            scene.beats.append(.question(try ask(question)))
          }
        case .challenge(let challenge):
          for name in challenge.edits where !scene.editable.contains(where: { $0.name == name.name }) {
            scene.editable.append(try editable(name))
          }
          if let own = lessonBeat(of: scene, statement.kind) {
            scene.beats.append(own)
          } else {
            scene.beats.append(.challenge(try self.challenge(challenge, in: step)))
          }
        }
      } catch {
        if lessonScenes != nil {
          switch statement.kind {
          case .erratum, .working, .compute:
            if let own = lessonBeat(of: scene, statement.kind) { scene.beats.append(own) }
          default: break
          }
        } else {
          report(error)
        }
      }
    }
    scene.grids = shownGrids(step, show: explicitShow, editable: scene.editable)
    if diagnostics.count > problemsBefore, !checking { scene.problem = diagnostics[problemsBefore] }
    // A step that fails only because an earlier one did (a kernel edited here breaks a result
    // made before) shows that earlier problem: it is what the learner can fix from here.
    if scene.problem == nil, metFollowOn, !checking { scene.problem = diagnostics.first }
    return scene
  }

  /// When knobs are turned, the lesson's own beat for the statement `scene` reaches next:
  /// the nth question (challenge, working, ...) of the step as written, for its nth.
  func lessonBeat(of scene: Scene, _ statement: Statement.Kind) -> Beat? {
    guard let own = lessonScenes?[safe: scene.number - 1] else { return nil }
    func kind(_ beat: Beat) -> String? {
      switch beat {
      case .question: return "question"
      case .challenge: return "challenge"
      case .working: return "working"
      case .compute: return "compute"
      case .erratum: return "erratum"
      default: return nil
      }
    }
    let wanted: String
    switch statement {
    case .ask: wanted = "question"
    case .challenge: wanted = "challenge"
    case .working: wanted = "working"
    case .compute: wanted = "compute"
    case .erratum: wanted = "erratum"
    default: return nil
    }
    let index = scene.beats.filter { kind($0) == wanted }.count
    return own.beats.filter { kind($0) == wanted }[safe: index]
  }

  func checkFocus(row: Int, col: Int, animation: Animation?, at location: SourceLocation) throws(EvalError)
    -> GridPosition
  {
    guard let animation else {
      throw EvalError(
        location: location, message: "'focus' needs a convolution or pooling in its step",
        note: "add the operation to this step, or remove 'focus'")
    }
    guard let outputShape = animation.content.focusShape else {
      throw EvalError(
        location: location, message: "'focus' works with a convolution or pooling",
        note: "remove 'focus' from this step")
    }
    guard row < outputShape[0], col < outputShape[1] else {
      throw EvalError(
        location: location,
        message: "focus \(row),\(col) is outside the \(shapeText(outputShape)) result",
        note: "positions count from 0: rows 0 to \(outputShape[0] - 1), columns 0 to \(outputShape[1] - 1)")
    }
    return GridPosition(row: row, col: col)
  }

  /// The grids on screen: `show` lines, or the operation's inputs and result.
  func shownGrids(_ step: Step, show: [ShowItem]?, editable: [EditableKernel]) -> [ShownGrid] {
    var items: [(ShowItem, ShownGrid.Role)] = []
    let operation = step.operation
    let kernelNames = Set(lesson.kernels.map(\.name.name))
    func role(_ name: String) -> ShownGrid.Role {
      if let operation, operation.output.name == name { return .output }
      if kernelNames.contains(name) { return .kernel }
      if let operation, operation.inputs.contains(where: { $0.name == name }) { return .input }
      return .other
    }
    if let show {
      items = show.map { ($0, role($0.key)) }
    } else if let operation {
      for input in operation.inputs { items.append((ShowItem(input), role(input.name))) }
      items.append((ShowItem(operation.output), .output))
    } else {
      for kernel in editable {
        items.append((ShowItem(NameReference(kernel.name, at: step.location)), .kernel))
      }
    }
    if show == nil {
      // The grids the step's questions and goals mention.
      for statement in step.statements {
        var expressions: [Expression] = []
        switch statement.kind {
        case .ask(let question): expressions = [question.expect]
        case .challenge(let challenge): expressions = challenge.goals.flatMap { [$0.lhs, $0.rhs] }
        default: break
        }
        for reference in expressions.flatMap(\.references) {
          items.append((ShowItem(reference), role(reference.name)))
        }
      }
    }
    var grids: [ShownGrid] = []
    var seen: Set<String> = []
    for (item, role) in items where seen.insert(item.key).inserted {
      if show == nil && curveResults.contains(item.name.name) { continue }
      guard case .grid(let tensor, let unscaled, let scale)? = values[item.key] else { continue }
      grids.append(
        ShownGrid(
          name: LessonRun.shownName(item.key), tensor: tensor, unscaled: unscaled, scale: scale?.text, style: item.style,
          role: role))
    }
    return grids
  }

  /// What the parts of a `learn` result are called on screen.
  static let partNames = ["output": "h", "dout": "∂E/∂h", "grad": "∂E/∂W"]

  /// The name a grid goes by on screen: a part of a `learn` result by what it is (`∂E/∂W`, not
  /// `step1.grad`; the updated kernel by the result's own name), anything else by its name.
  static func shownName(_ key: String) -> String {
    guard let dot = key.lastIndex(of: ".") else { return key }
    let part = String(key[key.index(after: dot)...])
    if part == "updated" { return String(key[..<dot]) }
    return partNames[part] ?? key
  }

  func editable(_ name: NameReference) throws(EvalError) -> EditableKernel {
    guard let declaration = lesson.kernels.first(where: { $0.name.name == name.name }) else {
      throw EvalError(
        location: name.location, message: "'\(name.name)' is not a kernel, so it cannot be edited",
        note: "declare it with 'kernel \(name.name) 3x3' ... 'end'")
    }
    guard case .grid(let tensor, let unscaled, let scale)? = values[name.name] else {
      if failed.contains(name.name) {
        throw EvalError(location: name.location, message: "", note: "", isFollowOn: true)
      }
      throw EvalError(
        location: name.location, message: "the kernel '\(name.name)' is declared after this step",
        note: "move its declaration above the step")
    }
    let setting = KernelSetting(
      values: (unscaled ?? tensor).scalars.map { Double($0) }, scale: scale)
    return EditableKernel(
      name: name.name, setting: setting, shape: tensor.shape,
      presets: declaration.presets.compactMap { KernelPreset.named($0.name) })
  }

  // MARK: - Questions and challenges

  func ask(_ question: Question) throws(EvalError) -> SceneQuestion {
    let value = try evaluate(question.expect)
    let expected: SceneQuestion.Expected
    switch value {
    case .number(let n): expected = .number(n)
    case .shape(let s): expected = .shape(s)
    case .label(let l): expected = .label(l)
    case .grid(let t):
      throw EvalError(
        location: question.expect.location,
        message: "'\(question.expect)' is a \(shapeText(t.shape)) grid, not a number",
        note: "ask about one cell, like \(question.expect)[0,0], or a total, like sum(\(question.expect))")
    case .network:
      throw EvalError(
        location: question.expect.location, message: "'\(question.expect)' is a network, not a number",
        note: "ask about params(\(question.expect)) or shape(\(question.expect), 1)")
    }
    let tolerance = question.tolerance ?? Question.defaultTolerance
    let reads = question.expect.gridReads
    var grids: [String] = []
    for read in reads where !grids.contains(LessonRun.shownName(read.grid)) {
      if case .grid? = values[read.grid] { grids.append(LessonRun.shownName(read.grid)) }
    }
    // Only computed cells are hidden: a question about a declared grid asks the learner to read it.
    let declared = Set(lesson.grids.map(\.name.name) + lesson.kernels.map(\.name.name))
    let scene = SceneQuestion(
      prompt: question.prompt, hint: question.hint ?? "", answer: question.answer.description,
      expected: expected, tolerance: tolerance,
      cells: reads.reduce(into: []) { cells, read in
        // Each cell once, however often the expression names it.
        guard !declared.contains(read.grid), let index = read.index else { return }
        let cell = SceneQuestion.Cell(grid: LessonRun.shownName(read.grid), index: index)
        if !cells.contains(cell) { cells.append(cell) }
      },
      grids: grids)
    if checking {
      let matches: Bool
      switch (question.answer, expected) {
      case (.number(let a), .number(let e)): matches = abs(a.value - e) <= tolerance + 1e-9
      case (.shape(let a), .shape(let e)): matches = a == e
      case (.number(let a), .shape(let e)): matches = e.count == 1 && Double(e[0]) == a.value
      case (.shape(let a), .number(let e)): matches = a.count == 1 && Double(a[0]) == e
      case (.label(let a), .label(let e)): matches = AnswerText.label(a) == AnswerText.label(e)
      case (.label, _), (_, .label): matches = false
      }
      if !matches {
        let computed: String
        switch expected {
        case .number(let n): computed = format(n)
        case .shape(let s): computed = shapeText(s)
        case .label(let l): computed = "\"\(l)\""
        }
        throw EvalError(
          location: question.answerLocation,
          message: "the answer is \(question.answer) but the engine computes \(question.expect) = \(computed)",
          note: expected.isLabel
            ? "fix the answer (or the expression after 'expect'); labels are compared ignoring case"
            : "fix the answer (or the expression after 'expect'); answers within \(format(tolerance)) count as equal")
      }
    }
    return scene
  }

  func goals(_ challenge: Challenge) throws(EvalError) -> [SceneChallenge.Goal] {
    var goals: [SceneChallenge.Goal] = []
    for goal in challenge.goals {
      goals.append(SceneChallenge.Goal(text: goal.description, holds: try holds(goal)))
    }
    return goals
  }

  func challenge(_ challenge: Challenge, in step: Step) throws(EvalError) -> SceneChallenge {
    let kernels = step.editableKernels
    let goals = try goals(challenge)
    if checking {
      guard let hint = challenge.hint, !hint.isEmpty else {
        throw EvalError(
          location: challenge.location, message: "this challenge has no hint",
          note: "add a line 'hint \"...\"' inside the challenge")
      }
      guard let kernel = kernels.first else {
        throw EvalError(
          location: challenge.location, message: "the challenge has no kernel to edit",
          note: "add 'edit KERNEL' to the challenge or its step")
      }
      guard let solution = challenge.solution else {
        throw EvalError(
          location: challenge.location, message: "this challenge has no solution",
          note: "add 'solution', the edited kernel's rows and 'end' inside the challenge: the check proves it meets the goals")
      }
      let location = challenge.solutionLocation ?? challenge.location
      guard kernels.count == 1 else {
        throw EvalError(
          location: location, message: "a solution needs exactly one edited kernel, not \(kernels.count)",
          note: "edit one kernel in this step")
      }
      guard case .grid(let tensor, _, _)? = values[kernel.name] else {
        throw EvalError(location: location, message: "", note: "", isFollowOn: true)
      }
      guard solution.count == tensor.count else {
        throw EvalError(
          location: location,
          message: "the solution has \(solution.count) values but kernel '\(kernel.name)' has \(tensor.count)",
          note: "write the solution with the kernel's shape, \(shapeText(tensor.shape))")
      }
      var solved = LessonRun(
        lesson: lesson, overrides: overrides.merging([kernel.name: KernelSetting(values: solution)]) { $1 },
        checking: false)
      solved.run()
      let solvedGoals = solved.scenes.flatMap(\.beats).compactMap { beat -> SceneChallenge? in
        if case .challenge(let c) = beat, c.prompt == challenge.prompt { return c }
        return nil
      }.first
      guard let solvedGoals else {
        throw EvalError(
          location: location, message: "the lesson cannot be computed with the solution",
          note: "fix the solution: with it, a step before the challenge fails")
      }
      if let unmet = solvedGoals.goals.first(where: { !$0.holds }) {
        throw EvalError(
          location: location, message: "the solution does not meet the goal '\(unmet.text)'",
          note: "fix the solution or the goal: the check runs the solution through the engine")
      }
      if !goals.isEmpty && goals.allSatisfy(\.holds) {
        throw EvalError(
          location: challenge.location, message: "the starting kernel already meets every goal",
          note: "start the kernel from something that does not solve the challenge")
      }
    }
    var solution: [String] = []
    if let stated = challenge.solution, let kernel = kernels.first, case .grid(let tensor, _, _)? = values[kernel.name],
      stated.count == tensor.count
    {
      solution = ChallengeSolution.rows(stated, shape: tensor.shape)
    }
    return SceneChallenge(
      prompt: challenge.prompt, hints: challenge.hints, kernels: kernels.map(\.name), goals: goals, solution: solution)
  }
}

/// A number for messages: whole numbers plainly, others to 4 significant decimals.
func format(_ value: Double) -> String {
  if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
  var text = String(value)
  if let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > 5 {
    let rounded = (value * 10000).rounded() / 10000
    text = String(rounded)
  }
  return text
}
