import Foundation
import Testing

/// The knob keys in a real terminal: `>` turns lesson 5's stride from 2 to 3 and the map
/// shrinks to 1x1, `o` gives the lesson's stride back, and a question opening turns a knob back.
@Suite(.serialized, .enabled(if: TmuxSession.isAvailable, "tmux is not installed; the terminal end-to-end tests need it"))
final class LessonKnobsEndToEndTests {
  let directory: URL

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("cnnlab-knobs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: directory) }

  @Test func theStrideKnobTurnsTheMapAndQuestionsTurnItBack() throws {
    let binary = shellQuoted(try TmuxSession.cnnlabBinary())
    let state = shellQuoted(directory.appendingPathComponent("state").path)
    let script = """
      cd \(shellQuoted(directory.path)); env -u NO_COLOR -u COLUMNS -u LINES XDG_STATE_HOME=\(state) \
      TERM=xterm-256color LANG=C.UTF-8 LC_ALL= \(binary) learn 5; echo "cnnlab exited $?"; exec sleep 600
      """
    let session = try TmuxSession(width: 80, height: 24, command: script)
    try session.waitFor("Lesson 5/17")
    try session.sendLiteral("2x2")
    try session.send("Enter")
    try session.waitFor("2x2 is right")
    try session.send("Right")
    try session.waitFor("hop  2×2")
    try session.send("s")
    try session.sendLiteral(">")
    try session.waitFor("knob stride 3 (the lesson's: 2)")
    try session.waitFor("hop  1×1")
    try session.send("o")
    try session.waitFor("knobs back to the lesson's settings")
    try session.waitFor("hop  2×2")
    try session.sendLiteral(">")
    try session.waitFor("hop  1×1")
    // → opens the question about hop[0,1]: it is about the lesson's stride.
    try session.send("Right")
    try session.waitFor("the question is about them")
    try session.waitFor("hop  2×2")
    // The answer line types only digits and the like: > still reaches the knobs, which wait.
    try session.sendLiteral(">")
    try session.waitFor("answer first, then turn the knobs")
    #expect(try !session.capture().contains("cnnlab exited"))
  }
}
