import ArgumentParser
import CNNLabLessons
import CNNLabTUI

extension CNNLab {
  /// One lesson, without a terminal.
  struct Lesson: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a lesson's screens as text.",
      subcommands: [Show.self])
  }
}

extension CNNLab.Lesson {
  /// Prints the frame the lesson player would draw, as plain text.
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print one frame of a lesson as the terminal shows it, without colour.",
      usage: """
        cnnlab lesson show NAME [--step N] [--frame N] [--width W] [--height H]
        [--lessons DIR]
        """,
      discussion: """
        NAME is a lesson directory (04-xo-features) or its number in the course
        (4). Without --frame the step is shown as it appears on arrival; with
        --frame N the step's operation is run and the Nth window (or cell) is
        shown.
        """)

    @Argument(help: "The lesson: its directory name or its number in the course.")
    var name: String

    @Option(parsing: .unconditional, help: "The step to show, from 1.")
    var step: Int = 1

    @Option(parsing: .unconditional, help: "The animation frame to show, from 1 (one per kernel window or cell).")
    var frame: Int?

    @Option(parsing: .unconditional, help: "The screen width in columns.")
    var width: Int = 100

    @Option(parsing: .unconditional, help: "The screen height in rows.")
    var height: Int = 32

    @Option(help: "The lessons directory (default: ./lessons, or the one beside cnnlab).")
    var lessons: String?

    func validate() throws {
      guard step >= 1 else { throw ValidationError("--step counts from 1; give a step of 1 or more.") }
      if let frame, frame < 1 { throw ValidationError("--frame counts from 1; give a frame of 1 or more.") }
      guard (1...1000).contains(width), (1...1000).contains(height) else {
        throw ValidationError("--width and --height must be between 1 and 1000.")
      }
    }

    func run() throws {
      let course = Course.load(directory: try lessonsDirectory(lessons))
      let index: Int
      if let number = Int(name) {
        guard course.entries.indices.contains(number - 1) else {
          throw fail(
            "the course has \(course.entries.count) lessons; there is no lesson \(number)",
            note: "give a number from 1 to \(course.entries.count), or a name from 'cnnlab lessons'")
        }
        index = number - 1
      } else if let found = course.entries.firstIndex(where: { $0.name == name }) {
        index = found
      } else {
        let names = course.entries.map(\.name).joined(separator: ", ")
        throw fail("no lesson named '\(name)'", note: "the lessons are: \(names)")
      }
      let entry = course.entries[index]
      guard let lesson = entry.lesson else {
        for problem in course.diagnostics where problem.file == entry.file { printError(problem.description) }
        throw fail("\(entry.file) does not load", note: "run 'cnnlab lessons check' and fix what it reports")
      }
      guard step <= lesson.steps.count else {
        throw fail(
          "\(entry.name) has \(lesson.steps.count) steps; --step \(step) is past the end",
          note: "give a step from 1 to \(lesson.steps.count)")
      }
      let source = LessonSource(lesson: lesson, name: entry.name, number: index + 1, count: course.entries.count)
      var player = LessonPlayer(source: source)
      _ = player.update(.resized(width: width, height: height))
      player.show(step: step - 1, frame: frame.map { $0 - 1 })
      if let frame, player.revealedAnimation == nil || frame - 1 > player.lastFrame {
        let frames = player.revealedAnimation == nil ? 0 : player.lastFrame + 1
        throw fail(
          "step \(step) of \(entry.name) has \(frames) frames; --frame \(frame) is past the end",
          note: frames == 0 ? "this step has no operation to animate; leave out --frame" : "give a frame from 1 to \(frames)")
      }
      printFrame(of: player, width: width, height: height)
    }
  }
}
