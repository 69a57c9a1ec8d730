import CNNLabEngine
import CNNLabLessons
import Testing

@testable import CNNLabTUI

/// What the player lights and writes out for the cell being computed: the input cell a value
/// really comes from, the shape of a working whose result is asked, and steps that ask about
/// one cell twice.
@Suite struct LessonTraceTests {
  /// A lesson from `text`, on a 100x32 screen, at `step` (0-based) paused at `frame`.
  func player(_ text: String, step: Int = 0, frame: Int) throws -> LessonPlayer {
    let lesson = try LessonParser.parse(text, file: "trace.cnnlab")
    var player = LessonPlayer(source: LessonSource(lesson: lesson, name: "trace"))
    _ = player.update(.resized(width: 100, height: 32))
    player.show(step: step, frame: frame)
    return player
  }

  /// The input panels on screen, with the values of the cells lit as the current window.
  func litInput(_ player: LessonPlayer) -> [(title: String, channel: Int, lit: [GridPoint: Float])] {
    player.panels(maxWidth: 100).compactMap { panel in
      guard panel.kind == .input, case .numbers(let grid, _, _) = panel.body else { return nil }
      var lit: [GridPoint: Float] = [:]
      for (point, role) in grid.cellRoles where role == .kernelWindow {
        lit[point] = grid.values[point.row][point.column]
      }
      return (panel.title, panel.channel, lit)
    }
  }

  /// A 3x2x2 picture whose twelve values are all different, so a lit cell names its source.
  static let picture = """
    format 1
    title "Orders"
    grid rgb 3x2x2
      1  2
      3  4

      5  6
      7  8

      9 10
     11 12
    end
    step "Channels last"
      layout rgb hwc -> hwc
    end
    step "One channel"
      channel rgb 2 -> blue
    end
    step "Channels last, asked"
      ask "What will last[1,0,2] be?" answer 11 expect last[1,0,2]
      layout rgb hwc -> last
    end
    step "ReLU, asked"
      ask "What will r[0,1,1] be?" answer 4 expect r[0,1,1]
      relu rgb -> r
    end
    """

  /// Channels last: hwc[y,x,k] = rgb[k,y,x] by the definition of the orders, so hwc[1,0,2]
  /// (frame (1·2 + 0)·3 + 2 = 8) is rgb[2,1,0] = 11, in the third channel's panel.
  @Test func channelsLastLightsTheChannelAndCellTheValueComesFrom() throws {
    let player = try player(LessonTraceTests.picture, frame: 8)
    let inputs = litInput(player)
    #expect(inputs.count == 1)
    #expect(inputs.first?.channel == 2)
    #expect(inputs.first?.title.hasPrefix("rgb[2]") == true)
    #expect(inputs.first?.lit == [GridPoint(row: 1, column: 0): 11])
    #expect(player.arithmeticText(glyphs: .unicode, width: 100).map(\.text) == ["hwc[1,0,2] = 11   from rgb[2,1,0]"])
  }

  /// At every frame of a reordering or a channel taken out, exactly one input cell is lit and
  /// it holds the value the engine wrote into the current output cell.
  @Test(arguments: [0, 1]) func everyFrameLightsTheCellItsValueComesFrom(step: Int) throws {
    var player = try player(LessonTraceTests.picture, step: step, frame: 0)
    guard case let animation? = player.scene?.animation else {
      Issue.record("the step has an operation")
      return
    }
    let output: Tensor
    switch animation {
    case .layout(let a): output = a.output
    case .channel(let a): output = a.output
    default:
      Issue.record("unexpected operation \(animation)")
      return
    }
    #expect(animation.frameCount == output.count)
    for frame in 0..<animation.frameCount {
      player.show(step: step, frame: frame)
      let lit = litInput(player).flatMap { $0.lit.values }
      #expect(lit == [output.scalars[frame]], "step \(step) frame \(frame)")
    }
  }

  /// Taking channel 2 out: blue[1,1] (frame 3) is rgb[2,1,1] = 12.
  @Test func aChannelTakenOutLightsItsSourceInThatChannel() throws {
    let player = try player(LessonTraceTests.picture, step: 1, frame: 3)
    let lit = litInput(player).filter { !$0.lit.isEmpty }
    #expect(lit.map(\.channel) == [2])
    #expect(lit.first?.lit == [GridPoint(row: 1, column: 1): 12])
    #expect(player.arithmeticText(glyphs: .unicode, width: 100).map(\.text) == ["blue[1,1] = 12   from rgb[2,1,1]"])
  }

  /// A value a question asks about is `?` in the working, which still says where to read it.
  @Test func anAskedCellMovedOrRectifiedShowsWhereToReadItButNotItsValue() throws {
    let last = try player(LessonTraceTests.picture, step: 2, frame: 8)
    #expect(last.arithmeticText(glyphs: .unicode, width: 100).map(\.text) == ["last[1,0,2] = ?   from rgb[2,1,0]"])
    #expect(litInput(last).first?.lit == [GridPoint(row: 1, column: 0): 11])
    let other = try player(LessonTraceTests.picture, step: 2, frame: 7)
    #expect(other.arithmeticText(glyphs: .unicode, width: 100).map(\.text) == ["last[1,0,1] = 7   from rgb[1,1,0]"])
    let relu = try player(LessonTraceTests.picture, step: 3, frame: 3)
    #expect(relu.arithmeticText(glyphs: .unicode, width: 100).map(\.text) == ["r[0,1,1] = max(0, 4) = ?"])
  }

  /// x padded by one ring of zeros under an all-ones kernel: out[0,0] = 1 + 2 + 4 + 5 = 12,
  /// normalised 12/9 = 1.33; with bias −1, 12/9 − 1 = 0.33 and ReLU keeps it.
  static let normalised = """
    format 1
    title "Normalised"
    grid x 3x3
      1 2 3
      4 5 6
      7 8 9
    end
    kernel k 3x3
      1 1 1
      1 1 1
      1 1 1
    end
    step "Shown"
      convolve x with k normalize padding same -> out
    end
    step "Asked"
      ask "What will asked[0,0] be?" answer 12/9 expect asked[0,0]
      convolve x with k normalize padding same -> asked
    end
    step "Asked, with bias and ReLU"
      ask "What will r[0,0] be?" answer 1/3 expect r[0,0]
      convolve x with k normalize bias -1 relu padding same -> r
    end
    step "Asked twice"
      ask "What will twice[0,0] be?" answer 12/9 expect twice[0,0]
      ask "And as a decimal, to two places?" answer 1.33 expect twice[0,0]
      convolve x with k normalize padding same -> twice
    end
    """

  func working(step: Int) throws -> String {
    let player = try player(LessonTraceTests.normalised, step: step, frame: 0)
    return try #require(player.arithmeticText(glyphs: .unicode, width: 200).map(\.text).first)
  }

  @Test func aShownNormalisedWorkingEndsWithItsDivision() throws {
    #expect(try working(step: 0).hasSuffix(" = 12  →  12/9 = 1.33"))
  }

  /// An asked cell keeps the shape of its working (the ÷9, the bias, the ReLU) and no value.
  @Test func anAskedWorkingKeepsItsDivisionAndHidesItsValues() throws {
    let asked = try working(step: 1)
    #expect(asked.hasPrefix("asked[0,0] = (0×1) + "))
    #expect(asked.hasSuffix(" = ?  →  ?/9"))
    #expect(!asked.contains("12") && !asked.contains("1.33"))
    let withBias = try working(step: 2)
    #expect(withBias.hasSuffix(" = ?  →  ?/9 − 1  →  ReLU(?)"))
    #expect(!withBias.contains("12") && !withBias.contains("0.33"))
  }

  /// Two questions about one cell: the step draws, the cell shows `?` once, and the working
  /// hides it.
  @Test func twoQuestionsAboutOneCellDoNotStopThePlayer() throws {
    let player = try player(LessonTraceTests.normalised, step: 3, frame: 0)
    let output = try #require(player.panels(maxWidth: 100).first { $0.kind == .output(0) })
    guard case .numbers(_, _, let text) = output.body else {
      Issue.record("the output is drawn as numbers")
      return
    }
    #expect(text == [GridPoint(row: 0, column: 0): "?"])
    let shown = frame(of: player).lines.joined(separator: "\n")
    #expect(shown.contains("twice[0,0] = "))
    #expect(!shown.contains("1.33"), "\(shown)")
    #expect(try working(step: 3).hasSuffix(" = ?  →  ?/9"))
  }
}
