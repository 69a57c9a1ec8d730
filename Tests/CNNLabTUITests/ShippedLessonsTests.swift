import CNNLabLessons
import Testing

@testable import CNNLabTUI

@Suite struct ShippedLessonsTests {
  /// Every step of every lesson in `lessons/`, on arrival and with its operation run to the
  /// end, drawn at 100x32: nothing crashes and every frame has its header and key hints.
  @Test func everyStepOfEveryLessonRenders() throws {
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    #expect(course.entries.count == 13)
    for (index, entry) in course.entries.enumerated() {
      let lesson = try #require(entry.lesson, "\(entry.name) loads")
      var player = LessonPlayer(source: LessonSource(lesson: lesson, name: entry.name, number: index + 1, count: 13))
      _ = player.update(.resized(width: 100, height: 32))
      for step in 0..<player.scenes.count {
        for frame in [nil, 0, Int.max] {
          player.show(step: step, frame: frame)
          var buffer = CellBuffer(width: 100, height: 32)
          player.render(into: &buffer)
          #expect(buffer.lines[0].hasPrefix(" Lesson \(index + 1)/13 · \(lesson.title)"), "\(entry.name) step \(step + 1)")
          #expect(buffer.lines[31].contains("help"), "\(entry.name) step \(step + 1) has its key hints")
        }
      }
    }
  }
}
