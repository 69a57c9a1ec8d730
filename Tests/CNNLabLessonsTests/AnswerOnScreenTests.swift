import Testing

@testable import CNNLabLessons

/// The check that a question's answer is not already on screen when it is asked.
@Suite struct AnswerOnScreenTests {
  /// The lecture's 4x4 image and 2x2 kernel, then `steps`.
  func lesson(_ steps: String) -> String {
    """
    format 1
    title "On screen"
    grid four 4x4
      5 2 3 4
      6 7 8 5
      4 5 4 5
      1 0 2 3
    end
    kernel k 2x2
      1  0
      1 -1
    end
    kernel half 2x2 scale 1/4
      1 1
      1 1
    end
    \(steps)
    """
  }

  func onScreen(_ text: String) throws -> [String] {
    try checkProblems(text).filter { $0.contains("is on screen") }
  }

  @Test func aCellPlayedBeforeItsQuestionIsFlaggedWhateverItsValue() throws {
    // The animation fills out[0,1] = 1 before the question hides it: a small number, but the cell itself.
    let problems = try onScreen(
      lesson(
        """
        step "After"
          convolve four with k -> out
          ask "What is out[0,1]?" answer 1 expect out[0,1]
          hint "2 + 7 − 8."
        end
        """))
    #expect(problems == ["19:3: the answer 1 is on screen when this question is asked: the grid out shows out[0,1]"])
  }

  @Test func aQuestionBeforeItsOperationIsNotFlagged() throws {
    let problems = try onScreen(
      lesson(
        """
        step "Before"
          ask "What will out[0,1] be?" answer 1 expect out[0,1]
          hint "2 + 7 − 8."
          convolve four with k -> out
          ask "And out[1,1]?" answer 8 expect out[1,1]
          hint "7 + 5 − 4."
        end
        """))
    // The second question comes after the operation, but a question was asked first, so its
    // cell showed `?` while the animation played.
    #expect(problems.isEmpty)
  }

  @Test func anotherCellWithTheSameDistinctiveValueIsFlagged() throws {
    // half averages each 2x2 window: out[0,0] = 20/4 = 5 and out[2,1] = 11/4 = 2.75, which no
    // other cell has; out[1,0] = 22/4 = 5.5 and out[1,2] = 22/4 = 5.5 are equal.
    let problems = try onScreen(
      lesson(
        """
        step "Map"
          convolve four with half -> avg
        end
        step "Read it"
          show avg
          ask "What is avg[1,0]?" answer 5.5 expect avg[1,0]
          hint "(6 + 7 + 4 + 5)/4."
          ask "And avg[2,1]?" answer 2.75 expect avg[2,1]
          hint "(5 + 4 + 0 + 2)/4."
        end
        """))
    #expect(problems == ["22:3: the answer 5.5 is on screen when this question is asked: the grid avg shows 5.5"])
  }

  @Test func smallWholeNumbersAndDeclaredGridsAreNotLookedFor() throws {
    let problems = try onScreen(
      lesson(
        """
        step "Read"
          say "There are 4 rows and the largest value is somewhere."
          show four
          ask "How many rows?" answer 4 expect rows(four)
          hint "Count them."
          ask "What is the largest value?" answer 8 expect max(four)
          hint "Look for it."
        end
        """))
    #expect(problems.isEmpty)
  }

  @Test func theTextAComputeLineAndANoteCanGiveItAway() throws {
    let problems = try onScreen(
      lesson(
        """
        network net 1x28x28
          conv 32 5x5 pad same
        end
        step "Told"
          say "The image holds 16 numbers."
          ask "How many numbers?" answer 16 expect count(four)
          hint "4 × 4."
        end
        step "Computed first"
          compute cells = 4 * 4
          ask "How many cells?" answer 16 expect cells
          hint "4 × 4."
        end
        step "Computed after"
          ask "How many cells?" answer 16 expect n
          hint "4 × 4."
          compute n = 4 * 4
        end
        step "Shapes"
          note "A stack of 32 maps of 28 by 28 is 32x28x28."
          ask "What shape?" answer 32x28x28 expect shape(net, 1)
          hint "32 filters."
          ask "And a 2x2 kernel on the 4x4 image?" answer 3x3 expect shape(out)
          hint "Three places each way."
          convolve four with k -> out
        end
        """))
    #expect(
      problems == [
        "22:3: the answer 16 is on screen when this question is asked: the text shows 16",
        "27:3: the answer 16 is on screen when this question is asked: the line 'cells = …' shows 16",
        "37:3: the answer 32x28x28 is on screen when this question is asked: a note shows 32x28x28",
      ])
  }

  @Test func aSizeInTheTextThatIsAGridOnScreenIsNotTheAnswer() throws {
    // "the 3x3 ..." names a grid that is on screen with that size; the output happens to be 3x3 too.
    let problems = try onScreen(
      """
      format 1
      title "Sizes"
      grid big 5x5
        1 2 3 4 5
        1 2 3 4 5
        1 2 3 4 5
        1 2 3 4 5
        1 2 3 4 5
      end
      kernel three 3x3
        1 0 0
        0 1 0
        0 0 1
      end
      step "Size"
        say "The 3x3 kernel slides over the 5x5 grid."
        ask "How big will the output be?" answer 3x3 expect shape(out)
        hint "5 − 3 + 1."
        convolve big with three -> out
      end
      """)
    #expect(problems.isEmpty)
  }

  @Test func tracesThatPrintEveryResultGiveAwayWhatFollowsThem() throws {
    let text = """
      format 1
      title "Softmax"
      grid votes 2
        0.88 0.49
      end
      step "After"
        softmax votes -> probs
        ask "What is probs[0]?" answer 0.60 expect probs[0]
        hint "e^0.88 / (e^0.88 + e^0.49)."
      end
      step "Loss"
        cross-entropy probs target 0 -> loss2
        ask "The loss?" answer 0.517 expect loss2 tolerance 0.001
        hint "−ln 0.6."
      end
      step "Before"
        ask "The loss for class 1?" answer 0.91 expect loss3
        hint "−ln 0.4."
        cross-entropy probs target 1 -> loss3
      end
      """
    let problems = try checkProblems(text).filter { $0.contains("is on screen") }
    #expect(
      problems == [
        "8:3: the answer 0.60 is on screen when this question is asked: the arithmetic under the grids shows probs[0]",
        "13:3: the answer 0.517 is on screen when this question is asked: the arithmetic under the grids shows 0.517",
      ])
  }

  @Test func screenTextReadsNumbersTheWayALearnerDoes() {
    let tokens = ScreenText.tokens("loss = −1·ln(0.600) = .517 or 31/60; 3,200 weights, h11 and step2, a 32x28x28 stack, rows 1–3, 2, 0")
    #expect(tokens.shapes == [[32, 28, 28]])
    let expected: [Double] = [-1, 0.6, 0.517, 31.0 / 60, 3200, 32, 28, 28, 1, 3, 2, 0]
    #expect(tokens.numbers.count == expected.count)
    for (read, value) in zip(tokens.numbers, expected) { #expect(abs(read - value) < 1e-9, "\(read) vs \(value)") }
  }

  @Test func distinctiveAnswersAreFractionsAndNumbersFromTen() {
    #expect(!AnswerOnScreen.isDistinctive(1))
    #expect(!AnswerOnScreen.isDistinctive(-9))
    #expect(AnswerOnScreen.isDistinctive(10))
    #expect(AnswerOnScreen.isDistinctive(-1.0 / 9))
    #expect(AnswerOnScreen.isDistinctive(0.5))
  }
}
