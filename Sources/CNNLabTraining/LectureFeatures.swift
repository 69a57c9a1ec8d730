import CNNLabEngine

/// The X/O lecture's three hand-made 3x3 features (the grids in `assets/xo`, which lesson 4
/// slides over the X and the O), and how close a learned kernel is to them.
///
/// A network can start its first convolution from them (`TrainingConfiguration.startingKernels`)
/// and the training screen says, for each learned kernel, its cosine similarity to its lecture
/// twin: the feature it started from, or for a random start the closest one.
public enum LectureFeatures {
  /// Diagonal, X centre and anti-diagonal, with the short names the lessons give them.
  public static let all: [(name: String, short: String, values: [[Float]])] = [
    ("diagonal", "diag", [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]),
    ("X centre", "cross", [[1, -1, 1], [-1, 1, -1], [1, -1, 1]]),
    ("anti-diagonal", "anti", [[-1, -1, 1], [-1, 1, -1], [1, -1, -1]]),
  ]

  /// The three features as a first convolution's weights `(3, 1, 3, 3)`.
  public static var kernels: Tensor {
    Tensor(shape: [all.count, 1, 3, 3], scalars: all.flatMap { $0.values.joined() })
  }

  /// cos θ = a·b / (|a| |b|): 1 for the same pattern at any strength, −1 for its negative, 0
  /// for nothing in common; nil when either is all zeros (it has no direction).
  public static func cosine(_ a: [Float], _ b: [Float]) -> Float? {
    precondition(a.count == b.count, "cosine of \(a.count) and \(b.count) values")
    var (dot, aa, bb): (Double, Double, Double) = (0, 0, 0)
    for (x, y) in zip(a, b) {
      dot += Double(x) * Double(y)
      aa += Double(x) * Double(x)
      bb += Double(y) * Double(y)
    }
    guard aa > 0, bb > 0, dot.isFinite, aa.isFinite, bb.isFinite else { return nil }
    return Float(dot / (aa.squareRoot() * bb.squareRoot()))
  }

  /// One kernel beside its lecture twin.
  public struct Match: Equatable, Sendable {
    /// The kernel's position in the layer (0 for the first).
    public var kernel: Int
    /// Its twin's position in `all`.
    public var feature: Int
    public var cosine: Float
  }

  /// Each kernel of `weights` `(F, 1, 3, 3)` with its twin: feature f for kernel f when the
  /// layer started from the features (`twins`, and f < 3), else the feature it is closest to.
  /// Nil for weights of another shape, which have no lecture twin.
  public static func matches(_ weights: Tensor, twins: Bool) -> [Match]? {
    let s = weights.shape
    guard s.count == 4, s[1] == 1, s[2] == 3, s[3] == 3 else { return nil }
    let features = all.map { Array($0.values.joined()) }
    return (0..<s[0]).compactMap { f in
      let kernel = Array(weights.scalars[(f * 9)..<(f * 9 + 9)])
      let cosines = features.map { cosine(kernel, $0) }
      if twins, f < features.count {
        return cosines[f].map { Match(kernel: f, feature: f, cosine: $0) }
      }
      let best = cosines.indices.compactMap { i in cosines[i].map { (i, $0) } }.max { $0.1 < $1.1 }
      return best.map { Match(kernel: f, feature: $0.0, cosine: $0.1) }
    }
  }
}
