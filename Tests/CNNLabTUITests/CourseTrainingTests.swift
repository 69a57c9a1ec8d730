import CNNLabData
import CNNLabEngine
import Testing

@testable import CNNLabTUI

/// The course's way into live training: a menu entry after the lessons, and → past the end of
/// the last lesson.
@Suite struct CourseTrainingTests {
  static func makeScreen() -> TrainingScreen? {
    let link = RecordingLink(TrainingSnapshot())
    return TrainingScreen(link: link, data: TrainingScreenTests.data, title: "Train a network live: xo", quitsProgram: false)
  }

  func frame(_ app: CourseApp) -> [String] {
    var buffer = CellBuffer(width: 100, height: 32)
    app.render(into: &buffer)
    return buffer.lines
  }

  @Test func theMenuListsLiveTrainingAfterTheLessonsAndQGoesBack() throws {
    var source = try LessonSource.fixture("xo")
    source.count = 1
    let entry = CourseMenu.Entry(name: "xo", title: source.title, summary: "", steps: 5)
    var app = CourseApp(sources: [source], entries: [entry], makeTraining: { Self.makeScreen() })
    _ = app.update(.resized(width: 100, height: 32))
    #expect(app.menu.entries.map(\.title) == [source.title, "Train a network live"])
    #expect(frame(app).contains { $0.contains(" 0/1 done ") })
    _ = app.update(.keyPressed(.down))
    #expect(frame(app).contains { $0.contains("2  Train a network live") && $0.contains("live") })
    #expect(app.update(.keyPressed(.enter)) == [.tick(afterMilliseconds: TrainingScreen.tickMilliseconds)])
    #expect(app.training != nil)
    #expect(frame(app)[0].hasPrefix("Train a network live: xo"))
    #expect(app.minimumSize == TrainingScreen.minimum)
    // q leaves the screen (and its trainer) for the menu; it does not quit cnnlab.
    #expect(app.update(.keyPressed(.char("q"))) == [])
    #expect(app.training == nil)
    #expect(frame(app)[0].contains("a course on convolutional networks"))
  }

  @Test func theLastLessonLeadsIntoLiveTraining() throws {
    var source = try LessonSource.fixture("xo")
    source.count = 1
    let entry = CourseMenu.Entry(name: "xo", title: source.title, summary: "", steps: 5)
    var app = CourseApp(sources: [source], entries: [entry], makeTraining: { Self.makeScreen() })
    _ = app.update(.resized(width: 100, height: 32))
    _ = app.update(.keyPressed(.enter))
    for _ in 0..<7 { _ = app.update(.keyPressed(.right)) }
    #expect(app.player?.finished == true)
    #expect(frame(app).contains { $0.contains("Course complete. Press → to train a network live") })
    _ = app.update(.keyPressed(.right))
    #expect(app.training != nil)
    #expect(app.player == nil)
  }
}
