import CNNLabTUI
import Testing

@Suite struct NumberGridTests {
  @Test func alignsColumnsAndMarksTheKernelWindow() {
    var buffer = CellBuffer(width: 11, height: 2, fill: "x")
    NumberGrid([[1, 2, 3], [4, 5, 6]], window: GridRect(row: 0, column: 1, rows: 2, columns: 2), diverging: false)
      .render(in: buffer.area, into: &buffer)
    #expect(buffer.lines == ["  1  2  3xx", "  4  5  6xx"])
    #expect(buffer.roleMap(row: 0) == "nnnkkkkkknn")
    #expect(buffer.roleMap(row: 1) == "nnnkkkkkknn")
  }

  @Test func negativeNumbersUseTheMinusGlyphAndWidenTheColumns() {
    var buffer = CellBuffer(width: 12, height: 2, fill: "x")
    NumberGrid([[-1, 0, 1], [10, -10, 0]]).render(in: buffer.area, into: &buffer)
    #expect(buffer.lines == ["  −1   0   1", "  10 −10   0"])
    var ascii = CellBuffer(width: 12, height: 1, fill: "x", capabilities: .plain)
    NumberGrid([[-1, 0, 1]]).render(in: ascii.area, into: &ascii)
    #expect(ascii.lines == [" -1  0  1xxx"])
  }

  @Test func valuesAreColouredOnADivergingScale() {
    var buffer = CellBuffer(width: 12, height: 1)
    NumberGrid([[-8, 0, 1, 8]]).render(in: buffer.area, into: &buffer)
    #expect(buffer.roleMap(row: 0) == "---000+++" + "+++")
    // 1 of 8 is an eighth of the largest magnitude: level 0 of 4; 8 of 8 is the top level.
    #expect(buffer[x: 8, y: 0].role == .value(.positive, level: 0))
    #expect(buffer[x: 11, y: 0].role == .value(.positive, level: 3))
    #expect(buffer[x: 0, y: 0].role == .value(.negative, level: 3))
  }

  @Test func currentCellAndPaddingRing() {
    var buffer = CellBuffer(width: 9, height: 3, fill: "x")
    NumberGrid(
      [[0, 0, 0], [0, 5, 0], [0, 0, 0]], current: GridPoint(row: 0, column: 0), paddingWidth: 1, diverging: false
    ).render(in: buffer.area, into: &buffer)
    #expect(buffer.lines == ["  0  0  0", "  0  5  0", "  0  0  0"])
    #expect(buffer.roleMaps == ["ooopppppp", "pppnnnppp", "ppppppppp"])
  }

  @Test func hiddenCellsShowADotButKeepTheirHighlight() {
    var buffer = CellBuffer(width: 9, height: 1, fill: "x")
    NumberGrid([[27, -27, 5]], current: GridPoint(row: 0, column: 1), hiddenCells: [GridPoint(row: 0, column: 1), GridPoint(row: 0, column: 2)])
      .render(in: buffer.area, into: &buffer)
    // Widths still come from all values: "−27" is 3 wide, so columns of 4 (cut off at 9).
    #expect(buffer.lines == ["  27   · "])
    #expect(buffer.roleMap(row: 0) == "++++ooood")
  }

  @Test func decimalsAreFixedWhenAnyValueIsFractional() {
    var buffer = CellBuffer(width: 12, height: 1, fill: "x")
    NumberGrid([[0.5, -0.125, 2]], diverging: false).render(in: buffer.area, into: &buffer)
    // Columns are as wide as "−0.13" plus one; the third column is cut off by the buffer.
    #expect(buffer.lines == ["  0.50 −0.13"])
    #expect(NumberGrid.format(-0.001, decimals: 2) == "0.00")
    #expect(NumberGrid.format(1234.5, decimals: 1) == "1234.5")
    #expect(NumberGrid.format(-7, decimals: 0) == "-7")
  }

  @Test func isCutOffByItsAreaAndScrolls() {
    var buffer = CellBuffer(width: 8, height: 2, fill: "x")
    NumberGrid([[1, 2, 3], [4, 5, 6], [7, 8, 9]], diverging: false, firstRow: 1, firstColumn: 1)
      .render(in: Rect(x: 0, y: 0, width: 5, height: 1), into: &buffer)
    #expect(buffer.lines == ["  5  xxx", "xxxxxxxx"])
  }
}
