import CNNLabData
import CNNLabEngine
import CNNLabTraining
import Testing

@testable import CNNLabTUI

/// The course's way into live training: a menu entry after the lessons, and → past the end of
/// the last lesson.
@Suite struct CourseTrainingTests {
  static func liveTraining() throws -> LiveTraining {
    let data = TrainingScreenTests.data
    return LiveTraining(
      request: TrainingRequest(
        configuration: try TrainingScreenTests.configuration(), training: data.training!, validation: data.validation),
      data: data, title: "Train a network live: xo")
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
    var app = CourseApp(sources: [source], entries: [entry], liveTraining: try Self.liveTraining())
    _ = app.update(.resized(width: 100, height: 32))
    #expect(app.menu.entries.map(\.title) == [source.title, "Playground", "Train a network live"])
    #expect(frame(app).contains { $0.contains(" 0/1 done ") })
    _ = app.update(.keyPressed(.down))
    _ = app.update(.keyPressed(.down))
    #expect(frame(app).contains { $0.contains("3  Train a network live") && $0.contains("live") })
    // Opening the screen asks for its trainer; its snapshots then arrive as messages.
    let live = try Self.liveTraining()
    #expect(
      app.update(.keyPressed(.enter))
        == [.startTraining(live.request), .tick(afterMilliseconds: TrainingScreen.tickMilliseconds)])
    #expect(app.training != nil)
    #expect(frame(app)[0].hasPrefix("Train a network live: xo"))
    var snapshot = TrainingSnapshot()
    snapshot.state = .running
    snapshot.step = 12
    #expect(app.update(.trainingPublished(snapshot)) == [])
    #expect(app.training?.snapshot.step == 12)
    #expect(app.update(.keyPressed(.char(" "))) == [.send(.pause)])
    #expect(app.minimumSize == TrainingScreen.minimum)
    // q leaves the screen for the menu and stops its trainer; it does not quit cnnlab.
    #expect(app.update(.keyPressed(.char("q"))) == [.send(.stop)])
    #expect(app.update(.trainingPublished(snapshot)) == [])  // one published while it stopped
    #expect(app.training == nil)
    #expect(frame(app)[0].contains("a course on convolutional networks"))
  }

  @Test func theLastLessonLeadsIntoLiveTraining() throws {
    var source = try LessonSource.fixture("xo")
    source.count = 1
    let entry = CourseMenu.Entry(name: "xo", title: source.title, summary: "", steps: 5)
    var app = CourseApp(sources: [source], entries: [entry], liveTraining: try Self.liveTraining())
    _ = app.update(.resized(width: 100, height: 32))
    _ = app.update(.keyPressed(.enter))
    for _ in 0..<7 { _ = app.update(.keyPressed(.right)) }
    #expect(app.player?.finished == true)
    #expect(frame(app).contains { $0.contains("Course complete. Press → to train a network live") })
    #expect(app.update(.keyPressed(.right)).contains(.startTraining(try Self.liveTraining().request)))
    #expect(app.training != nil)
    #expect(app.player == nil)
  }

  @Test func aTrainerThatCannotStartLeavesTheScreenWithANotice() throws {
    var source = try LessonSource.fixture("xo")
    source.count = 1
    let entry = CourseMenu.Entry(name: "xo", title: source.title, summary: "", steps: 5)
    var app = CourseApp(sources: [source], entries: [entry], liveTraining: try Self.liveTraining())
    _ = app.update(.resized(width: 100, height: 32))
    _ = app.openTraining()
    #expect(app.update(.trainingFailedToStart("the network does not fit")) == [])
    #expect(app.training == nil)
    #expect(frame(app).contains { $0.contains("live training could not start: the network does not fit") })
  }
}
