/// Checked arithmetic and a memory budget for sizes that come from outside the engine: network
/// specs, command-line options, file headers, model metadata.
///
/// A size from a user must never reach plain `*` or `+`, where an overflow would stop the program
/// with a trap instead of an error: multiply it here, and refuse what does not fit with the
/// estimate and the limit.
public enum SizeLimits {
  /// The most memory one command may plan to allocate for tensors, buffers and traces.
  public static let memoryBudget = 1 << 30

  /// The largest one size may be: a dimension, a filter or unit count, a kernel extent, a
  /// stride, a dilation or a padding. With every size at most 2^31, sums and the two-factor
  /// products of the output-size arithmetic cannot overflow; longer products go through
  /// `product`. Anything this large is refused by the memory budget anyway; the limit only makes
  /// the arithmetic that says so safe.
  public static let largestSize = 1 << 31

  /// The most multiply-adds (or window cells) the plain reference loops may be asked for in one
  /// command: about ten seconds of the slowest of them.
  public static let referenceWork = 1 << 30

  /// Why `value`, the `what` of a spec, option or file, is refused when it is over
  /// `largestSize`: said the same way wherever a size is checked.
  public static func tooLarge(_ what: String, _ value: Int) -> String {
    "the \(what) \(value) is too large: a size can be at most \(largestSize) (2^31)"
  }

  /// The product of `factors`, or nil when one is negative or the product overflows.
  public static func product(_ factors: some Sequence<Int>) -> Int? {
    var result = 1
    for factor in factors {
      guard factor >= 0 else { return nil }
      let (next, overflow) = result.multipliedReportingOverflow(by: factor)
      if overflow { return nil }
      result = next
    }
    return result
  }

  /// The sum of `terms`, or nil when it overflows.
  public static func sum(_ terms: some Sequence<Int>) -> Int? {
    var result = 0
    for term in terms {
      let (next, overflow) = result.addingReportingOverflow(term)
      if overflow { return nil }
      result = next
    }
    return result
  }

  /// Throws unless `bytes` (nil: more than an Int can count) fits in the budget.
  public static func checkMemory(_ bytes: Int?, for what: String, budget: Int = memoryBudget) throws(MemoryLimitError) {
    guard let bytes, bytes <= budget else { throw MemoryLimitError(what: what, bytes: bytes, budget: budget) }
  }

  /// A count as read at a glance: `65536`, or with two digits and an exponent, `1073741824` → `1.0·10^9`.
  public static func describe(count value: Int) -> String {
    let digits = Array(String(value))
    guard value >= 100_000 else { return String(digits) }
    return "\(digits[0]).\(digits[1])·10^\(digits.count - 1)"
  }

  /// Bytes as a person reads them: `512 B`, `3.2 MiB`, `4.0 GiB`.
  public static func describe(bytes: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    return unit == 0 ? "\(bytes) B" : "\((value * 10).rounded() / 10) \(units[unit])"
  }
}

/// A plan that would need more memory than the budget, with the estimate and the limit.
public struct MemoryLimitError: Error, Equatable, Sendable, CustomStringConvertible {
  public var what: String
  /// The estimate in bytes; nil when it is more than an Int can count.
  public var bytes: Int?
  public var budget: Int

  public var description: String {
    let need = bytes.map(SizeLimits.describe(bytes:)) ?? "more than 8 EiB"
    return "\(what) would need \(need) of memory, over the \(SizeLimits.describe(bytes: budget)) limit"
  }
}

