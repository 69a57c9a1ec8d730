#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Changes a network's parameters using their accumulated gradients.
public protocol Optimizer: Sendable {
  var learningRate: Float { get set }
  mutating func step(_ network: inout Network)
}

/// Stochastic gradient descent, with optional momentum (PyTorch's form: v ← μ·v + g; w ← w − η·v).
public struct SGD: Optimizer {
  public var learningRate: Float
  public var momentum: Float
  private var velocity: [Tensor] = []  // one per parameter, in Network.parameters order

  public init(learningRate: Float, momentum: Float = 0) {
    self.learningRate = learningRate
    self.momentum = momentum
  }

  public mutating func step(_ network: inout Network) {
    let (lr, mu) = (learningRate, momentum)
    if mu == 0 {
      network.updateParameters { _, p in
        for i in p.value.scalars.indices { p.value.scalars[i] -= lr * p.grad.scalars[i] }
      }
      return
    }
    if velocity.isEmpty { velocity = network.parameters.map { .zeros(like: $0.value) } }
    network.updateParameters { index, p in
      velocity[index].scalars.withUnsafeMutableBufferPointer { v in
        for i in p.value.scalars.indices {
          v[i] = mu * v[i] + p.grad.scalars[i]
          p.value.scalars[i] -= lr * v[i]
        }
      }
    }
  }
}

/// Adam (Kingma & Ba): per-weight step sizes from running means of the gradient and its square,
/// bias-corrected: w ← w − η·m̂/(√v̂ + ε).
public struct Adam: Optimizer {
  public var learningRate: Float
  public var beta1: Float
  public var beta2: Float
  public var epsilon: Float
  private var t = 0
  private var m: [Tensor] = []
  private var v: [Tensor] = []

  public init(
    learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
  }

  public mutating func step(_ network: inout Network) {
    if m.isEmpty {
      m = network.parameters.map { .zeros(like: $0.value) }
      v = m
    }
    t += 1
    let (b1, b2, eps, lr) = (beta1, beta2, epsilon, learningRate)
    let correction1 = 1 - powf(b1, Float(t))
    let correction2 = 1 - powf(b2, Float(t))
    network.updateParameters { index, p in
      for i in p.value.scalars.indices {
        let g = p.grad.scalars[i]
        m[index].scalars[i] = b1 * m[index].scalars[i] + (1 - b1) * g
        v[index].scalars[i] = b2 * v[index].scalars[i] + (1 - b2) * g * g
        let mHat = m[index].scalars[i] / correction1
        let vHat = v[index].scalars[i] / correction2
        p.value.scalars[i] -= lr * mHat / (vHat.squareRoot() + eps)
      }
    }
  }
}

/// The optimisers by the names the command line uses.
public enum OptimizerKind: String, Sendable, CaseIterable {
  case sgd, momentum, adam

  /// A fresh optimiser of this kind (momentum 0.9 for `momentum`).
  public func make(learningRate: Float) -> any Optimizer {
    switch self {
    case .sgd: return SGD(learningRate: learningRate)
    case .momentum: return SGD(learningRate: learningRate, momentum: 0.9)
    case .adam: return Adam(learningRate: learningRate)
    }
  }
}
