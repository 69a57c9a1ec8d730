import CNNLabEngine
import CNNLabLessons
import Testing

@testable import CNNLabTUI

/// The knob keys: `[`/`]` choose a knob, `<`/`>` turn it and the step is computed again by the
/// engine (later steps too), `o` gives back the lesson's settings; a question waits for its
/// answer with the lesson's settings, so knobs are locked while one is open and reset when one
/// opens.
@Suite struct LessonKnobTests {
  func player() throws -> LessonPlayer {
    var player = try LessonPlayer(fixture: "xo")
    _ = player.update(.resized(width: 100, height: 32))
    _ = player.update(.keyPressed(.char("s")))
    return player
  }

  func outputShape(_ player: LessonPlayer) -> [Int]? {
    switch player.scene?.animation {
    case .convolution(let a)?: return a.output.shape
    case .pooling(let a)?: return a.output.shape
    default: return nil
    }
  }

  @Test func turningTheStrideComputesTheMapAgainAndSaysSo() throws {
    var player = try player()
    #expect(player.knobs.map(\.name) == ["stride", "padding", "dilation", "mode"])
    #expect(outputShape(player) == [7, 7])
    #expect(player.statusLine(glyphs: .unicode, gridsClipped: false).fields.map(\.text).contains("size (9 + 2·0 − 3)/1 + 1 = 7"))
    _ = player.update(.keyPressed(.char(">")))
    #expect(outputShape(player) == [4, 4])
    #expect(player.status == "knob stride 2 (the lesson's: 1): < > turns it, [ ] another, o restores")
    #expect(player.frame == player.lastFrame && player.lastFrame == 15)
    // The formula follows the knob (⌊(9 − 3)/2⌋ + 1 = 4), once the message is gone.
    _ = player.update(.keyPressed(.char(",")))
    let fields = player.statusLine(glyphs: .unicode, gridsClipped: false).fields.map(\.text)
    #expect(fields.contains("size ⌊(9 + 2·0 − 3)/2⌋ + 1 = 4"))
    #expect(fields.contains("stride 2 *"))
    // The padding knob: same keeps the 9x9 size at stride 1.
    _ = player.update(.keyPressed(.char("<")))
    _ = player.update(.keyPressed(.char("]")))
    #expect(player.chosenKnob?.name == "padding")
    _ = player.update(.keyPressed(.char(">")))
    #expect(player.chosenKnob?.value == "same")
    #expect(outputShape(player) == [9, 9])
    _ = player.update(.keyPressed(.char("o")))
    #expect(player.turnedOperations.isEmpty)
    #expect(outputShape(player) == [7, 7])
    #expect(player.status == "knobs back to the lesson's settings")
  }

  @Test func laterStepsComputeFromATurnedKnobUntilAQuestionOpens() throws {
    var player = try player()
    _ = player.update(.keyPressed(.char(">")))  // stride 2: a 4x4 map
    player.show(step: 1)
    // The pooling reads the 4x4 map: ⌈(4 − 2)/2⌉ + 1 = 2.
    #expect(outputShape(player) == [2, 2])
    #expect(player.status == "computed with the knobs turned in step 1: o gives the lesson's settings")
    player.show(step: 0)
    #expect(outputShape(player) == [4, 4])
    // → opens the question about map[0,0]: the lesson's stride comes back, and the knobs wait.
    _ = player.update(.keyPressed(.right))
    #expect(player.activeQuestion != nil)
    #expect(player.turnedOperations.isEmpty)
    #expect(outputShape(player) == [7, 7])
    #expect(player.status == "knobs back to the lesson's settings: the question is about them")
    _ = player.update(.keyPressed(.escape))
    _ = player.update(.keyPressed(.char(">")))
    #expect(player.turnedOperations.isEmpty)
    #expect(player.status == LessonPlayer.knobsLocked)
  }

  @Test func aPoolingStepTurnsItsWindowModeAndEdges() throws {
    var player = try player()
    player.show(step: 1)
    _ = player.update(.keyPressed(.char("s")))
    #expect(player.knobs.map(\.name) == ["window", "stride", "mode", "edges"])
    #expect(outputShape(player) == [4, 4])  // ⌈(7 − 2)/2⌉ + 1
    _ = player.update(.keyPressed(.char("[")))
    _ = player.update(.keyPressed(.char(">")))
    #expect(player.chosenKnob?.value == "floor")
    #expect(outputShape(player) == [3, 3])  // ⌊(7 − 2)/2⌋ + 1
    guard case .pooling(let pooled)? = player.scene?.animation else {
      Issue.record("step 2 is not a pooling")
      return
    }
    // Against the engine directly: the 7x7 map pooled with floor at the edges.
    guard case .convolution(let map)? = player.scenes[0].animation else { return }
    let direct = try Reference.pool(input: map.output.reshaped([1, 7, 7]), size: 2, stride: 2, ceil: false, mode: .max)
    #expect(pooled.output.scalars == direct.scalars)
  }
}
