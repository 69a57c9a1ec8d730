import CNNLabEngine
import Foundation
import Testing

@testable import CNNLabLessons

/// Challenges: staged hints, label goals, a stated solution the check proves, and every shipped
/// lesson's challenges run through the engine with the solution and with the starting kernel.
@Suite struct ChallengeTests {
  static let votes = """
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
        hint "Third"
        solution
          0 1 0
        end
      end
    end
    """

  func challenges(_ scenes: [Scene]) -> [SceneChallenge] {
    scenes.flatMap(\.beats).compactMap { if case .challenge(let c) = $0 { return c } else { return nil } }
  }

  @Test func aChallengeKeepsItsHintsInOrder() throws {
    let lesson = try LessonParser.parse(ChallengeTests.votes, file: "votes.cnnlab")
    let challenge = try #require(lesson.challenges.first)
    #expect(challenge.hints == ["First", "Second", "Third"])
    #expect(challenge.hint == "First")
    #expect(challenge.goals.map(\.description) == ["label(vote) == O"])
    #expect(challenge.solution == [0, 1, 0])
  }

  @Test func aLabelGoalIsJudgedByTheWinningClass() throws {
    let lesson = try LessonParser.parse(ChallengeTests.votes, file: "votes.cnnlab")
    #expect(LessonCheck.check(lesson).isEmpty)
    // Start: X scores (1 + 5/9 + 1)/3 = 0.852 against O's 0.3 · 2.556 = 0.767, so X wins.
    let start = try #require(challenges(ScenePlanner.plan(lesson)).first)
    #expect(!start.isSolved)
    let solved = try #require(
      challenges(ScenePlanner.plan(lesson, kernels: ["x_w": KernelSetting(values: [0, 1, 0])])).first)
    #expect(solved.isSolved)
    // Labels compare ignoring case, and != is the opposite.
    let lower = try LessonParser.parse(
      ChallengeTests.votes.replacingOccurrences(of: "goal label(vote) == O", with: "goal label(vote) != x"),
      file: "votes.cnnlab")
    #expect(LessonCheck.check(lower).isEmpty)
  }

  @Test func aLabelGoalTakesOnlyEqualityAndAWord() throws {
    let ordered = ChallengeTests.votes.replacingOccurrences(of: "goal label(vote) == O", with: "goal label(vote) < O")
    #expect(try checkProblems(ordered) == ["16:10: a label can only be compared with == or !="])
    let number = ChallengeTests.votes.replacingOccurrences(of: "goal label(vote) == O", with: "goal label(vote) == 1")
    #expect(try checkProblems(number) == ["16:25: '1' is not a class label"])
  }

  @Test func theCheckWantsASolutionAndRunsIt() throws {
    let unsolved = ChallengeTests.votes.replacingOccurrences(of: "0 1 0\n", with: "1 1 1\n")
    #expect(try checkProblems(unsolved) == ["20:5: the solution does not meet the goal 'label(vote) == O'"])
    var lines = ChallengeTests.votes.components(separatedBy: "\n")
    lines.removeSubrange(19...21)  // solution, its row and its end
    #expect(try checkProblems(lines.joined(separator: "\n")) == ["14:3: this challenge has no solution"])
    let alreadyMet = ChallengeTests.votes.replacingOccurrences(of: "1/3 1/3 1/3", with: "0 1/2 0")
    #expect(try checkProblems(alreadyMet) == ["14:3: the starting kernel already meets every goal"])
  }

  @Test func theSolutionIsShownRowByRow() {
    #expect(ChallengeSolution.rows([1, -1, 0, 7.0 / 4], shape: [2, 2]) == ["   1   -1", "   0 1.75"])
    #expect(ChallengeSolution.rows([-1, 1], shape: [2, 1, 1]) == ["-1", "", " 1"])
    #expect(ChallengeSolution.rows([0, 1, 0], shape: [3]) == ["0 1 0"])
  }

  // MARK: - The shipped course

  func shippedLessons() -> [(name: String, lesson: Lesson)] {
    let course = Course.load(directory: repositoryRoot.appendingPathComponent("lessons").path)
    return course.entries.compactMap { entry in entry.lesson.map { (entry.name, $0) } }
  }

  @Test func everyLessonHasAChallengeWithStagedHints() {
    let lessons = shippedLessons()
    #expect(lessons.count == 17)
    for (name, lesson) in lessons {
      #expect(!lesson.challenges.isEmpty, "\(name) has no challenge")
      for challenge in lesson.challenges {
        #expect(challenge.hints.count >= 2, "\(name): \"\(challenge.prompt)\" has one hint")
        #expect(challenge.solution != nil, "\(name): \"\(challenge.prompt)\" has no solution")
      }
    }
  }

  /// Through the engine: each challenge is unsolved with the lesson's own kernels and solved
  /// with its stated solution in the kernel it edits.
  @Test func everyShippedSolutionSolvesItsChallengeAndTheStartDoesNot() throws {
    for (name, lesson) in shippedLessons() {
      let start = challenges(ScenePlanner.plan(lesson))
      #expect(start.count == lesson.challenges.count, "\(name): every challenge is planned")
      for (challenge, planned) in zip(lesson.challenges, start) {
        #expect(!planned.isSolved, "\(name): \"\(challenge.prompt)\" is solved before any edit")
        let kernel = try #require(planned.kernels.first, "\(name): \"\(challenge.prompt)\" edits a kernel")
        let solution = try #require(challenge.solution)
        let solved = challenges(ScenePlanner.plan(lesson, kernels: [kernel: KernelSetting(values: solution)]))
        let after = try #require(solved.first { $0.prompt == challenge.prompt })
        #expect(after.isSolved, "\(name): the solution misses \(after.goals.filter { !$0.holds }.map(\.text))")
        #expect(!after.solution.isEmpty)
      }
    }
  }

  /// Numbers from NumPy (`numpy.linalg.solve` on lesson 11's four equations; softmax of
  /// [1.3863, 0]): the two challenges whose solutions are not read off a picture.
  @Test func lessonElevenAndTensSolutionsAreTheExactOnes() throws {
    let eleven = try #require(shippedLessons().first { $0.name == "11-learning-a-kernel" }?.lesson)
    #expect(eleven.challenges.first?.solution == [1.75, -0.25, 0.25, -0.25])
    let ten = try #require(shippedLessons().first { $0.name == "10-softmax-cross-entropy" }?.lesson)
    let planned = ScenePlanner.plan(ten, kernels: ["mine": KernelSetting(values: [1.3863, 0])])
    let probability = planned.flatMap(\.grids).first { $0.name == "mine_probs" }?.tensor.scalars.first
    #expect(abs(Double(try #require(probability)) - 0.8000009) < 1e-5)
  }
}

/// `stride plan[0]`, `padding plan[1]`: settings read from a kernel the learner edits.
@Suite struct ConvolveSettingTests {
  func lesson(plan: String = "1 0") throws -> Lesson {
    let zeros = Array(repeating: Array(repeating: "0", count: 28).joined(separator: " "), count: 28)
    let text = """
      format 1
      title "Plan"
      grid digit 28x28
      \(zeros.map { "  " + $0 }.joined(separator: "\n"))
      end
      kernel soft 5x5
        1 1 1 1 1
        1 1 1 1 1
        1 1 1 1 1
        1 1 1 1 1
        1 1 1 1 1
      end
      kernel plan 2
        \(plan)
      end
      step "One"
        convolve digit with soft stride plan[0] padding plan[1] -> one
      end
      step "Two"
        edit plan
        convolve one with soft stride plan[0] pad plan[1] -> two
        challenge "7x7"
          goal rows(two) == 7
          goal cols(two) == 7
          hint "h"
          hint "h2"
          solution
            2 2
          end
        end
      end
      """
    return try LessonParser.parse(text, file: "plan.cnnlab")
  }

  @Test func aStrideOrPaddingMayNameACell() throws {
    let lesson = try lesson()
    guard case .convolve(let c)? = lesson.steps[0].operation?.kind else {
      Issue.record("expected a convolution")
      return
    }
    #expect(c.strideSetting?.description == "plan[0]")
    #expect(c.paddingSetting?.description == "plan[1]")
    // Written numbers and 'same' parse as before.
    let plain = try LessonParser.parse(
      """
      format 1
      title "T"
      grid g 4x4
        1 2 3 4
        1 2 3 4
        1 2 3 4
        1 2 3 4
      end
      kernel k 2x2
        1 0
        0 1
      end
      step "S"
        convolve g with k stride 2 padding same -> o
      end
      """, file: "t.cnnlab")
    guard case .convolve(let p)? = plain.steps[0].operation?.kind else {
      Issue.record("expected a convolution")
      return
    }
    #expect(p.strideSetting == nil && p.paddingSetting == nil && p.strideRows == 2 && p.padding == .same)
  }

  @Test func theCheckProvesTheSettingsSolutionAndTheStartFails() throws {
    #expect(LessonCheck.check(try lesson()).isEmpty)
    // (28 + 2·2 − 5)/2 + 1 = 14, (14 + 4 − 5)/2 + 1 = 7; with stride 1 and no padding, 24 then 20.
    let solved = ScenePlanner.plan(try lesson(), kernels: ["plan": KernelSetting(values: [2, 2])])
    #expect(solved[1].grids.first { $0.name == "two" }?.tensor.shape == [7, 7])
    let start = ScenePlanner.plan(try lesson())
    #expect(start[1].grids.first { $0.name == "two" }?.tensor.shape == [20, 20])
  }

  @Test func aSettingThatIsNotAWholeNumberInRangeIsTheStepsProblem() throws {
    let half = ScenePlanner.plan(try lesson(), kernels: ["plan": KernelSetting(values: [2.5, 0])])
    #expect(half[0].problem?.message == "plan[0] is 2.5, but a stride is a whole number from 1 to 64")
    let zero = ScenePlanner.plan(try lesson(), kernels: ["plan": KernelSetting(values: [0, 0])])
    #expect(zero[0].problem?.message == "plan[0] is 0, but a stride is a whole number from 1 to 64")
    let negative = ScenePlanner.plan(try lesson(), kernels: ["plan": KernelSetting(values: [1, -1])])
    #expect(negative[0].problem?.message == "plan[1] is -1, but a padding is a whole number from 0 to 64")
  }

  /// Lesson 5's challenge step has no operation of its own: a plan that breaks the layers
  /// before it shows their problem there, where the learner edits the plan.
  @Test func aStepThatFailsBecauseAnEarlierOneDidShowsWhy() throws {
    let course = Course.load(directory: repositoryRoot.appendingPathComponent("lessons").path)
    let lesson = try #require(course.entries.first { $0.name == "05-stride-and-padding" }?.lesson)
    let scenes = ScenePlanner.plan(lesson, kernels: ["plan": KernelSetting(values: [2.5, 0])])
    let last = try #require(scenes.last)
    #expect(last.title == "Challenge: choose stride and padding")
    #expect(last.problem?.message == "plan[0] is 2.5, but a stride is a whole number from 1 to 64")
    #expect(ScenePlanner.plan(lesson).last?.problem == nil)
  }
}
