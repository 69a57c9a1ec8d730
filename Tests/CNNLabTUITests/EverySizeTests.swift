@testable import CNNLabTraining
import CNNLabData
@testable import CNNLabEngine
import CNNLabLessons
import Foundation
import Testing

@testable import CNNLabTUI

/// Every screen at 80x24, 100x30 and 200x60: every step of every shipped lesson, the menu, the
/// help overlays and every training pane.
///
/// What "nothing is cut off" means here, precisely:
/// - The hint bar (the last row) holds the help key and the way back or out.
/// - Nothing is cut at the screen's edge: a screen lays itself out for the size it was told and
///   is drawn on a buffer `spill` columns wider; those columns must stay blank. (The menu lays
///   out for its buffer, and keeps its last column blank instead.)
/// - Nothing is cut at the edge of an area: one-line headers, status lines and hint bars are
///   `FitLine`s, which show a field whole, leave it out, or shorten a message at a space with an
///   ellipsis (`FitLineTests`); and the lesson layout gives every grid at least its natural width.
/// - Nothing overlaps: the lesson layout's areas, and its grids, are pairwise disjoint; a help
///   overlay shows every binding of its key table, whole, on its own row.
@Suite struct EverySizeTests {
  static let sizes = [(80, 24), (100, 30), (200, 60)]
  static let spill = 8

  /// What is wrong with a frame drawn `spill` columns wider than the `width` it was laid out for.
  static func problems(_ buffer: CellBuffer, width: Int, footer: [String]) -> [String] {
    var found: [String] = []
    for y in 0..<buffer.height {
      let past = (width..<buffer.width).filter { buffer[x: $0, y: y] != Cell() }
      if !past.isEmpty {
        found.append("row \(y) is drawn past the right edge: \(buffer.lines[y].suffix(buffer.width - width + 12))")
      }
    }
    let last = String(buffer.lines[buffer.height - 1].prefix(width))
    for key in footer where !last.contains(key) {
      found.append("the hint bar lacks '\(key)': \(last)")
    }
    return found
  }

  /// Words on `row` that are not whole words of `line`'s fields: a word cut inside. A field
  /// shortened at a space ends in an ellipsis after whole words, which is allowed.
  static func cutWords(_ row: String, _ line: FitLine) -> [String] {
    let words = Set(line.fields.flatMap { $0.text.split(separator: " ").map(String.init) })
    return row.split(separator: " ").map(String.init).filter { word in
      if words.contains(word) { return false }
      if word.hasSuffix("…"), words.contains(String(word.dropLast())) { return false }
      // Per-cell fields such as the progress dots are words of their own parts.
      return !line.fields.contains { field in field.parts.allSatisfy { $0.text.count <= 1 } && field.text == word }
    }
  }

  static func frame(_ program: some Program, width: Int, height: Int, capabilities: Capabilities = .full) -> CellBuffer {
    var buffer = CellBuffer(width: width + spill, height: height, capabilities: capabilities)
    program.render(into: &buffer)
    return buffer
  }

  /// The lesson layout's areas and grids: inside the screen, apart, grids at full width.
  static func layoutProblems(_ player: LessonPlayer, width: Int, height: Int) -> [String] {
    let layout = player.layout
    let screen = Rect(x: 0, y: 0, width: width, height: height)
    var found: [String] = []
    let areas = [
      ("header", layout.header), ("prose", layout.prose), ("grids", layout.grids),
      ("arithmetic", layout.arithmetic), ("status", layout.status), ("interaction", layout.interaction),
      ("hints", layout.hints),
    ].filter { !$0.1.isEmpty }
    for (i, (name, area)) in areas.enumerated() {
      if area.intersection(screen) != area { found.append("\(name) \(area) is not inside the screen") }
      for (other, rect) in areas[(i + 1)...] where !area.intersection(rect).isEmpty {
        found.append("\(name) \(area) overlaps \(other) \(rect)")
      }
    }
    for (i, panel) in layout.panels.enumerated() {
      if panel.frame.x < layout.grids.x || panel.frame.maxX > layout.grids.maxX {
        found.append("grid \(panel.title) \(panel.frame) is outside the grid area \(layout.grids)")
      }
      if panel.frame.width < panel.size.width { found.append("grid \(panel.title) is cut at the right") }
      for other in layout.panels[(i + 1)...] where !panel.frame.intersection(other.frame).isEmpty {
        found.append("grid \(panel.title) \(panel.frame) overlaps \(other.title) \(other.frame)")
      }
    }
    return found
  }

  static func course() throws -> Course {
    let course = Course.load(directory: TestPaths.repository + "/lessons")
    #expect(course.entries.count == 17)
    return course
  }

  static func player(_ course: Course, _ index: Int) throws -> LessonPlayer {
    let entry = course.entries[index]
    let lesson = try #require(entry.lesson, "\(entry.name) loads")
    return LessonPlayer(source: LessonSource(lesson: lesson, name: entry.name, number: index + 1, count: course.entries.count))
  }

  // MARK: - Lessons

  @Test(arguments: sizes)
  func everyLessonStep(width: Int, height: Int) throws {
    let course = try Self.course()
    var found: [String] = []
    for index in course.entries.indices {
      var player = try Self.player(course, index)
      _ = player.update(.resized(width: width, height: height))
      for step in 0..<player.scenes.count {
        for state in ["arrival", "first frame", "last frame", "every beat", "finished"] {
          switch state {
          case "arrival": player.show(step: step)
          case "first frame": player.show(step: step, frame: 0)
          case "last frame": player.show(step: step, frame: Int.max)
          default: player.arrive(at: step, revealAll: true)
          }
          if state == "finished" {
            guard step == player.scenes.count - 1 else { continue }
            _ = player.next()
          }
          let place = "\(course.entries[index].name) step \(step + 1) (\(state))"
          let footer = player.focus == .lesson ? ["? help", "q back"] : ["? help", "Esc done"]
          let buffer = Self.frame(player, width: width, height: height)
          found += Self.problems(buffer, width: width, footer: footer).map { "\(place): \($0)" }
          found += Self.layoutProblems(player, width: width, height: height).map { "\(place): \($0)" }
          let layout = player.layout
          var lines = [(0, player.headerLine(glyphs: .unicode)), (layout.status.y, player.statusLine(glyphs: .unicode, gridsClipped: layout.gridsClipped))]
          if let scene = player.scene { lines.append((1, player.stepTitleLine(scene, glyphs: .unicode))) }
          for (y, line) in lines {
            found += Self.cutWords(buffer.lines[y], line).map { "\(place): '\($0)' is cut in row \(y)" }
          }
        }
      }
    }
    #expect(found.isEmpty, Comment(rawValue: "at \(width)x\(height):\n" + found.prefix(40).joined(separator: "\n")))
  }

  /// The fields a step offers besides the answer line: lesson 4's three features in the editor
  /// one after another (Tab), and lesson 12's receptive-field cursor on every cell of its top map.
  @Test(arguments: sizes)
  func theFeatureEditorAndTheFieldCursor(width: Int, height: Int) throws {
    let course = try Self.course()
    var found: [String] = []
    func check(_ player: LessonPlayer, _ place: String) {
      let buffer = Self.frame(player, width: width, height: height)
      found += Self.problems(buffer, width: width, footer: ["? help", "Esc done"]).map { "\(place): \($0)" }
      found += Self.layoutProblems(player, width: width, height: height).map { "\(place): \($0)" }
      let layout = player.layout
      let status = player.statusLine(glyphs: .unicode, gridsClipped: layout.gridsClipped)
      found += Self.cutWords(buffer.lines[layout.status.y], status).map { "\(place): '\($0)' is cut in the status line" }
    }
    var features = try Self.player(course, 3)
    _ = features.update(.resized(width: width, height: height))
    features.show(step: features.scenes.count - 1, frame: Int.max)
    for index in 0..<3 {
      _ = features.update(.keyPressed(.tab))
      #expect(features.focus == .kernel && features.kernelIndex == index)
      check(features, "04 feature \(index + 1)")
    }
    var stack = try Self.player(course, 11)
    _ = stack.update(.resized(width: width, height: height))
    stack.show(step: try #require(stack.scenes.firstIndex { $0.title == "Follow a cell down the stack" }))
    _ = stack.update(.keyPressed(.right))
    for key in [Key.char("7"), .enter, .right, .char("s"), .tab, .up, .up, .left, .left] { _ = stack.update(.keyPressed(key)) }
    #expect(stack.focus == .field)
    for row in 0..<3 {
      for col in 0..<3 {
        check(stack, "12 cursor on top[\(row),\(col)]")
        _ = stack.update(.keyPressed(.right))
      }
      for key in [Key.down, .left, .left] { _ = stack.update(.keyPressed(key)) }
    }
    #expect(found.isEmpty, Comment(rawValue: "at \(width)x\(height):\n" + found.prefix(40).joined(separator: "\n")))
  }

  /// The lesson help lists every binding of the key table once, whole; the hint bar names only
  /// keys the table has.
  @Test(arguments: sizes)
  func lessonHelpAndHintsMatchTheKeyTable(width: Int, height: Int) throws {
    let course = try Self.course()
    let sources = try course.entries.indices.map { index in
      try Self.player(course, index).source
    }
    var app = CourseApp(
      sources: sources,
      entries: sources.map { CourseMenu.Entry(name: $0.name, title: $0.title, summary: "", steps: 1) })
    _ = app.update(.resized(width: width, height: height))
    _ = app.update(.keyPressed(.enter))
    _ = app.update(.keyPressed(.escape))
    _ = app.update(.keyPressed(.char("?")))
    let buffer = Self.frame(app, width: width, height: height)
    #expect(Self.problems(buffer, width: width, footer: []).isEmpty)
    #expect(Self.helpProblems(buffer, LessonPlayer.helpHints).isEmpty, "\(Self.helpProblems(buffer, LessonPlayer.helpHints))")
    // Hints named by keys use keys of the table; the others (arrows, digits) its key labels.
    let tableKeys = Set(LessonPlayer.keys.flatMap(\.keys))
    let labelled = LessonPlayer.keys.compactMap(\.keyLabel)
    var player = try Self.player(course, 3)
    for focusKey in [nil, Key.tab, Key.tab] {
      if let focusKey { _ = player.update(.keyPressed(focusKey)) }
      for hint in player.hintsForFocus {
        let known =
          hint.keys.isEmpty
          ? hint.keyLabel == "letters" || labelled.contains { $0.prefix(3) == hint.keyLabel?.prefix(3) }
          : hint.keys.allSatisfy(tableKeys.contains)
        #expect(known, "hint \(hint.label(.unicode)) \(hint.summary) has no key in the table")
      }
    }
  }

  /// Each hint's key names and summary on the overlay: the summary starts on the key's row and
  /// goes on, whole words at a time, on the rows under it.
  static func helpProblems(_ buffer: CellBuffer, _ hints: [KeyHint]) -> [String] {
    // The inside of the box on each row: between the columns of its top corners.
    let top = buffer.lines.first { $0.contains("┌") && $0.contains(" keys ─") }.map(Array.init) ?? []
    let left = (top.firstIndex(of: "┌") ?? 0) + 1
    let right = top.lastIndex(of: "┐") ?? 0
    let lines = buffer.lines.map { line -> String in
      let cells = Array(line)
      guard right > left, cells.count >= right else { return "" }
      return String(cells[left..<right]).trimmingCharacters(in: .whitespaces)
    }
    return hints.compactMap { hint in
      let label = hint.label(buffer.glyphs)
      for (row, line) in lines.enumerated() where line.hasPrefix(label + " ") {
        var said = line.dropFirst(label.count).trimmingCharacters(in: .whitespaces)
        var next = row + 1
        while said.count < hint.summary.count, hint.summary.hasPrefix(said + " "), next < lines.count {
          said += " " + lines[next]
          next += 1
        }
        if said == hint.summary { return nil }
      }
      return "help lacks \(label) \(hint.summary)"
    }
  }

  @Test(arguments: sizes)
  func theMenuAndItsHelp(width: Int, height: Int) throws {
    var app = CourseApp(course: try Self.course())
    _ = app.update(.resized(width: width, height: height))
    for help in [false, true] {
      if help { _ = app.update(.keyPressed(.char("?"))) }
      var buffer = CellBuffer(width: width, height: height)
      app.render(into: &buffer)
      let lastColumn = buffer.lines.map { String($0.suffix(1)) }.joined()
      #expect(lastColumn.allSatisfy { $0 == " " }, "the menu reaches its last column: \(buffer.lines)")
      if help {
        #expect(Self.helpProblems(buffer, CourseMenu.keys.map(KeyHint.init)).isEmpty)
      } else {
        #expect(buffer.lines[height - 1].contains("? help"))
        #expect(buffer.lines[height - 1].contains("q/Esc quit"))
      }
    }
  }

  // MARK: - Training

  /// A run of a few steps made to look further along: curves, an epoch, the confusion matrix, and
  /// the maps of the first example and of the blank canvas. Made once: inspecting is slow in debug.
  struct TrainingFixture: Sendable {
    var data: TrainingData
    var snapshot: TrainingSnapshot
    var exampleProbe: Probe?
    var canvasProbe: Probe?

    init(data: TrainingData, spec: String) throws {
      self.data = data
      let configuration = TrainingConfiguration(
        spec: try NetworkSpec.parse(spec), inputShape: data.inputShape, optimizer: .momentum, learningRate: 0.05,
        batchSize: 8, seed: 7, epochs: 3)
      let run = try TrainingRun(configuration: configuration, training: data.training!, validation: data.validation)
      snapshot = run.snapshot
      snapshot.state = .running
      snapshot.losses = (0..<400).map { 0.7 * exp(-Float($0) / 100) }
      snapshot.accuracies = (0..<400).map { min(1, Float($0) / 250) }
      for (loss, accuracy) in zip(snapshot.losses, snapshot.accuracies) { snapshot.history.append(loss: loss, accuracy: accuracy) }
      snapshot.step = 400
      snapshot.epoch = 1
      snapshot.stepInEpoch = 37
      snapshot.stepsPerEpoch = 250
      snapshot.totalEpochs = 3
      snapshot.imagesPerSecond = 12_345
      snapshot.elapsed = 3_725
      snapshot.remaining = 4_000
      snapshot.epochs = [
        EpochSummary(
          epoch: 1, trainLoss: 0.3, trainAccuracy: 0.9, validationLoss: 0.25, validationAccuracy: 0.934,
          imagesPerSecond: 12_000, elapsed: 1_800)
      ]
      snapshot.inspection = run.inspect(example: 0)
      let screen = TrainingScreen(snapshot: snapshot, data: data, title: "")
      exampleProbe = run.probe(data.validation.inputs.slice(0), id: TrainingScreen.probeTargets + 1)
      canvasProbe = run.probe(screen.canvasTensor, id: TrainingScreen.probeTargets)
    }

    /// The screen on `pane`, with a notice in the status line, and its help open if asked.
    func screen(_ pane: TrainingScreen.Pane, width: Int, height: Int, help: Bool = false) -> TrainingScreen {
      var screen = TrainingScreen(snapshot: snapshot, data: data, title: "cnnlab train \(data.name)")
      _ = screen.update(.resized(width: width, height: height))
      _ = screen.update(.keyPressed(.char(pane == .draw ? "d" : Character(String(pane.rawValue + 1)))))
      var probed = snapshot
      probed.probe = pane == .draw ? canvasProbe : exampleProbe
      _ = screen.update(.trainingPublished(probed))
      _ = screen.update(.keyPressed(.char("o")))
      _ = screen.update(.ticked)
      if help { _ = screen.update(.keyPressed(.char("?"))) }
      return screen
    }
  }

  static let trainingFixtures: [TrainingFixture] = {
    do {
      let mnist = try TrainingData.load("mnist", assetsDirectory: TestPaths.repository + "/assets")
      return [
        try TrainingFixture(
          data: TrainingData.xo(trainingCount: 64, validationCount: 16, testCount: 16),
          spec: "conv 3 3x3 nobias relu | maxpool 2 ceil | dense 2"),
        try TrainingFixture(
          data: mnist, spec: "conv 8 5x5 pad 2 relu | maxpool 2 | conv 16 5x5 pad 2 relu | maxpool 2 | dense 10"),
      ]
    } catch {
      Issue.record("cannot set up training: \(error)")
      return []
    }
  }()

  /// Also at 70 columns, where the header once ended in half a clock.
  @Test(arguments: sizes + [(70, 24)])
  func everyTrainingPane(width: Int, height: Int) throws {
    var found: [String] = []
    for fixture in Self.trainingFixtures {
      for pane in TrainingScreen.Pane.allCases {
        for help in [false, true] {
          let screen = fixture.screen(pane, width: width, height: height, help: help)
          let buffer = Self.frame(screen, width: width, height: height)
          let footer = pane == .draw ? ["? help", "Esc back"] : ["? help", "q/Esc quit"]
          let place = "\(fixture.data.name) \(pane.title)\(help ? " help" : "")"
          found += Self.problems(buffer, width: width, footer: footer).map { "\(place): \($0)" }
          for (y, line) in [(0, screen.headerLine(glyphs: .unicode, width: width)), (1, screen.statusLine())] {
            found += Self.cutWords(buffer.lines[y], line).map { "\(place): '\($0)' is cut in row \(y)" }
          }
          if help {
            let table = screen.activeKeys
            found += Self.helpProblems(buffer, table.map(KeyHint.init)).map { "\(place): \($0)" }
          }
        }
      }
    }
    // The Mistakes pane with a cell's examples listed.
    for fixture in Self.trainingFixtures {
      var screen = fixture.screen(.mistakes, width: width, height: height)
      _ = screen.update(.keyPressed(.down))
      _ = screen.update(.keyPressed(.enter))
      let buffer = Self.frame(screen, width: width, height: height)
      found += Self.problems(buffer, width: width, footer: ["? help", "q/Esc quit"]).map {
        "\(fixture.data.name) Mistakes list: \($0)"
      }
    }
    #expect(found.isEmpty, Comment(rawValue: "at \(width)x\(height):\n" + found.joined(separator: "\n")))
  }

  // MARK: - Snapshots

  @Test(arguments: sizes)
  func snapshotOfTheXOLessonScoringOneWindow(width: Int, height: Int) throws {
    var player = try Self.player(try Self.course(), 3)
    _ = player.update(.resized(width: width, height: height))
    player.show(step: 2, frame: 14)
    var buffer = CellBuffer(width: width, height: height)
    player.render(into: &buffer)
    assertSnapshot(buffer, function: "xoLessonStep3At\(width)x\(height)")
  }

  @Test(arguments: sizes)
  func snapshotOfTheTrainingCurves(width: Int, height: Int) throws {
    let fixture = try #require(Self.trainingFixtures.first)
    let screen = fixture.screen(.curves, width: width, height: height)
    var buffer = CellBuffer(width: width, height: height)
    screen.render(into: &buffer)
    assertSnapshot(buffer, function: "trainingCurvesAt\(width)x\(height)")
  }
}
