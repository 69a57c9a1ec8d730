import CNNLabEngine
import Foundation

// N = number of images, S = image side (height = width).

/// Labelled images of X and O, the lecture's toy task, drawn fresh for any seed.
///
/// Each image is `S x S` (9 by default, any `S >= 9` on request) with -1 for background and +1
/// for stroke. Shapes are strokes in a canonical frame (two diagonals for X, a circle for O)
/// that are moved, scaled and rotated, then rasterised: a pixel is stroke when its centre lies
/// within half the stroke weight of a stroke. Because the transform applies to the strokes,
/// not to pixels, every variant is still a connected X or O. The variations are the lecture's
/// "trickier cases": translation, scaling, rotation, stroke weight, and noise (a few flipped
/// pixels).
///
/// With no variations, `S = 9` gives exactly the lecture's X (diagonals from (1,1) to (7,7) and
/// (1,7) to (7,1)) and a matching ring of radius 3.
public struct XOGenerator: Sendable {
  /// The two classes; the raw value is the label.
  public enum Shape: Int, CaseIterable, Sendable {
    case x = 0
    case o = 1

    public var name: String { self == .x ? "X" : "O" }
  }

  /// Which of the lecture's "trickier cases" to draw.
  public struct Variations: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let translation = Variations(rawValue: 1 << 0)
    public static let scaling = Variations(rawValue: 1 << 1)
    public static let rotation = Variations(rawValue: 1 << 2)
    public static let weight = Variations(rawValue: 1 << 3)
    public static let noise = Variations(rawValue: 1 << 4)
    public static let all: Variations = [.translation, .scaling, .rotation, .weight, .noise]
  }

  /// How one shape is placed: applied to the strokes before rasterising.
  public struct Pose: Equatable, Sendable {
    /// Offset of the shape's centre from the image centre, in pixels (x right, y down).
    public var shiftX: Double = 0
    public var shiftY: Double = 0
    /// Horizontal and vertical scale of the canonical shape.
    public var scaleX: Double = 1
    public var scaleY: Double = 1
    /// Clockwise rotation (y points down), in radians.
    public var rotation: Double = 0
    /// Stroke weight relative to the default (1 pixel at S = 9).
    public var weight: Double = 1

    public init() {}

    /// The canonical pose: centred, unscaled, upright, default weight.
    public static let identity = Pose()
  }

  /// The image side.
  public let size: Int
  public let variations: Variations
  private var rng: SplitMix64

  /// A generator of `size x size` images; the same seed gives the same images.
  public init(seed: UInt64, size: Int = 9, variations: Variations = .all) {
    precondition(size >= 9, "X/O images are at least 9x9, not \(size)x\(size)")
    self.size = size
    self.variations = variations
    self.rng = SplitMix64(seed: seed)
  }

  /// The canonical `shape` at `size`: the lecture's X, or the matching O.
  public static func canonical(_ shape: Shape, size: Int = 9) -> Tensor {
    render(shape, size: size, pose: .identity)
  }

  /// `count` labelled images, half X and half O (X gets the odd one), in a seeded random order.
  public static func dataset(
    count: Int, seed: UInt64, size: Int = 9, variations: Variations = .all
  ) -> LabeledImages {
    var generator = XOGenerator(seed: seed, size: size, variations: variations)
    return generator.samples(count: count)
  }

  /// The next `count` labelled images: balanced, shuffled, `(N, S, S)`.
  public mutating func samples(count: Int) -> LabeledImages {
    var labels = (0..<count).map { $0 < (count + 1) / 2 ? Shape.x.rawValue : Shape.o.rawValue }
    // Fisher-Yates with our own draws, so the order never depends on the standard library.
    for i in stride(from: labels.count - 1, to: 0, by: -1) {
      labels.swapAt(i, Int(rng.next() % UInt64(i + 1)))
    }
    var scalars: [Float] = []
    scalars.reserveCapacity(count * size * size)
    for label in labels {
      scalars += next(Shape(rawValue: label) ?? .x).scalars
    }
    return LabeledImages(
      images: Tensor(shape: [count, size, size], scalars: scalars), labels: labels)
  }

  /// One new image of `shape` with a random pose (and noise) drawn from the enabled variations.
  public mutating func next(_ shape: Shape) -> Tensor {
    let pose = randomPose()
    var image = Self.render(shape, size: size, pose: pose)
    if variations.contains(.noise) {
      let most = max(1, size * size / 40)  // 2 of 81 pixels at 9x9
      let flips = Int(rng.next() % UInt64(most + 1))
      var chosen = Set<Int>()
      while chosen.count < flips {
        chosen.insert(Int(rng.next() % UInt64(image.count)))
      }
      for i in chosen.sorted() { image.scalars[i] = -image.scalars[i] }
    }
    return image
  }

  /// A random pose that keeps the whole shape, stroke included, inside the image.
  public mutating func randomPose() -> Pose {
    var pose = Pose()
    if variations.contains(.scaling) {
      let scale = Double(rng.nextFloat(in: 0.75..<1.15))
      let aspect = Double(rng.nextFloat(in: 0.85..<1.15))
      pose.scaleX = scale * aspect
      pose.scaleY = scale / aspect
    }
    if variations.contains(.rotation) {
      pose.rotation = Double(rng.nextFloat(in: -20..<20)) * Double.pi / 180
    }
    if variations.contains(.weight) {
      pose.weight = Double(rng.nextFloat(in: 1..<1.7))
    }
    if variations.contains(.translation) {
      let (roomX, roomY) = Self.room(size: size, pose: pose)
      pose.shiftX = Double(rng.nextFloat(in: -1..<1)) * roomX
      pose.shiftY = Double(rng.nextFloat(in: -1..<1)) * roomY
    }
    return pose
  }

  /// Rasterises `shape` at `pose` into a `(size, size)` grid of -1 and +1.
  public static func render(_ shape: Shape, size: Int, pose: Pose) -> Tensor {
    let segments = strokes(shape, size: size, pose: pose)
    let radius = strokeWidth(size: size) * pose.weight / 2
    var scalars = [Float](repeating: -1, count: size * size)
    for y in 0..<size {
      for x in 0..<size {
        let point = (Double(x), Double(y))
        if segments.contains(where: { distance(point, $0) <= radius }) {
          scalars[y * size + x] = 1
        }
      }
    }
    return Tensor(shape: [size, size], scalars: scalars)
  }

  // MARK: - Geometry

  typealias Point = (Double, Double)
  typealias Segment = (Point, Point)

  /// Half the side of the square the canonical shape fills: 3 pixels at S = 9, leaving a one
  /// pixel border as the lecture's grid does.
  static func halfExtent(size: Int) -> Double { Double(size - 1) / 2 * 0.75 }

  /// The default stroke width: 1 pixel at S = 9, growing with the image.
  static func strokeWidth(size: Int) -> Double { max(1, Double(size) / 9) }

  /// The strokes of `shape` at `pose`, in pixel coordinates (x = column, y = row).
  static func strokes(_ shape: Shape, size: Int, pose: Pose) -> [Segment] {
    let e = halfExtent(size: size)
    let canonical: [Segment]
    switch shape {
    case .x:
      canonical = [((-e, -e), (e, e)), ((e, -e), (-e, e))]
    case .o:
      let steps = 96
      canonical = (0..<steps).map { i in
        let a = 2 * Double.pi * Double(i) / Double(steps)
        let b = 2 * Double.pi * Double(i + 1) / Double(steps)
        return ((e * cos(a), e * sin(a)), (e * cos(b), e * sin(b)))
      }
    }
    let centre = Double(size - 1) / 2
    let (c, s) = (cos(pose.rotation), sin(pose.rotation))
    func place(_ p: Point) -> Point {
      let (x, y) = (p.0 * pose.scaleX, p.1 * pose.scaleY)
      return (centre + pose.shiftX + c * x - s * y, centre + pose.shiftY + s * x + c * y)
    }
    return canonical.map { (place($0.0), place($0.1)) }
  }

  /// How far the shape at `pose` (before its shift) may move each way and stay in the image.
  static func room(size: Int, pose: Pose) -> (Double, Double) {
    let e = halfExtent(size: size)
    let (c, s) = (abs(cos(pose.rotation)), abs(sin(pose.rotation)))
    let reachX = e * (pose.scaleX * c + pose.scaleY * s)
    let reachY = e * (pose.scaleX * s + pose.scaleY * c)
    let half = strokeWidth(size: size) * pose.weight / 2
    let limit = Double(size - 1) / 2 + 0.5  // from the centre to the image's edge
    return (max(0, limit - reachX - half), max(0, limit - reachY - half))
  }

  /// Distance from `p` to the segment `segment`.
  static func distance(_ p: Point, _ segment: Segment) -> Double {
    let ((ax, ay), (bx, by)) = segment
    let (dx, dy) = (bx - ax, by - ay)
    let lengthSquared = dx * dx + dy * dy
    var t = lengthSquared > 0 ? ((p.0 - ax) * dx + (p.1 - ay) * dy) / lengthSquared : 0
    t = min(1, max(0, t))
    let (qx, qy) = (ax + t * dx - p.0, ay + t * dy - p.1)
    return (qx * qx + qy * qy).squareRoot()
  }
}
