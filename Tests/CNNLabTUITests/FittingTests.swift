import CNNLabLessons
import Testing

@testable import CNNLabTUI

/// The fitting rule: a line leaves out whole fields, least needed first, and keeps the
/// essential ones; a message is shortened only at a space, and says so with an ellipsis.
@Suite struct FitLineTests {
  typealias Field = FitLine.Field

  func drawn(_ line: FitLine, width: Int) -> String {
    var buffer = CellBuffer(width: width, height: 1)
    line.render(in: buffer.area, into: &buffer)
    return buffer.lines[0]
  }

  @Test func leavesOutTheLeastNeededFieldsWhole() {
    let line = FitLine([
      Field("cnnlab train", priority: FitLine.essential), Field("epoch 2/3", priority: 3),
      Field("12345 img/s", priority: 1), Field("1:02:05", priority: 2),
    ])
    #expect(drawn(line, width: 45) == "cnnlab train  epoch 2/3  12345 img/s  1:02:05")
    // One column short: the speed goes first, then the clock, never a piece of either.
    #expect(drawn(line, width: 44) == "cnnlab train  epoch 2/3  1:02:05" + String(repeating: " ", count: 12))
    #expect(drawn(line, width: 31) == "cnnlab train  epoch 2/3" + String(repeating: " ", count: 8))
    #expect(drawn(line, width: 22) == "cnnlab train" + String(repeating: " ", count: 10))
    #expect(drawn(line, width: 11) == String(repeating: " ", count: 11))
  }

  @Test func equalPrioritiesLeaveTheRightMostOutFirst() {
    let line = FitLine([Field("aaa"), Field("bbb"), Field("ccc")])
    #expect(drawn(line, width: 9) == "aaa  bbb ")
  }

  @Test func trailingFieldsEndAtTheRightEdgeAndGoFirst() {
    let line = FitLine(
      [Field("Lesson 4/13", priority: FitLine.essential), Field("step 3/8", priority: 1, alignment: .trailing)],
      fill: .title, margin: 1)
    #expect(drawn(line, width: 30) == " Lesson 4/13         step 3/8 ")
    #expect(drawn(line, width: 20) == " Lesson 4/13        ")
  }

  @Test func aMessageIsShortenedAtASpaceWithAnEllipsis() {
    let line = FitLine([Field("'abc' is not a number: type digits or a fraction", shortenable: true)])
    #expect(drawn(line, width: 30) == "'abc' is not a number: type…  ")
    #expect(drawn(line, width: 26) == "'abc' is not a number:…   ")
  }

  @Test func theHintBarKeepsHelpAndQuitAndDropsTheLeastNeeded() {
    let hints = [
      KeyHint(keys: [.left, .right], summary: "step", priority: 6),
      KeyHint(keys: [.char(",")], summary: "frame", priority: 1),
      KeyHint(keys: [.tab], summary: "edit kernel", priority: 4),
      KeyHint(keys: [.char("?")], summary: "help", priority: FitLine.essential),
      KeyHint(keys: [.char("q")], summary: "back", priority: FitLine.essential),
    ]
    var buffer = CellBuffer(width: 46, height: 1)
    KeyHintBar(hints).render(in: buffer.area, into: &buffer)
    #expect(buffer.lines[0] == " ←/→ step   Tab edit kernel   ? help   q back ")
    var narrow = CellBuffer(width: 30, height: 1)
    KeyHintBar(hints).render(in: narrow.area, into: &narrow)
    #expect(narrow.lines[0] == " ←/→ step   ? help   q back   ")
  }
}

/// Key tables: one line of help per action.
@Suite struct KeyTableTests {
  func actionsAreSaidOnce<Action: Hashable>(_ table: [KeyBinding<Action>]) -> [String] {
    var seen: [Action: String] = [:]
    var twice: [String] = []
    for binding in table {
      for action in Set(binding.actions) {
        if let other = seen[action] { twice.append("\(action): '\(other)' and '\(binding.summary)'") }
        seen[action] = binding.summary
      }
    }
    return twice
  }

  @Test func everyActionHasOneLineOfHelp() {
    #expect(actionsAreSaidOnce(TrainingScreen.keys).isEmpty, "\(actionsAreSaidOnce(TrainingScreen.keys))")
    #expect(actionsAreSaidOnce(TrainingScreen.drawKeys).isEmpty, "\(actionsAreSaidOnce(TrainingScreen.drawKeys))")
    #expect(actionsAreSaidOnce(TrainingScreen.mapsKeys).isEmpty, "\(actionsAreSaidOnce(TrainingScreen.mapsKeys))")
    #expect(actionsAreSaidOnce(TrainingScreen.mistakesKeys).isEmpty, "\(actionsAreSaidOnce(TrainingScreen.mistakesKeys))")
    #expect(actionsAreSaidOnce(LessonPlayer.keys).isEmpty, "\(actionsAreSaidOnce(LessonPlayer.keys))")
    #expect(actionsAreSaidOnce(CourseMenu.keys).isEmpty)
  }

  @Test func oneBindingGivesEachKeyItsOwnAction() {
    #expect(TrainingScreen.keys.action(for: .char("+")) == .faster)
    #expect(TrainingScreen.keys.action(for: .char("-")) == .slower)
    #expect(TrainingScreen.keys.action(for: .char("N")) == .previousExample)
    #expect(TrainingScreen.keys.action(for: .left) == .previousExample)
    #expect(TrainingScreen.keys.action(for: .right) == .nextExample)
    #expect(TrainingScreen.keys.action(for: .backTab) == .previousPane)
  }
}

/// The lesson screen as it fits: wrapped rows say where they start, the layout holds still
/// while a step unfolds, and several open questions share the answer line in turn.
@Suite struct LessonFitTests {
  static func player(_ name: String, width: Int = 80, height: Int = 24) throws -> LessonPlayer {
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    let index = try #require(course.entries.firstIndex { $0.name == name })
    let lesson = try #require(course.entries[index].lesson)
    var player = LessonPlayer(source: LessonSource(lesson: lesson, name: name, number: index + 1, count: course.entries.count))
    _ = player.update(.resized(width: width, height: height))
    return player
  }

  /// Lesson 9's 48 values wrap; each row is labelled with the index of its first value, and a
  /// click on that value finds the same index.
  @Test(arguments: [80, 100, 200])
  func wrappedRowsSayTheIndexTheyStartAt(width: Int) throws {
    var player = try Self.player("09-fully-connected", width: width, height: 30)
    var checked = 0
    for step in 0..<player.scenes.count {
      player.arrive(at: step, revealAll: true)
      let buffer = frame(of: player, width: width, height: 30)
      for panel in player.layout.panels where panel.rowLabelWidth > 0 {
        let columns = try #require(panel.flatColumns)
        guard case .numbers(let grid, _, _) = panel.body else { continue }
        #expect(grid.rowCount > 1)
        for row in 0..<grid.rowCount {
          let y = panel.frame.y + 1 + row
          let label = String(buffer.lines[y].dropFirst(panel.frame.x).prefix(panel.rowLabelWidth))
          #expect(label.trimmingCharacters(in: " ") == "[\(row * columns)]")
          #expect(panel.cell(atX: panel.frame.x + panel.rowLabelWidth, y: y) == GridPosition(row: 0, col: row * columns))
          checked += 1
        }
      }
    }
    #expect(checked >= 2)
  }

  /// On every step of every lesson at 80x24: arriving shows the text from its first line, and
  /// a → that reveals no new text (an operation, a question) moves neither the text nor a grid.
  @Test func theLayoutHoldsStillWhileAStepUnfolds() throws {
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    var moved: [String] = []
    for entry in course.entries {
      var player = try Self.player(entry.name)
      for step in 0..<player.scenes.count {
        player.arrive(at: step)
        if player.proseScroll != 0 { moved.append("\(entry.name) step \(step + 1) arrives scrolled") }
        while player.step == step, let scene = player.scene, player.beat < scene.beats.count - 1 {
          let before = player.layout
          let text = player.proseLines(width: before.prose.width).count
          let scroll = player.proseScroll
          _ = player.next()
          let after = player.layout
          guard player.proseLines(width: after.prose.width).count == text else { continue }
          let place = "\(entry.name) step \(step + 1) beat \(player.beat)"
          if player.proseScroll != scroll { moved.append("\(place): the text scrolled") }
          if before.prose != after.prose || before.grids.y != after.grids.y { moved.append("\(place): the grids moved") }
          for panel in before.panels {
            if let same = after.panels.first(where: { $0.title == panel.title }), same.frame.y != panel.frame.y {
              moved.append("\(place): \(panel.title) moved")
            }
          }
        }
      }
    }
    #expect(moved.isEmpty, Comment(rawValue: moved.joined(separator: "\n")))
  }

  /// Lesson 8 step 2 at 80x24 once its operation runs: the explanation still starts at its
  /// first line, with the question in view.
  @Test func theExplanationStartsAtItsFirstLine() throws {
    var player = try Self.player("08-channels")
    player.show(step: 1, frame: 0)
    let lines = frame(of: player, width: 80, height: 24).lines
    // The step's first words, from the lesson itself, so a rewording does not break the test.
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    let lesson = try #require(course.entries.first { $0.name == "08-channels" }?.lesson)
    let prose = lesson.steps[1].statements.lazy.compactMap { statement -> String? in
      if case .say(let paragraphs) = statement.kind { return paragraphs.first } else { return nil }
    }.first
    let opening = try #require(prose?.split(separator: " ").prefix(3).joined(separator: " "))
    #expect(lines[3].hasPrefix(" " + opening))
    #expect(lines.contains { $0.contains("? What shape will this filter's output have?") })
  }

  /// Two questions open at once: the answer line says which it answers, ↑/↓ choose, and the
  /// answer goes to the one chosen.
  @Test func severalOpenQuestionsShareTheAnswerLineInTurn() throws {
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    var found = false
    search: for entry in course.entries {
      var player = try Self.player(entry.name, width: 100, height: 32)
      for step in 0..<player.scenes.count {
        player.arrive(at: step)
        guard player.openQuestions.count == 1 else { continue }
        _ = player.next()
        guard player.step == step, player.openQuestions.count == 2 else { continue }
        found = true
        let open = player.openQuestions
        #expect(player.activeQuestion?.key == open[1].key)  // the newest
        #expect(frame(of: player).lines.contains { $0.contains("answer 2 of 2:") })
        #expect(player.hintsForFocus.contains { $0.summary == "question" })
        _ = player.update(.keyPressed(.up))
        #expect(player.activeQuestion?.key == open[0].key)
        #expect(frame(of: player).lines.contains { $0.contains("answer 1 of 2:") })
        for character in open[0].question.answer { _ = player.update(.keyPressed(.char(character))) }
        _ = player.update(.keyPressed(.enter))
        #expect(player.answers[open[0].key]?.correct == true, "\(entry.name) step \(step + 1)")
        #expect(player.activeQuestion?.key == open[1].key)
        break search
      }
    }
    #expect(found, "a shipped step with two questions")
  }
}
