import CNNLabEngine
import Testing

@testable import CNNLabTUI

/// The playground as a pure screen: knobs through keys, the maps and formulas they give, the
/// receptive field under the cursor, and the layout at the sizes learners use.
///
/// Expected sizes and sums are worked by hand from the lecture's X and diagonal feature:
/// ⌊(N + 2P − D·(F−1) − 1)/S⌋ + 1 on each axis.
@Suite struct PlaygroundScreenTests {
  static func screen(_ settings: PlaygroundSettings = PlaygroundSettings(), width: Int = 100, height: Int = 30) throws
    -> PlaygroundScreen
  {
    var screen = PlaygroundScreen(pipeline: try PlaygroundPipeline(settings))
    _ = screen.update(.resized(width: width, height: height))
    return screen
  }

  static func diagonal() -> NamedGrid { NamedGrid.kernel(named: "diagonal")! }

  static func lines(_ screen: PlaygroundScreen, width: Int = 100, height: Int = 30) -> [String] {
    var buffer = CellBuffer(width: width, height: height)
    screen.view(into: &buffer)
    return buffer.lines
  }

  static func press(_ screen: inout PlaygroundScreen, _ keys: Key...) {
    for key in keys { _ = screen.update(.keyPressed(key)) }
  }

  @Test func theFormulaLinesGiveEachOutputSize() throws {
    let plain = Self.lines(try Self.screen(PlaygroundSettings(kernel: Self.diagonal()))).joined(separator: "\n")
    #expect(plain.contains("conv 7×7   rows and columns: (9 + 2·0 − 3)/1 + 1 = 7"))
    let strided = Self.lines(try Self.screen(PlaygroundSettings(kernel: Self.diagonal(), stride: 2, padding: .uniform(1))))
    #expect(strided.joined(separator: "\n").contains("conv 5×5   rows and columns: ⌊(9 + 2·1 − 3)/2⌋ + 1 = 5"))
    let dilated = Self.lines(try Self.screen(PlaygroundSettings(kernel: Self.diagonal(), dilation: 2)))
    #expect(dilated.joined(separator: "\n").contains("conv 5×5   rows and columns: (9 + 2·0 − 2·(3−1) − 1)/1 + 1 = 5"))
  }

  @Test func theFirstWindowsArithmeticIsTheLecturesSeven() throws {
    // The X's top-left 3x3 patch against the diagonal feature: the top-left cell's product
    // is −1 and the other eight +1, so 7 (the lecture's 7/9 = 0.78 once divided by 9).
    let text = Self.lines(try Self.screen(PlaygroundSettings(kernel: Self.diagonal(), normalize: true), width: 200, height: 60), width: 200, height: 60)
      .joined(separator: "\n")
    #expect(text.contains("conv[0,0] = (−1×1) + (−1×−1) + (−1×−1) + (−1×−1) + (1×1) + (−1×−1) + (−1×−1) + (−1×−1) + (1×1) = 7"))
    #expect(text.contains("7/9 = 0.78"))
  }

  @Test func knobKeysChangeTheSettingsAndTheMaps() throws {
    var screen = try Self.screen(PlaygroundSettings(kernel: Self.diagonal()))
    Self.press(&screen, .char("s"))
    #expect(screen.settings.stride == 2 && screen.pipeline.conv.geometry.outputHeight == 4)
    Self.press(&screen, .char("p"))
    #expect(screen.settings.padding == .same && screen.pipeline.conv.geometry.outputHeight == 5)
    Self.press(&screen, .char("S"), .char("d"))
    #expect(screen.settings.dilation == 2 && screen.pipeline.conv.geometry.outputHeight == 9)
    Self.press(&screen, .char("a"))
    #expect(screen.settings.activation == .relu)
    #expect(screen.pipeline.output(.conv).joined().allSatisfy { $0 >= 0 })
    Self.press(&screen, .char("w"))
    #expect(screen.settings.pool == 2 && screen.pipeline.pool?.geometry.outputHeight == 4)
    Self.press(&screen, .char("x"), .char("c"))
    #expect(screen.settings.poolMode == .avg && screen.settings.ceil && screen.pipeline.pool?.geometry.outputHeight == 5)
    Self.press(&screen, .char("2"))
    #expect(screen.pipeline.layers == [.conv, .pool, .conv2])
    Self.press(&screen, .char("r"))
    #expect(screen.settings == PlaygroundSettings(kernel: Self.diagonal()))
  }

  @Test func aKnobThatBreaksTheShapeIsRefusedWithTheWorking() throws {
    var screen = try Self.screen(PlaygroundSettings(kernel: Self.diagonal(), dilation: 4))
    #expect(screen.pipeline.conv.geometry.outputHeight == 1)
    Self.press(&screen, .char("d"))
    #expect(screen.settings.dilation == 4)
    #expect(screen.notice?.hasPrefix("not changed: conv 3x3 does not fit a 9x9 input") == true)
    #expect(Self.lines(screen).contains { $0.contains("not changed: conv 3x3 does not fit") })
  }

  @Test func theCursorsReceptiveFieldIsHighlightedThroughEveryLayer() throws {
    // conv 3x3, max-pool 2, conv 3x3: 1 + 2 + 1·1 + 2·2 = 8 input pixels each way.
    var screen = try Self.screen(
      PlaygroundSettings(kernel: Self.diagonal(), activation: .relu, pool: 2, kernel2: Self.diagonal()),
      width: 200, height: 60)
    Self.press(&screen, .tab, .tab)
    #expect(screen.cursor.layer == .conv2)
    var buffer = CellBuffer(width: 200, height: 60)
    screen.view(into: &buffer)
    let text = buffer.lines.joined(separator: "\n")
    #expect(text.contains("conv2[0,0] sees 8×8 input pixels"))
    // The input panel: its title, then 9 rows, the first 8 of them with 8 highlighted cells.
    let panels = screen.layout(width: 200, height: 60).panels
    let input = try #require(panels.first { $0.content == .input })
    let width = input.cellWidth
    for row in 0..<9 {
      let roles = buffer.roleMap(row: input.area.y + 1 + row)
      let cells = (0..<9).map { roles[roles.index(roles.startIndex, offsetBy: input.area.x + $0 * width + width - 1)] }
      #expect(cells.filter { $0 == "k" }.count == (row < 8 ? 8 : 0), "input row \(row)")
    }
  }

  @Test func paddingCellsAndCellsAStrideNeverReachAreMarked() throws {
    // At stride 4 the 3x3 windows start at 0 and 4: rows and columns 3, 7 and 8 are never read.
    let screen = try Self.screen(PlaygroundSettings(kernel: Self.diagonal(), stride: 4, padding: .valid))
    let input = try #require(screen.panels(glyphs: .unicode).first { $0.content == .input })
    for r in 0..<9 {
      for c in 0..<9 where r > 2 || c > 2 {  // the cursor's window is highlighted instead
        let never = [3, 7, 8].contains(r) || [3, 7, 8].contains(c)
        #expect(input.grid.cellRoles[GridPoint(row: r, column: c)] == (never ? .dim : nil), "(\(r), \(c))")
      }
    }
    let padded = try Self.screen(PlaygroundSettings(kernel: Self.diagonal(), padding: .uniform(1)))
    let grid = try #require(padded.panels(glyphs: .unicode).first { $0.content == .input }).grid
    #expect(grid.rowCount == 11 && grid.cellRoles[GridPoint(row: 10, column: 5)] == .padding)
    // The cursor's first window reaches into the padding at the top-left corner.
    #expect(grid.cellRoles[GridPoint(row: 0, column: 0)] == .kernelWindow)
  }

  @Test func dilatedTapsAreSpreadOut() throws {
    let screen = try Self.screen(PlaygroundSettings(kernel: Self.diagonal(), dilation: 2))
    let grid = try #require(screen.panels(glyphs: .unicode).first { $0.content == .input }).grid
    let window = grid.cellRoles.filter { $0.value == .kernelWindow }.keys
    #expect(Set(window) == Set([0, 2, 4].flatMap { r in [0, 2, 4].map { GridPoint(row: r, column: $0) } }))
  }

  @Test func arrowsPlayAndStepMoveTheWindow() throws {
    var screen = try Self.screen(PlaygroundSettings(kernel: Self.diagonal()))
    Self.press(&screen, .right, .down)
    #expect(screen.cursor == .init(layer: .conv, row: 1, col: 1) && screen.window.index == 8)
    Self.press(&screen, .char("."))
    #expect(screen.window.index == 9)
    Self.press(&screen, .char(","), .char(","))
    #expect(screen.window.index == 7)
    #expect(screen.update(.keyPressed(.char(" "))) == [.tick(afterMilliseconds: 200)])
    #expect(screen.update(.ticked) == [.tick(afterMilliseconds: 200)])
    #expect(screen.window.index == 8)
    Self.press(&screen, .char(" "))
    #expect(screen.update(.ticked).isEmpty && screen.window.index == 8)
  }

  @Test func kernelCellsAreEditedInPlace() throws {
    var screen = try Self.screen(PlaygroundSettings(kernel: Self.diagonal()))
    Self.press(&screen, .char("e"), .right, .char("1"), .char("/"), .char("2"), .enter)
    #expect(screen.settings.kernel.rows[0] == [1, 0.5, -1])
    #expect(screen.settings.kernel.name == "edited")
    // The first window: 7 before, the X's −1 under that cell now weighs 0.5 instead of −1.
    #expect(screen.pipeline.conv.placements[0].sum == 7 - 1 - 0.5)
    Self.press(&screen, .char("-"), .char("-"), .enter)
    #expect(screen.notice?.contains("not a number") == true)
    Self.press(&screen, .escape)
    #expect(screen.editor == nil && !screen.wantsToLeave)
    Self.press(&screen, .char("q"))
    #expect(screen.wantsToLeave)
  }

  @Test func aClickMovesTheCursorOrEditsAKernelCell() throws {
    var screen = try Self.screen(PlaygroundSettings(kernel: Self.diagonal()))
    let panels = screen.layout(width: 100, height: 30).panels
    let conv = try #require(panels.first { $0.content == .output(.conv) })
    let width = conv.cellWidth
    _ = screen.update(.mouse(MouseEvent(.leftClick, x: conv.area.x + 2 * width, y: conv.area.y + 1 + 3)))
    #expect(screen.cursor == .init(layer: .conv, row: 3, col: 2))
    let kernel = try #require(panels.first { $0.content == .kernel(.conv) })
    _ = screen.update(.mouse(MouseEvent(.leftClick, x: kernel.area.x, y: kernel.area.y + 2)))
    #expect(screen.editor?.row == 1 && screen.editor?.col == 0)
  }

  @Test(arguments: [(80, 24), (100, 30), (200, 60)])
  func itFitsWithoutCuttingText(size: (Int, Int)) throws {
    let (width, height) = size
    var screen = try Self.screen(
      PlaygroundSettings(kernel: Self.diagonal(), padding: .uniform(1), activation: .relu, pool: 2, kernel2: Self.diagonal()),
      width: width, height: height)
    Self.press(&screen, .tab)
    let lines = Self.lines(screen, width: width, height: height)
    #expect(lines[0].hasPrefix(" Playground  x 9×9  kernel diagonal"))
    #expect(lines[height - 1].contains("? help") && lines[height - 1].contains("q/Esc quit"))
    #expect(lines.contains { $0.contains("pool[0,0] = max(") })
    #expect(lines.contains { $0.contains("sees 4×4 input pixels") })
    // Every panel inside the screen, none overlapping another.
    let layout = screen.layout(width: width, height: height)
    let panels = layout.panels
    for (i, a) in panels.enumerated() {
      #expect(a.area.maxX <= width && a.area.maxY <= layout.maps.maxY)
      for b in panels[(i + 1)...] { #expect(a.area.intersection(b.area).isEmpty, "\(a.title) and \(b.title)") }
    }
    if width >= 100 { #expect(panels.count == 7) }
  }

  @Test func aGridTallerThanTheScreenShowsTheRowsAroundTheCursor() throws {
    let big = NamedGrid(name: "ramp", rows: (0..<30).map { r in (0..<30).map { Float((r + $0) % 7) / 7 } })
    var screen = try Self.screen(PlaygroundSettings(input: big, kernel: Self.diagonal()), width: 80, height: 24)
    for _ in 0..<20 { Self.press(&screen, .down) }
    let layout = screen.layout(width: 80, height: 24)
    #expect(layout.dropped.isEmpty)
    let input = try #require(layout.panels.first { $0.content == .input })
    let conv = try #require(layout.panels.first { $0.content == .output(.conv) })
    for panel in [input, conv] {
      #expect(panel.shaded && panel.area.maxY <= layout.maps.maxY)
      let rows = panel.grid.firstRow..<(panel.grid.firstRow + panel.visibleRows!)
      #expect(rows.contains(20) && rows.contains(panel.content == .input ? 22 : 20), "\(panel.title)")
    }
    #expect(conv.title.hasPrefix("conv 28×28 rows "))
    // A click lands on the cell drawn there, scrolled rows included.
    _ = screen.update(.mouse(MouseEvent(.leftClick, x: conv.area.x + 5, y: conv.area.y + 1)))
    #expect(screen.cursor.row == conv.grid.firstRow && screen.cursor.col == 5)
  }

  @Test func smallWeightsKeepADigitThatIsNotZero() throws {
    #expect(PlaygroundScreen.number(1.0 / 256, glyphs: .unicode) == "0.0039")
    #expect(PlaygroundScreen.number(-1.0 / 256, glyphs: .unicode) == "−0.0039")
    #expect(PlaygroundScreen.number(0.25, glyphs: .unicode) == "0.25")
    #expect(PlaygroundScreen.number(-3, glyphs: .unicode) == "−3")
    let screen = try Self.screen(PlaygroundSettings(kernel: NamedGrid.kernel(named: "gaussian-5x5")!))
    let kernel = try #require(screen.panels(glyphs: .unicode).first { $0.content == .kernel(.conv) })
    #expect(kernel.grid.resolvedDecimals == 3)
  }

  @Test func helpListsEveryKeyAtEightyByTwentyFour() throws {
    var screen = try Self.screen(width: 80, height: 24)
    Self.press(&screen, .char("?"))
    let text = Self.lines(screen, width: 80, height: 24).joined(separator: "\n")
    // Each on one line, so none is pushed out of the box.
    for binding in PlaygroundScreen.keys { #expect(text.contains(binding.summary + " "), "\(binding.summary)") }
    for summary in ["stride up/down", "padding: valid, same, 1, 2, 3", "dilation up/down", "activation: none, relu",
      "pooling window (down to none) / stride", "max or average / floor or ceil", "edit the kernel's cells"]
    {
      #expect(text.contains(summary))
    }
    Self.press(&screen, .char("z"))
    #expect(!screen.showingHelp)
  }
}
