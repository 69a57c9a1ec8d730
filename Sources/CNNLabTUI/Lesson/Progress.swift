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

  /// A knob the learner turned away from the lesson's setting: in which step (0-based), which
  /// knob, and its value as the screen writes it (`2`, `same`, `max`).
  public struct SavedKnob: Codable, Equatable, Sendable {
    public var step: Int
    public var name: String
    public var value: String

    public init(step: Int, name: String, value: String) {
      self.step = step
      self.name = name
      self.value = value
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
  /// The knobs turned away from the lesson's settings. Optional: progress saved before knobs
  /// were kept has no such field and still loads.
  public var knobs: [SavedKnob]?

  public init(
    step: Int = 0, completedSteps: [Int] = [], finished: Bool = false, answers: [SavedAnswer] = [],
    kernels: [SavedKernel] = [], solvedChallenges: [String]? = nil, knobs: [SavedKnob]? = nil
  ) {
    self.step = step
    self.completedSteps = completedSteps
    self.finished = finished
    self.answers = answers
    self.kernels = kernels
    self.solvedChallenges = solvedChallenges
    self.knobs = knobs
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
  /// Milliseconds per animation frame, as the learner last set it in any lesson. Optional, as
  /// are the fields below: progress saved before they existed still loads.
  public var playInterval: Int?
  /// Fingerprints of the animations the learner has seen (`LessonPlayer.fingerprint`), so one
  /// repeated in a later lesson opens on its result.
  public var seenAnimations: [String]?

  public init(lessons: [String: LessonProgress] = [:]) {
    self.lessons = lessons
  }
}

/// Reads and writes `progress.json` in the learner's state directory.
///
/// The file is written atomically (a temporary file renamed over the old one), so a crash
/// never leaves half a file. A file that cannot be read as progress is never dropped silently:
/// `load` moves a corrupt one aside to `progress.json.corrupt-<timestamp>` and says so, and one
/// that cannot be read at all is left as it is and never overwritten (`save` refuses).
public struct ProgressStore: Sendable {
  public let path: String

  public init(path: String) {
    self.path = path
  }

  /// Why progress could not be saved, as one line that names the file or folder and what to do.
  public struct SaveError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
  }

  /// `$XDG_STATE_HOME/cnnlab/progress.json`, or `~/.local/state/cnnlab/progress.json`.
  public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
      return state + "/cnnlab/progress.json"
    }
    let home = environment["HOME"] ?? NSHomeDirectory()
    return home + "/.local/state/cnnlab/progress.json"
  }

  /// What is at `path`: nothing, a readable file's bytes, or why it cannot be read.
  private enum Stored {
    case none
    case bytes(Data)
    case unreadable(String)
  }

  private func stored() -> Stored {
    var info = stat()
    guard stat(path, &info) == 0 else {
      // A missing file, or a missing folder or a file in place of one on the way to it: there is
      // nothing to lose, and `save` says what is in the way.
      if errno == ENOENT || errno == ENOTDIR { return .none }
      return .unreadable(String(cString: strerror(errno)))
    }
    guard info.st_mode & S_IFMT == S_IFREG else {
      return .unreadable(info.st_mode & S_IFMT == S_IFDIR ? "it is a folder" : "it is not a regular file")
    }
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return .unreadable(String(cString: strerror(errno))) }
    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    guard let data = try? handle.readToEnd() else { return .unreadable("it cannot be read") }
    return .bytes(data)
  }

  /// The saved progress, empty when there is none. When the file is corrupt, it is moved aside;
  /// when it cannot be read, it is left alone (and `save` will not replace it). Either way
  /// `problem` says so (one line, for standard error and the course menu).
  public func load(now: Date = Date()) -> (progress: Progress, problem: String?) {
    let data: Data
    switch stored() {
    case .none: return (Progress(), nil)
    case .unreadable(let reason):
      return (
        Progress(),
        "cnnlab: cannot read saved progress in \(path) (\(reason)); it is kept as it is and this session's progress is not saved"
      )
    case .bytes(let bytes): data = bytes
    }
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
    guard rename(path, target) == 0 else {
      let why = String(cString: strerror(errno))
      return "cnnlab: could not read saved progress in \(path) (\(reason)), nor move it aside (\(why)); it is kept as it is and this session's progress is not saved"
    }
    return "cnnlab: could not read saved progress in \(path) (\(reason)); moved it to \(target) and started afresh"
  }

  /// Writes `progress` atomically, creating the directory if needed. Refuses to replace a file
  /// that is there but cannot be read as progress: that may be the learner's only copy.
  public func save(_ progress: Progress) throws(SaveError) {
    switch stored() {
    case .none: break
    case .unreadable(let reason):
      throw SaveError(description: "progress not saved: \(path) cannot be read (\(reason)) and is kept as it is")
    case .bytes(let data):
      guard (try? JSONDecoder().decode(Progress.self, from: data))?.format == 1 else {
        throw SaveError(description: "progress not saved: \(path) is not progress this cnnlab reads, and is kept as it is")
      }
    }
    let folder = (path as NSString).deletingLastPathComponent
    if !folder.isEmpty { try makeFolder(folder) }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    guard let data = try? encoder.encode(progress) else {
      throw SaveError(description: "progress not saved: it could not be encoded")
    }
    do {
      try AtomicFile.write(Array(data), to: path)
    } catch let error as DataFileError {
      throw SaveError(description: "progress not saved: \(error.file): \(error.message)")
    } catch {
      throw SaveError(description: "progress not saved: \(path): \(error)")
    }
  }

  /// Creates `folder` and the folders above it, saying what is in the way when that fails.
  private func makeFolder(_ folder: String) throws(SaveError) {
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) {
      guard isFolder.boolValue else {
        throw SaveError(
          description: "progress not saved: \(folder) is a file, not a folder (move it away, or set XDG_STATE_HOME)")
      }
      return
    }
    let parent = (folder as NSString).deletingLastPathComponent
    if !parent.isEmpty, parent != folder { try makeFolder(parent) }
    guard mkdir(folder, 0o755) == 0 || errno == EEXIST else {
      let reason = String(cString: strerror(errno))
      throw SaveError(
        description: "progress not saved: cannot create the folder \(folder) (\(reason)); set XDG_STATE_HOME to a writable folder")
    }
  }
}
