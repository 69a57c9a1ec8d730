/// The text grid format shared by inline `grid` blocks and files under `assets/`: numbers
/// separated by spaces, a row per line, a blank line between channels, `#` comments.
public enum TextGrid {
  /// One line of a grid, with where it sits in its file.
  struct Line {
    var number: Int
    var text: String
  }

  /// A grid read from text: its natural shape (`[rows, cols]` for one channel, `[C, rows, cols]`
  /// for several) and its values, row-major.
  public struct Parsed: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Double]
  }

  /// Reads a whole grid file.
  public static func parse(_ text: String, file: String) throws(LessonDiagnostics) -> Parsed {
    let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text  // a byte-order mark
    let lines = lessonLines(text).enumerated().map {
      Line(number: $0.offset + 1, text: $0.element)
    }
    var diagnostics: [LessonDiagnostic] = []
    let parsed = parse(lines: lines, file: file, diagnostics: &diagnostics)
    guard diagnostics.isEmpty, let parsed else {
      if diagnostics.isEmpty {
        throw LessonDiagnostics([
          LessonDiagnostic(
            file: file, line: 1, column: 1, message: "the grid file has no numbers",
            note: "write the numbers separated by spaces, a row per line")
        ])
      }
      throw LessonDiagnostics(diagnostics)
    }
    return parsed
  }

  /// The largest grid a lesson may hold.
  static let maxValues = 1_000_000

  /// Parses grid lines; nil (with diagnostics) when they do not form a grid, nil without
  /// diagnostics when there are no numbers at all.
  static func parse(lines: [Line], file: String, diagnostics: inout [LessonDiagnostic]) -> Parsed? {
    var channels: [[[Double]]] = [[]]
    var channelStart: [Int] = [0]
    var failed = false
    var total = 0
    for line in lines {
      let content = line.text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        .first.map(String.init) ?? ""
      let fields = fieldsWithColumns(content)
      if fields.isEmpty {
        // A blank line ends a channel (several blank lines count as one).
        if let last = channels.last, !last.isEmpty && !line.text.contains("#") {
          channels.append([])
          channelStart.append(line.number + 1)
        }
        continue
      }
      var row: [Double] = []
      for (field, column) in fields {
        if let value = LessonLexer.parseNumber(field) {
          row.append(value)
        } else {
          failed = true
          diagnostics.append(
            LessonDiagnostic(
              file: file, line: line.number, column: column,
              message: "'\(field)' is not a number",
              note: "a grid row holds numbers like 3, -1, 0.5 or 1/9, separated by spaces"))
        }
      }
      total += row.count
      if total > maxValues {
        diagnostics.append(
          LessonDiagnostic(
            file: file, line: line.number, column: 1, message: "the grid has more than \(maxValues) values",
            note: "use a smaller grid"))
        return nil
      }
      if let width = channels.last?.first?.count, width != row.count, !failed {
        failed = true
        diagnostics.append(
          LessonDiagnostic(
            file: file, line: line.number, column: 1,
            message: "this row has \(row.count) numbers but the rows above have \(width)",
            note: "give every row of a grid the same number of values"))
      }
      channels[channels.count - 1].append(row)
    }
    if channels.last?.isEmpty == true { channels.removeLast() }
    guard !failed else { return nil }
    guard let first = channels.first, let width = first.first?.count else { return nil }
    for (c, channel) in channels.enumerated() {
      if channel.count != first.count || channel.first?.count != width {
        let line = channelStart.indices.contains(c) ? channelStart[c] : 1
        diagnostics.append(
          LessonDiagnostic(
            file: file, line: line, column: 1,
            message: "channel \(c) is \(channel.count)x\(channel.first?.count ?? 0) but channel 0 is \(first.count)x\(width)",
            note: "give every channel the same rows and columns; a blank line separates channels"))
        return nil
      }
    }
    let values = channels.flatMap { $0.flatMap { $0 } }
    let shape = channels.count == 1 ? [first.count, width] : [channels.count, first.count, width]
    return Parsed(shape: shape, values: values)
  }

  /// Whitespace-separated fields with their 1-based columns.
  static func fieldsWithColumns(_ text: String) -> [(String, Int)] {
    var result: [(String, Int)] = []
    var current = ""
    var start = 0
    for (i, c) in text.enumerated() {
      if c == " " || c == "\t" || c == "\r" {
        if !current.isEmpty { result.append((current, start + 1)) }
        current = ""
      } else {
        if current.isEmpty { start = i }
        current.append(c)
      }
    }
    if !current.isEmpty { result.append((current, start + 1)) }
    return result
  }

  /// Fits a parsed grid to a declared shape: `[n]` takes one row, `[r, c]` one channel,
  /// `[C, r, c]` C channels. Returns a message when it does not fit.
  static func fit(_ parsed: Parsed, to declared: [Int]) -> String? {
    let natural = parsed.shape
    let written = natural.map(String.init).joined(separator: "x")
    switch declared.count {
    case 1:
      if natural.count == 2 && natural[0] == 1 && natural[1] == declared[0] { return nil }
    case 2:
      if natural == declared { return nil }
    case 3:
      if natural == declared { return nil }
      if declared[0] == 1 && natural == Array(declared.dropFirst()) { return nil }
    default:
      return "a grid has 1, 2 or 3 axes, not \(declared.count)"
    }
    return "the rows written make a \(written) grid"
  }
}
