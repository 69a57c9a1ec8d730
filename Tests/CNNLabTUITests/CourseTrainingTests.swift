import CNNLabData
import CNNLabEngine
import CNNLabTraining
import CNNLabLessons
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

  /// `t` on a step whose table of layers is a network for 28x28 digits trains that network
  /// live (the course hands the spec to whoever reads the sample); q comes back to the lesson.
  @Test func tTrainsALessonStepsNetworkLiveAndQComesBackToTheLesson() throws {
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    let lesson = try #require(course.entries.first { $0.name == "17-mlp-vs-cnn" }?.lesson)
    let source = LessonSource(lesson: lesson, name: "17-mlp-vs-cnn", number: 1, count: 1)
    let entry = CourseMenu.Entry(name: source.name, title: source.title, summary: "", steps: 6)
    let base = try Self.liveTraining()
    var app = CourseApp(
      sources: [source], entries: [entry],
      lessonTraining: { LiveTraining(request: base.request, data: base.data, title: "Train live: \($0)") })
    _ = app.update(.resized(width: 100, height: 32))
    _ = app.update(.keyPressed(.enter))
    #expect(app.player?.trainsLive == true)
    #expect(app.player?.liveSpec == "flatten | dense 10")
    // The dense network with dropout of step 2.
    _ = app.update(.keyPressed(.escape))  // out of the answer box
    for _ in 0..<10 where app.player?.step == 0 { _ = app.update(.keyPressed(.right)) }
    #expect(app.player?.step == 1)
    #expect(app.player?.liveSpec == "flatten | dense 128 relu | dropout 0.2 | dense 10")
    _ = app.update(.keyPressed(.escape))
    #expect(frame(app).last?.contains("t train live") == true)
    #expect(app.update(.keyPressed(.char("t"))).contains(.startTraining(base.request)))
    #expect(frame(app)[0].hasPrefix("Train live: flatten | dense 128 relu | dropout 0.2 | dense 10"))
    #expect(app.update(.keyPressed(.char("q"))) == [.send(.stop)])
    #expect(app.training == nil && app.player != nil)
    // The CNN of step 3, without the flatten the network adds itself or the softmax.
    for _ in 0..<10 where app.player?.step == 1 { _ = app.update(.keyPressed(.right)) }
    #expect(app.player?.step == 2)
    #expect(
      app.player?.liveSpec == "conv 8 5x5 pad 2 relu | maxpool 2 | conv 16 5x5 pad 2 relu | maxpool 2 | dense 10")
    // A step without a table of layers has nothing to train.
    for _ in 0..<10 where app.player?.step == 2 { _ = app.update(.keyPressed(.right)) }
    #expect(app.player?.step == 3)
    #expect(app.player?.liveSpec == nil)
    #expect(!app.update(.keyPressed(.char("t"))).contains(.startTraining(base.request)))
    #expect(app.training == nil)
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
