/// How a layer's weights start.
public enum Initializer: String, Sendable, CaseIterable {
  /// He (Kaiming) normal: N(0, 2/fan_in), suited to ReLU; biases 0.
  case he
  /// Glorot (Xavier) uniform: U(±√(6/(fan_in + fan_out))); biases 0.
  case glorot
  /// PyTorch's default for Conv2d and Linear: weights and biases U(±1/√fan_in).
  case torch

  /// Weights of `shape` for a layer with the given fan-in and fan-out.
  public func weights(shape: [Int], fanIn: Int, fanOut: Int, using rng: inout SplitMix64) -> Tensor {
    switch self {
    case .he:
      let std = (2 / Float(fanIn)).squareRoot()
      var t = Tensor.zeros(shape)
      for i in t.scalars.indices { t.scalars[i] = rng.nextGaussian() * std }
      return t
    case .glorot:
      let bound = (6 / Float(fanIn + fanOut)).squareRoot()
      return .random(shape: shape, in: -bound..<bound, using: &rng)
    case .torch:
      let bound = 1 / Float(fanIn).squareRoot()
      return .random(shape: shape, in: -bound..<bound, using: &rng)
    }
  }

  /// Biases for `count` units.
  public func biases(count: Int, fanIn: Int, using rng: inout SplitMix64) -> Tensor {
    switch self {
    case .he, .glorot: return .zeros([count])
    case .torch:
      let bound = 1 / Float(fanIn).squareRoot()
      return .random(shape: [count], in: -bound..<bound, using: &rng)
    }
  }
}
