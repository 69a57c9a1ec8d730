import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Work split into lanes: `runLane(l)` does lane `l`'s share.
protocol FastLaneWork: AnyObject {
  func runLane(_ lane: Int)
}

/// Runs one body on up to `threads` lanes: lane 0 on the calling thread, lane `l` (1 ..< threads)
/// on helper thread `l`, started once and asleep between calls. With one thread everything runs
/// on the caller, so a trainer inside the UI never competes with it for more cores than it asked
/// for. More threads than cores is allowed: the lanes then take turns on the cores.
final class FastWorkers: @unchecked Sendable {
  let threads: Int
  private let helpers: [Helper]  // lane l runs on helpers[l - 1]
  /// Each helper signals once per call when its lane is done; the caller waits for all of them.
  private let finish: DispatchSemaphore

  /// What the caller and one helper thread share; the helper keeps it alive until it exits.
  private final class Helper: @unchecked Sendable {
    let lane: Int
    let start = DispatchSemaphore(value: 0)
    let finish: DispatchSemaphore
    var work: FastLaneWork?
    var stopping = false

    init(lane: Int, finish: DispatchSemaphore) {
      self.lane = lane
      self.finish = finish
    }
  }

  /// The threads a headless run uses unless told otherwise: the cores this process may run on.
  static var machineThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

  init(threads: Int) {
    precondition(threads >= 1, "the fast path needs at least one thread, not \(threads)")
    self.threads = threads
    let finish = DispatchSemaphore(value: 0)
    self.finish = finish
    helpers = (1..<threads).map { Helper(lane: $0, finish: finish) }
    for helper in helpers { Self.start(helper) }
  }

  private static func start(_ helper: Helper) {
    let context = Unmanaged.passRetained(helper).toOpaque()
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
        let helper = Unmanaged<Helper>.fromOpaque(raw).takeRetainedValue()
        while true {
          helper.start.wait()
          if helper.stopping { break }
          helper.work?.runLane(helper.lane)
          helper.finish.signal()
        }
        return nil
      }, context)
    precondition(status == 0, "could not start the fast path's helper thread \(helper.lane) (error \(status))")
    pthread_detach(thread)
  }

  deinit {
    for helper in helpers {
      helper.stopping = true
      helper.start.signal()
    }
  }

  /// Calls `work.runLane(0)` here and `work.runLane(l)` for `l` in `1 ..< lanes` on the helpers,
  /// and returns when all are done. The semaphores order every write of one call before the
  /// next. `lanes` is at most `threads`; nothing is allocated.
  func run(lanes: Int, _ work: FastLaneWork) {
    precondition(lanes >= 1 && lanes <= threads, "\(lanes) lanes on \(threads) threads")
    if lanes == 1 {
      work.runLane(0)
      return
    }
    for helper in helpers[0..<lanes - 1] {
      helper.work = work
      helper.start.signal()
    }
    work.runLane(0)
    for _ in 1..<lanes { finish.wait() }
    for helper in helpers[0..<lanes - 1] { helper.work = nil }
  }
}

/// Part `part` of `parts` of `0 ..< total`: the parts are consecutive, cover it exactly, and
/// differ in size by at most one (the larger ones last). A batch of 3 on 8 lanes gives five
/// empty parts; a lane with an empty part does nothing.
func laneShare(_ total: Int, part: Int, of parts: Int) -> Range<Int> {
  (total * part / parts)..<(total * (part + 1) / parts)
}
