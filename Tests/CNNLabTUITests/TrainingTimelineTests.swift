import CNNLabData
import CNNLabEngine
import Testing

@testable import CNNLabTUI

/// Pace, the whole run's curves and the timeline on the training screen, against snapshots of a
/// real run handed out by a recording link.
@Suite struct TrainingTimelineTests {
  /// A paused X/O run after `steps` steps (8 batches of 8 make an epoch).
  static func run(steps: Int) throws -> TrainingRun {
    var run = try TrainingRun(
      configuration: try TrainingScreenTests.configuration(), training: TrainingScreenTests.data.training!,
      validation: TrainingScreenTests.data.validation, startPaused: true)
    run.handle(.step(steps))
    while run.wantsToRun { run.advance() }
    return run
  }

  func press(_ screen: inout TrainingScreen, _ keys: Key...) {
    for key in keys { _ = screen.update(.keyPressed(key)) }
  }

  func lines(_ screen: TrainingScreen, width: Int = 100, height: Int = 30) -> [String] {
    var buffer = CellBuffer(width: width, height: height)
    screen.render(into: &buffer)
    return buffer.lines
  }

  @Test func angleBracketsMoveAlongThePaceLadderAndTheHeaderSaysSo() throws {
    var snapshot = try Self.run(steps: 3).snapshot
    snapshot.pace = .stepsPerSecond(30)
    let link = RecordingLink(snapshot)
    var screen = TrainingScreenTests.screen(link, width: 100, height: 30)
    #expect(lines(screen)[0].contains("pace 30 steps/s"))
    press(&screen, .char(">"))
    #expect(link.commands.last == .setPace(.stepsPerSecond(100)))
    #expect(lines(screen)[0].contains("pace 100 steps/s"))
    press(&screen, .char(">"), .char(">"))
    #expect(link.commands.last == .setPace(.max))
    #expect(lines(screen)[0].contains("pace max"))
    press(&screen, .char("<"))
    #expect(link.commands.last == .setPace(.stepsPerSecond(300)))
  }

  /// `,` goes one kept step back, `.` one forward, Home to step 0, End to the newest; the
  /// header names the viewed step, and the Kernels pane shows the kernels of that step once the
  /// trainer has answered.
  @Test func commaAndPeriodMoveThroughTheTimeline() throws {
    var run = try Self.run(steps: 30)
    let link = RecordingLink(run.snapshot)
    var screen = TrainingScreenTests.screen(link, width: 100, height: 30)
    press(&screen, .char("2"))
    let newest = lines(screen).dropFirst(2).joined(separator: "\n")
    press(&screen, .char(","))
    #expect(link.commands.last == .view(step: 29))
    #expect(lines(screen)[0].contains("viewing step 29 of 30"))
    press(&screen, .char(","), .char(","))
    #expect(link.commands.last == .view(step: 27))
    press(&screen, .char("."))
    #expect(screen.viewedStep == 28)
    press(&screen, .home)
    #expect(link.commands.last == .view(step: 0))
    #expect(lines(screen)[0].contains("viewing step 0 of 30"))

    #expect(lines(screen).dropFirst(2).joined(separator: "\n") == newest)  // until the trainer answers
    run.handle(.view(step: 0))
    link.publish(run.snapshot)
    _ = screen.update(.ticked)
    #expect(lines(screen).dropFirst(2).joined(separator: "\n") != newest)
    #expect(screen.shownKernels == run.snapshot.viewed?.kernels)

    press(&screen, .end)
    #expect(link.commands.last == .view(step: nil))
    #expect(screen.viewedStep == nil)
    #expect(!lines(screen)[0].contains("viewing"))
    press(&screen, .char("."))
    #expect(screen.notice == "this is the newest step")
  }

  @Test func lookingBackWhileRunningPausesFirst() throws {
    var snapshot = try Self.run(steps: 10).snapshot
    snapshot.state = .running
    let link = RecordingLink(snapshot)
    var screen = TrainingScreenTests.screen(link)
    press(&screen, .char(","))
    #expect(Array(link.commands.suffix(2)) == [.pause, .view(step: 9)])
    #expect(screen.viewedStep == 9)
    _ = screen.update(.ticked)  // the trainer has not paused yet: the view stays
    #expect(screen.viewedStep == 9)
  }

  @Test func resumingGoesBackToTheNewestStep() throws {
    let link = RecordingLink(try Self.run(steps: 10).snapshot)
    var screen = TrainingScreenTests.screen(link)
    press(&screen, .char(","), .char(","))
    #expect(screen.viewedStep == 8)
    press(&screen, .char(" "))
    #expect(link.commands.last == .resume)
    #expect(screen.viewedStep == nil)
    #expect(screen.notice == "training on from the newest step, 10")
  }

  /// The curves run from step 1 to the newest step however long the run, and a single bad
  /// batch stays visible as a column's highest point.
  @Test func theCurvesShowTheWholeRunWithItsSpikes() throws {
    var history = CurveHistory()
    for step in 1...5000 { history.append(loss: step == 2500 ? 9 : 0.5, accuracy: 0.9) }
    let points = TrainingScreen.envelope(history, columns: 80, \.loss)
    #expect(points.first?.x ?? 0 < 40)
    #expect(points.last?.x ?? 0 > 4900)
    #expect(points.contains { $0.y == 9 && abs($0.x - 2500) < 40 })
    #expect(points.filter { $0.y == 9 }.count == 1)

    let run = try Self.run(steps: 40)
    let screen = TrainingScreenTests.screen(RecordingLink(run.snapshot), width: 100, height: 30)
    let text = lines(screen)
    #expect(text.contains { $0.contains("step 1 ") && $0.contains("step 40") })
  }

  @Test func lTogglesALogScaleForTheLoss() throws {
    let link = RecordingLink(try Self.run(steps: 20).snapshot)
    var screen = TrainingScreenTests.screen(link, width: 100, height: 30)
    #expect(!lines(screen).contains { $0.hasPrefix("loss (log scale)") })
    press(&screen, .char("l"))
    #expect(lines(screen).contains { $0.hasPrefix("loss (log scale)") })
    press(&screen, .char("l"))
    #expect(lines(screen).contains { $0.hasPrefix("loss  training") })
  }

  /// A run that blew up: the header and the box name the same step, the box says what to
  /// change, and the loss axis spans only the finite losses.
  @Test func aDivergingRunNamesOneStepAndKeepsItsAxesFinite() throws {
    var run = try TrainingRun(
      configuration: try TrainingScreenTests.configuration(), training: TrainingScreenTests.data.training!,
      validation: TrainingScreenTests.data.validation, startPaused: true)
    run.handle(.setLearningRate(1e30))
    run.handle(.step(50))
    while run.wantsToRun { run.advance() }
    guard case .failed(let reason) = run.snapshot.state else {
      Issue.record("the run did not fail: \(run.snapshot.state)")
      return
    }
    let step = try #require(run.snapshot.failedStep)
    let screen = TrainingScreenTests.screen(RecordingLink(run.snapshot), width: 100, height: 30)
    let text = lines(screen)
    #expect(text[0].contains("stopped at step \(step): loss not finite"))
    #expect(reason.contains("at step \(step) "))
    #expect(text.joined(separator: "\n").contains("Lower the learning rate"))
  }
}

/// The Draw pane takes the keys that change no pixel as every pane does: panes, reset, pace and
/// the timeline (the drawing is then predicted by the network as it was).
@Suite struct DrawPaneKeysTests {
  @Test func digitsRPaceAndTheTimelineWorkOnTheDrawPane() throws {
    let link = RecordingLink(try TrainingTimelineTests.run(steps: 10).snapshot)
    var screen = TrainingScreenTests.screen(link)
    _ = screen.update(.keyPressed(.char("d")))
    #expect(screen.pane == .draw)
    _ = screen.update(.keyPressed(.char(",")))
    #expect(link.commands.contains(.view(step: 9)))
    #expect(screen.viewedStep == 9)
    _ = screen.update(.keyPressed(.char("<")))
    #expect(link.commands.last == .setPace(.stepsPerSecond(300)))
    _ = screen.update(.keyPressed(.char("r")))
    #expect(link.commands.last == .reset)
    _ = screen.update(.keyPressed(.char("3")))
    #expect(screen.pane == .maps)
    _ = screen.update(.keyPressed(.char("5")))
    #expect(screen.pane == .draw)
    _ = screen.update(.keyPressed(.char("1")))
    #expect(screen.pane == .curves)
  }
}
