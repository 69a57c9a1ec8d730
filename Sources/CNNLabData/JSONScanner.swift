#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A single-pass JSON reader over UTF-8 bytes, for headers from files (safetensors).
///
/// Callers pull values in the order they expect them, so a header is read in one linear pass with
/// no tree of untyped values in between: a 100 MB header costs about its own size in memory. It
/// follows RFC 8259 (strings with every escape, numbers as JSON writes them, no trailing commas),
/// and stops values nested deeper than `maxDepth` before they can exhaust the stack.
struct JSONScanner {
  /// A place in the text that is not valid JSON, or not what the caller expected.
  struct Failure: Error {
    var offset: Int
    var message: String
  }

  static let maxDepth = 64

  private let bytes: [UInt8]
  private(set) var offset: Int
  private let end: Int

  init(_ bytes: [UInt8], range: Range<Int>) {
    self.bytes = bytes
    self.offset = range.lowerBound
    self.end = range.upperBound
  }

  func failure(_ message: String) -> Failure { Failure(offset: offset, message: message) }

  mutating func skipSpace() {
    while offset < end {
      switch bytes[offset] {
      case 0x20, 0x09, 0x0A, 0x0D: offset += 1
      default: return
      }
    }
  }

  /// The next byte that is not white space, without taking it.
  mutating func peek() -> UInt8? {
    skipSpace()
    return offset < end ? bytes[offset] : nil
  }

  /// Takes `byte` (after white space) or fails with what was expected.
  mutating func expect(_ byte: UInt8, _ what: String) throws {
    guard peek() == byte else { throw failure("expected \(what)") }
    offset += 1
  }

  /// Takes `byte` if it comes next.
  mutating func take(_ byte: UInt8) -> Bool {
    guard peek() == byte else { return false }
    offset += 1
    return true
  }

  /// Reads the members of an object, calling `member` with each key; `member` must read the value.
  mutating func object(_ member: (inout JSONScanner, String) throws -> Void) throws {
    try expect(UInt8(ascii: "{"), "'{'")
    if take(UInt8(ascii: "}")) { return }
    repeat {
      let key = try string()
      try expect(UInt8(ascii: ":"), "':' after a key")
      try member(&self, key)
    } while take(UInt8(ascii: ","))
    try expect(UInt8(ascii: "}"), "',' or '}'")
  }

  /// Reads the elements of an array, calling `element` for each; `element` must read the value.
  mutating func array(_ element: (inout JSONScanner) throws -> Void) throws {
    try expect(UInt8(ascii: "["), "'['")
    if take(UInt8(ascii: "]")) { return }
    repeat { try element(&self) } while take(UInt8(ascii: ","))
    try expect(UInt8(ascii: "]"), "',' or ']'")
  }

  /// A string value, with its escapes decoded.
  mutating func string() throws -> String {
    try expect(UInt8(ascii: "\""), "a string")
    // Most strings are short ASCII with no escapes: made straight from the bytes.
    var scan = offset
    while scan < end, bytes[scan] >= 0x20, bytes[scan] < 0x80, bytes[scan] != UInt8(ascii: "\""),
      bytes[scan] != UInt8(ascii: "\\")
    {
      scan += 1
    }
    if scan < end, bytes[scan] == UInt8(ascii: "\"") {
      let result = String(decoding: bytes[offset..<scan], as: UTF8.self)
      offset = scan + 1
      return result
    }
    var text: [UInt8] = Array(bytes[offset..<scan])
    offset = scan
    while offset < end {
      let byte = bytes[offset]
      switch byte {
      case UInt8(ascii: "\""):
        offset += 1
        guard let result = String(validating: text, as: UTF8.self) else {
          throw failure("a string is not valid UTF-8")
        }
        return result
      case UInt8(ascii: "\\"):
        offset += 1
        guard offset < end else { break }
        let escape = bytes[offset]
        offset += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try hex4()
          if (0xD800..<0xDC00).contains(scalar) {
            // A high surrogate must be followed by an escaped low one.
            guard offset + 1 < end, bytes[offset] == UInt8(ascii: "\\"),
              bytes[offset + 1] == UInt8(ascii: "u")
            else { throw failure("a \\u escape is half of a surrogate pair") }
            offset += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else {
              throw failure("a \\u escape is half of a surrogate pair")
            }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          }
          guard let unicode = Unicode.Scalar(scalar) else {
            throw failure("a \\u escape is half of a surrogate pair")
          }
          text.append(contentsOf: String(unicode).utf8)
        default:
          offset -= 1
          throw failure("unknown escape '\\\(Character(Unicode.Scalar(escape)))' in a string")
        }
      case 0..<0x20:
        throw failure("a control character inside a string (write it as \\n, \\t or \\u00XX)")
      default:
        text.append(byte)
        offset += 1
      }
    }
    throw failure("a string does not end")
  }

  private mutating func hex4() throws -> UInt32 {
    guard offset + 4 <= end else { throw failure("a \\u escape needs four hex digits") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[offset]
      let digit: UInt32
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
      default: throw failure("a \\u escape needs four hex digits")
      }
      value = value << 4 | digit
      offset += 1
    }
    return value
  }

  /// A number, as JSON writes it (`-0.5`, `12`, `1e-3`; no `+`, leading zeros, `NaN`).
  mutating func number() throws -> Double {
    skipSpace()
    let start = offset
    func digits(_ scanner: inout JSONScanner) -> Int {
      let first = scanner.offset
      while scanner.offset < scanner.end,
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(scanner.bytes[scanner.offset])
      {
        scanner.offset += 1
      }
      return scanner.offset - first
    }
    if offset < end, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
    let integerStart = offset
    let integerDigits = digits(&self)
    guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
      offset = start
      throw failure("expected a number")
    }
    if offset < end, bytes[offset] == UInt8(ascii: ".") {
      offset += 1
      guard digits(&self) > 0 else { throw failure("expected digits after '.'") }
    }
    if offset < end, bytes[offset] | 0x20 == UInt8(ascii: "e") {
      offset += 1
      if offset < end, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
        offset += 1
      }
      guard digits(&self) > 0 else { throw failure("expected digits in an exponent") }
    }
    var text = Array(bytes[start..<offset])
    text.append(0)
    return text.withUnsafeBufferPointer { strtod($0.baseAddress!, nil) }
  }

  /// Reads and drops one value of any kind (a field cnnlab does not use).
  mutating func skipValue(depth: Int = 0) throws {
    guard depth < Self.maxDepth else {
      throw failure("values are nested more than \(Self.maxDepth) deep")
    }
    switch peek() {
    case UInt8(ascii: "{"): try object { (s, _) throws in try s.skipValue(depth: depth + 1) }
    case UInt8(ascii: "["): try array { (s) throws in try s.skipValue(depth: depth + 1) }
    case UInt8(ascii: "\""): _ = try string()
    case UInt8(ascii: "t"): try word("true")
    case UInt8(ascii: "f"): try word("false")
    case UInt8(ascii: "n"): try word("null")
    default: _ = try number()
    }
  }

  private mutating func word(_ text: String) throws {
    let count = text.utf8.count
    guard offset + count <= end, bytes[offset..<offset + count].elementsEqual(text.utf8) else {
      throw failure("expected a value")
    }
    offset += count
  }

  /// Fails unless only white space is left.
  mutating func finish() throws {
    guard peek() == nil else { throw failure("unexpected text after the end of the value") }
  }
}
