import ArgumentParser
import CNNLabData
import CNNLabEngine
import CNNLabTUI
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension OptimizerKind: ExpressibleByArgument {}

/// Runs `body`, turning a problem with a file (a data set, a model, a grid, an image, or one
/// being written) into one clear error and a failed exit. Every command reports file errors
/// through here, so they read the same everywhere: `cnnlab: FILE: error: …` and a `note:` line.
func reportingFileErrors<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as DataFileError {
    printError("cnnlab: " + printable(error.description, keepingNewlines: true))
    throw ExitCode.failure
  } catch let error as GridTextError {
    printError("cnnlab: " + printable(error.description, keepingNewlines: true))
    throw ExitCode.failure
  }
}

/// Loads what `--data` names, with a clear error when it cannot.
func loadTrainingData(_ name: String) throws -> TrainingData {
  try reportingFileErrors { try TrainingData.load(name) }
}

/// Reads a model file, with a clear error when it cannot.
func loadModel(_ path: String) throws -> ModelFile {
  try reportingFileErrors { try ModelFile.read(path: path) }
}

/// Whether file descriptor `fd` is a terminal.
func isTerminal(_ fd: Int32) -> Bool { isatty(fd) != 0 }

/// `0.98765` → `98.77%`.
func percent(_ fraction: Double) -> String { String(format: "%.2f%%", fraction * 100) }

/// Seconds as `4.2 s` or `3 min 05 s`.
func duration(_ seconds: Double) -> String {
  if seconds < 60 { return String(format: "%.1f s", seconds) }
  let whole = Int(seconds.rounded())
  return String(format: "%d min %02d s", whole / 60, whole % 60)
}

/// A number for JSON with `digits` significant digits; not-finite values become null.
func jsonNumber(_ value: Double?, digits: Int = 6) -> String {
  guard let value, value.isFinite else { return "null" }
  return String(format: "%.\(digits)g", value)
}

/// A string as a JSON literal; every control character (C0, DEL, C1) is escaped, so a string
/// from a file cannot reach a terminal raw through JSON either.
func jsonString(_ text: String) -> String {
  var out = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case _ where scalar.isTerminalControl:
      out += "\\u" + hexDigits(scalar.value, width: 4)
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
}

/// `{"a": 1, "b": "x"}` from pairs whose values are already JSON.
func jsonObject(_ pairs: [(String, String)]) -> String {
  "{" + pairs.map { "\(jsonString($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
}

/// The confusion matrix as a table: rows are the true class, columns the prediction.
func confusionTable(_ confusion: [[Int]], classNames: [String]) -> String {
  let labels = classNames.map { String(printable($0).prefix(11)) }
  let width = max(
    5, (confusion.flatMap { $0 }.map { String($0).count }.max() ?? 1) + 1,
    (labels.map(\.count).max() ?? 1) + 1)
  let rowLabelWidth = max(5, labels.map(\.count).max() ?? 1)
  var lines = ["confusion matrix (rows: true class, columns: predicted)"]
  lines.append(pad("", rowLabelWidth) + labels.map { pad($0, width, right: true) }.joined())
  for (label, row) in zip(labels, confusion) {
    lines.append(
      pad(label, rowLabelWidth) + row.map { pad(String($0), width, right: true) }.joined())
  }
  return lines.joined(separator: "\n")
}
