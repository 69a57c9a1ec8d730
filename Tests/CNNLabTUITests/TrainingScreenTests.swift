import CNNLabData
import CNNLabEngine
import Foundation
import Synchronization
import Testing

@testable import CNNLabTUI

/// A link that hands out a fixed snapshot and records the commands it is sent.
final class RecordingLink: TrainingLink {
  let state: Mutex<(snapshot: TrainingSnapshot, commands: [TrainingCommand])>

  init(_ snapshot: TrainingSnapshot) { state = Mutex((snapshot, [])) }

  var snapshot: TrainingSnapshot { state.withLock { $0.snapshot } }
  var commands: [TrainingCommand] { state.withLock { $0.commands } }
  func send(_ command: TrainingCommand) { state.withLock { $0.commands.append(command) } }
  func publish(_ snapshot: TrainingSnapshot) { state.withLock { $0.snapshot = snapshot } }
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

  static func screen(_ link: any TrainingLink, width: Int = 80, height: Int = 24) -> TrainingScreen {
    var screen = TrainingScreen(link: link, data: data, title: "cnnlab train xo")
    _ = screen.update(.resized(width: width, height: height))
    return screen
  }

  func press(_ screen: inout TrainingScreen, _ keys: Key...) {
    for key in keys { _ = screen.update(.keyPressed(key)) }
  }

  @Test func spacePausesAndTheSnapshotsStopChanging() throws {
    let session = try Self.session(paused: false)
    defer { session.stop() }
    var screen = Self.screen(session)
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
    var screen = Self.screen(session)
    press(&screen, .char("s"), .char("s"))
    #expect(session.waitUntil(timeout: 5) { $0.step == 2 })
    Thread.sleep(forTimeInterval: 0.2)
    #expect(session.snapshot.step == 2)
    #expect(session.snapshot.state == .paused)
  }

  @Test func plusAndMinusDoubleAndHalveTheLearningRate() throws {
    let session = try Self.session()
    defer { session.stop() }
    var screen = Self.screen(session)
    press(&screen, .char("+"))
    #expect(session.waitUntil(timeout: 5) { $0.learningRate == 0.1 })
    press(&screen, .char("-"), .char("-"))
    #expect(session.waitUntil(timeout: 5) { $0.learningRate == 0.025 })
    #expect(screen.snapshot.learningRate == 0.025)
  }

  @Test func oCyclesTheOptimiserThroughAllOfThem() throws {
    let session = try Self.session()
    defer { session.stop() }
    var screen = Self.screen(session)
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
    var screen = Self.screen(session)
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
    var screen = Self.screen(session)
    press(&screen, .char("d"))
    #expect(screen.pane == .draw)
    press(&screen, .up, .char(" "), .down, .char(" "), .left, .char(" "))
    #expect(session.waitUntil(timeout: 5) { ($0.probe?.input.scalars.filter { $0 > 0 }.count ?? 0) == 3 })
    _ = screen.update(.ticked)
    var buffer = CellBuffer(width: 80, height: 24)
    screen.render(into: &buffer)
    let text = buffer.lines.joined(separator: "\n")
    #expect(text.contains("prediction: "))
    #expect(text.contains("1 conv 3 3x3 nobias relu  3×7×7"))
    // Esc leaves the canvas for the curves; it does not quit.
    #expect(screen.update(.keyPressed(.escape)).isEmpty)
    #expect(screen.pane == .curves)
  }

  @Test func mapsProbeTheChosenExampleAndMistakesAskForAnInspection() throws {
    let link = RecordingLink(TrainingSnapshot())
    var screen = Self.screen(link)
    press(&screen, .char("3"))
    guard case .probe(let first, let id) = link.commands.last else {
      Issue.record("no probe after 3: \(link.commands)")
      return
    }
    #expect(first == Self.data.validation.inputs.slice(0))
    #expect(id % TrainingScreen.probeTargets == 1)
    press(&screen, .char("N"))
    #expect(screen.example == 15)
    guard case .probe(let last, _) = link.commands.last else {
      Issue.record("no probe after N: \(link.commands)")
      return
    }
    #expect(last == Self.data.validation.inputs.slice(15))
    press(&screen, .right, .right)
    #expect(screen.example == 1)
    press(&screen, .char("4"))
    #expect(link.commands.last == .inspect(example: 1))
    // Nothing new to ask while the run stands still.
    let count = link.commands.count
    for _ in 0..<200 { _ = screen.update(.ticked) }
    #expect(link.commands.count == count)
  }

  @Test func mapsPaneDrawsTheProbeOfTheExampleWithItsTrueClass() throws {
    let session = try Self.session()
    defer { session.stop() }
    var screen = Self.screen(session)
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
    var screen = TrainingScreen(link: RecordingLink(snapshot), data: data, title: "cnnlab train mnist")
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
    let link = RecordingLink(snapshot)
    let screen = Self.screen(link)
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
    let screen = Self.screen(RecordingLink(snapshot))
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
    var screen = Self.screen(RecordingLink(snapshot), width: 100, height: 30)
    press(&screen, .char("2"))
    var buffer = CellBuffer(width: 100, height: 30, capabilities: .plain)
    screen.render(into: &buffer)
    let text = buffer.lines.joined(separator: "\n")
    #expect(text.contains("the lecture's hand-made features"))
    #expect(text.contains("diagonal"))
    #expect(text.contains("X centre"))
    #expect(text.contains("anti-diagonal"))
    // Diagonal, X centre and anti-diagonal side by side, first rows, as in the lecture.
    #expect(buffer.lines.contains { $0.hasPrefix("+#-#-#      1    -1    -1  +#-#+#      1    -1     1  -#-#+#     -1    -1     1") })
    // The learned kernel (here the diagonal itself) as a heatmap and as numbers.
    #expect(buffer.lines.contains { $0.hasPrefix("+#-#-#   1.00 -1.00 -1.00") })
  }
}
