import CNNLabTUI
import Testing

@Suite struct HalfBlockImageTests {
  @Test func drawsTwoPixelsPerCellWithGreyLevels() {
    var buffer = CellBuffer(width: 3, height: 2, fill: "x")
    // Three rows: the odd last row has black below it.
    HalfBlockImage(pixels: [[0, 1], [1, 0], [0.5, 1]]).render(in: buffer.area, into: &buffer)
    #expect(buffer.lines == ["▀▀x", "▀▀x"])
    #expect(buffer[x: 0, y: 0].role == .halfBlock(top: 0, bottom: 23))
    #expect(buffer[x: 1, y: 0].role == .halfBlock(top: 23, bottom: 0))
    #expect(buffer[x: 0, y: 1].role == .halfBlock(top: 12, bottom: 0))  // 0.5 * 23 = 11.5, rounded up
    #expect(HalfBlockImage(pixels: Array(repeating: Array(repeating: 0, count: 28), count: 28)).size == (28, 14))
  }

  @Test func withoutGreysOrUnicodeShadesTheMeanOfBothPixels() {
    var buffer = CellBuffer(width: 3, height: 1, fill: "x", capabilities: .plain)
    HalfBlockImage(pixels: [[0, 1, 1], [0, 0, 1]]).render(in: buffer.area, into: &buffer)
    // ASCII ramp " .:-=+*#%@": mean 0 -> " ", 0.5 -> index 4.5 rounded -> "+", 1 -> "@".
    #expect(buffer.lines == [" +@"])
    var eight = CellBuffer(width: 1, height: 1, capabilities: Capabilities(colorDepth: .eight, glyphs: .unicode))
    HalfBlockImage(pixels: [[1], [1]]).render(in: eight.area, into: &eight)
    #expect(eight.lines == ["█"])
  }
}

@Suite struct KeyHelpTests {
  enum Action { case step, play, quit }
  let keys: [KeyBinding<Action>] = [
    KeyBinding([.left, .right], "step", action: .step),
    KeyBinding([.char(" ")], "play/pause", action: .play),
    KeyBinding([.char("q"), .escape], "quit", action: .quit, inHintBar: false),
  ]

  @Test func keyTableFindsActions() {
    #expect(keys.action(for: .escape) == .quit)
    #expect(keys.action(for: .right) == .step)
    #expect(keys.action(for: .char("x")) == nil)
  }

  @Test func hintBarShowsWholeHintsThatFit() {
    var buffer = CellBuffer(width: 26, height: 1, fill: "x")
    KeyHintBar(bindings: keys).render(in: buffer.area, into: &buffer)
    // " ←/→ step" then 3 spaces, then "space play/pause" would need 16 more: only 14 left.
    #expect(buffer.lines == [" ←/→ step                 "])
    #expect(buffer.roleMap(row: 0) == "hKKKhhhhhhhhhhhhhhhhhhhhhh")
    // A blank column is kept at each end.
    var wide = CellBuffer(width: 31, height: 1, capabilities: .plain)
    KeyHintBar(bindings: keys).render(in: wide.area, into: &wide)
    #expect(wide.lines == [" <-/-> step   space play/pause "])
  }

  @Test func helpOverlayListsEveryBindingInABox() {
    var buffer = CellBuffer(width: 30, height: 9, fill: "x")
    HelpOverlay(bindings: keys).render(in: buffer.area, into: &buffer)
    #expect(
      buffer.lines == [
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "xx┌ Keys ──────────────────┐xx",
        "xx│ ←/→     step           │xx",
        "xx│ space   play/pause     │xx",
        "xx│ q/Esc   quit           │xx",
        "xx│                        │xx",
        "xx│ press any key to close │xx",
        "xx└────────────────────────┘xx",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
      ])
    #expect(buffer.roleMap(row: 2) == "nnbnKKKKK" + String(repeating: "n", count: 18) + "bnn")
  }
}

@Suite struct TooSmallTests {
  @Test func saysWhatSizeIsNeededAndWhatItIs() {
    var buffer = CellBuffer(width: 24, height: 4, fill: "x")
    TooSmall(required: (60, 20), actual: (24, 4)).render(in: buffer.area, into: &buffer)
    #expect(
      buffer.lines == [
        "xxxxxxxxxxxxxxxxxxxxxxxx",
        "xxmake the terminal atxx",
        "least 60×20; it is 24×4x",
        "xxxxxxxxxxxxxxxxxxxxxxxx",
      ])
    let message = TooSmall(required: (60, 20), actual: (24, 4)).message(times: "×")
    #expect(message == "make the terminal at least 60×20; it is 24×4")
  }
}
