import CNNLabEngine
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything a `TrainingSession` is started from, as a value: a screen asks for a trainer by
/// returning one (`Effect.startTraining`), and whoever runs the screen starts it.
public struct TrainingRequest: Equatable, Sendable {
  public var configuration: TrainingConfiguration
  public var training: LabelledSet
  public var validation: LabelledSet?
  /// Wait for `.resume` or `.step(n)` before the first step.
  public var startPaused: Bool

  public init(
    configuration: TrainingConfiguration, training: LabelledSet, validation: LabelledSet? = nil,
    startPaused: Bool = false
  ) {
    self.configuration = configuration
    self.training = training
    self.validation = validation
    self.startPaused = startPaused
  }
}

extension LabelledSet: Equatable {
  public static func == (a: LabelledSet, b: LabelledSet) -> Bool {
    a.classCount == b.classCount && a.labels == b.labels && a.inputs == b.inputs
  }
}

/// A `TrainingRun` on a background thread, for a screen that must keep drawing while the
/// network trains.
///
/// Two things cross between the threads, both under a lock: commands go in (`send`), and a
/// `TrainingSnapshot` comes out (`snapshot`), replaced whole every `stepsPerSnapshot` steps.
/// The trainer thread owns the network and touches nothing else; the screen reads copies.
/// The session adds one thread (and the fast path's helpers when it trains on more than one);
/// the screen's thread sleeps until a key or its next frame. The trainer's threads run as batch
/// work at a lower priority (`SCHED_BATCH`, `trainerNiceness`), so a lane woken for the next
/// step never preempts the screen's thread, and a woken screen thread and the terminal showing
/// it get a core at once rather than a turn after the trainer's; with nothing else to run,
/// training still has every core. It also gives way after every chunk of steps (`sched_yield`),
/// and starts no step at all while the screen answers a key (`giveWay`).
///
/// Beginners' note: a snapshot is a copy, so it is already out of date when you draw it. That is
/// fine for a screen; for exact step counts in a test, send `.step(n)` and wait for
/// `snapshot.step` to reach the count.
public final class TrainingSession: Sendable {
  private let channel: Channel

  /// How much lower than the screen's the trainer threads' priority is (a Linux nice value,
  /// per thread: the lowest is 19). At 5 a runnable screen thread weighs about three times a
  /// trainer thread, and training still gets most of a core beside other programs.
  public static let trainerNiceness: Int32 = 5

  /// Starts the trainer thread. `startPaused` waits for `.resume` or `.step(n)` first.
  ///
  /// The run is built on the trainer thread after it has lowered its priority, so the fast
  /// path's helper threads, started as the run is built, inherit that priority; the build's
  /// error, if any, is thrown here.
  public init(
    configuration: TrainingConfiguration, training: LabelledSet, validation: LabelledSet? = nil,
    startPaused: Bool = false
  ) throws(Network.BuildError) {
    let channel = Channel(TrainingSnapshot())
    self.channel = channel
    let built = Mutex<Network.BuildError?>(nil)
    let ready = DispatchSemaphore(value: 0)
    let thread = Thread {
      #if canImport(Glibc)
      // On Linux both apply to the calling thread only, and threads it starts inherit them.
      // SCHED_BATCH: a trainer thread woken for its next lane never preempts the screen's.
      var parameters = sched_param()
      parameters.sched_priority = 0
      let batch: Int32 = 3  // SCHED_BATCH in <bits/sched.h>, which Swift does not see (_GNU_SOURCE)
      _ = sched_setscheduler(0, batch, &parameters)
      // Relative to the process: under `nice -n 10 cnnlab`, the trainer goes to 15, not back to 5.
      let which = __priority_which_t(PRIO_PROCESS.rawValue)
      errno = 0
      let current = getpriority(which, 0)
      if errno == 0 { _ = setpriority(which, 0, min(19, current + TrainingSession.trainerNiceness)) }
      #endif
      let result = Result { () throws(Network.BuildError) -> TrainingRun in
        try TrainingRun(
          configuration: configuration, training: training, validation: validation, startPaused: startPaused)
      }
      switch result {
      case .success(let run):
        channel.latest.withLock { $0 = (0, run.snapshot) }
        ready.signal()
        channel.trainLoop(run)
      case .failure(let error):
        built.withLock { $0 = error }
        channel.threadExited.store(true, ordering: .releasing)
        ready.signal()
      }
    }
    thread.name = "cnnlab trainer"
    thread.start()
    ready.wait()
    if let error = built.withLock({ $0 }) { throw error }
  }

  /// Starts the trainer thread for `request`.
  public convenience init(_ request: TrainingRequest) throws(Network.BuildError) {
    try self.init(
      configuration: request.configuration, training: request.training, validation: request.validation,
      startPaused: request.startPaused)
  }

  /// Dropping the session stops its thread (after the step in progress).
  deinit { channel.send(.stop) }

  /// The latest published snapshot (a copy).
  public var snapshot: TrainingSnapshot { channel.latest.withLock { $0.snapshot } }

  /// The latest snapshot and how many have been published before it (0 for the first), so a
  /// reader can tell a new one from the one it already has without comparing them.
  public var publication: (number: Int, snapshot: TrainingSnapshot) { channel.latest.withLock { $0 } }

  /// True once the trainer thread has ended (after `.stop`).
  public var hasStopped: Bool { channel.threadExited.load(ordering: .acquiring) }

  /// The run as the trainer thread left it, once the thread has ended (after `stop`): its
  /// network can then be evaluated or saved.
  public var finalRun: TrainingRun? { channel.final.withLock { $0 } }

  /// Queues a command; the trainer applies it before its next step.
  public func send(_ command: TrainingCommand) { channel.send(command) }

  /// Asks the trainer to start no step for the next `milliseconds` (0 or less: start again
  /// now), replacing what was asked before. The screen asks this while it answers a key: its
  /// thread, and the terminal that must read and show the frame, then have every core, instead
  /// of a share beside the trainer's lanes. Commands are still applied meanwhile; the time held
  /// counts as waiting, not as training, in the images per second.
  public func giveWay(milliseconds: Int) {
    let until = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, milliseconds)) * 1_000_000
    channel.heldUntil.store(milliseconds > 0 ? until : 0, ordering: .relaxed)
    if milliseconds <= 0 { channel.wake.signal() }
  }

  /// Stops training and waits (up to `timeout` seconds) for the thread to end.
  @discardableResult
  public func stop(timeout: Double = 10) -> Bool {
    send(.stop)
    return waitUntil(timeout: timeout) { _ in self.hasStopped }
  }

  /// Polls the snapshot every millisecond until `condition` holds or `timeout` seconds pass;
  /// returns whether it held. For tests and the command line, not for a drawing loop.
  public func waitUntil(timeout: Double, _ condition: (TrainingSnapshot) -> Bool) -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + .milliseconds(Int(timeout * 1000))
    while clock.now < deadline {
      if condition(snapshot) { return true }
      Thread.sleep(forTimeInterval: 0.001)
    }
    return condition(snapshot)
  }
}

/// What the two threads share: the inbox of commands and the latest snapshot, each behind its
/// own lock, and a semaphore that wakes an idle trainer.
private final class Channel: Sendable {
  let latest: Mutex<(number: Int, snapshot: TrainingSnapshot)>
  let inbox = Mutex<[TrainingCommand]>([])
  let wake = DispatchSemaphore(value: 0)
  let threadExited = Atomic<Bool>(false)
  let final = Mutex<TrainingRun?>(nil)
  /// Until when (`DispatchTime.uptimeNanoseconds`) the trainer starts no step: the screen is
  /// answering the learner (`TrainingSession.giveWay`).
  let heldUntil = Atomic<UInt64>(0)

  init(_ snapshot: TrainingSnapshot) { latest = Mutex((0, snapshot)) }

  func send(_ command: TrainingCommand) {
    inbox.withLock { $0.append(command) }
    wake.signal()
  }

  /// The trainer thread: apply commands, run the steps that are due, publish; sleep when idle.
  ///
  /// At a pace of R steps per second, step n of a stretch of running (counted from when it
  /// started, or the pace last changed) is due n / R seconds after its start; the thread runs
  /// the steps that are due and sleeps until the next, or until a command wakes it. A stretch
  /// that falls behind (a slow machine, an epoch's validation) starts afresh instead of
  /// rushing to catch up.
  func trainLoop(_ initial: TrainingRun) {
    var run = initial
    let clock = ContinuousClock()
    var stretch: (start: ContinuousClock.Instant, steps: Int, pace: TrainingPace)?
    while true {
      let commands = inbox.withLock { queue in
        let taken = queue
        queue.removeAll()
        return taken
      }
      for command in commands { run.handle(command) }
      if !commands.isEmpty { publish(run.snapshot) }
      if run.isStopped { break }
      guard run.wantsToRun else {
        stretch = nil
        wake.wait()  // a `send` signals; commands sent meanwhile are still queued
        continue
      }
      let held = heldUntil.load(ordering: .relaxed)
      if held > DispatchTime.now().uptimeNanoseconds {
        let asleep = clock.now
        _ = wake.wait(timeout: DispatchTime(uptimeNanoseconds: held))
        run.addWaiting(TrainingRun.seconds(clock.now - asleep))
        continue
      }
      let pace = run.snapshot.pace
      guard let rate = pace.rate, run.snapshot.state == .running else {
        stretch = nil
        run.advance()
        publish(run.snapshot)
        sched_yield()  // a woken screen thread runs now, not after the next chunk
        continue
      }
      if stretch?.pace != pace { stretch = (clock.now, 0, pace) }
      guard var current = stretch else { continue }
      let elapsed = TrainingRun.seconds(clock.now - current.start)
      let due = Int(elapsed * Double(rate)) + 1 - current.steps  // step 0 is due at once
      guard due > 0 else {
        let wait = Double(current.steps) / Double(rate) - elapsed
        let asleep = clock.now
        _ = wake.wait(timeout: .now() + .microseconds(max(1, Int(wait * 1e6))))
        run.addWaiting(TrainingRun.seconds(clock.now - asleep))
        continue
      }
      let before = run.snapshot.step
      run.advance(limit: due)
      publish(run.snapshot)
      current.steps += max(1, run.snapshot.step - before)
      let late = Int(TrainingRun.seconds(clock.now - current.start) * Double(rate)) + 1 - current.steps
      stretch = late > max(1, rate / 10) ? (clock.now, 0, pace) : current
    }
    final.withLock { $0 = run }
    threadExited.store(true, ordering: .releasing)
  }

  private func publish(_ snapshot: TrainingSnapshot) {
    latest.withLock { $0 = ($0.number + 1, snapshot) }
  }
}
