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
