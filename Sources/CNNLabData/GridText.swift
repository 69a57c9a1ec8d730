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
  public static func parse(_ text: String, file: String) throws -> Tensor {
    var channels: [Channel] = []
    var current: Channel?
    for (index, rawLine) in text.split(
      omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }
    )
    .enumerated() {
      let lineNumber = index + 1
      var line = Substring(rawLine)
      let hasComment = line.contains("#")
      if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
      let tokens = tokenize(line)
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
          endColumn: tokens.last.map { $0.column + $0.text.count }, against: channel, file: file,
          line: lineNumber)
      } else {
        current = Channel(firstLine: lineNumber, width: tokens.count)
      }
      // Appended in place: a copy of the channel here would copy every earlier row for each
      // new one, which made long grids quadratic.
      for token in tokens {
        current!.values.append(try number(token, file: file, line: lineNumber))
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

  private struct Token {
    var text: Substring
    var column: Int  // 1-based, in characters
  }

  private static func tokenize(_ line: Substring) -> [Token] {
    var tokens: [Token] = []
    var column = 1
    var start: Substring.Index?
    var startColumn = 0
    var index = line.startIndex
    while index < line.endIndex {
      let character = line[index]
      if character.isWhitespace {
        if let s = start {
          tokens.append(Token(text: line[s..<index], column: startColumn))
          start = nil
        }
      } else if start == nil {
        start = index
        startColumn = column
      }
      column += 1
      index = line.index(after: index)
    }
    if let s = start { tokens.append(Token(text: line[s...], column: startColumn)) }
    return tokens
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

  private static func number(_ token: Token, file: String, line: Int) throws -> Float {
    let text = token.text
    func bad(_ message: String, _ note: String) -> GridTextError {
      GridTextError(file: file, line: line, column: token.column, message: message, note: note)
    }
    if let slash = text.firstIndex(of: "/") {
      let numerator = text[..<slash]
      let denominator = text[text.index(after: slash)...]
      guard let n = plainNumber(numerator), let d = plainNumber(denominator) else {
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
    guard let value = plainNumber(text) else {
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
  private static func plainNumber(_ text: Substring) -> Double? {
    let scalars = Array(text.unicodeScalars)
    var sawDigit = false
    for (i, scalar) in scalars.enumerated() {
      switch scalar {
      case "0"..."9": sawDigit = true
      case ".", "e", "E": break
      case "+", "-":
        // A sign starts the number or its exponent, nowhere else.
        if i != 0 && scalars[i - 1] != "e" && scalars[i - 1] != "E" { return nil }
      default: return nil
      }
    }
    guard sawDigit, let value = Double(text) else { return nil }
    return value
  }

  private static func pad(_ text: String, to width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
  }
}
