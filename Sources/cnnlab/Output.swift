#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ArgumentParser

/// Writes to standard error, for diagnostics (ending the line unless `newline` is false).
func printError(_ text: String, newline: Bool = true) {
  var line = text
  if newline && !line.hasSuffix("\n") { line += "\n" }
  var bytes = Array(line.utf8)
  _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
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
