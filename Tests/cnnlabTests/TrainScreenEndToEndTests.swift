import Foundation
import Testing

/// `cnnlab train` on a real pseudo-terminal (tmux): the training screen opens, learns, pauses,
/// takes a drawing from the keyboard and predicts it, and quitting restores the terminal.
@Suite(.serialized, .enabled(if: TmuxSession.isAvailable, "tmux is not installed; the terminal end-to-end tests need it"))
struct TrainScreenEndToEndTests {
  func start(
    _ arguments: String, width: Int = 80, height: Int = 24, noColor: Bool = false
  ) throws -> TmuxSession {
    try TmuxSession.cnnlab(arguments, width: width, height: height, noColor: noColor)
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

  /// Drawing with the mouse: a press inks one pixel, a drag inks every pixel on its way (even
  /// when one report jumps several pixels), a right-button drag erases. Without colour the ink
  /// shows as full blocks and the background as dots, so the screen text says what is inked.
  @Test func mouseDragDrawsAndErasesOnTheCanvas() throws {
    let session = try start("train --data xo --epochs 50", noColor: true)
    try session.waitFor("1 Curves")
    try session.send("p")
    try session.waitFor("  paused  ")
    try session.send("d")
    let screen = try session.waitFor("empty canvas")
    // The canvas's frame: its top-left corner, then 9 rows of 9 pixels, 2 columns each.
    let rows = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let top = try #require(rows.firstIndex { $0.contains("┌") })
    let left = try #require(rows[top].firstIndex(of: "┌")).utf16Offset(in: rows[top])
    let origin = (x: left + 1, y: top + 1)
    func pixels(row: Int) throws -> String {
      let line = Array(try session.lines()[origin.y + row])
      return String(line[origin.x..<(origin.x + 18)])
    }
    #expect(try pixels(row: 2) == String(repeating: "··", count: 9))

    try session.sendMouse(.leftPress, x: origin.x + 2, y: origin.y + 2)  // pixel (2, 1)
    try session.sendMouse(.leftDrag, x: origin.x + 8, y: origin.y + 2)  // (2, 4): a jump of 3
    try session.sendMouse(.leftDrag, x: origin.x + 14, y: origin.y + 2)  // (2, 7)
    try session.sendMouse(.release, x: origin.x + 14, y: origin.y + 2)
    try session.waitUntil("the stroke on row 2") { _ in
      (try? pixels(row: 2)) == "··" + String(repeating: "██", count: 6) + "[]" + "··"
    }
    #expect(try pixels(row: 1) == String(repeating: "··", count: 9))
    #expect(try pixels(row: 3) == String(repeating: "··", count: 9))
    #expect(!(try session.capture().contains("empty canvas")))

    // Moving with no button held draws nothing; a right-button drag erases.
    try session.sendMouse(.move, x: origin.x + 2, y: origin.y + 5)
    try session.sendMouse(.rightPress, x: origin.x + 14, y: origin.y + 2)
    try session.sendMouse(.rightDrag, x: origin.x + 8, y: origin.y + 2)
    try session.sendMouse(.release, x: origin.x + 8, y: origin.y + 2)
    try session.waitUntil("pixels (2, 4) to (2, 7) erased") { _ in
      (try? pixels(row: 2)) == "··" + String(repeating: "██", count: 3) + "[]" + String(repeating: "··", count: 4)
    }
    #expect(try pixels(row: 5) == String(repeating: "··", count: 9))

    try session.send("Escape")  // back from the canvas to the curves
    try session.waitFor("loss  training")
    try session.send("q")
    try session.waitFor("cnnlab exited 0", timeout: 30)
    #expect(try session.display("#{cursor_flag} #{alternate_on} #{mouse_any_flag}") == "1 0 0")
  }
}
