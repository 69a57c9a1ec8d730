import Foundation
import Testing

@testable import CNNLabLessons

/// A throwaway repository with a lessons directory; removed when the test ends.
struct ScratchRepository {
  let root: URL

  init() throws {
    root = FileManager.default.temporaryDirectory.appendingPathComponent("cnnlab-course-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root.appendingPathComponent("lessons"), withIntermediateDirectories: true)
  }

  func write(_ path: String, _ text: String) throws {
    let url = root.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: url, atomically: true, encoding: .utf8)
  }

  var lessons: String { root.appendingPathComponent("lessons").path }

  func remove() { try? FileManager.default.removeItem(at: root) }
}

/// A one-step lesson whose only grid comes from `gridLine`.
private func lessonUsing(_ gridLine: String) -> String {
  """
  format 1
  title "Assets"
  \(gridLine)
  step "s"
    show x
  end
  """
}

@Suite struct CourseTests {
  @Test func courseFileProblemsPointAtTheirLines() throws {
    let repo = try ScratchRepository()
    defer { repo.remove() }
    try repo.write("lessons/course", "format 1\n01-a\n01-a\n../escape\n02-missing\n")
    try repo.write("lessons/01-a/lesson.cnnlab", lessonUsing("grid x 1x1\n  1\nend"))
    let course = Course.load(directory: repo.lessons)
    let problems = course.diagnostics.map { "\($0.line): \($0.message)" }
    #expect(
      problems == [
        "3: '01-a' is listed twice (also at line 2)",
        "4: '../escape' is not a lesson directory name",
        "5: cannot read \(repo.lessons)/02-missing/lesson.cnnlab",
      ])
    #expect(course.lessons.count == 1)
  }

  @Test func aCourseFileStartsWithFormatOne() {
    var diagnostics: [LessonDiagnostic] = []
    let names = Course.parseCourseFile("01-a\n", file: "course", diagnostics: &diagnostics)
    #expect(names.map(\.0) == ["01-a"])
    #expect(diagnostics.map(\.message) == ["the course file starts with '01-a', not 'format 1'"])
  }

  @Test func assetsLoadRelativeToTheRepository() throws {
    let repo = try ScratchRepository()
    defer { repo.remove() }
    try repo.write("assets/g.grid", "# a comment\n1 2\n3 4\n\n5 6\n7 8\n")
    try repo.write("lessons/course", "format 1\n01-ok\n02-shape\n03-missing\n04-outside\n05-bad\n")
    try repo.write("lessons/01-ok/lesson.cnnlab", lessonUsing(#"grid x from "assets/g.grid""#))
    try repo.write("lessons/02-shape/lesson.cnnlab", lessonUsing(#"grid x 2x2 from "assets/g.grid""#))
    try repo.write("lessons/03-missing/lesson.cnnlab", lessonUsing(#"grid x from "assets/nope.grid""#))
    try repo.write("lessons/04-outside/lesson.cnnlab", lessonUsing(#"grid x from "../g.grid""#))
    try repo.write("assets/bad.grid", "1 2\n3 x\n")
    try repo.write("lessons/05-bad/lesson.cnnlab", lessonUsing(#"grid x from "assets/bad.grid""#))
    let course = Course.load(directory: repo.lessons)
    let ok = try #require(course.entries[0].lesson)
    #expect(ok.grids[0].shape == [2, 2, 2])
    #expect(ok.grids[0].values == [1, 2, 3, 4, 5, 6, 7, 8])
    #expect(
      course.diagnostics.map { "\($0.file.components(separatedBy: "/lessons/").last ?? $0.file):\($0.line):\($0.column): \($0.message)" } == [
        "02-shape/lesson.cnnlab:3:17: grid 'x' is declared 2x2 but 'assets/g.grid' holds a 2x2x2 grid",
        "03-missing/lesson.cnnlab:3:13: cannot read 'assets/nope.grid'",
        "04-outside/lesson.cnnlab:3:13: '../g.grid' is outside the repository",
        "assets/bad.grid:2:3: 'x' is not a number",
      ])
    #expect(LessonCheck.check(ok).isEmpty)
  }

  @Test func textGridsSeparateChannelsByBlankLines() throws {
    let grid = try TextGrid.parse("1 1/2\n-3 .25\n\n\n0 0\n0 1\n", file: "g")
    #expect(grid.shape == [2, 2, 2])
    #expect(grid.values == [1, 0.5, -3, 0.25, 0, 0, 0, 1])
    #expect(throws: LessonDiagnostics.self) { try TextGrid.parse("1 2\n3 4\n\n5 6\n", file: "g") }
    #expect(throws: LessonDiagnostics.self) { try TextGrid.parse("# only a comment\n", file: "g") }
  }
}
