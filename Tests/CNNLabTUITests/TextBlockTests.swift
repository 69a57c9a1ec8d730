import CNNLabTUI
import Testing

@Suite struct TextBlockTests {
  @Test func wrapsAtWordBoundaries() {
    let lines = TextBlock.wrap("Each output cell is the sum of nine products.", width: 16)
    #expect(lines == ["Each output cell", "is the sum of", "nine products."])
  }

  @Test func keepsBlankLinesAndIndentsAndCollapsesSpaces() {
    let lines = TextBlock.wrap("one  two\n\n  three four", width: 8)
    #expect(lines == ["one two", "", "  three", "four"])
  }

  @Test func breaksAWordLongerThanTheWidth() {
    #expect(TextBlock.wrap("a convolutional net", width: 5) == ["a", "convo", "lutio", "nal", "net"])
    #expect(TextBlock.wrap("anything", width: 0).isEmpty)
  }

  @Test func rendersTheScrolledLinesInsideItsArea() {
    var buffer = CellBuffer(width: 8, height: 4, fill: "x")
    TextBlock("aa bb cc dd ee", role: .dim, scrollOffset: 1)
      .render(in: Rect(x: 1, y: 1, width: 5, height: 2), into: &buffer)
    // Wrapped at 5: "aa bb", "cc dd", "ee"; from line 1, two rows. Cells not written keep "x".
    #expect(buffer.lines == ["xxxxxxxx", "xcc ddxx", "xeexxxxx", "xxxxxxxx"])
    #expect(buffer.roleMap(row: 2) == "nddnnnnn")
  }

  @Test func centresLines() {
    var buffer = CellBuffer(width: 9, height: 1, fill: ".")
    TextBlock("abc", centered: true).render(in: buffer.area, into: &buffer)
    #expect(buffer.lines == ["...abc..."])
  }
}
