import Foundation
import Testing

/// Keys the course does not bind, sent by a real terminal: under `TERM=xterm-256color` Home and
/// End arrive as escape sequences, which once read as Esc and quit the menu; now neither the
/// menu nor a lesson binds them, and they do nothing.
@Suite(.serialized, .enabled(if: TmuxSession.isAvailable, "tmux is not installed; the terminal end-to-end tests need it"))
final class LessonKeysEndToEndTests {
  let directory: URL

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("cnnlab-keys-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: directory) }

  func start(term: String) throws -> TmuxSession {
    let binary = shellQuoted(try TmuxSession.cnnlabBinary())
    let state = shellQuoted(directory.appendingPathComponent("state").path)
    let script = """
      cd \(shellQuoted(directory.path)); env -u NO_COLOR -u COLUMNS -u LINES XDG_STATE_HOME=\(state) \
      TERM=\(term) LANG=C.UTF-8 LC_ALL= \(binary); echo "cnnlab exited $?"; exec sleep 600
      """
    return try TmuxSession(width: 100, height: 30, command: script)
  }

  @Test(arguments: ["xterm-256color", "tmux-256color"])
  func homeEndAndOtherUnboundKeysDoNothingInTheMenuOrALesson(term: String) throws {
    let session = try start(term: term)
    try session.waitFor("q/Esc quit")
    try session.send("Down")
    try session.waitFor("Lesson 2 · ")
    let menu = try session.capture()
    try session.send("Home", "End", "IC", "DC", "F5", "z")
    Thread.sleep(forTimeInterval: 1)
    #expect(try session.capture() == menu)

    try session.send("Enter")
    try session.waitFor("Lesson 2/17")
    Thread.sleep(forTimeInterval: 0.5)
    let before = try session.capture()
    try session.send("Home", "End", "IC", "DC", "F5", "z")
    Thread.sleep(forTimeInterval: 1)
    #expect(try session.capture() == before)
    try session.send("q")
    try session.waitFor("q/Esc quit")
    #expect(try !session.capture().contains("cnnlab exited"))
  }
}
