import CNNLabLessons

/// The whole course on screen: the menu, a lesson, and the help over either.
///
/// Progress is handed to `save` whenever it changes (a step finished, an answer checked, a
/// kernel edited), so quitting at any moment loses nothing.
public struct CourseApp: Program {
  public private(set) var menu: CourseMenu
  public private(set) var player: LessonPlayer?
  public private(set) var showingHelp = false
  public private(set) var progress: Progress
  /// The live training screen, while it is open.
  public private(set) var training: TrainingScreen?
  /// Makes a training screen (and starts its trainer); nil leaves the course without one.
  let makeTraining: (@Sendable () -> TrainingScreen?)?
  /// The lessons in course order; nil where a lesson could not be loaded.
  let sources: [LessonSource?]
  /// Writes progress; returns a message when it could not.
  let save: (@Sendable (Progress) -> String?)?
  private var screen = (width: 80, height: 24)

  /// A course app over `sources` (nil entries are shown as broken, with `problems`).
  public init(
    sources: [LessonSource?], entries: [CourseMenu.Entry], progress: Progress = Progress(),
    notice: String? = nil, save: (@Sendable (Progress) -> String?)? = nil,
    makeTraining: (@Sendable () -> TrainingScreen?)? = nil
  ) {
    self.sources = sources
    self.progress = progress
    self.save = save
    self.makeTraining = makeTraining
    var entries = entries
    if makeTraining != nil { entries.append(.training) }
    CourseApp.applyProgress(progress, to: &entries)
    menu = CourseMenu(entries: entries, notice: notice)
  }

  /// A course app for a loaded course: lessons that failed to load are listed as broken.
  public init(
    course: Course, progress: Progress = Progress(), notice: String? = nil,
    save: (@Sendable (Progress) -> String?)? = nil, makeTraining: (@Sendable () -> TrainingScreen?)? = nil
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
      sources: sources, entries: entries, progress: progress, notice: notice, save: save,
      makeTraining: makeTraining)
  }

  /// The menu fits a small terminal; a lesson needs `LessonPlayer.minimumSize`.
  public var minimumSize: (width: Int, height: Int) {
    if training != nil { return TrainingScreen.minimum }
    return player == nil ? CourseMenu.minimum : LessonPlayer.minimumSize
  }

  public mutating func update(_ message: Message) -> [Effect] {
    if case .resized(let width, let height) = message { screen = (width, height) }
    if var screen = training {
      let effects = screen.update(message)
      if screen.wantsToLeave {
        training = nil  // dropping the screen stops its trainer
        if case .resized = message { _ = menu.update(message) }
        return []
      }
      training = screen
      if case .resized = message {
        _ = menu.update(message)
        _ = player?.update(message)
      }
      return effects
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
      record(lesson)
      if lesson.wantsToLeave {
        player = nil
        refreshMenu()
        return []
      }
      if lesson.wantsNextLesson, let index = sources.firstIndex(where: { $0?.name == lesson.source.name }) {
        refreshMenu()
        if index + 1 == sources.count {
          player = nil
          return openTraining()
        }
        open(index + 1)
        if player?.source.name != lesson.source.name {
          menu.select(index + 1)
          return player?.playing == true ? [.tick(afterMilliseconds: player?.interval ?? 200)] : []
        }
      }
      player = lesson
      if case .resized = message { _ = menu.update(message) }
      return effects
    }
    let effects = menu.update(message)
    if menu.wantsHelp {
      menu.wantsHelp = false
      showingHelp = true
    }
    if let index = menu.openRequest {
      menu.openRequest = nil
      if menu.entries[safe: index]?.isTraining == true { return effects + openTraining() }
      open(index)
      if let player, player.playing { return effects + [.tick(afterMilliseconds: player.interval)] }
    }
    return effects
  }

  /// Opens the live training screen; its ticks start at once.
  public mutating func openTraining() -> [Effect] {
    guard var screen = makeTraining?() else { return [] }
    let effects = screen.update(.resized(width: self.screen.width, height: self.screen.height))
    training = screen
    return effects
  }

  /// Opens the lesson at `index` where the learner left it.
  public mutating func open(_ index: Int) {
    guard let source = sources[safe: index] ?? nil else { return }
    var lesson = LessonPlayer(
      source: source, progress: progress.lessons[source.name], seenAnimations: Set(progress.seenAnimations ?? []))
    if let interval = progress.playInterval { lesson.setInterval(interval) }
    lesson.leadsToTraining = makeTraining != nil && index == sources.count - 1
    _ = lesson.update(.resized(width: screen.width, height: screen.height))
    player = lesson
    record(lesson)
  }

  private mutating func record(_ lesson: LessonPlayer) {
    let current = lesson.progress
    let seen = lesson.seenAnimations.sorted()
    guard progress.lessons[lesson.source.name] != current || progress.playInterval != lesson.interval
      || progress.seenAnimations ?? [] != seen
    else { return }
    progress.lessons[lesson.source.name] = current
    progress.playInterval = lesson.interval
    progress.seenAnimations = seen
    if let save, let problem = save(progress) {
      menu.notice = problem
    }
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
