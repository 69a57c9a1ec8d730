#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, fast, seedable generator (Steele, Lea & Flood 2014): the same seed gives the same
/// stream on every machine, so a seeded training run is bit-identical.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  public private(set) var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform Float in [0, 1) with 24 random bits.
  public mutating func nextUnitFloat() -> Float {
    Float(next() >> 40) * 0x1p-24
  }

  /// A uniform Float in [low, high).
  public mutating func nextFloat(in range: Range<Float>) -> Float {
    range.lowerBound + (range.upperBound - range.lowerBound) * nextUnitFloat()
  }

  /// A standard normal sample (Box–Muller; one of the pair is discarded to stay stateless).
  public mutating func nextGaussian() -> Float {
    let u1 = Double(next() >> 11) * 0x1p-53 + 0x1p-54  // (0, 1): never log(0)
    let u2 = Double(next() >> 11) * 0x1p-53
    return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
  }
}

extension Tensor {
  /// Uniform values in `range`, drawn in storage order.
  public static func random(
    shape: [Int], in range: Range<Float> = -1..<1, using rng: inout SplitMix64
  ) -> Tensor {
    var scalars = [Float](repeating: 0, count: shape.reduce(1, *))
    for i in scalars.indices { scalars[i] = rng.nextFloat(in: range) }
    return Tensor(shape: shape, scalars: scalars)
  }
}
