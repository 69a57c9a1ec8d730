import CNNLabEngine
import CNNLabLessons
import Testing

@testable import CNNLabTUI

/// The xterm 256-colour palette: 16 + 36r + 6g + b over the levels 0, 95, 135, 175, 215, 255,
/// and the grey ramp 232–255 at 8, 18, ..., 238 (xterm's `256colres.pl`).
@Suite struct XtermPaletteTests {
  @Test func primariesAndGreysGoToTheirPaletteEntries() {
    #expect(RGB(0, 0, 0).xterm256 == 16)
    #expect(RGB(255, 0, 0).xterm256 == 196)
    #expect(RGB(0, 255, 0).xterm256 == 46)
    #expect(RGB(0, 0, 255).xterm256 == 21)
    #expect(RGB(255, 255, 0).xterm256 == 226)
    #expect(RGB(255, 255, 255).xterm256 == 231)
    #expect(RGB(95, 135, 175).xterm256 == 16 + 36 * 1 + 6 * 2 + 3)
    // Mid grey is on the ramp exactly (8 + 10·12 = 128), nearer than the cube's 135.
    #expect(RGB(128, 128, 128).xterm256 == 244)
    #expect(RGB(238, 238, 238).xterm256 == 255)
    // Near a cube level rather than a grey: orange.
    #expect(RGB(255, 165, 0).xterm256 == 16 + 36 * 5 + 6 * 3 + 0)
  }
}

@Suite struct ColourImageTests {
  /// Lesson 1's picture: red, green / blue, white.
  let rgb = Tensor(shape: [3, 2, 2], scalars: [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255])

  @Test func eachPixelShowsItsColourAndTheLegendNamesIt() {
    let image = ColourImage(rgb)
    #expect(image.legend.map(\.name) == ["red", "green", "blue", "white"])
    #expect(image.legend.map(\.key) == ["R", "G", "B", "W"])
    var buffer = CellBuffer(width: image.size.width, height: image.size.height)
    image.render(in: buffer.area, into: &buffer)
    #expect(image.size == (41, 5))
    #expect(
      buffer.lines.map { String($0.reversed().drop { $0 == " " }.reversed()) } == [
        " R   G     key colour    R   G   B",
        "            R  red     255   0   0",
        " B   W      G  green     0 255   0",
        "            B  blue      0   0 255",
        "            W  white   255 255 255",
      ])
    #expect(buffer[x: 0, y: 0].role == .colour(RGB(255, 0, 0)))
    #expect(buffer[x: 3, y: 1].role == .colour(RGB(255, 0, 0)))
    #expect(buffer[x: 4, y: 0].role == .colour(RGB(0, 255, 0)))
    #expect(buffer[x: 7, y: 3].role == .colour(RGB(255, 255, 255)))
    // The legend's key is drawn in its colour too.
    #expect(buffer[x: 12, y: 2].role == .colour(RGB(0, 255, 0)))
  }

  @Test func withoutColourTheKeysStayAndTheLegendSaysSo() {
    let image = ColourImage(rgb)
    for capabilities in [Capabilities(colorDepth: .eight, glyphs: .unicode), .plain] {
      var buffer = CellBuffer(width: image.size.width, height: image.size.height, capabilities: capabilities)
      image.render(in: buffer.area, into: &buffer)
      #expect(buffer.lines[0].hasPrefix(" R   G     no colour here: keys name them"))
      #expect(buffer.lines[2].hasPrefix(" B   W      G  green"))
      #expect(!buffer.roleMaps.joined().contains("c"))
    }
  }

  @Test func manyColoursAreShadedByBrightnessWithoutKeys() {
    // Nine distinct colours, one more than get keys.
    let values: [Float] = (0..<9).map { Float($0) * 30 }
    let image = ColourImage(Tensor(shape: [3, 3, 3], scalars: values + values + values))
    #expect(image.legend.isEmpty)
    var buffer = CellBuffer(width: image.size.width, height: image.size.height)
    image.render(in: buffer.area, into: &buffer)
    #expect(buffer.lines[0].hasPrefix("        ░░░░   9 colours"))
  }
}

@Suite struct ShadeScaleTests {
  @Test func theEndsAreTheGridsOwnSmallestAndLargestValues() throws {
    let scale = try #require(ShadeScale(of: [0.5, -1, 0.25, .nan]))
    #expect(scale.text(glyphs: .unicode) == "−1.00 ░▒▓█ 0.50")
    #expect(scale.text(glyphs: .ascii) == "-1.00 .=*@ 0.50")
    #expect(ShadeScale(of: [0, 255, 3])?.text(glyphs: .unicode) == "0 ░▒▓█ 255")
    #expect(ShadeScale(low: 0, high: 255, hidesHigh: true).text(glyphs: .unicode) == "0 ░▒▓█ ?")
    #expect(ShadeScale(of: [Float.nan]) == nil)
  }

  static let lesson = """
    format 1
    title "Scales"
    grid g 3x3
      -2 0 1
       0 5 0
       1 0 3
    end
    step "s"
      show g as shades
      ask "What is the largest value?" answer 5 expect max(g)
      hint "Look for the biggest."
    end
    """

  /// The title row of the grid's panel, as drawn.
  func titleRow(_ player: LessonPlayer) -> String {
    var buffer = CellBuffer(width: 80, height: 24)
    player.render(into: &buffer)
    return buffer.lines.first { $0.contains("░▒▓█") } ?? ""
  }

  @Test func aLessonShadeGridShowsItsScaleAndHidesAnEndAQuestionAsksFor() throws {
    let lesson = try LessonParser.parse(Self.lesson, file: "scales.cnnlab")
    var player = LessonPlayer(source: LessonSource(lesson: lesson, name: "scales"))
    _ = player.update(.resized(width: 80, height: 24))
    player.arrive(at: 0, revealAll: true)
    #expect(titleRow(player).contains("g  3×3  −2 ░▒▓█ ?"))
    _ = player.update(.keyPressed(.char("5")))
    _ = player.update(.keyPressed(.enter))
    #expect(titleRow(player).contains("g  3×3  −2 ░▒▓█ 5"))
  }
}

@Suite struct LessonPictureTests {
  static func course() throws -> Course { try EverySizeTests.course() }

  func frame(step: Int, width: Int = 80, height: Int = 24, capabilities: Capabilities = .full) throws -> CellBuffer {
    var player = try EverySizeTests.player(try Self.course(), 0)
    _ = player.update(.resized(width: width, height: height))
    player.arrive(at: step, revealAll: true)
    return EverySizeTests.frame(player, width: width, height: height, capabilities: capabilities)
  }

  @Test func lessonOneDrawsTheColourPictureWithItsLegend() throws {
    let buffer = try frame(step: 2)
    let top = try #require(buffer.lines.firstIndex { $0.contains("rgb as colour") })
    #expect(buffer.lines[top + 1].contains(" R   G     key colour    R   G   B"))
    #expect(buffer.lines[top + 3].contains(" B   W      G  green     0 255   0"))
    #expect(buffer.roleMap(row: top + 1).contains("cccccccc"))
    let eight = try frame(step: 2, capabilities: Capabilities(colorDepth: .eight, glyphs: .unicode))
    #expect(eight.lines[top + 1].contains("no colour here: keys name them"))
  }

  @Test func lessonOneShowsARealDigitAsShadesAndAPatchAsNumbers() throws {
    let buffer = try frame(step: 6)
    #expect(buffer.lines.contains { $0.contains("digit  28×28  0 ░▒▓█ 255") })
    #expect(buffer.lines.contains { $0.contains("0   0  25  78 148 148 148 166 174  96  14") })
  }
}

@Suite struct PipelineViewTests {
  /// Stages of lesson 13's shapes, with made-up maps (the layout depends only on the shapes).
  static func stages() -> [(text: String, tensor: Tensor)] {
    func maps(_ shape: [Int]) -> Tensor {
      Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float($0 % 7) })
    }
    var probabilities = [Float](repeating: 0.01, count: 10)
    probabilities[2] = 0.91
    return [
      ("input", maps([1, 28, 28])), ("conv 8 5x5 stride 2 pad 2 relu", maps([8, 14, 14])), ("maxpool 2", maps([8, 7, 7])),
      ("conv 16 3x3 pad 1 relu", maps([16, 7, 7])), ("maxpool 2 ceil", maps([16, 4, 4])), ("dense 10", maps([10])),
      ("softmax", Tensor(vector: probabilities)),
    ]
  }

  @Test func at80ColumnsEveryStageFitsWithAFewMapsEach() {
    let view = PipelineView(
      stages: Self.stages(), classNames: (0...9).map(String.init), revealed: .max, maxWidth: 78, maxHeight: 14)
    #expect(view.columns.map(\.label) == ["input", "conv 8@14×14", "pool", "conv", "pool"])
    // One 14-row input; 7-row maps: 2 fit in 14 rows with a gap... only 1 plus gap; 4-row maps: 3.
    #expect(view.columns.map(\.shown) == [1, 1, 3, 3, 5])
    #expect(view.size.width <= 78)
    #expect(view.labels(glyphs: .unicode).hasPrefix("input                       → conv 8@14×14  → pool   → conv   → pool→ p"))
    var buffer = CellBuffer(width: view.size.width, height: view.size.height)
    view.render(in: buffer.area, into: &buffer)
    #expect(buffer.lines[2].hasSuffix("2 0.91"))
    #expect(buffer[x: buffer.width - 1, y: 2].role == .accent)
    #expect(buffer.lines[3].hasSuffix("3 0.01"))
  }

  @Test func aWideScreenShowsMoreMapsAndTheScoresWaitForTheLastStage() {
    let narrow = PipelineView(stages: Self.stages(), classNames: (0...9).map(String.init), revealed: 2, maxWidth: 78, maxHeight: 14)
    let wide = PipelineView(stages: Self.stages(), classNames: (0...9).map(String.init), revealed: 2, maxWidth: 198, maxHeight: 48)
    #expect(zip(narrow.columns, wide.columns).allSatisfy { $0.shown <= $1.shown })
    #expect(wide.columns.map(\.shown).reduce(0, +) > 2 * narrow.columns.map(\.shown).reduce(0, +))
    #expect(wide.size.width <= 198)
    var buffer = CellBuffer(width: narrow.size.width, height: narrow.size.height)
    narrow.render(in: buffer.area, into: &buffer)
    // Stages 0 to 2 drawn; the second conv, the last pool and the scores not yet.
    #expect(buffer.lines.allSatisfy { !$0.contains("0.91") })
    let conv2 = narrow.columns[3]
    #expect(buffer.lines.allSatisfy { String(Array($0)[conv2.x..<(conv2.x + conv2.width)]).allSatisfy { $0 == " " } })
  }
}

@Suite struct PlaygroundScaleTests {
  /// A 30x30 ramp is drawn in shades at 80x24; its panel ends with its scale, the input's
  /// smallest and largest values (0 and 6/7 = 0.86), on a row of its own under the shades.
  @Test func aShadedMapShowsItsScaleUnderIt() throws {
    let ramp = NamedGrid(name: "ramp", rows: (0..<30).map { r in (0..<30).map { Float((r + $0) % 7) / 7 } })
    let screen = try PlaygroundScreenTests.screen(
      PlaygroundSettings(input: ramp, kernel: PlaygroundScreenTests.diagonal()), width: 80, height: 24)
    let layout = screen.layout(width: 80, height: 24)
    let input = try #require(layout.panels.first { $0.content == .input })
    #expect(input.shaded)
    var buffer = CellBuffer(width: 80, height: 24)
    screen.view(into: &buffer)
    let row = buffer.lines[input.area.maxY - 1]
    #expect(row.dropFirst(input.area.x).hasPrefix("0.00 ░▒▓█ 0.86"))
    // The scale row is not a row of the map: a click there selects nothing.
    #expect(input.cell(atX: input.area.x + 1, y: input.area.maxY - 1) == nil)
  }
}
