#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ArgumentParser
import CNNLabTUI  // Unicode.Scalar.isTerminalControl
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
  printError("cnnlab: error: \(printable(message))")
  if let note { printError("note: \(printable(note))") }
  return ExitCode.failure
}

/// `text` with every control character written out as an escape (`\x1b`, `\x7f`, `\u{9b}`), so a
/// string from a file (a class name, a spec, a data set's name) cannot move the cursor, set the
/// window title or clear the screen when printed. Newlines and tabs stay when `keepingNewlines`
/// (for a message of several lines); otherwise they are escaped too, keeping a field on its line.
/// Every string from a file passes through here before it is printed.
func printable(_ text: String, keepingNewlines: Bool = false) -> String {
  var out = ""
  for scalar in text.unicodeScalars {
    let v = scalar.value
    if keepingNewlines && (scalar == "\n" || scalar == "\t") {
      out.unicodeScalars.append(scalar)
    } else if scalar.isTerminalControl {
      out += v < 0x80 ? "\\x" + hexDigits(v, width: 2) : "\\u{" + hexDigits(v, width: 2) + "}"
    } else {
      out.unicodeScalars.append(scalar)
    }
  }
  return out
}

/// `v` in lowercase hexadecimal, at least `width` digits.
func hexDigits(_ v: UInt32, width: Int) -> String {
  let digits = String(v, radix: 16)
  return String(repeating: "0", count: max(0, width - digits.count)) + digits
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

/// Prints one frame of `program` as plain text, trailing blanks trimmed, as the terminal would
/// show it at `width`x`height` (the `TooSmall` notice below the program's minimum). The
/// program has had its `.resized` already.
func printFrame(of program: some Program, width: Int, height: Int) {
  var buffer = CellBuffer(width: width, height: height)
  if width < program.minimumSize.width || height < program.minimumSize.height {
    TooSmall(required: program.minimumSize, actual: (width, height)).render(in: buffer.area, into: &buffer)
  } else {
    program.render(into: &buffer)
  }
  for line in buffer.lines {
    var trimmed = line
    while trimmed.last == " " { trimmed.removeLast() }
    print(trimmed)
  }
}
