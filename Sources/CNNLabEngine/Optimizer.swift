#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How parameters change from their accumulated gradients: the one optimiser of the engine, a
/// rule and a learning rate. It is a plain value; the state a rule keeps between steps (the
/// velocity, the running moments, the step count) lives with the parameters it belongs to, in
/// the executor that trains them (`FastNetwork`), so changing the learning rate keeps it and a
/// new rule starts from zero.
///
/// Every rule is PyTorch's, as `update(step:values:gradients:moment1:moment2:count:)` writes it
/// once over flat buffers.
public struct Optimizer: Equatable, Sendable {
  public enum Rule: Equatable, Sendable {
    /// Gradient descent, with optional momentum: v ← μ·v + g; w ← w − η·v (w ← w − η·g when
    /// μ = 0). The first step's velocity is the gradient itself.
    case sgd(momentum: Float)
    /// RMSProp (Hinton): a running mean of the squared gradient scales each weight's step:
    /// s ← α·s + (1 − α)·g²; w ← w − η·g/(√s + ε).
    case rmsprop(alpha: Float, epsilon: Float)
    /// Adam (Kingma & Ba): momentum and RMSProp together, both bias-corrected:
    /// m ← β₁·m + (1 − β₁)·g; v ← β₂·v + (1 − β₂)·g²; w ← w − η·m̂/(√v̂ + ε).
    case adam(beta1: Float, beta2: Float, epsilon: Float)
  }

  public var rule: Rule
  public var learningRate: Float

  public init(_ rule: Rule, learningRate: Float) {
    self.rule = rule
    self.learningRate = learningRate
  }

  public static func sgd(learningRate: Float, momentum: Float = 0) -> Optimizer {
    Optimizer(.sgd(momentum: momentum), learningRate: learningRate)
  }

  public static func rmsprop(learningRate: Float, alpha: Float = 0.99, epsilon: Float = 1e-8) -> Optimizer {
    Optimizer(.rmsprop(alpha: alpha, epsilon: epsilon), learningRate: learningRate)
  }

  public static func adam(
    learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
  ) -> Optimizer {
    Optimizer(.adam(beta1: beta1, beta2: beta2, epsilon: epsilon), learningRate: learningRate)
  }

  /// How many running arrays, each the size of the parameter, the rule keeps.
  public var moments: Int {
    switch rule {
    case .sgd(let momentum): return momentum == 0 ? 0 : 1
    case .rmsprop: return 1
    case .adam: return 2
    }
  }

  /// Step `step` (1 for the first) of one parameter of `count` floats: changes `values` from
  /// `gradients`, and the moments (`moments` of them, zero before the first step) in place.
  public func update(
    step: Int, values v: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    moment1 m1: UnsafeMutablePointer<Float>?, moment2 m2: UnsafeMutablePointer<Float>?, count: Int
  ) {
    let whole = count - count % 16
    updateGroups(step: step, values: v, gradients: g, moment1: m1, moment2: m2, count: whole)
    let rest = count - whole
    guard rest > 0 else { return }
    // The last few floats go through one group of 16 padded with zeros (which every rule keeps
    // finite), so they take the same operations as the others.
    var group = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
    withUnsafeMutableBytes(of: &group) { raw in
      let values = raw.baseAddress!.assumingMemoryBound(to: Float.self)
      let (gradients, moment1, moment2) = (values + 16, values + 32, values + 48)
      values.update(from: v + whole, count: rest)
      gradients.update(from: g + whole, count: rest)
      if let m1 { moment1.update(from: m1 + whole, count: rest) }
      if let m2 { moment2.update(from: m2 + whole, count: rest) }
      updateGroups(
        step: step, values: values, gradients: gradients, moment1: m1 == nil ? nil : moment1,
        moment2: m2 == nil ? nil : moment2, count: 16)
      (v + whole).update(from: values, count: rest)
      if let m1 { (m1 + whole).update(from: moment1, count: rest) }
      if let m2 { (m2 + whole).update(from: moment2, count: rest) }
    }
  }

  /// `update` on a multiple of 16 floats, sixteen at a time: each float takes the same
  /// operations in the same order as it would alone, so how a parameter is cut into pieces
  /// changes no bit.
  private func updateGroups(
    step: Int, values v: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    moment1 m1: UnsafeMutablePointer<Float>?, moment2 m2: UnsafeMutablePointer<Float>?, count: Int
  ) {
    let lr = learningRate
    switch rule {
    case .sgd(let momentum):
      guard momentum != 0, let m1 else {
        for i in stride(from: 0, to: count, by: 16) { store16(load16(v + i) - lr * load16(g + i), v + i) }
        return
      }
      for i in stride(from: 0, to: count, by: 16) {
        let m = step == 1 ? load16(g + i) : momentum * load16(m1 + i) + load16(g + i)
        store16(m, m1 + i)
        store16(load16(v + i) - lr * m, v + i)
      }
    case .rmsprop(let alpha, let epsilon):
      guard let m1 else { preconditionFailure("RMSProp needs its running mean") }
      for i in stride(from: 0, to: count, by: 16) {
        let gradient = load16(g + i)
        let s = alpha * load16(m1 + i) + (1 - alpha) * gradient * gradient
        store16(s, m1 + i)
        store16(load16(v + i) - lr * gradient / (squareRoot(s) + epsilon), v + i)
      }
    case .adam(let beta1, let beta2, let epsilon):
      guard let m1, let m2 else { preconditionFailure("Adam needs its two moments") }
      // m̂ = m/(1 − β₁ᵗ) and √v̂ = √v/√(1 − β₂ᵗ), folded into the step size as PyTorch does.
      let stepSize = lr / (1 - powf(beta1, Float(step)))
      let root2 = (1 - powf(beta2, Float(step))).squareRoot()
      for i in stride(from: 0, to: count, by: 16) {
        let gradient = load16(g + i)
        let m = beta1 * load16(m1 + i) + (1 - beta1) * gradient
        let s = beta2 * load16(m2 + i) + (1 - beta2) * gradient * gradient
        store16(m, m1 + i)
        store16(s, m2 + i)
        store16(load16(v + i) - stepSize * m / (squareRoot(s) / root2 + epsilon), v + i)
      }
    }
  }
}

/// √x of each lane of a running mean of squares (never negative). Written as the root of
/// `max(x, 0)` lane by lane, so the compiler knows no lane needs the C library's domain-error
/// path and takes all sixteen roots in one instruction (`SIMD16.squareRoot()` takes them one at
/// a time); NaN stays NaN.
@inline(__always) private func squareRoot(_ x: SIMD16<Float>) -> SIMD16<Float> {
  var root = SIMD16<Float>()
  for k in 0..<16 { root[k] = max(x[k], 0).squareRoot() }
  return root
}

/// The optimisers by the names the command line uses.
public enum OptimizerKind: String, Sendable, CaseIterable {
  case sgd, momentum, adam, rmsprop

  /// A fresh optimiser of this kind (momentum 0.9 for `momentum`; PyTorch's defaults otherwise).
  public func make(learningRate: Float) -> Optimizer {
    switch self {
    case .sgd: return .sgd(learningRate: learningRate)
    case .momentum: return .sgd(learningRate: learningRate, momentum: 0.9)
    case .adam: return .adam(learningRate: learningRate)
    case .rmsprop: return .rmsprop(learningRate: learningRate)
    }
  }
}
