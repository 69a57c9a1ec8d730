import CNNLabEngine
import Foundation
import Testing

@testable import CNNLabLessons

/// Knobs: every conv, pool and activation step of the shipped course, with each of its knobs
/// turned once, planned again and held to the engine run directly on the step's own inputs with
/// the turned settings (not through the planner); the steps after it see the turned result.
@Suite struct KnobTests {
  func shippedLessons() -> [(name: String, lesson: Lesson)] {
    let course = Course.load(directory: repositoryRoot.appendingPathComponent("lessons").path)
    return course.entries.compactMap { entry in entry.lesson.map { (entry.name, $0) } }
  }

  @Test func everyKnobOfEveryShippedStepMatchesTheEngineForItsNewSetting() throws {
    let lessons = shippedLessons()
    #expect(lessons.count == 17)
    var turnedKinds: [String: Int] = [:]
    var problems = 0
    var downstream = 0
    for (name, lesson) in lessons {
      let base = ScenePlanner.plan(lesson)
      for (index, scene) in base.enumerated() {
        guard let operation = scene.operation, let before = scene.animation, scene.problem == nil else { continue }
        for knob in operation.knobs {
          let turned = try #require(
            operation.turning(knob.name, by: 1) ?? operation.turning(knob.name, by: -1),
            "\(name) step \(index + 1): \(knob.name) turns neither way")
          let place = "\(name) step \(index + 1), \(knob.name) \(knob.value) → \(turned.knobs.first { $0.name == knob.name }?.value ?? "?")"
          #expect(turned.knobs.first { $0.name == knob.name } != knob, "\(place): the value did not change")
          let scenes = ScenePlanner.plan(lesson, operations: [index: turned])
          let direct = KnobTests.engine(turned, before: before)
          guard scenes[index].problem == nil, let after = scenes[index].animation else {
            // A setting the grid cannot take is the step's problem, as the engine says.
            #expect(direct == nil, "\(place): the step has a problem but the engine computes it: \(scenes[index].problem?.message ?? "")")
            problems += 1
            continue
          }
          let expected = try #require(direct, "\(place): the engine refuses what the step shows")
          let output = KnobTests.output(after)
          #expect(output.scalars.count == expected.scalars.count, "\(place): \(output.shape) against \(expected.shape)")
          #expect(
            zip(output.scalars, expected.scalars).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) },
            "\(place): the maps differ from the engine's")
          turnedKinds[KnobTests.kind(before), default: 0] += 1
          // Downstream: a later conv, pool or activation of the turned result reads it as turned.
          for later in scenes[(index + 1)...] {
            guard let animation = later.animation, let input = KnobTests.input(animation),
              input.name == operation.output.name
            else { continue }
            if later.operation?.output.name == operation.output.name { break }
            #expect(input.tensor.scalars == output.scalars, "\(place): step \(later.number) reads the lesson's \(input.name)")
            downstream += 1
          }
        }
      }
    }
    #expect((turnedKinds["convolution"] ?? 0) >= 20, "turned convolutions: \(turnedKinds)")
    #expect((turnedKinds["pooling"] ?? 0) >= 4, "turned poolings: \(turnedKinds)")
    #expect((turnedKinds["relu"] ?? 0) >= 1, "turned activations: \(turnedKinds)")
    #expect(problems < 10, "\(problems) turns gave the step a problem")
    #expect(downstream >= 10, "\(downstream) later steps read a turned result")
  }

  static func kind(_ animation: Animation) -> String {
    switch animation {
    case .convolution: return "convolution"
    case .pooling: return "pooling"
    case .relu: return "relu"
    default: return "other"
    }
  }

  /// The grid a convolution, pooling or activation reads, by name.
  static func input(_ animation: Animation) -> (name: String, tensor: Tensor)? {
    switch animation {
    case .convolution(let a): return (a.inputName, a.input)
    case .pooling(let a): return (a.inputName, a.input)
    case .relu(let a): return (a.names.input, a.input)
    default: return nil
    }
  }

  /// The result of a convolution, pooling or activation animation.
  static func output(_ animation: Animation) -> Tensor {
    switch animation {
    case .convolution(let a): return a.output
    case .pooling(let a): return a.output
    case .relu(let a): return a.output
    // SGD's walk, (x, y) per step.
    case .descent(let a): return Tensor(shape: [a.paths[0].count, 2], scalars: a.paths[0].flatMap { [$0.x, $0.y] })
    default: return Tensor(shape: [0], scalars: [])
    }
  }

  /// `operation` computed by the engine directly, on the inputs the step showed before it was
  /// turned; nil when the engine refuses the settings.
  static func engine(_ operation: StepOperation, before: Animation) -> Tensor? {
    switch (operation.kind, before) {
    case (.convolve(let c), .convolution(let a)):
      let oneD = a.isOneDimensional
      let channels = a.input.rank == 3 ? a.input.shape[0] : 1
      let (h, w) = oneD ? (1, a.input.shape[0]) : (a.input.shape[a.input.rank - 2], a.input.shape[a.input.rank - 1])
      let k = a.kernels[0]
      let (kh, kw) = oneD ? (1, k.shape[0]) : (k.shape[k.rank - 2], k.shape[k.rank - 1])
      // A stride or padding read from a cell is the lesson's, as the step computed it.
      let strideRows = c.strideSetting == nil ? c.strideRows : a.trace.geometry.rows.stride
      let strideCols = c.strideSetting == nil ? c.strideCols : a.trace.geometry.cols.stride
      var options = ConvOptions(
        strideH: oneD ? 1 : strideRows, strideW: strideCols, mode: c.flip ? .convolve : .correlate,
        normalize: c.normalize)
      options.dilationH = oneD ? 1 : c.dilationRows
      options.dilationW = c.dilationCols
      let padding: PaddingSpec =
        c.paddingSetting == nil
        ? c.padding : .explicit(rows: a.trace.geometry.rows.padBefore, cols: a.trace.geometry.cols.padBefore)
      switch padding {
      case .valid: options.padding = .valid
      case .same where oneD:
        let (left, right) = ConvGeometry.samePadding(input: w, kernel: kw, stride: strideCols, dilation: c.dilationCols)
        options.padding = .explicit(top: 0, bottom: 0, left: left, right: right)
      case .same: options.padding = .same
      case .explicit(let rows, let cols):
        options.padding = .explicit(top: oneD ? 0 : rows, bottom: oneD ? 0 : rows, left: cols, right: cols)
      }
      let bias: [Float]? =
        c.bias.isEmpty ? nil : (0..<a.kernels.count).map { Float(c.bias[c.bias.count == 1 ? 0 : $0].value) }
      let weights = Tensor(shape: [a.kernels.count, channels, kh, kw], scalars: a.kernels.flatMap(\.scalars))
      return try? Reference.conv2D(
        input: a.input.reshaped([channels, h, w]), weights: weights, bias: bias, options: options,
        activation: c.relu ? .relu : .identity)
    case (.pool(let p), .pooling(let a)):
      let channels = a.input.rank == 3 ? a.input.shape[0] : 1
      let input = a.input.reshaped([channels, a.input.shape[a.input.rank - 2], a.input.shape[a.input.rank - 1]])
      return try? Reference.pool(input: input, size: p.size, stride: p.stride, ceil: p.ceil, mode: p.kind == .max ? .max : .avg)
    case (.relu(let r), .relu(let a)):
      return Tensor(shape: a.input.shape, scalars: a.input.scalars.map { r.activation.apply($0) })
    case (.descend(let d), .descent(let a)):
      // SGD on ½(A·x² + B·y²) in closed form: each step multiplies x by 1 − η·A and y by 1 − η·B.
      guard let rate = d.rate?.value else { return nil }
      let (fx, fy) = (1 - rate * Double(a.problem.a), 1 - rate * Double(a.problem.b))
      return Tensor(
        shape: [d.steps + 1, 2],
        scalars: (0...d.steps).flatMap { k in
          [Float(d.start.x.value * pow(fx, Double(k))), Float(d.start.y.value * pow(fy, Double(k)))]
        })
    default:
      return nil
    }
  }

  /// Turning walks each knob's values and stops at the ends; the lesson's value is the start.
  @Test func knobsTurnThroughTheirValuesAndStopAtTheEnds() throws {
    let pool = StepOperation(
      .pool(PoolOperation(input: NameReference("m", at: .init(line: 1, column: 1)), kind: .max, size: 2)),
      output: NameReference("p", at: .init(line: 1, column: 1)), at: .init(line: 1, column: 1))
    #expect(pool.knobs.map(\.name) == ["window", "stride", "mode", "edges"])
    #expect(pool.knobs.map(\.value) == ["2", "2", "max", "floor"])
    let wider = try #require(pool.turning("window", by: 1))
    #expect(wider.knobs.map(\.value) == ["3", "3", "max", "floor"])
    #expect(pool.turning("window", by: -2) == nil)
    #expect(try #require(pool.turning("mode", by: 1)).knobs[2].value == "avg")
    #expect(try #require(pool.turning("edges", by: -1)).knobs[3].value == "ceil")
    #expect(pool.turning("dilation", by: 1) == nil)

    let reference = NameReference("x", at: .init(line: 1, column: 1))
    let convolve = StepOperation(
      .convolve(ConvolveOperation(input: reference, kernels: [reference])), output: reference, at: .init(line: 1, column: 1))
    #expect(convolve.knobs.map(\.name) == ["stride", "padding", "dilation", "mode"])
    var padding: [String] = []
    var current: StepOperation? = convolve
    while let operation = current {
      padding.append(operation.knobs[1].value)
      current = operation.turning("padding", by: 1)
    }
    #expect(padding == ["valid", "same", "1", "2", "3"])

    let relu = StepOperation(.relu(ReLUOperation(input: reference)), output: reference, at: .init(line: 1, column: 1))
    var activations: [String] = []
    current = relu
    while let operation = current {
      activations.append(operation.knobs[0].value)
      current = operation.turning("activation", by: 1)
    }
    #expect(activations == ["relu", "sigmoid", "tanh", "none"])
  }

  /// The lessons' knobs turn through the first values of the one description the playground
  /// takes whole (`KnobScale`), and write them the same way.
  @Test func lessonKnobsTurnThroughTheFirstValuesOfTheSharedDescription() throws {
    let reference = NameReference("x", at: .init(line: 1, column: 1))
    let convolve = StepOperation(
      .convolve(ConvolveOperation(input: reference, kernels: [reference])), output: reference, at: .init(line: 1, column: 1))
    let pool = StepOperation(
      .pool(PoolOperation(input: reference, kind: .max, size: 1)), output: reference, at: .init(line: 1, column: 1))
    func values(_ operation: StepOperation, _ name: String) -> [String] {
      var seen: [String] = []
      var current: StepOperation? = operation
      while let o = current, seen.count < 64 {
        seen.append(o.knobs.first { $0.name == name }?.value ?? "?")
        current = o.turning(name, by: 1)
      }
      return seen
    }
    for (operation, scale) in [(convolve, KnobScale.stride), (convolve, .dilation), (pool, .poolWindow), (pool, .poolStride)] {
      #expect(values(operation, scale.name) == scale.lessonValues.map(String.init), "\(scale.described)")
      #expect(scale.values.lowerBound == scale.lessonValues.lowerBound && scale.values.upperBound >= scale.lessonValues.upperBound)
      #expect(scale.problem(scale.values.upperBound) == nil)
      #expect(
        scale.problem(scale.values.upperBound + 1)
          == "the \(scale.described) must be \(scale.values.lowerBound) to \(scale.values.upperBound), not \(scale.values.upperBound + 1)")
    }
    #expect(values(convolve, "padding") == KnobScale.paddings.map(KnobScale.paddingText))
    #expect(KnobScale.paddingText(.explicit(top: 1, bottom: 1, left: 0, right: 0)) == "1,1,0,0")
    #expect(KnobScale.largest == 32)
  }
}
