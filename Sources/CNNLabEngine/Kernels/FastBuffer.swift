/// A zero-filled, 64-byte aligned block of floats that lives as long as its owner: the
/// workspaces of the fast path are allocated once, sized by batch, and reused every step.
/// 64 floats of zeroed slack past the end let vector loads run over the last row.
final class FastBuffer: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Float>
  let count: Int

  init(count: Int) {
    self.count = count
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: (count + 64) * MemoryLayout<Float>.stride, alignment: 64)
    pointer = raw.bindMemory(to: Float.self, capacity: count + 64)
    pointer.initialize(repeating: 0, count: count + 64)
  }

  deinit { pointer.deallocate() }

  func zero() { pointer.update(repeating: 0, count: count) }
}

/// A block of integers (tap offsets, argmax positions) allocated once, with 16 of slack.
final class FastIndexBuffer: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Int>
  let count: Int

  init(_ values: [Int]) {
    count = values.count
    pointer = .allocate(capacity: count + 16)
    pointer.initialize(repeating: 0, count: count + 16)
    for (i, v) in values.enumerated() { pointer[i] = v }
  }

  init(count: Int) {
    self.count = count
    pointer = .allocate(capacity: count + 16)
    pointer.initialize(repeating: 0, count: count + 16)
  }

  deinit { pointer.deallocate() }
}

/// Where pointers to empty arrays point: nothing is ever read or written through them, but the
/// kernels take plain pointers, and an empty array may have no storage of its own.
nonisolated(unsafe) private let emptyStorage = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)

extension Array {
  /// Calls `body` with a pointer to the first element (a valid, unused pointer when empty).
  public func withStart<R>(_ body: (UnsafePointer<Element>) throws -> R) rethrows -> R {
    try withUnsafeBufferPointer {
      try body($0.baseAddress ?? UnsafePointer(emptyStorage.assumingMemoryBound(to: Element.self)))
    }
  }

  /// Calls `body` with a mutable pointer to the first element (valid, unused when empty).
  public mutating func withMutableStart<R>(_ body: (UnsafeMutablePointer<Element>) throws -> R) rethrows -> R {
    try withUnsafeMutableBufferPointer {
      try body($0.baseAddress ?? emptyStorage.assumingMemoryBound(to: Element.self))
    }
  }
}
