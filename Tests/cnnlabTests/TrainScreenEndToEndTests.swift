import Foundation
import Testing

/// `cnnlab train` on a real pseudo-terminal (tmux): the training screen opens, learns, pauses,
/// takes a drawing from the keyboard and predicts it, and quitting restores the terminal.
@Suite(.serialized, .enabled(if: TmuxSession.isAvailable, "tmux is not installed; the terminal end-to-end tests need it"))
struct TrainScreenEndToEndTests {
  func start(_ arguments: String, width: Int = 80, height: Int = 24) throws -> TmuxSession {
    let binary = shellQuoted(try TmuxSession.cnnlabBinary())
    let script = """
      env -u NO_COLOR -u COLUMNS -u LINES TERM=tmux-256color LANG=C.UTF-8 LC_ALL= \(binary) \(arguments); \
      echo "cnnlab exited $?"; exec sleep 600
      """
    return try TmuxSession(width: width, height: height, command: script)
  }

  @Test func xoTrainsPausesPredictsADrawingAndQuitsCleanly() throws {
    let session = try start("train --data xo --epochs 50")
    try session.waitFor("1 Curves")
    // A loss value: "loss 0.1234" once the first snapshot is drawn.
    try session.waitUntil("a loss value", timeout: 20) { screen in
      screen.split(separator: "\n").contains { $0.hasPrefix("loss 0.") || $0.hasPrefix("loss 1.") }
    }
    try session.send("Space")
    try session.waitFor("  paused  ")
    Thread.sleep(forTimeInterval: 0.3)  // the chunk of steps under way when space arrived ends
    let step = try session.lines()[1].components(separatedBy: "step ").last?.split(separator: " ").first
    Thread.sleep(forTimeInterval: 0.5)
    #expect(try session.lines()[1].components(separatedBy: "step ").last?.split(separator: " ").first == step)

    // An X on the 9x9 canvas, drawn with the keyboard: the two diagonals through the centre.
    try session.send("d")
    try session.waitFor("empty canvas")
    for _ in 0..<3 { try session.send("Up", "Left") }
    for _ in 0..<7 { try session.send("Space", "Down", "Right") }
    try session.send("Space")
    for _ in 0..<6 { try session.send("Left") }
    for _ in 0..<6 { try session.send("Space", "Up", "Right") }
    try session.send("Space")
    let screen = try session.waitFor("prediction: ")
    #expect(screen.contains("prediction: X") || screen.contains("prediction: O"))
    #expect(screen.contains("1 conv 3 3x3 nobias relu"))

    try session.send("Escape")
    try session.waitFor("loss  training")
    try session.send("q")
    let end = try session.waitFor("cnnlab exited 0", timeout: 30)
    #expect(end.contains("test loss"))
    #expect(try session.display("#{cursor_flag} #{alternate_on} #{mouse_any_flag}") == "1 0 0")
  }
}
