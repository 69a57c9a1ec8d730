/// Why cnnlab cannot draw its screens on this terminal. The description is one line that says
/// why and names the commands that work without a terminal.
public enum TerminalError: Error, Equatable, CustomStringConvertible {
  /// Standard input or output is not a terminal (a pipe, a file, a CI job).
  case notATerminal
  /// `TERM` is unset (nil) or names a terminal the terminfo database does not know.
  case unknownTerminal(String?)
  /// The terminal cannot move the cursor (for example `TERM=dumb`).
  case noCursorAddressing(String)

  static let alternatives = "use 'cnnlab lesson show', 'cnnlab conv' or 'cnnlab train --headless' instead"

  public var description: String {
    switch self {
    case .notATerminal:
      "the interactive screens need a terminal, but standard input or output is not one; "
        + TerminalError.alternatives
    case .unknownTerminal(nil):
      "TERM is not set, so cnnlab cannot drive this terminal; set it (for example "
        + "TERM=xterm-256color) or " + TerminalError.alternatives
    case .unknownTerminal(let term?):
      "TERM=\(term) is not in the terminfo database, so cnnlab cannot drive this terminal; set "
        + "TERM to a known terminal (for example xterm-256color) or " + TerminalError.alternatives
    case .noCursorAddressing(let term):
      "TERM=\(term) cannot move the cursor, so cnnlab cannot draw its screens; run it in a "
        + "full terminal or " + TerminalError.alternatives
    }
  }
}
