import CNNLabEngine
import CNNLabLessons
import Testing

@testable import CNNLabTUI

/// Lessons 14 and 15 on screen: the loss landscape with the four walks, its scale and losses,
/// the rate knob sending SGD off the map, and the training loop's stages.
@Suite struct TrainingLessonScreenTests {
  static func player(_ name: String, width: Int = 80, height: Int = 24) throws -> LessonPlayer {
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    let index = try #require(course.entries.firstIndex { $0.name == name })
    let lesson = try #require(course.entries[index].lesson)
    var player = LessonPlayer(
      source: LessonSource(lesson: lesson, name: name, number: index + 1, count: course.entries.count))
    _ = player.update(.resized(width: width, height: height))
    return player
  }

  static func lines(_ player: LessonPlayer, width: Int = 80, height: Int = 24, capabilities: Capabilities = .full) -> [String] {
    var buffer = CellBuffer(width: width, height: height, capabilities: capabilities)
    player.render(into: &buffer)
    return buffer.lines
  }

  @Test func theLandscapeShowsEveryWalkItsScaleAndTheLosses() throws {
    var player = try Self.player("15-optimizers")
    player.show(step: 3, frame: Int.max)  // rate 0.24, after 30 steps
    let screen = Self.lines(player)
    #expect(screen.contains { $0.contains("S sgd  M momentum  R rmsprop  A adam  * two or more") })
    #expect(screen.contains { $0.contains("loss: ' ' under 1.66  ░ under 6.64  ▒ under 14.94  ▓ more") })
    let losses = try #require(screen.first { $0.contains("after 30 steps, rate 0.24, loss:") })
    // optimizer_paths.py: SGD's loss after 30 steps at 0.24 is 0.0605.
    #expect(losses.contains("S 0.06"), "\(losses)")
    let rows = screen.filter { $0.contains("▒▒▒") }
    #expect(rows.count == DescentAnimation.rows)
    // SGD has reached RMSProp's cell by now: one `*` for the two, M and A on their own.
    #expect(rows.joined().filter { "SMRA*".contains($0) }.sorted() == ["*", "A", "M"], "\(rows.joined(separator: "\n"))")
    player.show(step: 3, frame: 0)
    let start = Self.lines(player).filter { $0.contains("▒▒▒") }
    #expect(start.joined().filter { "SMRA*".contains($0) } == "*", "all four start on one cell")
  }

  @Test func turningTheRatePastTheLimitSendsSGDOffTheMap() throws {
    var player = try Self.player("15-optimizers")
    player.show(step: 3)
    // The question waits with the lesson's rate; answered, the knob turns.
    for key in "0.25" { _ = player.update(.keyPressed(.char(key))) }
    _ = player.update(.keyPressed(.enter))
    _ = player.update(.keyPressed(.right))
    #expect(player.knobs.map(\.name) == ["rate"])
    _ = player.update(.keyPressed(.char(">")))  // 0.26: above 2/8
    _ = player.update(.keyPressed(.char("s")))
    let screen = Self.lines(player)
    #expect(screen.contains { $0.contains("rate 0.26, loss:  S off the map") }, "\(screen.joined(separator: "\n"))")
  }

  @Test func theLandscapeDrawsInASCII() throws {
    var player = try Self.player("15-optimizers")
    player.show(step: 0, frame: Int.max)
    let screen = Self.lines(player, capabilities: .plain)
    #expect(screen.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) })
    #expect(screen.contains { $0.contains("loss: ' ' under 1.66  : under 6.64  + under 14.94  # more") })
  }

  @Test func theTrainingLoopShowsOneStageAFrame() throws {
    var player = try Self.player("14-training-loop", width: 100, height: 34)
    player.show(step: 0, frame: 0)
    var screen = Self.lines(player, width: 100, height: 34)
    #expect(screen.contains { $0.contains("batch: the first 16 of 50 pictures") })
    #expect(!screen.contains { $0.contains("the same batch after the step") })
    player.show(step: 0, frame: Int.max)
    screen = Self.lines(player, width: 100, height: 34)
    #expect(screen.contains { $0.contains("the same batch after the step: loss") })
    #expect(!screen.contains { $0.contains("epoch") }, "step 1 trains no epochs")
  }
}
