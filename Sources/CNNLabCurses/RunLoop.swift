import CNNLabTUI

/// Drives a `Program` on a `Terminal`: turns keys, mouse actions, resizes and timers into
/// messages, performs the effects the program returns, and redraws only the cells that
/// changed, once per frame.
///
/// A program's effects on the world are all performed here: ticks and quitting by the loop,
/// trainer effects by its `TrainerHost`, which also hands back each snapshot the trainer
/// publishes; the loop delivers the newest one before the next message or frame.
public struct RunLoop {
  /// Why `run` returned.
  public enum Outcome: Equatable, Sendable {
    /// The program asked to quit.
    case quit
    /// SIGINT, SIGTERM, SIGHUP or SIGQUIT arrived.
    case signal(Int32)
  }

  /// The longest the loop waits for input before checking signals again.
  static let idleMilliseconds = 100
  /// The most queued input events handled before drawing a frame.
  static let maxEventsPerFrame = 64
  /// While the loop answers input, the trainer starts no step (`TrainerHost.giveWay`): for at
  /// most this long until the answering frame is out, then for `terminalMilliseconds` more,
  /// while the terminal reads and shows it. On a machine whose cores all train, this is what
  /// keeps a key's answer quick (`scripts/bench-train-ui` measures it); a held-down key slows
  /// training, and nothing else does.
  static let answerMilliseconds = 100
  static let terminalMilliseconds = 10

  public let terminal: Terminal
  /// Starts the trainer a program asks for, passes it commands and collects its snapshots.
  public let trainer: TrainerHost
  /// Writes the learner's progress (`.saveProgress`); returns why it could not, or nil.
  public let save: (Progress) -> String?

  public init(
    terminal: Terminal, trainer: TrainerHost = TrainerHost(), save: @escaping (Progress) -> String? = { _ in nil }
  ) {
    self.terminal = terminal
    self.trainer = trainer
    self.save = save
  }

  /// Runs `program` until it returns `.quit` or a terminating signal arrives. The program gets
  /// `.resized` with the screen size first; then the loop performs `first` (effects the program
  /// returned before it ran, such as opening a lesson). Below `program.minimumSize` the loop shows
  /// `TooSmall` instead and holds back mouse events (their positions would mean nothing) and
  /// every key but q and Esc (what they did would not be seen).
  public func run(_ program: inout some Program, performingFirst first: [Effect] = []) -> Outcome {
    let clock = ContinuousClock()
    var size = terminal.size
    var previous: CellBuffer?
    var tickDue: ContinuousClock.Instant?
    var needsFrame = true
    var answering = false  // input has arrived that the next frame answers

    /// Hands `message` to the program and performs the effects it returns; returns true to quit.
    func dispatch(_ message: Message) -> Bool {
      perform(program.update(message))
    }

    /// Performs `effects`, and hands the program the messages they bring back (and performs
    /// what those return); returns true to quit.
    func perform(_ effects: [Effect]) -> Bool {
      var effects = effects
      var queue: [Message] = []
      while true {
        for effect in effects {
          switch effect {
          case .quit: return true
          case .tick(let milliseconds):
            let due = clock.now.advanced(by: .milliseconds(max(0, milliseconds)))
            tickDue = min(tickDue ?? due, due)
          case .startTraining, .send:
            if let reply = trainer.perform(effect) { queue.append(reply) }
          case .saveProgress(let progress):
            if let problem = save(progress) { queue.append(.progressNotSaved(problem)) }
          }
        }
        guard !queue.isEmpty else { return false }
        effects = program.update(queue.removeFirst())
      }
    }

    /// Delivers the snapshot the trainer published since the last one, if any, then `message`;
    /// returns true to quit.
    func receive(_ message: Message?) -> Bool {
      if let snapshot = trainer.newSnapshot() {
        needsFrame = true
        if dispatch(.trainingPublished(snapshot)) { return true }
      }
      guard let message else { return false }
      needsFrame = true
      return dispatch(message)
    }

    func isTooSmall() -> Bool {
      size.width < program.minimumSize.width || size.height < program.minimumSize.height
    }

    if receive(.resized(width: size.width, height: size.height)) || perform(first) { return .quit }
    while true {
      if let signal = terminal.takePendingSignal() { return .signal(signal) }
      if terminal.suspendIfRequested() || terminal.takeContinued() {
        previous = nil
        let now = terminal.size
        if now != size {
          size = now
          if receive(.resized(width: size.width, height: size.height)) { return .quit }
        }
        needsFrame = true
      }

      if receive(nil) { return .quit }
      if needsFrame {
        previous = drawFrame(program, size: size, tooSmall: isTooSmall(), previous: previous)
        needsFrame = false
      }
      if answering {
        trainer.giveWay(milliseconds: RunLoop.terminalMilliseconds)
        answering = false
      }

      var wait = RunLoop.idleMilliseconds
      if let tickDue {
        let left = clock.now.duration(to: tickDue).components
        wait = min(wait, max(0, Int(left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000)))
      }
      var event = terminal.nextEvent(timeoutMilliseconds: wait)
      var handled = 0
      while let current = event, handled < RunLoop.maxEventsPerFrame {
        handled += 1
        if !answering {
          trainer.giveWay(milliseconds: RunLoop.answerMilliseconds)
          answering = true
        }
        let message: Message?
        switch current {
        // Too small to show anything, a key would act unseen: only q and Esc (leave) get through.
        case .key(let key): message = isTooSmall() && key != .char("q") && key != .escape ? nil : .keyPressed(key)
        case .mouse(let mouse): message = isTooSmall() ? nil : .mouse(mouse)
        case .resized(let width, let height):
          size = (width, height)
          previous = nil
          message = .resized(width: width, height: height)
        }
        if let message, receive(message) { return .quit }
        event = terminal.nextEvent(timeoutMilliseconds: 0)
      }
      if let due = tickDue, clock.now >= due {
        tickDue = nil
        if receive(.ticked) { return .quit }
      }
    }
  }

  /// Renders a frame and draws what differs from `previous` (everything when there is none).
  private func drawFrame(
    _ program: some Program, size: (width: Int, height: Int), tooSmall: Bool, previous: CellBuffer?
  ) -> CellBuffer? {
    guard size.width > 0, size.height > 0 else { return nil }
    var buffer = CellBuffer(width: size.width, height: size.height, capabilities: terminal.capabilities)
    if tooSmall {
      TooSmall(required: program.minimumSize, actual: size).render(in: buffer.area, into: &buffer)
    } else {
      program.render(into: &buffer)
    }
    if let previous, previous.width == buffer.width, previous.height == buffer.height {
      for change in buffer.diff(from: previous) { terminal.draw(change.cell, x: change.x, y: change.y) }
    } else {
      terminal.clearAll()
      for y in 0..<buffer.height {
        for x in 0..<buffer.width { terminal.draw(buffer[x: x, y: y], x: x, y: y) }
      }
    }
    terminal.flush()
    return buffer
  }
}
