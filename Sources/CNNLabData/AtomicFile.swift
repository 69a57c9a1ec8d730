#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes files so that readers see the old file or the whole new one, never half of it.
public enum AtomicFile {
  /// Writes `bytes` to `path`: first to a temporary file in the same folder, flushed to disk
  /// with `fsync`, then renamed over `path`. On any failure the temporary file is removed and
  /// `path` is left as it was.
  public static func write(_ bytes: [UInt8], to path: String) throws {
    let slash = path.lastIndex(of: "/")
    let folder = slash.map { String(path[..<$0]) } ?? "."
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    guard !name.isEmpty else {
      throw DataFileError(
        file: path, kind: .unreadable, message: "names a folder, not a file",
        note: "add a file name to the path")
    }
    var template = Array(
      ((folder.isEmpty ? "/" : folder) + "/." + name + ".tmp-XXXXXX").utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress.map { mkstemp($0) } ?? -1
    }
    guard descriptor >= 0 else {
      throw failure(path, "cannot create a temporary file in \(folder.isEmpty ? "/" : folder)")
    }
    let temporary = String(
      decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var closed = false
    var renamed = false
    defer {
      if !closed { close(descriptor) }
      if !renamed { unlink(temporary) }
    }
    var written = 0
    try bytes.withUnsafeBytes { buffer in
      guard let base = buffer.baseAddress else { return }  // nothing to write
      while written < buffer.count {
        let result = systemWrite(descriptor, base + written, buffer.count - written)
        if result < 0 {
          if errno == EINTR { continue }
          throw failure(path, "write failed")
        }
        written += result
      }
    }
    // mkstemp creates 0600; give the file the usual rw-r--r-- (reading the umask would mean
    // changing it, which races with other threads).
    fchmod(descriptor, 0o644)
    guard fsync(descriptor) == 0 else { throw failure(path, "fsync failed") }
    closed = true
    guard close(descriptor) == 0 else { throw failure(path, "close failed") }
    guard rename(temporary, path) == 0 else { throw failure(path, "cannot replace the file") }
    renamed = true
    // Make the rename itself durable.
    let folderDescriptor = open(folder.isEmpty ? "/" : folder, O_RDONLY)
    if folderDescriptor >= 0 {
      fsync(folderDescriptor)
      close(folderDescriptor)
    }
  }

  private static func failure(_ path: String, _ what: String) -> DataFileError {
    let reason = String(cString: strerror(errno))
    return DataFileError(
      file: path, kind: .unreadable, message: "\(what): \(reason)",
      note: "check that the folder exists, is writable and has free space")
  }
}

/// `write(2)`, under a name that the static `AtomicFile.write` does not hide.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  #if canImport(Glibc)
    Glibc.write(descriptor, buffer, count)
  #else
    Darwin.write(descriptor, buffer, count)
  #endif
}
