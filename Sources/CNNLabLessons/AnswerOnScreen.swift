import CNNLabEngine

// A question must make the learner work something out. This finds questions whose accepted
// answer can already be read on the screen at the moment they are asked: in the prose above
// them, in a grid, or in the arithmetic the animation wrote out while it played.
//
// "The screen" is rebuilt from the planned scenes, the way the player presents them: a step's
// beats are revealed in order up to the question; earlier questions of the step have been
// answered (their cells and the typed answers show); the cells of this question and of the
// step's later ones show `?` in grids and in convolution and pooling traces; the result of the
// step's operation appears only once the operation has run, and then every frame of it may have
// been seen, including the frames played before the question hid its cells. Values are compared
// as the screen rounds them (two decimals, three for softmax and cross-entropy) and within the
// question's tolerance, the way the answer box reads them: `0.517`, `.52` and `31/60` all match
// an answer of 0.517.
//
// Two findings count. The cell a question asks about is visible: always a give-away, whatever
// its value. Or the answer's value is printed somewhere: in the text, the questions, the
// arithmetic, or another cell of a result the question reads (a symmetric cell, say). Cells of
// other grids are left out, and so are the grids declared in the file: a question about them
// asks the learner to read them, and a max-pooling answer always sits in the map it pools.

/// Questions that give their own answer away.
enum AnswerOnScreen {
  /// One diagnostic per question whose answer is readable on screen when it is asked.
  static func problems(_ lesson: Lesson, scenes: [Scene]) -> [LessonDiagnostic] {
    var diagnostics: [LessonDiagnostic] = []
    let declared = Set(lesson.grids.map(\.name.name) + lesson.kernels.map(\.name.name))
    for (step, scene) in zip(lesson.steps, scenes) {
      let asked = step.statements.compactMap { statement -> Question? in
        if case .ask(let question) = statement.kind { return question }
        return nil
      }
      let beats = scene.beats.indices.filter { if case .question = scene.beats[$0] { true } else { false } }
      // A question that could not be planned is reported already; then the beats no longer
      // line up with the file's questions.
      guard asked.count == beats.count else { continue }
      for (question, beat) in zip(asked, beats) {
        guard case .question(let planned) = scene.beats[beat],
          let seen = Screen(scene, questionBeat: beat).sighting(of: planned, declared: declared)
        else { continue }
        diagnostics.append(
          LessonDiagnostic(
            file: lesson.file, at: question.location,
            "the answer \(question.answer) is on screen when this question is asked: \(seen)",
            note: "ask before the operation shows it, leave it out of the text, or ask for something the learner works out"))
      }
    }
    return diagnostics
  }

  /// Whether an answer is distinctive enough to look for. Small whole numbers (0 to 9) are on
  /// every screen, as pixels, indexes and counts in the text; finding a `1` somewhere says
  /// nothing. Fractions, decimals, whole numbers from 10 up and shapes of two or more axes are
  /// rare enough that seeing one means the screen shows the answer.
  static func isDistinctive(_ value: Double) -> Bool {
    value.isFinite && (abs(value - value.rounded()) > 1e-9 || abs(value) >= 10)
  }

  /// `value` rounded to `decimals` places, as the screen prints it.
  static func shown(_ value: Double, decimals: Int) -> Double {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    return (value * scale).rounded() / scale
  }
}

/// What is readable on screen while one question waits: numbers and shapes, each with where.
struct Screen {
  /// Numbers as shown, with where; `grid` names the grid a cell's number belongs to.
  var numbers: [(value: Double, place: String, grid: String?)] = []
  var shapes: [(shape: [Int], place: String)] = []
  /// Cells of computed results whose value can be read, with where.
  var cells: [SceneQuestion.Cell: String] = [:]

  init(_ scene: Scene, questionBeat q: Int) {
    let beats = scene.beats
    let operationBeat = beats.firstIndex { if case .operation = $0 { true } else { false } }
    let animation = operationBeat.flatMap { $0 < q ? scene.animation : nil }
    // Cells showing `?` now (this question and the ones after it), and while the operation
    // played (every question's, once one was asked before the operation).
    var hiddenNow: Set<SceneQuestion.Cell> = []
    var hiddenInPlayback: Set<SceneQuestion.Cell> = []
    let askedBeforePlayback = beats.indices.contains { index in
      guard let operationBeat, index <= operationBeat, case .question = beats[index] else { return false }
      return true
    }
    for (index, beat) in beats.enumerated() {
      guard case .question(let question) = beat else { continue }
      if index >= q { hiddenNow.formUnion(question.cells) }
      if askedBeforePlayback { hiddenInPlayback.formUnion(question.cells) }
    }
    func isHidden(_ cell: SceneQuestion.Cell) -> Bool {
      hiddenNow.contains(cell) && (animation == nil || hiddenInPlayback.contains(cell))
    }

    // The text above the question, and the questions and challenges so far.
    for (index, beat) in beats.enumerated() where index <= q {
      switch beat {
      case .text(let paragraphs):
        for paragraph in paragraphs { read(paragraph, place: "the text") }
      case .note(let text):
        read(text, place: "a note")
      case .erratum(let text, let printed, let actual):
        read(text, place: "a correction")
        if let printed { read(printed, place: "a correction") }
        if let actual { add(actual, decimals: 2, place: "a correction") }
      case .table(_, let table):
        addTable(table, place: "the table of layers")
      case .working(_, let lines):
        for line in lines { read(line, place: "the size working") }
      case .compute(let name, let expression, let value):
        read(expression, place: "the line '\(name) = …'")
        add(value, decimals: 2, place: "the line '\(name) = …'")
      case .question(let question):
        read(question.prompt, place: index == q ? "the question itself" : "an earlier question")
        if index < q { read(question.answer, place: "an earlier answer") }
      case .challenge(let challenge):
        read(challenge.prompt, place: "a challenge")
        for goal in challenge.goals { read(goal.text, place: "a challenge") }
      case .operation:
        break
      }
    }

    // The grids.
    let producesGrid = scene.animation?.content.producesGrid ?? false
    for grid in scene.grids {
      let isResult = grid.role == .output && producesGrid
      if isResult && animation == nil { continue }
      let tensor = isResult ? grid.tensor : (grid.unscaled ?? grid.tensor)
      shapes.append((tensor.rank == 3 ? Array(tensor.shape.dropFirst()) : tensor.shape, "the title of \(grid.name)"))
      // Grey levels show no numbers.
      guard grid.style != .shades else { continue }
      for (flat, value) in tensor.scalars.enumerated() {
        let cell = SceneQuestion.Cell(grid: grid.name, index: Screen.index(flat, shape: tensor.shape))
        if isHidden(cell) { continue }
        let place = "the grid \(grid.name)"
        add(Double(value), decimals: 2, place: place, grid: grid.name)
        if cells[cell] == nil { cells[cell] = place }
      }
    }

    // The animation's arithmetic, every frame of it.
    guard let animation else { return }
    add(Double(animation.frameCount), decimals: 0, place: "the frame counter")
    let trace = "the arithmetic under the grids"
    var printed = PrintedArithmetic(isHidden: isHidden)
    animation.content.printArithmetic(into: &printed)
    for (value, decimals, place) in printed.numbers { add(value, decimals: decimals, place: place ?? trace) }
    for (cell, replacing) in printed.cells where replacing || cells[cell] == nil { cells[cell] = trace }
    for table in printed.tables { addTable(table, place: trace) }
  }

  /// Where the answer to `question` can be read, or nil when it cannot. `declared` names the
  /// grids and kernels written in the file.
  func sighting(of question: SceneQuestion, declared: Set<String>) -> String? {
    for cell in question.cells {
      if let place = cells[cell] {
        return "\(place) shows \(cell.grid)[\(cell.index.map(String.init).joined(separator: ","))]"
      }
    }
    let grids = question.grids.filter { !declared.contains($0) }
    return sighting(of: question.expected, tolerance: question.tolerance, grids: grids)
  }

  /// Where a value (or shape) can be read, looking in the grids `grids` and everywhere else that
  /// is not a grid.
  func sighting(of expected: SceneQuestion.Expected, tolerance: Double, grids: [String]) -> String? {
    switch expected {
    case .number(let value):
      guard AnswerOnScreen.isDistinctive(value) else { return nil }
      for (shown, place, grid) in numbers where AnswerOnScreen.isDistinctive(shown) {
        if let grid, !grids.contains(grid) { continue }
        if abs(shown - value) <= tolerance + 1e-9 { return "\(place) shows \(format(shown))" }
      }
      return nil
    case .shape(let shape):
      guard shape.count >= 2 else {
        return shape.first.flatMap { sighting(of: .number(Double($0)), tolerance: 0, grids: grids) }
      }
      // A grid's title gives its size away only for the grid the question asks about: the
      // input's size beside a "how big is the output?" is what the learner works from. For the
      // same reason a size in the text that is the size of a grid on screen ("the 2x2 kernel")
      // names that grid, not the answer.
      let asked = Set(grids.map { "the title of \($0)" })
      let titled = shapes.filter { $0.place.hasPrefix("the title of ") && !asked.contains($0.place) }.map(\.shape)
      for (seen, place) in shapes where seen == shape {
        if place.hasPrefix("the title of ") ? !asked.contains(place) : titled.contains(shape) { continue }
        return "\(place) shows \(shape.map(String.init).joined(separator: "x"))"
      }
      return nil
    case .label:
      // Every class label is printed beside its score, so a label answer is always on screen.
      return nil
    }
  }

  private mutating func add(_ value: Double, decimals: Int, place: String, grid: String? = nil) {
    numbers.append((AnswerOnScreen.shown(value, decimals: decimals), place, grid))
  }

  private mutating func addTable(_ table: LayersAnimation, place: String) {
    shapes.append((table.inputShape, place))
    for row in table.rows {
      shapes.append((row.outputShape, place))
      if row.outputShape.count == 1 { add(Double(row.outputShape[0]), decimals: 0, place: place) }
      add(Double(row.parameterCount), decimals: 0, place: place)
      read(row.parameterWorking, place: place)
    }
    add(Double(table.parameterCount), decimals: 0, place: place)
  }

  /// The numbers and shapes written in `text`.
  private mutating func read(_ text: String, place: String) {
    let tokens = ScreenText.tokens(text)
    for value in tokens.numbers { numbers.append((value, place, nil)) }
    for shape in tokens.shapes { shapes.append((shape, place)) }
  }

  /// The position of flat index `flat` in a tensor of `shape`, one index per axis.
  static func index(_ flat: Int, shape: [Int]) -> [Int] {
    var rest = flat
    var index: [Int] = []
    for extent in shape.reversed() {
      index.append(rest % max(1, extent))
      rest /= max(1, extent)
    }
    return index.reversed()
  }
}

/// Reading numbers and shapes out of text the way a learner reads them.
enum ScreenText {
  /// `27`, `−0.11`, `.517`, `3,200`, `7/9` (as 0.777…) and `32x28x28` (a shape, and its sizes as
  /// numbers). Digits glued to a letter (`h11`, `step1`) are part of a name, not a number.
  static func tokens(_ text: String) -> (numbers: [Double], shapes: [[Int]]) {
    let chars = Array(text)
    var numbers: [Double] = []
    var shapes: [[Int]] = []
    var i = 0
    func isDigit(_ k: Int) -> Bool { k >= 0 && k < chars.count && chars[k].isASCII && chars[k].isNumber }
    func digits(from start: Int) -> (String, Int) {
      var k = start
      while isDigit(k) { k += 1 }
      return (String(chars[start..<k]), k)
    }
    while i < chars.count {
      let previous: Character? = i > 0 ? chars[i - 1] : nil
      let gluedToName = previous.map { $0.isLetter || $0 == "_" || $0.isNumber } ?? false
      var k = i
      var negative = false
      if chars[k] == "-" || chars[k] == "−" {
        let signPlace = previous.map { !($0.isLetter || $0.isNumber || $0 == ")" || $0 == "]") } ?? true
        guard signPlace, isDigit(k + 1) || (k + 2 < chars.count && chars[k + 1] == "." && isDigit(k + 2)) else {
          i += 1
          continue
        }
        negative = true
        k += 1
      } else if !(isDigit(k) || (chars[k] == "." && isDigit(k + 1) && !isDigit(k - 1))) {
        i += 1
        continue
      }
      if gluedToName && !negative {
        // Part of a name like h11 or step1: skip its digits.
        while isDigit(i) { i += 1 }
        if i == k { i += 1 }
        continue
      }
      var (whole, end) = digits(from: k)
      // Thousands separators: 3,200 and 196,608,000 (exactly three digits after each comma).
      while end < chars.count, chars[end] == ",", isDigit(end + 1), isDigit(end + 2), isDigit(end + 3),
        !isDigit(end + 4)
      {
        whole += String(chars[(end + 1)...(end + 3)])
        end += 4
      }
      var fraction = ""
      if end < chars.count, chars[end] == ".", isDigit(end + 1) {
        (fraction, end) = digits(from: end + 1)
      }
      var value = Double((whole.isEmpty ? "0" : whole) + (fraction.isEmpty ? "" : "." + fraction)) ?? 0
      if end < chars.count, chars[end] == "/", isDigit(end + 1) {
        let (denominator, next) = digits(from: end + 1)
        if let d = Double(denominator), d != 0 { value /= d }
        end = next
      } else if fraction.isEmpty, !negative, !whole.isEmpty, end < chars.count, chars[end] == "x" || chars[end] == "×",
        isDigit(end + 1)
      {
        var shape = [Int(whole) ?? 0]
        while end < chars.count, chars[end] == "x" || chars[end] == "×", isDigit(end + 1) {
          let (size, next) = digits(from: end + 1)
          shape.append(Int(size) ?? 0)
          end = next
        }
        shapes.append(shape)
        numbers += shape.map(Double.init)
        i = end
        continue
      }
      numbers.append(negative ? -value : value)
      i = end
    }
    return (numbers, shapes)
  }
}
