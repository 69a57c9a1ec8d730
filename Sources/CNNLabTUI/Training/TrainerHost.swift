import CNNLabEngine
import CNNLabTraining

/// Holds the trainer a screen asked for and performs the screen's trainer effects, so the
/// screen itself stays a pure function of its messages.
///
/// The run loop hands it `.startTraining` and `.send` effects and, before each message and
/// frame, asks it for the snapshot published since the last one it delivered
/// (`Message.trainingPublished`). Tests drive a screen against a real trainer the same way.
public final class TrainerHost {
  /// The running trainer, if any.
  public private(set) var session: TrainingSession?
  /// The publication last delivered (`TrainingSession.publication`), so each is delivered once.
  private var delivered: Int?

  public init(session: TrainingSession? = nil) {
    self.session = session
  }

  /// Performs one trainer effect; returns a message for the program when it has something to
  /// say (a trainer that could not be started). Other effects are not the host's and are ignored.
  public func perform(_ effect: Effect) -> Message? {
    switch effect {
    case .startTraining(let request):
      session?.send(.stop)
      delivered = nil
      do {
        session = try TrainingSession(request)
      } catch {
        session = nil
        return .trainingFailedToStart("\(error)")
      }
    case .send(let command):
      session?.send(command)
      if command == .stop {
        session = nil  // its thread ends after the step in progress
        delivered = nil
      }
    default: break
    }
    return nil
  }

  /// Holds the trainer's next step for `milliseconds` (0: lets it go on now); see
  /// `TrainingSession.giveWay`.
  public func giveWay(milliseconds: Int) { session?.giveWay(milliseconds: milliseconds) }

  /// The snapshot published since the last call, if there is one.
  public func newSnapshot() -> TrainingSnapshot? {
    guard let session else { return nil }
    let (number, snapshot) = session.publication
    guard number != delivered else { return nil }
    delivered = number
    return snapshot
  }
}
