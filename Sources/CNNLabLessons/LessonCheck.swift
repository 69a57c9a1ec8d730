/// Lints a course the way `cnnlab lessons check` does: every lesson parses, names resolve,
/// shapes fit, every stated answer equals what the engine computes and is not already on screen
/// when its question is asked, every question and challenge has a hint, challenges can be solved, and no lesson file strays outside the course.
public enum LessonCheck {
  /// Every problem in the course, in course order (load problems first for each file), with the
  /// files the course does not list after the load problems.
  public static func run(_ course: Course) -> [LessonDiagnostic] {
    var diagnostics = course.diagnostics + course.strayFiles()
    for entry in course.entries {
      guard let lesson = entry.lesson else { continue }
      diagnostics += check(lesson)
    }
    return diagnostics
  }

  /// The semantic problems of one parsed lesson (its file grids already loaded).
  public static func check(_ lesson: Lesson) -> [LessonDiagnostic] {
    var diagnostics: [LessonDiagnostic] = []
    if lesson.title.trimmingSpaces.isEmpty {
      diagnostics.append(
        LessonDiagnostic(
          file: lesson.file, at: lesson.titleLocation, "the title is empty",
          note: "give the lesson a title the course list can show"))
    }
    var run = LessonRun(lesson: lesson, overrides: [:], checking: true)
    run.run()
    diagnostics += run.diagnostics
    diagnostics += AnswerOnScreen.problems(lesson, scenes: run.scenes)
    diagnostics += staticProblems(lesson)
    return diagnostics.sorted { $0.location < $1.location }
  }

  /// Problems visible without computing anything.
  static func staticProblems(_ lesson: Lesson) -> [LessonDiagnostic] {
    var diagnostics: [LessonDiagnostic] = []
    for step in lesson.steps {
      if step.statements.isEmpty {
        diagnostics.append(
          LessonDiagnostic(
            file: lesson.file, at: step.location, "the step \"\(step.title)\" is empty",
            note: "give it some text ('say \"...\"') or an operation"))
      }
    }
    return diagnostics
  }
}
