import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Work split into lanes: `runLane(l)` does lane `l`'s share.
protocol FastLaneWork: AnyObject {
  func runLane(_ lane: Int)
}

/// Runs one body on up to two lanes: lane 0 on the calling thread, lane 1 on a helper thread
/// that is started once and then sleeps between calls. With one thread everything runs on the
/// caller, so a trainer inside the UI never competes with it for more than the cores it asked for.
final class FastWorkers: @unchecked Sendable {
  let threads: Int
  private let shared: Shared?

  /// What the caller and the helper thread share; the helper keeps it alive until it exits.
  private final class Shared: @unchecked Sendable {
    let start = DispatchSemaphore(value: 0)
    let finish = DispatchSemaphore(value: 0)
    var work: FastLaneWork?
    var stopping = false
  }

  init(threads: Int) {
    precondition(threads == 1 || threads == 2, "the fast path runs on 1 or 2 threads, not \(threads)")
    self.threads = threads
    guard threads == 2 else {
      shared = nil
      return
    }
    let shared = Shared()
    self.shared = shared
    let context = Unmanaged.passRetained(shared).toOpaque()
    #if canImport(Glibc)
    var thread = pthread_t()
    #else
    var thread: pthread_t?
    #endif
    let status = pthread_create(
      &thread, nil,
      { raw in
        #if canImport(Glibc)
        guard let raw else { return nil }
        #endif
        let shared = Unmanaged<Shared>.fromOpaque(raw).takeRetainedValue()
        while true {
          shared.start.wait()
          if shared.stopping { break }
          shared.work?.runLane(1)
          shared.finish.signal()
        }
        return nil
      }, context)
    precondition(status == 0, "could not start the fast path's helper thread (error \(status))")
    pthread_detach(thread)
  }

  deinit {
    if let shared {
      shared.stopping = true
      shared.start.signal()
    }
  }

  /// Calls `work.runLane(0)` here and, with two lanes, `work.runLane(1)` on the helper, and
  /// returns when both are done. The semaphores order every write of one call before the next.
  func run(lanes: Int, _ work: FastLaneWork) {
    guard let shared, lanes > 1 else {
      work.runLane(0)
      return
    }
    shared.work = work
    shared.start.signal()
    work.runLane(0)
    shared.finish.wait()
    shared.work = nil
  }
}
