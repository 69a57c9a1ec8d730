import CNNLabData
import CNNLabEngine
import Foundation

/// Reading and writing the grids the command line works on: text grids or NumPy `.npy`.
enum GridFiles {
  /// The tensor in `path`: `.npy` by its name, otherwise a text grid.
  static func load(_ path: String) throws -> Tensor {
    if path.lowercased().hasSuffix(".npy") {
      return try NPY.read(DataFile.readBytes(path), file: path)
    }
    let bytes = try DataFile.readBytes(path)
    guard let text = String(bytes: bytes, encoding: .utf8) else {
      throw DataFileError(
        file: path, kind: .malformed, message: "is not UTF-8 text",
        note: "a grid is text (numbers, a row per line) or a NumPy file ending in .npy")
    }
    return try GridText.parse(text, file: path)
  }

  /// Prints `tensor` as a text grid, or writes it to `output` (`.npy` by name, else text).
  static func emit(_ tensor: Tensor, to output: String?) throws {
    guard let output else {
      let text = GridText.format(tensor)
      print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
      return
    }
    if output.lowercased().hasSuffix(".npy") {
      try AtomicFile.write(NPY.encode(tensor), to: output)
    } else {
      var text = GridText.format(tensor)
      if !text.hasSuffix("\n") { text += "\n" }
      try AtomicFile.write(Array(text.utf8), to: output)
    }
  }

  /// Drops a leading axis of length 1 so a single map prints as a plain grid.
  static func squeezed(_ t: Tensor) -> Tensor {
    t.rank > 2 && t.shape[0] == 1 ? t.reshaped(Array(t.shape.dropFirst())) : t
  }
}
