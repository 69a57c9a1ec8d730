import CNNLabData
import CNNLabEngine
import CNNLabTraining
import Testing

@testable import CNNLabTUI

/// Pace, the whole run's curves and the timeline on the training screen, against snapshots of a
/// real run delivered as the trainer publishes them; the screen's trainer commands are its effects.
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

  /// Presses `keys`; returns the trainer commands they asked for, in order.
  @discardableResult
  func press(_ screen: inout TrainingScreen, _ keys: Key...) -> [TrainingCommand] {
    keys.flatMap { screen.update(.keyPressed($0)).commands }
  }

  func lines(_ screen: TrainingScreen, width: Int = 100, height: Int = 30) -> [String] {
    var buffer = CellBuffer(width: width, height: height)
    screen.render(into: &buffer)
    return buffer.lines
  }

  @Test func angleBracketsMoveAlongThePaceLadderAndTheHeaderSaysSo() throws {
    var snapshot = try Self.run(steps: 3).snapshot
    snapshot.pace = .stepsPerSecond(30)
    var screen = TrainingScreenTests.screen(snapshot, width: 100, height: 30)
    #expect(lines(screen)[0].contains("pace 30 steps/s"))
    #expect(!lines(screen)[0].contains("img/s"))  // a paced trainer's compute rate is not what is watched
    #expect(press(&screen, .char(">")).last == .setPace(.stepsPerSecond(100)))
    #expect(lines(screen)[0].contains("pace 100 steps/s"))
    #expect(press(&screen, .char(">"), .char(">")).last == .setPace(.max))
    #expect(lines(screen)[0].contains("pace max") && lines(screen)[0].contains(" img/s"))
    #expect(press(&screen, .char("<")).last == .setPace(.stepsPerSecond(300)))
  }

  /// `,` goes one kept step back, `.` one forward, Home to step 0, End to the newest; the
  /// header names the viewed step, and the Kernels pane shows the kernels of that step once the
  /// trainer has answered.
  @Test func commaAndPeriodMoveThroughTheTimeline() throws {
    var run = try Self.run(steps: 30)
    var screen = TrainingScreenTests.screen(run.snapshot, width: 100, height: 30)
    press(&screen, .char("2"))
    let newest = lines(screen).dropFirst(2).joined(separator: "\n")
    #expect(press(&screen, .char(",")).last == .view(step: 29))
    #expect(lines(screen)[0].contains("viewing step 29 of 30"))
    #expect(lines(screen)[1].hasPrefix("newest:  loss "), "the status line's numbers are the newest step's")
    #expect(press(&screen, .char(","), .char(",")).last == .view(step: 27))
    press(&screen, .char("."))
    #expect(screen.viewedStep == 28)
    #expect(press(&screen, .home).last == .view(step: 0))
    #expect(lines(screen)[0].contains("viewing step 0 of 30"))

    #expect(lines(screen).dropFirst(2).joined(separator: "\n") == newest)  // until the trainer answers
    run.handle(.view(step: 0))
    _ = screen.update(.trainingPublished(run.snapshot))
    #expect(lines(screen).dropFirst(2).joined(separator: "\n") != newest)
    #expect(screen.shownKernels == run.snapshot.viewed?.kernels)

    #expect(press(&screen, .end).last == .view(step: nil))
    #expect(screen.viewedStep == nil)
    #expect(!lines(screen)[0].contains("viewing"))
    press(&screen, .char("."))
    #expect(screen.notice == "this is the newest step")
  }

  @Test func lookingBackWhileRunningPausesFirst() throws {
    var snapshot = try Self.run(steps: 10).snapshot
    snapshot.state = .running
    var screen = TrainingScreenTests.screen(snapshot)
    #expect(press(&screen, .char(",")) == [.pause, .view(step: 9)])
    #expect(screen.viewedStep == 9)
    _ = screen.update(.trainingPublished(snapshot))  // the trainer has not paused yet: the view stays
    #expect(screen.viewedStep == 9)
  }

  @Test func resumingGoesBackToTheNewestStep() throws {
    var screen = TrainingScreenTests.screen(try Self.run(steps: 10).snapshot)
    press(&screen, .char(","), .char(","))
    #expect(screen.viewedStep == 8)
    #expect(press(&screen, .char(" ")).last == .resume)
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
    let screen = TrainingScreenTests.screen(run.snapshot, width: 100, height: 30)
    let text = lines(screen)
    #expect(text.contains { $0.contains("step 1 ") && $0.contains("step 40") })
  }

  @Test func lTogglesALogScaleForTheLoss() throws {
    var screen = TrainingScreenTests.screen(try Self.run(steps: 20).snapshot, width: 100, height: 30)
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
    let screen = TrainingScreenTests.screen(run.snapshot, width: 100, height: 30)
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
    var screen = TrainingScreenTests.screen(try TrainingTimelineTests.run(steps: 10).snapshot)
    _ = screen.update(.keyPressed(.char("d")))
    #expect(screen.pane == .draw)
    #expect(screen.update(.keyPressed(.char(","))).commands.contains(.view(step: 9)))
    #expect(screen.viewedStep == 9)
    #expect(screen.update(.keyPressed(.char("<"))).commands == [.setPace(.stepsPerSecond(300))])
    #expect(screen.update(.keyPressed(.char("r"))).commands == [.reset])
    _ = screen.update(.keyPressed(.char("3")))
    #expect(screen.pane == .maps)
    _ = screen.update(.keyPressed(.char("5")))
    #expect(screen.pane == .draw)
    _ = screen.update(.keyPressed(.char("1")))
    #expect(screen.pane == .curves)
  }
}
