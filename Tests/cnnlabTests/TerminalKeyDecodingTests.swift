@testable import CNNLabCurses
import CNNLabTUI
import Testing

/// The rest of an escape sequence after ESC, fed byte by byte as ncurses would hand it back:
/// whole sequences become one key or nothing, never an Esc followed by typed digits.
@Suite struct TerminalKeyDecodingTests {
  /// Decodes the input after an ESC; `nil` in `script` is a read that timed out.
  func decode(_ script: [RawInput?]) -> (decoded: EscapeSequences.Decoded, unread: RawInput?, left: Int) {
    var queue = script[...]
    let result = EscapeSequences.afterEscape { _ in queue.isEmpty ? nil : queue.removeFirst() }
    return (result.decoded, result.unread, queue.count)
  }

  func characters(_ text: String) -> [RawInput?] { text.unicodeScalars.map { .character(Int32($0.value)) } }

  @Test func aLoneEscIsTheEscKey() {
    let result = decode([])
    #expect(result.decoded == .key(.escape) && result.unread == nil)
  }

  @Test func unknownCSISequencesAreReadWholeAndDropped() {
    for text in ["[200~", "[201~", "[?1;2c", "[38;5;1m", "[<0;10;5M", "[99~"] {
      let result = decode(characters(text + "7"))
      #expect(result.decoded == .dropped, "\(text)")
      #expect(result.left == 1, "\(text): the 7 typed after it stays unread")
    }
  }

  @Test func modifiedAndSS3KeysBecomeTheirPlainKeys() {
    #expect(decode(characters("[1;5H")).decoded == .key(.home))
    #expect(decode(characters("[1;2A")).decoded == .key(.up))
    #expect(decode(characters("[5;3~")).decoded == .key(.pageUp))
    #expect(decode(characters("[15~")).decoded == .key(.function(5)))
    #expect(decode(characters("OP")).decoded == .key(.function(1)))
    #expect(decode(characters("OD")).decoded == .key(.left))
    #expect(decode(characters("Oz")).decoded == .dropped)
  }

  @Test func escThenDigitsInOneBurstTypesNothing() {
    let result = decode(characters("123") + [nil] + characters("4"))
    #expect(result.decoded == .dropped)
    #expect(result.left == 1, "the 4 came after a pause: typed by a person")
  }

  @Test func controlStringsRunToBELOrST() {
    #expect(decode(characters("]0;pwned\u{07}9")).left == 1)
    #expect(decode(characters("P1$r\u{1B}\\9")).left == 1)
  }

  @Test func aSplitSequenceThatStopsHalfWayIsDropped() {
    let result = decode(characters("[1;") + [nil] + characters("5H"))
    #expect(result.decoded == .dropped && result.left == 2)
  }

  /// A key code or a second ESC cannot be part of the sequence: the first ESC was the Esc key,
  /// and what came is the next event (a resize or a click must never be lost).
  @Test func aKeyCodeOrAnotherEscAfterEscIsKept() {
    let resize = RawInput.keyCode(410)
    #expect(decode([resize]).decoded == .key(.escape))
    #expect(decode([resize]).unread == resize)
    #expect(decode([.character(27)]).unread == .character(27))
    #expect(decode(characters("[12") + [resize]).unread == resize)
  }

  @Test func c1AndStrayControlCharactersTypeNothing() {
    #expect(Terminal.characterKey(0x9B) == nil)
    #expect(Terminal.characterKey(0x85) == nil)
    #expect(Terminal.characterKey(0x13) == .ctrl("s"))
    #expect(Terminal.characterKey(0x41) == .char("A"))
  }
}
