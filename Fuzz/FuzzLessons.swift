// libFuzzer entry point for the lesson parser, checker and planner (built by scripts/fuzz-lessons).
// Any input must give a lesson or diagnostics, never a crash.

import CNNLabLessons

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLessons(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  do {
    let lesson = try LessonParser.parse(text, file: "fuzz.cnnlab")
    if LessonCheck.check(lesson).isEmpty { _ = ScenePlanner.plan(lesson) }
  } catch {
    // Diagnostics must point inside the text.
    let lines = lessonLines(text).count
    for diagnostic in error.diagnostics where diagnostic.line < 1 || diagnostic.line > max(lines, 1) {
      fatalError("diagnostic outside the text: \(diagnostic)")
    }
  }
  return 0
}
