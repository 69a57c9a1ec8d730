import CNNLabData
import CNNLabEngine
import CNNLabTraining
import Foundation

/// The live training screen: curves, kernels, feature maps, mistakes and a canvas to draw on,
/// over a network training on another thread.
///
/// The screen never touches the network or the trainer: it is a pure function of its messages.
/// Snapshots arrive as `.trainingPublished`, and everything it asks of the trainer (pause, a
/// rate, an inspection, the drawn image's maps as a `.probe`) it returns as `Effect.send`, for
/// the run loop's `TrainerHost` to pass on.
public struct TrainingScreen: Program {
  /// The panes, one at a time; `Tab` and the digit keys switch.
  public enum Pane: Int, CaseIterable, Sendable {
    case curves, kernels, maps, mistakes, draw

    public var title: String {
      switch self {
      case .curves: "Curves"
      case .kernels: "Kernels"
      case .maps: "Maps"
      case .mistakes: "Mistakes"
      case .draw: "Draw"
      }
    }
  }

  public enum Action: Hashable, Sendable {
    case pauseResume, step, faster, slower, optimizer, reset, nextExample, previousExample
    case nextPane, previousPane, pane, help, quit
    case moveCursor, pen, erase, clear, brush
    case scrollUp, scrollDown
    case nextChannel, previousChannel
    case paceUp, paceDown, olderStep, newerStep, firstStep, newestStep, logScale
    case freeze
    case moveCell, openCell, copyToDraw
  }

  /// Keys on every pane except Draw: one binding per action, so help lists each once.
  public static let keys: [KeyBinding<Action>] = [
    KeyBinding(
      [.char(" "), .char("p")], "pause/resume (from the newest step)", action: .pauseResume, keyLabel: "space/p",
      hint: ("space", "pause/resume"), priority: 5),
    KeyBinding([.char("s")], "one step", action: .step, priority: 1),
    KeyBinding(
      [.char("<"), .char(">")], "pace: slower/faster (steps per second)", actions: [.paceDown, .paceUp],
      hint: ("<>", "pace"), priority: 4),
    KeyBinding(
      [.char(","), .char("."), .home, .end], "rewind: older/newer step, first/newest",
      actions: [.olderStep, .newerStep, .firstStep, .newestStep], keyLabel: ", . Home End", hint: (",.", "rewind"),
      priority: 3),
    KeyBinding([.char("l")], "loss curve: log/linear scale", action: .logScale, inHintBar: false),
    KeyBinding(
      [.char("+"), .char("="), .char("-"), .char("_")], "learning rate x2 or /2",
      actions: [.faster, .faster, .slower, .slower], keyLabel: "+/-", hint: ("+/-", "rate"), priority: 3),
    KeyBinding(
      [.char("o"), .char("f")], "optimiser; freeze/unfreeze the first conv layer", actions: [.optimizer, .freeze],
      keyLabel: "o, f", hint: ("o", "optimiser"), priority: 1),
    KeyBinding(
      [.char("r")], "reset to step 0: same seed, first settings", action: .reset,
      hint: ("r", "reset")),
    KeyBinding(
      [.tab, .backTab], "next/previous pane", actions: [.nextPane, .previousPane], hint: ("Tab", "pane"), priority: 4),
    KeyBinding(
      [.char("1"), .char("2"), .char("3"), .char("4"), .char("5"), .char("d")],
      "1 curves, 2 kernels, 3 maps, 4 mistakes, 5/d draw", action: .pane, inHintBar: false,
      keyLabel: "1-5, d"),
    KeyBinding(
      [.char("n"), .char("N"), .right, .left], "next/previous example",
      actions: [.nextExample, .previousExample, .nextExample, .previousExample], hint: ("n/N", "example"),
      priority: 2),
    KeyBinding(
      [.up, .down, .pageUp, .pageDown], "scroll kernels or maps",
      actions: [.scrollUp, .scrollDown, .scrollUp, .scrollDown], inHintBar: false),
    KeyBinding(
      [.char("["), .char("]")], "kernels: previous/next input channel",
      actions: [.previousChannel, .nextChannel], inHintBar: false),
    KeyBinding([.char("?")], "help", action: .help, priority: FitLine.essential),
    leaving(quitsProgram: true, fromCellList: false),
  ]

  /// Keys on the Draw pane (space paints there; `p` still pauses; the other keys that change
  /// no pixel work as on every pane).
  public static let drawKeys: [KeyBinding<Action>] = [
    KeyBinding(
      [.up, .down, .left, .right], "move the pen (down, it draws a line)", action: .moveCursor, keyLabel: "arrows",
      hint: ("arrows", "move"), priority: 4),
    KeyBinding(
      [.char(" "), .enter], "pen down (paints) or up", action: .pen, keyLabel: "space", hint: ("space", "pen"),
      priority: 4),
    KeyBinding([.char("b")], "brush size 1, 2 or 3 px (28x28)", action: .brush, hint: ("b", "brush"), priority: 1),
    KeyBinding(
      [.char("x"), .backspace, .delete, .char("c")], "erase at the pen; clear the canvas",
      actions: [.erase, .erase, .erase, .clear], keyLabel: "x, c", hint: ("x/c", "erase/clear"), priority: 3),
    KeyBinding([.pageUp, .pageDown], "scroll the maps", actions: [.scrollUp, .scrollDown], inHintBar: false),
    KeyBinding(
      [.char("p"), .char("s")], "pause/resume; one step", actions: [.pauseResume, .step], keyLabel: "p, s",
      hint: ("p", "pause/resume")),
    KeyBinding(
      [.char("<"), .char(">")], "pace: slower/faster", actions: [.paceDown, .paceUp], inHintBar: false),
    KeyBinding(
      [.char(","), .char("."), .home, .end], "rewind: older/newer step, first/newest",
      actions: [.olderStep, .newerStep, .firstStep, .newestStep], inHintBar: false, keyLabel: ", . Home End"),
    KeyBinding([.char("f")], "freeze/unfreeze the first conv layer", action: .freeze, inHintBar: false),
    KeyBinding([.char("r")], "reset to step 0: same seed, first settings", action: .reset, inHintBar: false),
    KeyBinding(
      [.char("1"), .char("2"), .char("3"), .char("4"), .char("5")], "1 curves, 2 kernels, 3 maps, 4 mistakes, 5 draw",
      action: .pane, inHintBar: false, keyLabel: "1-5"),
    KeyBinding(
      [.tab, .backTab], "next/previous pane", actions: [.nextPane, .previousPane], hint: ("Tab", "pane"), priority: 1),
    KeyBinding([.char("?")], "help", action: .help, priority: FitLine.essential),
    KeyBinding(
      [.char("q"), .escape], "back (q too)", action: .quit, keyLabel: "Esc", hint: ("Esc", "back"),
      priority: FitLine.essential),
  ]

  /// The pane switch without `d`, for the panes where `d` copies an example to the canvas.
  static let paneDigits = KeyBinding<Action>(
    [.char("1"), .char("2"), .char("3"), .char("4"), .char("5")], "1 curves, 2 kernels, 3 maps, 4 mistakes, 5 draw",
    action: .pane, inHintBar: false, keyLabel: "1-5")

  /// Keys on the Maps pane: every pane's, but `d` copies the example shown to the canvas.
  public static let mapsKeys: [KeyBinding<Action>] = keys.map { binding in
    guard binding.action == .pane else { return binding }
    return KeyBinding(
      paneDigits.keys + [.char("d")], "panes; d copies this example to Draw",
      actions: [.pane, .pane, .pane, .pane, .pane, .copyToDraw], inHintBar: false, keyLabel: "1-5, d")
  }

  /// Keys on the Mistakes pane: the arrows choose a cell of the confusion matrix, Enter lists
  /// the examples in it, and in the list the arrows choose one, Enter opens it in Maps and `d`
  /// copies it to the canvas.
  public static let mistakesKeys: [KeyBinding<Action>] =
    [
      KeyBinding(
        [.up, .down, .left, .right], "choose a cell (in its list, an example)", action: .moveCell,
        keyLabel: "arrows", hint: ("arrows", "cell"), priority: 4),
      KeyBinding(
        [.enter, .char("d")], "list a cell's examples, open one in Maps; d: to Draw",
        actions: [.openCell, .copyToDraw], keyLabel: "Enter, d", hint: ("Enter", "open"), priority: 4),
    ]
    + keys.compactMap { binding in
      switch binding.action {
      case .pane: return paneDigits
      case .nextExample, .scrollUp, .logScale: return nil
      case .quit: return leaving(quitsProgram: true, fromCellList: true)
      default: return binding
      }
    }

  /// What q and Esc say they do on the panes where they leave the screen: quit the program run
  /// on its own, or go back to the course that opened it. On the Mistakes pane they first close
  /// a cell's list of examples. (On the Draw pane they go back to the Curves pane.)
  static func leaving(quitsProgram: Bool, fromCellList: Bool) -> KeyBinding<Action> {
    let (long, short) = quitsProgram ? ("quit", "quit") : ("back to the course", "back")
    return KeyBinding(
      [.char("q"), .escape], fromCellList ? "\(long) (from a cell's list: back)" : long, action: .quit,
      hint: ("q/Esc", fromCellList ? "\(short)/back" : short), priority: FitLine.essential)
  }

  /// The key table of the visible pane: what dispatches keys, and what help and the hint bar list.
  /// Opened from the course, q and Esc go back to it, and the table says so.
  var activeKeys: [KeyBinding<Action>] {
    let table =
      switch pane {
      case .draw: TrainingScreen.drawKeys
      case .maps: TrainingScreen.mapsKeys
      case .mistakes: TrainingScreen.mistakesKeys
      case .curves, .kernels: TrainingScreen.keys
      }
    guard !quitsProgram, pane != .draw else { return table }
    let back = TrainingScreen.leaving(quitsProgram: false, fromCellList: pane == .mistakes)
    return table.map { $0.action == .quit ? back : $0 }
  }

  /// The lecture's three hand-made 3x3 features for X/O: diagonal, X centre, anti-diagonal.
  public static let lectureFeatures: [(name: String, values: [[Float]])] = LectureFeatures.all.map { ($0.name, $0.values) }

  public static let tickMilliseconds = 100
  /// Ticks between two inspections while training, on the Mistakes pane: 2 s. An inspection
  /// is a forward pass over the validation set, which the trainer does instead of steps. A
  /// forward pass is about a third of a training step's work per image, so Fashion-MNIST's
  /// 6,000 validation images cost about what 2,000 training images do: a few percent of 2 s
  /// of training, and only while the pane is shown.
  static let inspectionTicks = 20
  /// From this width the Curves pane also shows the kernels and one example's maps.
  static let overviewWidth = 150
  public static let minimum = (width: 60, height: 20)

  public let data: TrainingData
  public let title: String
  /// Whether `q` quits the program (run on its own) or only asks to leave (inside the course).
  let quitsProgram: Bool
  /// Whether the first conv layer started from the lecture's features (`--init lecture`): each
  /// kernel's twin is then the feature it started from, not the closest one.
  public let startsFromLecture: Bool

  /// The newest snapshot, with what the keys asked for and the trainer has not published yet.
  public private(set) var snapshot: TrainingSnapshot
  /// The newest snapshot as the trainer published it.
  private var latest: TrainingSnapshot
  public private(set) var pane: Pane = .curves {
    didSet { if pane != oldValue { scroll = 0 } }  // each pane starts at its top
  }
  public private(set) var example = 0
  public private(set) var canvas: DigitCanvas
  /// The cell of the confusion matrix chosen on the Mistakes pane, `(truth, predicted)`.
  public private(set) var matrixCell = (row: 0, column: 1)
  /// Whether the chosen cell's examples are listed, and which of them is chosen.
  public private(set) var listsCell = false
  public private(set) var listChoice = 0
  /// Whether the pen is down on the Draw pane: the arrows then paint every pixel they cross.
  public private(set) var penDown = false
  public private(set) var showingHelp = false
  /// Rows the pane's content is scrolled by (kernels, maps), when it does not fit.
  public private(set) var scroll = 0
  /// Which input channel the Kernels pane shows of kernels that see more than one.
  public private(set) var kernelChannel = 0
  /// Set by `q` when the screen does not quit the program itself; the owner clears it.
  public var wantsToLeave = false
  /// The earlier step the learner is looking at (`,` `.` Home End); nil is the newest.
  public private(set) var viewedStep: Int?
  /// Whether the loss curve has a logarithmic scale (`l`).
  public private(set) var logLoss = false
  /// The last thing a key did, shown in the status line.
  public private(set) var notice: String?
  var screen = (width: 80, height: 24)
  private var ticks = 0
  /// The run (`TrainingSnapshot.generation`) the screen last saw.
  private var generation = 0
  private var inspectedAt = (tick: -100, step: -1, generation: -1, viewed: Int?.none)
  private var probeID = 0
  private var probedAt = (tick: -100, step: -1, revision: -1, target: ProbeTarget.canvas, generation: -1)
  /// What the keys asked for and the trainer has not published yet, so quick presses build on
  /// each other (two `+` are x4) and the screen never flickers back to the old value.
  private var pending:
    (state: TrainingState?, rate: Float?, optimizer: OptimizerKind?, pace: TrainingPace?, frozen: Bool?)

  /// A screen showing `snapshot` (a fresh trainer's first) until the next is delivered.
  public init(
    snapshot: TrainingSnapshot = TrainingSnapshot(), data: TrainingData, title: String, quitsProgram: Bool = true,
    startsFromLecture: Bool = false
  ) {
    self.startsFromLecture = startsFromLecture
    self.data = data
    self.title = title
    self.quitsProgram = quitsProgram
    self.snapshot = snapshot
    latest = snapshot
    let shape = data.inputShape
    canvas = DigitCanvas(rows: shape[1], columns: shape[2])
  }

  public var minimumSize: (width: Int, height: Int) { TrainingScreen.minimum }
  var isXO: Bool { data.name == "xo" }
  var examples: LabelledSet { data.validation }

  // MARK: - Update

  public mutating func update(_ message: Message) -> [Effect] {
    switch message {
    case .resized(let width, let height):
      screen = (width, height)
      return refresh() + [.tick(afterMilliseconds: TrainingScreen.tickMilliseconds)]
    case .ticked:
      ticks += 1
      return refresh() + [.tick(afterMilliseconds: TrainingScreen.tickMilliseconds)]
    case .trainingPublished(let published):
      latest = published
      return refresh()
    case .trainingFailedToStart(let problem):
      notice = "training could not start: \(problem)"
      return []
    case .progressNotSaved:
      return []
    case .keyPressed(let key):
      if showingHelp {
        showingHelp = false
        return []
      }
      guard let action = activeKeys.action(for: key) else { return [] }
      let effects = perform(action, key: key)
      return effects + refresh()
    case .mouse(let event):
      if showingHelp {
        if event.kind == .leftClick { showingHelp = false }
        return []
      }
      mouse(event)
      return refresh()
    }
  }

  /// Every key and mouse action goes through here and then `refresh`, which lays what the
  /// trainer has not published yet (`pending`) over its newest snapshot.
  private mutating func perform(_ action: Action, key: Key) -> [Effect] {
    notice = nil
    var effects: [Effect] = []
    // A run that has ended takes no more steps or settings: say so, rather than show a change
    // that nothing will use (r starts again, with the first settings).
    let ended: String? =
      switch snapshot.state {
      case .finished: "training is finished (r starts again)"
      case .failed: "training stopped (r starts again)"
      case .running, .paused: nil
      }
    if let ended, [.pauseResume, .step, .faster, .slower, .optimizer, .freeze].contains(action) {
      notice = ended
      return []
    }
    switch action {
    case .pauseResume:
      if snapshot.state == .running {
        effects.append(.send(.pause))
        pending.state = .paused
        notice = "paused"
      } else {
        effects.append(.send(.resume))
        pending.state = .running
        notice = viewedStep == nil ? "training" : "training on from the newest step, \(snapshot.step)"
        viewedStep = nil
      }
    case .step:
      effects.append(.send(.step(1)))
      notice = viewedStep == nil ? "one step" : "one step on from the newest step, \(snapshot.step)"
      viewedStep = nil
    case .faster, .slower:
      let rate = snapshot.learningRate * (action == .faster ? 2 : 0.5)
      effects.append(.send(.setLearningRate(rate)))
      pending.rate = rate
      notice = "learning rate \(TrainingScreen.rate(rate))"
    case .optimizer:
      let all = OptimizerKind.allCases
      let next = all[((all.firstIndex(of: snapshot.optimizer) ?? 0) + 1) % all.count]
      effects.append(.send(.setOptimizer(next)))
      pending.optimizer = next
      notice = "optimiser \(next.rawValue) (fresh state)"
    case .reset:
      effects.append(.send(.reset))
      pending = (nil, nil, nil, pending.pace, nil)
      viewedStep = nil
      notice = "reset: the same seed gives the same run (paused; space starts)"
    case .freeze:
      guard !snapshot.kernels.isEmpty else {
        notice = "this network has no convolution layer to freeze"
        break
      }
      let frozen = !snapshot.firstLayerFrozen
      effects.append(.send(.freezeFirstLayer(frozen)))
      pending.frozen = frozen
      notice =
        frozen
        ? "layer \(frozenLayer) frozen: its weights stay as they are (f trains them again)"
        : "layer \(frozenLayer) trains again"
    case .paceUp, .paceDown:
      let pace = action == .paceUp ? snapshot.pace.faster : snapshot.pace.slower
      effects.append(.send(.setPace(pace)))
      pending.pace = pace
      notice = "pace \(pace)"
    case .olderStep, .newerStep, .firstStep, .newestStep:
      effects = look(action)
    case .logScale:
      logLoss.toggle()
      notice = logLoss ? "loss on a log scale" : "loss on a linear scale"
    case .nextChannel, .previousChannel:
      let channels = snapshot.kernels.map { $0.weights.shape[1] }.max() ?? 1
      guard channels > 1 else {
        notice = "every kernel sees one input channel"
        break
      }
      kernelChannel = (kernelChannel + (action == .nextChannel ? 1 : channels - 1)) % channels
      notice = "kernels: input channel \(kernelChannel + 1)"
    case .nextExample: choose(example + 1)
    case .previousExample: choose(example - 1)
    case .nextPane: pane = Pane(rawValue: (pane.rawValue + 1) % Pane.allCases.count) ?? .curves
    case .previousPane:
      pane = Pane(rawValue: (pane.rawValue + Pane.allCases.count - 1) % Pane.allCases.count) ?? .curves
    case .pane:
      if case .char(let c) = key {
        pane = c == "d" ? .draw : Pane(rawValue: (Int(String(c)) ?? 1) - 1) ?? pane
      }
    case .help: showingHelp = true
    case .quit:
      if pane == .mistakes && listsCell {
        listsCell = false
        return []
      }
      if pane == .draw {
        pane = .curves
        return []
      }
      if quitsProgram { return [.quit] }
      wantsToLeave = true
    case .moveCursor:
      let (dr, dc) =
        switch key {
        case .up: (-1, 0)
        case .down: (1, 0)
        case .left: (0, -1)
        default: (0, 1)
        }
      let (row, column) = (canvas.cursor.row + dr, canvas.cursor.column + dc)
      // Each key of a held arrow moves one pixel: with the pen down the line stays unbroken.
      if penDown { canvas.stroke(toRow: row, column: column) } else { canvas.moveCursor(toRow: row, column: column) }
    case .pen:
      penDown.toggle()
      if penDown { canvas.paint() }
      notice = penDown ? "pen down: the arrows draw (space lifts it)" : "pen up: the arrows move"
    case .brush:
      if canvas.nextBrushSize() {
        notice = "brush \(canvas.brushSize) px"
      } else {
        notice = "the \(canvas.rows)x\(canvas.columns) canvas paints one pixel at a time"
      }
    case .erase: canvas.erase()
    case .clear: canvas.clear()
    case .moveCell:
      moveCell(key)
    case .openCell:
      openCell()
    case .copyToDraw:
      copyToDraw()
    case .scrollUp, .scrollDown:
      guard let content = scrollingContent() else { break }
      let limit = TrainingScreen.scrollLimit(height: content.height, in: content.area)
      guard limit > 0 else {
        notice = "everything is in view"
        break
      }
      // Half a view per press.
      let step = max(1, (content.area.height - 1) / 2)
      scroll = min(max(0, min(scroll, limit) + (action == .scrollUp ? -step : step)), limit)
    }
    return effects
  }

  /// Moves through the timeline: the kept steps before the newest, then the newest. A running
  /// run pauses first (the pause lands before the view, in the order sent).
  private mutating func look(_ action: Action) -> [Effect] {
    let newest = snapshot.step
    let kept = snapshot.timeline.filter { $0 < newest } + [newest]
    let current = viewedStep ?? newest
    let target: Int? =
      switch action {
      case .olderStep: kept.last { $0 < current }
      case .newerStep: kept.first { $0 > current }
      case .firstStep: kept.first
      default: newest
      }
    guard let target, target != current else {
      notice = action == .olderStep || action == .firstStep ? "this is the first step kept" : "this is the newest step"
      return []
    }
    var effects: [Effect] = []
    if snapshot.state == .running {
      effects.append(.send(.pause))
      pending.state = .paused
    }
    viewedStep = target == newest ? nil : target
    effects.append(.send(.view(step: viewedStep)))
    notice = viewedStep == nil ? "the newest step" : "space trains on from the newest step"
    return effects
  }

  /// The validation examples in the chosen cell of the newest inspection, in order.
  var cellExamples: [Int] {
    guard let predictions = snapshot.inspection?.predictions else { return [] }
    return predictions.indices.filter { examples.labels[$0] == matrixCell.row && predictions[$0] == matrixCell.column }
  }

  private mutating func moveCell(_ key: Key) {
    let classes = data.classNames.count
    if listsCell {
      let count = cellExamples.count
      guard count > 0 else { return }
      let step = key == .up || key == .down ? mistakesPerRow : 1
      let delta = key == .up || key == .left ? -step : step
      listChoice = min(max(0, listChoice + delta), count - 1)
      notice = "example \(cellExamples[listChoice] + 1): Enter opens it in Maps, d copies it to Draw"
      return
    }
    switch key {
    case .up: matrixCell.row = (matrixCell.row + classes - 1) % classes
    case .down: matrixCell.row = (matrixCell.row + 1) % classes
    case .left: matrixCell.column = (matrixCell.column + classes - 1) % classes
    default: matrixCell.column = (matrixCell.column + 1) % classes
    }
    notice = "\(cellTitle): Enter lists them"
  }

  /// `X predicted as O: 12 examples`.
  var cellTitle: String {
    let truth = data.classNames[safe: matrixCell.row] ?? "\(matrixCell.row)"
    let guess = data.classNames[safe: matrixCell.column] ?? "\(matrixCell.column)"
    let count = snapshot.inspection?.confusion[safe: matrixCell.row]?[safe: matrixCell.column] ?? 0
    return "\(truth) predicted as \(guess): \(count) example\(count == 1 ? "" : "s")"
  }

  private mutating func openCell() {
    if !listsCell {
      guard snapshot.inspection != nil else {
        notice = "the confusion matrix is still being computed"
        return
      }
      listsCell = true
      listChoice = 0
      guard !cellExamples.isEmpty else {  // nothing to list: stay on the matrix
        listsCell = false
        notice = "no example in this cell"
        return
      }
      notice = "\(cellTitle): arrows choose, Enter opens in Maps"
      return
    }
    guard let index = cellExamples[safe: listChoice] else {
      notice = "no example in this cell"
      return
    }
    example = index
    pane = .maps
    notice = "example \(index + 1) of \(examples.count), from the matrix: d copies it to Draw"
  }

  /// Copies the chosen example (in a cell's list, or the one on the Maps pane) to the canvas.
  private mutating func copyToDraw() {
    var index = example
    if pane == .mistakes {
      guard listsCell, let chosen = cellExamples[safe: listChoice] else {
        notice = "choose a cell and an example first (arrows, Enter)"
        return
      }
      index = chosen
    }
    let pixels = examples.inputs.slice(index).slice(0).scalars
    // Back from what the network sees to ink 0...1: X/O pixels are −1 or +1, images bytes scaled.
    let ink = isXO ? pixels.map { ($0 + 1) / 2 } : pixels.map { ($0 - data.inputOffset) / (255 * data.inputScale) }
    canvas.load(ink)
    penDown = false
    pane = .draw
    notice = "example \(index + 1) copied to the canvas: edit it, the prediction follows"
  }

  private mutating func choose(_ index: Int) {
    let count = examples.count
    example = ((index % count) + count) % count
    notice = "example \(example + 1) of \(count)"
  }

  private mutating func mouse(_ event: MouseEvent) {
    let layout = self.layout
    if event.y == layout.tabs.y, event.kind == .leftClick {
      var x = layout.tabs.x
      for p in Pane.allCases {
        let width = TrainingScreen.tabLabel(p).count
        if event.x >= x && event.x < x + width { pane = p }
        x += width + 1
      }
      return
    }
    if event.kind == .wheelUp || event.kind == .wheelDown, pane != .mistakes {
      // The wheel scrolls what does not fit (kernels, maps); on Mistakes it picks the example.
      _ = perform(event.kind == .wheelUp ? .scrollUp : .scrollDown, key: .down)
    } else if pane == .draw, let area = drawLayout(layout.body)?.canvas {
      guard let pixel = canvas.pixel(atCellX: event.x - area.x, y: event.y - area.y) else { return }
      switch event.kind {
      case .leftClick, .rightClick:
        canvas.moveCursor(toRow: pixel.row, column: pixel.column)
        if event.kind == .leftClick { canvas.paint() } else { canvas.erase() }
      case .leftDrag, .rightDrag:
        canvas.stroke(toRow: pixel.row, column: pixel.column, erasing: event.kind == .rightDrag)
      case .wheelUp, .wheelDown:
        break
      }
    } else if pane == .mistakes {
      if event.kind == .wheelDown { choose(example + 1) }
      if event.kind == .wheelUp { choose(example - 1) }
      guard event.kind == .leftClick, let places = mistakesLayout(layout.body) else { return }
      if let cell = places.matrix.cell(atX: event.x - places.matrixArea.x, y: event.y - places.matrixArea.y) {
        matrixCell = cell
        listsCell = false
        openCell()
      } else if listsCell, let item = places.items.firstIndex(where: { $0.rect.contains(x: event.x, y: event.y) }) {
        listChoice = places.items[item].position
        openCell()
      }
    }
  }

  /// Lays what the trainer has not published yet over the newest snapshot, and asks the
  /// trainer for what the visible pane needs.
  private mutating func refresh() -> [Effect] {
    var effects: [Effect] = []
    snapshot = latest
    if let state = pending.state {
      // A step or the last epoch can end a run before the pause or resume lands.
      if latest.state == state || (latest.state != .running && latest.state != .paused) {
        pending.state = nil
      } else {
        snapshot.state = state
      }
    }
    if let rate = pending.rate {
      if latest.learningRate == rate { pending.rate = nil } else { snapshot.learningRate = rate }
    }
    if let optimizer = pending.optimizer {
      if latest.optimizer == optimizer { pending.optimizer = nil } else { snapshot.optimizer = optimizer }
    }
    if let pace = pending.pace {
      if latest.pace == pace { pending.pace = nil } else { snapshot.pace = pace }
    }
    if let frozen = pending.frozen {
      if latest.firstLayerFrozen == frozen || generation != latest.generation {
        pending.frozen = nil
      } else {
        snapshot.firstLayerFrozen = frozen
      }
    }
    // A reset, or a run that trained on, leaves nothing earlier to look at.
    if generation != latest.generation || (latest.state == .running && pending.state != .paused) {
      viewedStep = nil
      generation = latest.generation
    }
    let shownStep = viewedStep ?? latest.step
    // An inspection (confusion matrix, worst mistakes) runs the whole validation set on the
    // trainer's thread, so while training it is refreshed every `inspectionTicks`, and only on
    // its pane; a run that stands still (paused, `s` stepping it) gets one for each step it shows.
    if pane == .mistakes {
      let newRun = inspectedAt.generation != latest.generation || inspectedAt.viewed != viewedStep
      let due =
        (ticks - inspectedAt.tick >= TrainingScreen.inspectionTicks || latest.state != .running)
        && inspectedAt.step != shownStep
        && latest.inspection?.step != shownStep
      if newRun || due {
        effects.append(.send(.inspect(example: example)))
        inspectedAt = (ticks, shownStep, latest.generation, viewedStep)
      }
    }
    // Feature maps are one forward pass (a probe): of the chosen example on the Maps pane and
    // the overview, of the drawing on the Draw pane; refreshed twice a second while training.
    if let target = probeTarget {
      let changed = probedAt.target != target || (target == .canvas && probedAt.revision != canvas.revision)
      let moved = probedAt.step != shownStep && (ticks - probedAt.tick >= 5 || viewedStep != nil)
      let reset = probedAt.generation != latest.generation
      if changed || moved || reset {
        probeID += 1
        let input = target == .canvas ? canvasTensor : examples.inputs.slice(example)
        effects.append(.send(.probe(input, id: probeID * TrainingScreen.probeTargets + target.code)))
        probedAt = (ticks, shownStep, canvas.revision, target, latest.generation)
      }
    }
    return effects
  }

  /// What a probe is run on: the drawing, or a validation example.
  enum ProbeTarget: Equatable {
    case canvas
    case example(Int)

    /// Carried in the probe's id (`counter * probeTargets + code`), so an answer tells what it is of.
    var code: Int {
      switch self {
      case .canvas: 0
      case .example(let index): index + 1
      }
    }
  }

  static let probeTargets = 1 << 24

  /// The kernels as they were at the viewed step (once the trainer has answered), else the newest.
  var shownKernels: [KernelSnapshot] {
    guard let viewedStep, let viewed = snapshot.viewed, viewed.step == viewedStep else { return snapshot.kernels }
    return viewed.kernels
  }

  /// The layer `f` freezes, counted from 1 as the Kernels pane counts: the first conv layer.
  var frozenLayer: Int { (snapshot.kernels.first?.layer ?? 0) + 1 }

  /// Each kernel of the first conv layer (as shown, at the viewed step) beside its lecture twin,
  /// for X/O networks whose first layer has 3x3 kernels on one channel; nil otherwise.
  var lectureMatches: [LectureFeatures.Match]? {
    guard isXO, let first = shownKernels.first else { return nil }
    return LectureFeatures.matches(first.weights, twins: startsFromLecture)
  }

  /// Whether the Curves pane is wide enough for the overview (curves, kernels and maps).
  var showsOverview: Bool { screen.width >= TrainingScreen.overviewWidth }

  /// What the visible pane needs a probe of, if anything.
  var probeTarget: ProbeTarget? {
    switch pane {
    case .draw: .canvas
    case .maps: .example(example)
    case .curves where showsOverview: .example(example)
    default: nil
    }
  }

  /// The latest probe if it is of `target` (an older one may still be of something else).
  func probe(of target: ProbeTarget) -> Probe? {
    guard let probe = snapshot.probe, probe.id % TrainingScreen.probeTargets == target.code else { return nil }
    return probe
  }

  /// The drawing as the network sees it: X/O pixels are −1 (background) or +1 (ink); image
  /// data sets store bytes 0...255, scaled as the data set scales them.
  var canvasTensor: Tensor {
    if isXO { return canvas.tensor(background: -1, ink: 1) }
    return canvas.tensor(background: data.inputOffset, ink: 255 * data.inputScale + data.inputOffset)
  }
}
