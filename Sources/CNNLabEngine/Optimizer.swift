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
    let lr = learningRate
    switch rule {
    case .sgd(let momentum):
      guard momentum != 0, let m = m1 else {
        for i in 0..<count { v[i] -= lr * g[i] }
        return
      }
      for i in 0..<count {
        m[i] = step == 1 ? g[i] : momentum * m[i] + g[i]
        v[i] -= lr * m[i]
      }
    case .rmsprop(let alpha, let epsilon):
      guard let s = m1 else { preconditionFailure("RMSProp needs its running mean") }
      for i in 0..<count {
        s[i] = alpha * s[i] + (1 - alpha) * g[i] * g[i]
        v[i] -= lr * g[i] / (s[i].squareRoot() + epsilon)
      }
    case .adam(let beta1, let beta2, let epsilon):
      guard let m = m1, let s = m2 else { preconditionFailure("Adam needs its two moments") }
      // m̂ = m/(1 − β₁ᵗ) and √v̂ = √v/√(1 − β₂ᵗ), folded into the step size as PyTorch does.
      let stepSize = lr / (1 - powf(beta1, Float(step)))
      let root2 = (1 - powf(beta2, Float(step))).squareRoot()
      for i in 0..<count {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i]
        s[i] = beta2 * s[i] + (1 - beta2) * g[i] * g[i]
        v[i] -= stepSize * m[i] / (s[i].squareRoot() / root2 + epsilon)
      }
    }
  }
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
