/// One token of a lesson line.
struct Token: Equatable, Sendable {
  enum Kind: Equatable, Sendable {
    /// A name or keyword: a letter, then letters, digits, `_` and `-`.
    case word
    /// `27`, `0.5`, `.5`, `1/9` (a fraction, one token).
    case number(Double)
    /// `4x4`, `3x7x7`.
    case shape([Int])
    /// The text between the quotes, escapes resolved.
    case string(String)
    /// `->`, `..`, `>=`, `,`, `[`, ...
    case symbol
  }

  var kind: Kind
  /// The token as written (for a string: with its quotes).
  var text: String
  /// 1-based column of the first character.
  var column: Int
}

/// A line that could not be split into tokens.
struct LexError: Error {
  var column: Int
  var message: String
  var note: String
}

/// Splits one line of a lesson into tokens; `#` starts a comment outside strings.
enum LessonLexer {
  static func tokens(_ line: String) throws(LexError) -> [Token] {
    let chars = Array(line)
    var tokens: [Token] = []
    var i = 0
    while i < chars.count {
      let c = chars[i]
      let column = i + 1
      if c == " " || c == "\t" || c == "\r" {
        i += 1
      } else if c == "#" {
        break
      } else if c == "\"" {
        var value = ""
        var j = i + 1
        var closed = false
        while j < chars.count {
          let d = chars[j]
          if d == "\\" {
            guard j + 1 < chars.count else { break }
            let e = chars[j + 1]
            switch e {
            case "\"", "\\": value.append(e)
            case "n": value.append(" ")
            default:
              throw LexError(
                column: j + 1, message: "unknown escape '\\\(e)' in text",
                note: "write \\\" for a quote and \\\\ for a backslash")
            }
            j += 2
          } else if d == "\"" {
            closed = true
            j += 1
            break
          } else {
            value.append(d)
            j += 1
          }
        }
        guard closed else {
          throw LexError(
            column: column, message: "text has no closing quote",
            note: "end the text with \" on the same line")
        }
        tokens.append(Token(kind: .string(value), text: String(chars[i..<j]), column: column))
        i = j
      } else if isDigit(c) || (c == "." && i + 1 < chars.count && isDigit(chars[i + 1])) {
        let (token, next) = try number(chars, from: i)
        tokens.append(token)
        i = next
      } else if isLetter(c) {
        var j = i + 1
        while j < chars.count {
          let d = chars[j]
          if isLetter(d) || isDigit(d) || d == "_" {
            j += 1
          } else if d == "-", j + 1 < chars.count, isLetter(chars[j + 1]) || isDigit(chars[j + 1]) {
            j += 1
          } else {
            break
          }
        }
        tokens.append(Token(kind: .word, text: String(chars[i..<j]), column: column))
        i = j
      } else {
        let two = i + 1 < chars.count ? String([c, chars[i + 1]]) : ""
        if ["->", "..", ">=", "<=", "==", "!="].contains(two) {
          tokens.append(Token(kind: .symbol, text: two, column: column))
          i += 2
        } else if ",[]()+-*/.<>=".contains(c) {
          tokens.append(Token(kind: .symbol, text: String(c), column: column))
          i += 1
        } else if "“”„«»".contains(c) {
          throw LexError(
            column: column, message: "'\(c)' is a typographic quote",
            note: "write text between straight double quotes: \"like this\"")
        } else {
          throw LexError(
            column: column, message: "unexpected character '\(c)'",
            note: "put text in double quotes; names use letters, digits, '_' and '-'")
        }
      }
    }
    return tokens
  }

  /// A number, a fraction `a/b` or a shape `AxBxC` starting at `start`.
  private static func number(_ chars: [Character], from start: Int) throws(LexError) -> (Token, Int) {
    var j = start
    func digits() {
      while j < chars.count, isDigit(chars[j]) { j += 1 }
    }
    digits()
    // A decimal point, unless it begins `..` (a range).
    if j < chars.count, chars[j] == ".", !(j + 1 < chars.count && chars[j + 1] == ".") {
      j += 1
      digits()
    }
    let first = String(chars[start..<j])
    // A shape: 4x4, 3x7x7.
    if j + 1 < chars.count, chars[j] == "x", isDigit(chars[j + 1]), !first.contains(".") {
      var parts = [first]
      while j + 1 < chars.count, chars[j] == "x", isDigit(chars[j + 1]) {
        j += 1
        let partStart = j
        digits()
        parts.append(String(chars[partStart..<j]))
      }
      let text = String(chars[start..<j])
      if j < chars.count, isLetter(chars[j]) || chars[j] == "." {
        throw LexError(
          column: start + 1, message: "'\(text)\(chars[j])' is not a shape",
          note: "write a shape as numbers joined by 'x', like 3x3 or 3x7x7")
      }
      var shape: [Int] = []
      for part in parts {
        guard let n = Int(part), n <= 1_000_000 else {
          throw LexError(
            column: start + 1, message: "the shape \(text) is too large",
            note: "each size must be at most 1000000")
        }
        shape.append(n)
      }
      return (Token(kind: .shape(shape), text: text, column: start + 1), j)
    }
    // A fraction: 1/9 (the denominator must follow the slash directly).
    if j + 1 < chars.count, chars[j] == "/", isDigit(chars[j + 1]) {
      j += 1
      digits()
      if j < chars.count, chars[j] == "." { j += 1; digits() }
      let text = String(chars[start..<j])
      guard let value = parseNumber(text) else {
        throw LexError(
          column: start + 1, message: "'\(text)' is not a number",
          note: "a fraction needs a denominator other than 0, like 1/9")
      }
      return (Token(kind: .number(value), text: text, column: start + 1), j)
    }
    if j < chars.count, isLetter(chars[j]) {
      var k = j
      while k < chars.count, isLetter(chars[k]) || isDigit(chars[k]) { k += 1 }
      throw LexError(
        column: start + 1, message: "'\(String(chars[start..<k]))' is neither a number nor a name",
        note: "names start with a letter; put a space between a number and a word")
    }
    guard let value = parseNumber(first) else {
      throw LexError(
        column: start + 1, message: "'\(first)' is not a number",
        note: "write numbers like 27, -1, 0.5 or 1/9")
    }
    return (Token(kind: .number(value), text: first, column: start + 1), j)
  }

  static func isDigit(_ c: Character) -> Bool { c >= "0" && c <= "9" }
  static func isLetter(_ c: Character) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") }

  /// Parses `27`, `-1`, `0.5`, `-.5`, `1/9`, `-3/4`; nil for anything else, for a zero
  /// denominator and for values that are not finite.
  static func parseNumber(_ text: String) -> Double? {
    guard !text.isEmpty, text.count <= 40 else { return nil }
    var body = Substring(text)
    var sign = 1.0
    if body.first == "-" {
      sign = -1
      body = body.dropFirst()
    } else if body.first == "+" {
      body = body.dropFirst()
    }
    let parts = body.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 1 || parts.count == 2 else { return nil }
    guard let numerator = decimal(parts[0]) else { return nil }
    var value = numerator
    if parts.count == 2 {
      guard let denominator = decimal(parts[1]), denominator != 0 else { return nil }
      value = numerator / denominator
    }
    value *= sign
    return value.isFinite ? value : nil
  }

  /// Digits with at most one decimal point and at least one digit.
  private static func decimal(_ text: Substring) -> Double? {
    var sawDigit = false
    var sawPoint = false
    for c in text {
      if isDigit(c) {
        sawDigit = true
      } else if c == "." && !sawPoint {
        sawPoint = true
      } else {
        return nil
      }
    }
    guard sawDigit else { return nil }
    let normalised = text.first == "." ? "0" + text : String(text)
    return Double(normalised)
  }
}
