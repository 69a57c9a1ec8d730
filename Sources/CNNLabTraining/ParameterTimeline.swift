import CNNLabEngine
/// The network's parameters as they were at earlier steps, so a screen can rewind the run.
///
/// Step 0 (the starting weights) and every step after it are kept until the timeline would hold
/// more than `capacity` entries; then every other entry is dropped and only every second step is kept
/// from then on, and so on. The timeline therefore always spans the whole run, densest where
/// the network changes fastest (the start), with between about `capacity / 2` and `capacity` entries.
///
/// Memory: `capacity` is at most `mostEntries` (512) and at most `memoryBudget` (64 MiB) over
/// the bytes of one copy of the parameters. mnist-small (11,274 parameters, 45 KB) keeps 512
/// entries, 23 MiB; the X/O network (125 parameters) 512 entries, 256 KB; a network of 3.2 M
/// parameters keeps 5 (the fewest is 2: the start and the newest thinned step).
public struct ParameterTimeline: Sendable {
  public static let memoryBudget = 64 << 20
  public static let mostEntries = 512

  /// One kept step: every parameter's values, in `Network.parameters` order.
  public struct Entry: Sendable {
    public var step: Int
    public var values: [[Float]]
  }

  public let capacity: Int
  /// Steps between two kept entries: 1 until the timeline first fills, then doubling.
  public private(set) var stride = 1
  public private(set) var entries: [Entry] = []

  /// A timeline for a network of `parameterCount` floats.
  public init(parameterCount: Int) {
    let bytes = Swift.max(1, parameterCount) * MemoryLayout<Float>.size
    capacity = Swift.max(2, Swift.min(ParameterTimeline.mostEntries, ParameterTimeline.memoryBudget / bytes))
  }

  /// The kept steps, oldest first.
  public var steps: [Int] { entries.map(\.step) }

  /// Whether `step` would be kept: record only then, so copying the parameters out is skipped
  /// for the steps that thinning would drop anyway.
  public func wants(_ step: Int) -> Bool { step % stride == 0 && step > (entries.last?.step ?? -1) }

  /// Keeps `values` as the parameters after `step` if the timeline wants it.
  public mutating func record(step: Int, values: @autoclosure () -> [[Float]]) {
    guard wants(step) else { return }
    entries.append(Entry(step: step, values: values()))
    guard entries.count > capacity else { return }
    stride *= 2
    entries.removeAll { $0.step % stride != 0 }
  }

  /// The parameters kept for exactly `step`, if it was kept.
  public func values(at step: Int) -> [[Float]]? {
    var low = 0
    var high = entries.count - 1
    while low <= high {
      let middle = (low + high) / 2
      if entries[middle].step == step { return entries[middle].values }
      if entries[middle].step < step { low = middle + 1 } else { high = middle - 1 }
    }
    return nil
  }
}
