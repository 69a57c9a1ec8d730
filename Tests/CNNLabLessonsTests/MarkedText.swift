import CNNLabLessons

/// Lesson text with positions marked by `1️⃣`, `2️⃣`, ... (swift-format's `MarkedText`):
/// the markers are removed and their 1-based line and column remembered.
struct MarkedText {
  static let markers: [Character] = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

  var text = ""
  var locations: [Character: SourceLocation] = [:]

  init(_ marked: String) {
    var line = 1
    var column = 1
    for c in marked {
      if MarkedText.markers.contains(c) {
        locations[c] = SourceLocation(line: line, column: column)
        continue
      }
      text.append(c)
      if c == "\n" {
        line += 1
        column = 1
      } else {
        column += 1
      }
    }
  }

  subscript(_ marker: Character) -> SourceLocation {
    guard let location = locations[marker] else { preconditionFailure("no marker \(marker) in the text") }
    return location
  }
}

/// Parses `text`, expecting it to fail; returns the diagnostics (empty when it parsed).
func parseDiagnostics(_ text: String, file: String = "test.cnnlab") -> [LessonDiagnostic] {
  do {
    _ = try LessonParser.parse(text, file: file)
    return []
  } catch {
    return error.diagnostics
  }
}
