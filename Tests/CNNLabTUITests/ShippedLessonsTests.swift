import CNNLabLessons
import Testing

@testable import CNNLabTUI

@Suite struct ShippedLessonsTests {
  /// Every step of every lesson in `lessons/`, on arrival and with its operation run to the
  /// end, drawn at 100x32: nothing crashes and every frame has its header and key hints.
  @Test func everyStepOfEveryLessonRenders() throws {
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    #expect(course.entries.count == 17)
    for (index, entry) in course.entries.enumerated() {
      let lesson = try #require(entry.lesson, "\(entry.name) loads")
      var player = LessonPlayer(source: LessonSource(lesson: lesson, name: entry.name, number: index + 1, count: course.entries.count))
      _ = player.update(.resized(width: 100, height: 32))
      for step in 0..<player.scenes.count {
        for frame in [nil, 0, Int.max] {
          player.show(step: step, frame: frame)
          var buffer = CellBuffer(width: 100, height: 32)
          player.render(into: &buffer)
          #expect(buffer.lines[0].hasPrefix(" Lesson \(index + 1)/17 · \(lesson.title)"), "\(entry.name) step \(step + 1)")
          #expect(buffer.lines[31].contains("help"), "\(entry.name) step \(step + 1) has its key hints")
        }
      }
    }
  }

  /// Every step of every lesson fits an 80x24 terminal and a 100x32 one: on arrival, at the
  /// first and last frame, and with every beat shown, no grid is cut off at the bottom or the
  /// right.
  @Test(arguments: [(80, 24), (100, 32)])
  func everyStepFits(width: Int, height: Int) throws {
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    #expect(course.entries.count == 17)
    var cut: [String] = []
    for (index, entry) in course.entries.enumerated() {
      let lesson = try #require(entry.lesson, "\(entry.name) loads")
      var player = LessonPlayer(source: LessonSource(lesson: lesson, name: entry.name, number: index + 1, count: course.entries.count))
      _ = player.update(.resized(width: width, height: height))
      for step in 0..<player.scenes.count {
        for frame in [nil, 0, Int.max, -1] {
          if frame == -1 {
            player.arrive(at: step, revealAll: true)
          } else {
            player.show(step: step, frame: frame)
          }
          let layout = player.layout
          let place = "\(entry.name) step \(step + 1) frame \(frame.map(String.init) ?? "arrival")"
          if layout.gridsClipped { cut.append(place + ": rows cut off") }
          for panel in layout.panels where panel.frame.width < panel.size.width {
            cut.append(place + ": \(panel.title) cut at the right")
          }
          var buffer = CellBuffer(width: width, height: height)
          player.render(into: &buffer)
          if buffer.lines.joined().contains("cut off") { cut.append(place + ": says cut off") }
        }
      }
    }
    #expect(cut.isEmpty, Comment(rawValue: "at \(width)x\(height):\n" + cut.joined(separator: "\n")))
  }

  /// Lesson 11, step 4 asks "What does W11 become?" (no brackets in the prompt): the cells its
  /// `expect step1[0,0]` and the next question's `step1[0,1]` read show `?`, and the answer
  /// (0.7, from 1 − 0.1 × 3) appears once it is given.
  @Test func questionsHideTheCellsTheirExpressionReads() throws {
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    let index = try #require(course.entries.firstIndex { $0.name == "11-learning-a-kernel" })
    let lesson = try #require(course.entries[index].lesson)
    var player = LessonPlayer(source: LessonSource(lesson: lesson, name: "11-learning-a-kernel", number: index + 1, count: course.entries.count))
    _ = player.update(.resized(width: 100, height: 32))
    player.show(step: 3)
    func step1Row() -> String {
      var buffer = CellBuffer(width: 100, height: 32)
      player.render(into: &buffer)
      let title = buffer.lines.firstIndex { $0.contains("step1  2×2") } ?? 0
      let column = buffer.lines[title].range(of: "step1  2×2").map { buffer.lines[title].distance(from: buffer.lines[title].startIndex, to: $0.lowerBound) } ?? 0
      return String(buffer.lines[title + 1].dropFirst(column).prefix(14))
    }
    #expect(step1Row().split(separator: " ") == ["?", "?"])
    for key in "0.7" { _ = player.update(.keyPressed(.char(key))) }
    _ = player.update(.keyPressed(.enter))
    #expect(step1Row().split(separator: " ") == ["0.70", "?"])
  }

  /// Lesson 16's chart tops out below the first epoch's loss (from random weights it would
  /// flatten the rest), so that epoch's marks sit on the top row, whose label then reads
  /// `0.80+`: a clipped mark is never drawn under a plain number.
  @Test func aLossAboveTheChartMarksItsTopWithAPlus() throws {
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    let index = try #require(course.entries.firstIndex { $0.name == "16-overfitting-and-dropout" })
    let lesson = try #require(course.entries[index].lesson)
    var player = LessonPlayer(
      source: LessonSource(lesson: lesson, name: "16-overfitting-and-dropout", number: index + 1, count: course.entries.count))
    _ = player.update(.resized(width: 80, height: 24))
    player.show(step: 0, frame: 0)
    var buffer = CellBuffer(width: 80, height: 24)
    player.render(into: &buffer)
    let top = try #require(buffer.lines.first { $0.contains("│") && $0.contains("o") && $0.hasPrefix(" 0.") })
    #expect(top.contains("+│"), "\(top)")
  }

  /// Lesson 9 asks which class wins and takes a label: letters type into the box (q does not
  /// leave), a wrong label gets the hint, and "x" is accepted for "X".
  @Test func aLabelAnswerIsTypedInLetters() throws {
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    let index = try #require(course.entries.firstIndex { $0.name == "09-fully-connected" })
    let lesson = try #require(course.entries[index].lesson)
    var player = LessonPlayer(source: LessonSource(lesson: lesson, name: "09-fully-connected", number: index + 1, count: course.entries.count))
    _ = player.update(.resized(width: 100, height: 32))
    player.show(step: try #require(player.scenes.firstIndex { $0.title == "Each value casts a vote" }))
    let question = try #require(player.activeQuestion)
    #expect(question.question.prompt == "Which class will win, X or O?")
    for key in "qo" { #expect(player.update(.keyPressed(.char(key))) != [.quit]) }
    _ = player.update(.keyPressed(.enter))
    #expect(player.answers[question.key]?.correct == false)
    for key in "x" { _ = player.update(.keyPressed(.char(key))) }
    _ = player.update(.keyPressed(.enter))
    #expect(player.answers[question.key]?.correct == true)
  }
}
