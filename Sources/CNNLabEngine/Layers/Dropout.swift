// N = batch, S = values per example.

/// Inverted dropout, as PyTorch's `nn.Dropout(p)`: while training, each value is zeroed with
/// probability `p` and the kept ones are multiplied by 1/(1 − p), so every value's expected
/// output is its input; at evaluation (the default) the layer is the identity. Shape in = out.
///
/// The mask comes from the engine's `SplitMix64`, one stream per dropout layer (`maskSeed`):
/// each training forward pass draws one number per value of the batch, example by example, in
/// storage order (`drawMask`). The fast executor draws the same numbers in the same order for
/// the whole batch before splitting it over threads, so both executors, and every thread count,
/// drop the same values for the same seed.
public struct Dropout: Layer {
  /// The probability of dropping a value, in [0, 1).
  public let probability: Double
  public private(set) var isTraining = false
  private var generator = SplitMix64(seed: 0)
  private var mask: [Float]?  // (N·S): 0 or 1/(1 − p), kept by a training forward for backward

  public init(_ probability: Double) {
    precondition(
      probability >= 0 && probability < 1, "a dropout probability is in [0, 1), not \(probability)")
    self.probability = probability
  }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

  /// Training mode restarts the mask stream from `maskSeed`.
  public mutating func setTraining(_ training: Bool, maskSeed: UInt64) {
    isTraining = training
    generator = SplitMix64(seed: maskSeed)
    mask = nil
  }

  public mutating func forward(_ input: Tensor) -> Tensor {
    guard isTraining else {
      mask = nil
      return input
    }
    var drawn = [Float](repeating: 0, count: input.count)
    drawn.withUnsafeMutableBufferPointer { m in
      if let start = m.baseAddress {
        Dropout.drawMask(start, count: m.count, probability: probability, using: &generator)
      }
    }
    mask = drawn
    var output = input
    for i in output.scalars.indices { output.scalars[i] *= drawn[i] }
    return output
  }

  /// dInput = dOutput × mask: a dropped value passes no gradient back, a kept one its scale.
  public mutating func backward(_ dOutput: Tensor) -> Tensor {
    guard let mask else { return dOutput }  // evaluation: the identity
    var dInput = dOutput
    for i in dInput.scalars.indices { dInput.scalars[i] *= mask[i] }
    return dInput
  }

  /// The mask stream of the dropout layer at 1-based spec position `layer` of a network whose
  /// masks are seeded by `seed`: the same for both executors.
  ///
  /// Each layer's seed is a hash of the network's and the layer's place. (Adding the place times
  /// SplitMix64's own increment would give every layer the same stream, started a few draws
  /// later: two dropout layers would drop the same units, shifted.)
  public static func maskSeed(_ seed: UInt64, layer: Int) -> UInt64 {
    var mixer = SplitMix64(seed: seed ^ 0xD809_0D7E_5EED_0000)
    let base = mixer.next()
    var layerMixer = SplitMix64(seed: base ^ (UInt64(truncatingIfNeeded: layer) &* 0xBF58_476D_1CE4_E5B9))
    return layerMixer.next()
  }

  /// What a kept value is multiplied by while training: 1/(1 − p), in the engine's floats.
  public static func keptScale(_ probability: Double) -> Float { 1 / (1 - Float(probability)) }

  /// Writes `count` mask values: each draws a uniform u in [0, 1) and is 0 when u < p (dropped)
  /// or 1/(1 − p) when kept. The one place either executor draws a mask.
  public static func drawMask(
    _ mask: UnsafeMutablePointer<Float>, count: Int, probability: Double,
    using generator: inout SplitMix64
  ) {
    let p = Float(probability)
    let scale = keptScale(probability)
    for i in 0..<count { mask[i] = generator.nextUnitFloat() < p ? 0 : scale }
  }
}
