import ArgumentParser
import CNNLabLessons

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@main
struct CNNLab: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cnnlab",
    abstract: "Watch a convolutional network learn, one kernel at a time.",
    subcommands: [
      Learn.self, Lessons.self, Lesson.self, Conv.self, Pool.self, Shape.self, Train.self, Eval.self,
      Predict.self, Bench.self, BenchUI.self, Playground.self,
    ],
    defaultSubcommand: Learn.self)

  /// Every mistake is reported the same way: `cnnlab: error: …` on standard error.
  static var _errorPrefix: String { "cnnlab: error: " }

  /// Parses and runs a command, reporting every mistake of the person typing it the same way:
  /// `cnnlab: error: …` on standard error, the usage of the command at fault when the command
  /// line was wrong, and exit status 1. Help goes to standard output with status 0.
  static func main() {
    failOnStandardOutputErrors()
    let command: ParsableCommand
    do {
      command = try parseAsRoot(Array(CommandLine.arguments.dropFirst()))
    } catch {
      exit(reporting: error, from: nil)
    }
    do {
      var running = command
      try running.run()
    } catch {
      exit(reporting: error, from: type(of: command))
    }
    terminate(0)
  }

  /// Ends the program for `error`. A parse error knows which command it is about; an error
  /// thrown while running `command` shows that command's usage, not the top level's.
  static func exit(reporting error: Error, from command: ParsableCommand.Type?) -> Never {
    if let code = error as? ExitCode { terminate(code.rawValue) }  // already reported
    if exitCode(for: error) == .success { exit(withError: error) }  // --help and the like
    var text: String
    if let command, let validation = error as? ValidationError {
      text = [
        _errorPrefix + validation.message,
        "Usage: " + usageString(for: command).split(separator: "\n").joined(separator: "\n       "),
        "  See 'cnnlab\(commandPath(command)) --help' for more information.",
      ].joined(separator: "\n")
    } else {
      text = fullMessage(for: error)
      if !text.hasPrefix(_errorPrefix) { text = _errorPrefix + text }
    }
    while text.hasSuffix("\n") { text.removeLast() }
    printError(printable(text, keepingNewlines: true))
    terminate(ExitCode.failure.rawValue)
  }

  /// The visible command `word` is most likely a typo of (one or two letters added, dropped,
  /// changed or swapped, by length), or nil.
  static func closestCommand(to word: String) -> String? {
    let names = configuration.subcommands.filter { $0.configuration.shouldDisplay }.map { $0._commandName }
    guard word.count <= 20 else { return nil }
    let word = word.lowercased()
    let scored = names.map { ($0, editDistance(word, $0)) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    let allowed = word.count >= 5 ? 2 : 1
    return best.1 > 0 && best.1 <= allowed ? best.0 : nil
  }

  /// ` conv`, ` lessons check`: the words after `cnnlab` that name `command`.
  static func commandPath(_ command: ParsableCommand.Type) -> String {
    func find(_ node: ParsableCommand.Type, _ trail: String) -> String? {
      if node == command { return trail }
      for sub in node.configuration.subcommands {
        if let found = find(sub, trail + " " + sub._commandName) { return found }
      }
      return nil
    }
    return find(CNNLab.self, "") ?? ""
  }
}

/// Exits the process with `status` (standard output is flushed on the way).
private func terminate(_ status: Int32) -> Never { exit(status) }
