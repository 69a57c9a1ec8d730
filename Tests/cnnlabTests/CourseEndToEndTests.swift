import Foundation
import Testing

/// The course in a real pseudo-terminal (tmux), driven as a learner would: the X/O lesson
/// animated to the end of its map, a kernel edited, help, resizing, saved progress.
@Suite(.serialized, .enabled(if: TmuxSession.isAvailable, "tmux is not installed; the terminal end-to-end tests need it"))
final class CourseEndToEndTests {
  /// The working directory, with `state/` as `XDG_STATE_HOME`.
  let directory: URL
  var state: String { directory.appendingPathComponent("state").path }
  var progressFile: String { state + "/cnnlab/progress.json" }

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("cnnlab-course-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: directory) }

  /// Runs `cnnlab ARGUMENTS` in a `width` x `height` pane; `cnnlab exited N` shows when it ends.
  func start(_ arguments: String = "", width: Int = 120, height: Int = 40) throws -> TmuxSession {
    let binary = shellQuoted(try TmuxSession.cnnlabBinary())
    let script = """
      cd \(shellQuoted(directory.path)); env -u NO_COLOR -u COLUMNS -u LINES XDG_STATE_HOME=\(shellQuoted(state)) \
      TERM=tmux-256color LANG=C.UTF-8 LC_ALL= \(binary) \(arguments); echo "cnnlab exited $?"; exec sleep 600
      """
    return try TmuxSession(width: width, height: height, command: script)
  }

  /// The fixture course of the TUI tests (its X/O lesson has a step that edits the kernel).
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("CNNLabTUITests/Fixtures").path

  /// An X10 mouse report for a left click at 0-based column `x`, row `y`.
  static func click(x: Int, y: Int) -> String {
    "\u{1B}[M" + String(UnicodeScalar(32)) + String(UnicodeScalar(UInt8(33 + x))) + String(UnicodeScalar(UInt8(33 + y)))
  }

  @Test func xoLessonPlaysToTheEndOfTheMapThenHelpResizeAndQuit() throws {
    let session = try start()
    try session.waitFor("q/Esc quit")
    try session.send("4", "Enter")
    try session.waitFor("Lesson 4/17 · X or O: matching features")
    // Step 1 asks a question, step 2 too; step 3 asks before its operation runs.
    try session.send("Right")
    try session.waitFor("step 2/12")
    try session.send("Right")
    try session.waitFor("step 3/12")
    try session.send("Right")  // runs the operation; it waits at its focus, window (1,1)
    try session.waitFor("dmap[1,1] = (1×1) + (−1×−1)")
    try session.send("+", "+", "+", " ")
    let screen = try session.waitFor("window 49/49 · done")
    // The whole 7x7 map, as in the lecture notes (which print 5/9 cut to 0.55).
    #expect(screen.contains("0.78 −0.11  0.11  0.33  0.56 −0.11  0.33"))
    #expect(screen.contains(" 0.33 −0.11  0.56  0.33  0.11 −0.11  0.78"))
    #expect(screen.contains("dmap[6,6] = ") && screen.contains("= 7  →  7/9 = 0.78"))
    #expect(!screen.contains("     ·"))

    try session.send("?")
    try session.waitFor("Lesson keys")
    #expect(try session.capture().contains("one frame back/forward"))
    try session.send("x")
    try session.waitForAbsence(of: "Lesson keys")

    try session.resize(width: 60, height: 20)
    try session.waitFor("make the terminal at least 80×24; it is 60×20")
    try session.resize(width: 120, height: 40)
    try session.waitFor("window 49/49 · done")

    try session.send("q")
    try session.waitFor("2/12 steps")  // back on the menu: steps 1 and 2 done, 3 under way
    try session.send("q")
    try session.waitFor("cnnlab exited 0")
    let saved = try String(contentsOfFile: progressFile, encoding: .utf8)
    #expect(saved.contains("\"04-xo-features\""))
  }

  @Test func editingAKernelCellShowsTheEnginesNewNumber() throws {
    let session = try start("--lessons \(shellQuoted(CourseEndToEndTests.fixtures)) xo")
    try session.waitFor("Lesson 1/1 · Matching a feature")
    for step in 2...5 {
      try session.send("Right")
      if step == 2 { try session.send("Right") }  // past the question
      if step == 4 { try session.send("Right") }  // past the working
      try session.waitFor("step \(step)/5")
    }
    try session.waitFor("window 49/49 · done")
    try session.send("Tab")
    try session.waitFor("editing")
    try session.send("5", "Enter")
    // Click map cell (0,0): its column starts under the map's title.
    let lines = try session.lines()
    let titleRow = try #require(lines.firstIndex { $0.contains("mine  7×7") })
    let column = try #require(lines[titleRow].range(of: "mine  7×7")).lowerBound
    let x = lines[titleRow].distance(from: lines[titleRow].startIndex, to: column) + 3
    try session.sendLiteral(CourseEndToEndTests.click(x: x, y: titleRow + 1))
    // 5 in the top-left weight: 7 − (1×−1) + (5×−1) = 3, and 3/9 = 0.33.
    let screen = try session.waitFor("mine[0,0] = (−1×5)")
    #expect(screen.contains("= 3  →  3/9 = 0.33"))
    #expect(screen.contains("window 1/49 · paused"))
    try session.send("q")
    try session.waitFor("q/Esc quit")
    try session.send("q")
    try session.waitFor("cnnlab exited 0")
    let saved = try String(contentsOfFile: progressFile, encoding: .utf8)
    #expect(saved.contains("\"diagonal\""))
  }

  @Test func aCorruptProgressFileIsMovedAsideAndReported() throws {
    try FileManager.default.createDirectory(atPath: state + "/cnnlab", withIntermediateDirectories: true)
    try Data("not json".utf8).write(to: URL(fileURLWithPath: progressFile))
    let session = try start()
    let menu = try session.waitFor("q/Esc quit")
    #expect(menu.contains("could not read saved progress"))
    try session.send("q")
    let screen = try session.waitFor("cnnlab exited 0")
    // The same line went to standard error, left on the screen after the course closed.
    #expect(screen.contains("cnnlab: could not read saved progress in /"))
    let moved = try FileManager.default.contentsOfDirectory(atPath: state + "/cnnlab").filter {
      $0.hasPrefix("progress.json.corrupt-")
    }
    #expect(moved.count == 1)
    #expect(!FileManager.default.fileExists(atPath: progressFile))
  }
}
