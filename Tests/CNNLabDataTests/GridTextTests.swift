import CNNLabData
import CNNLabEngine
import Testing

@Suite struct GridTextTests {
  /// The lecture's 9x9 X, copied with its tabs from the "2 D CONV" slide.
  static let lectureX = """
    -1\t-1\t-1\t-1\t-1\t-1\t-1\t-1\t-1
    -1\t1\t-1\t-1\t-1\t-1\t-1\t1\t-1
    -1\t-1\t1\t-1\t-1\t-1\t1\t-1\t-1
    -1\t-1\t-1\t1\t-1\t1\t-1\t-1\t-1
    -1\t-1\t-1\t-1\t1\t-1\t-1\t-1\t-1
    -1\t-1\t-1\t1\t-1\t1\t-1\t-1\t-1
    -1\t-1\t1\t-1\t-1\t-1\t1\t-1\t-1
    -1\t1\t-1\t-1\t-1\t-1\t-1\t1\t-1
    -1\t-1\t-1\t-1\t-1\t-1\t-1\t-1\t-1
    """

  @Test func parsesTheLectureGridWithTabs() throws {
    let grid = try GridText.parse(Self.lectureX, file: "x.txt")
    #expect(grid.shape == [9, 9])
    #expect(grid[1, 1] == 1 && grid[1, 7] == 1 && grid[4, 4] == 1 && grid[0, 0] == -1)
    #expect(grid.scalars.filter { $0 == 1 }.count == 13)
  }

  @Test func parsesIntegersDecimalsNegativesExponentsAndFractions() throws {
    let grid = try GridText.parse("1 -2 +3\n0.5 -.25 1e-3\n1/9 -2/4 3.", file: "g")
    #expect(grid.shape == [3, 3])
    #expect(grid.scalars == [1, -2, 3, 0.5, -0.25, 0.001, Float(1.0 / 9.0), -0.5, 3])
  }

  @Test func blankLinesSeparateChannels() throws {
    let text = "\n\n1 2\n3 4\n\n\n\n5 6\n7 8\n\n9 10\n11 12\n\n"
    let grid = try GridText.parse(text, file: "g")
    #expect(grid.shape == [3, 2, 2])
    #expect(grid.scalars == (1...12).map(Float.init))
  }

  @Test func commentsAreIgnoredAndCommentLinesDoNotSplitChannels() throws {
    let text = """
      # a kernel
      1 0   # top
      # still the same channel
      0 1#tight
         \t
      2 2
      2 2
      """
    let grid = try GridText.parse(text, file: "g")
    #expect(grid.shape == [2, 2, 2])
    #expect(grid.scalars == [1, 0, 0, 1, 2, 2, 2, 2])
  }

  @Test func acceptsWindowsLineEndings() throws {
    let grid = try GridText.parse("1 2\r\n3 4\r\n", file: "g")
    #expect(grid == Tensor([[1, 2], [3, 4]]))
  }

  // MARK: - Errors

  func error(_ text: String, file: String = "grid.txt") -> GridTextError? {
    do {
      _ = try GridText.parse(text, file: file)
      Issue.record("expected a GridTextError")
    } catch let error as GridTextError {
      return error
    } catch {
      Issue.record("expected a GridTextError, got \(error)")
    }
    return nil
  }

  @Test func aShortRowNamesExpectedAndFoundCounts() {
    #expect(
      error("1 2 3\n4  5\n")?.description == """
        grid.txt:2:5: error: row has 2 numbers, expected 3 (like the first row, on line 1)
        note: add 1 number so every row has 3 numbers
        """)
  }

  @Test func aLongRowPointsAtTheFirstExtraNumber() {
    #expect(
      error("# k\n1 2\n3 4 5 6\n")?.description == """
        grid.txt:3:5: error: row has 4 numbers, expected 2 (like the first row, on line 2)
        note: remove 2 numbers so every row has 2 numbers
        """)
  }

  @Test func aBadNumberShowsTheToken() {
    #expect(
      error("1 0\n0 l\n")?.description == """
        grid.txt:2:3: error: 'l' is not a number
        note: write integers ('-1'), decimals ('0.25', '1e-3') or fractions ('1/9'); '#' starts a comment
        """)
    #expect(error("1 1/0")?.message == "'1/0' divides by zero")
    #expect(error("1 1/2/3")?.column == 3)
    #expect(error("nan 1")?.message == "'nan' is not a number")
    #expect(error("0x10")?.message == "'0x10' is not a number")
    #expect(error("1-2")?.message == "'1-2' is not a number")
    #expect(error("1e39")?.message == "'1e39' is too large for a 32-bit float")
  }

  @Test func channelsOfDifferentSizesAreAnError() {
    #expect(
      error("1 2\n3 4\n\n5 6 7\n8 9 10\n")?.description == """
        grid.txt:4:1: error: channel 2 is 2x3, but channel 1 is 2x2
        note: every channel needs the same height and width; a blank line starts a new channel, so remove stray blank lines inside a channel
        """)
    #expect(error("1 2\n3 4\n\n5 6\n")?.line == 4)
  }

  @Test func anEmptyFileIsAnError() {
    let expected = """
      k.txt:1:1: error: no numbers in the grid
      note: write one row of numbers per line, for example '1 0 -1'
      """
    #expect(error("", file: "k.txt")?.description == expected)
    #expect(error("\n  \n# only a comment\n", file: "k.txt")?.description == expected)
  }

  // MARK: - Formatting

  @Test func formatsLikePercentGWithAlignedColumns() {
    // The lecture's feature-map values 7/9 and -1/9, a whole number, and a tiny value;
    // the expected text is what C's printf("%g") prints for each.
    let t = Tensor([[7.0 / 9, -1.0 / 9], [4, 1e-7]])
    #expect(GridText.format(t) == " 0.777778 -0.111111\n        4     1e-07")
  }

  @Test func formatsWholeNumbersWithoutADecimalPoint() {
    #expect(GridText.format(Tensor([[-1, 0, 12], [100, -0.0, 3]])) == " -1   0  12\n100   0   3")
    #expect(GridText.formatNumber(16_777_216) == "16777216")
    #expect(GridText.formatNumber(1e10) == "1e+10")
    #expect(GridText.formatNumber(0.5) == "0.5")
    #expect(GridText.formatNumber(-123456.7) == "-123457")
    #expect(GridText.formatNumber(0.0001234567) == "0.000123457")
  }

  @Test func formatsChannelsSeparatedByABlankLine() {
    let t = Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 40])
    #expect(GridText.format(t) == " 1  2\n\n 3 40")
    #expect(GridText.format(Tensor(vector: [1, 2.5])) == "  1 2.5")
    #expect(GridText.format(Tensor(shape: [], scalars: [3])) == "3")
  }

  @Test func formattedTextParsesBackToTheSameValues() throws {
    var rng = SplitMix64(seed: 11)
    let t = Tensor.random(shape: [3, 4, 5], in: -50..<50, using: &rng)
    let back = try GridText.parse(GridText.format(t), file: "round-trip")
    #expect(back.shape == t.shape)
    for (a, b) in zip(back.scalars, t.scalars) {
      #expect(abs(a - b) <= abs(b) * 1e-5)
    }
  }
}
