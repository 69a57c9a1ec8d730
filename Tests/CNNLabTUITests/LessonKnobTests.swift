import CNNLabEngine
import CNNLabLessons
import Foundation
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

  @Test func aTurnedKnobIsSavedInProgressAndComesBackWhenTheLearnerReturns() throws {
    var player = try player()
    _ = player.update(.keyPressed(.char(">")))  // stride 2
    _ = player.update(.keyPressed(.char("]")))
    _ = player.update(.keyPressed(.char("]")))
    _ = player.update(.keyPressed(.char(">")))  // dilation 2
    #expect(outputShape(player) == [3, 3])  // ⌊(9 − 5)/2⌋ + 1
    let saved = player.progress
    #expect(saved.knobs == [.init(step: 0, name: "stride", value: "2"), .init(step: 0, name: "dilation", value: "2")])
    // Through the file's JSON, as the store writes it.
    let data = try JSONEncoder().encode(Progress(lessons: ["xo": saved]))
    let reloaded = try #require(try JSONDecoder().decode(Progress.self, from: data).lessons["xo"])
    #expect(reloaded == saved)
    var resumed = try LessonPlayer(fixture: "xo", progress: reloaded)
    _ = resumed.update(.resized(width: 100, height: 32))
    #expect(resumed.step == 0)
    #expect(resumed.knobs.first { $0.name == "stride" }?.value == "2")
    #expect(resumed.knobs.first { $0.name == "dilation" }?.value == "2")
    #expect(resumed.lessonValue(of: "stride") == "1")
    #expect(outputShape(resumed) == [3, 3])
    // Later steps compute from it, as before leaving; o gives the lesson's settings back.
    resumed.show(step: 1)
    #expect(outputShape(resumed) == [2, 2])  // the 3x3 map pooled: ⌈(3 − 2)/2⌉ + 1
    resumed.show(step: 0)
    _ = resumed.update(.keyPressed(.char("o")))
    #expect(outputShape(resumed) == [7, 7])
    #expect(resumed.progress.knobs == nil)
  }

  @Test func progressSavedBeforeKnobsWereKeptStillLoads() throws {
    let old = #"{"step": 2, "completedSteps": [0, 1], "finished": false, "answers": [], "kernels": []}"#
    let progress = try JSONDecoder().decode(LessonProgress.self, from: Data(old.utf8))
    #expect(progress.knobs == nil)
    let player = try LessonPlayer(fixture: "xo", progress: progress)
    #expect(player.step == 2)
    #expect(player.turnedOperations.isEmpty)
  }

  @Test func thePresetIsAKnobAndPTurnsItToo() throws {
    var player = try player()
    player.show(step: 4)  // edits the diagonal, whose presets are identity, edge-diagonal, sharpen
    #expect(player.knobs.map(\.name) == ["stride", "padding", "dilation", "mode", "preset"])
    #expect(player.knobs.last?.value == "own")
    _ = player.update(.keyPressed(.char("[")))  // round to the last knob
    #expect(player.chosenKnob?.name == "preset")
    #expect(player.status == "knob preset own: < > turns it, [ ] another, r resets")
    #expect(player.hintsForFocus.contains { $0.summary == "preset" })
    _ = player.update(.keyPressed(.char(">")))
    #expect(player.chosenKnob?.value == "identity")
    #expect(player.edits["diagonal"]?.values == [0, 0, 0, 0, 1, 0, 0, 0, 0])
    _ = player.update(.keyPressed(.char(">")))
    #expect(player.chosenKnob?.value == "edge-diagonal")
    _ = player.update(.keyPressed(.char("<")))
    #expect(player.chosenKnob?.value == "identity")
    _ = player.update(.keyPressed(.char("<")))  // round to the last preset
    #expect(player.chosenKnob?.value == "sharpen")
    // p is the same knob turned up: round to the first preset.
    _ = player.update(.keyPressed(.char("p")))
    #expect(player.chosenKnob?.value == "identity")
    #expect(player.status == "diagonal: preset identity")
    // Help names p as the preset knob, once.
    let help = LessonPlayer.helpHints.map(\.summary)
    #expect(help.filter { $0.contains("preset") } == ["the preset knob: the kernel's next preset"])
  }

  @Test func aStepWithoutPresetsHasNoPresetKnob() throws {
    let player = try player()
    #expect(!player.knobs.contains { $0.name == "preset" })
    #expect(!player.hintsForFocus.contains { $0.summary == "preset" })
  }

  /// The input's roles at frame `frame` of the step's convolution, and the padded grid if any.
  func inputMarks(_ player: LessonPlayer, frame: Int) throws -> (roles: [GridPoint: Role], padded: [[Float]]?) {
    guard case .convolution(let a)? = player.scene?.animation else { throw FixtureError(description: "not a convolution") }
    let shaped = LessonPlayer.shape(a.input, channel: 0, maxWidth: 100)
    return a.inputMarks(frame: frame, channel: 0, shaped: shaped)
  }

  @Test func aConvStepDrawsItsGeometryAsThePlaygroundDoes() throws {
    var player = try player()
    for _ in 0..<3 { _ = player.update(.keyPressed(.char(">"))) }  // stride 4: windows at rows 0 and 4
    #expect(player.chosenKnob?.value == "4")
    var marks = try inputMarks(player, frame: 0)
    #expect(marks.padded == nil)
    // Rows and columns 7 and 8 are under no window: dimmed, as conv_arithmetic greys them.
    for i in 0..<9 {
      #expect(marks.roles[GridPoint(row: 7, column: i)] == .dim)
      #expect(marks.roles[GridPoint(row: i, column: 8)] == .dim)
    }
    #expect(marks.roles[GridPoint(row: 6, column: 6)] == nil)
    #expect(marks.roles[GridPoint(row: 2, column: 2)] == .kernelWindow)
    #expect(marks.roles.values.filter { $0 == .kernelWindow }.count == 9)
    // The playground draws the same input with the cursor on the same window.
    let settings = PlaygroundSettings(input: .x, kernel: try #require(NamedGrid.kernel(named: "diagonal")), stride: 4, normalize: true)
    let playground = PlaygroundScreen(pipeline: try PlaygroundPipeline(settings))
    let input = try #require(playground.panels(glyphs: .unicode).first { $0.content == .input })
    #expect(input.grid.cellRoles == marks.roles)

    // Dilation 2 at stride 1: the window's taps spread out, every other cell.
    _ = player.update(.keyPressed(.char("o")))
    _ = player.update(.keyPressed(.char("]")))
    _ = player.update(.keyPressed(.char("]")))
    _ = player.update(.keyPressed(.char(">")))
    #expect(player.chosenKnob?.name == "dilation")
    marks = try inputMarks(player, frame: 0)
    let lit = Set(marks.roles.filter { $0.value == .kernelWindow }.map(\.key))
    #expect(lit == Set([0, 2, 4].flatMap { r in [0, 2, 4].map { GridPoint(row: r, column: $0) } }))

    // Padding 1: the input grows by a ring of zeros drawn as padding.
    _ = player.update(.keyPressed(.char("o")))
    _ = player.update(.keyPressed(.char("[")))
    _ = player.update(.keyPressed(.char(">")))  // same
    _ = player.update(.keyPressed(.char(">")))  // 1
    #expect(player.chosenKnob?.name == "padding" && player.chosenKnob?.value == "1")
    marks = try inputMarks(player, frame: 0)
    let padded = try #require(marks.padded)
    #expect(padded.count == 11 && padded[0].count == 11)
    #expect(padded[0].allSatisfy { $0 == 0 })
    #expect(marks.roles[GridPoint(row: 10, column: 5)] == .padding)
    #expect(marks.roles[GridPoint(row: 0, column: 0)] == .kernelWindow)  // the first window reads padding
    #expect(marks.roles[GridPoint(row: 5, column: 5)] == nil)
  }

  @Test func lessonFourEndsWithAllThreeFeaturesToEditTabChoosingWhich() throws {
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    let entry = try #require(course.entries.first { $0.name == "04-xo-features" })
    let lesson = try #require(entry.lesson)
    var player = LessonPlayer(source: LessonSource(lesson: lesson, name: entry.name, number: 4, count: course.entries.count))
    _ = player.update(.resized(width: 80, height: 24))
    player.show(step: player.scenes.count - 1)
    _ = player.update(.keyPressed(.char("s")))
    #expect(player.editable.map(\.name) == ["diag", "cross", "anti"])
    _ = player.update(.keyPressed(.tab))
    #expect(player.focus == .kernel && player.kernelIndex == 0)
    _ = player.update(.keyPressed(.tab))
    #expect(player.focus == .kernel && player.kernelIndex == 1)
    #expect(player.status == "editing cross (2 of 3): Tab the next")
    #expect(player.chosenChannel == 1)  // the stack shows cross's map
    // At 80x24 only the feature in the editor is drawn, and every grid fits.
    let kernels = player.layout.panels.compactMap { panel -> Int? in
      if case .kernel(let index) = panel.kind { return index } else { return nil }
    }
    #expect(kernels == [1])
    // The crossing turned into a plus: its corners -1, its middle row and column 1.
    let plus: [Float] = [-1, 1, -1, 1, 1, 1, -1, 1, -1]
    for (cell, value) in plus.enumerated() {
      for key in [Key.up, .up, .left, .left] { _ = player.update(.keyPressed(key)) }
      for _ in 0..<(cell / 3) { _ = player.update(.keyPressed(.down)) }
      for _ in 0..<(cell % 3) { _ = player.update(.keyPressed(.right)) }
      #expect(player.cursor == cell)
      for c in value < 0 ? "-1" : "1" { _ = player.update(.keyPressed(.char(c))) }
      _ = player.update(.keyPressed(.enter))
    }
    #expect(player.edits["cross"]?.values.map(Float.init) == plus)
    // Every map of the crossing recomputes, in this step and before: against the engine.
    let x = try #require(player.scenes[0].grids.first { $0.name == "x" }?.tensor)
    let direct = try Reference.conv2DTrace(
      input: x.reshaped([1, 9, 9]), weights: Tensor(shape: [1, 1, 3, 3], scalars: plus), bias: nil,
      options: ConvOptions(normalize: true), activation: .identity
    ).output
    for (step, name) in [(player.scenes.count - 1, "yours"), (4, "maps")] {
      guard case .convolution(let a)? = player.scenes[step].animation else {
        Issue.record("step \(step + 1) is not a convolution")
        continue
      }
      #expect(a.outputName == name)
      #expect(Array(a.output.scalars[49..<98]) == direct.scalars, "\(name) in step \(step + 1)")
    }
    // Tab past the last feature leaves the editor.
    _ = player.update(.keyPressed(.tab))
    _ = player.update(.keyPressed(.tab))
    #expect(player.focus == .lesson)
  }

  /// The playground takes every value of the knobs' one description and refuses the next with
  /// its words; its padding key steps through the lessons' paddings.
  @Test func thePlaygroundTakesTheWholeRangeOfTheSharedDescription() throws {
    let diagonal = try #require(NamedGrid.kernel(named: "diagonal"))
    #expect(PlaygroundScreen.paddings == KnobScale.paddings)
    #expect(PlaygroundSettings(kernel: diagonal, stride: KnobScale.stride.values.upperBound).problem() == nil)
    #expect(PlaygroundSettings(kernel: diagonal, stride: 33).problem() == KnobScale.stride.problem(33))
    #expect(PlaygroundSettings(kernel: diagonal, dilation: 0).problem() == "the dilation must be 1 to 32, not 0")
    #expect(PlaygroundSettings(kernel: diagonal, pool: 40).problem() == "the pooling window must be 1 to 32, not 40")
    #expect(PlaygroundSettings(kernel: diagonal, pool: 2, poolStride: 33).problem() == "the pooling stride must be 1 to 32, not 33")
    let help = try #require(PlaygroundScreen.keys.first { $0.actions.contains(.paddingNext) })
    #expect(help.summary == "padding: valid, same, 1, 2, 3")
  }
}
