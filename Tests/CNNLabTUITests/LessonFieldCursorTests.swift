import CNNLabEngine
import CNNLabLessons
import Testing

@testable import CNNLabTUI

/// Lesson 12's receptive-field cursor: once its question is answered, Tab puts a cursor on the
/// top of a conv → conv → conv stack; wherever it goes, the cells it depends on light up in
/// every map below and the status line says how many input pixels it sees. The expected field
/// is worked out here from the layers' kernel sizes and strides, `1 + Σ (k − 1)·jump`.
@Suite struct LessonFieldCursorTests {
  func lessonTwelve(width: Int = 80, height: Int = 24) throws -> LessonPlayer {
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    let entry = try #require(course.entries.first { $0.name == "12-why-convolution" })
    var player = LessonPlayer(
      source: LessonSource(lesson: try #require(entry.lesson), name: entry.name, number: 12, count: course.entries.count))
    _ = player.update(.resized(width: width, height: height))
    let step = try #require(player.scenes.firstIndex { $0.title == "Follow a cell down the stack" })
    player.show(step: step)
    return player
  }

  /// The three layers of the stack, as the lesson writes them: 3x3 kernels at stride 1.
  static let kernels = [3, 3, 3]
  static let strides = [1, 1, 1]

  /// `1 + Σ (k − 1)·jump`, where a layer's jump is the product of the strides before it.
  static func fieldSize(kernels: [Int], strides: [Int]) -> Int {
    var size = 1
    var jump = 1
    for (k, s) in zip(kernels, strides) {
      size += (k - 1) * jump
      jump *= s
    }
    return size
  }

  /// The cells of a named grid's panel drawn as the window.
  func lit(_ player: LessonPlayer, _ name: String) throws -> Set<GridPoint> {
    let panel = try #require(player.layout.panels.first { $0.title.hasPrefix(name + " ") })
    guard case .numbers(let grid, _, _) = panel.body else { return [] }
    return Set(grid.cellRoles.filter { $0.value == .kernelWindow }.map(\.key))
  }

  @Test func theQuestionComesBeforeTheCursorIsOffered() throws {
    var player = try lessonTwelve()
    #expect(player.fieldChain?.grids == ["wide", "low", "mid", "top"])
    _ = player.update(.keyPressed(.right))  // the question
    #expect(player.activeQuestion != nil)
    _ = player.update(.keyPressed(.right))  // the operation runs; the question stays open
    _ = player.update(.keyPressed(.char("s")))
    _ = player.update(.keyPressed(.tab))
    #expect(player.focus != .field)
    #expect(player.fieldText == nil && player.fieldMarks.isEmpty)
    #expect(!player.hintsForFocus.contains { $0.summary == "receptive field" })
  }

  @Test func everyCellOfTheTopSeesAFieldOfOnePlusTheSumOfKMinusOneTimesTheJump() throws {
    var player = try lessonTwelve()
    _ = player.update(.keyPressed(.right))
    for key in [Key.char("7"), .enter, .right, .char("s")] { _ = player.update(.keyPressed(key)) }
    #expect(player.activeQuestion == nil)
    #expect(player.hintsForFocus.contains { $0.summary == "receptive field" })
    _ = player.update(.keyPressed(.tab))
    #expect(player.focus == .field)
    let size = Self.fieldSize(kernels: Self.kernels, strides: Self.strides)
    #expect(size == 7)
    for row in 0..<3 {
      for col in 0..<3 {
        for key in [Key.up, .up, .left, .left] { _ = player.update(.keyPressed(key)) }
        for _ in 0..<row { _ = player.update(.keyPressed(.down)) }
        for _ in 0..<col { _ = player.update(.keyPressed(.right)) }
        #expect(player.fieldCell == GridPosition(row: row, col: col))
        let field = try #require(player.cursorField)
        #expect(field.height == size && field.width == size)
        #expect(
          player.fieldText
            == "top[\(row),\(col)]: this cell sees 7x7 input pixels, rows \(row)–\(row + 6) and columns \(col)–\(col + 6) of wide")
        // Each map below lights the block the cell depends on: 7x7 in the picture, 5x5 in low,
        // and in mid the 3x3 window the top layer reads.
        for (name, extent) in [("wide", size), ("low", Self.fieldSize(kernels: [3, 3], strides: [1, 1])), ("mid", 3)] {
          let expected = Set((row..<(row + extent)).flatMap { r in (col..<(col + extent)).map { GridPoint(row: r, column: $0) } })
          #expect(try lit(player, name) == expected, "\(name) for top[\(row),\(col)]")
        }
        // The status line says it at 80 columns.
        var buffer = CellBuffer(width: 80, height: 1)
        player.statusLine(glyphs: .unicode, gridsClipped: false).render(in: buffer.area, into: &buffer)
        #expect(buffer.lines[0].contains("this cell sees 7x7 input pixels"), "\(buffer.lines[0])")
      }
    }
    // Esc puts the cursor away, and the maps are drawn as before.
    _ = player.update(.keyPressed(.escape))
    #expect(player.focus == .lesson && player.fieldText == nil)
    #expect(try lit(player, "wide").isEmpty)
  }

  @Test func clickingACellOfTheTopPutsTheCursorThere() throws {
    var player = try lessonTwelve(width: 100, height: 30)
    _ = player.update(.keyPressed(.right))
    for key in [Key.char("7"), .enter, .right, .char("s")] { _ = player.update(.keyPressed(key)) }
    let top = try #require(player.layout.panels.first { $0.kind == .output(0) })
    _ = player.update(.mouse(MouseEvent(.leftClick, x: top.frame.x + 1, y: top.frame.y + 1)))
    #expect(player.focus == .field)
    #expect(player.fieldCell == GridPosition(row: 0, col: 0))
    #expect(player.fieldText?.hasPrefix("top[0,0]: this cell sees 7x7 input pixels") == true)
  }

  /// conv 3x3 → max pool 2 stride 2 → conv 3x3 on a 10x10 grid: after the pooling one step is
  /// two pixels, so the top's 3x3 window reaches 2·2 more: 1 + 2·1 + 1·1 + 2·2 = 8.
  static let pooledStack = """
    format 1
    title "A pooled stack"
    grid picture 10x10
    \((0..<10).map { r in (0..<10).map { c in String((r * 10 + c) % 7) }.joined(separator: " ") }.joined(separator: "\n"))
    end
    kernel box 3x3
      1 1 1
      1 1 1
      1 1 1
    end
    step "Low"
      convolve picture with box -> low
    end
    step "Pool"
      pool low max size 2 stride 2 -> pooled
    end
    step "Top"
      show picture, low, pooled, top
      convolve pooled with box -> top
    end
    """

  @Test func aPoolingInTheStackDoublesTheJumpOfTheLayersAboveIt() throws {
    let lesson = try LessonParser.parse(Self.pooledStack, file: "pooled.cnnlab")
    var player = LessonPlayer(source: LessonSource(lesson: lesson, name: "pooled"))
    _ = player.update(.resized(width: 200, height: 60))
    player.show(step: 2)
    _ = player.update(.keyPressed(.char("s")))
    #expect(player.fieldChain?.grids == ["picture", "low", "pooled", "top"])
    _ = player.update(.keyPressed(.tab))
    #expect(player.focus == .field)
    let size = Self.fieldSize(kernels: [3, 2, 3], strides: [1, 2, 1])
    #expect(size == 8)
    for (row, col) in [(0, 0), (0, 1), (1, 1), (1, 0)] {
      for key in [Key.up, .left] { _ = player.update(.keyPressed(key)) }
      for _ in 0..<row { _ = player.update(.keyPressed(.down)) }
      for _ in 0..<col { _ = player.update(.keyPressed(.right)) }
      let field = try #require(player.cursorField)
      #expect(field.height == size && field.width == size)
      // The top cell's first input row: its row times the jump above the input (1·2·1).
      #expect(field.rows.extent == (row * 2)..<(row * 2 + size))
      #expect(field.cols.extent == (col * 2)..<(col * 2 + size))
      #expect(player.fieldText?.contains("this cell sees 8x8 input pixels") == true)
      #expect(try lit(player, "picture").count == size * size)
    }
  }
}
