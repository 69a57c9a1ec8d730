import CNNLabLessons
import Foundation
import Testing

@testable import CNNLabTUI

/// A challenge in the player: hints one at a time with h, the solution only after a try and
/// every hint, and progress that remembers which challenges were solved.
@Suite struct ChallengeProgressTests {
  static let source = """
    format 1
    title "Votes"
    grid features 3
      1 5/9 1
    end
    grid o_w 3
      3/10 3/10 3/10
    end
    kernel x_w 3
      1/3 1/3 1/3
    end
    step "Vote"
      dense features with x_w, o_w labels "X" "O" -> vote
      challenge "Make the vote say O"
        edit x_w
        goal label(vote) == O
        hint "First"
        hint "Second"
        solution
          0 1 0
        end
      end
    end
    """

  func player(progress: LessonProgress? = nil) throws -> LessonPlayer {
    let lesson = try LessonParser.parse(ChallengeProgressTests.source, file: "votes.cnnlab")
    var player = LessonPlayer(source: LessonSource(lesson: lesson, name: "votes"), progress: progress)
    _ = player.update(.resized(width: 100, height: 32))
    player.arrive(at: 0, revealAll: true)
    return player
  }

  func text(_ player: LessonPlayer) -> [String] { player.interactionText(width: 100).map(\.text) }

  @Test func hintsComeOneAtATimeAndTheSolutionOnlyAfterATry() throws {
    var player = try player()
    #expect(player.revealedChallenge != nil)
    #expect(!text(player).contains { $0.contains("First") })
    // x_w has no presets, so p is not offered.
    #expect(text(player).contains("  Tab moves to the kernel; type values; h for a hint."))
    _ = player.update(.keyPressed(.char("h")))
    #expect(text(player).contains("  Hint 1/2: First"))
    #expect(!text(player).contains { $0.contains("Second") })
    _ = player.update(.keyPressed(.char("h")))
    #expect(text(player).contains("  Hint 2/2: Second"))
    // Every hint read, but nothing tried yet: no solution.
    _ = player.update(.keyPressed(.char("h")))
    #expect(player.status == "try a kernel of your own first; then h shows the solution")
    #expect(!text(player).contains { $0.contains("0 1 0") })
    // A try that does not solve it (X still wins on these features), then h shows the solution.
    player.setEdit("x_w", KernelSetting(values: [1, 1, 1]))
    _ = player.update(.keyPressed(.char("h")))
    #expect(text(player).contains("  One solution (x_w):"))
    #expect(text(player).contains("    0 1 0"))
    #expect(player.progress.solvedChallenges == nil)
  }

  @Test func aSolvedChallengeIsRecordedAndStaysRecorded() throws {
    var player = try player()
    player.setEdit("x_w", KernelSetting(values: [0, 1, 0]))
    #expect(text(player).contains { $0.contains("Solved!") })
    #expect(player.progress.solvedChallenges == ["Make the vote say O"])
    _ = player.update(.keyPressed(.char("r")))  // back to the lesson's kernel: no longer solved
    #expect(!text(player).contains { $0.contains("Solved!") })
    #expect(player.progress.solvedChallenges == ["Make the vote say O"])
    // And it comes back with the saved progress.
    let reopened = try self.player(progress: player.progress)
    #expect(reopened.solvedChallenges == ["Make the vote say O"])
  }

  @Test func progressWithSolvedChallengesRoundTrips() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let store = ProgressStore(path: directory.path + "/progress.json")
    let lesson = LessonProgress(step: 1, completedSteps: [0], solvedChallenges: ["Make the vote say O"])
    try store.save(Progress(lessons: ["votes": lesson]))
    let loaded = store.load()
    #expect(loaded.problem == nil)
    #expect(loaded.progress.lessons["votes"] == lesson)
  }

  /// A file written before challenges were recorded has no `solvedChallenges`: it still loads,
  /// with none solved.
  @Test func progressSavedBeforeChallengesStillLoads() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.path + "/progress.json"
    let old = """
      {
        "format" : 1,
        "lessons" : {
          "03-classic-kernels" : {
            "answers" : [ { "key" : { "beat" : 2, "step" : 0 }, "state" : { "correct" : true, "text" : "15", "wrongAttempts" : 0 } } ],
            "completedSteps" : [ 0, 1 ],
            "finished" : false,
            "kernels" : [ { "name" : "mine", "values" : [ 1, 1, 1, 0, 0, 0, -1, -1, -1 ] } ],
            "step" : 2
          }
        }
      }
      """
    try Data(old.utf8).write(to: URL(fileURLWithPath: path))
    let loaded = ProgressStore(path: path).load()
    #expect(loaded.problem == nil)
    let lesson = try #require(loaded.progress.lessons["03-classic-kernels"])
    #expect(lesson.step == 2)
    #expect(lesson.kernels.first?.values == [1, 1, 1, 0, 0, 0, -1, -1, -1])
    #expect(lesson.solvedChallenges == nil)
  }
}

/// An edit that breaks the step for a moment (a stride of 2.5) and is then fixed brings back
/// the beats the learner had reached: the working and the challenge.
@Suite struct ChallengeProblemTests {
  @Test func fixingAnEditBringsTheChallengeBack() throws {
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    let lesson = try #require(course.entries.first { $0.name == "05-stride-and-padding" }?.lesson)
    var player = LessonPlayer(source: LessonSource(lesson: lesson, name: "05-stride-and-padding"))
    _ = player.update(.resized(width: 100, height: 30))
    player.arrive(at: player.scenes.count - 1, revealAll: true)
    #expect(player.revealedChallenge != nil)
    player.setEdit("plan", KernelSetting(values: [2.5, 0]))
    #expect(player.scene?.problem?.message == "plan[0] is 2.5, but a stride is a whole number from 1 to 64")
    #expect(player.revealedChallenge == nil)
    player.setEdit("plan", KernelSetting(values: [2, 2]))
    #expect(player.scene?.problem == nil)
    #expect(player.revealedChallenge?.isSolved == true)
    #expect(player.interactionText(width: 100).contains { $0.text.contains("Solved!") })
  }
}
