import CNNLabLessons

/// The list of lessons: each marked done, in progress or new, with a one-line description.
public struct CourseMenu: Program {
  /// One lesson as the menu shows it.
  public struct Entry: Equatable, Sendable {
    public var name: String
    public var title: String
    public var summary: String
    public var steps: Int
    public var status: LessonProgress.Status
    /// Steps finished, for "in progress" entries.
    public var stepsDone: Int
    /// Why the lesson cannot be opened, if it cannot.
    public var problem: String?
    /// The entry after the lessons that opens the live training screen.
    public var isTraining = false
    /// The entry after the lessons that opens the playground.
    public var isPlayground = false
    /// A lesson of the course, rather than the playground or live training.
    public var isLesson: Bool { !isTraining && !isPlayground }
    /// The prompts of the lesson's challenges, and of those the learner has solved.
    public var challenges: [String] = []
    public var solvedChallenges: [String] = []

    /// `1/2 challenges solved`, for a lesson with challenges.
    public var challengeCount: String? {
      guard !challenges.isEmpty else { return nil }
      let solved = challenges.filter(solvedChallenges.contains).count
      return "\(solved)/\(challenges.count) \(challenges.count == 1 ? "challenge" : "challenges") solved"
    }

    /// The entry that opens the playground.
    public static let playground: Entry = {
      var entry = Entry(
        name: "playground", title: "Playground",
        summary: "Any input, kernel and knob; what each output cell sees.",
        steps: 0)
      entry.isPlayground = true
      return entry
    }()

    /// The entry that opens the live training screen.
    public static let training: Entry = {
      var entry = Entry(
        name: "train", title: "Train a network live",
        summary: "Watch the X/O network learn: curves, kernels, maps, and a canvas to draw on.",
        steps: 0)
      entry.isTraining = true
      return entry
    }()

    public init(
      name: String, title: String, summary: String, steps: Int, status: LessonProgress.Status = .new,
      stepsDone: Int = 0, problem: String? = nil
    ) {
      self.name = name
      self.title = title
      self.summary = summary
      self.steps = steps
      self.status = status
      self.stepsDone = stepsDone
      self.problem = problem
    }
  }

  /// What a key in `CourseMenu.keys` does.
  public enum Action: Hashable, Sendable { case up, down, choose, open, help, quit }

  /// Every key of the menu: `update` looks keys up here and the help and hint bar are drawn
  /// from it, so a key not in it does nothing.
  public static let keys: [KeyBinding<Action>] = [
    KeyBinding([.up, .down, .char("k"), .char("j")], "choose a lesson", actions: [.up, .down, .up, .down], hint: ("↑/↓", "choose a lesson")),
    KeyBinding((1...9).map { .char(Character(String($0))) }, "choose lesson 1 to 9", action: .choose, inHintBar: false, keyLabel: "1-9"),
    KeyBinding([.enter, .right], "open it", action: .open),
    KeyBinding([.char("?")], "help", action: .help),
    KeyBinding([.char("q"), .escape], "quit", action: .quit),
  ]

  public var entries: [Entry]
  public private(set) var selected = 0
  /// A one-line notice shown above the list (for example about a corrupt progress file).
  public var notice: String?
  /// Set by Enter: the index of the lesson to open. The course app clears it.
  public var openRequest: Int?
  public var wantsHelp = false
  public private(set) var screen = (width: 80, height: 24)
  /// A message about the last action, such as a lesson that cannot be opened.
  public private(set) var status: String?

  public init(entries: [Entry], notice: String? = nil) {
    self.entries = entries
    self.notice = notice
    // Start on the first lesson not done yet.
    selected = entries.firstIndex { $0.status != .done } ?? 0
  }

  /// The smallest screen the menu is drawn on.
  public static let minimum = (width: 50, height: 12)
  public var minimumSize: (width: Int, height: Int) { CourseMenu.minimum }

  public mutating func update(_ message: Message) -> [Effect] {
    switch message {
    case .resized(let width, let height):
      screen = (width, height)
    case .ticked:
      break
    case .keyPressed(let key):
      status = nil
      switch CourseMenu.keys.action(for: key) {
      case .up?: selected = max(0, selected - 1)
      case .down?: selected = min(max(0, entries.count - 1), selected + 1)
      case .choose?:
        if case .char(let c) = key, let n = Int(String(c)), n >= 1, n <= entries.count { selected = n - 1 }
      case .open?: open(selected)
      case .help?: wantsHelp = true
      case .quit?: return [.quit]
      case nil: break
      }
    case .mouse(let event):
      switch event.kind {
      case .wheelUp: selected = max(0, selected - 1)
      case .wheelDown: selected = min(max(0, entries.count - 1), selected + 1)
      case .leftClick:
        let list = listArea
        let row = event.y - list.y + firstVisible
        if list.contains(x: event.x, y: event.y), entries.indices.contains(row) {
          selected = row
          open(row)
        }
      case .rightClick, .leftDrag, .rightDrag: break
      }
    case .trainingPublished, .trainingFailedToStart, .progressNotSaved:
      break  // the menu has no trainer and saves nothing itself
    }
    return []
  }

  /// Moves the selection to `index` (clamped).
  public mutating func select(_ index: Int) {
    selected = max(0, min(index, entries.count - 1))
  }

  private mutating func open(_ index: Int) {
    guard let entry = entries[safe: index] else { return }
    if let problem = entry.problem {
      status = "\(entry.name) cannot be opened: \(problem)"
      return
    }
    openRequest = index
  }

  // MARK: - View

  var listArea: Rect {
    let top = notice == nil ? 4 : 6
    return Rect(x: 1, y: top, width: max(0, screen.width - 2), height: max(0, screen.height - top - 3))
  }

  var firstVisible: Int {
    let rows = max(1, listArea.height)
    return max(0, min(selected - rows / 2, entries.count - rows))
  }

  public func render(into buffer: inout CellBuffer) {
    let g = buffer.glyphs
    let area = buffer.area
    let bar = Rect(x: 0, y: 0, width: area.width, height: 1)
    buffer.fill(bar, role: .title)
    buffer.put(" cnnlab \(g.middleDot) a course on convolutional networks", x: 0, y: 0, role: .title, clip: bar)
    let done = entries.filter { $0.status == .done }.count
    let count = " \(done)/\(entries.filter(\.isLesson).count) done "
    buffer.put(count, x: area.width - count.count, y: 0, role: .title, clip: bar)
    buffer.put("Choose a lesson. Each one animates what the engine computes, step by step.", x: 1, y: 2, role: .dim, clip: area)
    if let notice {
      for (row, line) in TextBlock.wrap(notice, width: area.width - 2).prefix(2).enumerated() {
        buffer.put(line, x: 1, y: 3 + row, role: .error, clip: area)
      }
    }
    let list = listArea
    // The longest title, as long as 20 columns of summary keep their room beside the number
    // (7 columns) and the mark (12); never narrower than 16.
    let titleWidth = min((entries.map(\.title.count).max() ?? 0) + 2, max(16, list.width - 7 - 12 - 20))
    for (row, index) in (firstVisible..<min(entries.count, firstVisible + list.height)).enumerated() {
      let entry = entries[index]
      let y = list.y + row
      let line = Rect(x: list.x, y: y, width: list.width, height: 1)
      let isSelected = index == selected
      if isSelected { buffer.fill(line, role: .selection) }
      let (mark, markRole): (String, Role)
      switch (entry.problem, entry.status) {
      case (_?, _): (mark, markRole) = ("broken", .error)
      case (nil, .done): (mark, markRole) = ((g.isUnicode ? "✓ " : "") + "done", .success)
      case (nil, .inProgress): (mark, markRole) = ("\(entry.stepsDone)/\(entry.steps) steps", .accent)
      case (nil, _) where entry.isTraining: (mark, markRole) = ("live", .accent)
      case (nil, _) where entry.isPlayground: (mark, markRole) = ("open", .accent)
      case (nil, .new): (mark, markRole) = ("new", .dim)
      }
      var x = buffer.put(isSelected ? " \(g.arrowRight) " : "   ", x: line.x, y: y, role: isSelected ? .selection : .normal, clip: line)
      x = buffer.put(String(index + 1).leftPadding(toLength: 2) + "  ", x: x, y: y, role: isSelected ? .selection : .dim, clip: line)
      let title = entry.title.count > titleWidth - 2 ? String(entry.title.prefix(titleWidth - 3)) + g.ellipsis : entry.title
      x = buffer.put(title.padding(toLength: titleWidth), x: x, y: y, role: isSelected ? .selection : .normal, clip: line)
      x = buffer.put(mark.padding(toLength: 12), x: x, y: y, role: isSelected ? .selection : markRole, clip: line)
      let room = line.maxX - x - 1
      if room > 3 {
        let summary = entry.summary.count > room ? String(entry.summary.prefix(room - 1)) + g.ellipsis : entry.summary
        buffer.put(summary, x: x, y: y, role: isSelected ? .selection : .dim, clip: line)
      }
    }
    if entries.isEmpty {
      buffer.put("No lessons found.", x: list.x + 2, y: list.y, role: .error, clip: list)
    }
    let statusRow = Rect(x: 1, y: area.height - 2, width: area.width - 2, height: 1)
    if let status {
      buffer.put(status, x: statusRow.x, y: statusRow.y, role: .error, clip: statusRow)
    } else if let entry = entries[safe: selected], let problem = entry.problem {
      buffer.put("cannot be opened: \(problem)", x: statusRow.x, y: statusRow.y, role: .error, clip: statusRow)
    } else if let entry = entries[safe: selected], entry.isTraining {
      buffer.put("trains on X/O images on every core (cnnlab train --data xo)", x: statusRow.x, y: statusRow.y, role: .dim, clip: statusRow)
    } else if let entry = entries[safe: selected], entry.isPlayground {
      buffer.put("input, conv, activation, pool: change anything (cnnlab playground)", x: statusRow.x, y: statusRow.y, role: .dim, clip: statusRow)
    } else if let entry = entries[safe: selected] {
      // The lesson as the learner knows it, by number and title; the directory name is the course's own.
      var line = "Lesson \(selected + 1) \(g.middleDot) \(entry.title) \(g.middleDot) \(entry.steps) steps"
      if let count = entry.challengeCount { line += " \(g.middleDot) \(count)" }
      buffer.put(line, x: statusRow.x, y: statusRow.y, role: .dim, clip: statusRow)
    }
    KeyHintBar(bindings: CourseMenu.keys).render(in: Rect(x: 0, y: area.height - 1, width: area.width, height: 1), into: &buffer)
    if !g.isUnicode { LessonPlayer.asciiOnly(&buffer) }
  }
}
