import Foundation
import Testing

@testable import CNNLabTUI

/// Compares a whole frame with `Snapshots/<test>.txt` (the test function's name): the lines as drawn, then each row's
/// roles as runs (`n3 k9` is three normal cells, then nine in the kernel window; codes as in
/// `Role.code`). A missing snapshot, or `RECORD_SNAPSHOTS=1`, records the frame and fails, so a
/// person reads it before it is trusted.
func assertSnapshot(
  _ buffer: CellBuffer, function: String = #function, sourceLocation: SourceLocation = #_sourceLocation
) {
  let name = function.hasSuffix("()") ? String(function.dropLast(2)) : function
  let text = snapshotText(buffer)
  let path = TestPaths.snapshots + "/\(name).txt"
  let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
  guard !record, let data = FileManager.default.contents(atPath: path),
    let expected = String(data: data, encoding: .utf8)
  else {
    try? FileManager.default.createDirectory(atPath: TestPaths.snapshots, withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    Issue.record("recorded snapshot \(path); read it, then run the test again", sourceLocation: sourceLocation)
    return
  }
  guard expected != text else { return }
  let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
  let new = text.split(separator: "\n", omittingEmptySubsequences: false)
  let line = (0..<min(old.count, new.count)).first { old[$0] != new[$0] } ?? min(old.count, new.count)
  let was = line < old.count ? String(old[line]) : "(end)"
  let now = line < new.count ? String(new[line]) : "(end)"
  Issue.record(
    "frame differs from \(name).txt at line \(line + 1):\n  expected: \(was)\n  actual:   \(now)\n(RECORD_SNAPSHOTS=1 records it anew)",
    sourceLocation: sourceLocation)
}

/// The snapshot text of a buffer: lines (trailing spaces kept), `--- roles`, then runs per row.
func snapshotText(_ buffer: CellBuffer) -> String {
  var out = buffer.lines.joined(separator: "\n") + "\n--- roles\n"
  for y in 0..<buffer.height {
    let runs = buffer.roleRuns(row: y).map { "\($0.role.code)\($0.count)" }.joined(separator: " ")
    out += "\(y): \(runs)\n"
  }
  return out
}

/// The frame a program draws at `width` x `height`.
func frame(of program: some Program, width: Int = 100, height: Int = 32) -> CellBuffer {
  var buffer = CellBuffer(width: width, height: height)
  program.render(into: &buffer)
  return buffer
}
