import ArgumentParser
import CNNLabCurses
import CNNLabData
import CNNLabEngine
import CNNLabLessons
import CNNLabTUI

extension CNNLab {
  /// The interactive course: the default when cnnlab runs without a subcommand.
  struct Learn: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Open the interactive course in the terminal.",
      discussion: """
        Needs an interactive terminal. Without one, cnnlab exits with status 2
        and says which commands work instead. Progress is saved in
        $XDG_STATE_HOME/cnnlab/progress.json
        (by default ~/.local/state/cnnlab/progress.json).
        """)

    @Argument(help: "A lesson to open straight away: its directory name or its number.")
    var lesson: String?

    @Option(help: "The lessons directory (default: ./lessons, or the one beside cnnlab).")
    var lessons: String?

    func run() throws {
      // `cnnlab trian` lands here, as a lesson name: a near miss of a command is a typo.
      if let lesson, Int(lesson) == nil, let command = CNNLab.closestCommand(to: lesson) {
        let course = (try? lessonsDirectory(lessons)).map { Course.load(directory: $0) }
        if course?.entries.contains(where: { $0.name == lesson }) != true {
          throw fail(
            "'\(lesson)' is not a cnnlab command; did you mean 'cnnlab \(command)'?",
            note: "'cnnlab --help' lists the commands")
        }
      }
      let course = Course.load(directory: try lessonsDirectory(lessons))
      var start: Int?
      if let lesson {
        start = Int(lesson).map { $0 - 1 } ?? course.entries.firstIndex { $0.name == lesson }
        guard let index = start, course.entries.indices.contains(index) else {
          let names = course.entries.map(\.name).joined(separator: ", ")
          throw fail(
            "'\(lesson)' is neither a cnnlab command nor a lesson",
            note: "'cnnlab --help' lists the commands; the lessons are \(names) (or their numbers, 1 to \(course.entries.count))")
        }
      }
      let store = ProgressStore(path: ProgressStore.defaultPath())
      let (progress, problem) = store.load()
      if let problem { printError(problem) }
      let terminal: Terminal
      do {
        terminal = try Terminal()
      } catch {
        printError("cnnlab: \(error)")
        throw ExitCode(2)
      }
      var program = CourseApp(
        course: course, progress: progress, notice: problem, liveTraining: CNNLab.Train.xoTraining(),
        lessonTraining: { CNNLab.Train.mnistTraining(spec: $0) })
      let opened = start.map { program.open($0) } ?? []
      let runLoop = RunLoop(terminal: terminal) { progress in
        do {
          try store.save(progress)
          return nil
        } catch {
          return "cnnlab: \(error)"
        }
      }
      let outcome = runLoop.run(&program, performingFirst: opened)
      terminal.shutdown()
      if case .signal(let signal) = outcome { throw ExitCode(128 + signal) }
    }
  }
}
