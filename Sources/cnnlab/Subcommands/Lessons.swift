import ArgumentParser
import CNNLabLessons
import CNNLabTUI
import Foundation

extension CNNLab {
  struct Lessons: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the course's lessons, or check every lesson file.",
      discussion: """
        Lessons are plain-text scripts in lessons/, listed in order by lessons/course;
        lessons/README.md describes the format.
        """,
      subcommands: [List.self, Check.self],
      defaultSubcommand: List.self)
  }
}

extension CNNLab.Lessons {
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the lessons in order, with steps and challenges solved.")

    @Argument(help: "The lessons directory (default: ./lessons, or the one beside cnnlab).")
    var directory: String?

    func run() throws {
      let course = Course.load(directory: try lessonsDirectory(directory))
      let solved = solvedChallenges()
      let names = course.entries.map(\.name)
      let nameWidth = names.map(\.count).max() ?? 0
      for (number, entry) in course.entries.enumerated() {
        let label = pad(String(number + 1), 2, right: true) + "  " + pad(entry.name, nameWidth)
        if let lesson = entry.lesson {
          let steps = lesson.steps.count == 1 ? "1 step" : "\(lesson.steps.count) steps"
          let prompts = lesson.challenges.map(\.prompt)
          let done = prompts.filter { solved[entry.name]?.contains($0) == true }.count
          let challenges = prompts.isEmpty ? "" : ", \(done)/\(prompts.count) \(prompts.count == 1 ? "challenge" : "challenges")"
          print("\(label)  \(lesson.title) (\(steps)\(challenges))")
        } else {
          print("\(label)  (does not load: run 'cnnlab lessons check')")
        }
      }
      if course.entries.isEmpty { print("The course lists no lessons yet.") }
    }

    /// The solved challenges in the saved progress, by lesson. Read only: a progress file that
    /// cannot be read counts as none solved, and is left for the course to deal with.
    func solvedChallenges() -> [String: Set<String>] {
      let path = ProgressStore.defaultPath()
      guard let data = FileManager.default.contents(atPath: path),
        let progress = try? JSONDecoder().decode(Progress.self, from: data)
      else { return [:] }
      return progress.lessons.mapValues { Set($0.solvedChallenges ?? []) }
    }
  }

  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check that every lesson parses and agrees with the engine.",
      discussion: """
        Checks that each lesson parses, its names resolve, its shapes fit and its
        answers match the engine. Prints each problem as
        FILE:LINE:COLUMN: error: MESSAGE and a note on how to fix it, then a
        summary. Exits with 1 when there are problems.
        """)

    @Argument(help: "The lessons directory (default: ./lessons, or the one beside cnnlab).")
    var directory: String?

    func run() throws {
      let course = Course.load(directory: try lessonsDirectory(directory))
      let problems = LessonCheck.run(course)
      let lessons = course.entries.count == 1 ? "1 lesson" : "\(course.entries.count) lessons"
      if problems.isEmpty {
        print("\(lessons), no problems")
        return
      }
      for problem in problems { print(problem.description) }
      print("\(lessons), \(problems.count == 1 ? "1 problem" : "\(problems.count) problems")")
      throw ExitCode.failure
    }
  }
}

/// The lessons directory: the one given, else `./lessons`, else the `lessons` of the repository
/// cnnlab was built in.
func lessonsDirectory(_ given: String?) throws -> String {
  let manager = FileManager.default
  if let given {
    var isDirectory: ObjCBool = false
    guard manager.fileExists(atPath: given, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw ValidationError("'\(given)' is not a directory; give the lessons directory, e.g. 'lessons'.")
    }
    return given
  }
  if manager.fileExists(atPath: "lessons/" + Course.courseFileName) { return "lessons" }
  var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    .deletingLastPathComponent()
  for _ in 0..<5 {
    let candidate = directory.appendingPathComponent("lessons")
    if manager.fileExists(atPath: candidate.appendingPathComponent(Course.courseFileName).path) {
      return candidate.path
    }
    directory = directory.deletingLastPathComponent()
  }
  throw ValidationError("Cannot find the lessons: run cnnlab from its repository, or give the directory.")
}
