import CNNLabEngine
import Testing

@testable import CNNLabLessons

/// The shipped course against the review: each slip fixed as the engine computes it. The golden
/// numbers come from `Fixtures/lesson_numbers.py` (NumPy, independent of the engine).
@Suite struct ShippedLessonTests {
  func lesson(_ name: String) throws -> Lesson {
    let course = Course.load(directory: repositoryRoot.appendingPathComponent("lessons").path)
    return try #require(course.entries.first { $0.name == name }?.lesson, "\(name) loads")
  }

  func scenes(_ name: String, kernels: [String: KernelSetting] = [:]) throws -> [Scene] {
    ScenePlanner.plan(try lesson(name), kernels: kernels)
  }

  /// The corrections of a lesson: text, printed number or formula, and the engine's value.
  func errata(_ name: String) throws -> [(text: String, printed: String?, actual: Double?)] {
    try scenes(name).flatMap(\.beats).compactMap { beat in
      if case .erratum(let text, let printed, let actual) = beat { return (text, printed, actual) }
      return nil
    }
  }

  func questions(_ scene: Scene) -> [SceneQuestion] {
    scene.beats.compactMap { if case .question(let q) = $0 { return q } else { return nil } }
  }

  /// Every paragraph, note, correction and question of the course, as the learner reads it.
  func allText() throws -> [String] {
    let course = Course.load(directory: repositoryRoot.appendingPathComponent("lessons").path)
    var texts: [String] = []
    for entry in course.entries {
      guard let lesson = entry.lesson else { continue }
      texts.append(lesson.title)
      for scene in ScenePlanner.plan(lesson) {
        texts.append(scene.title)
        for beat in scene.beats {
          switch beat {
          case .text(let paragraphs): texts += paragraphs
          case .note(let text), .erratum(let text, _, _): texts.append(text)
          case .question(let q): texts += [q.prompt, q.hint]
          case .challenge(let c): texts += [c.prompt, c.hint]
          default: break
          }
        }
      }
    }
    return texts
  }

  @Test func lessonTwoNumbersOutputCellsByTheirWindow() throws {
    // NumPy: convolve(f, [-1, 1], valid) = [0, 0, 0, 0, -1, 0, 0, 0, 0], so cell i is f[i] − f[i + 1].
    let planned = try scenes("02-convolution-1d")
    guard case .convolution(let a) = planned[2].animation else {
      Issue.record("expected the convolution of step 3")
      return
    }
    #expect(a.output.scalars == [0, 0, 0, 0, -1, 0, 0, 0, 0])
    let note = planned[1].beats.compactMap { if case .note(let n) = $0 { return n } else { return nil } }.first ?? ""
    #expect(note.contains("f[i] − f[i + 1]"))
    // The prose no longer says where the jump is or how many places the kernel fits.
    let prose = planned.prefix(3).flatMap(\.beats).compactMap { beat -> String? in
      if case .text(let p) = beat { return p.joined(separator: " ") } else { return nil }
    }.joined(separator: " ")
    #expect(!prose.contains("cells 4 and 5") && !prose.contains("nine places"))
  }

  @Test func lessonTwosChallengeKernelCyclesPresetsThatDoNotSolveIt() throws {
    let last = try #require(try scenes("02-convolution-1d").last)
    let kernel = try #require(last.editable.first)
    #expect(kernel.presets.map(\.name) == ["difference", "average-2"])
    for preset in kernel.presets {
      let planned = try scenes("02-convolution-1d", kernels: [kernel.name: KernelSetting(preset: preset)])
      let challenge = planned.last?.beats.compactMap { if case .challenge(let c) = $0 { return c } else { return nil } }.first
      #expect(challenge?.isSolved == false, "preset \(preset.name) gives the challenge away")
    }
  }

  @Test func lessonFourCorrectsTheExtraPixelSlideAndTheShortSum() throws {
    // NumPy: the extra-pixel X's true maps differ from the printed ones in 9, 11 and 10 cells.
    let slide: [[Float]] = [
      [0.77, -0.11, 0.11, 0.88, 0.55, -0.11, 0.88, -0.11, 1.00, -0.11, 0.33, -0.11, 0.11, -0.11, 0.11, -0.11, 1.00,
       -0.33, 0.11, -0.11, 0.55, 0.11, 0.33, -0.33, 0.55, -0.33, 0.33, 0.33, 0.55, -0.11, 0.11, -0.33, 1.00, -0.11,
       0.11, -0.11, 0.11, -0.11, 0.33, -0.11, 1.00, -0.11, 0.33, -0.11, 0.55, 0.33, 0.11, -0.11, 0.77],
      [0.88, -0.55, 0.11, -0.11, 0.11, -0.55, 0.88, -0.55, 0.55, -0.55, 0.88, -0.55, 0.55, -0.55, 0.11, -0.55, 0.55,
       -0.77, 0.55, -0.55, 0.11, -0.11, 0.33, -0.77, 1.00, -0.77, 0.33, -0.11, 0.11, -0.55, 0.55, -0.77, 0.55, -0.55,
       0.11, -0.55, 0.55, -0.55, 0.88, -0.55, 0.55, -0.55, 0.38, -0.55, 0.11, -0.11, 0.11, -0.55, 0.88],
      [0.38, -0.11, 0.55, 0.38, 0.11, -0.11, 0.77, -0.11, 0.11, -0.11, 0.33, -0.11, 1.00, -0.11, 0.55, -0.11, 0.11,
       -0.33, 1.00, -0.11, 0.11, 0.38, 0.33, -0.33, 0.55, -0.33, 0.33, 0.33, 0.11, -0.11, 1.00, -0.33, 0.11, -0.11,
       0.35, -0.11, 1.00, -0.11, 0.33, -0.11, 0.11, -0.11, 0.77, -0.11, 0.11, 0.33, 0.55, -0.11, 0.33],
    ]
    let planned = try scenes("04-xo-features")
    guard case .convolution(let extra) = planned.first(where: { $0.title == "A trickier X" })?.animation else {
      Issue.record("expected the extra-pixel X's convolution")
      return
    }
    for (channel, expected) in zip(0..<3, [9, 11, 10]) {
      let truth = Array(extra.output.scalars[(channel * 49)..<((channel + 1) * 49)])
      // The slides cut digits off (7/9 is printed 0.77), so compare with the truncated value.
      let differing = zip(slide[channel], truth).filter { abs($0 - ($1 * 100).rounded(.towardZero) / 100) > 0.005 }.count
      #expect(differing == expected, "channel \(channel)")
    }
    #expect(abs(extra.output[0, 5, 5] - 7.0 / 9) < 1e-6)
    let corrections = try errata("04-xo-features")
    let extraPixel = try #require(corrections.first { $0.text.contains("9, 11 and 10") })
    #expect(extraPixel.printed == "1" && abs((extraPixel.actual ?? 0) - 7.0 / 9) < 1e-6)
    // The centre window written with eight terms: as printed 4/9, truly 5/9.
    let shortSum = try #require(corrections.first { $0.text.contains("eight terms") })
    #expect(shortSum.printed == "(-1 + 1 + 1 + 1 + 1 + 1 + 1 - 1) / 9")
    #expect(abs((shortSum.actual ?? 0) - 5.0 / 9) < 1e-6)
    // The sign the slides drop at row 4, column 1.
    let sign = try #require(corrections.first { $0.text.contains("row 4, column 1") })
    #expect(abs((sign.actual ?? 0) + 1.0 / 9) < 1e-6)
    // The flip is a note now, and lesson 4 says the X/O features do not care about it.
    #expect(try errata("03-classic-kernels").allSatisfy { !$0.text.contains("cross-correlation") })
    let notes = planned.flatMap(\.beats).compactMap { if case .note(let n) = $0 { return n } else { return nil } }
    #expect(notes.contains { $0.contains("180°") })
  }

  @Test func lessonFivesPaddedCornerAcceptsWhatTheHintWorksOut() throws {
    let planned = try scenes("05-stride-and-padding")
    let question = try #require(
      planned.flatMap(questions).first { $0.prompt.contains("padded[0,0]") })
    #expect(abs(expectedNumber(question) - 2.0 / 9) < 1e-6)
    #expect(question.hint.hasSuffix("2/9 = 0.22."))
    #expect(question.accepts("2/9") && question.accepts("0.22") && !question.accepts("2"))
    #expect(question.prompt.contains("division by 9"))
  }

  func expectedNumber(_ question: SceneQuestion) -> Double {
    if case .number(let n) = question.expected { return n }
    return .nan
  }

  @Test func lessonSevenLetsTheLearnerCountWhatTheShiftChanges() throws {
    // NumPy: 9 of the 16 pooled cells change when the X moves one column.
    let planned = try scenes("07-max-pooling")
    let question = try #require(planned.flatMap(questions).first { $0.prompt.contains("How many of the 16 cells differ") })
    #expect(expectedNumber(question) == 9)
    #expect(planned.allSatisfy { $0.title != "Pooling shrugs it off" })
    let sign = try #require(try errata("07-max-pooling").first { $0.text.contains("row 0, column 5") })
    #expect(abs((sign.actual ?? 0) + 1.0 / 9) < 1e-6)
  }

  @Test func lessonSixSaysReLUIsNoNormalisationAndWhereTheBiasGoes() throws {
    let planned = try scenes("06-relu")
    let notes = planned.flatMap(\.beats).compactMap { if case .note(let n) = $0 { return n } else { return nil } }
    #expect(notes.contains { $0.contains("\"Normalization\"") && $0.contains("not batch normalisation") })
    #expect(try errata("06-relu").contains { $0.text.contains("ReLU(sum + bias)") })
    // NumPy: 29 cells of the diagonal map are positive.
    let count = try #require(planned.flatMap(questions).first { $0.prompt.contains("stay above 0") })
    #expect(expectedNumber(count) == 29)
  }

  @Test func lessonNinesHintReadsTheRectifiedWindow() throws {
    // NumPy: ReLU leaves the crossing map's top-left window as 3/9, 0, 0, 5/9.
    let planned = try scenes("09-fully-connected")
    let question = try #require(planned.flatMap(questions).first { $0.prompt.contains("position 16") })
    #expect(question.hint.contains("3/9, 0, 0 and 5/9"))
    #expect(abs(expectedNumber(question) - 5.0 / 9) < 1e-6)
  }

  @Test func lessonElevenCountsFromZeroAndEndsWithTheSoftmaxGradient() throws {
    let planned = try scenes("11-learning-a-kernel")
    let text = try allText().joined(separator: "\n")
    for oneBased in ["h11", "W11", "W12", "W21", "W22", "X11"] { #expect(!text.contains(oneBased), "\(oneBased)") }
    // NumPy: softmax([0.88, 0.49]) − [1, 0] = [−0.4037, 0.4037].
    let gradients = questions(try #require(planned.first { $0.title == "The gradient of cross-entropy" })).map(expectedNumber)
    #expect(gradients.count == 2)
    #expect(abs(gradients[0] + 0.4037) < 1e-3 && abs(gradients[1] - 0.4037) < 1e-3)
    // Parts of a learn result show by what they are.
    let names = planned.flatMap(\.grids).map(\.name)
    #expect(names.contains("∂E/∂h") && names.contains("∂E/∂W") && names.contains("h"))
    #expect(!names.contains { $0.contains(".") })
  }

  @Test func lessonTwelveAsksForTheReceptiveFieldOfThreeLayers() throws {
    // NumPy: the lit centre reaches 9 cells; two 3x3 layers see 5 pixels across, three see 7,
    // on the 7x7 picture and on the 9x9 one the cursor explores.
    let titles = ["Receptive fields", "Two layers see further", "Three layers", "Follow a cell down the stack"]
    let planned = try scenes("12-why-convolution")
    let answers = try titles.map { title in try #require(planned.first { $0.title == title }) }.flatMap(questions)
      .map(expectedNumber)
    #expect(answers == [9, 5, 7, 7])
  }

  @Test func lessonThreesBlurAndEdgeStepsShowTheKernelTheWindowAndTheCell() throws {
    let planned = try scenes("03-classic-kernels")
    for (title, kernel, cell) in [("Box blur", "blur", GridPosition(row: 1, col: 1)), ("An edge detector", "outline", GridPosition(row: 1, col: 1))] {
      let scene = try #require(planned.first { $0.title == title })
      #expect(scene.grids.map(\.name).contains(kernel), "\(title) shows its kernel")
      #expect(scene.grids.allSatisfy { $0.style == .numbers }, "\(title) shows numbers, not shades")
      #expect(scene.focus == cell, "\(title) waits on the window of the cell it asks about")
    }
  }

  @Test func questionsAskForWhatTheyWantAndLeaveTheWorkToTheLearner() throws {
    let prompts = try allText()
    // Lesson 8 no longer hands over the slice scores; lesson 10 no longer asks "bigger or smaller" for a number.
    #expect(!prompts.contains { $0.contains("the slices score 2, 0 and 3") })
    #expect(!prompts.contains { $0.contains("bigger or smaller") })
    #expect(!prompts.contains { $0.contains("27 weights in all") })
  }

  @Test func theCourseSpeaksToALearnerWhoNeverSawTheSlides() throws {
    for text in try allText() {
      for phrase in ["another deck", "One deck", "the slides", "The slides", "The slide ", "the slide's", "The slide's"] {
        #expect(!text.contains(phrase), "\"\(phrase)\" in: \(text)")
      }
    }
  }

  @Test func noQuestionOfTheCourseHasItsAnswerOnScreen() throws {
    let course = Course.load(directory: repositoryRoot.appendingPathComponent("lessons").path)
    for entry in course.entries {
      let lesson = try #require(entry.lesson)
      let found = AnswerOnScreen.problems(lesson, scenes: ScenePlanner.plan(lesson))
      #expect(found.isEmpty, "\(found.map(\.description))")
    }
  }
}
