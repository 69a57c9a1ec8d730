import CNNLabEngine
import Foundation

// H/W = height/width of one channel, C = channels.

/// A mistake in a text grid, at a 1-based line and column, with a note on how to fix it.
///
/// `description` reads `file:line:column: error: message` then `note: ...`, the form compilers
/// use, so editors can jump to the place.
public struct GridTextError: Error, Equatable, Sendable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var column: Int
  public var message: String
  public var note: String

  public init(file: String, line: Int, column: Int, message: String, note: String) {
    self.file = file
    self.line = line
    self.column = column
    self.message = message
    self.note = note
  }

  public var description: String {
    "\(file):\(line):\(column): error: \(message)\nnote: \(note)"
  }
}

/// Grids written as text: one row of numbers per line, channels separated by blank lines.
///
/// ```
/// # a 2-channel 2x3 grid
/// 1   0  -1
/// 0.5 1/9 2     # a trailing comment
///
/// 1 1 1
/// 0 0 0
/// ```
///
/// Numbers are integers, decimals (`-0.25`, `1e-3`) or fractions (`1/9`). `#` starts a comment
/// that runs to the end of the line. A line holding only a comment is skipped; it neither adds
/// a row nor separates channels. One channel gives an `(H, W)` tensor, several give `(C, H, W)`.
public enum GridText {
  /// Parses `text`; `file` names it in errors.
  ///
  /// One pass over the UTF-8 bytes: time and memory grow in proportion to the text.
  public static func parse(_ text: String, file: String) throws -> Tensor {
    var text = text
    return try text.withUTF8 { try parse(utf8: $0, file: file) }
  }

  private static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>, file: String) throws -> Tensor {
    var channels: [Channel] = []
    var current: Channel?
    var tokens: [Token] = []
    var lineNumber = 0
    var lineStart = 0
    while lineStart <= bytes.count {
      lineNumber += 1
      var lineEnd = lineStart
      while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
      defer { lineStart = lineEnd + 1 }
      // `#` starts a comment; a "\r" before the "\n" is white space like any other.
      var contentEnd = lineEnd
      var ascii = true
      for i in lineStart..<lineEnd {
        if bytes[i] == UInt8(ascii: "#") {
          contentEnd = i
          break
        }
        if bytes[i] >= 0x80 { ascii = false }
      }
      let hasComment = contentEnd < lineEnd
      tokens.removeAll(keepingCapacity: true)
      tokenize(bytes, lineStart..<contentEnd, ascii: ascii, into: &tokens)
      if tokens.isEmpty {
        // A blank line closes the channel; a comment-only line is skipped.
        if !hasComment, let finished = current {
          channels.append(finished)
          current = nil
        }
        continue
      }
      if let channel = current {
        try checkRowLength(
          tokens.count, columns: tokens.map(\.column),
          endColumn: tokens.last.map { $0.column + $0.width }, against: channel, file: file,
          line: lineNumber)
      } else {
        current = Channel(firstLine: lineNumber, width: tokens.count)
      }
      // Appended in place: a copy of the channel here would copy every earlier row for each
      // new one, which made long grids quadratic.
      for token in tokens {
        current!.values.append(try number(bytes, token, file: file, line: lineNumber))
      }
      current!.height += 1
    }
    if let finished = current { channels.append(finished) }

    guard let first = channels.first else {
      throw GridTextError(
        file: file, line: 1, column: 1, message: "no numbers in the grid",
        note: "write one row of numbers per line, for example '1 0 -1'")
    }
    for (c, channel) in channels.enumerated().dropFirst()
    where channel.height != first.height || channel.width != first.width {
      throw GridTextError(
        file: file, line: channel.firstLine, column: 1,
        message:
          "channel \(c + 1) is \(channel.height)x\(channel.width), but channel 1 is "
          + "\(first.height)x\(first.width)",
        note:
          "every channel needs the same height and width; a blank line starts a new channel, "
          + "so remove stray blank lines inside a channel")
    }
    let scalars = channels.count == 1 ? first.values : channels.flatMap(\.values)
    if channels.count == 1 {
      return Tensor(shape: [first.height, first.width], scalars: scalars)
    }
    return Tensor(shape: [channels.count, first.height, first.width], scalars: scalars)
  }

  /// Formats `t` as rows of right-aligned numbers, channels separated by a blank line.
  ///
  /// Values print with up to 6 significant digits, like C's `%g` (`0.777778`, `-0.111111`,
  /// `1e-07`); whole numbers up to 2^24 print without a decimal point. A tensor of rank above 2
  /// prints each `(H, W)` slice as a channel; rank 1 prints one row. The text ends without a
  /// newline and parses back to the same values (to 6 digits).
  public static func format(_ t: Tensor) -> String {
    let texts = t.scalars.map(formatNumber)
    let width = texts.map(\.count).max() ?? 0
    let columns: Int
    let rowsPerChannel: Int
    switch t.rank {
    case 0: (columns, rowsPerChannel) = (1, 1)
    case 1: (columns, rowsPerChannel) = (t.shape[0], 1)
    default: (columns, rowsPerChannel) = (t.shape[t.rank - 1], t.shape[t.rank - 2])
    }
    guard columns > 0, rowsPerChannel > 0 else { return "" }
    var lines: [String] = []
    var row = 0
    var start = 0
    while start < texts.count {
      if row > 0 && row % rowsPerChannel == 0 { lines.append("") }
      let cells = texts[start..<start + columns].map { pad($0, to: width) }
      lines.append(cells.joined(separator: " "))
      start += columns
      row += 1
    }
    return lines.joined(separator: "\n")
  }

  /// One number as `format` prints it.
  public static func formatNumber(_ value: Float) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    if value == 0 { return "0" }  // also -0
    if value == value.rounded() && abs(value) <= 16_777_216 { return String(Int(value)) }
    return String(format: "%g", Double(value))
  }

  // MARK: - Parsing helpers

  /// One channel's rows, flat: `height` rows of `width` values.
  private struct Channel {
    var firstLine: Int
    var width: Int
    var height = 0
    var values: [Float] = []
  }

  /// A run of non-space characters: its bytes in the text, and its 1-based column and width in
  /// characters (the same as bytes on an ASCII line).
  private struct Token {
    var bytes: Range<Int>
    var column: Int
    var width: Int
  }

  private static func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }

  private static func tokenize(
    _ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, ascii: Bool, into tokens: inout [Token]
  ) {
    if ascii {
      var i = line.lowerBound
      while i < line.upperBound {
        if isASCIISpace(bytes[i]) {
          i += 1
          continue
        }
        let start = i
        while i < line.upperBound, !isASCIISpace(bytes[i]) { i += 1 }
        tokens.append(Token(bytes: start..<i, column: start - line.lowerBound + 1, width: i - start))
      }
      return
    }
    // Other lines by Unicode characters, so columns count what an editor shows.
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[line]), as: UTF8.self)
    var offset = line.lowerBound
    var column = 1
    var start: (offset: Int, column: Int)?
    for character in text {
      if character.isWhitespace {
        if let s = start {
          tokens.append(Token(bytes: s.offset..<offset, column: s.column, width: column - s.column))
          start = nil
        }
      } else if start == nil {
        start = (offset, column)
      }
      offset += character.utf8.count
      column += 1
    }
    if let s = start {
      tokens.append(Token(bytes: s.offset..<offset, column: s.column, width: column - s.column))
    }
  }

  private static func checkRowLength(
    _ count: Int, columns: [Int], endColumn: Int?, against channel: Channel, file: String,
    line: Int
  ) throws {
    let expected = channel.width
    guard count != expected else { return }
    let firstRowLine = channel.firstLine
    let column = count > expected ? columns[expected] : (endColumn ?? 1)
    let plural = expected == 1 ? "number" : "numbers"
    throw GridTextError(
      file: file, line: line, column: column,
      message:
        "row has \(count) \(count == 1 ? "number" : "numbers"), expected \(expected) "
        + "(like the first row, on line \(firstRowLine))",
      note:
        count > expected
        ? "remove \(count - expected) \(count - expected == 1 ? "number" : "numbers") so every row has \(expected) \(plural)"
        : "add \(expected - count) \(expected - count == 1 ? "number" : "numbers") so every row has \(expected) \(plural)"
    )
  }

  private static func number(
    _ bytes: UnsafeBufferPointer<UInt8>, _ token: Token, file: String, line: Int
  ) throws -> Float {
    func bad(_ message: String, _ note: String) -> GridTextError {
      GridTextError(file: file, line: line, column: token.column, message: message, note: note)
    }
    var text: String { String(decoding: UnsafeBufferPointer(rebasing: bytes[token.bytes]), as: UTF8.self) }
    if let slash = token.bytes.first(where: { bytes[$0] == UInt8(ascii: "/") }) {
      guard let n = plainNumber(bytes, token.bytes.lowerBound..<slash),
        let d = plainNumber(bytes, (slash + 1)..<token.bytes.upperBound)
      else {
        throw bad(
          "'\(text)' is not a number",
          "write a fraction as two numbers around one '/', for example '1/9'")
      }
      guard d != 0 else {
        throw bad("'\(text)' divides by zero", "use a denominator other than 0")
      }
      let value = Float(n / d)
      guard value.isFinite else {
        throw bad("'\(text)' is too large for a 32-bit float", "use a smaller number")
      }
      return value
    }
    guard let value = plainNumber(bytes, token.bytes) else {
      throw bad(
        "'\(text)' is not a number",
        "write integers ('-1'), decimals ('0.25', '1e-3') or fractions ('1/9'); '#' starts a comment"
      )
    }
    let float = Float(value)
    guard float.isFinite else {
      throw bad("'\(text)' is too large for a 32-bit float", "use a smaller number")
    }
    return float
  }

  /// A decimal number such as `-12`, `+0.5`, `.5`, `3.`, `1e-7`; no hex, `inf` or `nan`.
  private static func plainNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
    var sawDigit = false
    for i in range {
      switch bytes[i] {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
      case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): break
      case UInt8(ascii: "+"), UInt8(ascii: "-"):
        // A sign starts the number or its exponent, nowhere else.
        if i != range.lowerBound && bytes[i - 1] | 0x20 != UInt8(ascii: "e") { return nil }
      default: return nil
      }
    }
    guard sawDigit else { return nil }
    // Short tokens make small strings, which need no allocation; Double's parser ignores the locale.
    return Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
  }

  private static func pad(_ text: String, to width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
  }
}
