#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ArgumentParser
import CNCurses  // cn_stdout: C's stdout, which Swift 6 will not touch as a global

/// Writes to standard error, for diagnostics (ending the line unless `newline` is false).
func printError(_ text: String, newline: Bool = true) {
  var line = text
  if newline && !line.hasSuffix("\n") { line += "\n" }
  var bytes = Array(line.utf8)
  _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

/// Makes a failed write to standard output (a full disk, `> /dev/full`, a closed descriptor) end
/// the run with status 1 and one line on standard error, instead of losing the output silently
/// and exiting 0. Runs when the process exits, after every `print`, on success and failure alike.
func failOnStandardOutputErrors() {
  atexit {
    let flushed = fflush(cn_stdout()) == 0
    let reason = flushed ? "a write failed" : String(cString: strerror(errno))
    guard !flushed || ferror(cn_stdout()) != 0 else { return }
    printError("cnnlab: error: could not write to standard output: \(reason)")
    _exit(1)
  }
}

/// Prints `cnnlab: error: …` (and an optional note) to standard error and fails the command.
func fail(_ message: String, note: String? = nil) -> ExitCode {
  printError("cnnlab: error: \(message)")
  if let note { printError("note: \(note)") }
  return ExitCode.failure
}

/// 3274634 → "3,274,634".
func grouped(_ n: Int) -> String {
  let digits = String(n.magnitude)
  var out = ""
  for (i, ch) in digits.enumerated() {
    if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
    out.append(ch)
  }
  return n < 0 ? "-" + out : out
}

/// Pads `text` with spaces to `width` characters (left-aligned, or right-aligned).
func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
  let fill = String(repeating: " ", count: max(0, width - text.count))
  return right ? fill + text : text + fill
}

/// A line with a caret under 1-based `column`, for pointing into a one-line input.
func caretLine(under column: Int, indent: Int = 2) -> String {
  String(repeating: " ", count: indent + max(column - 1, 0)) + "^"
}
