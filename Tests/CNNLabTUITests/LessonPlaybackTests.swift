import CNNLabLessons
import Testing

@testable import CNNLabTUI

/// Playback across steps and lessons: one speed for the course, a key to skip to the end, an
/// animation seen before opens on its result, and the menu counts solved challenges.
@Suite struct LessonPlaybackTests {
  func app(progress: Progress = Progress()) throws -> CourseApp {
    let source = try LessonSource.fixture("xo")
    let entry = CourseMenu.Entry(name: "xo", title: source.title, summary: "", steps: 5)
    var app = CourseApp(sources: [source], entries: [entry], progress: progress)
    _ = app.update(.resized(width: 100, height: 32))
    return app
  }

  @Test func theSpeedIsKeptWhenALessonIsLeftAndOpenedAgainAndInProgress() throws {
    var app = try app()
    _ = app.update(.keyPressed(.enter))
    _ = app.update(.keyPressed(.char("+")))
    #expect(app.player?.interval == 100)
    _ = app.update(.keyPressed(.char("q")))
    #expect(app.progress.playInterval == 100)
    _ = app.update(.keyPressed(.enter))
    #expect(app.player?.interval == 100)
    // A new session starts from the saved progress at the same speed.
    var resumed = try self.app(progress: app.progress)
    _ = resumed.update(.keyPressed(.enter))
    #expect(resumed.player?.interval == 100)
  }

  @Test func sSkipsTheAnimationToItsEnd() throws {
    var player = try LessonPlayer(fixture: "xo")
    _ = player.update(.resized(width: 100, height: 32))
    #expect(player.playing && player.frame == 0)
    _ = player.update(.keyPressed(.char("s")))
    #expect(!player.playing)
    #expect(player.frame == player.lastFrame && player.lastFrame == 48)
  }

  @Test func anAnimationSeenBeforeOpensOnItsResultAndSpaceReplaysIt() throws {
    var first = try LessonPlayer(fixture: "xo")
    #expect(first.playing)
    #expect(first.seenAnimations.count == 1)
    var again = try LessonPlayer(source: LessonSource.fixture("xo"), seenAnimations: first.seenAnimations)
    _ = again.update(.resized(width: 100, height: 32))
    #expect(!again.playing)
    #expect(again.frame == again.lastFrame)
    #expect(again.statusText(glyphs: .unicode) == "seen before: space plays it again")
    _ = again.update(.keyPressed(.char(" ")))
    #expect(again.playing && again.frame == 0)
    // Another map (stride 2, step 3) is new: it opens on its first frame.
    first.show(step: 2)
    #expect(first.frame == 0)
    #expect(first.seenAnimations.count == 2)
  }

  @Test func theCourseRemembersTheAnimationsSeen() throws {
    var app = try app()
    _ = app.update(.keyPressed(.enter))
    let seen = try #require(app.progress.seenAnimations)
    #expect(seen.count == 1)
    #expect(Set(seen) == app.player?.seenAnimations)
  }

  @Test func theMenuSaysHowManyChallengesAreSolved() {
    var entry = CourseMenu.Entry(name: "03", title: "Classic kernels", summary: "", steps: 9)
    #expect(entry.challengeCount == nil)
    entry.challenges = ["edge", "blur"]
    entry.solvedChallenges = ["blur", "a challenge since removed"]
    #expect(entry.challengeCount == "1/2 challenges solved")
    var menu = CourseMenu(entries: [entry])
    _ = menu.update(.resized(width: 100, height: 24))
    let shown = frame(of: menu, width: 100, height: 24).lines.joined(separator: "\n")
    #expect(shown.contains("Lesson 1 · Classic kernels · 9 steps · 1/2 challenges solved"))
  }
}

/// Stacks of channels show one channel at a time: `c` shows the next, and a question about
/// channel k shows channel k.
@Suite struct StackChannelTests {
  static let lesson = """
    format 1
    title "Two maps"
    grid x 3x3
      1 2 3
      4 5 6
      7 8 9
    end
    kernel a 2x2
      1 0
      0 0
    end
    kernel b 2x2
      0 0
      0 1
    end
    step "Both"
      convolve x with a, b -> maps
    end
    step "Ask"
      pool maps max size 1 stride 1 -> again
      ask "What is again[0,0,0]?" answer 1 expect again[0,0,0]
      hint "The window holds one value."
    end
    """

  func player(step: Int) throws -> LessonPlayer {
    let lesson = try LessonParser.parse(Self.lesson, file: "two.cnnlab")
    var player = LessonPlayer(source: LessonSource(lesson: lesson, name: "two"))
    _ = player.update(.resized(width: 100, height: 32))
    player.show(step: step, frame: 0)
    return player
  }

  /// The titles of the panels, e.g. `maps[1]`.
  func titles(_ player: LessonPlayer) -> [String] {
    player.panels(maxWidth: 100).map { String($0.title.prefix { $0 != " " }) }
  }

  @Test func cShowsTheNextChannelOfTheStack() throws {
    var player = try player(step: 0)
    #expect(titles(player).contains("maps[0]"))
    _ = player.update(.keyPressed(.char("c")))
    #expect(titles(player).contains("maps[1]"))
    #expect(player.statusText(glyphs: .unicode) == "channel 2 of 2")
    _ = player.update(.keyPressed(.char("c")))
    #expect(titles(player).contains("maps[0]"))
    // Stepping a frame follows the frame's channel again.
    _ = player.update(.keyPressed(.char("c")))
    _ = player.update(.keyPressed(.char(".")))
    #expect(titles(player).contains("maps[0]"))
  }

  @Test func aQuestionAboutChannelKShowsChannelK() throws {
    var player = try player(step: 1)
    #expect(titles(player).contains("again[0]"))
    _ = player.update(.keyPressed(.char("s")))  // to the end: the last channel, 1
    #expect(titles(player).contains("maps[1]") && titles(player).contains("again[1]"))
    _ = player.update(.keyPressed(.right))  // the question about channel 0
    #expect(player.activeQuestion != nil)
    #expect(titles(player).contains("maps[0]") && titles(player).contains("again[0]"))
  }
}

/// `g` draws the grids in shades (and back), each with its legend from smallest to largest.
@Suite struct ShadeTests {
  @Test func gSwapsNumbersAndShadesAndShadesHaveALegend() throws {
    var player = try LessonPlayer(fixture: "xo")
    _ = player.update(.resized(width: 100, height: 32))
    player.show(step: 1, frame: 0)
    func title(_ name: String) -> String? {
      player.panels(maxWidth: 100).first { $0.title.hasPrefix(name + " ") }?.fullTitle(glyphs: .unicode)
    }
    #expect(title("map") == "map  7×7")
    _ = player.update(.keyPressed(.char("g")))
    #expect(player.shadesSwapped)
    // The legend runs from the map's smallest value to its largest.
    let map = try #require(player.scene?.grids.first { $0.name == "map" }?.tensor.scalars)
    #expect(map.min() == -3 / 9 && map.max() == 1)
    let legend = "−0.33 ░▒▓█ 1.00"
    #expect(title("map") == "map  7×7  " + legend)
    let shown = frame(of: player).lines.joined(separator: "\n")
    #expect(shown.contains(legend) && shown.contains("██"))
    _ = player.update(.keyPressed(.char("g")))
    #expect(title("map") == "map  7×7")
  }

  /// A grid a question reads keeps the numbers of its legend when neither end is the answer
  /// (here map[0,0] = 7/9); `ShadeScaleTests` covers an end that is.
  @Test func aGridAQuestionReadsKeepsItsNumbersWhenNoEndIsTheAnswer() throws {
    var player = try LessonPlayer(fixture: "xo")
    _ = player.update(.resized(width: 100, height: 32))
    player.show(step: 0, frame: 48)
    _ = player.update(.keyPressed(.char("g")))
    let map = player.panels(maxWidth: 100).first { $0.title.hasPrefix("map ") }?.fullTitle(glyphs: .unicode)
    #expect(map == "map  7×7  −0.33 ░▒▓█ 1.00")
  }
}
