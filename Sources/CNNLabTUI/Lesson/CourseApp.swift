import CNNLabLessons

/// The whole course on screen: the menu, a lesson, and the help over either.
///
/// Whenever progress changes (a step finished, an answer checked, a kernel edited) `update`
/// returns `.saveProgress`, so quitting at any moment loses nothing; like every effect, the run
/// loop performs it.
public struct CourseApp: Program {
  public private(set) var menu: CourseMenu
  public private(set) var player: LessonPlayer?
  public private(set) var showingHelp = false
  public private(set) var progress: Progress
  /// The live training screen, while it is open.
  public private(set) var training: TrainingScreen?
  /// The playground, while it is open.
  public private(set) var playground: PlaygroundScreen?
  /// The training the course ends with; nil leaves the course without one.
  let liveTraining: LiveTraining?
  /// Live training of a lesson step's network (`t`) on the MNIST sample, from its spec; nil
  /// when there is none. It reads the sample when called, so it is called only on that key.
  let lessonTraining: (@Sendable (String) -> LiveTraining?)?
  /// The lessons in course order; nil where a lesson could not be loaded.
  let sources: [LessonSource?]
  private var screen = (width: 80, height: 24)

  /// A course app over `sources` (nil entries are shown as broken, with `problems`).
  public init(
    sources: [LessonSource?], entries: [CourseMenu.Entry], progress: Progress = Progress(),
    notice: String? = nil, liveTraining: LiveTraining? = nil,
    lessonTraining: (@Sendable (String) -> LiveTraining?)? = nil
  ) {
    self.sources = sources
    self.progress = progress
    self.liveTraining = liveTraining
    self.lessonTraining = lessonTraining
    var entries = entries
    entries.append(.playground)
    if liveTraining != nil { entries.append(.training) }
    CourseApp.applyProgress(progress, to: &entries)
    menu = CourseMenu(entries: entries, notice: notice)
  }

  /// A course app for a loaded course: lessons that failed to load are listed as broken.
  public init(
    course: Course, progress: Progress = Progress(), notice: String? = nil, liveTraining: LiveTraining? = nil,
    lessonTraining: (@Sendable (String) -> LiveTraining?)? = nil
  ) {
    let count = course.entries.count
    var sources: [LessonSource?] = []
    var entries: [CourseMenu.Entry] = []
    for (index, entry) in course.entries.enumerated() {
      if let lesson = entry.lesson {
        sources.append(LessonSource(lesson: lesson, name: entry.name, number: index + 1, count: count))
        entries.append(
          CourseMenu.Entry(
            name: entry.name, title: lesson.title, summary: LessonSource.summary(of: lesson),
            steps: lesson.steps.count))
        entries[entries.count - 1].challenges = lesson.challenges.map(\.prompt)
      } else {
        sources.append(nil)
        let problem = course.diagnostics.first { $0.file == entry.file }.map { "\($0.message) (run cnnlab lessons check)" }
        entries.append(
          CourseMenu.Entry(
            name: entry.name, title: entry.name, summary: "", steps: 0,
            problem: problem ?? "it could not be read (run cnnlab lessons check)"))
      }
    }
    self.init(
      sources: sources, entries: entries, progress: progress, notice: notice, liveTraining: liveTraining,
      lessonTraining: lessonTraining)
  }

  /// The menu fits a small terminal; a lesson needs `LessonPlayer.minimumSize`.
  public var minimumSize: (width: Int, height: Int) {
    if training != nil { return TrainingScreen.minimum }
    if playground != nil { return PlaygroundScreen.minimum }
    return player == nil ? CourseMenu.minimum : LessonPlayer.minimumSize
  }

  public mutating func update(_ message: Message) -> [Effect] {
    if case .resized(let width, let height) = message { screen = (width, height) }
    switch message {
    case .progressNotSaved(let problem):
      menu.notice = problem
      return []
    case .trainingFailedToStart(let problem):
      training = nil
      menu.notice = "live training could not start: \(problem)"
      return []
    case .trainingPublished where training == nil:
      return []  // the last snapshots of a trainer being stopped
    default: break
    }
    if var screen = training {
      let effects = screen.update(message)
      if screen.wantsToLeave {
        training = nil
        if case .resized = message { _ = menu.update(message) }
        return [.send(.stop)]
      }
      training = screen
      if case .resized = message {
        _ = menu.update(message)
        _ = player?.update(message)
      }
      return effects
    }
    if var screen = playground {
      let effects = screen.update(message)
      playground = screen.wantsToLeave ? nil : screen
      if case .resized = message {
        _ = menu.update(message)
        _ = player?.update(message)
      }
      return screen.wantsToLeave ? [] : effects
    }
    if showingHelp {
      switch message {
      case .keyPressed:
        showingHelp = false
        return []
      case .mouse(let event) where event.kind == .leftClick:
        showingHelp = false
        return []
      case .resized:
        _ = menu.update(message)
        return player?.update(message) ?? []
      default:
        return player?.update(message) ?? []
      }
    }
    if var lesson = player {
      let effects = lesson.update(message)
      if lesson.wantsHelp {
        lesson.wantsHelp = false
        showingHelp = true
      }
      let saving = record(lesson)
      if let spec = lesson.wantsTraining {
        lesson.wantsTraining = nil
        player = lesson
        if let live = lessonTraining?(spec) { return effects + saving + openTraining(live) }
        return effects + saving
      }
      if lesson.wantsToLeave {
        player = nil
        refreshMenu()
        return saving
      }
      if lesson.wantsNextLesson, let index = sources.firstIndex(where: { $0?.name == lesson.source.name }) {
        refreshMenu()
        if index + 1 == sources.count {
          player = nil
          return saving + openTraining()
        }
        let opening = open(index + 1)
        if player?.source.name != lesson.source.name {
          menu.select(index + 1)
          return saving + opening
            + (player?.playing == true ? [.tick(afterMilliseconds: player?.interval ?? 200)] : [])
        }
      }
      player = lesson
      if case .resized = message { _ = menu.update(message) }
      return effects + saving
    }
    let effects = menu.update(message)
    if menu.wantsHelp {
      menu.wantsHelp = false
      showingHelp = true
    }
    if let index = menu.openRequest {
      menu.openRequest = nil
      if menu.entries[safe: index]?.isTraining == true { return effects + openTraining() }
      if menu.entries[safe: index]?.isPlayground == true { return effects + openPlayground() }
      let opening = open(index)
      if let player, player.playing { return effects + opening + [.tick(afterMilliseconds: player.interval)] }
      return effects + opening
    }
    return effects
  }

  /// Opens the live training screen and asks for its trainer (the course's, or `live`, a
  /// lesson step's network); its ticks start at once. The screen shows the trainer's first
  /// snapshot as soon as the run loop delivers it; leaving it goes back where it was opened.
  public mutating func openTraining(_ live: LiveTraining? = nil) -> [Effect] {
    guard let liveTraining = live ?? liveTraining else { return [] }
    var screen = TrainingScreen(data: liveTraining.data, title: liveTraining.title, quitsProgram: false)
    let effects = screen.update(.resized(width: self.screen.width, height: self.screen.height))
    training = screen
    return [.startTraining(liveTraining.request)] + effects
  }

  /// Opens the playground on the lectures' X and diagonal feature, rectified and pooled, so the
  /// whole pipeline is on screen from the first frame.
  public mutating func openPlayground() -> [Effect] {
    let settings = PlaygroundSettings(activation: .relu, pool: 2)
    guard let pipeline = try? PlaygroundPipeline(settings) else { return [] }
    var screen = PlaygroundScreen(pipeline: pipeline)
    let effects = screen.update(.resized(width: self.screen.width, height: self.screen.height))
    playground = screen
    return effects
  }

  /// Opens the lesson at `index` where the learner left it; returns `.saveProgress` when that
  /// changed the progress.
  @discardableResult
  public mutating func open(_ index: Int) -> [Effect] {
    guard let source = sources[safe: index] ?? nil else { return [] }
    var lesson = LessonPlayer(
      source: source, progress: progress.lessons[source.name], seenAnimations: Set(progress.seenAnimations ?? []))
    if let interval = progress.playInterval { lesson.setInterval(interval) }
    lesson.leadsToTraining = liveTraining != nil && index == sources.count - 1
    lesson.trainsLive = lessonTraining != nil
    _ = lesson.update(.resized(width: screen.width, height: screen.height))
    player = lesson
    return record(lesson)
  }

  /// Takes the lesson's progress; returns `.saveProgress` when it changed.
  private mutating func record(_ lesson: LessonPlayer) -> [Effect] {
    let current = lesson.progress
    let seen = lesson.seenAnimations.sorted()
    guard progress.lessons[lesson.source.name] != current || progress.playInterval != lesson.interval
      || progress.seenAnimations ?? [] != seen
    else { return [] }
    progress.lessons[lesson.source.name] = current
    progress.playInterval = lesson.interval
    progress.seenAnimations = seen
    return [.saveProgress(progress)]
  }

  private mutating func refreshMenu() {
    CourseApp.applyProgress(progress, to: &menu.entries)
  }

  /// Copies each lesson's saved status and finished-step count into its menu entry.
  private static func applyProgress(_ progress: Progress, to entries: inout [CourseMenu.Entry]) {
    for index in entries.indices {
      if let saved = progress.lessons[entries[index].name] {
        entries[index].status = saved.status
        entries[index].stepsDone = saved.completedSteps.count
        entries[index].solvedChallenges = saved.solvedChallenges ?? []
      }
    }
  }

  public func render(into buffer: inout CellBuffer) {
    if let training {
      training.render(into: &buffer)
      return
    }
    if let playground {
      playground.view(into: &buffer)
      return
    }
    if let player {
      player.render(into: &buffer)
    } else {
      menu.render(into: &buffer)
    }
    if showingHelp {
      let body = Rect(x: 0, y: 0, width: buffer.width, height: max(0, buffer.height - 1))
      if player != nil {
        HelpOverlay(
          title: "Lesson keys", LessonPlayer.helpHints,
          footer: "mouse: click kernel or map cells, wheel scrolls; any key closes"
        ).render(in: body, into: &buffer)
      } else {
        HelpOverlay(title: "Course keys", bindings: CourseMenu.keys).render(in: body, into: &buffer)
      }
    }
  }
}

extension LessonSource {
  /// A one-line description of a lesson: the first sentence of its first `say`.
  public static func summary(of lesson: Lesson) -> String {
    for step in lesson.steps {
      for statement in step.statements {
        if case .say(let paragraphs) = statement.kind, let first = paragraphs.first {
          let flat = first.split(whereSeparator: \.isWhitespace).joined(separator: " ")
          if let end = flat.firstIndex(where: { ".!?".contains($0) }) { return String(flat[...end]) }
          return flat
        }
      }
    }
    return ""
  }
}
