import Foundation
import Synchronization

/// A `TrainingRun` on a background thread, for a screen that must keep drawing while the
/// network trains.
///
/// Two things cross between the threads, both under a lock: commands go in (`send`), and a
/// `TrainingSnapshot` comes out (`snapshot`), replaced whole every `stepsPerSnapshot` steps.
/// The trainer thread owns the network and touches nothing else; the screen reads copies.
/// The session adds exactly one thread, so with the screen's thread there are two, one per core
/// on the machines cnnlab targets.
///
/// Beginners' note: a snapshot is a copy, so it is already out of date when you draw it. That is
/// fine for a screen; for exact step counts in a test, send `.step(n)` and wait for
/// `snapshot.step` to reach the count.
public final class TrainingSession: Sendable {
  private let channel: Channel

  /// Starts the trainer thread. `startPaused` waits for `.resume` or `.step(n)` first.
  public init(
    configuration: TrainingConfiguration, training: LabelledSet, validation: LabelledSet? = nil,
    startPaused: Bool = false
  ) throws(Network.BuildError) {
    let run = try TrainingRun(
      configuration: configuration, training: training, validation: validation,
      startPaused: startPaused)
    let channel = Channel(run.snapshot)
    self.channel = channel
    let thread = Thread { channel.trainLoop(run) }
    thread.name = "cnnlab trainer"
    thread.start()
  }

  /// Dropping the session stops its thread (after the step in progress).
  deinit { channel.send(.stop) }

  /// The latest published snapshot (a copy).
  public var snapshot: TrainingSnapshot { channel.latest.withLock { $0 } }

  /// True once the trainer thread has ended (after `.stop`).
  public var hasStopped: Bool { channel.threadExited.load(ordering: .acquiring) }

  /// Queues a command; the trainer applies it before its next step.
  public func send(_ command: TrainingCommand) { channel.send(command) }

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
  let latest: Mutex<TrainingSnapshot>
  let inbox = Mutex<[TrainingCommand]>([])
  let wake = DispatchSemaphore(value: 0)
  let threadExited = Atomic<Bool>(false)

  init(_ snapshot: TrainingSnapshot) { latest = Mutex(snapshot) }

  func send(_ command: TrainingCommand) {
    inbox.withLock { $0.append(command) }
    wake.signal()
  }

  /// The trainer thread: apply commands, run a chunk of steps, publish; sleep when idle.
  func trainLoop(_ initial: TrainingRun) {
    var run = initial
    while true {
      let commands = inbox.withLock { queue in
        let taken = queue
        queue.removeAll()
        return taken
      }
      for command in commands { run.handle(command) }
      if !commands.isEmpty { publish(run.snapshot) }
      if run.isStopped { break }
      if run.wantsToRun {
        run.advance()
        publish(run.snapshot)
      } else {
        wake.wait()  // a `send` signals; commands sent meanwhile are still queued
      }
    }
    threadExited.store(true, ordering: .releasing)
  }

  private func publish(_ snapshot: TrainingSnapshot) {
    latest.withLock { $0 = snapshot }
  }
}
