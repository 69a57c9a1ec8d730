import CNNLabData
import CNNLabEngine
import CNNLabTraining
import Foundation
import Synchronization
import Testing

@testable import CNNLabTUI

/// A screen driven as the run loop drives it: a real `TrainerHost` performs its trainer
/// effects, and the newest published snapshot is delivered before each message.
@dynamicMemberLookup
struct DrivenScreen {
  var screen: TrainingScreen
  let host: TrainerHost

  init(_ session: TrainingSession, width: Int = 80, height: Int = 24) {
    host = TrainerHost(session: session)
    screen = TrainingScreen(snapshot: session.snapshot, data: TrainingScreenTests.data, title: "cnnlab train xo")
    update(.resized(width: width, height: height))
  }

  subscript<T>(dynamicMember path: KeyPath<TrainingScreen, T>) -> T { screen[keyPath: path] }

  @discardableResult
  mutating func update(_ message: Message) -> [Effect] {
    if let snapshot = host.newSnapshot() { perform(screen.update(.trainingPublished(snapshot))) }
    let effects = screen.update(message)
    perform(effects)
    return effects
  }

  func render(into buffer: inout CellBuffer) { screen.render(into: &buffer) }

  private func perform(_ effects: [Effect]) {
    for effect in effects { _ = host.perform(effect) }
  }
}

extension Array where Element == Effect {
  /// The trainer commands among these effects, in order.
  var commands: [TrainingCommand] {
    compactMap { effect in
      if case .send(let command) = effect { return command }
      return nil
    }
  }
}

/// The training screen's keys against a real trainer thread, and its panes drawn.
@Suite(.serialized)
struct TrainingScreenTests {
  static let data = TrainingData.xo(trainingCount: 64, validationCount: 16, testCount: 16)

  static func configuration(epochs: Int? = nil) throws -> TrainingConfiguration {
    TrainingConfiguration(
      spec: try NetworkSpec.parse("conv 3 3x3 nobias relu | maxpool 2 ceil | dense 2"), inputShape: [1, 9, 9],
      optimizer: .momentum, learningRate: 0.05, batchSize: 8, seed: 7, epochs: epochs, stepsPerSnapshot: 1)
  }

  static func session(paused: Bool = true) throws -> TrainingSession {
    try TrainingSession(
      configuration: try configuration(), training: data.training!, validation: data.validation, startPaused: paused)
  }

  static func screen(_ snapshot: TrainingSnapshot, width: Int = 80, height: Int = 24) -> TrainingScreen {
    var screen = TrainingScreen(snapshot: snapshot, data: data, title: "cnnlab train xo")
    _ = screen.update(.resized(width: width, height: height))
    return screen
  }

  /// Presses `keys`; returns the trainer commands they asked for, in order.
  @discardableResult
  func press(_ screen: inout TrainingScreen, _ keys: Key...) -> [TrainingCommand] {
    keys.flatMap { screen.update(.keyPressed($0)).commands }
  }

  func press(_ screen: inout DrivenScreen, _ keys: Key...) {
    for key in keys { screen.update(.keyPressed(key)) }
  }

  @Test func spacePausesAndTheSnapshotsStopChanging() throws {
    let session = try Self.session(paused: false)
    defer { session.stop() }
    var screen = DrivenScreen(session)
    #expect(session.waitUntil(timeout: 10) { $0.step >= 3 })
    press(&screen, .char(" "))
    #expect(session.waitUntil(timeout: 5) { $0.state == .paused })
    let paused = session.snapshot.step
    Thread.sleep(forTimeInterval: 0.3)
    _ = screen.update(.ticked)
    #expect(session.snapshot.step == paused)
    #expect(screen.snapshot.step == paused)
    press(&screen, .char(" "))
    #expect(session.waitUntil(timeout: 10) { $0.step > paused + 2 })
  }

  @Test func sRunsExactlyOneStepWhilePaused() throws {
    let session = try Self.session()
    defer { session.stop() }
    var screen = DrivenScreen(session)
    press(&screen, .char("s"), .char("s"))
    #expect(session.waitUntil(timeout: 5) { $0.step == 2 })
    Thread.sleep(forTimeInterval: 0.2)
    #expect(session.snapshot.step == 2)
    #expect(session.snapshot.state == .paused)
  }

  @Test func plusAndMinusDoubleAndHalveTheLearningRate() throws {
    let session = try Self.session()
    defer { session.stop() }
    var screen = DrivenScreen(session)
    press(&screen, .char("+"))
    #expect(session.waitUntil(timeout: 5) { $0.learningRate == 0.1 })
    press(&screen, .char("-"), .char("-"))
    #expect(session.waitUntil(timeout: 5) { $0.learningRate == 0.025 })
    #expect(screen.snapshot.learningRate == 0.025)
  }

  @Test func oCyclesTheOptimiserThroughAllOfThem() throws {
    let session = try Self.session()
    defer { session.stop() }
    var screen = DrivenScreen(session)
    var seen: [OptimizerKind] = []
    let cycle: [OptimizerKind] = [.adam, .rmsprop, .sgd, .momentum]
    for expected in cycle {
      press(&screen, .char("o"))
      #expect(session.waitUntil(timeout: 5) { $0.optimizer == expected })
      seen.append(expected)
    }
    #expect(seen == cycle)
  }

  @Test func rResetsToAnIdenticalRun() throws {
    let session = try Self.session()
    defer { session.stop() }
    var screen = DrivenScreen(session)
    session.send(.step(12))
    #expect(session.waitUntil(timeout: 10) { $0.step == 12 })
    let first = session.snapshot
    press(&screen, .char("r"))
    #expect(session.waitUntil(timeout: 5) { $0.generation == 1 && $0.step == 0 && $0.state == .paused })
    session.send(.step(12))
    #expect(session.waitUntil(timeout: 10) { $0.step == 12 })
    let second = session.snapshot
    #expect(second.losses == first.losses)
    #expect(second.kernels == first.kernels)
  }

  @Test func drawingAskedForAProbeOfTheCanvasAndShowsItsPrediction() throws {
    let session = try Self.session()
    defer { session.stop() }
    var screen = DrivenScreen(session)
    press(&screen, .char("d"))
    #expect(screen.pane == .draw)
    press(&screen, .up, .char(" "), .down, .char(" "), .left, .char(" "))
    #expect(session.waitUntil(timeout: 5) { ($0.probe?.input.scalars.filter { $0 > 0 }.count ?? 0) == 3 })
    _ = screen.update(.ticked)
    var buffer = CellBuffer(width: 80, height: 24)
    screen.render(into: &buffer)
    let text = buffer.lines.joined(separator: "\n")
    #expect(text.contains("prediction: "))
    // The prediction's probability has the bars' one decimal, so the two never disagree.
    let line = try #require(buffer.lines.first { $0.contains("prediction: ") })
    #expect(line.range(of: #"prediction: [XO] \(\d+\.\d%\)"#, options: .regularExpression) != nil, "\(line)")
    #expect(text.contains("1 conv 3 3x3 nobias relu  3×7×7"))
    // Esc leaves the canvas for the curves; it does not quit.
    #expect(screen.update(.keyPressed(.escape)).isEmpty)
    #expect(screen.pane == .curves)
  }

  @Test func mapsProbeTheChosenExampleAndMistakesAskForAnInspection() throws {
    var screen = Self.screen(TrainingSnapshot())
    guard case .probe(let first, let id)? = press(&screen, .char("3")).last else {
      Issue.record("no probe after 3")
      return
    }
    #expect(first == Self.data.validation.inputs.slice(0))
    #expect(id % TrainingScreen.probeTargets == 1)
    let previous = press(&screen, .char("N"))
    #expect(screen.example == 15)
    guard case .probe(let last, _)? = previous.last else {
      Issue.record("no probe after N: \(previous)")
      return
    }
    #expect(last == Self.data.validation.inputs.slice(15))
    press(&screen, .right, .right)
    #expect(screen.example == 1)
    #expect(press(&screen, .char("4")).last == .inspect(example: 1))
    // Paused, one step on (`s`) is inspected at once, not 10 s later.
    var stepped = screen.snapshot
    stepped.state = .paused
    stepped.step += 1
    #expect(screen.update(.trainingPublished(stepped)).contains(.send(.inspect(example: 1))))
    // Nothing new to ask while the run stands still.
    for _ in 0..<200 { #expect(screen.update(.ticked) == [.tick(afterMilliseconds: TrainingScreen.tickMilliseconds)]) }
    // Training on, the matrix is inspected at once (the last was 200 ticks ago), then again
    // every 2 s, not at every step.
    var running = stepped
    running.state = .running
    running.step += 1
    #expect(screen.update(.trainingPublished(running)).contains(.send(.inspect(example: 1))))
    for tick in 1...2 * TrainingScreen.inspectionTicks {
      running.step += 1
      #expect(!screen.update(.trainingPublished(running)).contains(.send(.inspect(example: 1))))
      let inspects = screen.update(.ticked).contains(.send(.inspect(example: 1)))
      #expect(inspects == (tick % TrainingScreen.inspectionTicks == 0), "tick \(tick)")
    }
  }

  /// A finished run takes no more steps or settings: the keys that would change them say how
  /// to start again, and neither send anything nor show a setting nothing will use.
  @Test func aFinishedRunSaysRStartsAgainInsteadOfTakingSettings() throws {
    var snapshot = TrainingSnapshot()
    snapshot.state = .finished
    snapshot.optimizer = .momentum
    snapshot.learningRate = 0.05
    var screen = Self.screen(snapshot, width: 100, height: 30)
    for key: Key in [.char("o"), .char("+"), .char("-"), .char("s"), .char("p"), .char("f")] {
      #expect(press(&screen, key).isEmpty, "\(key)")
      #expect(screen.notice == "training is finished (r starts again)", "\(key)")
      #expect(screen.snapshot.optimizer == .momentum && screen.snapshot.learningRate == 0.05)
    }
    #expect(press(&screen, .char("r")) == [.reset])
  }

  /// Every key that asks something of the trainer returns it as an effect, and the screen shows
  /// the answer at once, before the trainer publishes it.
  @Test func keysReturnTrainerCommandsAsEffects() throws {
    var snapshot = TrainingSnapshot()
    snapshot.state = .running
    snapshot.optimizer = .momentum
    snapshot.learningRate = 0.05
    snapshot.pace = .stepsPerSecond(30)
    var screen = Self.screen(snapshot)
    #expect(screen.update(.keyPressed(.char(" "))) == [.send(.pause)])
    #expect(screen.snapshot.state == .paused)
    #expect(screen.update(.keyPressed(.char("p"))) == [.send(.resume)])
    #expect(screen.update(.keyPressed(.char("s"))) == [.send(.step(1))])
    #expect(screen.update(.keyPressed(.char("+"))) == [.send(.setLearningRate(0.1))])
    #expect(screen.update(.keyPressed(.char("+"))) == [.send(.setLearningRate(0.2))])  // builds on the first
    #expect(screen.update(.keyPressed(.char("o"))) == [.send(.setOptimizer(.adam))])
    #expect(screen.update(.keyPressed(.char(">"))) == [.send(.setPace(.stepsPerSecond(100)))])
    #expect(screen.update(.keyPressed(.char("r"))) == [.send(.reset)])
    #expect(screen.update(.keyPressed(.char("l"))) == [])
    #expect(screen.update(.keyPressed(.char("q"))) == [.quit])
  }

  /// The host starts the trainer asked for, passes commands on, and hands out each published
  /// snapshot once; a trainer that cannot be built comes back as a message.
  @Test func theHostDeliversEachPublishedSnapshotOnce() throws {
    let host = TrainerHost()
    #expect(host.newSnapshot() == nil)
    let request = TrainingRequest(
      configuration: try Self.configuration(), training: Self.data.training!, validation: Self.data.validation,
      startPaused: true)
    #expect(host.perform(.startTraining(request)) == nil)
    let session = try #require(host.session)
    defer { session.stop() }
    #expect(host.newSnapshot()?.step == 0)
    #expect(host.newSnapshot() == nil)
    #expect(host.perform(.send(.step(2))) == nil)
    #expect(session.waitUntil(timeout: 10) { $0.step == 2 })
    #expect(host.newSnapshot()?.step == 2)
    #expect(host.newSnapshot() == nil)
    #expect(host.perform(.send(.stop)) == nil)
    #expect(host.session == nil)
    #expect(host.newSnapshot() == nil)

    var bad = request
    bad.configuration.spec = try NetworkSpec.parse("conv 3 20x20 | dense 2")
    guard case .trainingFailedToStart? = host.perform(.startTraining(bad)) else {
      Issue.record("a 20x20 kernel on a 9x9 image started")
      return
    }
    #expect(host.session == nil)
  }

  /// A delivered snapshot is what the screen draws; what a key asked for stays on screen until
  /// a snapshot shows the trainer has done it.
  /// A lesson's network as the title does not push the run's state off an 80-column header:
  /// the title is shortened at a space and ends in an ellipsis. Opened from the course, q and
  /// Esc say they go back.
  @Test func aLongTitleIsShortenedAndTheCourseScreenSaysBack() {
    var snapshot = TrainingSnapshot()
    snapshot.state = .running
    snapshot.totalEpochs = 5
    let title = "Train live: conv 8 5x5 pad 2 relu | maxpool 2 | conv 16 5x5 pad 2 relu | maxpool 2 | dense 10"
    var screen = TrainingScreen(snapshot: snapshot, data: Self.data, title: title, quitsProgram: false)
    _ = screen.update(.resized(width: 80, height: 24))
    var buffer = CellBuffer(width: 80, height: 24)
    screen.render(into: &buffer)
    #expect(buffer.lines[0].contains("Train live: conv"))
    #expect(buffer.lines[0].contains("…"))
    #expect(buffer.lines[0].contains("training"))
    #expect(buffer.lines[0].contains("epoch 1/5"))
    #expect(buffer.lines[23].contains("q/Esc back"))
    #expect(!buffer.lines[23].contains("quit"))
  }

  @Test func aDeliveredSnapshotUpdatesTheHeader() throws {
    var snapshot = TrainingSnapshot()
    snapshot.state = .running
    snapshot.totalEpochs = 5
    var screen = Self.screen(snapshot)
    func header() -> String {
      var buffer = CellBuffer(width: 80, height: 24)
      screen.render(into: &buffer)
      return buffer.lines[0]
    }
    #expect(header().contains("training"))
    #expect(header().contains("epoch 1/5"))
    snapshot.epoch = 2
    snapshot.step = 40
    #expect(screen.update(.trainingPublished(snapshot)) == [])
    #expect(header().contains("epoch 3/5"))
    #expect(screen.snapshot.step == 40)
    press(&screen, .char(" "))
    #expect(header().contains("paused"))
    _ = screen.update(.trainingPublished(snapshot))  // published before the pause landed
    #expect(header().contains("paused"))
    snapshot.state = .paused
    _ = screen.update(.trainingPublished(snapshot))
    snapshot.state = .running  // resumed by someone else
    _ = screen.update(.trainingPublished(snapshot))
    #expect(header().contains("training"))
  }

  @Test func mapsPaneDrawsTheProbeOfTheExampleWithItsTrueClass() throws {
    let session = try Self.session()
    defer { session.stop() }
    var screen = DrivenScreen(session)
    press(&screen, .char("3"), .char("n"))
    #expect(session.waitUntil(timeout: 5) { $0.probe?.id == 2 * TrainingScreen.probeTargets + 2 })
    _ = screen.update(.ticked)
    var buffer = CellBuffer(width: 80, height: 24)
    screen.render(into: &buffer)
    let label = Self.data.classNames[Self.data.validation.labels[1]]
    #expect(buffer.lines[3].hasPrefix("example 2/16: a \(label)  predicted "))
    #expect(buffer.lines.contains { $0.hasPrefix("input  1×9×9") })
  }

  /// mnist-small's maps are far taller than 80x24: the input sits beside the bars, and the rest
  /// scrolls with the arrow keys, the last row saying which rows are in view. So do its kernels.
  @Test func mapsAndKernelsThatDoNotFitScrollWithTheArrowKeys() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let data = try TrainingData.load("mnist", assetsDirectory: root.appendingPathComponent("assets").path)
    let spec = try NetworkSpec.parse("conv 8 5x5 pad 2 relu | maxpool 2 | conv 16 5x5 pad 2 relu | maxpool 2 | dense 10")
    let run = try TrainingRun(
      configuration: TrainingConfiguration(spec: spec, inputShape: [1, 28, 28]), training: data.training!,
      validation: data.validation)
    var snapshot = run.snapshot
    snapshot.probe = run.probe(data.validation.inputs.slice(0), id: TrainingScreen.probeTargets + 1)  // example 1
    var screen = TrainingScreen(snapshot: snapshot, data: data, title: "cnnlab train mnist")
    _ = screen.update(.resized(width: 80, height: 24))
    press(&screen, .char("3"))
    func lines() -> [String] {
      var buffer = CellBuffer(width: 80, height: 24)
      screen.render(into: &buffer)
      return buffer.lines
    }
    let top = lines()
    #expect(top[3].hasPrefix("example 1/\(data.validation.count): a \(data.validation.labels[0]) "))
    #expect(top[4].hasPrefix("input  1×28×28"))
    #expect(top[5].hasPrefix(String(repeating: "▀", count: 28) + "   0 "))  // the image, then bar 0
    let footer = try #require(top[22].split(separator: ":").first)
    #expect(footer.hasPrefix("rows 1-18 of "))
    let total = try #require(Int(footer.split(separator: " ").last ?? ""))
    #expect(!top.contains { $0.hasPrefix("4 maxpool 2  16×7×7") })

    for _ in 0..<30 { press(&screen, .down) }
    let bottom = lines()
    #expect(bottom[22].hasPrefix("rows \(total - 17)-\(total) of \(total): ↑/↓ scroll"))
    #expect(bottom.contains { $0.hasPrefix("4 maxpool 2  16×7×7") })
    #expect(bottom[3].hasPrefix("example 1/\(data.validation.count)"))  // the prediction never scrolls away

    press(&screen, .pageUp)
    #expect(lines()[22].hasPrefix("rows \(total - 17 - 9)-"))  // half a view
    for _ in 0..<30 { press(&screen, .up) }
    #expect(lines() == top)

    // The kernels scroll the same way, from their top.
    press(&screen, .down, .char("2"))
    let kernels = lines()
    #expect(kernels[3].hasPrefix("layer 1: conv 8 5x5 pad 2 relu"))
    #expect(kernels[22].hasPrefix("rows 1-19 of "))
    #expect(!kernels.contains { $0.hasPrefix("#13 ") })  // layer 3's third row of kernels
    for _ in 0..<30 { press(&screen, .down) }
    #expect(lines().contains { $0.hasPrefix("#13 ") })

    // Layer 3's kernels see 8 input channels: [ and ] choose which one is shown.
    #expect(kernels.contains { $0.contains("(input channel 1 of 8; [ ] choose)") })
    press(&screen, .up, .up, .up, .char("]"), .char("]"))
    #expect(lines().contains { $0.contains("(input channel 3 of 8; [ ] choose)") })
    press(&screen, .char("["), .char("["), .char("["))
    #expect(lines().contains { $0.contains("(input channel 8 of 8; [ ] choose)") })

    // The mouse wheel scrolls too.
    press(&screen, .char("3"))
    #expect(lines()[22].hasPrefix("rows 1-18 of "))
    _ = screen.update(.mouse(MouseEvent(.wheelDown, x: 10, y: 10)))
    #expect(lines()[22].hasPrefix("rows 10-27 of "))
  }

  @Test func aNonFiniteLossShowsTheSessionsExplanation() {
    var snapshot = TrainingSnapshot()
    let reason = "the loss became not a number (NaN) at step 3 (epoch 1) with learning rate 100 (sgd): the weights have blown up"
    snapshot.state = .failed(reason)
    snapshot.failedStep = 3
    snapshot.losses = [0.7, 0.9]
    snapshot.accuracies = [0.5, 0.5]
    let screen = Self.screen(snapshot)
    var buffer = CellBuffer(width: 80, height: 24)
    screen.render(into: &buffer)
    let text = buffer.lines.joined(separator: "\n")
    #expect(text.contains("Training stopped"))
    #expect(text.contains("stopped at step 3: loss not finite"))
    #expect(text.contains("the loss became not a number (NaN) at step 3"))
    #expect(!text.contains("nan"))
  }

  @Test func curvesPaneFitsEightyByTwentyFourWithTheHintBar() {
    var snapshot = TrainingSnapshot()
    snapshot.state = .running
    snapshot.losses = (0..<50).map { 0.7 * exp(-Float($0) / 10) }
    snapshot.accuracies = (0..<50).map { min(1, Float($0) / 25) }
    snapshot.step = 50
    snapshot.stepsPerEpoch = 8
    snapshot.learningRate = 0.05
    snapshot.optimizer = .momentum
    let screen = Self.screen(snapshot)
    var buffer = CellBuffer(width: 80, height: 24)
    screen.render(into: &buffer)
    #expect(buffer.lines[0].hasPrefix("cnnlab train xo  training  epoch 1 "))
    #expect(buffer.lines[1].hasPrefix("loss 0.0"))
    #expect(buffer.lines[2].hasPrefix(" 1 Curves   2 Kernels   3 Maps   4 Mistakes   5 Draw"))
    #expect(buffer.lines[3].hasPrefix("loss  training"))
    #expect(buffer.lines[23].hasPrefix(" space pause/resume   <> pace   ,. rewind   Tab pane   ? help   q/Esc quit"))
    #expect(buffer.lines[23].contains("? help"))
    #expect(screen.minimumSize == (60, 20))
  }

  @Test func kernelsPaneShowsTheLecturesThreeFeaturesForXO() throws {
    let run = try TrainingRun(configuration: try Self.configuration(), training: Self.data.training!)
    var snapshot = run.snapshot
    snapshot.kernels = [snapshot.kernels[0]]
    snapshot.kernels[0].weights = Tensor(shape: [1, 1, 3, 3], scalars: [1, -1, -1, -1, 1, -1, -1, -1, 1])
    var screen = Self.screen(snapshot, width: 100, height: 30)
    press(&screen, .char("2"))
    var buffer = CellBuffer(width: 100, height: 30, capabilities: .plain)
    screen.render(into: &buffer)
    let text = buffer.lines.joined(separator: "\n")
    #expect(text.contains("the lecture's hand-made features"))
    // Each named as the lessons name it (and as the label by a learned kernel), then in full.
    #expect(text.contains("diag (diagonal)"))
    #expect(text.contains("cross (X centre)"))
    #expect(text.contains("anti (anti-diagonal)"))
    // Diagonal, X centre and anti-diagonal side by side, first rows, as in the lecture.
    #expect(buffer.lines.contains { $0.hasPrefix("+#-#-#      1    -1    -1  +#-#+#      1    -1     1  -#-#+#     -1    -1     1") })
    // The learned kernel (here the diagonal itself) as a heatmap and as numbers.
    #expect(buffer.lines.contains { $0.hasPrefix("+#-#-#   1.00 -1.00 -1.00") })
  }
}
