import CNNLabLessons

/// The state of one lesson on screen: which step and beat, the animation frame, what has focus,
/// what the learner typed, and how the kernels were edited.
///
/// A step's beats are revealed in runs: arriving at a step shows everything up to its first
/// question or operation, and each `→` shows the next run. Revealing an operation starts its
/// animation (or, with a `focus`, waits at that placement). The frame is an index into the
/// engine's trace, so playing is `frame += 1` on `.ticked`; the player never computes a number.
public struct LessonPlayer: Program {
  /// Where typed keys go.
  public enum Focus: Hashable, Sendable {
    /// Keys step through the lesson.
    case lesson
    /// Arrows move the kernel cursor; digits edit the cell under it.
    case kernel
    /// Keys type an answer to the current question.
    case answer
    /// Arrows move the receptive-field cursor over the step's result (see `fieldChain`).
    case field
  }

  /// What a key in `LessonPlayer.keys` does.
  public enum Action: Hashable, Sendable {
    case previous, next, playPause, skipToEnd, faster, slower, frameForward, frameBack, cycleFocus, cycleFocusBack, editKernel
    case moveCursor, chooseQuestion, nextChannel, swapShades, type, enter, backspace, preset, reset, scrollUp, scrollDown, help, back, hint
    case previousKnob, nextKnob, turnDown, turnUp, restoreKnobs, trainLive
  }

  /// A question is identified by its step (0-based) and its beat index inside the step.
  public struct QuestionKey: Hashable, Sendable, Codable {
    public var step: Int
    public var beat: Int

    public init(step: Int, beat: Int) {
      self.step = step
      self.beat = beat
    }
  }

  /// What the learner answered to a question, and whether it was right.
  public struct AnswerState: Equatable, Sendable, Codable {
    public var text: String
    public var correct: Bool
    /// Wrong answers so far; after `LessonPlayer.attemptsBeforeAnswer` the answer is shown.
    public var wrongAttempts: Int

    public init(text: String, correct: Bool, wrongAttempts: Int = 0) {
      self.text = text
      self.correct = correct
      self.wrongAttempts = wrongAttempts
    }
  }

  /// Milliseconds between animation frames, slowest first; `+` and `-` move along it.
  public static let speeds = [1600, 800, 400, 200, 100, 50, 25]
  static let defaultSpeed = 3
  /// Wrong answers after which the lesson's own answer is shown.
  public static let attemptsBeforeAnswer = 3
  /// The smallest screen the lesson is drawn on.
  public static let minimumSize = (width: 80, height: 24)

  public let source: LessonSource
  public private(set) var scenes: [Scene]
  /// 0-based index into `scenes`.
  public private(set) var step = 0
  /// The last revealed beat of the step (-1 when the step has no beats).
  public private(set) var beat = -1
  /// The placement (or cell) of the animation being shown.
  public private(set) var frame = 0
  public private(set) var playing = false
  /// Index into `speeds`.
  public private(set) var speed = LessonPlayer.defaultSpeed
  public private(set) var focus = Focus.lesson
  /// Which of the step's editable kernels the cursor is in.
  public private(set) var kernelIndex = 0
  /// The kernel cell under the cursor, row-major over all of the kernel's values.
  public private(set) var cursor = 0
  /// What is being typed into the kernel cell, if anything.
  public private(set) var editBuffer: String?
  /// What is being typed into the answer box.
  public private(set) var answerBuffer = ""
  /// The question the answer line answers, when several are open (see `activeQuestion`).
  public private(set) var chosenQuestion: QuestionKey?
  public private(set) var answers: [QuestionKey: AnswerState] = [:]
  /// Kernel settings the learner changed, by kernel name (the planner's input).
  public private(set) var edits: [String: KernelSetting] = [:]
  /// Kernels the learner changed by hand in each step, to know when a challenge's hint helps.
  public private(set) var editedInStep: Set<Int> = []
  /// How many of each step's challenge hints the learner asked for with `h`; one more than the
  /// hints means the solution is shown too.
  public private(set) var hintsAsked: [Int: Int] = [:]
  /// The prompts of the challenges the learner has met (kept when the kernel changes again).
  public private(set) var solvedChallenges: Set<String> = []
  /// The beat the learner had reached when an edit left the step with a problem (and fewer
  /// beats); the beats come back once the problem is fixed.
  private var beatBeforeProblem: Int?
  /// Steps the learner has gone past (0-based).
  public private(set) var completedSteps: Set<Int> = []
  /// Set when the learner moves on from the last step.
  public private(set) var finished = false
  /// The first wrapped line of prose shown.
  public private(set) var proseScroll = 0
  /// Set when the learner asks to leave the lesson (`q` or `Esc` with nothing else to close).
  public private(set) var wantsToLeave = false
  /// Set by `→` on a finished lesson's last step: the course opens the next lesson.
  public private(set) var wantsNextLesson = false
  /// Set when `?` was pressed; whoever shows the help clears it.
  public var wantsHelp = false
  /// Whether going on past the end of the last lesson opens live training (set by the course).
  public var leadsToTraining = false
  /// Whether `t` may train a step's network live on the MNIST sample (set by the course).
  public var trainsLive = false
  /// Set by `t` on a step whose `layers` table is a network for 28x28 digits: its spec, for
  /// the course to train live; whoever opens the training clears it.
  public var wantsTraining: String?
  public private(set) var screen = (width: 100, height: 32)
  /// A short message about the last action (a rejected value, a preset chosen).
  public private(set) var status: String?
  /// Whether grids are drawn the other way round (`g`): numbers as shades, shades as numbers.
  public private(set) var shadesSwapped = false
  /// The channel stacks show, chosen with `c` (see `shownChannel`); nil follows the frame.
  public private(set) var chosenChannel: Int?
  /// The animations started so far (here, and as the course passes them on, in earlier
  /// lessons), by `fingerprint`: one seen before opens on its last frame instead of replaying.
  public var seenAnimations: Set<String> = []
  /// Steps' operations as the learner turned their knobs (step index to operation, the
  /// planner's input): later steps compute from them too, until a question opens (questions
  /// are about the lesson's own settings), `o` or `r`.
  public private(set) var turnedOperations: [Int: StepOperation] = [:]
  /// The knob `<` and `>` turn, an index into `knobs`.
  public private(set) var knobIndex = 0
  /// Steps' operations as the lesson writes them, kept when a knob first turns.
  public private(set) var lessonOperations: [Int: StepOperation] = [:]

  /// Opens `source` at its first step, or where `progress` left off; `seenAnimations` are
  /// the fingerprints of animations seen in earlier lessons.
  public init(source: LessonSource, progress: LessonProgress? = nil, seenAnimations: Set<String> = []) {
    self.source = source
    self.seenAnimations = seenAnimations
    if let progress {
      edits = progress.kernelSettings
      answers = progress.answerStates
      completedSteps = Set(progress.completedSteps)
      finished = progress.finished
      solvedChallenges = Set(progress.solvedChallenges ?? [])
    }
    scenes = source.plan(edits)
    if let saved = progress?.knobs, !saved.isEmpty {
      restoreKnobs(saved)
    }
    recordSolvedChallenges()
    let start = progress.map { min(max(0, $0.step), max(0, scenes.count - 1)) } ?? 0
    arrive(at: start, revealAll: progress.map { $0.completedSteps.contains(start) } ?? false)
  }

  public var minimumSize: (width: Int, height: Int) { LessonPlayer.minimumSize }

  /// The scene of the current step, if the lesson has any.
  public var scene: Scene? { scenes.indices.contains(step) ? scenes[step] : nil }

  /// The spec of the network the step's `layers` table shows, when it takes the MNIST
  /// sample's 1x28x28 digits to 10 scores: what `t` trains live. A `softmax` line is left out
  /// (training's loss includes it).
  public var liveSpec: String? { scene?.animation?.screen.liveSpec }
  public var interval: Int { LessonPlayer.speeds[speed] }

  /// Plays at the speed nearest `milliseconds` per frame (the course keeps one speed for all
  /// lessons).
  public mutating func setInterval(_ milliseconds: Int) {
    let speeds = LessonPlayer.speeds
    speed = speeds.indices.min { abs(speeds[$0] - milliseconds) < abs(speeds[$1] - milliseconds) } ?? speed
  }

  /// This step with every beat revealed (and nothing else changed): the layout is planned for it.
  var fullyRevealed: LessonPlayer {
    var copy = self
    if let scene { copy.beat = scene.beats.count - 1 }
    return copy
  }

  /// The beat index of the step's operation, if it has one.
  var operationBeat: Int? {
    scene?.beats.firstIndex { if case .operation = $0 { true } else { false } }
  }

  /// The step's animation once its operation has been revealed.
  public var revealedAnimation: Animation? {
    guard let index = operationBeat, index <= beat else { return nil }
    return scene?.animation
  }

  public var lastFrame: Int { max(0, (scene?.animation?.frameCount ?? 1) - 1) }

  /// The step's editable kernels.
  public var editable: [EditableKernel] { scene?.editable ?? [] }

  /// The revealed questions not answered right yet, in order.
  public var openQuestions: [(key: QuestionKey, question: SceneQuestion)] {
    guard let scene else { return [] }
    var open: [(key: QuestionKey, question: SceneQuestion)] = []
    for (index, beat) in scene.beats.enumerated() where index <= self.beat {
      if case .question(let question) = beat {
        let key = QuestionKey(step: step, beat: index)
        if answers[key]?.correct != true { open.append((key, question)) }
      }
    }
    return open
  }

  /// The question the answer line answers: the one chosen (the newest revealed, or picked with
  /// ↑/↓ while answering) while it is open, else the first open one.
  public var activeQuestion: (key: QuestionKey, question: SceneQuestion)? {
    let open = openQuestions
    return open.first { $0.key == chosenQuestion } ?? open.first
  }

  // MARK: - Update

  /// Every key of a lesson, one line per action: `press` looks keys up here (the focused
  /// field's actions first, see `action(for:)`), the help is drawn from it, and the hint bar's
  /// keys (`hintsForFocus`) are held to it by the tests. A key not in it does nothing.
  public static let keys: [KeyBinding<Action>] = [
    KeyBinding([.left, .right], "previous/next step", actions: [.previous, .next]),
    KeyBinding([.char(" "), .char("s")], "play/pause, skip to the end", actions: [.playPause, .skipToEnd], keyLabel: "space/s"),
    KeyBinding(
      [.char("+"), .char("-"), .char("="), .char("_")], "faster/slower", actions: [.faster, .slower, .faster, .slower],
      keyLabel: "+/-"),
    KeyBinding([.char(","), .char(".")], "one frame back/forward", actions: [.frameBack, .frameForward]),
    KeyBinding(
      [.tab, .backTab, .char("e")], "focus kernel/cursor/answer, Shift-Tab back; e kernel", actions: [.cycleFocus, .cycleFocusBack, .editKernel],
      keyLabel: "Tab/e"),
    KeyBinding(
      [.up, .down, .left, .right], "in the kernel or on a stack: move the cursor", action: .moveCursor, keyLabel: "arrows"),
    KeyBinding([.up, .down], "in the answer line: choose the question it answers", action: .chooseQuestion),
    KeyBinding(
      LessonPlayer.typedInFields.map { .char($0) }, "type a value or an answer", action: .type,
      keyLabel: LessonPlayer.typedInFieldsLabel),
    KeyBinding([.enter], "set the cell / check the answer", action: .enter),
    KeyBinding([.backspace], "delete the last character", action: .backspace),
    KeyBinding([.char("p")], "the preset knob: the kernel's next preset", action: .preset),
    KeyBinding(
      [.char("["), .char("]"), .char("<"), .char(">"), .char("o")],
      "knobs: choose, turn down/up, the lesson's settings",
      actions: [.previousKnob, .nextKnob, .turnDown, .turnUp, .restoreKnobs], keyLabel: "[ ] < > o"),
    KeyBinding([.char("c"), .char("g")], "next channel of a stack / grids as numbers or shades", actions: [.nextChannel, .swapShades]),
    KeyBinding([.char("r")], "reset kernels and animation", action: .reset),
    KeyBinding([.char("h")], "the challenge's next hint, then its solution", action: .hint),
    KeyBinding([.up, .down, .pageUp, .pageDown], "scroll the text", actions: [.scrollUp, .scrollDown, .scrollUp, .scrollDown]),
    KeyBinding([.char("t")], "train this step's network live (MNIST)", action: .trainLive),
    KeyBinding([.char("?")], "help", action: .help),
    KeyBinding([.char("q"), .escape], "back", action: .back),
  ]

  /// What a field types: digits, `-`, `.`, `/` and, for a shape answer, `x` (a label answer
  /// takes letters too). Nothing else types, so `,` still steps a frame back while answering.
  static let typedInFields = Array("0123456789-./x")
  static let typedInFieldsLabel = "0-9 - . / x"
  /// What the kernel editor types (no shapes there).
  static let typedInKernel = Set("0123456789-./")

  /// Actions the kernel editor and the answer line take while they have focus; other keys go
  /// to the lesson, whose actions are the rest.
  static let kernelActions: Set<Action> = [.moveCursor, .type, .enter, .backspace, .back, .cycleFocus, .cycleFocusBack]
  static let answerActions: Set<Action> = [.chooseQuestion, .type, .enter, .backspace, .back]
  static let fieldOnlyActions: Set<Action> = [.moveCursor, .chooseQuestion, .backspace]
  /// Actions the receptive-field cursor takes while it has focus.
  static let fieldCursorActions: Set<Action> = [.moveCursor, .back, .cycleFocus, .cycleFocusBack]

  /// The action of `key` with the current focus: the focused field's binding of the key, else
  /// the lesson's; nil for a key the table does not bind.
  func action(for key: Key) -> Action? {
    if focus == .answer, activeQuestion?.question.expected.isLabel == true, case .char(let c) = key,
      c.isLetter || "_'\"".contains(c)
    {
      return .type  // A label answer (`X`, `cat`) takes letters, so q types rather than leaves.
    }
    let fieldActions: Set<Action> =
      switch focus {
      case .kernel: LessonPlayer.kernelActions
      case .answer: LessonPlayer.answerActions
      case .field: LessonPlayer.fieldCursorActions
      case .lesson: []
      }
    let bound = LessonPlayer.keys.compactMap { $0.action(for: key) }
    if let action = bound.first(where: fieldActions.contains) { return action }
    return bound.first { !LessonPlayer.fieldOnlyActions.contains($0) }
  }

  public mutating func update(_ message: Message) -> [Effect] {
    switch message {
    case .resized(let width, let height):
      screen = (width, height)
      clampProseScroll()
      // Also the first message a run loop sends: an animation that is playing needs its tick.
      return animationEffect
    case .ticked:
      guard playing else { return [] }
      if frame < lastFrame { frame += 1 }
      if frame >= lastFrame {
        playing = false
        return []
      }
      return [.tick(afterMilliseconds: interval)]
    case .keyPressed(let key):
      status = nil
      return press(key)
    case .mouse(let event):
      return mouse(event)
    case .trainingPublished, .trainingFailedToStart, .progressNotSaved:
      return []  // a lesson has no trainer and saves nothing itself
    }
  }

  private mutating func press(_ key: Key) -> [Effect] {
    guard let action = action(for: key) else { return [] }
    switch focus {
    case .kernel:
      guard let kernel = editable[safe: kernelIndex] else {
        focus = .lesson
        return press(key)
      }
      if let effects = kernelAction(action, key: key, kernel: kernel) { return effects }
    case .answer:
      guard let active = activeQuestion else {
        focus = .lesson
        return press(key)
      }
      if let effects = answerAction(action, key: key, active) { return effects }
    case .field:
      guard offersFieldCursor else {
        focus = .lesson
        return press(key)
      }
      switch action {
      case .moveCursor:
        let (dr, dc) = key == .up ? (-1, 0) : key == .down ? (1, 0) : key == .left ? (0, -1) : (0, 1)
        moveFieldCursor(rows: dr, columns: dc)
        return []
      case .back where key == .escape:
        focus = .lesson
        return []
      case .cycleFocus, .cycleFocusBack:
        cycleFocus(forward: action == .cycleFocus)
        return []
      default:
        break
      }
    case .lesson:
      break
    }
    switch action {
    case .next: return next()
    case .previous: return previous()
    case .playPause: return togglePlay()
    case .skipToEnd:
      guard revealedAnimation != nil else { break }
      playing = false
      frame = lastFrame
    case .faster: speed = min(LessonPlayer.speeds.count - 1, speed + 1)
    case .slower: speed = max(0, speed - 1)
    case .frameForward: stepFrame(by: 1)
    case .frameBack: stepFrame(by: -1)
    case .cycleFocus: cycleFocus(forward: true)
    case .cycleFocusBack: cycleFocus(forward: false)
    case .preset: cyclePreset()
    case .nextChannel: cycleChannel()
    case .swapShades:
      shadesSwapped.toggle()
      status = shadesSwapped ? "grids drawn in shades: g again for numbers" : "grids as the lesson draws them"
    case .editKernel:
      if editable.isEmpty {
        status = "this step has no kernel to edit"
      } else {
        focus = .kernel
        playing = false
      }
    case .reset: reset()
    case .previousKnob: chooseKnob(by: -1)
    case .nextKnob: chooseKnob(by: 1)
    case .turnDown: turnKnob(by: -1)
    case .turnUp: turnKnob(by: 1)
    case .restoreKnobs:
      if turnedOperations.isEmpty {
        status = knobs.isEmpty ? LessonPlayer.noKnobs : "the knobs are at the lesson's settings"
      } else {
        restoreKnobs()
        status = "knobs back to the lesson's settings"
      }
    case .hint: askForHint()
    case .trainLive:
      if trainsLive, let spec = liveSpec {
        wantsTraining = spec
      } else {
        status = "t trains a step's table of layers for 28x28 digits live; this step has none"
      }
    case .help: wantsHelp = true
    case .scrollUp: scrollProse(by: key == .pageUp ? -max(1, proseHeight - 1) : -1)
    case .scrollDown: scrollProse(by: key == .pageDown ? max(1, proseHeight - 1) : 1)
    case .enter:
      if activeQuestion != nil { focus = .answer }
    case .back:
      // Esc first leaves a field; q always goes back to the course.
      editBuffer = nil
      focus = .lesson
      playing = false
      wantsToLeave = true
    case .type:
      // Digits and `/` start a value: the answer when a question waits, else the kernel.
      guard case .char(let c) = key, c.isNumber || c == "/" else { break }
      if activeQuestion != nil {
        focus = .answer
        answerBuffer.append(c)
      } else if !editable.isEmpty {
        focus = .kernel
        editBuffer = String(c)
      }
    case .moveCursor, .chooseQuestion, .backspace:
      break
    }
    return []
  }

  /// What an action does while the kernel editor has focus; nil leaves it to the lesson.
  private mutating func kernelAction(_ action: Action, key: Key, kernel: EditableKernel) -> [Effect]? {
    switch action {
    case .moveCursor:
      switch key {
      case .up: moveCursor(rows: -1, columns: 0, in: kernel)
      case .down: moveCursor(rows: 1, columns: 0, in: kernel)
      case .left: moveCursor(rows: 0, columns: -1, in: kernel)
      default: moveCursor(rows: 0, columns: 1, in: kernel)
      }
    case .type:
      guard case .char(let c) = key, LessonPlayer.typedInKernel.contains(c) else { return [] }
      // A minus with nothing typed starts a negative number; `-` for "slower" needs lesson focus.
      editBuffer = (editBuffer ?? "") + String(c)
    case .backspace:
      if var text = editBuffer, !text.isEmpty {
        text.removeLast()
        editBuffer = text
      }
    case .enter:
      commitEdit(kernel)
    case .back where key == .escape:
      if editBuffer != nil { editBuffer = nil } else { focus = .lesson }
    case .cycleFocus, .cycleFocusBack:
      if editBuffer != nil { commitEdit(kernel) }
      cycleFocus(forward: action == .cycleFocus)
    default:
      return nil
    }
    return []
  }

  /// What an action does while the answer line has focus; nil leaves it to the lesson.
  private mutating func answerAction(
    _ action: Action, key: Key, _ active: (key: QuestionKey, question: SceneQuestion)
  ) -> [Effect]? {
    switch action {
    case .type:
      guard case .char(let c) = key else { return [] }
      answerBuffer.append(c)
    case .backspace:
      if !answerBuffer.isEmpty { answerBuffer.removeLast() }
    case .enter:
      submit(active.key, active.question)
    case .back where key == .escape:
      focus = .lesson
    case .chooseQuestion:
      // With several questions open, the arrows choose which one the line answers.
      let open = openQuestions
      guard open.count > 1, let index = open.firstIndex(where: { $0.key == active.key }) else { return [] }
      let next = open[(index + (key == .down ? 1 : open.count - 1)) % open.count]
      if next.key != active.key { answerBuffer = "" }
      chosenQuestion = next.key
    default:
      return nil
    }
    return []
  }

  // MARK: - Steps and beats

  /// Moves to `index` and reveals its first run of beats (or all of them).
  mutating func arrive(at index: Int, revealAll: Bool = false) {
    chosenChannel = nil
    knobIndex = 0
    step = max(0, min(index, scenes.count - 1))
    beat = -1
    beatBeforeProblem = nil
    frame = 0
    playing = false
    proseScroll = 0
    editBuffer = nil
    answerBuffer = ""
    chosenQuestion = nil
    kernelIndex = 0
    cursor = 0
    if focus != .lesson { focus = .lesson }
    guard let scene else { return }
    if let turnedStep = turnedOperations.keys.filter({ $0 < step }).max() {
      status = "computed with the knobs turned in step \(turnedStep + 1): o gives the lesson's settings"
    }
    if revealAll {
      beat = scene.beats.count - 1
      frame = lastFrame
    } else {
      revealNextRun()
    }
  }

  /// Reveals beats up to and including the next question or operation, and scrolls the prose
  /// so that what was just revealed starts in view.
  private mutating func revealNextRun() {
    guard let scene else { return }
    let width = layout.prose.width
    let before = proseLines(width: width).count
    defer {
      // Only new text scrolls, to its first line (past the blank line before a paragraph);
      // an operation or a question alone keeps the explanation where it was.
      let lines = proseLines(width: width)
      if lines.count > before {
        scrollProse(toLine: lines[before].text.isEmpty ? before + 1 : before)
      }
    }
    while beat < scene.beats.count - 1 {
      beat += 1
      switch scene.beats[beat] {
      case .operation:
        startAnimation()
        return
      case .question:
        if !turnedOperations.isEmpty {
          // A question asks about the lesson's own settings.
          restoreKnobs()
          status = "knobs back to the lesson's settings: the question is about them"
        }
        if focus == .lesson || focus == .answer { focus = .answer }
        answerBuffer = ""
        chosenQuestion = QuestionKey(step: step, beat: beat)
        return
      default: continue
      }
    }
  }

  /// The placement the step's `focus` names, or the first.
  private var focusFrame: Int? {
    guard let target = scene?.focus, let animation = scene?.animation else { return nil }
    return LessonPlayer.frameIndex(of: target, filter: 0, in: animation)
  }

  /// Starts the step's animation: at its focus, or from the first frame; one seen before
  /// opens on its last frame (space replays it) unless `replay` asks for it again.
  private mutating func startAnimation(replay: Bool = false) {
    let seen = scene?.animation.map(LessonPlayer.fingerprint)
    if let start = focusFrame {
      frame = start
      playing = false
    } else if !replay, let seen, seenAnimations.contains(seen), lastFrame > 0 {
      frame = lastFrame
      playing = false
      status = "seen before: space plays it again"
    } else {
      frame = 0
      playing = lastFrame > 0
    }
    if let seen { seenAnimations.insert(seen) }
  }

  /// The same operation on the same numbers gives the same fingerprint, in any lesson: a
  /// 64-bit FNV-1a hash of everything the animation holds, as hex.
  static func fingerprint(_ animation: Animation) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in String(describing: animation).utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    return String(hash, radix: 16)
  }

  private var animationEffect: [Effect] { playing ? [.tick(afterMilliseconds: interval)] : [] }

  mutating func next() -> [Effect] {
    guard let scene else { return [] }
    if beat < scene.beats.count - 1 {
      revealNextRun()
      return animationEffect
    }
    completedSteps.insert(step)
    if step + 1 < scenes.count {
      arrive(at: step + 1)
      return animationEffect
    }
    if finished && (source.number < source.count || leadsToTraining) {
      wantsNextLesson = true
      return []
    }
    finished = true
    return []
  }

  /// What the learner is told once the lesson is finished: where `→` leads from here.
  func completionMessage(glyphs: Glyphs) -> String {
    if source.number < source.count {
      return "Lesson complete. Press \(glyphs.arrowRight) for the next lesson, or q for the course."
    }
    return leadsToTraining
      ? "Course complete. Press \(glyphs.arrowRight) to train a network live, or q for the course."
      : "Course complete. Press q to go back to the course."
  }

  mutating func previous() -> [Effect] {
    guard let scene else { return [] }
    // Back to the previous stop inside the step, if there is one.
    let stops = scene.beats.indices.filter { index in
      switch scene.beats[index] {
      case .operation, .question: return true
      default: return false
      }
    }
    if let firstStop = stops.first, beat > firstStop {
      beat = stops.last { $0 < beat } ?? firstStop
      if let op = operationBeat, op == beat { startAnimation() }
      if operationBeat.map({ $0 > beat }) ?? false { playing = false }
      return animationEffect
    }
    if step > 0 { arrive(at: step - 1, revealAll: true) }
    return []
  }

  // MARK: - Animation

  private mutating func togglePlay() -> [Effect] {
    guard revealedAnimation != nil else {
      return next()
    }
    if playing {
      playing = false
      return []
    }
    if frame >= lastFrame { frame = 0 }
    playing = lastFrame > 0
    chosenChannel = nil
    return animationEffect
  }

  private mutating func stepFrame(by delta: Int) {
    guard revealedAnimation != nil else { return }
    playing = false
    chosenChannel = nil
    frame = max(0, min(lastFrame, frame + delta))
  }

  /// The frame of the placement that writes output cell `target` of filter (or channel) `filter`.
  public static func frameIndex(of target: GridPosition, filter: Int, in animation: Animation) -> Int? {
    animation.content.frameIndex(of: target, filter: filter)
  }

  // MARK: - Focus and kernels

  private mutating func cycleFocus(forward: Bool) {
    // With several kernels to edit, Tab goes through each of them before leaving the editor.
    let next = kernelIndex + (forward ? 1 : -1)
    if focus == .kernel, editable.count > 1, editable.indices.contains(next) {
      playing = false
      chooseKernel(next)
      return
    }
    var order: [Focus] = [.lesson]
    if !editable.isEmpty { order.append(.kernel) }
    if offersFieldCursor { order.append(.field) }
    if activeQuestion != nil { order.append(.answer) }
    let index = order.firstIndex(of: focus) ?? 0
    focus = order[(index + (forward ? 1 : order.count - 1)) % order.count]
    if focus == .kernel, editable.count > 1 { chooseKernel(forward ? 0 : editable.count - 1) }
    if focus == .kernel || focus == .field { playing = false }
  }

  /// Stops the animation at `index` (clamped): the window the cursor or a click chose.
  mutating func showFrame(_ index: Int) {
    frame = max(0, min(index, lastFrame))
    playing = false
  }

  /// Puts the editor on kernel `index` of the step's editable kernels; when the operation
  /// slides several kernels, the stack of maps shows that kernel's map.
  private mutating func chooseKernel(_ index: Int) {
    guard let kernel = editable[safe: index] else { return }
    if index != kernelIndex { cursor = 0 }
    kernelIndex = index
    editBuffer = nil
    if let animation = revealedAnimation?.content, animation.parts(frame: frame).kernels.count > 1,
      let channel = animation.parts(frame: frame).kernels.firstIndex(of: kernel.name)
    {
      chosenChannel = channel
      // The working under the grids follows: the last window of that kernel's map.
      if let shape = animation.focusShape, shape.count == 2,
        let last = animation.frameIndex(of: GridPosition(row: shape[0] - 1, col: shape[1] - 1), filter: channel)
      {
        playing = false
        frame = last
      }
    }
    status = "editing \(kernel.name) (\(index + 1) of \(editable.count)): Tab the next"
  }

  /// Rows and columns of the editor for a kernel shape: channels are stacked as rows.
  static func editorShape(_ shape: [Int]) -> (rows: Int, columns: Int) {
    switch shape.count {
    case 0: return (0, 0)
    case 1: return (1, shape[0])
    case 2: return (shape[0], shape[1])
    default: return (shape.dropLast().reduce(1, *), shape[shape.count - 1])
    }
  }

  private mutating func moveCursor(rows dr: Int, columns dc: Int, in kernel: EditableKernel) {
    if editBuffer != nil { commitEdit(kernel) }
    let (rows, columns) = LessonPlayer.editorShape(kernel.shape)
    guard rows > 0, columns > 0 else { return }
    let row = max(0, min(rows - 1, cursor / columns + dr))
    let column = max(0, min(columns - 1, cursor % columns + dc))
    cursor = row * columns + column
  }

  private mutating func commitEdit(_ kernel: EditableKernel) {
    guard let text = editBuffer else { return }
    editBuffer = nil
    guard !text.isEmpty, text != "-" else { return }
    guard let value = LessonPlayer.number(text) else {
      status = "'\(text)' is not a number: type digits, a minus sign, a point or a fraction like 1/9"
      return
    }
    var setting = kernel.setting
    guard setting.values.indices.contains(cursor) else { return }
    setting.values[cursor] = value
    setEdit(kernel.name, setting)
  }

  /// Sets a kernel and, when that changes it, asks the planner for every scene again.
  mutating func setEdit(_ name: String, _ setting: KernelSetting) {
    // Retyping a value is still an attempt at the step's challenge: its hint shows either way.
    editedInStep.insert(step)
    guard edits[name] != setting else { return }
    edits[name] = setting
    replan()
  }

  /// The scenes for the kernels as edited and the operations as turned.
  private func planned() -> [Scene] {
    if !turnedOperations.isEmpty, let planTurned = source.planTurned { return planTurned(edits, turnedOperations) }
    return source.plan(edits)
  }

  private mutating func replan() {
    scenes = planned()
    recordSolvedChallenges()
    if step >= scenes.count { step = max(0, scenes.count - 1) }
    if let scene {
      let reached = max(beat, beatBeforeProblem ?? -1)
      beat = min(reached, scene.beats.count - 1)
      beatBeforeProblem = scene.problem == nil ? nil : reached
    }
    frame = min(frame, lastFrame)
  }

  /// Notes every challenge the current kernels meet; progress keeps them.
  private mutating func recordSolvedChallenges() {
    for scene in scenes {
      for case .challenge(let challenge) in scene.beats where challenge.isSolved {
        solvedChallenges.insert(challenge.prompt)
      }
    }
  }

  /// The challenge of the current step, once it is revealed.
  var revealedChallenge: SceneChallenge? {
    guard let scene else { return nil }
    for (index, beat) in scene.beats.enumerated() where index <= self.beat {
      if case .challenge(let challenge) = beat { return challenge }
    }
    return nil
  }

  /// How many hints of this step's challenge are shown: those asked for, and the first one as
  /// soon as the learner has tried a kernel.
  var hintsShown: Int {
    max(hintsAsked[step] ?? 0, editedInStep.contains(step) ? 1 : 0)
  }

  /// Whether this step's challenge shows its solution: only after every hint, and only once the
  /// learner has tried a kernel of their own.
  var solutionShown: Bool {
    guard let challenge = revealedChallenge else { return false }
    return editedInStep.contains(step) && hintsShown > challenge.hints.count
  }

  /// `h`: the next hint, or after the last one (and a try) the solution.
  private mutating func askForHint() {
    guard let challenge = revealedChallenge else {
      status = "this step has no challenge"
      return
    }
    let shown = hintsShown
    if shown < challenge.hints.count {
      hintsAsked[step] = shown + 1
      status = "hint \(shown + 1) of \(challenge.hints.count)"
    } else if !editedInStep.contains(step) {
      status = "try a kernel of your own first; then h shows the solution"
    } else if challenge.solution.isEmpty {
      status = "that was the last hint"
    } else {
      hintsAsked[step] = challenge.hints.count + 1
      status = "the solution is below the goals"
    }
  }

  /// Shows the next channel of the step's stacks (the operation's input and output, drawn a
  /// channel at a time), pausing the animation.
  private mutating func cycleChannel() {
    guard let animation = revealedAnimation, let scene else {
      status = "no stack of channels here: c works once the operation runs"
      return
    }
    let parts = animation.content.parts(frame: frame)
    let stacks = scene.grids.filter { grid in
      grid.tensor.rank == 3
        && ((grid.name == parts.input && parts.inputChannel != nil) || (grid.name == parts.output && parts.outputChannel != nil))
    }
    guard let channels = stacks.map({ $0.tensor.shape[0] }).max(), channels > 1 else {
      status = "this step shows no stack of channels"
      return
    }
    let grid = stacks[0]
    let current = shownChannel(of: grid.name, frameChannel: (grid.name == parts.input ? parts.inputChannel : parts.outputChannel) ?? 0, channels: channels)
    playing = false
    chosenChannel = (current + 1) % channels
    status = "channel \(chosenChannel! + 1) of \(channels)"
  }

  /// The kernel the preset knob (and `p`) sets: the one in the editor, else the step's first.
  var presetKernel: EditableKernel? { editable[safe: focus == .kernel ? kernelIndex : 0] }

  /// `p`, or the preset knob turned by `notches`: the kernel's next (or previous) preset, round.
  private mutating func cyclePreset(by notches: Int = 1) {
    guard let kernel = presetKernel, !kernel.presets.isEmpty else {
      status = editable.isEmpty ? "this step has no kernel to edit" : "this kernel has no presets"
      return
    }
    let count = kernel.presets.count
    let current = kernel.presets.firstIndex { KernelSetting(preset: $0) == kernel.setting }
    let next = current.map { (($0 + notches) % count + count) % count } ?? (notches > 0 ? 0 : count - 1)
    let preset = kernel.presets[next]
    editBuffer = nil
    setEdit(kernel.name, KernelSetting(preset: preset))
    status = "\(kernel.name): preset \(preset.name)"
  }

  private mutating func reset() {
    for kernel in editable { edits[kernel.name] = nil }
    turnedOperations = [:]
    lessonOperations = [:]
    editBuffer = nil
    editedInStep.remove(step)
    replan()
    if revealedAnimation != nil { startAnimation(replay: true) }
    status = editable.isEmpty ? "animation restarted" : "kernels reset to the lesson's values"
  }

  // MARK: - Knobs

  static let noKnobs = "this step has no knobs: convolution, pooling, activation and kernel preset steps do"
  /// The knob that sets an edited kernel to one of its presets (`p` turns it up too).
  static let presetKnobName = "preset"
  /// Questions check the lesson's own settings, so knobs wait for the answer.
  static let knobsLocked = "answer first, then turn the knobs: the question is about the lesson's settings"

  /// The knobs of the step's operation, with their current values, then the preset knob of a
  /// kernel the step edits, when it has presets (its value is the preset it holds, or `own`).
  public var knobs: [Knob] {
    var knobs = scene?.operation?.knobs ?? []
    if let kernel = presetKernel, !kernel.presets.isEmpty {
      let current = kernel.presets.first { KernelSetting(preset: $0) == kernel.setting }
      knobs.append(Knob(name: LessonPlayer.presetKnobName, value: current?.name ?? "own"))
    }
    return knobs
  }

  /// The knob `<` and `>` turn.
  public var chosenKnob: Knob? {
    let knobs = self.knobs
    return knobs.isEmpty ? nil : knobs[min(knobIndex, knobs.count - 1)]
  }

  /// The lesson's own value of knob `name`, when the learner turned it away from it.
  public func lessonValue(of name: String) -> String? {
    guard let lesson = lessonOperations[step]?.knobs.first(where: { $0.name == name }),
      let current = knobs.first(where: { $0.name == name }), lesson.value != current.value
    else { return nil }
    return lesson.value
  }

  /// `[` and `]`: the previous or next knob, round.
  private mutating func chooseKnob(by offset: Int) {
    let knobs = self.knobs
    guard !knobs.isEmpty else {
      status = LessonPlayer.noKnobs
      return
    }
    knobIndex = ((min(knobIndex, knobs.count - 1) + offset) % knobs.count + knobs.count) % knobs.count
    status = knobStatus
  }

  /// `<` and `>`: the step planned again with the chosen knob turned, shown whole.
  private mutating func turnKnob(by notches: Int) {
    if chosenKnob?.name == LessonPlayer.presetKnobName {
      // A preset is an edit of the kernel, like typing its cells: it waits for no question.
      cyclePreset(by: notches)
      return
    }
    guard let knob = chosenKnob, let operation = scene?.operation else {
      status = LessonPlayer.noKnobs
      return
    }
    guard revealedAnimation != nil else {
      status = "run the operation first (→), then turn its knobs"
      return
    }
    guard activeQuestion == nil else {
      status = LessonPlayer.knobsLocked
      return
    }
    guard let turned = operation.turning(knob.name, by: notches) else {
      status = "\(knob.name) \(knob.value) is as \(notches > 0 ? "far up" : "far down") as it turns"
      return
    }
    if lessonOperations[step] == nil { lessonOperations[step] = operation }
    turnedOperations[step] = turned == lessonOperations[step] ? nil : turned
    replan()
    playing = false
    frame = lastFrame
    status = knobStatus
  }

  /// `stride 2 (the lesson's: 1)`, and the keys.
  var knobStatus: String {
    guard let knob = chosenKnob else { return LessonPlayer.noKnobs }
    // A preset is an edit of the kernel: r, not o, gives the lesson's kernel back.
    if knob.name == LessonPlayer.presetKnobName { return "knob preset \(knob.value): < > turns it, [ ] another, r resets" }
    let lesson = lessonValue(of: knob.name).map { " (the lesson's: \($0))" } ?? ""
    return "knob \(knob.name) \(knob.value)\(lesson): < > turns it, [ ] another, o restores"
  }

  /// The knobs progress saved, turned again from the lesson's operations: each step's operation
  /// is turned one notch at a time until the knob reads the saved value (a value it never
  /// reaches, from a lesson changed since, is left at the lesson's).
  private mutating func restoreKnobs(_ saved: [LessonProgress.SavedKnob]) {
    for (index, knobs) in Dictionary(grouping: saved, by: \.step) {
      guard let lesson = scenes[safe: index]?.operation else { continue }
      var operation = lesson
      for knob in knobs {
        operation = LessonPlayer.turning(operation, knob.name, to: knob.value) ?? operation
      }
      guard operation != lesson else { continue }
      lessonOperations[index] = lesson
      turnedOperations[index] = operation
    }
    if !turnedOperations.isEmpty { scenes = planned() }
  }

  /// `operation` with knob `name` turned until it reads `value`; nil when no turn gets there.
  static func turning(_ operation: StepOperation, _ name: String, to value: String) -> StepOperation? {
    if operation.knobs.first(where: { $0.name == name })?.value == value { return operation }
    for direction in [1, -1] {
      var current = operation
      // A knob turns through a few values; a toggle (mode) comes round after two.
      for _ in 0..<16 {
        guard let next = current.turning(name, by: direction) else { break }
        if next.knobs.first(where: { $0.name == name })?.value == value { return next }
        current = next
      }
    }
    return nil
  }

  /// Gives the step back the operation the lesson writes.
  private mutating func restoreKnobs() {
    turnedOperations = [:]
    lessonOperations = [:]
    replan()
  }

  /// Parses `2`, `-0.5`, `.5`, `1/9` as typed into a kernel cell.
  static func number(_ text: String) -> Double? {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 1 || parts.count == 2 else { return nil }
    func decimal(_ s: Substring) -> Double? {
      guard !s.isEmpty, s.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) else { return nil }
      var t = String(s)
      if t.hasPrefix("-.") { t = "-0" + t.dropFirst() } else if t.hasPrefix(".") { t = "0" + t }
      return Double(t)
    }
    guard let numerator = decimal(parts[0]) else { return nil }
    if parts.count == 2 {
      guard let denominator = decimal(parts[1]), denominator != 0 else { return nil }
      return numerator / denominator
    }
    return numerator
  }

  // MARK: - Questions

  private mutating func submit(_ key: QuestionKey, _ question: SceneQuestion) {
    let typed = answerBuffer.trimmingCharacters(in: " ")
    guard !typed.isEmpty else { return }
    var state = answers[key] ?? AnswerState(text: typed, correct: false)
    state.text = typed
    state.correct = question.accepts(typed)
    if !state.correct { state.wrongAttempts += 1 }
    answers[key] = state
    answerBuffer = ""
    if state.correct {
      focus = activeQuestion != nil ? .answer : .lesson
    }
  }

  // MARK: - Mouse

  private mutating func mouse(_ event: MouseEvent) -> [Effect] {
    let layout = self.layout
    switch event.kind {
    case .wheelUp:
      scrollProse(by: -2)
    case .wheelDown:
      scrollProse(by: 2)
    case .leftClick:
      for panel in layout.panels {
        guard let cell = panel.cell(atX: event.x, y: event.y) else { continue }
        switch panel.kind {
        case .kernel(let index):
          if let kernel = editable[safe: index] {
            if focus == .kernel, let current = editable[safe: kernelIndex], editBuffer != nil {
              commitEdit(current)
            }
            focus = .kernel
            if editable.count > 1 { chooseKernel(index) }
            kernelIndex = index
            let (_, columns) = LessonPlayer.editorShape(kernel.shape)
            cursor = (panel.channel * (LessonPlayer.editorShape(kernel.shape).rows / max(1, panel.channels)) + cell.row)
              * columns + cell.col
            playing = false
          }
        case .output(let filter):
          if let animation = revealedAnimation,
            let index = LessonPlayer.frameIndex(of: cell, filter: filter, in: animation)
          {
            frame = min(index, lastFrame)
            playing = false
            if offersFieldCursor { focus = .field }
          }
        default: break
        }
        return []
      }
      if layout.answerBox?.contains(x: event.x, y: event.y) == true, activeQuestion != nil {
        focus = .answer
      }
    case .rightClick, .leftDrag, .rightDrag:
      break
    }
    return []
  }

  // MARK: - Prose scrolling

  var proseHeight: Int { layout.prose.height }

  private mutating func scrollProse(by delta: Int) {
    proseScroll += delta
    clampProseScroll()
  }

  private mutating func clampProseScroll() {
    let layout = self.layout
    let total = proseLines(width: layout.prose.width).count
    proseScroll = max(0, min(proseScroll, total - layout.prose.height))
  }

  /// Scrolls so that prose line `line` is in view, as near the top as the text allows.
  private mutating func scrollProse(toLine line: Int) {
    let layout = self.layout
    let total = proseLines(width: layout.prose.width).count
    proseScroll = max(0, min(line, total - layout.prose.height))
  }

  // MARK: - Progress

  /// What to save about this lesson.
  public var progress: LessonProgress {
    LessonProgress(
      step: step, completedSteps: completedSteps.sorted(), finished: finished,
      answers: answers.map { LessonProgress.SavedAnswer(key: $0.key, state: $0.value) }
        .sorted { ($0.key.step, $0.key.beat) < ($1.key.step, $1.key.beat) },
      kernels: edits.keys.sorted().compactMap { name in
        edits[name].map { LessonProgress.SavedKernel(name: name, values: $0.values, scale: $0.scale) }
      },
      solvedChallenges: solvedChallenges.isEmpty ? nil : solvedChallenges.sorted(),
      knobs: savedKnobs.isEmpty ? nil : savedKnobs)
  }

  /// The knobs the learner turned away from the lesson's settings, step by step.
  var savedKnobs: [LessonProgress.SavedKnob] {
    turnedOperations.keys.sorted().flatMap { index -> [LessonProgress.SavedKnob] in
      guard let turned = turnedOperations[index], let lesson = lessonOperations[index] else { return [] }
      return turned.knobs.filter { !lesson.knobs.contains($0) }.map {
        LessonProgress.SavedKnob(step: index, name: $0.name, value: $0.value)
      }
    }
  }
}

extension Array {
  subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

extension String {
  func trimmingCharacters(in set: Character) -> String {
    var s = Substring(self)
    while s.first == set { s = s.dropFirst() }
    while s.last == set { s = s.dropLast() }
    return String(s)
  }
}

extension LessonPlayer {
  /// Goes to `step` (0-based) as a learner arriving there would see it; with `frame`, also
  /// reveals the step's operation and stops the animation at that frame (clamped). Nothing plays.
  public mutating func show(step index: Int, frame target: Int? = nil) {
    // Shown as asked: animations seen before open as they would the first time.
    let remembered = seenAnimations
    seenAnimations = []
    arrive(at: index)
    seenAnimations.formUnion(remembered)
    if let target, let operation = operationBeat {
      while beat < operation, let scene, beat < scene.beats.count - 1 { _ = next() }
      frame = max(0, min(target, lastFrame))
    }
    playing = false
  }
}
