import CNNLabData
import CNNLabEngine
import Foundation

/// The lessons listed in `lessons/course`, loaded from disk, with every problem met on the way.
///
/// Loading never stops at the first broken lesson: `cnnlab lessons check` wants them all.
public struct Course: Sendable {
  /// One line of the course file.
  public struct Entry: Sendable {
    /// The lesson's directory name, e.g. `03-classic-kernels`.
    public var name: String
    /// The lesson file's path as shown in diagnostics, e.g. `lessons/03-classic-kernels/lesson.cnnlab`.
    public var file: String
    /// The parsed lesson with its file grids loaded; nil when it could not be read or parsed.
    public var lesson: Lesson?
  }

  /// The lessons directory as given.
  public var directory: String
  public var entries: [Entry]
  /// Problems found while loading: the course file, unreadable or unparsable lessons, assets.
  /// Files outside the course are not looked for here: `LessonCheck.run` reports them.
  public var diagnostics: [LessonDiagnostic]
  /// False when the course file could not be read, so no lesson is listed and no file strays.
  var courseFileRead = true

  /// The lessons that loaded, in course order.
  public var lessons: [Lesson] { entries.compactMap(\.lesson) }

  /// The name of the file listing the lessons.
  public static let courseFileName = "course"
  /// The name of the lesson file inside each lesson directory.
  public static let lessonFileName = "lesson.cnnlab"

  public init(directory: String, entries: [Entry], diagnostics: [LessonDiagnostic]) {
    self.directory = directory
    self.entries = entries
    self.diagnostics = diagnostics
  }

  /// Loads the course in `directory` (usually `lessons`). Asset paths (`from "assets/..."`) are
  /// resolved against `repository`, by default the directory's parent.
  public static func load(directory: String, repository: String? = nil) -> Course {
    let directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
    let repository = repository ?? parentDirectory(of: directory)
    let courseFile = directory + "/" + courseFileName
    var diagnostics: [LessonDiagnostic] = []
    guard let text = readText(courseFile) else {
      diagnostics.append(
        LessonDiagnostic(
          file: courseFile, line: 0, column: 0, message: "cannot read the course file",
          note: "create \(courseFile) starting with 'format 1' and listing one lesson directory per line"))
      var course = Course(directory: directory, entries: [], diagnostics: diagnostics)
      course.courseFileRead = false
      return course
    }
    let names = parseCourseFile(text, file: courseFile, diagnostics: &diagnostics)
    var entries: [Entry] = []
    for (name, line) in names {
      let file = directory + "/" + name + "/" + lessonFileName
      guard let lessonText = readText(file) else {
        diagnostics.append(
          LessonDiagnostic(
            file: courseFile, line: line, column: 1, message: "cannot read \(file)",
            note: "create the lesson file, or remove '\(name)' from the course"))
        entries.append(Entry(name: name, file: file, lesson: nil))
        continue
      }
      do {
        var lesson = try LessonParser.parse(lessonText, file: file)
        loadFileGrids(&lesson, repository: repository, diagnostics: &diagnostics)
        readFiles(&lesson, repository: repository, diagnostics: &diagnostics)
        entries.append(Entry(name: name, file: file, lesson: lesson))
      } catch {
        diagnostics += error.diagnostics
        entries.append(Entry(name: name, file: file, lesson: nil))
      }
    }
    return Course(directory: directory, entries: entries, diagnostics: diagnostics)
  }

  /// The lesson directory names listed in a course file, with their lines.
  static func parseCourseFile(
    _ text: String, file: String, diagnostics: inout [LessonDiagnostic]
  ) -> [(String, Int)] {
    var names: [(String, Int)] = []
    var seen: [String: Int] = [:]
    var sawFormat = false
    for (offset, raw) in lessonLines(text).enumerated() {
      let line = offset + 1
      let content = (raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        .trimmingSpaces
      if content.isEmpty { continue }
      if !sawFormat {
        sawFormat = true
        if content == "format \(LessonParser.formatVersion)" { continue }
        diagnostics.append(
          LessonDiagnostic(
            file: file, line: line, column: 1, message: "the course file starts with '\(content)', not 'format 1'",
            note: "make 'format 1' its first line"))
        if content.hasPrefix("format") { continue }
      }
      let valid =
        content.first.map(LessonLexer.isLetter) == true || content.first.map(LessonLexer.isDigit) == true
      if !valid || content.contains("/") || content.contains(" ") || content.contains("\\") {
        diagnostics.append(
          LessonDiagnostic(
            file: file, line: line, column: 1, message: "'\(content)' is not a lesson directory name",
            note: "write one directory name per line, like 03-classic-kernels"))
        continue
      }
      if let previous = seen[content] {
        diagnostics.append(
          LessonDiagnostic(
            file: file, line: line, column: 1, message: "'\(content)' is listed twice (also at line \(previous))",
            note: "list each lesson once"))
        continue
      }
      seen[content] = line
      names.append((content, line))
    }
    if !sawFormat {
      diagnostics.append(
        LessonDiagnostic(
          file: file, line: 1, column: 1, message: "the course file is empty",
          note: "write 'format 1', then one lesson directory per line"))
    }
    return names
  }

  /// Reads the grids and kernels declared `from "path"`, resolved against `repository`.
  static func loadFileGrids(_ lesson: inout Lesson, repository: String, diagnostics: inout [LessonDiagnostic]) {
    /// `from "mnist:INDEX"`: a digit of the bundled sample (see `MNISTSource`).
    func loadDigit(_ grid: inout GridDeclaration, what: String, path: String, location: SourceLocation) {
      do throws(MNISTSource.Problem) {
        let digit = try MNISTSource.parse(path).load(repository: repository)
        if let declared = grid.declaredShape, declared != digit.shape {
          diagnostics.append(
            LessonDiagnostic(
              file: lesson.file, at: location,
              "\(what) '\(grid.name.name)' is declared \(shapeText(declared)) but \"\(path)\" is \(shapeText(digit.shape))",
              note: "write \(shapeText(digit.shape)), or leave the shape out"))
          return
        }
        grid.shape = digit.shape
        grid.values = digit.values
      } catch {
        // The string starts after its opening quote.
        diagnostics.append(
          LessonDiagnostic(
            file: lesson.file, line: location.line, column: location.column + 1 + error.offset, message: error.message,
            note: error.note))
      }
    }
    func load(_ grid: inout GridDeclaration, what: String) {
      guard case .file(let path, let location) = grid.source else { return }
      if path.hasPrefix(MNISTSource.prefix) {
        loadDigit(&grid, what: what, path: path, location: location)
        return
      }
      let components = path.split(separator: "/")
      guard !path.hasPrefix("/"), !components.contains("..") else {
        diagnostics.append(
          LessonDiagnostic(
            file: lesson.file, at: location, "'\(path)' is outside the repository",
            note: "use a path relative to the repository root, like \"assets/xo/x.grid\""))
        return
      }
      let full = repository + "/" + path
      guard let text = readText(full) else {
        diagnostics.append(
          LessonDiagnostic(
            file: lesson.file, at: location, "cannot read '\(path)'",
            note: "paths are relative to the repository root; check the file exists"))
        return
      }
      do {
        let parsed = try TextGrid.parse(text, file: path)
        if let declared = grid.declaredShape {
          if let problem = TextGrid.fit(parsed, to: declared) {
            diagnostics.append(
              LessonDiagnostic(
                file: lesson.file, at: location,
                "\(what) '\(grid.name.name)' is declared \(shapeText(declared)) but '\(path)' holds a \(shapeText(parsed.shape)) grid",
                note: "make the declared shape match the file (\(problem))"))
            return
          }
          grid.shape = declared
        } else {
          grid.shape = parsed.shape
        }
        grid.values = parsed.values
      } catch {
        diagnostics += error.diagnostics
      }
    }
    for i in lesson.grids.indices { load(&lesson.grids[i], what: "grid") }
    for i in lesson.kernels.indices { load(&lesson.kernels[i].grid, what: "kernel") }
  }

  /// Reads the files the lesson's operations name (a `classify` step's model), resolved
  /// against `repository`.
  static func readFiles(_ lesson: inout Lesson, repository: String, diagnostics: inout [LessonDiagnostic]) {
    for s in lesson.steps.indices {
      for t in lesson.steps[s].statements.indices {
        guard case .operation(var operation) = lesson.steps[s].statements[t].kind,
          let kind = operation.kind.spec.readingFiles(
            repository: repository, file: lesson.file, diagnostics: &diagnostics)
        else { continue }
        operation.kind = kind
        lesson.steps[s].statements[t].kind = .operation(operation)
      }
    }
  }

  /// Lesson directories and `.cnnlab` files in the course's directory that it does not list;
  /// none when the course file could not be read. Walks the directory on every call.
  public func strayFiles() -> [LessonDiagnostic] {
    guard courseFileRead else { return [] }
    return Course.strayFiles(in: directory, listed: Set(entries.map(\.name)))
  }

  /// Lesson directories and `.cnnlab` files under `directory` that the course does not list.
  static func strayFiles(in directory: String, listed: Set<String>) -> [LessonDiagnostic] {
    let manager = FileManager.default
    var diagnostics: [LessonDiagnostic] = []
    guard let children = try? manager.contentsOfDirectory(atPath: directory) else { return [] }
    for child in children.sorted() where !child.hasPrefix(".") {
      let path = directory + "/" + child
      var isDirectory: ObjCBool = false
      guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
      if isDirectory.boolValue {
        if !listed.contains(child) {
          diagnostics.append(
            LessonDiagnostic(
              file: path, line: 0, column: 0, message: "lesson directory '\(child)' is not in the course",
              note: "add '\(child)' to \(directory)/\(courseFileName), or remove the directory"))
          continue
        }
        let others = (manager.enumerator(atPath: path)?.allObjects as? [String] ?? [])
          .filter { $0.hasSuffix(".cnnlab") && $0 != lessonFileName }
        for other in others.sorted() {
          diagnostics.append(
            LessonDiagnostic(
              file: path + "/" + other, line: 0, column: 0, message: "this lesson file is not in the course",
              note: "each lesson directory holds one \(lessonFileName); move or remove this file"))
        }
      } else if child.hasSuffix(".cnnlab") {
        diagnostics.append(
          LessonDiagnostic(
            file: path, line: 0, column: 0, message: "this lesson file is not in the course",
            note: "put it in a directory of its own as \(lessonFileName) and list the directory in \(directory)/\(courseFileName)"))
      }
    }
    return diagnostics
  }

  static func readText(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return String(decoding: data, as: UTF8.self)
  }

  static func parentDirectory(of path: String) -> String {
    let url = URL(fileURLWithPath: path)
    let parent = url.deletingLastPathComponent().path
    return parent.isEmpty ? "." : parent
  }
}
