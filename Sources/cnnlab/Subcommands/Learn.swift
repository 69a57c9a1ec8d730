import ArgumentParser
import CNNLabCurses
import CNNLabTUI

#if canImport(Glibc)
  import Glibc
#endif

extension CNNLab {
  /// The interactive course: the default when cnnlab runs without a subcommand.
  struct Learn: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Open the interactive course in the terminal (the default).",
      discussion: """
        Needs an interactive terminal. Without one, cnnlab exits with status 2 and says \
        which commands work instead.
        """)

    func run() throws {
      let terminal: Terminal
      do {
        terminal = try Terminal()
      } catch {
        printError("cnnlab: \(error)")
        throw ExitCode(2)
      }
      var program = PlaceholderCourse()
      let outcome = RunLoop(terminal: terminal).run(&program)
      terminal.shutdown()
      if case .signal(let signal) = outcome { throw ExitCode(128 + signal) }
    }
  }
}
