// N = batch, C = channels, H/W = height/width. Storage is row-major: the last index moves fastest.

/// A dense fp32 array with a shape: `(N, C, H, W)` for batches of images, `(C, H, W)` for one
/// image, `(H, W)` for a grid, `(n)` for a vector.
///
/// `Tensor` is a value: copies share storage until one of them is written (copy-on-write, as
/// Swift arrays are), so snapshots handed to another thread are cheap and safe.
public struct Tensor: Equatable, Sendable {
  /// The extent of each axis; the product is `scalars.count`.
  public private(set) var shape: [Int]
  /// The values, row-major.
  public var scalars: [Float]

  /// Wraps `scalars` with `shape`; the counts must agree.
  public init(shape: [Int], scalars: [Float]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative extent")
    precondition(
      shape.reduce(1, *) == scalars.count,
      "Tensor shape \(shape) holds \(shape.reduce(1, *)) values, not \(scalars.count)")
    self.shape = shape
    self.scalars = scalars
  }

  /// A tensor of `shape` with every value `value`.
  public init(shape: [Int], repeating value: Float) {
    self.init(shape: shape, scalars: Array(repeating: value, count: shape.reduce(1, *)))
  }

  /// A grid `(rows, columns)` from nested rows, which must all have the same length.
  public init(_ rows: [[Float]]) {
    let width = rows.first?.count ?? 0
    precondition(rows.allSatisfy { $0.count == width }, "Tensor rows have different lengths")
    self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 })
  }

  /// A vector `(n)`.
  public init(vector: [Float]) {
    self.init(shape: [vector.count], scalars: vector)
  }

  public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }
  public static func zeros(like other: Tensor) -> Tensor { .zeros(other.shape) }

  public var rank: Int { shape.count }
  public var count: Int { scalars.count }

  /// The same values under another shape with the same number of elements.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    Tensor(shape: newShape, scalars: scalars)
  }

  /// Row-major offset of a full index.
  @inlinable
  public func offset(_ index: [Int]) -> Int {
    precondition(index.count == shape.count, "index \(index) does not match shape \(shape)")
    var offset = 0
    for (axis, i) in index.enumerated() {
      precondition(i >= 0 && i < shape[axis], "index \(index) is outside shape \(shape)")
      offset = offset * shape[axis] + i
    }
    return offset
  }

  public subscript(_ index: Int...) -> Float {
    get { scalars[offset(index)] }
    set { scalars[offset(index)] = newValue }
  }

  /// Element `n` of the leading axis: one image of a batch, one channel of an image, one row.
  public func slice(_ n: Int) -> Tensor {
    precondition(rank >= 1 && n >= 0 && n < shape[0], "slice \(n) outside shape \(shape)")
    let inner = Array(shape.dropFirst())
    let size = inner.reduce(1, *)
    return Tensor(shape: inner, scalars: Array(scalars[n * size..<(n + 1) * size]))
  }

  /// Stacks tensors of one shape along a new leading axis.
  public static func stack(_ parts: [Tensor]) -> Tensor {
    guard let first = parts.first else { return Tensor(shape: [0], scalars: []) }
    precondition(parts.allSatisfy { $0.shape == first.shape }, "stack needs tensors of one shape")
    var scalars: [Float] = []
    scalars.reserveCapacity(first.count * parts.count)
    for part in parts { scalars += part.scalars }
    return Tensor(shape: [parts.count] + first.shape, scalars: scalars)
  }

  /// The rows of a rank-2 tensor, for printing and tests.
  public var rows: [[Float]] {
    precondition(rank == 2, "rows needs a (H, W) tensor, not \(shape)")
    let width = shape[1]
    return (0..<shape[0]).map { Array(scalars[$0 * width..<($0 + 1) * width]) }
  }

  /// Applies `transform` to every value.
  public func map(_ transform: (Float) -> Float) -> Tensor {
    Tensor(shape: shape, scalars: scalars.map(transform))
  }

  /// The largest absolute difference to `other`, which must have the same shape.
  public func maxAbsDifference(_ other: Tensor) -> Float {
    precondition(shape == other.shape, "compare \(shape) with \(other.shape)")
    var worst: Float = 0
    for i in scalars.indices { worst = max(worst, abs(scalars[i] - other.scalars[i])) }
    return worst
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String { "Tensor\(shape)" }
}
