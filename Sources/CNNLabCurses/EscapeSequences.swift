import CNNLabTUI

/// One read from ncurses: a character, or a key code it decoded (`KEY_UP`, `KEY_MOUSE`, ...).
enum RawInput: Equatable, Sendable {
  case character(Int32)
  case keyCode(Int32)
}

/// What follows an ESC that ncurses could not match to a key of the terminal's description.
///
/// ncurses decodes the sequences the terminfo entry lists and hands every other one back byte
/// by byte, starting with ESC: a Ctrl-Home (`ESC [ 1 ; 5 H`), an SS3 function key (`ESC O P`), a
/// bracketed-paste marker (`ESC [ 2 0 0 ~`), a terminal's reply. Delivered as they are, they would
/// be an Esc (go back) followed by typed digits. Here a sequence is read whole and becomes one key
/// or nothing; only an ESC that nothing follows within `followUpMilliseconds` is the Esc key.
enum EscapeSequences {
  /// How long a byte of a sequence may lag behind the one before it. Terminals send a sequence
  /// in one write; a person pressing Esc and then a key takes far longer.
  static let followUpMilliseconds = 30
  /// The most bytes read into one sequence before the rest is left as typed input.
  static let maxLength = 64

  /// The outcome of reading the rest of a sequence.
  enum Decoded: Equatable, Sendable {
    /// A key (the Esc key itself, or one a sequence stands for).
    case key(Key)
    /// A sequence that means nothing to cnnlab, read whole and dropped.
    case dropped
  }

  /// Reads the rest of the sequence that began with ESC. `next(milliseconds)` reads one more input,
  /// waiting at most that long (nil: none came). Input that cannot belong to the sequence (a key
  /// code, a resize, the next ESC) is returned in `unread`, to be handled as the next event.
  static func afterEscape(next: (Int) -> RawInput?) -> (decoded: Decoded, unread: RawInput?) {
    guard let first = next(followUpMilliseconds) else { return (.key(.escape), nil) }
    guard case .character(let introducer) = first, introducer != 27 else { return (.key(.escape), first) }
    switch introducer {
    case 0x5B:  // [  CSI: parameters and intermediates up to a final byte
      return controlSequence(next: next)
    case 0x4F:  // O  SS3: exactly one more byte
      guard let input = next(followUpMilliseconds) else { return (.dropped, nil) }
      guard case .character(let final) = input else { return (.dropped, input) }
      return (ss3Key(final).map(Decoded.key) ?? .dropped, nil)
    case 0x5D, 0x50, 0x58, 0x5E, 0x5F:  // ] P X ^ _  strings ended by BEL or ESC \
      return controlString(next: next)
    default:
      // Alt plus a key, or the start of something unknown: it and whatever arrives with it go.
      return burst(next: next)
    }
  }

  /// `ESC [` then parameter bytes (0x30-0x3F), intermediate bytes (0x20-0x2F), one final byte.
  private static func controlSequence(next: (Int) -> RawInput?) -> (decoded: Decoded, unread: RawInput?) {
    var parameters: [UInt8] = []
    for _ in 0..<maxLength {
      guard let input = next(followUpMilliseconds) else { return (.dropped, nil) }
      guard case .character(let byte) = input, byte != 27 else { return (.dropped, input) }
      switch byte {
      case 0x20...0x3F: parameters.append(UInt8(byte))
      case 0x40...0x7E: return (csiKey(parameters: parameters, final: UInt8(byte)).map(Decoded.key) ?? .dropped, nil)
      default: return (.dropped, nil)  // not a sequence after all: the stray byte goes with it
      }
    }
    return (.dropped, nil)
  }

  /// An OSC, DCS, SOS, PM or APC string, up to BEL or ST (`ESC \`).
  private static func controlString(next: (Int) -> RawInput?) -> (decoded: Decoded, unread: RawInput?) {
    var afterEscape = false
    for _ in 0..<(maxLength * 16) {
      guard let input = next(followUpMilliseconds) else { return (.dropped, nil) }
      guard case .character(let byte) = input else { return (.dropped, input) }
      if byte == 7 || (afterEscape && byte == 0x5C) { return (.dropped, nil) }
      afterEscape = byte == 27
    }
    return (.dropped, nil)
  }

  /// Characters arriving hard on the heels of an unknown ESC pair: part of what the terminal
  /// sent, not typing, so none of them is delivered.
  private static func burst(next: (Int) -> RawInput?) -> (decoded: Decoded, unread: RawInput?) {
    for _ in 0..<maxLength {
      guard let input = next(followUpMilliseconds) else { return (.dropped, nil) }
      guard case .character(let byte) = input, byte != 27 else { return (.dropped, input) }
    }
    return (.dropped, nil)
  }

  /// The key an SS3 sequence names (`ESC O A` is the up arrow in application mode), if any.
  static func ss3Key(_ final: Int32) -> Key? {
    switch final {
    case 0x41: .up
    case 0x42: .down
    case 0x43: .right
    case 0x44: .left
    case 0x48: .home
    case 0x46: .end
    case 0x4D: .enter
    case 0x50...0x53: .function(Int(final) - 0x50 + 1)  // P Q R S: F1-F4
    default: nil
    }
  }

  /// The key a CSI sequence names, modifiers ignored (`ESC [ 1 ; 5 H`, Ctrl-Home, is Home);
  /// nil for anything else (`ESC [ 2 0 0 ~` starts a bracketed paste).
  static func csiKey(parameters: [UInt8], final: UInt8) -> Key? {
    let fields = parameters.split(separator: 0x3B, omittingEmptySubsequences: false)
    guard fields.allSatisfy({ $0.allSatisfy { (0x30...0x39).contains($0) } }) else { return nil }
    let first = fields.first.flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 1
    switch final {
    case 0x41: return .up
    case 0x42: return .down
    case 0x43: return .right
    case 0x44: return .left
    case 0x48: return .home
    case 0x46: return .end
    case 0x5A: return .backTab
    case 0x7E:
      switch first {
      case 1, 7: return .home
      case 2: return .insert
      case 3: return .delete
      case 4, 8: return .end
      case 5: return .pageUp
      case 6: return .pageDown
      case 11...15: return .function(first - 10)
      case 17...21: return .function(first - 11)
      case 23, 24: return .function(first - 12)
      default: return nil
      }
    default: return nil
    }
  }
}
