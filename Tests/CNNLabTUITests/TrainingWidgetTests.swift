import CNNLabEngine
import Testing

@testable import CNNLabTUI

/// The training screen's widgets, drawn into small buffers and compared with literal lines.
struct TrainingWidgetTests {
  func draw(_ widget: some Widget, width: Int, height: Int, _ capabilities: Capabilities = .full) -> CellBuffer {
    var buffer = CellBuffer(width: width, height: height, capabilities: capabilities)
    widget.render(in: buffer.area, into: &buffer)
    return buffer
  }

  @Test func brailleChartDrawsAFlatLineAlongTheTopDots() {
    // y = 1 on a 0...1 axis is the top dot row; x 0...3 covers both dot columns of two cells.
    let chart = LineChart(
      series: [.init(points: [(0, 1), (3, 1)], role: .series(0), marker: "*")], xRange: 0...3, yRange: 0...1)
    let buffer = draw(chart, width: 7, height: 2)
    #expect(buffer.lines == ["1.00│⠉⠉", "0.00│  "])
    #expect(buffer.roleMap(row: 0) == "ddddd11")
  }

  @Test func brailleChartJoinsASteepRiseInOneColumn() {
    // From the bottom-left dot to the top of the same dot column: all four left dots, 0x47.
    let chart = LineChart(
      series: [.init(points: [(0, 0), (0.1, 1)], role: .series(1), marker: "+")], xRange: 0...10, yRange: 0...1)
    let buffer = draw(chart, width: 7, height: 2)
    #expect(buffer.lines == ["1.00│⡇ ", "0.00│⡇ "])
  }

  @Test func asciiChartMarksOneCellPerPointAndJoinsThem() {
    let chart = LineChart(
      series: [
        .init(points: [(0, 0), (2, 2)], role: .series(0), marker: "*"),
        .init(points: [(0, 2)], role: .series(2), marker: "o"),
      ], xRange: 0...2, yRange: 0...2, format: { String(Int($0)) })
    let buffer = draw(chart, width: 5, height: 3, .plain)
    #expect(buffer.lines == ["2|o *", " | * ", "0|*  "])
  }

  @Test func heatmapShowsSignAndMagnitudeInColourAndWithout() {
    let values: [[Float]] = [[-1, 0, 1], [0.3, -0.6, 0]]
    let colour = draw(Heatmap(values: values, maxMagnitude: 1), width: 6, height: 2)
    #expect(colour.lines == ["██··██", "████··"])
    #expect(colour.roleMaps == ["--00++", "++--00"])
    // Levels: |−1| and 1 are level 3 (#), 0.3 level 1 (:), 0.6 level 2 (*).
    #expect(colour[x: 0, y: 0].role == .value(.negative, level: 3))
    #expect(colour[x: 0, y: 1].role == .value(.positive, level: 1))
    let plain = draw(Heatmap(values: values, maxMagnitude: 1), width: 6, height: 2, .plain)
    #expect(plain.lines == ["-# .+#", "+:-* ."])
  }

  @Test func confusionMatrixPutsTruthInRowsAndMarksTheDiagonal() {
    let matrix = ConfusionMatrix(counts: [[5, 1], [0, 4]], names: ["X", "O"])
    #expect(matrix.size == (7, 3))
    let buffer = draw(matrix, width: 7, height: 3)
    #expect(buffer.lines == ["    X O", " X│ 5 1", " O│ 0 4"])
    #expect(buffer.roleMap(row: 1) == "dddSSEE")
    #expect(buffer.roleMap(row: 2) == "ddddd" + "SS")
  }

  @Test func probabilityBarsHighlightTheLargest() {
    let bars = ProbabilityBars(names: ["X", "O"], probabilities: [0.25, 0.75], truth: 1)
    let buffer = draw(bars, width: 22, height: 2, .plain)
    // Name (1) + space, an 11-column bar, then the percentage and the truth mark.
    #expect(buffer.lines == ["X ###........  25.0%  ", "O ########...  75.0% <"])
    #expect(buffer.roleMap(row: 1) == "nn" + String(repeating: "a", count: 8) + "ddd" + String(repeating: "a", count: 7) + "dd")
  }

  @Test func smallCanvasPaintsOnePixelAndShowsTheCursor() {
    var canvas = DigitCanvas(rows: 3, columns: 3)
    #expect(canvas.cursor == (1, 1))
    canvas.paint()
    canvas.moveCursor(rows: -1, columns: -5)
    #expect(canvas.cursor == (0, 0))
    let buffer = draw(CanvasView(canvas), width: 6, height: 3, .plain)
    #expect(buffer.lines == ["[]....", "..@@..", "......"])
    #expect(canvas.tensor(background: -1, ink: 1).scalars == [-1, -1, -1, -1, 1, -1, -1, -1, -1])
    canvas.moveCursor(toRow: 1, column: 1)
    canvas.erase()
    #expect(canvas.isBlank)
  }

  @Test func aStrokeInksEveryPixelOnItsLineAndAnErasingStrokeClearsThem() {
    var canvas = DigitCanvas(rows: 5, columns: 5)
    canvas.moveCursor(toRow: 0, column: 0)
    canvas.stroke(toRow: 4, column: 2)  // steep: one pixel per row, never a gap
    let inked = (0..<5).flatMap { r in (0..<5).filter { canvas[r, $0] > 0 }.map { (r, $0) } }
    #expect(inked.map { "\($0.0),\($0.1)" } == ["0,0", "1,1", "2,1", "3,2", "4,2"])
    #expect(canvas.cursor == (4, 2))
    canvas.stroke(toRow: 9, column: 2)  // clamped to the canvas
    #expect(canvas.cursor == (4, 2))
    canvas.stroke(toRow: 0, column: 0, erasing: true)
    #expect(canvas.isBlank)
  }

  @Test func largeCanvasUsesASoftBrushAndHalfBlocks() {
    var canvas = DigitCanvas(rows: 28, columns: 28)
    canvas.moveCursor(toRow: 10, column: 10)
    canvas.paint()
    #expect(canvas[10, 10] == 1)
    #expect(canvas[9, 10] == 0.6 && canvas[10, 11] == 0.6)
    #expect(canvas[9, 9] == 0.25 && canvas[11, 11] == 0.25)
    #expect(canvas[8, 10] == 0)
    #expect(canvas.cellSize == (28, 14))
    // Pixel rows 10 and 11 share cell row 5; row 11 holds 0.6 under the ink.
    canvas.moveCursor(toRow: 0, column: 0)
    let buffer = draw(CanvasView(canvas), width: 28, height: 14)
    #expect(buffer[x: 10, y: 5] == Cell("▀", role: .halfBlock(top: Role.greyLevel(1), bottom: Role.greyLevel(0.1 + 0.9 * 0.6))))
    #expect(buffer[x: 0, y: 0].role == .editCursor)
    #expect(canvas.pixel(atCellX: 10, y: 5)! == (10, 10))
    canvas.clear()
    #expect(canvas.isBlank)
    // MNIST bytes: ink 1 → 255 · (1/255) = 1.
    var ink = DigitCanvas(rows: 28, columns: 28)
    ink.paint()
    #expect(ink.tensor(background: 0, ink: 1).scalars.max() == 1)
  }
}
