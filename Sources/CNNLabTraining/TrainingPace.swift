import CNNLabEngine
/// How fast a training run on screen takes its steps, so a person can follow the learning.
///
/// Pace only spaces the steps out in time: the steps themselves, and so the weights after any
/// step, are the same at every pace. Headless training has no pace (it always runs at full speed).
public enum TrainingPace: Hashable, Sendable, CustomStringConvertible {
  /// At most this many steps per second (1 or more).
  case stepsPerSecond(Int)
  /// As fast as the machine goes.
  case max

  /// The rungs `<` and `>` move along, slowest first.
  public static let ladder: [TrainingPace] = [1, 3, 10, 30, 100, 300].map { .stepsPerSecond($0) } + [.max]

  /// The most steps per second a number may ask for; anything faster is `max`.
  public static let fastestRate = 100_000

  /// Steps per second; nil at `max`.
  public var rate: Int? {
    if case .stepsPerSecond(let n) = self { return n }
    return nil
  }

  /// The next rung up the ladder (`max` stays `max`).
  public var faster: TrainingPace {
    guard let rate else { return .max }
    return TrainingPace.ladder.first { ($0.rate ?? Int.max) > rate } ?? .max
  }

  /// The next rung down the ladder (1 step per second stays).
  public var slower: TrainingPace {
    let rate = self.rate ?? Int.max
    return TrainingPace.ladder.last { ($0.rate ?? Int.max) < rate } ?? TrainingPace.ladder[0]
  }

  /// `30 steps/s`, `1 step/s` or `max`.
  public var description: String {
    guard let rate else { return "max" }
    return rate == 1 ? "1 step/s" : "\(rate) steps/s"
  }

  /// Reads `max` or a whole number of steps per second, 1 to `fastestRate`; nil otherwise.
  public init?(argument: String) {
    if argument == "max" {
      self = .max
    } else if let n = Int(argument), n >= 1, n <= TrainingPace.fastestRate {
      self = .stepsPerSecond(n)
    } else {
      return nil
    }
  }

  /// The fastest rung at which `steps` last at least `seconds`: how the default pace makes the
  /// interesting part of a run long enough to watch.
  public static func watchable(steps: Int, seconds: Double) -> TrainingPace {
    ladder.last { pace in pace.rate.map { Double(steps) / Double($0) >= seconds } ?? false } ?? ladder[0]
  }
}
