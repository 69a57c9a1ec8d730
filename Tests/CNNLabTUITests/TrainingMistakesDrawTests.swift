import CNNLabData
import CNNLabEngine
import CNNLabTraining
import Testing

@testable import CNNLabTUI

/// From a number to its pictures: a cell of the confusion matrix lists its examples, one opens
/// in Maps, `d` copies it to the canvas; and the canvas's brush, pen and strokes.
@Suite struct TrainingMistakesDrawTests {
  /// A paused X/O run after `steps` steps and its inspection, on the Mistakes pane.
  static func mistakes(steps: Int = 3, width: Int = 100, height: Int = 30) throws -> (TrainingScreen, Inspection) {
    var run = try TrainingTimelineTests.run(steps: steps)
    run.handle(.inspect(example: 0))
    let inspection = try #require(run.snapshot.inspection)
    var screen = TrainingScreenTests.screen(run.snapshot, width: width, height: height)
    _ = screen.update(.keyPressed(.char("4")))
    return (screen, inspection)
  }

  func text(_ screen: TrainingScreen, width: Int = 100, height: Int = 30) -> [String] {
    var buffer = CellBuffer(width: width, height: height, capabilities: .plain)
    screen.render(into: &buffer)
    return buffer.lines
  }

  @Test func theInspectionPredictsEveryExampleAndTheCellsAddUp() throws {
    let (_, inspection) = try Self.mistakes()
    let labels = TrainingScreenTests.data.validation.labels
    #expect(inspection.predictions.count == labels.count)
    for truth in 0..<2 {
      for guess in 0..<2 {
        let count = labels.indices.filter { labels[$0] == truth && inspection.predictions[$0] == guess }.count
        #expect(count == inspection.confusion[truth][guess], "cell \(truth),\(guess)")
      }
    }
  }

  /// Arrows choose a cell, Enter lists its examples (each drawn with its number), and in the
  /// list the arrows choose one and Enter opens it in Maps, asking for its probe.
  @Test func enterListsACellsExamplesAndOpensOneInMaps() throws {
    var (screen, inspection) = try Self.mistakes()
    #expect(screen.matrixCell == (0, 1))
    _ = screen.update(.keyPressed(.down))
    _ = screen.update(.keyPressed(.left))
    #expect(screen.matrixCell == (1, 0))
    // The right answers for O (row 1) are the diagonal cell: choose it, where there are several.
    _ = screen.update(.keyPressed(.right))
    #expect(screen.matrixCell == (1, 1))
    _ = screen.update(.keyPressed(.enter))
    #expect(screen.listsCell)
    let labels = TrainingScreenTests.data.validation.labels
    let expected = labels.indices.filter { labels[$0] == 1 && inspection.predictions[$0] == 1 }
    #expect(screen.cellExamples == expected)
    #expect(expected.count == inspection.confusion[1][1] && expected.count >= 2)
    let lines = text(screen)
    #expect(lines.contains { $0.contains("O predicted as O: \(expected.count) examples") })
    #expect(lines.contains { $0.contains("#\(expected[0] + 1)") && $0.contains("#\(expected[1] + 1)") })
    _ = screen.update(.keyPressed(.right))
    #expect(screen.listChoice == 1)
    let effects = screen.update(.keyPressed(.enter))
    #expect(screen.pane == .maps)
    #expect(screen.example == expected[1])
    guard case .probe(let input, _)? = effects.commands.last else {
      Issue.record("no probe of the opened example: \(effects)")
      return
    }
    #expect(input == TrainingScreenTests.data.validation.inputs.slice(expected[1]))
    // Back on Mistakes the list is still open; Esc closes it and a second Esc quits.
    _ = screen.update(.keyPressed(.char("4")))
    #expect(screen.listsCell)
    #expect(screen.update(.keyPressed(.escape)).isEmpty)
    #expect(!screen.listsCell)
    #expect(screen.update(.keyPressed(.escape)) == [.quit])
  }

  /// Enter on a cell without examples says so and stays on the matrix, where the arrows still
  /// move; it does not open an empty list with keys that do nothing.
  @Test func anEmptyCellStaysOnTheMatrix() throws {
    var (screen, inspection) = try Self.mistakes()
    let empty = try #require(
      (0..<2).flatMap { r in (0..<2).map { (r, $0) } }.first { inspection.confusion[$0.0][$0.1] == 0 },
      "the fixture has a cell without examples")
    while screen.matrixCell.row != empty.0 { _ = screen.update(.keyPressed(screen.matrixCell.row < empty.0 ? .down : .up)) }
    while screen.matrixCell.column != empty.1 {
      _ = screen.update(.keyPressed(screen.matrixCell.column < empty.1 ? .right : .left))
    }
    _ = screen.update(.keyPressed(.enter))
    #expect(!screen.listsCell)
    #expect(text(screen).contains { $0.contains("no example in this cell") })
  }

  /// `d` copies the chosen example to the canvas, X/O's −1/+1 back to ink 0/1, and opens Draw.
  @Test func dCopiesTheChosenExampleToTheCanvas() throws {
    var (screen, _) = try Self.mistakes()
    _ = screen.update(.keyPressed(.char("d")))
    #expect(screen.pane == .mistakes)  // nothing chosen yet
    #expect(screen.notice == "choose a cell and an example first (arrows, Enter)")
    _ = screen.update(.keyPressed(.down))
    _ = screen.update(.keyPressed(.right))
    _ = screen.update(.keyPressed(.enter))
    let index = try #require(screen.cellExamples.first)
    _ = screen.update(.keyPressed(.char("d")))
    #expect(screen.pane == .draw)
    let image = TrainingScreenTests.data.validation.inputs.slice(index).slice(0).scalars
    #expect(screen.canvas.pixels == image.map { ($0 + 1) / 2 })
    #expect(screen.canvasTensor.scalars == image)  // what the network sees is the example itself
    // On Maps, d copies the example shown.
    _ = screen.update(.keyPressed(.char("3")))
    _ = screen.update(.keyPressed(.char("n")))
    _ = screen.update(.keyPressed(.char("d")))
    #expect(screen.pane == .draw)
    #expect(screen.canvasTensor.scalars == TrainingScreenTests.data.validation.inputs.slice(screen.example).slice(0).scalars)
  }

  /// At 80x24 the score and the keys under the matrix are whole, left of the list.
  @Test func theScoreAndTheKeysUnderTheMatrixAreWhole() throws {
    var (screen, inspection) = try Self.mistakes(width: 80, height: 24)
    let right = inspection.confusion[0][0] + inspection.confusion[1][1]
    let score = String(format: "\(right)/16 right (%.1f%%)", Double(right) / 16 * 100)
    #expect(text(screen, width: 80, height: 24).contains { $0.hasPrefix(score + " ") })
    #expect(text(screen, width: 80, height: 24).contains { $0.hasPrefix("arrows: choose a cell ") })
    _ = screen.update(.keyPressed(.down))  // O predicted as O, which has examples to list
    _ = screen.update(.keyPressed(.enter))
    let lines = text(screen, width: 80, height: 24)
    for key in ["Enter: open in Maps ", "d: copy to Draw ", "Esc: back "] {
      #expect(lines.contains { $0.hasPrefix(key) }, "\(key)")
    }
    #expect(lines[23].contains("arrows cell") && lines[23].contains("Enter open"))
  }

  /// A click on a cell lists its examples; a click on one opens it in Maps.
  @Test func clickingACellAndThenAnExampleOpensIt() throws {
    var (screen, _) = try Self.mistakes()
    let places = try #require(screen.mistakesLayout(screen.layout.body))
    // Row O (1), column O (1): the matrix's label column, its bar, then columns of equal width.
    let label = 2
    let x = places.matrixArea.x + label + 1 + places.matrix.columnWidth + places.matrix.columnWidth - 1
    _ = screen.update(.mouse(MouseEvent(.leftClick, x: x, y: places.matrixArea.y + 2)))
    #expect(screen.matrixCell == (1, 1))
    #expect(screen.listsCell)
    let after = try #require(screen.mistakesLayout(screen.layout.body))
    let second = try #require(after.items.first { $0.position == 1 })
    _ = screen.update(.mouse(MouseEvent(.leftClick, x: second.rect.x + 1, y: second.rect.y + 1)))
    #expect(screen.pane == .maps)
    #expect(screen.example == second.index)
  }

  /// The exact line y = 0.4x rounds to these pixels; a line and its reverse are the same pixels.
  @Test func aLineIsBresenhamsAndItsReverseTheSame() {
    let line = DigitCanvas.line(from: (0, 0), to: (2, 5)).map { "\($0.row),\($0.column)" }
    #expect(line == ["0,0", "0,1", "1,2", "1,3", "2,4", "2,5"])
    let back = DigitCanvas.line(from: (2, 5), to: (0, 0)).map { "\($0.row),\($0.column)" }
    #expect(back == line.reversed())
    #expect(DigitCanvas.line(from: (3, 3), to: (3, 3)).count == 1)
  }

  /// A mouse drag's reports become one unbroken stroke: every pixel between them is inked.
  @Test func aDragPaintsTheSegmentBetweenReports() throws {
    var screen = TrainingScreenTests.screen(try TrainingTimelineTests.run(steps: 1).snapshot, width: 80, height: 24)
    _ = screen.update(.keyPressed(.char("5")))
    let area = try #require(screen.drawLayout(screen.layout.body)).canvas
    _ = screen.update(.mouse(MouseEvent(.leftClick, x: area.x + 0, y: area.y + 1)))  // pixel (1, 0)
    _ = screen.update(.mouse(MouseEvent(.leftDrag, x: area.x + 2 * 7, y: area.y + 4)))  // (4, 7)
    let inked = (0..<9).flatMap { r in (0..<9).filter { screen.canvas[r, $0] > 0 }.map { "\(r),\($0)" } }
    #expect(inked == DigitCanvas.line(from: (1, 0), to: (4, 7)).map { "\($0.row),\($0.column)" }.sorted())
    #expect(inked.count == 8)
  }

  /// With the pen down each arrow key paints the pixel it moves to, so a held arrow draws a
  /// line; with the pen up the arrows only move.
  @Test func aHeldArrowWithThePenDownDrawsALine() throws {
    var screen = TrainingScreenTests.screen(try TrainingTimelineTests.run(steps: 1).snapshot, width: 80, height: 24)
    _ = screen.update(.keyPressed(.char("5")))
    #expect(screen.canvas.cursor == (4, 4))
    for _ in 0..<3 { _ = screen.update(.keyPressed(.left)) }  // pen up: nothing drawn
    #expect(screen.canvas.isBlank)
    _ = screen.update(.keyPressed(.char(" ")))
    #expect(screen.penDown)
    for _ in 0..<5 { _ = screen.update(.keyPressed(.right)) }  // a held key repeats
    _ = screen.update(.keyPressed(.char(" ")))
    #expect(!screen.penDown)
    _ = screen.update(.keyPressed(.down))
    #expect((0..<9).map { screen.canvas[4, $0] } == [0, 1, 1, 1, 1, 1, 1, 0, 0])
    #expect((0..<9).allSatisfy { screen.canvas[5, $0] == 0 })
    var buffer = CellBuffer(width: 80, height: 24, capabilities: .plain)
    screen.render(into: &buffer)
    #expect(buffer.lines[3].contains("pen up"))
  }

  /// `b` cycles the 28x28 brush through 1, 2 and 3 pixels, and the pane says which; the small
  /// X/O canvas keeps one pixel.
  @Test func bChangesTheBrushOnTwentyEightByTwentyEight() throws {
    var canvas = DigitCanvas(rows: 28, columns: 28)
    #expect(canvas.brushSize == 2)
    canvas.nextBrushSize()
    #expect(canvas.brushSize == 3)
    canvas.moveCursor(toRow: 10, column: 10)
    canvas.paint()
    // 3 px: a full 3x3 square, 0.6 two pixels out along the axes, 0.25 beside those.
    #expect(canvas[9, 9] == 1 && canvas[11, 11] == 1 && canvas[10, 12] == 0.6 && canvas[8, 10] == 0.6)
    #expect(canvas[8, 9] == 0.25 && canvas[8, 8] == 0 && canvas[10, 13] == 0)
    canvas.nextBrushSize()
    #expect(canvas.brushSize == 1)
    canvas.clear()
    canvas.paint()
    #expect(canvas.pixels.filter { $0 > 0 }.count == 1)
    var small = DigitCanvas(rows: 9, columns: 9)
    #expect(!small.nextBrushSize() && small.brushSize == 1)

    let mnist = try TrainingData.load("mnist", assetsDirectory: TestPaths.repository + "/assets")
    var screen = TrainingScreen(data: mnist, title: "cnnlab train mnist")
    _ = screen.update(.resized(width: 80, height: 24))
    _ = screen.update(.keyPressed(.char("5")))
    _ = screen.update(.keyPressed(.char("b")))
    #expect(screen.canvas.brushSize == 3)
    var buffer = CellBuffer(width: 80, height: 24, capabilities: .plain)
    screen.render(into: &buffer)
    #expect(buffer.lines[3].contains("brush 3 px (b)"))
    #expect(buffer.lines[23].contains("b brush"))
  }

  /// Each layer's maps share one grey scale, drawn beside its name with the layer's lowest and
  /// highest value.
  @Test func mapsShowTheirScaleWithItsEnds() throws {
    var run = try TrainingTimelineTests.run(steps: 3)
    var screen = TrainingScreenTests.screen(run.snapshot, width: 100, height: 30)
    let effects = screen.update(.keyPressed(.char("3")))
    guard case .probe(let input, let id)? = effects.commands.last else {
      Issue.record("no probe")
      return
    }
    run.handle(.probe(input, id: id))
    _ = screen.update(.trainingPublished(run.snapshot))
    let probe = try #require(run.snapshot.probe)
    let conv = probe.activations[0].output.scalars
    let ends = (String(format: "%.2f", Double(conv.min()!)), String(format: "%.2f", Double(conv.max()!)))
    let lines = text(screen)
    let ramp = Glyphs.ascii.shadeRamp
    let shades = [0, 0.25, 0.5, 0.75, 1].map { String(ramp[Int(($0 * Double(ramp.count - 1)).rounded())]) }.joined()
    #expect(lines.contains { $0.contains("1 conv 3 3x3 nobias relu  3x7x7") && $0.contains("\(ends.0) \(shades) \(ends.1)") })
  }
}
