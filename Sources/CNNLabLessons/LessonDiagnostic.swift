/// A place in a lesson file: 1-based line and column (columns count characters).
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var line: Int
  public var column: Int

  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
    (a.line, a.column) < (b.line, b.column)
  }

  public var description: String { "\(line):\(column)" }
}

/// One problem in a lesson or the course: where it is, what is wrong and how to fix it.
///
/// Printed as two lines, the way compilers do:
/// `lessons/02-edges/lesson.cnnlab:17:29: error: no kernel named 'blur'` and
/// `note: declare it with 'kernel blur 3x3 ... end', or use one of: vertical, mine`.
public struct LessonDiagnostic: Error, Hashable, Sendable, CustomStringConvertible {
  public var file: String
  /// 1-based; 0 when the problem is about a whole file (a missing lesson, a stray file).
  public var line: Int
  /// 1-based; 0 when the problem is about a whole file or line.
  public var column: Int
  public var message: String
  /// What to do about it, as one sentence.
  public var note: String

  public init(file: String, line: Int, column: Int, message: String, note: String) {
    self.file = file
    self.line = line
    self.column = column
    self.message = message
    self.note = note
  }

  public init(file: String, at location: SourceLocation, _ message: String, note: String) {
    self.init(file: file, line: location.line, column: location.column, message: message, note: note)
  }

  public var location: SourceLocation { SourceLocation(line: line, column: column) }

  /// `file:line:column: error: message` then `note: ...`.
  public var description: String {
    var place = file
    if line > 0 {
      place += ":\(line)"
      if column > 0 { place += ":\(column)" }
    }
    return "\(place): error: \(message)\nnote: \(note)"
  }
}

/// Every problem found in one pass over a lesson file, in file order.
public struct LessonDiagnostics: Error, Equatable, Sendable, CustomStringConvertible {
  public var diagnostics: [LessonDiagnostic]

  public init(_ diagnostics: [LessonDiagnostic]) {
    self.diagnostics = diagnostics
  }

  public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
