import CNNLabData
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Where `AtomicFile` may rename and where it must write through.
@Suite struct OutputPathTests {
  func entries(_ directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
  }

  func kind(_ path: String) -> mode_t {
    var info = stat()
    return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
  }

  /// What a reader thread got from a FIFO.
  final class Received: @unchecked Sendable {
    var bytes: [UInt8] = []
    let done = DispatchSemaphore(value: 0)
  }

  @Test func aFIFOIsWrittenThroughAndStaysAFIFO() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let fifo = directory + "/fifo"
    #expect(mkfifo(fifo, 0o644) == 0)
    let received = Received()
    let reader = Thread {
      let descriptor = open(fifo, O_RDONLY)  // waits for a writer
      var buffer = [UInt8](repeating: 0, count: 64)
      while descriptor >= 0 {
        let count = read(descriptor, &buffer, buffer.count)
        if count <= 0 { break }
        received.bytes += buffer[0..<count]
      }
      close(descriptor)
      received.done.signal()
    }
    reader.start()
    // Until the reader has opened its end, a write is refused (not blocked): try again.
    var attempts = 0
    while true {
      do {
        try AtomicFile.write(Array("5\n".utf8), to: fifo)
        break
      } catch let error as DataFileError where error.message.hasPrefix("is a FIFO") && attempts < 200 {
        attempts += 1
        usleep(50_000)
      }
    }
    #expect(received.done.wait(timeout: .now() + 10) == .success)
    #expect(received.bytes == Array("5\n".utf8))
    #expect(kind(fifo) == S_IFIFO)
    #expect(try entries(directory) == ["fifo"], "no temporary file was made")
  }

  @Test func aFIFONobodyReadsIsAnErrorNotAWait() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let fifo = directory + "/fifo"
    #expect(mkfifo(fifo, 0o644) == 0)
    let error = expectDataFileError { try AtomicFile.write([1], to: fifo) }
    #expect(error?.message == "is a FIFO that no process is reading")
    #expect(kind(fifo) == S_IFIFO)
  }

  @Test(.enabled(if: getuid() == 0, "mknod needs root"))
  func aCharacterDeviceIsWrittenThroughAndStaysADevice() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let null = directory + "/null"
    let full = directory + "/full"
    // Linux device numbers: major 1 (memory devices), minor 3 (null) and 7 (full).
    #expect(mknod(null, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0)
    #expect(mknod(full, S_IFCHR | 0o666, dev_t(1 << 8 | 7)) == 0)
    try AtomicFile.write([1, 2, 3], to: null)
    #expect(kind(null) == S_IFCHR)
    let error = expectDataFileError { try AtomicFile.write([1, 2, 3], to: full) }
    #expect(error?.message == "write failed: No space left on device")
    #expect(kind(full) == S_IFCHR)
    try AtomicFile.checkWritable(null)
    #expect(try entries(directory) == ["full", "null"])
  }

  @Test func aLinkToARegularFileStaysALink() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try write([0], directory, "target")
    #expect(chmod(directory + "/target", 0o600) == 0)
    #expect(symlink("target", directory + "/link") == 0)
    try AtomicFile.write([4, 5], to: directory + "/link")
    #expect(kind(directory + "/link") == S_IFLNK)
    #expect(try DataFile.readBytes(directory + "/target") == [4, 5])
    let mode = try FileManager.default.attributesOfItem(atPath: directory + "/target")[.posixPermissions]
    #expect((mode as? Int) == 0o600, "the replaced file's mode is kept")
  }

  @Test func staleTemporaryFilesAreRemovedButNotALiveWritersOnes() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let live = ".out.npy.tmp-\(getpid())-Ab12Cd"
    for name in [".out.npy.tmp-Ab12Cd", ".out.npy.tmp-999999999-Xy34Zw", live, ".other.tmp-Ab12Cd"] {
      try write([1], directory, name)
    }
    try AtomicFile.write([7], to: directory + "/out.npy")
    #expect(try entries(directory) == [".other.tmp-Ab12Cd", live, "out.npy"])
  }

  @Test func checkWritableFindsProblemsBeforeAnyWork() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try AtomicFile.checkWritable(directory + "/new.safetensors")
    #expect(try entries(directory) == [], "the probe leaves nothing behind")
    let missing = expectDataFileError { try AtomicFile.checkWritable(directory + "/no/m") }
    #expect(missing?.message == "cannot create a temporary file in \(directory)/no: No such file or directory")
    let folder = expectDataFileError { try AtomicFile.checkWritable(directory) }
    #expect(folder?.message == "is a folder, not a file")
    let slash = expectDataFileError { try AtomicFile.checkWritable(directory + "/x/") }
    #expect(slash?.message == "names a folder, not a file")
  }
}
