import CNNLabLessons
import Foundation

@testable import CNNLabTUI

/// Paths inside the test sources: fixtures and snapshots are read from (and recorded into)
/// the source tree.
enum TestPaths {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
  static let fixtures = directory + "/Fixtures"
  static let snapshots = directory + "/Snapshots"
  /// The repository root (two levels above `Tests/CNNLabTUITests`).
  static let repository = URL(fileURLWithPath: directory).deletingLastPathComponent().deletingLastPathComponent().path
}

struct FixtureError: Error, CustomStringConvertible {
  var description: String
}

extension LessonSource {
  /// A fixture lesson from `Fixtures/<name>/lesson.cnnlab`, planned by the engine.
  static func fixture(_ name: String) throws -> LessonSource {
    let file = TestPaths.fixtures + "/\(name)/lesson.cnnlab"
    guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
      throw FixtureError(description: "cannot read \(file)")
    }
    let lesson = try LessonParser.parse(text, file: file)
    return LessonSource(lesson: lesson, name: name)
  }
}

extension LessonPlayer {
  init(fixture name: String, progress: LessonProgress? = nil) throws {
    self.init(source: try LessonSource.fixture(name), progress: progress)
  }
}
