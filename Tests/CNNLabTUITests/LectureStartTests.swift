import CNNLabData
import Foundation
import Testing

@testable import CNNLabEngine
@testable import CNNLabTraining
@testable import CNNLabTUI

/// Learned next to hand-made: a first layer started from the lecture's three features, frozen
/// and thawed with `f`, and each learned kernel's cosine to its lecture twin.
@Suite struct LectureStartTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// A paused X/O run of the test data, from the lecture's features when `lecture`.
  static func run(lecture: Bool = true, learningRate: Float = 0.05) throws -> TrainingRun {
    var configuration = try TrainingScreenTests.configuration()
    configuration.learningRate = learningRate
    if lecture { configuration.startingKernels = LectureFeatures.kernels }
    return try TrainingRun(
      configuration: configuration, training: TrainingScreenTests.data.training!,
      validation: TrainingScreenTests.data.validation, startPaused: true)
  }

  static func steps(_ run: inout TrainingRun, _ count: Int) {
    run.handle(.step(count))
    while run.wantsToRun { run.advance() }
  }

  @Test func theFeaturesAreTheGridsTheLessonsSlide() throws {
    // Lesson 4 reads `assets/xo/diagonal.grid`, `x-centre.grid` and `anti-diagonal.grid`.
    let files = ["diagonal", "x-centre", "anti-diagonal"]
    for (feature, file) in zip(LectureFeatures.all, files) {
      let path = Self.root.appendingPathComponent("assets/xo/\(file).grid").path
      let grid = try GridText.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
      #expect(grid.scalars == Array(feature.values.joined()), "\(file)")
    }
    #expect(LectureFeatures.kernels.shape == [3, 1, 3, 3])
    #expect(TrainingScreen.lectureFeatures.map(\.name) == ["diagonal", "X centre", "anti-diagonal"])
  }

  /// Worked by hand: the diagonal and the X centre agree on 7 of 9 cells (7 − 2 = 5 of 9), the
  /// diagonal and the anti-diagonal on 5 (5 − 4 = 1 of 9); both have length 3.
  @Test func cosineIsTheDotProductOverTheLengths() throws {
    let f = LectureFeatures.all.map { Array($0.values.joined()) }
    #expect(abs(try #require(LectureFeatures.cosine(f[0], f[1])) - 5.0 / 9) < 1e-6)
    #expect(abs(try #require(LectureFeatures.cosine(f[0], f[2])) - 1.0 / 9) < 1e-6)
    #expect(LectureFeatures.cosine(f[0], f[0].map { $0 * 0.3 }) == 1)
    #expect(LectureFeatures.cosine(f[0], f[0].map { -$0 }) == -1)
    #expect(LectureFeatures.cosine(f[0], [Float](repeating: 0, count: 9)) == nil)
    // A random start is compared with the closest feature: this one is near the X centre.
    let nearCross = Tensor(shape: [1, 1, 3, 3], scalars: [0.9, -1, 1, -1, 1, -1, 1, -1, 0.8])
    let match = try #require(LectureFeatures.matches(nearCross, twins: false)?.first)
    #expect(match.feature == 1 && match.cosine > 0.99)
    #expect(LectureFeatures.matches(Tensor(shape: [2, 1, 5, 5], scalars: .init(repeating: 1, count: 50)), twins: false) == nil)
  }

  @Test func aLectureStartBeginsFromTheFeaturesExactly() throws {
    let run = try Self.run()
    let weights = try #require(run.snapshot.kernels.first).weights
    #expect(weights == LectureFeatures.kernels)
    let matches = try #require(LectureFeatures.matches(weights, twins: true))
    #expect(matches.map(\.feature) == [0, 1, 2])
    #expect(matches.allSatisfy { abs($0.cosine - 1) < 1e-6 })
  }

  /// Frozen, the first layer's weights and its optimiser state stay as they are while the
  /// dense layer trains; thawed, they change again.
  @Test func freezingHoldsTheFirstLayerAndItsOptimiserState() throws {
    var run = try Self.run()
    Self.steps(&run, 3)
    let before = run.trainer.parameterValues
    let fast = try #require(Mirror(reflecting: run.trainer).descendant("fast") as? FastNetwork)
    let velocity = try #require(fast.parameters[0].moment1).pointer[0]
    run.handle(.freezeFirstLayer(true))
    #expect(run.snapshot.firstLayerFrozen)
    Self.steps(&run, 4)
    let frozen = run.trainer.parameterValues
    #expect(frozen[0] == before[0])
    #expect(frozen[1] != before[1])  // the dense weights trained
    #expect(try #require(fast.parameters[0].moment1).pointer[0] == velocity)
    run.handle(.freezeFirstLayer(false))
    Self.steps(&run, 2)
    #expect(run.trainer.parameterValues[0] != frozen[0])
    run.handle(.reset)
    #expect(!run.snapshot.firstLayerFrozen)
  }

  @Test func theSameSeedAndFreezeScheduleGiveTheSameWeights() throws {
    func train(freezeAt: Int) throws -> [[Float]] {
      var run = try Self.run()
      Self.steps(&run, freezeAt)
      run.handle(.freezeFirstLayer(true))
      Self.steps(&run, 5)
      run.handle(.freezeFirstLayer(false))
      Self.steps(&run, 10 - freezeAt)
      #expect(run.snapshot.step == 15)
      return run.trainer.parameterValues
    }
    #expect(try train(freezeAt: 4) == train(freezeAt: 4))
    #expect(try train(freezeAt: 4) != train(freezeAt: 6))
  }

  /// `f` asks the trainer to freeze and thaw; the header, the Kernels pane's title and `?` say so.
  @Test func fFreezesAndTheScreenSaysSo() throws {
    var screen = TrainingScreenTests.screen(try Self.run().snapshot, width: 100, height: 30)
    #expect(screen.update(.keyPressed(.char("f"))).commands == [.freezeFirstLayer(true)])
    #expect(screen.snapshot.firstLayerFrozen)
    _ = screen.update(.keyPressed(.char("2")))
    var buffer = CellBuffer(width: 100, height: 30, capabilities: .plain)
    screen.render(into: &buffer)
    #expect(buffer.lines[0].contains("layer 1 frozen"))
    #expect(buffer.lines[3].contains("frozen (f trains it)"))
    #expect(screen.update(.keyPressed(.char("f"))).commands == [.freezeFirstLayer(false)])
    _ = screen.update(.keyPressed(.char("?")))
    buffer = CellBuffer(width: 100, height: 30, capabilities: .plain)
    screen.render(into: &buffer)
    #expect(buffer.lines.contains { $0.contains("f") && $0.contains("freeze/unfreeze the first conv layer") })
  }

  /// Each kernel's cosine to its twin, computed by the engine, is printed beside it, and the
  /// timeline shows the cosine of the viewed step.
  @Test func kernelsShowTheirCosineToTheirTwinAtTheViewedStep() throws {
    var run = try Self.run(learningRate: 0.5)
    Self.steps(&run, 20)
    var screen = TrainingScreen(
      snapshot: run.snapshot, data: TrainingScreenTests.data, title: "cnnlab train xo", startsFromLecture: true)
    _ = screen.update(.resized(width: 100, height: 30))
    _ = screen.update(.keyPressed(.char("2")))
    func text() -> String {
      var buffer = CellBuffer(width: 100, height: 30, capabilities: .plain)
      screen.render(into: &buffer)
      return buffer.lines.joined(separator: "\n")
    }
    let matches = try #require(LectureFeatures.matches(run.snapshot.kernels[0].weights, twins: true))
    let newest = matches.map { String(format: "#\($0.kernel + 1) \(["diag", "cross", "anti"][$0.kernel]) %.2f", Double($0.cosine)) }
    #expect(newest.contains { $0.hasSuffix(" 1.00") } == false, "\(newest): trained away from the features")
    for label in newest { #expect(text().contains(label)) }
    #expect(text().contains("(layer 1 began as these; cosine by each)"))
    // Step 0 is the features themselves.
    #expect(screen.update(.keyPressed(.home)).commands.last == .view(step: 0))
    run.handle(.view(step: 0))
    _ = screen.update(.trainingPublished(run.snapshot))
    for label in ["#1 diag 1.00", "#2 cross 1.00", "#3 anti 1.00"] { #expect(text().contains(label)) }
  }

  /// A random start names the closest feature; the kernels' scale is drawn with its ends.
  @Test func aRandomStartNamesTheClosestFeatureAndTheScaleHasItsEnds() throws {
    let run = try Self.run(lecture: false)
    var screen = TrainingScreenTests.screen(run.snapshot, width: 80, height: 24)
    _ = screen.update(.keyPressed(.char("2")))
    var buffer = CellBuffer(width: 80, height: 24, capabilities: .plain)
    screen.render(into: &buffer)
    let weights = run.snapshot.kernels[0].weights
    let matches = try #require(LectureFeatures.matches(weights, twins: false))
    for m in matches {
      let label = String(format: "#\(m.kernel + 1) \(LectureFeatures.all[m.feature].short) %.2f", Double(m.cosine))
      #expect(buffer.lines.contains { $0.contains(label) }, "\(label)")
    }
    let largest = weights.scalars.map { abs($0) }.max()!
    let end = String(format: "%.2f", Double(largest))
    // Seven cells from −largest to +largest, drawn as the kernels are (plain: sign and strength).
    #expect(buffer.lines[3].contains("-\(end) -#-*-: .+:+*+# \(end)"))
  }
}
