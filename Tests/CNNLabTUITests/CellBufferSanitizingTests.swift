import CNNLabTUI
import Testing

/// Text from files reaches the screen only through the cell buffer, so no control code in it may
/// survive a write: a model whose class name is an escape sequence must not retitle the window
/// or clear the screen.
@Suite struct CellBufferSanitizingTests {
  /// Whether any cell holds a C0 control, DEL or a C1 control.
  func holdsControls(_ buffer: CellBuffer) -> Bool {
    buffer.lines.joined().unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
  }

  @Test func escapeSequencesFromAFileBecomeVisiblePlaceholders() {
    var buffer = CellBuffer(width: 12, height: 2)
    buffer.put("\u{1B}]0;pwned\u{07}", x: 0, y: 0)
    buffer.put("\u{1B}[2J", x: 0, y: 1)
    #expect(buffer.lines == ["\u{FFFD}]0;pwned\u{FFFD}  ", "\u{FFFD}[2J        "])
    #expect(!holdsControls(buffer))
  }

  @Test func asciiTerminalsGetAQuestionMark() {
    var buffer = CellBuffer(width: 6, height: 1, capabilities: .plain)
    buffer.put("\u{1B}[2J\u{7F}", x: 0, y: 0)
    #expect(buffer.lines == ["?[2J? "])
  }

  @Test func c1ControlsDelAndEveryC0ControlAreReplaced() {
    let controls = (0..<0x20).filter { ![0x09, 0x0A, 0x0D].contains($0) } + [0x7F] + Array(0x80...0x9F)
    var buffer = CellBuffer(width: controls.count, height: 1)
    buffer.put(String(String.UnicodeScalarView(controls.compactMap(Unicode.Scalar.init))), x: 0, y: 0)
    #expect(buffer.lines == [String(repeating: "\u{FFFD}", count: controls.count)])
  }

  @Test func newlinesAndTabsStaySpaces() {
    var buffer = CellBuffer(width: 5, height: 1, fill: "x")
    buffer.put("a\nb\tc\r\n", x: 0, y: 0)
    #expect(buffer.lines == ["a b c"])
  }

  @Test func everyWayIntoTheBufferIsSanitized() {
    var buffer = CellBuffer(width: 3, height: 2, fill: "\u{1B}")
    #expect(buffer.lines == ["\u{FFFD}\u{FFFD}\u{FFFD}", "\u{FFFD}\u{FFFD}\u{FFFD}"])
    buffer.fill(Rect(x: 0, y: 0, width: 3, height: 1), with: "\u{9B}")
    buffer[x: 1, y: 1] = Cell("\u{07}", role: .accent)
    #expect(!holdsControls(buffer))
    #expect(buffer[x: 1, y: 1].role == .accent)
  }

  @Test func ordinaryTextIsUntouched() {
    var buffer = CellBuffer(width: 12, height: 1)
    buffer.put("−0.11 ▀ αβ é", x: 0, y: 0)
    #expect(buffer.lines == ["−0.11 ▀ αβ é"])
  }
}
