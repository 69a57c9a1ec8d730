import CNNLabEngine
import Foundation
import Testing

@testable import CNNLabLessons

/// Parses and checks marked text; returns "line:column: message" for each problem.
func checkProblems(_ text: String) throws -> [String] {
  let lesson = try LessonParser.parse(text, file: "check.cnnlab")
  return LessonCheck.check(lesson).map { "\($0.line):\($0.column): \($0.message)" }
}

@Suite struct LessonCheckTests {
  @Test func theFixtureCourseHasNoProblems() throws {
    let course = Course.load(directory: try fixturesDirectory() + "/good/lessons")
    #expect(course.entries.map(\.name) == ["01-edges", "02-xo"])
    let problems = LessonCheck.run(course)
    #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n"))")
  }

  @Test func shippedLessonsHaveNoProblems() {
    let course = Course.load(directory: repositoryRoot.appendingPathComponent("lessons").path)
    let problems = LessonCheck.run(course)
    #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n"))")
  }

  @Test func filesOutsideTheCourseAreReported() throws {
    let directory = try fixturesDirectory() + "/stray/lessons"
    let problems = LessonCheck.run(Course.load(directory: directory))
    #expect(
      problems.map { "\($0.file.replacingOccurrences(of: directory, with: "")): \($0.message)" } == [
        "/01-edges/old.cnnlab: this lesson file is not in the course",
        "/09-draft: lesson directory '09-draft' is not in the course",
        "/loose.cnnlab: this lesson file is not in the course",
      ])
  }

  @Test func loadingLeavesTheLookForStrayFilesToTheCheck() throws {
    let course = Course.load(directory: try fixturesDirectory() + "/stray/lessons")
    #expect(course.diagnostics.isEmpty)
    #expect(course.strayFiles().count == 3)
    // Without a course file nothing is listed, so nothing counts as stray.
    let repo = try ScratchRepository()
    defer { repo.remove() }
    try repo.write("lessons/01-a/lesson.cnnlab", "format 1\n")
    let unlisted = Course.load(directory: repo.lessons)
    #expect(LessonCheck.run(unlisted).map(\.message) == ["cannot read the course file"])
  }

  @Test func aWrongAnswerShowsWhatTheEngineComputes() throws {
    let text = MarkedText(
      """
      format 1
      title "Wrong"
      grid lecture 4x4
        5 2 3 4
        6 7 8 5
        4 5 4 5
        1 0 2 3
      end
      kernel small 2x2
        1  0
        1 -1
      end
      step "s"
        convolve lecture with small -> result
        ask "Top left?" answer 1️⃣5 expect result[0,0]
        hint "h"
        2️⃣ask "No hint" answer 4 expect result[0,0]
      end
      """)
    #expect(
      try checkProblems(text.text) == [
        "\(text["1️⃣"]): the answer is 5 but the engine computes result[0,0] = 4",
        "\(text["2️⃣"]): this question has no hint",
      ])
  }

  @Test func aKernelThatDoesNotFitShowsTheWorking() throws {
    let text = MarkedText(
      """
      format 1
      title "Too big"
      grid tiny 3x3
        1 2 3
        4 5 6
        7 8 9
      end
      kernel big preset gaussian-5x5
      step "s"
        1️⃣convolve tiny with big -> blurred
        ask "Centre?" answer 1 expect blurred[0,0]
        hint "h"
      end
      """)
    let lesson = try LessonParser.parse(text.text, file: "lessons/05/lesson.cnnlab")
    let problems = LessonCheck.check(lesson)
    #expect(problems.count == 1)
    #expect(
      problems.first?.description
        == "lessons/05/lesson.cnnlab:\(text["1️⃣"]): error: conv 5x5 does not fit a 3x3 input: (3 + 2·0 − 5)/1 + 1 = −1\nnote: add 'padding 1', or use a grid at least 5x5"
    )
  }

  @Test func aOneDimensionalKernelThatDoesNotFit() throws {
    let lesson = try LessonParser.parse(
      """
      format 1
      title "1-D"
      grid s 3
        1 2 3
      end
      kernel k 5
        1 1 1 1 1
      end
      step "s"
        convolve s with k -> out
      end
      """, file: "d.cnnlab")
    #expect(
      LessonCheck.check(lesson).map(\.description) == [
        "d.cnnlab:10:3: error: conv 5 does not fit a row of 3: (3 + 2·0 − 5)/1 + 1 = −1\nnote: add 'padding 1', or use a grid at least 5"
      ])
  }

  @Test func unknownNamesSuggestCloseOnes() throws {
    let text = MarkedText(
      """
      format 1
      title "Names"
      grid image 2x2
        1 2
        3 4
      end
      step "s"
        relu 1️⃣imgae -> r
        ask "?" answer 1 expect 2️⃣later[0,0]
        hint "h"
      end
      grid later 1x1
        1
      end
      step "t"
        say "x"
      end
      """)
    let lesson = try LessonParser.parse(text.text, file: "n.cnnlab")
    let problems = LessonCheck.check(lesson)
    #expect(problems.map(\.location) == [text["1️⃣"], text["2️⃣"]])
    #expect(problems.first?.note == "did you mean 'image'?")
    #expect(problems.last?.message == "'later' is not available yet: it is declared at line 12")
  }

  @Test func errataMustCorrectSomething() throws {
    let text = MarkedText(
      """
      format 1
      title "Errata"
      step "s"
        erratum "right" printed 0.55 expect 5/9
        1️⃣erratum "stale" printed 0.5556 expect 5/9
      end
      """)
    #expect(
      try checkProblems(text.text) == [
        "\(text["1️⃣"]): the slide's 0.5556 is what cnnlab computes (0.5556), so this erratum corrects nothing"
      ])
  }

  @Test func challengesMustBeSolvableAndNotAlreadySolved() throws {
    let text = MarkedText(
      """
      format 1
      title "Challenges"
      grid stripes 4x4
        9 9 9 9
        9 9 9 9
        0 0 0 0
        0 0 0 0
      end
      kernel mine 3x3
        0 0 0
        0 1 0
        0 0 0
      end
      step "s"
        edit mine
        convolve stripes with mine -> across
        challenge "wrong solution"
          goal all(across) >= 27
          hint "h"
          1️⃣solution
            -1 -1 -1
             0  0  0
             1  1  1
          end
        end
        2️⃣challenge "already met"
          goal max(across) >= 9
          hint "h"
          solution
            1 1 1
            0 0 0
            -1 -1 -1
          end
        end
      end
      """)
    #expect(
      try checkProblems(text.text) == [
        "\(text["1️⃣"]): the solution does not meet the goal 'all(across) >= 27'",
        "\(text["2️⃣"]): the starting kernel already meets every goal",
      ])
  }
}

@Suite struct ScenePlannerTests {
  func plan(_ text: String) throws -> [Scene] {
    let lesson = try LessonParser.parse(text, file: "plan.cnnlab")
    let problems = LessonCheck.check(lesson)
    #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n"))")
    return ScenePlanner.plan(lesson)
  }

  @Test func theLecturesFourByFourExample() throws {
    // "The Convolution Operator": [[5,2,3,4],[6,7,8,5],[4,5,4,5],[1,0,2,3]] * [[1,0],[1,-1]].
    let course = Course.load(directory: try fixturesDirectory() + "/good/lessons")
    let lesson = try #require(course.entries.first?.lesson)
    let scenes = ScenePlanner.plan(lesson)
    guard case .convolution(let animation) = scenes[1].animation else {
      Issue.record("expected a convolution in step 2")
      return
    }
    #expect(animation.output == Tensor([[4, 1, 6], [5, 8, 7], [5, 3, 3]]))
    #expect(animation.trace.placements.count == 9)
    #expect(animation.trace.placements[0].taps.map(\.product) == [5, 0, 6, -7])
    #expect(scenes[1].grids.map(\.name) == ["lecture", "small", "result"])
    #expect(scenes[1].grids.map(\.role) == [.input, .kernel, .output])
  }

  @Test func workingShowsTheFormulaAndTheCellsAStrideLeavesOut() throws {
    let scenes = try plan(
      """
      format 1
      title "Stride"
      grid x 8x8
        1 1 1 1 1 1 1 1
        1 1 1 1 1 1 1 1
        1 1 1 1 1 1 1 1
        1 1 1 1 1 1 1 1
        1 1 1 1 1 1 1 1
        1 1 1 1 1 1 1 1
        1 1 1 1 1 1 1 1
        1 1 1 1 1 1 1 1
      end
      kernel k 3x3
        1 1 1
        1 1 1
        1 1 1
      end
      step "Look"
        show x
      end
      step "Stride 2"
        ask "Size?" answer 3x3 expect shape(y)
        hint "⌊(8 − 3)/2⌋ + 1"
        convolve x with k stride 2 -> y
        working y
      end
      """)
    guard case .working(let name, let lines) = scenes[1].beats[2] else {
      Issue.record("expected the working, found \(scenes[1].beats)")
      return
    }
    #expect(name == "y")
    #expect(lines == [
      "rows: ⌊(8 + 2·0 − 3)/2⌋ + 1 = 3", "columns: ⌊(8 + 2·0 − 3)/2⌋ + 1 = 3", "unused rows: 7",
      "unused columns: 7",
    ])
  }

  @Test func oneGradientStepOnATwoByTwoKernel() throws {
    // By hand: h = [[6, 8], [12, 14]], h − t = [[1, 0], [0, −1]], E = ½(1 + 1) = 1,
    // ∂E/∂W11 = 1·1 + (−1)·5 = −4, and likewise −4 for every weight; W − 0.1·(−4) = W + 0.4.
    let scenes = try plan(
      """
      format 1
      title "Learning"
      grid x 3x3
        1 2 3
        4 5 6
        7 8 9
      end
      kernel w 2x2
        1 0
        0 1
      end
      grid t 2x2
        5 8
        12 15
      end
      step "One step"
        ask "E?" answer 1 expect learned.error
        hint "½ Σ (h − t)²"
        ask "dE/dW11?" answer -4 expect learned.grad[0,0]
        hint "Two terms."
        ask "New W11 + W12?" answer 1.8 expect learned[0,0] + learned[0,1]
        hint "W − η ∂E/∂W"
        learn w on x target t rate 0.1 -> learned
      end
      """)
    guard case .learning(let a) = scenes[0].animation else {
      Issue.record("expected learning")
      return
    }
    #expect(a.output == Tensor([[6, 8], [12, 14]]))
    #expect(a.dOutput == Tensor([[1, 0], [0, -1]]))
    #expect(a.error == 1)
    #expect(a.gradient == Tensor([[-4, -4], [-4, -4]]))
    #expect(a.updated.maxAbsDifference(Tensor([[1.4, 0.4], [0.4, 1.4]])) < 1e-6)
    #expect(a.contributions[0].map(\.input) == [1, 2, 4, 5])
    #expect(a.contributions[0].map(\.dOutput) == [1, 0, 0, -1])
  }

  @Test func theLecturesMNISTNetworkShapeByShape() throws {
    // The lecture's Keras model: Conv2D(32, 5, same) → MaxPool(2) → Conv2D(64, 5, same) →
    // MaxPool(2) → Flatten → Dense(1024) → Dense(10); Keras counts 832, 51,264, 3,212,288, 10,250.
    let scenes = try plan(
      """
      format 1
      title "MNIST"
      network mnist 1x28x28
        conv 32 5x5 pad same relu
        maxpool 2 stride 2
        conv 64 5x5 pad same relu
        maxpool 2 stride 2
        flatten
        dense 1024 relu
        dense 10 softmax
      end
      step "Shapes"
        ask "Weights in the first dense layer?" answer 3212288 expect params(mnist, 6)
        hint "3136 · 1024 + 1024"
        ask "Shape after the second pooling?" answer 64x7x7 expect shape(mnist, 4)
        hint "28 → 14 → 7"
        layers mnist -> summary
        compute single = 3 * 256 * 256 * 1000
      end
      """)
    guard case .layers(let a) = scenes[0].animation else {
      Issue.record("expected layers")
      return
    }
    #expect(a.rows.map(\.outputShape) == [[32, 28, 28], [32, 14, 14], [64, 14, 14], [64, 7, 7], [3136], [1024], [10], [10]])
    #expect(a.rows.map(\.parameterCount) == [832, 0, 51264, 0, 0, 3_212_288, 10250, 0])
    guard case .compute(_, _, let value) = scenes[0].beats.last else {
      Issue.record("expected the compute beat")
      return
    }
    #expect(value == 196_608_000)
  }

  @Test func editingAKernelReplansEveryStepThatUsesIt() throws {
    let course = Course.load(directory: try fixturesDirectory() + "/good/lessons")
    let lesson = try #require(course.entries.last?.lesson)
    let before = ScenePlanner.plan(lesson)
    let challenge = { (scenes: [Scene]) -> SceneChallenge? in
      scenes.last?.beats.compactMap { if case .challenge(let c) = $0 { return c } else { return nil } }.first
    }
    #expect(challenge(before)?.isSolved == false)
    #expect(before.last?.editable.first?.presets.map(\.name) == ["identity", "vertical-edge", "box-blur"])
    let after = ScenePlanner.plan(
      lesson, kernels: ["mine": KernelSetting(values: [1, -1, -1, -1, 1, -1, -1, -1, 1])])
    #expect(challenge(after)?.isSolved == true)
    // The lecture's map for the diagonal feature: 0.77 top-left, a perfect 1.00 at (2, 2).
    guard case .convolution(let a) = after.last?.animation else {
      Issue.record("expected a convolution")
      return
    }
    #expect(abs(a.output[0, 0] - 7.0 / 9) < 1e-6)
    #expect(abs(a.output[2, 2] - 1) < 1e-6)
    let blurred = ScenePlanner.plan(lesson, kernels: ["mine": KernelSetting(preset: try #require(KernelPreset.named("box-blur")))])
    #expect(blurred.last?.editable.first?.setting.scale?.text == "1/9")
  }

  @Test func aStepShowsWhatItsQuestionsMention() throws {
    let scenes = try plan(
      """
      format 1
      title "Show"
      grid a 1x2
        1 2
      end
      grid b 1x2
        3 4
      end
      step "Ask"
        ask "Sum of b?" answer 7 expect sum(b)
        hint "3 + 4"
      end
      step "Shown"
        show a as shades
        ask "Sum of b?" answer 7 expect sum(b)
        hint "3 + 4"
      end
      """)
    #expect(scenes[0].grids.map(\.name) == ["b"])
    #expect(scenes[1].grids.map(\.name) == ["a"])
    #expect(scenes[1].grids.first?.style == .shades)
  }

  @Test func answersAcceptFractionsDecimalsAndShapes() {
    let sevenNinths = SceneQuestion(prompt: "", hint: "", answer: "7/9", expected: .number(7.0 / 9), tolerance: 0.01)
    for typed in ["0.78", "7/9", "0.777…", "0.7778", ".78", " 0.777... "] {
      #expect(sevenNinths.accepts(typed), "\(typed)")
    }
    for typed in ["0.8", "0.7", "7", "", "seven"] { #expect(!sevenNinths.accepts(typed), "\(typed)") }
    let shape = SceneQuestion(prompt: "", hint: "", answer: "4x4", expected: .shape([4, 4]), tolerance: 0.01)
    for typed in ["4x4", "4 x 4", "(4, 4)", "[4,4]", "4×4"] { #expect(shape.accepts(typed), "\(typed)") }
    #expect(!shape.accepts("3x3"))
    #expect(!shape.accepts("4"))
    let negative = SceneQuestion(prompt: "", hint: "", answer: "-4", expected: .number(-4), tolerance: 0.01)
    #expect(negative.accepts("−4"))
  }
}
