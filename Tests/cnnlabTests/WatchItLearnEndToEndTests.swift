import Foundation
import Testing

/// The default X/O run on a real pseudo-terminal (tmux, 100x30) is slow enough to watch: it is
/// still training after 5 s, its curves start at step 1, `<` and `>` change the pace in the
/// header, and after a pause `,` steps back through the timeline to kernels as they were.
@Suite(.serialized, .enabled(if: TmuxSession.isAvailable, "tmux is not installed; the terminal end-to-end tests need it"))
struct WatchItLearnEndToEndTests {
  func start(_ arguments: String) throws -> TmuxSession {
    try TmuxSession.cnnlab(arguments, width: 100, height: 30)
  }

  /// The step the header says is being viewed: `viewing step 140 of 2,500` → 140.
  func viewedStep(_ header: String) -> Int? {
    guard let range = header.range(of: "viewing step ") else { return nil }
    return Int(header[range.upperBound...].prefix { $0.isNumber || $0 == "," }.filter(\.isNumber))
  }

  @Test func theDefaultXORunCanBeWatchedPacedAndRewound() throws {
    let session = try start("train --data xo")
    try session.waitFor("pace 30 steps/s")
    try session.waitUntil("a loss value", timeout: 20) { screen in
      screen.split(separator: "\n").contains { $0.hasPrefix("loss 0.") || $0.hasPrefix("loss 1.") }
    }
    Thread.sleep(forTimeInterval: 5)
    let header = try session.lines()[0]
    #expect(header.contains("  training  "), "after 5 s: \(header)")
    #expect(try session.lines().contains { $0.contains("step 1 ") }, "the curves start at step 1")

    try session.send(">")
    try session.waitUntil("pace 100 in the header") { _ in (try? session.lines()[0].contains("pace 100 steps/s")) == true }
    try session.send("<", "<")
    try session.waitUntil("pace 10 in the header") { _ in (try? session.lines()[0].contains("pace 10 steps/s")) == true }

    try session.send("Space")
    try session.waitFor("  paused  ")
    try session.send("2")
    try session.waitFor("layer 1: conv 3 3x3 nobias relu")
    Thread.sleep(forTimeInterval: 0.3)
    let newest = Array(try session.lines().dropFirst(3))
    for _ in 0..<10 { try session.send(",") }
    try session.waitUntil("the header to view an earlier step") { _ in
      (try? session.lines()[0]).flatMap(viewedStep) != nil
    }
    Thread.sleep(forTimeInterval: 0.5)  // the trainer answers with the kernels of that step
    let lines = try session.lines()
    let step = try #require(viewedStep(lines[0]))
    #expect(lines[0].contains("paused"))
    #expect(lines[0].contains("viewing step \(step) of "))
    #expect(Array(lines.dropFirst(3)) != newest, "the kernels shown changed")

    try session.send("End")
    try session.waitUntil("the header to leave the timeline") { _ in (try? session.lines()[0].contains("viewing")) == false }
    try session.send("q")
    let end = try session.waitFor("cnnlab exited 0", timeout: 30)
    #expect(end.contains("test loss"))
  }
}
