#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes files so that readers see the old file or the whole new one, never half of it.
///
/// Only a regular file (or a path that does not exist yet) is replaced by renaming a temporary
/// file over it. Anything else that already exists at the path (a terminal, `/dev/null`, a FIFO,
/// `/dev/stdout`) is written through, as a shell's `>` would: renaming over a device would replace
/// the device itself with a plain file. A symbolic link to a regular file replaces the file it
/// points to and stays a link.
public enum AtomicFile {
  /// Writes `bytes` to `path`: first to a temporary file in the same folder, flushed to disk
  /// with `fsync`, then renamed over `path`. On any failure the temporary file is removed and
  /// `path` is left as it was. A path that names a device or a FIFO is written through instead.
  public static func write(_ bytes: [UInt8], to path: String) throws {
    switch try Destination(path) {
    case .other: try writeThrough(bytes, to: path)
    case .regular(let target, let mode): try replace(target, with: bytes, mode: mode)
    case .missing: try replace(path, with: bytes, mode: 0o644)
    }
  }

  /// Checks, before any long work, that `write(_:to:)` could write to `path`: the folder exists
  /// and takes new files, and the path is not a folder. Creates and removes a temporary file.
  public static func checkWritable(_ path: String) throws {
    switch try Destination(path) {
    case .other: return  // a device or FIFO: written through when the time comes
    case .regular(let target, _): try probe(target)
    case .missing: try probe(path)
    }
  }

  /// What is at a path now, after following symbolic links.
  private enum Destination {
    case missing
    /// A regular file, by its resolved path (so a link to it stays a link), with its mode.
    case regular(String, mode: mode_t)
    case other

    init(_ path: String) throws {
      guard !path.isEmpty, !path.hasSuffix("/") else {
        throw DataFileError(
          file: path, kind: .unreadable, message: "names a folder, not a file",
          note: "add a file name to the path")
      }
      var info = stat()
      guard stat(path, &info) == 0 else {
        self = .missing  // a dangling link or a missing folder fails later, with the reason
        return
      }
      switch info.st_mode & S_IFMT {
      case S_IFDIR:
        throw DataFileError(
          file: path, kind: .unreadable, message: "is a folder, not a file",
          note: "name a file inside it, for example \(path)/out")
      case S_IFREG:
        let resolved = realpath(path, nil).map { pointer -> String in
          defer { free(pointer) }
          return String(cString: pointer)
        }
        self = .regular(resolved ?? path, mode: info.st_mode & 0o7777)
      default:
        self = .other
      }
    }
  }

  /// The folder and file name of `path`.
  private static func split(_ path: String) -> (folder: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let folder = String(path[..<slash])
    return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
  }

  /// A new temporary file beside `path`, named `.NAME.tmp-PID-XXXXXX`: open, and its path.
  private static func makeTemporary(beside path: String) throws -> (Int32, String) {
    let (folder, name) = split(path)
    removeStaleTemporaries(folder: folder, name: name)
    var template = Array((folder + "/." + name + ".tmp-\(getpid())-XXXXXX").utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress.map { mkstemp($0) } ?? -1
    }
    guard descriptor >= 0 else {
      throw failure(path, "cannot create a temporary file in \(folder)")
    }
    let temporary = String(
      decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return (descriptor, temporary)
  }

  /// Removes the temporary files a killed write to `name` left behind: every `.NAME.tmp-*`
  /// except those of a process that is still running (which may be writing right now).
  private static func removeStaleTemporaries(folder: String, name: String) {
    guard let directory = opendir(folder) else { return }
    defer { closedir(directory) }
    let prefix = "." + name + ".tmp-"
    while let entry = readdir(directory) {
      let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
      }
      guard entryName.hasPrefix(prefix) else { continue }
      let rest = entryName.dropFirst(prefix.count)
      if let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid > 0,
        kill(pid, 0) == 0 || errno == EPERM
      {
        continue  // its writer is alive
      }
      let full = folder + "/" + entryName
      var info = stat()
      if lstat(full, &info) == 0, info.st_mode & S_IFMT == S_IFREG { unlink(full) }
    }
  }

  private static func probe(_ path: String) throws {
    let (descriptor, temporary) = try makeTemporary(beside: path)
    close(descriptor)
    unlink(temporary)
  }

  private static func replace(_ path: String, with bytes: [UInt8], mode: mode_t) throws {
    let (descriptor, temporary) = try makeTemporary(beside: path)
    var closed = false
    var renamed = false
    defer {
      if !closed { close(descriptor) }
      if !renamed { unlink(temporary) }
    }
    try writeAll(bytes, to: descriptor, path: path)
    // mkstemp creates 0600; give the file the mode of the one it replaces, or the usual
    // rw-r--r-- (reading the umask would mean changing it, which races with other threads).
    fchmod(descriptor, mode)
    guard fsync(descriptor) == 0 else { throw failure(path, "fsync failed") }
    closed = true
    guard close(descriptor) == 0 else { throw failure(path, "close failed") }
    guard rename(temporary, path) == 0 else { throw failure(path, "cannot replace the file") }
    renamed = true
    // Make the rename itself durable.
    let folderDescriptor = open(split(path).folder, O_RDONLY)
    if folderDescriptor >= 0 {
      fsync(folderDescriptor)
      close(folderDescriptor)
    }
  }

  /// Writes into an existing device or FIFO as it is. A FIFO with no reader is an error rather
  /// than a wait forever.
  private static func writeThrough(_ bytes: [UInt8], to path: String) throws {
    let descriptor = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else {
      if errno == ENXIO {
        throw DataFileError(
          file: path, kind: .unreadable, message: "is a FIFO that no process is reading",
          note: "start the reader first, or write to a regular file")
      }
      throw failure(path, "cannot open for writing")
    }
    defer { close(descriptor) }
    // Blocking writes from here on: the reader sets the pace.
    _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
    try writeAll(bytes, to: descriptor, path: path)
  }

  private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
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
