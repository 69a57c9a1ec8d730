import Foundation
import Testing

@testable import CNNLabLessons

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The directory of the test fixtures.
func fixturesDirectory() throws -> String {
  let url = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
  return url.path
}

@Suite struct LessonParserTests {
  @Test func theReadmeExampleParses() throws {
    let readme = try String(
      contentsOf: repositoryRoot.appendingPathComponent("lessons/README.md"), encoding: .utf8)
    let section = try #require(readme.range(of: "## A complete example"))
    let rest = readme[section.upperBound...]
    let open = try #require(rest.range(of: "```\n"))
    let close = try #require(rest[open.upperBound...].range(of: "\n```"))
    let example = String(rest[open.upperBound..<close.lowerBound])

    let lesson = try LessonParser.parse(example, file: "README.md")
    let problems = LessonCheck.check(lesson)
    #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n"))")
    #expect(lesson.title == "Finding edges")
    #expect(lesson.grids.map(\.name.name) == ["image", "stripes"])
    #expect(lesson.kernels.map(\.name.name) == ["vertical", "mine"])
    #expect(lesson.kernels[1].presets.map(\.name) == ["identity", "vertical-edge", "sharpen", "box-blur", "gaussian-3x3"])
    #expect(lesson.steps.map(\.title) == ["Slide the kernel", "Your turn"])
    #expect(lesson.steps[1].editableKernels.map(\.name) == ["mine"])
    let first = lesson.steps[0].statements
    guard case .say(let paragraphs) = first[1].kind else {
      Issue.record("expected the say block, found \(first[1].kind)")
      return
    }
    #expect(paragraphs.count == 2)
    #expect(paragraphs[1] == "Then the kernel moves one column to the right.")
  }

  @Test func gridsKeepValuesShapesAndScales() throws {
    let lesson = try LessonParser.parse(
      """
      format 1
      title "Grids"
      grid signal 10
        0 0 0 0 0 1 1 1 1 1
      end
      grid rgb 3x2x2   # channels
        255 0
        0   0

        0 255
        0 0
        # a comment line does not separate channels

        0 0
        255 0
      end
      kernel blur 3x3 scale 1/9
        1 1 1
        1 1 1
        1 1 1
      end
      kernel half 2
        1/2 -1/2
      end
      kernel gauss preset gaussian-3x3
      step "Only step"
        say "Hello."
      end
      """, file: "grids.cnnlab")
    #expect(lesson.grids[0].shape == [10])
    #expect(lesson.grids[0].values == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    #expect(lesson.grids[1].shape == [3, 2, 2])
    #expect(lesson.grids[1].values == [255, 0, 0, 0, 0, 255, 0, 0, 0, 0, 255, 0])
    #expect(lesson.kernels[0].grid.scale?.text == "1/9")
    #expect(lesson.kernels[0].grid.scaledValues?.first == 1.0 / 9)
    #expect(lesson.kernels[1].grid.values == [0.5, -0.5])
    #expect(lesson.kernels[2].grid.values == [1, 2, 1, 2, 4, 2, 1, 2, 1])
    #expect(lesson.kernels[2].grid.scale?.value == 1.0 / 16)
  }

  @Test func operationsAndTheirOptions() throws {
    let lesson = try LessonParser.parse(
      """
      format 1
      title "Operations"
      step "a"
        convolve x with a, b stride 2x1 padding same dilation 2 mode convolve normalize bias 1, -1/2 relu -> maps
      end
      step "b"
        pool maps max size 2 stride 2 ceil -> pooled
      end
      step "c"
        dense votes with wx, wo bias 0.5, 0 normalize labels "X" "O" -> scores
      end
      step "d"
        cross-entropy probs target 1 -> loss
      end
      step "e"
        learn w on img target t rate 0.1 -> learned
        ask "What is the gradient of the first weight?" answer -3/2 expect learned.grad[0,0] tolerance 0.001
        hint "Sum over the four placements."
      end
      """, file: "ops.cnnlab")
    guard case .convolve(let conv) = lesson.steps[0].operation?.kind else {
      Issue.record("expected a convolution")
      return
    }
    #expect(conv.kernels.map(\.name) == ["a", "b"])
    #expect(conv.strideRows == 2 && conv.strideCols == 1)
    #expect(conv.padding == .same)
    #expect(conv.dilationRows == 2 && conv.dilationCols == 2)
    #expect(conv.flip && conv.normalize && conv.relu)
    #expect(conv.bias.map(\.value) == [1, -0.5])
    #expect(lesson.steps[0].operation?.output.name == "maps")
    guard case .pool(let pool) = lesson.steps[1].operation?.kind else {
      Issue.record("expected a pool")
      return
    }
    #expect(pool.input.name == "maps" && pool.kind == .max && pool.size == 2 && pool.stride == 2 && pool.ceil)
    guard case .dense(let dense) = lesson.steps[2].operation?.kind else {
      Issue.record("expected dense")
      return
    }
    #expect(dense.labels == ["X", "O"])
    #expect(dense.normalize)
    guard case .crossEntropy(let entropy) = lesson.steps[3].operation?.kind, entropy.target == .index(1) else {
      Issue.record("expected cross-entropy against class 1")
      return
    }
    #expect(entropy.input.name == "probs" && entropy.input.location == SourceLocation(line: 13, column: 17))
    guard case .ask(let question) = lesson.steps[4].statements[1].kind else {
      Issue.record("expected a question")
      return
    }
    #expect(question.answer == .number(LessonNumber(-1.5, text: "-3/2")))
    #expect(question.tolerance == 0.001)
    #expect(question.hint == "Sum over the four placements.")
    #expect(question.expect.description == "learned.grad[0,0]")
  }

  @Test func expressionsFollowArithmeticPrecedence() throws {
    let lesson = try LessonParser.parse(
      """
      format 1
      title "Sums"
      step "a"
        compute weights = 3 * 256 * 256 * 1000
        compute mixed = 1 + 2 * -3 / (4 - 1)
        compute region = sum(edges[1..2, *]) + max(maps[0, 0..1, 3])
        challenge "c"
          edit k
          goal all(edges[*, 0]) >= 2
          goal any(edges) != 0
          goal max(edges) - min(edges) < 1/2
          hint "h"
        end
      end
      """, file: "sums.cnnlab")
    let statements = lesson.steps[0].statements
    guard case .compute(_, let weights) = statements[0].kind,
      case .compute(_, let mixed) = statements[1].kind,
      case .compute(_, let region) = statements[2].kind,
      case .challenge(let challenge) = statements[3].kind
    else {
      Issue.record("unexpected statements \(statements)")
      return
    }
    #expect(weights.description == "3 * 256 * 256 * 1000")
    guard case .binary(.add, _, .binary(.divide, .binary(.multiply, _, .negate, _), _, _), _) = mixed else {
      Issue.record("wrong precedence: \(mixed)")
      return
    }
    #expect(region.description == "sum(edges[1..2,*]) + max(maps[0,0..1,3])")
    #expect(challenge.goals.map(\.description) == ["all(edges[*,0]) >= 2", "any(edges) != 0", "max(edges) - min(edges) < 1/2"])
    #expect(challenge.goals[0].quantifier == .all)
  }

  @Test func networksListTheirLayers() throws {
    let lesson = try LessonParser.parse(
      """
      format 1
      title "MNIST"
      network mnist 1x28x28
        conv 32 5x5 pad same relu
        maxpool 2 stride 2
        flatten
        dense 1024 relu
        dense 10 softmax
      end
      step "Shapes"
        layers mnist -> summary
      end
      """, file: "net.cnnlab")
    let network = try #require(lesson.networks.first)
    #expect(network.inputShape == [1, 28, 28])
    #expect(network.layers.map(\.text) == ["conv 32 5x5 pad same relu", "maxpool 2 stride 2", "flatten", "dense 1024 relu", "dense 10", "softmax"])
    #expect(network.layers.last?.kind == .softmax)
    #expect(network.layers[0].location == SourceLocation(line: 4, column: 3))
  }

  @Test func networkLayerMistakesPointIntoTheLine() {
    let text = MarkedText(
      """
      format 1
      title "MNIST"
      network mnist 1x28x28
        conv 32 5x5 1️⃣wiggle
      end
      step "Shapes"
        layers mnist -> summary
      end
      """)
    let diagnostics = parseDiagnostics(text.text)
    #expect(diagnostics.map(\.location) == [text["1️⃣"]])
  }

  @Test func lexerReadsFractionsShapesAndRanges() throws {
    let tokens = try LessonLexer.tokens("x[1..2] 1/9 3x7x7 .5 a-b -> \"q\\\"\" # gone")
    #expect(tokens.map(\.text) == ["x", "[", "1", "..", "2", "]", "1/9", "3x7x7", ".5", "a-b", "->", "\"q\\\"\""])
    #expect(tokens[6].kind == .number(1.0 / 9))
    #expect(tokens[7].kind == .shape([3, 7, 7]))
    #expect(tokens[11].kind == .string("q\""))
    #expect(LessonLexer.parseNumber("-3/4") == -0.75)
    #expect(LessonLexer.parseNumber("1/0") == nil)
    #expect(LessonLexer.parseNumber("1.2.3") == nil)
  }
}

@Suite struct LessonDiagnosticTests {
  /// Parses marked text and expects exactly one diagnostic per marker, at the marker.
  func expectDiagnostics(
    _ marked: String, _ expected: [(Character, String)], sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    let text = MarkedText(marked)
    let found = parseDiagnostics(text.text)
    let got = found.map { "\($0.line):\($0.column): \($0.message)" }
    let want = expected.map { "\(text[$0.0]): \($0.1)" }
    #expect(got == want, sourceLocation: sourceLocation)
    for diagnostic in found {
      #expect(!diagnostic.note.isEmpty, "every diagnostic says how to fix it", sourceLocation: sourceLocation)
    }
  }

  @Test func printsFileLineColumnThenNote() {
    let diagnostic = LessonDiagnostic(
      file: "lessons/02-edges/lesson.cnnlab", line: 17, column: 29, message: "no kernel named 'blur'",
      note: "declare it first")
    #expect(
      diagnostic.description
        == "lessons/02-edges/lesson.cnnlab:17:29: error: no kernel named 'blur'\nnote: declare it first")
  }

  @Test func aLessonStartsWithFormatOne() {
    expectDiagnostics("1️⃣title \"x\"\n", [("1️⃣", "a lesson starts with 'format 1'")])
    expectDiagnostics("format 1️⃣2\n", [("1️⃣", "format 2 is not one this cnnlab reads")])
    expectDiagnostics("1️⃣", [("1️⃣", "the lesson is empty")])
  }

  @Test func reportsSeveralIndependentMistakesInOnePass() {
    expectDiagnostics(
      """
      format 1
      title "Two mistakes"
      grid image 2x2
        1 2
        3 1️⃣seven
      end
      step "s"
        2️⃣frobnicate image
        convolve image with k stride 3️⃣0 -> out
        say "ok"
      end
      """,
      [
        ("1️⃣", "'seven' is not a number"),
        ("2️⃣", "unknown statement 'frobnicate' in a step"),
        ("3️⃣", "the stride must be a whole number from 1 to 1024, not 0"),
      ])
  }

  @Test func gridShapesMustMatchTheirRows() {
    expectDiagnostics(
      """
      format 1
      title "Shapes"
      1️⃣grid image 3x3
        1 2 3
        4 5 6
      end
      grid ragged 2x2
        1 2
      2️⃣  3
      end
      step "s"
        say "x"
      end
      """,
      [
        ("1️⃣", "grid 'image' is declared 3x3 but the rows written make a 2x3 grid"),
        ("2️⃣", "this row has 1 numbers but the rows above have 2"),
      ])
  }

  @Test func blocksNeedTheirEnd() {
    expectDiagnostics(
      """
      format 1
      title "Ends"
      1️⃣kernel k 2x2
        1 0
        0 1
      2️⃣step "s"
        say "a"
      step "t"
        say "b"
      end
      """,
      [
        ("1️⃣", "the kernel 'k' has no 'end'"),
        ("2️⃣", "the step \"s\" has no 'end'"),
      ])
  }

  @Test func namesAreUsedOnce() {
    expectDiagnostics(
      """
      format 1
      title "Names"
      grid a 1
        1
      end
      kernel 1️⃣a 1
        1
      end
      step "s"
        relu a -> 2️⃣a
      end
      """,
      [
        ("1️⃣", "'a' is already a name, given at line 3"),
        ("2️⃣", "'a' is already a name, given at line 3"),
      ])
  }

  @Test func questionsAndHintsKeepTheirPlace() {
    expectDiagnostics(
      """
      format 1
      title "Questions"
      step "s"
        1️⃣hint "no question yet"
        ask "a" answer 2️⃣expect x
        ask "b" answer 1 expect 3️⃣4x4
        relu x -> y
        4️⃣softmax y -> z
      end
      """,
      [
        ("1️⃣", "a hint must follow an 'ask' line"),
        ("2️⃣", "expected the answer, found 'expect'"),
        ("3️⃣", "a shape like '4x4' cannot be used in a calculation"),
        ("4️⃣", "a step has one operation; this one already has one at line 7"),
      ])
  }

  @Test func presetsMustExistAndFit() {
    expectDiagnostics(
      """
      format 1
      title "Presets"
      kernel k 3x3
        presets identity 1️⃣nonsense 2️⃣gaussian-5x5
        0 0 0
        0 1 0
        0 0 0
      end
      kernel j preset 3️⃣blurry
      step "s"
        say "x"
      end
      """,
      [
        ("1️⃣", "no preset named 'nonsense'"),
        ("2️⃣", "preset 'gaussian-5x5' is 5x5 but kernel 'k' is 3x3"),
        ("3️⃣", "no preset named 'blurry'"),
      ])
  }

  @Test func overlongExpressionsAreRefused() {
    let chain = Array(repeating: "1", count: 150).joined(separator: " + ")
    let nested = String(repeating: "(", count: 60) + "1" + String(repeating: ")", count: 60)
    let text = "format 1\ntitle \"Long\"\nstep \"s\"\n  compute a = \(chain)\n  compute b = \(nested)\nend\n"
    #expect(parseDiagnostics(text).map(\.message) == ["the expression is too long", "the expression is nested too deeply"])
  }

  @Test func typosGetASuggestionAndOneDiagnostic() {
    let text = MarkedText(
      """
      format 1
      title "Typos"
      step "s"
        1️⃣sya "hello"
        convolve image with k 2️⃣strde 2 -> out
        ask "What?" answer 27 3️⃣exepct out[0,0]
        hint "The hint of a broken question is not reported again."
      end
      """)
    let diagnostics = parseDiagnostics(text.text)
    #expect(diagnostics.map(\.location) == [text["1️⃣"], text["2️⃣"], text["3️⃣"]])
    #expect(diagnostics.map(\.note).prefix(2) == ["did you mean 'say'?", "did you mean 'stride'?"])
  }

  @Test func windowsLineEndsAByteOrderMarkAndSmartQuotes() throws {
    let lesson = try LessonParser.parse("\u{FEFF}format 1\r\ntitle \"Windows\"\r\nstep \"s\"\r\n  say\r\n    Hello.\r\n  end\r\nend\r\n", file: "w")
    #expect(lesson.steps.first?.statements.first?.kind == .say(["Hello."]))
    let text = MarkedText("format 1\ntitle 1️⃣“Curly”\nstep \"s\"\n  say \"x\"\nend\n")
    let diagnostics = parseDiagnostics(text.text)
    #expect(diagnostics.map(\.location) == [text["1️⃣"]])
    #expect(diagnostics.first?.message == "'“' is a typographic quote")
  }

  @Test func textMustBeClosed() {
    expectDiagnostics(
      """
      format 1
      title "Quotes"
      step "s"
        say 1️⃣"never closed
        note "fine"
      end
      """,
      [("1️⃣", "text has no closing quote")])
  }

  @Test func statementsBelongInTheirBlocks() {
    expectDiagnostics(
      """
      format 1
      title "Places"
      1️⃣say "outside"
      2️⃣end
      step "s"
        3️⃣goal x > 1
      end
      """,
      [
        ("1️⃣", "'say' must be inside a step"),
        ("2️⃣", "'end' without a block to close"),
        ("3️⃣", "'goal' must be inside a challenge"),
      ])
  }
}
