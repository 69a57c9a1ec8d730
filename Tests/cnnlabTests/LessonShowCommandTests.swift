import Foundation
import Testing

@Suite struct LessonShowCommandTests {
  /// The fixture course of the TUI tests: one X/O lesson.
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("CNNLabTUITests/Fixtures").path

  func show(_ arguments: [String]) throws -> CommandResult {
    try CNNLabBinary.run(["lesson", "show"] + arguments + ["--lessons", LessonShowCommandTests.fixtures])
  }

  @Test func printsTheFirstWindowOfTheXExactlyAsTheTerminalWould() throws {
    let result = try show(["xo", "--step", "1", "--frame", "1", "--width", "80", "--height", "24"])
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty)
    #expect(
      result.stdout == """
         Lesson 1/1 · Matching a feature                                       step 1/5
         1. Slide the feature                                                     ●○○○○
        ────────────────────────────────────────────────────────────────────────────────
         Lay the feature on the top-left corner of the X. Multiply each pair of cells,
         add the nine products and divide by nine.

         x 9×9                         diagonal…   map 7×7
          −1 −1 −1 −1 −1 −1 −1 −1 −1     1 −1 −1     .78    ·    ·    ·    ·    ·    ·
          −1  1 −1 −1 −1 −1 −1  1 −1    −1  1 −1       ·    ·    ·    ·    ·    ·    ·
          −1 −1  1 −1 −1 −1  1 −1 −1    −1 −1  1       ·    ·    ·    ·    ·    ·    ·
          −1 −1 −1  1 −1  1 −1 −1 −1                   ·    ·    ·    ·    ·    ·    ·
          −1 −1 −1 −1  1 −1 −1 −1 −1   products        ·    ·    ·    ·    ·    ·    ·
          −1 −1 −1  1 −1  1 −1 −1 −1    −1  1  1       ·    ·    ·    ·    ·    ·    ·
          −1 −1  1 −1 −1 −1  1 −1 −1     1  1  1       ·    ·    ·    ·    ·    ·    ·
          −1  1 −1 −1 −1 −1 −1  1 −1     1  1  1
          −1 −1 −1 −1 −1 −1 −1 −1 −1

         map[0,0] = (−1×1) + (−1×−1) + (−1×−1) + (−1×−1) + … + (1×1) = 7  →  7/9 = 0.78
         window 1/49 · paused · 200 ms per frame   → next question




         ←/→ step   space play   +/- speed   [/] knob   </> turn   ? help   q back

        """)
  }

  @Test func aLessonCanBeNamedByNumberAndAFrameChosen() throws {
    let result = try show(["1", "--step", "3", "--frame", "2"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("strided[0,1] = "))
    #expect(result.stdout.contains("= 1  →  1/9 = 0.11"))
    #expect(result.stdout.split(separator: "\n", omittingEmptySubsequences: false).count == 33)  // 32 rows
  }

  @Test func belowTheMinimumSizeItShowsWhatTheTerminalWould() throws {
    let result = try show(["xo", "--width", "60", "--height", "20"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("       make the terminal at least 80×24; it is 60×20\n"))
  }

  @Test func mistakesSayWhatToDo() throws {
    let unknown = try show(["nope"])
    #expect(unknown.status == 1)
    #expect(unknown.stderr == "cnnlab: error: no lesson named 'nope'\nnote: the lessons are: xo\n")
    let step = try show(["xo", "--step", "9"])
    #expect(step.stderr == "cnnlab: error: xo has 5 steps; --step 9 is past the end\nnote: give a step from 1 to 5\n")
    let frame = try show(["xo", "--frame", "50"])
    #expect(frame.stderr == "cnnlab: error: step 1 of xo has 49 frames; --frame 50 is past the end\nnote: give a frame from 1 to 49\n")
    let zero = try show(["xo", "--step", "0"])
    #expect(zero.status == 1)
    #expect(zero.stderr.hasPrefix("cnnlab: error: --step counts from 1; give a step of 1 or more.\nUsage: cnnlab lesson show NAME"))
  }
}
