import CNNLabEngine
import CNNLabLessons
import Testing

@testable import CNNLabTUI

@Suite struct LessonPlayerTests {
  /// The X/O fixture at `step` (1-based), paused at `frame` (0-based) on a `width` x `height` screen.
  func xo(step: Int, frame: Int? = nil, width: Int = 100, height: Int = 32) throws -> LessonPlayer {
    var player = try LessonPlayer(fixture: "xo")
    _ = player.update(.resized(width: width, height: height))
    player.show(step: step - 1, frame: frame)
    return player
  }

  /// The status line and the text under the questions say the same thing once the last lesson
  /// is finished, and both say whether → goes on to live training.
  @Test func theLastLessonSaysTheSameWhereverItSaysWhereRightLeads() throws {
    let expectations = [
      (false, "Course complete. Press q to go back to the course."),
      (true, "Course complete. Press → to train a network live, or q for the course."),
    ]
    for (leadsToTraining, message) in expectations {
      var player = try LessonPlayer(fixture: "xo")
      #expect(player.source.number == player.source.count)
      player.leadsToTraining = leadsToTraining
      _ = player.update(.resized(width: 100, height: 32))
      for _ in 0..<50 where !player.finished { _ = player.update(.keyPressed(.right)) }
      #expect(player.finished)
      // Said once, under the questions; the status line does not repeat it.
      #expect(!player.statusText(glyphs: .unicode).contains("complete"))
      #expect(player.interactionText(width: 100).map(\.text).contains(message))
      let shown = frame(of: player).lines.joined(separator: "\n")
      #expect(shown.components(separatedBy: "complete").count == 2, "\(shown)")
      #expect(!player.interactionText(width: 100).contains { $0.text.contains("last lesson") })
      let plain = player.interactionText(width: 100, glyphs: .ascii).map(\.text)
      #expect(plain.contains(message.replacingOccurrences(of: "→", with: "->")))
    }
  }

  /// ReLU of a grid with no negatives changes nothing, so only names tell its input and output
  /// from another grid holding the same values.
  @Test func aReluFindsItsGridsByNameNotByValue() throws {
    let lesson = try LessonParser.parse(
      """
      format 1
      title "Same values"
      grid a 2x2
        1 2
        3 4
      end
      grid b 2x2
        1 2
        3 4
      end
      step "Both"
        relu b -> r
        show a, b, r
      end
      step "Result only"
        relu a -> s
        show s
      end
      """, file: "same.cnnlab")
    var player = LessonPlayer(source: LessonSource(lesson: lesson, name: "same"))
    _ = player.update(.resized(width: 100, height: 32))
    player.show(step: 0, frame: 0)
    var parts = player.animationParts(try #require(player.scene))
    #expect(parts.input == "b")
    #expect(parts.output == "r")
    player.show(step: 1, frame: 1)
    parts = player.animationParts(try #require(player.scene))
    #expect(parts.input == "a")
    #expect(parts.output == "s")
    #expect(player.arithmeticText(glyphs: .unicode, width: 100).map(\.text) == ["s[0,1] = max(0, 2) = 2"])
  }

  @Test func firstWindowOfTheXWritesOutTheArithmetic() throws {
    let player = try xo(step: 1, frame: 0)
    let buffer = frame(of: player)
    // From the lecture notes: seven of the nine products are +1, two are −1: 7, and 7/9 = 0.78
    // (the slide prints 0.77).
    #expect(buffer.lines.contains { $0.contains("= 7  →  7/9 = 0.78") })
    #expect(buffer.lines.contains { $0.hasPrefix(" map[0,0] = (−1×1) + (−1×−1) + (−1×−1)") })
    assertSnapshot(buffer)
  }

  @Test func poolingTwoByTwoStrideTwoOverTheSevenBySevenMap() throws {
    let player = try xo(step: 2, frame: 3)
    let buffer = frame(of: player)
    // Window (0,3) of the ceil pooling hangs over the edge: only map[0..1, 6] is inside.
    // map[0,6] = 3/9 and map[1,6] = −1/9 (the lecture's 0.33 and −0.11).
    #expect(buffer.lines.contains { $0.contains("pooled[0,3] = max(0.33, −0.11) = 0.33") })
    assertSnapshot(buffer)
  }

  @Test func strideTwoSkipsEveryOtherColumn() throws {
    var player = try xo(step: 3, frame: 1)
    _ = player.update(.keyPressed(.right))  // the working comes after the operation
    let buffer = frame(of: player)
    // The second window sits on columns 2..4; the lecture's map[0,2] is 0.11 = 1/9.
    #expect(buffer.lines.contains { $0.contains("strided[0,1] = ") && $0.contains("= 1  →  1/9 = 0.11") })
    #expect(buffer.lines.contains { $0.contains("⌊(9 + 2·0 − 3)/2⌋ + 1 = 4") })
    assertSnapshot(buffer)
  }

  @Test func paddingIsDrawnAsDimZerosAroundTheInput() throws {
    let player = try xo(step: 4, frame: 0)
    let buffer = frame(of: player)
    let row = buffer.lines.firstIndex { $0.contains("x  9×9 + padding") }
    let top = try #require(row) + 1
    #expect(buffer.lines[top].hasPrefix("   0  0  0  0  0  0  0  0  0  0  0"))
    // The window covers the top-left 3x3 of the padded grid: padding cells inside it are
    // drawn as the window, the rest of the ring as padding.
    #expect(buffer.roleMap(row: top).hasPrefix("nkkkkkkkkkppppppppppppppppppppppp"))
    assertSnapshot(buffer)
  }

  @Test func rightArrowRevealsTheOperationAndStepsOn() throws {
    var player = try LessonPlayer(fixture: "xo")
    _ = player.update(.resized(width: 100, height: 32))
    // Arriving reveals the prose and the operation, which starts playing.
    #expect(player.step == 0)
    #expect(player.revealedAnimation != nil)
    #expect(player.playing)
    // The animation keeps playing while the question shows.
    #expect(player.update(.keyPressed(.right)) == [.tick(afterMilliseconds: 200)])
    #expect(player.activeQuestion != nil)
    #expect(player.focus == .answer)
    _ = player.update(.keyPressed(.right))
    #expect(player.step == 1)
    #expect(player.completedSteps == [0])
    _ = player.update(.keyPressed(.left))
    #expect(player.step == 0)
    // Back on a step shows it whole, at its last frame.
    #expect(player.frame == player.lastFrame)
    #expect(player.beat == (player.scene?.beats.count ?? 0) - 1)
  }

  @Test func playingRunsToTheEndOfTheMapAndStops() throws {
    var player = try xo(step: 1, frame: 0)
    #expect(player.update(.keyPressed(.char(" "))) == [.tick(afterMilliseconds: 200)])
    var ticks = 0
    while player.update(.ticked) != [] { ticks += 1 }
    #expect(ticks == 47)  // 49 windows: frames 1...47 ask for another tick, 48 is the last
    #expect(player.frame == 48)
    #expect(!player.playing)
    #expect(player.update(.ticked) == [])
    let buffer = frame(of: player)
    // Every cell of the 7x7 map is filled: the lecture's first row (with 5/9 = 0.56, not 0.55).
    #expect(buffer.lines.contains { $0.contains("0.78 −0.11  0.11  0.33  0.56 −0.11  0.33") })
    #expect(!buffer.lines.joined().contains("    ·"))  // no blank (not yet computed) cell
    #expect(buffer.lines.contains { $0.contains("map[6,6] =") && $0.contains("7/9 = 0.78") })
  }

  @Test func speedAndSingleFrames() throws {
    var player = try xo(step: 1, frame: 0)
    _ = player.update(.keyPressed(.char("+")))
    #expect(player.interval == 100)
    _ = player.update(.keyPressed(.char("-")))
    _ = player.update(.keyPressed(.char("-")))
    #expect(player.interval == 400)
    _ = player.update(.keyPressed(.char(".")))
    _ = player.update(.keyPressed(.char(".")))
    _ = player.update(.keyPressed(.char(",")))
    #expect(player.frame == 1)
    #expect(!player.playing)
  }

  @Test func editingAKernelCellShowsTheEnginesNewMap() throws {
    var player = try xo(step: 5, frame: 0)
    _ = player.update(.keyPressed(.tab))
    #expect(player.focus == .kernel)
    // The top-left weight 1 becomes 5: window (0,0) loses 1×(−1) and gains 5×(−1): 7 + 1 − 5 = 3.
    for key in [Key.char("5"), .enter] { _ = player.update(.keyPressed(key)) }
    #expect(player.edits["diagonal"]?.values.first == 5)
    let buffer = frame(of: player)
    #expect(buffer.lines.contains { $0.contains("mine[0,0] = (−1×5)") && $0.contains("= 3  →  3/9 = 0.33") })
    // Every cell of the map comes from the engine: compare with the reference convolution.
    _ = player.update(.keyPressed(.escape))
    _ = player.update(.keyPressed(.char(" ")))
    while player.update(.ticked) != [] {}
    guard case .convolution(let a)? = player.scene?.animation else {
      Issue.record("step 5 has no convolution")
      return
    }
    let x = try #require(player.scene?.grids.first { $0.name == "x" }?.tensor)
    var kernel: [Float] = [1, -1, -1, -1, 1, -1, -1, -1, 1]
    kernel[0] = 5
    let expected = try Reference.conv2D(
      input: x.reshaped([1, 9, 9]), weights: Tensor(shape: [1, 1, 3, 3], scalars: kernel),
      options: ConvOptions(normalize: true))
    #expect(a.output.scalars == expected.scalars)
    #expect(abs(a.output.scalars[0] - 3.0 / 9) < 1e-6)
  }

  @Test func enteringTheValueAKernelCellAlreadyHoldsPlansNothingAgain() throws {
    final class Count: @unchecked Sendable { var plans = 0 }
    let count = Count()
    var source = try LessonSource.fixture("xo")
    let plan = source.plan
    source.plan = { edits in
      count.plans += 1
      return plan(edits)
    }
    var player = LessonPlayer(source: source)
    _ = player.update(.resized(width: 100, height: 32))
    player.show(step: 4, frame: 0)
    _ = player.update(.keyPressed(.tab))
    for key in [Key.char("5"), .enter] { _ = player.update(.keyPressed(key)) }
    #expect(player.edits["diagonal"]?.values.first == 5)
    let plans = count.plans
    for key in [Key.char("5"), .enter] { _ = player.update(.keyPressed(key)) }
    #expect(count.plans == plans)
    #expect(player.edits["diagonal"]?.values.first == 5)
    #expect(player.editedInStep == [4])
    for key in [Key.char("2"), .enter] { _ = player.update(.keyPressed(key)) }
    #expect(count.plans == plans + 1)
    #expect(player.edits["diagonal"]?.values.first == 2)
  }

  @Test func presetsCycleAndResetRestoresTheLessonsKernel() throws {
    var player = try xo(step: 5)
    _ = player.update(.keyPressed(.char("p")))
    #expect(player.edits["diagonal"]?.values == [0, 0, 0, 0, 1, 0, 0, 0, 0])
    _ = player.update(.keyPressed(.char("p")))
    #expect(player.edits["diagonal"]?.values == [1, 0, -1, 0, 0, 0, -1, 0, 1])
    _ = player.update(.keyPressed(.char("r")))
    #expect(player.edits.isEmpty)
  }

  @Test func aWrongAnswerShowsTheHintAndARightOneIsAccepted() throws {
    var player = try LessonPlayer(fixture: "xo")
    _ = player.update(.resized(width: 100, height: 32))
    _ = player.update(.keyPressed(.right))
    for key in [Key.char("0"), .char("."), .char("5"), .enter] { _ = player.update(.keyPressed(key)) }
    var buffer = frame(of: player)
    #expect(buffer.lines.contains { $0.contains("✗ 0.5 is not it. Hint: Eight of the nine products are +1") })
    // The cell the question asks about shows "?" until it is answered.
    let map = try #require(player.layout.panels.first { $0.kind == .output(0) })
    #expect(buffer[x: map.frame.x + map.cellWidth - 1, y: map.frame.y + 1] == Cell("?", role: .field))
    for key in [Key.char("7"), .char("/"), .char("9"), .enter] { _ = player.update(.keyPressed(key)) }
    buffer = frame(of: player)
    #expect(buffer.lines.contains { $0.contains("✓ What is map[0,0]? 7/9 is right.") })
    let answered = try #require(player.layout.panels.first { $0.kind == .output(0) })
    #expect(buffer[x: answered.frame.x + answered.cellWidth - 1, y: answered.frame.y + 1].character == "8")  // 0.78
    #expect(player.activeQuestion == nil)
  }

  @Test func clickingAnOutputCellMovesTheWindowThere() throws {
    var player = try xo(step: 1, frame: 0)
    let layout = player.layout
    let output = try #require(layout.panels.first { $0.kind == .output(0) })
    // Row 2, column 3 of the map: the 18th window (2*7 + 3).
    let x = output.frame.x + 3 * output.cellWidth + 1
    let y = output.frame.y + 1 + 2
    _ = player.update(.mouse(MouseEvent(.leftClick, x: x, y: y)))
    #expect(player.frame == 17)
  }

  @Test func clickingAKernelCellStartsEditingIt() throws {
    var player = try xo(step: 5)
    let kernel = try #require(player.layout.panels.first { $0.kind == .kernel(0) })
    _ = player.update(.mouse(MouseEvent(.leftClick, x: kernel.frame.x + 2 * kernel.cellWidth + 1, y: kernel.frame.y + 2)))
    #expect(player.focus == .kernel)
    #expect(player.cursor == 5)  // row 1, column 2
  }

  @Test func narrowScreensWrapTheGridsWithoutCuttingThem() throws {
    let wide = try xo(step: 1, frame: 0, width: 120, height: 40).layout.panels
    #expect(Set(wide.map(\.frame.y)).count == 1)  // one row: input, kernel, map
    let narrow = try xo(step: 1, frame: 0, width: 80, height: 30).layout
    #expect(Set(narrow.panels.map(\.frame.y)).count == 2)
    for panel in narrow.panels {
      #expect(panel.frame.maxX <= narrow.grids.maxX && panel.frame.width >= panel.size.width, "\(panel.title)")
    }
    #expect(!narrow.gridsClipped)
    assertSnapshot(frame(of: try xo(step: 1, frame: 0, width: 80, height: 30), width: 80, height: 30))
  }

  @Test func escapeLeavesAFieldFirstAndQLeavesTheLesson() throws {
    var player = try xo(step: 5)
    _ = player.update(.keyPressed(.tab))
    _ = player.update(.keyPressed(.escape))
    #expect(player.focus == .lesson)
    #expect(!player.wantsToLeave)
    _ = player.update(.keyPressed(.escape))
    #expect(player.wantsToLeave)
    var answering = try LessonPlayer(fixture: "xo")
    _ = answering.update(.keyPressed(.right))
    #expect(answering.focus == .answer)
    _ = answering.update(.keyPressed(.char("q")))
    #expect(answering.wantsToLeave)
  }
}

@Suite struct ProseScrollTests {
  @Test func theWheelAndPageKeysScrollLongProse() throws {
    var player = try LessonPlayer(fixture: "xo")
    // 40 columns wrap the first step's text to more lines than there is room for.
    _ = player.update(.resized(width: 40, height: 24))
    #expect(player.proseScroll == 0)
    _ = player.update(.mouse(MouseEvent(.wheelDown, x: 5, y: 4)))
    let scrolled = player.proseScroll
    #expect(scrolled > 0)
    _ = player.update(.keyPressed(.pageUp))
    #expect(player.proseScroll < scrolled)
    _ = player.update(.mouse(MouseEvent(.wheelUp, x: 5, y: 4)))
    #expect(player.proseScroll == 0)
  }
}

@Suite struct PlainTerminalTests {
  @Test func withoutUnicodeEveryCellIsASCII() throws {
    var player = try LessonPlayer(fixture: "xo")
    _ = player.update(.resized(width: 100, height: 32))
    player.show(step: 0, frame: 0)
    var buffer = CellBuffer(width: 100, height: 32, capabilities: .plain)
    player.render(into: &buffer)
    #expect(buffer.lines.allSatisfy { $0.allSatisfy(\.isASCII) })
    #expect(buffer.lines.contains { $0.contains("map[0,0] = (-1x1) + (-1x-1)") && $0.contains("= 7  ->  7/9 = 0.78") })
    #expect(buffer.lines.contains { $0.hasPrefix(" x  9x9") })
  }
}

@Suite struct ImageTests {
  /// A one-step lesson showing `grid`.
  func player(showing grid: ShownGrid) -> LessonPlayer {
    let scene = Scene(number: 1, title: "A picture", beats: [.text(["A digit."])], grids: [grid])
    var player = LessonPlayer(source: LessonSource(name: "image", title: "Images") { _ in [scene] })
    _ = player.update(.resized(width: 100, height: 32))
    return player
  }

  @Test func aTwentyEightByTwentyEightImageIsDrawnInHalfBlocks() {
    // A diagonal ramp: pixel (r, c) has brightness (r + c) / 54.
    let pixels = (0..<28).flatMap { r in (0..<28).map { c in Float(r + c) } }
    let player = player(showing: ShownGrid(name: "digit", tensor: Tensor(shape: [28, 28], scalars: pixels), style: .shades))
    let buffer = frame(of: player)
    let top = buffer.lines.firstIndex { $0.hasPrefix(" digit  28×28") } ?? -1
    #expect(top >= 0)
    for row in 1...14 { #expect(buffer.roleMap(row: top + row).hasPrefix("n" + String(repeating: "i", count: 28) + "n")) }
    #expect(buffer[x: 1, y: top + 1] == Cell("▀", role: .halfBlock(top: 0, bottom: Role.greyLevel(1.0 / 54))))
    #expect(buffer.roleMap(row: top + 15).hasPrefix("nn"))
  }

  @Test func aShadedGridHidesTheCellAQuestionAsksAbout() {
    let question = SceneQuestion(
      prompt: "What is tiny[0,1]?", hint: "Look.", answer: "9", expected: .number(9), tolerance: 0,
      cells: [SceneQuestion.Cell(grid: "tiny", index: [0, 1])])
    let grid = ShownGrid(name: "tiny", tensor: Tensor([[0, 9], [9, 0]]), style: .shades)
    let scene = Scene(number: 1, title: "A question", beats: [.question(question)], grids: [grid])
    var player = LessonPlayer(source: LessonSource(name: "image", title: "Images") { _ in [scene] })
    _ = player.update(.resized(width: 100, height: 32))
    var buffer = frame(of: player)
    let top = buffer.lines.firstIndex { $0.hasPrefix(" tiny  2×2") } ?? -1
    #expect(buffer.lines[top + 1].hasPrefix("    ? "))  // black pixel, then the asked one
    #expect(buffer.lines[top + 2].hasPrefix(" ██   "))
    for key in [Key.char("9"), .enter] { _ = player.update(.keyPressed(key)) }
    buffer = frame(of: player)
    #expect(buffer.lines[top + 1].hasPrefix("   ██ "))  // answered: the shade shows
  }

  @Test func aSmallImageHasSquarePixelsInShadeCharacters() {
    let player = player(showing: ShownGrid(name: "tiny", tensor: Tensor([[0, 9], [9, 0]]), style: .shades))
    let buffer = frame(of: player)
    let top = buffer.lines.firstIndex { $0.hasPrefix(" tiny  2×2") } ?? -1
    #expect(buffer.lines[top + 1].hasPrefix("   ██ "))  // black pixel (two blanks), white pixel
    #expect(buffer.lines[top + 2].hasPrefix(" ██   "))
  }
}
