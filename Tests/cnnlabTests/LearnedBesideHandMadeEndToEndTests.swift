import Foundation
import Testing

/// On a real pseudo-terminal (tmux, 80x24): `--init lecture` opens on kernels equal to the
/// lecture's features (cosine 1.00 each), `f` freezes them (the header says so and they stay at
/// 1.00 while the rest trains), and the confusion matrix lists a cell's examples and opens one.
@Suite(.serialized, .enabled(if: TmuxSession.isAvailable, "tmux is not installed; the terminal end-to-end tests need it"))
struct LearnedBesideHandMadeEndToEndTests {
  func start(_ arguments: String) throws -> TmuxSession {
    try TmuxSession.cnnlab(arguments, width: 80, height: 24)
  }

  @Test func aLectureStartFrozenKeepsItsFeaturesAndACellOpensItsExamples() throws {
    let session = try start("train --data xo --init lecture --pace 10 --epochs 20")
    try session.waitFor("1 Curves")
    try session.send("Space")
    try session.waitFor("  paused  ")
    try session.send("f")
    try session.waitUntil("the header to say the layer is frozen") { _ in
      (try? session.lines()[0].contains("layer 1 frozen")) == true
    }
    try session.send("2")
    try session.waitFor("frozen (f trains it)")
    func labels() throws -> [String] { try session.lines().filter { $0.contains("#1 ") || $0.contains("#2 ") } }
    let before = try labels()
    let stepBefore = try session.lines()[1]
    try session.send("Space")
    Thread.sleep(forTimeInterval: 2)  // about 20 steps, none of which moves a frozen kernel
    #expect(try session.lines()[1] != stepBefore, "it trained on")
    #expect(try labels() == before, "the frozen kernels and their cosines stayed")
    // Step 0 is the lecture's features themselves.
    try session.send("Home")
    try session.waitFor("viewing step 0 of")
    try session.waitFor("#1 diag 1.00")
    let start = try session.capture()
    #expect(start.contains("#2 cross 1.00") && start.contains("#3 anti 1.00"))
    try session.send("f")
    try session.waitUntil("the header to drop the frozen mark") { _ in
      (try? session.lines()[0].contains("layer 1 frozen")) == false
    }

    try session.send("4")
    try session.waitFor(" right (")  // the matrix has been computed
    try session.send("Down", "Enter")  // from X predicted O, down to O predicted O: the Os it got right
    try session.waitFor("O predicted as O:")
    try session.send("Enter")
    try session.waitUntil("the Maps pane with the example") { _ in
      (try? session.lines().contains { $0.contains("example ") && $0.contains(": a O") }) == true
    }
    try session.send("q")
    let end = try session.waitFor("cnnlab exited 0", timeout: 30)
    #expect(end.contains("layer 1 against the lecture's features it started from (cosine): #1 diagonal "))
  }
}
