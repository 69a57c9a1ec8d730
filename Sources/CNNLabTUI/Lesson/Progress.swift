import CNNLabData
import CNNLabLessons
import Foundation

/// What a learner has done in one lesson: where they are, which steps they finished, their
/// answers and their kernel edits.
public struct LessonProgress: Codable, Equatable, Sendable {
  /// One answer, keyed by step and beat.
  public struct SavedAnswer: Codable, Equatable, Sendable {
    public var key: LessonPlayer.QuestionKey
    public var state: LessonPlayer.AnswerState
  }

  /// A kernel as the learner left it: unscaled values and an optional scale.
  public struct SavedKernel: Codable, Equatable, Sendable {
    public var name: String
    public var values: [Double]
    public var scale: Double?
    public var scaleText: String?

    public init(name: String, values: [Double], scale: LessonNumber?) {
      self.name = name
      self.values = values
      self.scale = scale?.value
      self.scaleText = scale?.text
    }
  }

  /// The step the learner was on (0-based).
  public var step: Int
  public var completedSteps: [Int]
  public var finished: Bool
  public var answers: [SavedAnswer]
  public var kernels: [SavedKernel]
  /// The prompts of the challenges solved. Optional: progress saved before challenges were
  /// recorded has no such field and still loads.
  public var solvedChallenges: [String]?

  public init(
    step: Int = 0, completedSteps: [Int] = [], finished: Bool = false, answers: [SavedAnswer] = [],
    kernels: [SavedKernel] = [], solvedChallenges: [String]? = nil
  ) {
    self.step = step
    self.completedSteps = completedSteps
    self.finished = finished
    self.answers = answers
    self.kernels = kernels
    self.solvedChallenges = solvedChallenges
  }

  /// The edits as the planner takes them.
  public var kernelSettings: [String: KernelSetting] {
    var settings: [String: KernelSetting] = [:]
    for kernel in kernels {
      settings[kernel.name] = KernelSetting(
        values: kernel.values, scale: kernel.scale.map { LessonNumber($0, text: kernel.scaleText) })
    }
    return settings
  }

  public var answerStates: [LessonPlayer.QuestionKey: LessonPlayer.AnswerState] {
    var states: [LessonPlayer.QuestionKey: LessonPlayer.AnswerState] = [:]
    for answer in answers { states[answer.key] = answer.state }
    return states
  }

  /// Where the course menu files the lesson.
  public enum Status: Equatable, Sendable { case new, inProgress, done }

  public var status: Status {
    if finished { return .done }
    return completedSteps.isEmpty && step == 0 && answers.isEmpty && kernels.isEmpty ? .new : .inProgress
  }
}

/// Every lesson's progress, by lesson directory name.
public struct Progress: Codable, Equatable, Sendable {
  public var format = 1
  public var lessons: [String: LessonProgress] = [:]

  public init(lessons: [String: LessonProgress] = [:]) {
    self.lessons = lessons
  }
}

/// Reads and writes `progress.json` in the learner's state directory.
///
/// The file is written atomically (a temporary file renamed over the old one), so a crash
/// never leaves half a file. A file that cannot be read as progress is never dropped silently:
/// `load` moves it aside to `progress.json.corrupt-<timestamp>` and says so.
public struct ProgressStore: Sendable {
  public let path: String

  public init(path: String) {
    self.path = path
  }

  /// `$XDG_STATE_HOME/cnnlab/progress.json`, or `~/.local/state/cnnlab/progress.json`.
  public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
      return state + "/cnnlab/progress.json"
    }
    let home = environment["HOME"] ?? NSHomeDirectory()
    return home + "/.local/state/cnnlab/progress.json"
  }

  /// The saved progress, empty when there is none. When the file is corrupt, it is moved aside
  /// and `problem` says where to (one line, for standard error and the course menu).
  public func load(now: Date = Date()) -> (progress: Progress, problem: String?) {
    guard let data = FileManager.default.contents(atPath: path) else { return (Progress(), nil) }
    do {
      let progress = try JSONDecoder().decode(Progress.self, from: data)
      guard progress.format == 1 else {
        return (Progress(), moveAside(reason: "it has format \(progress.format), this cnnlab reads format 1", now: now))
      }
      return (progress, nil)
    } catch {
      return (Progress(), moveAside(reason: "it is not valid progress JSON", now: now))
    }
  }

  private func moveAside(reason: String, now: Date) -> String {
    let stamp = Int(now.timeIntervalSince1970)
    var target = "\(path).corrupt-\(stamp)"
    var n = 1
    while FileManager.default.fileExists(atPath: target) {
      n += 1
      target = "\(path).corrupt-\(stamp)-\(n)"
    }
    do {
      try FileManager.default.moveItem(atPath: path, toPath: target)
      return "cnnlab: could not read saved progress in \(path) (\(reason)); moved it to \(target) and started afresh"
    } catch {
      return "cnnlab: could not read saved progress in \(path) (\(reason)), nor move it aside: \(error.localizedDescription); progress will not be saved"
    }
  }

  /// Writes `progress` atomically, creating the directory if needed.
  public func save(_ progress: Progress) throws {
    let folder = (path as NSString).deletingLastPathComponent
    if !folder.isEmpty {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let data = try encoder.encode(progress)
    try AtomicFile.write(Array(data), to: path)
  }
}
