import Foundation
import Testing

// `cnnlab lessons` and `cnnlab lessons check`, run as a learner or a teacher would.

/// A lessons directory of the lesson test fixtures.
private func fixtureLessons(_ name: String) -> String {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../CNNLabLessonsTests/Fixtures/\(name)/lessons").standardized.path
}

@Suite struct LessonsCommandTests {
  @Test func listShowsNumberDirectoryTitleStepsAndChallengesSolved() throws {
    let state = NSTemporaryDirectory() + "cnnlab-lessons-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: state) }
    var environment = ProcessInfo.processInfo.environment
    environment["XDG_STATE_HOME"] = state
    var r = try CNNLabBinary.run(["lessons", fixtureLessons("good")], environment: environment)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout == " 1  01-edges  Finding edges (2 steps)\n 2  02-xo     Is it an X? (3 steps, 0/1 challenge)\n")
    // Progress that records the challenge as solved.
    try FileManager.default.createDirectory(atPath: state + "/cnnlab", withIntermediateDirectories: true)
    let progress = """
      {"format": 1, "lessons": {"02-xo": {"step": 2, "completedSteps": [0, 1], "finished": false, "answers": [],
        "kernels": [], "solvedChallenges": ["Score a perfect 1 on the X's upper-left arm"]}}}
      """
    try Data(progress.utf8).write(to: URL(fileURLWithPath: state + "/cnnlab/progress.json"))
    r = try CNNLabBinary.run(["lessons", fixtureLessons("good")], environment: environment)
    #expect(r.stdout == " 1  01-edges  Finding edges (2 steps)\n 2  02-xo     Is it an X? (3 steps, 1/1 challenge)\n")
  }

  @Test func theShippedCourseChecksClean() throws {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../..").standardized.path
    let r = try CNNLabBinary.run(["lessons", "check"], currentDirectory: repository)
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout == "17 lessons, no problems\n")
  }

  @Test func checkOnAGoodCourseSaysNoProblems() throws {
    let r = try CNNLabBinary.run(["lessons", "check", fixtureLessons("good")])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout == "2 lessons, no problems\n")
  }

  @Test func checkPrintsFileLineColumnAndANoteThenFails() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cnnlab-\(UUID().uuidString)")
    let lesson = dir.appendingPathComponent("lessons/01-broken")
    try FileManager.default.createDirectory(at: lesson, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try "format 1\n01-broken\n".write(to: dir.appendingPathComponent("lessons/course"), atomically: true, encoding: .utf8)
    try """
      format 1
      title "Broken"
      grid image 2x2
        1 2
        3 4
      end
      step "s"
        convolve image with blur -> out
      end
      """.write(to: lesson.appendingPathComponent("lesson.cnnlab"), atomically: true, encoding: .utf8)
    let r = try CNNLabBinary.run(["lessons", "check", "lessons"], currentDirectory: dir.path)
    #expect(r.status == 1)
    #expect(
      r.stdout == """
        lessons/01-broken/lesson.cnnlab:8:23: error: no grid, kernel or result named 'blur'
        note: declare it before this line; known names: image
        1 lesson, 1 problem

        """)
  }

  @Test func checkRejectsAMissingDirectory() throws {
    let r = try CNNLabBinary.run(["lessons", "check", "/nonexistent/lessons"])
    #expect(r.status != 0)
    #expect(r.stderr.contains("'/nonexistent/lessons' is not a directory"))
  }
}
