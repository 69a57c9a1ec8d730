import CNNLabLessons
import Synchronization
import Testing

@testable import CNNLabTUI

@Suite struct CourseAppTests {
  func app(progress: Progress = Progress(), notice: String? = nil) throws -> CourseApp {
    let source = try LessonSource.fixture("xo")
    let entry = CourseMenu.Entry(name: "xo", title: source.title, summary: "Lay the feature on the X.", steps: 5)
    let broken = CourseMenu.Entry(name: "99-broken", title: "99-broken", summary: "", steps: 0, problem: "it does not parse")
    var app = CourseApp(sources: [source, nil], entries: [entry, broken], progress: progress, notice: notice)
    _ = app.update(.resized(width: 100, height: 32))
    return app
  }

  /// The progress in every `.saveProgress` among `effects`, in order.
  func saved(_ effects: [Effect]) -> [Progress] {
    effects.compactMap { effect in
      if case .saveProgress(let progress) = effect { return progress }
      return nil
    }
  }

  @Test func enterOpensALessonQGoesBackAndQuits() throws {
    var app = try app()
    // The fixture's first step animates at once, so opening asks for the first tick (after
    // saving that the lesson is open).
    let opening = app.update(.keyPressed(.enter))
    #expect(opening == [.saveProgress(app.progress), .tick(afterMilliseconds: 200)])
    #expect(app.player?.source.name == "xo")
    _ = app.update(.keyPressed(.escape))  // leaves the answer box
    _ = app.update(.keyPressed(.char("q")))
    #expect(app.player == nil)
    #expect(app.update(.keyPressed(.char("q"))) == [.quit])
  }

  @Test func thePlaygroundFollowsTheLessonsOpensOnTheXAndGoesBack() throws {
    var app = try app()
    #expect(app.menu.entries.map(\.name) == ["xo", "99-broken", "playground"])
    _ = app.update(.keyPressed(.end))  // bound nowhere: stays on the first lesson
    _ = app.update(.keyPressed(.down))
    _ = app.update(.keyPressed(.down))
    #expect(frame(of: app).lines.contains { $0.contains("3  Playground") && $0.contains("open") })
    #expect(app.update(.keyPressed(.enter)).isEmpty)
    let screen = try #require(app.playground)
    #expect(screen.settings.activation == .relu && screen.settings.pool == 2)
    #expect(frame(of: app).lines.contains { $0.contains("conv 7×7") })
    #expect(app.update(.keyPressed(.char("q"))).isEmpty)  // back to the menu, not out of the course
    #expect(app.playground == nil)
    #expect(frame(of: app).lines.contains { $0.contains("0/2 done") })
  }

  @Test func theMenuMarksLessonsDoneInProgressAndNew() throws {
    var app = try app(progress: Progress(lessons: ["xo": LessonProgress(step: 2, completedSteps: [0, 1])]))
    var buffer = frame(of: app)
    #expect(buffer.lines.contains { $0.contains("1  Matching a feature") && $0.contains("2/5 steps") && $0.contains("Lay the feature on the X.") })
    #expect(buffer.lines.contains { $0.contains("2  99-broken") && $0.contains("broken") })
    _ = app.update(.keyPressed(.down))
    _ = app.update(.keyPressed(.enter))
    buffer = frame(of: app)
    #expect(app.player == nil)
    #expect(buffer.lines.contains { $0.contains("99-broken cannot be opened: it does not parse") })
    assertSnapshot(frame(of: try self.app(progress: Progress(lessons: ["xo": LessonProgress(finished: true)]))))
  }

  @Test func aCorruptProgressFileIsNotedOnTheMenu() throws {
    let app = try app(notice: "cnnlab: could not read saved progress in /s/progress.json (it is not valid progress JSON); moved it to /s/progress.json.corrupt-1 and started afresh")
    let buffer = frame(of: app)
    #expect(buffer.lines[3].contains("could not read saved progress"))
    #expect(buffer.roleMap(row: 3).contains("EEEE"))
  }

  @Test func progressIsSavedAsTheLearnerGoes() throws {
    var app = try app()
    var saves: [Progress] = []
    for key in [Key.enter, .right, .right] { saves += saved(app.update(.keyPressed(key))) }
    let last = try #require(saves.last)
    #expect(last.lessons["xo"]?.step == 1)
    #expect(last.lessons["xo"]?.completedSteps == [0])
    #expect(last == app.progress)
    // A key that changes no progress saves nothing.
    #expect(saved(app.update(.keyPressed(.char("?")))).isEmpty)
    _ = app.update(.keyPressed(.char("?")))
    // Reopening resumes at step 2.
    _ = app.update(.keyPressed(.char("q")))
    _ = app.update(.keyPressed(.enter))
    #expect(app.player?.step == 1)
  }

  @Test func finishingALessonReturnsItsProgressToSave() throws {
    var app = try app()
    var saves: [Progress] = []
    saves += saved(app.update(.keyPressed(.enter)))
    for _ in 0..<7 { saves += saved(app.update(.keyPressed(.right))) }
    #expect(app.player?.finished == true)
    #expect(saves.last?.lessons["xo"]?.finished == true)
    #expect(saves.last == app.progress)
  }

  @Test func progressThatCouldNotBeSavedIsNotedOnTheMenu() throws {
    var app = try app()
    #expect(app.update(.progressNotSaved("cnnlab: could not write /s/progress.json")) == [])
    #expect(frame(of: app).lines[3].contains("could not write /s/progress.json"))
  }

  @Test func questionMarkShowsEveryLessonKeyAndAnyKeyCloses() throws {
    var app = try app()
    _ = app.update(.keyPressed(.enter))
    _ = app.update(.keyPressed(.char("?")))
    #expect(app.showingHelp)
    let buffer = frame(of: app)
    let text = buffer.lines.joined(separator: "\n")
    for hint in LessonPlayer.helpHints {
      #expect(text.contains(hint.summary), "help lists '\(hint.summary)'")
    }
    assertSnapshot(buffer)
    _ = app.update(.keyPressed(.char("x")))
    #expect(!app.showingHelp)
    #expect(app.player != nil)
  }
}

@Suite struct CourseAppNextLessonTests {
  @Test func rightArrowAfterTheLastStepOpensTheNextLesson() throws {
    var first = try LessonSource.fixture("xo")
    first.count = 2
    var second = try LessonSource.fixture("xo")
    second.name = "xo-again"
    second.number = 2
    second.count = 2
    let entries = [first, second].map { CourseMenu.Entry(name: $0.name, title: $0.title, summary: "", steps: 5) }
    var app = CourseApp(sources: [first, second], entries: entries)
    _ = app.update(.resized(width: 100, height: 32))
    _ = app.update(.keyPressed(.enter))
    // Through all five steps (a question, then a working, need an extra press each).
    for _ in 0..<7 { _ = app.update(.keyPressed(.right)) }
    #expect(app.player?.finished == true)
    #expect(frame(of: app).lines.contains { $0.contains("Lesson complete. Press → for the next lesson") })
    _ = app.update(.keyPressed(.right))
    #expect(app.player?.source.name == "xo-again")
    #expect(app.progress.lessons["xo"]?.status == .done)
  }

  /// Titles get the room the screen has: whole at 80 and 120 columns, cut only when narrow,
  /// and the summary keeps some room beside them.
  @Test func menuTitlesUseTheWidthAvailable() {
    let long = "2-D convolution and classic kernels"
    let entries = [
      CourseMenu.Entry(name: "03-classic-kernels", title: long, summary: "Blur, sharpen and edges.", steps: 6),
      CourseMenu.Entry(name: "06-relu", title: "ReLU", summary: "Negatives become zero.", steps: 3),
    ]
    for width in [80, 120] {
      var menu = CourseMenu(entries: entries)
      _ = menu.update(.resized(width: width, height: 24))
      var buffer = CellBuffer(width: width, height: 24)
      menu.render(into: &buffer)
      #expect(buffer.lines.contains { $0.contains(long) && $0.contains("Blur, sharpen") }, "at \(width) columns")
    }
    var narrow = CourseMenu(entries: entries)
    _ = narrow.update(.resized(width: 60, height: 24))
    var buffer = CellBuffer(width: 60, height: 24)
    narrow.render(into: &buffer)
    #expect(buffer.lines.contains { $0.contains("2-D convolution") && $0.contains("…") && !$0.contains(long) })
  }

  /// The line under the list names the chosen lesson as the learner knows it, by number and
  /// title, never by its directory.
  @Test func theFooterNamesTheLessonByNumberAndTitle() {
    var menu = CourseMenu(entries: [
      CourseMenu.Entry(name: "01-images-are-numbers", title: "Images are numbers", summary: "", steps: 7),
      CourseMenu.Entry(name: "06-relu", title: "ReLU", summary: "", steps: 3),
    ])
    _ = menu.update(.resized(width: 80, height: 24))
    _ = menu.update(.keyPressed(.down))
    var buffer = CellBuffer(width: 80, height: 24)
    menu.render(into: &buffer)
    #expect(buffer.lines[22].hasPrefix(" Lesson 2 · ReLU · 3 steps"))
    #expect(!buffer.lines.joined().contains("06-relu"))
  }
}
