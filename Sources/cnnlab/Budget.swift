import ArgumentParser
import CNNLabEngine

/// Bytes for a grid of `count` values as floats and, `asText`, also printed as text (about 16
/// bytes a number); nil when that is more than an `Int` counts.
func gridBytes(_ count: Int?, asText: Bool = false) -> Int? {
  guard let count else { return nil }
  return SizeLimits.product([count, asText ? 4 + 16 : 4])
}

/// Refuses, with the estimate and the limit, what would need more than the memory budget.
func checkBudget(memory bytes: Int?, for what: String, note: String) throws {
  do { try SizeLimits.checkMemory(bytes, for: what) } catch { throw fail(error.description, note: note) }
}

/// Refuses what would keep the reference loops (one multiply-add or window cell at a time) busy
/// for more than about ten seconds, with the count and the limit.
func checkWork(
  _ work: Int?, of what: String, unit: String = "multiply-adds", limit: Int = SizeLimits.referenceWork,
  note: String
) throws {
  guard let work, work <= limit else {
    let count = work.map(SizeLimits.describe(count:)) ?? "more than 9.2·10^18"
    throw fail(
      "\(what) would take \(count) \(unit), over the \(SizeLimits.describe(count: limit)) limit",
      note: note)
  }
}

/// `--threads`, as `train` and `bench` take it: nil (the machine's cores) or 1 to the fast path's
/// maximum.
func validateThreads(_ threads: Int?) throws {
  if let threads, !(1...FastNetwork.maximumThreads).contains(threads) {
    throw ValidationError("--threads must be from 1 to \(FastNetwork.maximumThreads), not \(threads)")
  }
}
