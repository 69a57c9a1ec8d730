import CNNLabLessons

/// A lesson ready to play: its name and title, and a way to plan its scenes for a set of kernel
/// edits. The player never computes a number itself; when the learner edits a kernel it asks
/// `plan` again and shows whatever the engine returns.
public struct LessonSource: Sendable {
  /// The lesson's directory name, e.g. `04-xo-features`; progress is saved under it.
  public var name: String
  public var title: String
  /// 1-based position in the course, and how many lessons the course has.
  public var number: Int
  public var count: Int
  /// The scenes for the kernels as edited (kernel name to setting; empty for the lesson as written).
  public var plan: @Sendable ([String: KernelSetting]) -> [Scene]
  /// The scenes for the kernels as edited and steps' operations as turned (step index to the
  /// turned operation, see `Knob`); nil for a source whose steps have no knobs.
  public var planTurned: (@Sendable ([String: KernelSetting], [Int: StepOperation]) -> [Scene])?

  public init(
    name: String, title: String, number: Int = 1, count: Int = 1,
    plan: @escaping @Sendable ([String: KernelSetting]) -> [Scene]
  ) {
    self.name = name
    self.title = title
    self.number = number
    self.count = count
    self.plan = plan
  }
}

extension LessonSource {
  /// A lesson planned by `ScenePlanner`, the engine computing every scene.
  public init(lesson: Lesson, name: String, number: Int = 1, count: Int = 1) {
    self.init(name: name, title: lesson.title, number: number, count: count) { edits in
      ScenePlanner.plan(lesson, kernels: edits)
    }
    planTurned = { edits, operations in ScenePlanner.plan(lesson, kernels: edits, operations: operations) }
  }
}
