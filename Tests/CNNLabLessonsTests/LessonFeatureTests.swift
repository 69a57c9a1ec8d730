import CNNLabEngine
import Testing

@testable import CNNLabLessons

/// Parts of `learn`, layer tables shown again, counting cells, label answers, early `compute`
/// names, errata without a number, and expressions printed as written.
@Suite struct LessonFeatureTests {
  func plan(_ text: String) throws -> [Scene] {
    let lesson = try LessonParser.parse(text, file: "feature.cnnlab")
    let problems = LessonCheck.check(lesson)
    #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n"))")
    return ScenePlanner.plan(lesson)
  }

  /// The same 3x3 input, 2x2 kernel and target as `oneGradientStepOnATwoByTwoKernel`: by hand,
  /// h = [[6, 8], [12, 14]], ∂E/∂h = [[1, 0], [0, −1]], ∂E/∂W = −4 everywhere, W + 0.4.
  static let learning = """
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
      learn w on x target t rate 0.1 -> learned
    end
    """

  @Test func showTakesThePartsOfALearnResult() throws {
    let scenes = try plan(
      LessonFeatureTests.learning + """

        step "Look"
          show learned.output, learned.dout, learned.grad, learned
          ask "New W11 + W12?" answer 1.8 expect learned[0,0] + learned[0,1]
          hint "1.4 + 0.4"
        end
        """)
    let grids = scenes[1].grids
    // Shown by what they are, not by the lesson's internal part names.
    #expect(grids.map(\.name) == ["h", "∂E/∂h", "∂E/∂W", "learned"])
    #expect(grids[0].tensor == Tensor([[6, 8], [12, 14]]))
    #expect(grids[1].tensor == Tensor([[1, 0], [0, -1]]))
    #expect(grids[2].tensor == Tensor([[-4, -4], [-4, -4]]))
    #expect(grids[3].tensor.maxAbsDifference(Tensor([[1.4, 0.4], [0.4, 1.4]])) < 1e-6)
  }

  @Test func anUnknownPartIsReported() throws {
    let lesson = try LessonParser.parse(
      LessonFeatureTests.learning + "\nstep \"Look\"\n  show learned.gradient\nend\n", file: "f.cnnlab")
    let problems = LessonCheck.check(lesson).map(\.message)
    #expect(problems == ["'learned' has no part 'gradient'"])
  }

  static let mnist = """
    format 1
    title "MNIST"
    network mnist 1x28x28
      conv 32 5x5 pad same relu
      maxpool 2 stride 2
      conv 64 5x5 stride 2
      dense 10
    end
    step "Layers"
      layers mnist -> table
    end
    step "Again"
      show table
      working table
    end
    """

  @Test func aLayerTableIsShownAgainWithItsSizeArithmetic() throws {
    let scenes = try plan(LessonFeatureTests.mnist)
    guard case .table(let name, let table) = scenes[1].beats[0] else {
      Issue.record("expected the table, found \(scenes[1].beats)")
      return
    }
    #expect(name == "table")
    #expect(table.rows.map(\.outputShape) == [[32, 28, 28], [32, 14, 14], [64, 5, 5], [1600], [10]])
    guard case .working(let title, let lines) = scenes[1].beats[1] else {
      Issue.record("expected the working, found \(scenes[1].beats)")
      return
    }
    #expect(title == "each layer of mnist")
    // 'same' pads a 5x5 kernel by 2; 2x2 pooling halves 28; (14 − 5)/2 + 1 = 5 (floored).
    #expect(lines == [
      "conv 32 5x5 pad same relu: (28 + 2·2 − 5)/1 + 1 = 28",
      "maxpool 2 stride 2: ⌊(28 − 2)/2⌋ + 1 = 14",
      "conv 64 5x5 stride 2: ⌊(14 + 2·0 − 5)/2⌋ + 1 = 5",
    ])
  }

  @Test func countCountsTheCellsMeetingAComparison() throws {
    let scenes = try plan(
      """
      format 1
      title "Count"
      grid x 2x3
        1 -1  1
       -1  1  0.5
      end
      step "Count"
        show x
        ask "Ones?" answer 3 expect count(x == 1)
        hint "h"
        ask "Positive?" answer 4 expect count(x > 0)
        hint "h"
        ask "Not one, in row 1?" answer 2 expect count(x[1, *] != 1)
        hint "h"
        ask "All?" answer 6 expect count(x)
        hint "h"
      end
      """)
    let expected = scenes[0].beats.compactMap { beat -> SceneQuestion.Expected? in
      if case .question(let q) = beat { return q.expected }
      return nil
    }
    #expect(expected == [.number(3), .number(4), .number(2), .number(6)])
  }

  @Test func aComparisonOutsideCountIsReported() throws {
    let text = """
      format 1
      title "Count"
      grid x 1x2
        1 2
      end
      step "s"
        ask "?" answer 1 expect sum(x > 1)
        hint "h"
      end
      """
    let problems = try checkProblems(text)
    #expect(problems == ["7:31: a comparison like 'x > 1' only works inside count(...)"])
  }

  static let votes = """
    format 1
    title "Vote"
    grid f 3
      1 0 1
    end
    grid wx 3
      1 0 1
    end
    grid wo 3
      0 1 0
    end
    step "Vote"
      dense f with wx, wo labels "X" "O" -> scores
    """

  @Test func labelAnswersAreCheckedAndAcceptedInAnyCase() throws {
    let scenes = try plan(
      LessonFeatureTests.votes + """

          ask "Which wins?" answer X expect label(scores)
          hint "2 against 0."
          ask "Class 1 is?" answer "O" expect label(scores, 1)
          hint "The second label."
        end
        """)
    let questions = scenes[0].beats.compactMap { beat -> SceneQuestion? in
      if case .question(let q) = beat { return q }
      return nil
    }
    #expect(questions.map(\.expected) == [.label("X"), .label("O")])
    #expect(questions[0].accepts("x"))
    #expect(questions[0].accepts(" X "))
    #expect(questions[0].accepts("\"x\""))
    #expect(!questions[0].accepts("O"))
    #expect(!questions[0].accepts("0"))
    #expect(questions[1].accepts("o"))
  }

  @Test func aWrongLabelAndAMissingLabelAreReported() throws {
    let wrong = LessonFeatureTests.votes + """

        ask "Which wins?" answer O expect label(scores)
        hint "h"
        ask "Which cell?" answer X expect label(f)
        hint "h"
      end
      """
    #expect(try checkProblems(wrong) == [
      "14:28: the answer is O but the engine computes label(scores) = \"X\"",
      "16:43: 'f' has no class labels",
    ])
  }

  @Test func aComputeNameCanBeUsedAboveItsLine() throws {
    let scenes = try plan(
      """
      format 1
      title "Compute"
      grid x 2x2
        1 2
        3 4
      end
      step "s"
        show x
        ask "Total?" answer 10 expect total
        hint "1 + 2 + 3 + 4"
        compute total = sum(x)
        compute half = total / 2
      end
      """)
    guard case .question(let q) = scenes[0].beats[0], case .compute(let name, _, let value) = scenes[0].beats[1] else {
      Issue.record("expected a question then a computation, found \(scenes[0].beats)")
      return
    }
    #expect(q.expected == .number(10))
    #expect(name == "total" && value == 10)
  }

  @Test func errataMayBeTextOnlyOrGiveAPrintedFormula() throws {
    let scenes = try plan(
      """
      format 1
      title "Errata"
      grid x 8
        1 1 1 1 1 1 1 1
      end
      step "s"
        show x
        erratum "The slide's formula has no floor."
        erratum "The slide's formula gives 5/3 + 1." printed (8 - 3) / 3 + 1 expect floor((8 - 3) / 3) + 1
      end
      """)
    #expect(scenes[0].beats[0] == .erratum(text: "The slide's formula has no floor.", printed: nil, actual: nil))
    #expect(
      scenes[0].beats[1] == .erratum(text: "The slide's formula gives 5/3 + 1.", printed: "(8 - 3) / 3 + 1", actual: 2))
    let same = try checkProblems(
      """
      format 1
      title "Errata"
      step "s"
        erratum "Nothing to correct." printed (4 + 2) / 3 expect 2
      end
      """)
    #expect(same == ["4:3: the slide's (4 + 2) / 3 is what cnnlab computes (2), so this erratum corrects nothing"])
  }

  @Test func expressionsPrintWithTheParenthesesTheyNeed() throws {
    func printed(_ text: String) throws -> String {
      let lesson = try LessonParser.parse(
        "format 1\ntitle \"p\"\nstep \"s\"\n  compute v = \(text)\nend\n", file: "p.cnnlab")
      guard case .compute(_, let expression) = lesson.steps[0].statements[0].kind else { return "" }
      return expression.description
    }
    #expect(try printed("(sum(x) + count(x)) / 2") == "(sum(x) + count(x)) / 2")
    #expect(try printed("sum(x) + count(x) / 2") == "sum(x) + count(x) / 2")
    #expect(try printed("1 - (2 - 3)") == "1 - (2 - 3)")
    #expect(try printed("(1 - 2) - 3") == "1 - 2 - 3")
    #expect(try printed("8 / (2 * 2)") == "8 / (2 * 2)")
    #expect(try printed("-(1 + 2) * 3") == "-(1 + 2) * 3")
    #expect(try printed("count(x >= 0.5)") == "count(x >= 0.5)")
  }

  @Test func aQuestionCarriesTheCellsItsExpectReads() throws {
    let scenes = try plan(
      LessonFeatureTests.learning + """

        step "Look"
          show learned.grad
          ask "W11, which the prompt names without brackets?" answer 1.4 expect learned[0,0]
          hint "1 + 0.4"
          ask "Two gradients?" answer -8 expect learned.grad[0,1] + learned.grad[1, 1]
          hint "-4 - 4"
          ask "All of them?" answer -16 expect sum(learned.grad)
          hint "4 × −4"
          ask "Input at row 1, column 1?" answer 5 expect x[1,1]
          hint "The middle."
        end
        """)
    let questions = scenes[1].beats.compactMap { beat -> SceneQuestion? in
      if case .question(let q) = beat { return q }
      return nil
    }
    #expect(questions[0].cells == [SceneQuestion.Cell(grid: "learned", index: [0, 0])])
    #expect(questions[1].cells == [
      SceneQuestion.Cell(grid: "∂E/∂W", index: [0, 1]), SceneQuestion.Cell(grid: "∂E/∂W", index: [1, 1]),
    ])
    #expect(questions[2].cells.isEmpty)
    #expect(questions[2].grids == ["∂E/∂W"])
    #expect(questions[3].cells.isEmpty)  // x is declared: the learner reads it off the screen
    #expect(questions[3].grids == ["x"])
  }

  @Test func aCellNamedTwiceIsHiddenOnce() throws {
    let scenes = try plan(
      LessonFeatureTests.learning + """

        step "Twice"
          show learned.grad
          ask "Twice the first gradient?" answer -8 expect learned.grad[0,0] + learned.grad[0,0]
          hint "2 × −4"
        end
        """)
    let question = scenes[1].beats.compactMap { beat -> SceneQuestion? in
      if case .question(let q) = beat { return q }
      return nil
    }.first
    #expect(question?.cells == [SceneQuestion.Cell(grid: "∂E/∂W", index: [0, 0])])
  }
}
