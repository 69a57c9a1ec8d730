import CNNLabEngine

// `learn KERNEL on INPUT target T rate η -> NAME`: one gradient-descent step on a 2-D kernel,
// the forward placements first, then one frame per weight's gradient.

public struct LearnOperation: Equatable, Sendable {
  public var kernel: NameReference
  public var input: NameReference
  public var target: NameReference
  public var rate: LessonNumber

  public init(kernel: NameReference, input: NameReference, target: NameReference, rate: LessonNumber) {
    self.kernel = kernel
    self.input = input
    self.target = target
    self.rate = rate
  }
}

extension LearnOperation: OperationSpec {
  static let keyword = "learn"

  var inputs: [NameReference] { [kernel, input, target] }

  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind {
    let kernel = try cursor.name("the kernel to train")
    try cursor.expectWord("on", note: "write 'learn KERNEL on INPUT target T rate 0.1 -> NAME'")
    let input = try cursor.name("the input grid")
    try cursor.expectWord("target", note: "write 'learn KERNEL on INPUT target T rate 0.1 -> NAME'")
    let target = try cursor.name("the target grid")
    try cursor.expectWord("rate", note: "write 'learn KERNEL on INPUT target T rate 0.1 -> NAME'")
    let rate = try cursor.number("the learning rate")
    return .learn(LearnOperation(kernel: kernel, input: input, target: target, rate: rate))
  }

  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation {
    let output = operation.output.name
    let animation = try run.learn(self, output: output)
    run.values[output] = .grid(animation.updated, unscaled: nil, scale: nil)
    run.values[output + ".output"] = .grid(animation.output, unscaled: nil, scale: nil)
    run.values[output + ".error"] = .number(Double(animation.error))
    run.values[output + ".dout"] = .grid(animation.dOutput, unscaled: nil, scale: nil)
    run.values[output + ".grad"] = .grid(animation.gradient, unscaled: nil, scale: nil)
    run.values[output + ".updated"] = .grid(animation.updated, unscaled: nil, scale: nil)
    return .learning(animation)
  }
}

extension LessonRun {
  func learn(_ l: LearnOperation, output: String) throws(EvalError) -> LearningAnimation {
    let kernel = try grid(l.kernel)
    let input = try grid(l.input)
    let target = try grid(l.target)
    guard kernel.rank == 2 else {
      throw EvalError(
        location: l.kernel.location, message: "'learn' trains a 2-D kernel, not \(shapeText(kernel.shape))",
        note: "declare the kernel with rows and columns, like 2x2")
    }
    guard input.rank == 2 else {
      throw EvalError(
        location: l.input.location, message: "'learn' needs a 2-D input, not \(shapeText(input.shape))",
        note: "use a grid with rows and columns, like 3x3")
    }
    let options = ConvOptions()
    let geometry: ConvGeometry
    do {
      geometry = try ConvGeometry.convolution(
        inputH: input.shape[0], inputW: input.shape[1], kernelH: kernel.shape[0], kernelW: kernel.shape[1],
        options: options)
    } catch {
      throw EvalError(location: l.kernel.location, message: error.message, note: "use a kernel smaller than the input")
    }
    let outputShape = [geometry.rows.output, geometry.cols.output]
    guard target.shape == outputShape else {
      throw EvalError(
        location: l.target.location,
        message: "the target '\(l.target.name)' is \(shapeText(target.shape)) but the output is \(shapeText(outputShape))",
        note: "give one target value per output cell: \(shapeText(outputShape))")
    }
    guard input.count * kernel.count <= maxTracedTaps else {
      throw EvalError(location: l.input.location, message: "the grids are too large to show", note: "use small grids")
    }
    let engineInput = input.reshaped([1, input.shape[0], input.shape[1]])
    let weights = kernel.reshaped([1, 1, kernel.shape[0], kernel.shape[1]])
    let forward: ConvTrace
    var dWeights = Tensor.zeros(weights.shape)
    var dBias: [Float] = [0]
    let dOutput: Tensor
    do {
      forward = try Reference.conv2DTrace(input: engineInput, weights: weights, options: options)
      let h = forward.output.reshaped(outputShape)
      // E = ½ Σ (h − t)², so ∂E/∂h = h − t.
      dOutput = Tensor(shape: outputShape, scalars: zip(h.scalars, target.scalars).map { $0 - $1 })
      _ = try Reference.conv2DBackward(
        input: engineInput, weights: weights, options: options, dOutput: dOutput.reshaped([1] + outputShape),
        dWeights: &dWeights, dBias: &dBias)
    } catch {
      throw EvalError(location: l.kernel.location, message: error.message, note: "check the shapes")
    }
    let error = dOutput.scalars.reduce(0) { $0 + $1 * $1 } / 2
    let gradient = dWeights.reshaped(kernel.shape)
    var contributions = [[LearningAnimation.Contribution]](repeating: [], count: kernel.count)
    for placement in forward.placements {
      let g = dOutput.scalars[placement.outRow * outputShape[1] + placement.outCol]
      for tap in placement.taps {
        contributions[tap.kernelRow * kernel.shape[1] + tap.kernelCol].append(
          LearningAnimation.Contribution(
            outRow: placement.outRow, outCol: placement.outCol, dOutput: g, input: tap.input))
      }
    }
    let rate = Float(l.rate.value)
    let updated = Tensor(shape: kernel.shape, scalars: zip(kernel.scalars, gradient.scalars).map { $0 - rate * $1 })
    return LearningAnimation(
      kernelName: l.kernel.name, inputName: l.input.name, targetName: l.target.name, outputName: output,
      input: input, kernel: kernel, target: target, forward: forward, output: forward.output.reshaped(outputShape),
      error: error, dOutput: dOutput, gradient: gradient, contributions: contributions, rate: rate,
      updated: updated)
  }
}

/// One gradient-descent step on a 2-D kernel: forward sums, error, ∂E/∂h, ∂E/∂W, update.
public struct LearningAnimation: Equatable, Sendable {
  public struct Contribution: Equatable, Sendable {
    /// The output cell (placement) this term comes from.
    public var outRow: Int
    public var outCol: Int
    /// ∂E/∂h at that cell.
    public var dOutput: Float
    /// The input cell under the weight at that placement.
    public var input: Float
  }

  public var kernelName: String
  public var inputName: String
  public var targetName: String
  public var outputName: String
  public var input: Tensor
  public var kernel: Tensor
  public var target: Tensor
  /// The forward pass h = input ⋆ kernel, every placement.
  public var forward: ConvTrace
  /// `(OH, OW)`.
  public var output: Tensor
  /// E = ½ Σ (h − t)².
  public var error: Float
  /// ∂E/∂h = h − t, `(OH, OW)`.
  public var dOutput: Tensor
  /// ∂E/∂W, `(KH, KW)`.
  public var gradient: Tensor
  /// For each weight (row-major), the terms ∂E/∂h · x that add up to its gradient.
  public var contributions: [[Contribution]]
  public var rate: Float
  /// W − η ∂E/∂W.
  public var updated: Tensor
}

extension LearningAnimation: OperationAnimation {
  public var frameCount: Int { forward.placements.count + gradient.count }
  public var producesGrid: Bool { false }

  public func frameIndex(of target: GridPosition, filter: Int) -> Int? {
    forward.placements.firstIndex { $0.outRow == target.row && $0.outCol == target.col }
  }

  public func parts(frame: Int) -> AnimationParts { AnimationParts(input: inputName, kernels: [kernelName]) }

  public func printArithmetic(into printed: inout PrintedArithmetic) {
    for p in forward.placements { printed.add(p.value) }
    for terms in contributions {
      for term in terms { printed.add(term.dOutput) }
    }
    for value in gradient.scalars + updated.scalars { printed.add(value) }
  }
}
