#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An element-wise non-linearity, and its derivative for the backward pass.
public enum Activation: String, Sendable, CaseIterable {
  case identity
  /// max(0, z): negatives become 0, positives pass unchanged.
  case relu
  /// 1/(1 + e^−z), squashing into (0, 1).
  case sigmoid
  /// tanh z, squashing into (−1, 1).
  case tanh

  @inlinable
  public func apply(_ z: Float) -> Float {
    switch self {
    case .identity: return z
    case .relu: return z > 0 ? z : 0
    case .sigmoid: return z >= 0 ? 1 / (1 + expf(-z)) : expf(z) / (1 + expf(z))  // no overflow
    case .tanh: return tanhf(z)
    }
  }

  /// dσ/dz, written in terms of the output y = σ(z) (what forward keeps).
  @inlinable
  public func derivative(output y: Float) -> Float {
    switch self {
    case .identity: return 1
    case .relu: return y > 0 ? 1 : 0  // the kink at 0 gets 0, as in PyTorch
    case .sigmoid: return y * (1 - y)
    case .tanh: return 1 - y * y
    }
  }
}

extension Tensor {
  /// The activation of every value.
  public func activated(_ activation: Activation) -> Tensor { map(activation.apply) }
}

/// Softmax of a vector: e^z_i / Σ e^z_j, computed after subtracting the maximum so that large
/// logits (1000, 3e38) neither overflow nor lose the answer. Infinite logits are limits: the
/// `+inf` ones share all the probability, and logits that are all `-inf` share it equally. Any
/// NaN makes every probability NaN, for the caller to report.
public func softmax(_ logits: [Float]) -> [Float] {
  guard !logits.isEmpty else { return [] }
  if logits.contains(where: \.isNaN) { return logits.map { _ in .nan } }
  let top = logits.max()!
  if top == .infinity || top == -.infinity {
    let winners = Float(logits.count { $0 == top })
    return logits.map { $0 == top ? 1 / winners : 0 }
  }
  // z − top may overflow to −inf for finite z (3e38 − (−3e38)); e^−inf is 0, as it should be.
  var probabilities = logits
  logits.withStart { z in
    probabilities.withMutableStart { p in _ = softmaxRow(z, count: logits.count, into: p) }
  }
  return probabilities
}

/// −log p(label) for the softmax of `logits`, via log-sum-exp (stable for any logits).
public func crossEntropy(logits: [Float], label: Int) -> Float {
  precondition(logits.indices.contains(label), "label \(label) outside \(logits.count) classes")
  return logits.withStart { z in
    softmaxCrossEntropy(z, count: logits.count, label: label, scale: 1, gradient: nil).loss
  }
}
