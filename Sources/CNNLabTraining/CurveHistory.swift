import CNNLabEngine
/// Every batch loss and accuracy of a run since step 1, in a bounded number of buckets: each
/// keeps the minimum, maximum and sum of the steps it covers, so a chart of any width can show
/// the whole run with its spikes.
///
/// The first `capacity` steps get a bucket each; when the buckets are full, neighbours merge in
/// pairs and each bucket covers twice as many steps. The history is then never more than
/// `capacity` buckets (32 KiB) however long the run, so copying it into every snapshot stays cheap.
public struct CurveHistory: Equatable, Sendable {
  /// A run of consecutive steps.
  public struct Bucket: Equatable, Sendable {
    /// The first step it covers (1-based).
    public var firstStep: Int
    public var count: Int
    public var loss: Span
    public var accuracy: Span

    /// The minimum, maximum and sum of one quantity over the bucket's steps.
    public struct Span: Equatable, Sendable {
      public var min: Float
      public var max: Float
      public var sum: Float

      init(_ value: Float) { (min, max, sum) = (value, value, value) }

      mutating func merge(_ other: Span) {
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        sum += other.sum
      }
    }

    /// The last step it covers.
    public var lastStep: Int { firstStep + count - 1 }
  }

  public static let capacity = 1024

  public private(set) var buckets: [Bucket] = []
  /// Steps a full bucket covers: 1 until the history first fills, then doubling.
  public private(set) var stepsPerBucket = 1

  public init() {}

  /// The steps recorded so far.
  public var steps: Int { buckets.last?.lastStep ?? 0 }

  /// Records the next step's batch loss and accuracy (0…1).
  public mutating func append(loss: Float, accuracy: Float) {
    if var last = buckets.last, last.count < stepsPerBucket {
      last.count += 1
      last.loss.merge(.init(loss))
      last.accuracy.merge(.init(accuracy))
      buckets[buckets.count - 1] = last
      return
    }
    buckets.append(Bucket(firstStep: steps + 1, count: 1, loss: .init(loss), accuracy: .init(accuracy)))
    guard buckets.count > CurveHistory.capacity else { return }
    var merged: [Bucket] = []
    merged.reserveCapacity(buckets.count / 2 + 1)
    for pair in stride(from: 0, to: buckets.count, by: 2) {
      var bucket = buckets[pair]
      if pair + 1 < buckets.count {
        bucket.count += buckets[pair + 1].count
        bucket.loss.merge(buckets[pair + 1].loss)
        bucket.accuracy.merge(buckets[pair + 1].accuracy)
      }
      merged.append(bucket)
    }
    buckets = merged
    stepsPerBucket *= 2
  }
}
