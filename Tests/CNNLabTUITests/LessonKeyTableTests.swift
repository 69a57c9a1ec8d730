import CNNLabEngine
import CNNLabLessons
import Testing

@testable import CNNLabTUI

/// Keys go through the key tables: what help lists is what a key does, the answer line types
/// only what its footer lists, and a key no table binds does nothing.
@Suite struct LessonKeyTableTests {
  /// The X/O fixture at `step` (1-based) on a 100x32 screen.
  func xo(step: Int, frame: Int? = nil) throws -> LessonPlayer {
    var player = try LessonPlayer(fixture: "xo")
    _ = player.update(.resized(width: 100, height: 32))
    player.show(step: step - 1, frame: frame)
    return player
  }

  /// Keys no table binds, and the ones a terminal sends for keys the lesson has no use for.
  static let unbound: [Key] = [.home, .end, .insert, .delete, .function(1), .ctrl("a"), .char("z"), .char("X"), .char("!")]

  /// The step 1 question, waiting in the answer line after the animation ran.
  func answering() throws -> LessonPlayer {
    var player = try xo(step: 1, frame: 10)
    for _ in 0..<5 where player.activeQuestion == nil { _ = player.update(.keyPressed(.right)) }
    #expect(player.activeQuestion != nil)
    #expect(player.focus == .answer)
    return player
  }

  @Test func theAnswerLineTypesOnlyWhatItsFooterLists() throws {
    var player = try answering()
    let footer = try #require(player.hintsForFocus.first { $0.summary == "type" }?.keyLabel)
    #expect(footer == "0-9 - . / x")
    for key in "7/9.-x" { _ = player.update(.keyPressed(.char(key))) }
    #expect(player.answerBuffer == "7/9.-x")
    // `,` is a frame key: it steps the animation back and types nothing; so do space and brackets.
    let frame = player.frame
    for key in ", ()[]*X" { _ = player.update(.keyPressed(.char(key))) }
    #expect(player.answerBuffer == "7/9.-x")
    #expect(player.frame == max(0, frame - 1))
    #expect(player.focus == .answer)
  }

  @Test func unboundKeysDoNothingInTheLesson() throws {
    for var player in [try xo(step: 1, frame: 3), try answering(), try xo(step: 5, frame: 0)] {
      if player.scene?.editable.isEmpty == false { _ = player.update(.keyPressed(.char("e"))) }
      let before = frame(of: player).lines
      let focus = player.focus
      for key in Self.unbound {
        #expect(player.update(.keyPressed(key)).isEmpty, "\(key)")
      }
      #expect(frame(of: player).lines == before)
      #expect(player.focus == focus)
      #expect(!player.wantsToLeave && !player.wantsHelp)
    }
  }

  /// Every key in the table does what its binding says, with the lesson focused.
  @Test func theLessonsKeysDoWhatHelpSays() throws {
    var player = try xo(step: 1, frame: 3)
    _ = player.update(.keyPressed(.char("=")))
    #expect(player.speed == LessonPlayer.defaultSpeed + 1)
    _ = player.update(.keyPressed(.char("_")))
    _ = player.update(.keyPressed(.char("-")))
    #expect(player.speed == LessonPlayer.defaultSpeed - 1)
    _ = player.update(.keyPressed(.char(".")))
    #expect(player.frame == 4)
    _ = player.update(.keyPressed(.char("?")))
    #expect(player.wantsHelp)
    // The help names Shift-Tab, which focuses backwards.
    #expect(LessonPlayer.keys.contains { $0.keys.contains(.backTab) })
    var editing = try xo(step: 5, frame: 0)
    _ = editing.update(.keyPressed(.backTab))
    #expect(editing.focus == .kernel)
    _ = editing.update(.keyPressed(.char("x")))
    #expect(editing.editBuffer == nil)
    for key in "-1/2" { _ = editing.update(.keyPressed(.char(key))) }
    #expect(editing.editBuffer == "-1/2")
  }

  @Test func homeEndAndUnboundKeysDoNothingInTheMenu() {
    let entries = (1...3).map { CourseMenu.Entry(name: "l\($0)", title: "Lesson \($0)", summary: "", steps: 1) }
    var menu = CourseMenu(entries: entries)
    _ = menu.update(.keyPressed(.char("2")))
    #expect(menu.selected == 1)
    for key in Self.unbound {
      #expect(menu.update(.keyPressed(key)).isEmpty, "\(key)")
      #expect(menu.selected == 1 && menu.openRequest == nil && !menu.wantsHelp)
    }
    _ = menu.update(.keyPressed(.char("j")))
    #expect(menu.selected == 2)
    #expect(menu.update(.keyPressed(.char("q"))) == [.quit])
  }
}
