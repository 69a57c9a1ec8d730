import CNNLabLessons
import Foundation
import Testing

@testable import CNNLabTUI

/// A fresh directory under the system's temporary directory, removed by `cleanUp`.
struct TemporaryDirectory {
  let path: String

  init() throws {
    path = NSTemporaryDirectory() + "cnnlab-progress-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct ProgressTests {
  @Test func theStateFileLivesUnderXDGStateHomeOrTheHomeDirectory() {
    #expect(ProgressStore.defaultPath(environment: ["XDG_STATE_HOME": "/tmp/s", "HOME": "/home/a"]) == "/tmp/s/cnnlab/progress.json")
    #expect(ProgressStore.defaultPath(environment: ["HOME": "/home/a"]) == "/home/a/.local/state/cnnlab/progress.json")
    // The XDG spec ignores relative paths.
    #expect(ProgressStore.defaultPath(environment: ["XDG_STATE_HOME": "state", "HOME": "/home/a"]) == "/home/a/.local/state/cnnlab/progress.json")
  }

  @Test func progressIsSavedAndReadBack() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let store = ProgressStore(path: ProgressStore.defaultPath(environment: ["XDG_STATE_HOME": directory.path]))
    #expect(store.load().progress == Progress())
    #expect(store.load().problem == nil)
    let lesson = LessonProgress(
      step: 2, completedSteps: [0, 1],
      answers: [.init(key: .init(step: 0, beat: 2), state: .init(text: "7/9", correct: true))],
      kernels: [.init(name: "blur", values: [1, 1, 1, 1, 2, 1, 1, 1, 1], scale: LessonNumber(1.0 / 9, text: "1/9"))])
    try store.save(Progress(lessons: ["04-xo": lesson]))
    let loaded = store.load()
    #expect(loaded.problem == nil)
    #expect(loaded.progress.lessons["04-xo"] == lesson)
    #expect(loaded.progress.lessons["04-xo"]?.kernelSettings["blur"]?.scale?.text == "1/9")
    // Written atomically: no temporary file is left beside it.
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/cnnlab")
    #expect(files == ["progress.json"])
  }

  @Test func aCorruptFileIsMovedAsideAndReported() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.path + "/cnnlab/progress.json"
    try FileManager.default.createDirectory(atPath: directory.path + "/cnnlab", withIntermediateDirectories: true)
    try Data("{\"format\": 1, \"lessons\": [oops".utf8).write(to: URL(fileURLWithPath: path))
    let loaded = ProgressStore(path: path).load(now: Date(timeIntervalSince1970: 1_700_000_000))
    #expect(loaded.progress == Progress())
    let aside = path + ".corrupt-1700000000"
    #expect(loaded.problem == "cnnlab: could not read saved progress in \(path) (it is not valid progress JSON); moved it to \(aside) and started afresh")
    #expect(!FileManager.default.fileExists(atPath: path))
    #expect(FileManager.default.contents(atPath: aside) == Data("{\"format\": 1, \"lessons\": [oops".utf8))
  }

  @Test func theLessonResumesWhereTheLearnerLeftIt() throws {
    var player = try LessonPlayer(fixture: "xo")
    _ = player.update(.resized(width: 100, height: 32))
    for key in [Key.right, .char("7"), .char("/"), .char("9"), .enter, .right, .right, .right, .right, .right] {
      _ = player.update(.keyPressed(key))
    }
    #expect(player.step == 4)
    _ = player.update(.keyPressed(.char("p")))  // the identity preset
    let saved = player.progress
    #expect(saved.completedSteps == [0, 1, 2, 3])
    #expect(saved.status == .inProgress)

    let resumed = try LessonPlayer(fixture: "xo", progress: saved)
    #expect(resumed.step == 4)
    #expect(resumed.edits["diagonal"]?.values == [0, 0, 0, 0, 1, 0, 0, 0, 0])
    #expect(resumed.answers[.init(step: 0, beat: 2)]?.correct == true)
    // The identity kernel copies the centre cell: mine[0,0] = x[1,1]/9 = 1/9.
    guard case .convolution(let a)? = resumed.scene?.animation else {
      Issue.record("step 5 has no convolution")
      return
    }
    #expect(abs(a.output.scalars[0] - 1.0 / 9) < 1e-6)
  }
}
