import Foundation
import Testing

@testable import CNNLabTUI

/// Progress that cannot be read is reported and kept; a state folder that cannot be written is
/// one line that says what is in the way.
@Suite struct ProgressStoreProblemTests {
  @Test func aProgressFileThatCannotBeReadIsKeptAndNeverOverwritten() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.path + "/cnnlab/progress.json"
    try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
    let store = ProgressStore(path: path)
    let loaded = store.load()
    #expect(loaded.progress == Progress())
    #expect(
      loaded.problem
        == "cnnlab: cannot read saved progress in \(path) (it is a folder); it is kept as it is and this session's progress is not saved")
    #expect(throws: ProgressStore.SaveError.self) { try store.save(Progress(lessons: ["01": LessonProgress(step: 1)])) }
    #expect(FileManager.default.fileExists(atPath: path + "/inside"), "left as it was")
  }

  @Test func aCorruptFileThatCouldNotBeMovedIsNotOverwritten() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.path + "/progress.json"
    try Data("not json".utf8).write(to: URL(fileURLWithPath: path))
    let store = ProgressStore(path: path)
    do {
      try store.save(Progress())
      Issue.record("saved over a file it could not read")
    } catch {
      #expect(error.description == "progress not saved: \(path) is not progress this cnnlab reads, and is kept as it is")
    }
    #expect(FileManager.default.contents(atPath: path) == Data("not json".utf8))
  }

  @Test func aFileInPlaceOfTheStateFolderIsOneClearLine() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try Data().write(to: URL(fileURLWithPath: directory.path + "/cnnlab"))
    let store = ProgressStore(path: directory.path + "/cnnlab/progress.json")
    #expect(store.load().problem == nil, "nothing to lose")
    do {
      try store.save(Progress())
      Issue.record("saved through a file")
    } catch {
      #expect(
        error.description
          == "progress not saved: \(directory.path)/cnnlab is a file, not a folder (move it away, or set XDG_STATE_HOME)")
    }
  }

  @Test func aMissingStateFolderIsCreatedWithItsParents() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let store = ProgressStore(path: directory.path + "/a/b/cnnlab/progress.json")
    try store.save(Progress(lessons: ["01": LessonProgress(step: 2)]))
    #expect(store.load().progress.lessons["01"]?.step == 2)
  }

  @Test(.enabled(if: getuid() != 0, "root writes into read-only folders"))
  func aReadOnlyStateFolderIsOneClearLine() throws {
    let directory = try TemporaryDirectory()
    defer {
      chmod(directory.path, 0o755)
      directory.cleanUp()
    }
    chmod(directory.path, 0o555)
    let store = ProgressStore(path: directory.path + "/cnnlab/progress.json")
    do {
      try store.save(Progress())
      Issue.record("saved into a read-only folder")
    } catch {
      #expect(
        error.description
          == "progress not saved: cannot create the folder \(directory.path)/cnnlab (Permission denied); set XDG_STATE_HOME to a writable folder")
    }
  }
}
