import CNNLabEngine

// Path-based conveniences over the byte- and text-based readers, for the command line.

extension NPY {
  /// Reads the `.npy` file at `path`.
  public static func load(path: String) throws -> Tensor {
    try read(try DataFile.readBytes(path), file: path)
  }

  /// Writes `t` to `path` as float32 `.npy`, atomically.
  public static func save(_ t: Tensor, to path: String) throws {
    try AtomicFile.write(encode(t), to: path)
  }
}

extension PGM {
  /// Reads the PGM image at `path`.
  public static func load(path: String) throws -> Tensor {
    try read(try DataFile.readBytes(path), file: path)
  }
}

extension GridText {
  /// Reads and parses the text grid at `path`, which must be UTF-8.
  public static func load(path: String) throws -> Tensor {
    let bytes = try DataFile.readBytes(path)
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw DataFileError(
        file: path, kind: .malformed, message: "is not UTF-8 text",
        note: "a grid file holds numbers as text, one row per line")
    }
    return try parse(text, file: path)
  }

  /// Writes `format(t)` and a final newline to `path`, atomically.
  public static func save(_ t: Tensor, to path: String) throws {
    try AtomicFile.write(Array((format(t) + "\n").utf8), to: path)
  }
}
