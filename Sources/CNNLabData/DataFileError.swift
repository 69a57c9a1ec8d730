import CNNLabEngine
import Foundation

/// A problem with a binary data file (.npy, IDX, gzip, safetensors, PGM): which file, what is
/// wrong, and what to do about it.
///
/// `description` reads `file: error: message` and, when there is one, a `note:` line with the fix.
public struct DataFileError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The rule a file broke, for code that reacts to it (and for tests).
  public enum Kind: Equatable, Sendable {
    /// The file (or every name looked for) does not exist.
    case missing
    /// The file could not be read or written (permissions, a folder in the way, a full disk).
    case unreadable
    /// The file ends before the data its header announces.
    case truncated(expectedBytes: Int, foundBytes: Int)
    /// The first bytes are not those of the format.
    case badMagic
    /// Valid for the format, but a variant cnnlab does not read (a dtype, a version).
    case unsupported
    /// The header or data contradicts itself or the format.
    case malformed
    /// Two files that belong together disagree (image and label counts, image sizes).
    case mismatch
    /// Bigger than cnnlab is willing to allocate.
    case tooLarge
  }

  public var file: String
  public var kind: Kind
  public var message: String
  public var note: String?

  public init(file: String, kind: Kind, message: String, note: String? = nil) {
    self.file = file
    self.kind = kind
    self.message = message
    self.note = note
  }

  public var description: String {
    var text = "\(file): error: \(message)"
    if let note { text += "\nnote: \(note)" }
    return text
  }

  /// The error for a file that ends `found` bytes in when `expected` were needed.
  static func truncated(
    _ file: String, expected: Int, found: Int, what: String, note: String? = nil
  ) -> DataFileError {
    DataFileError(
      file: file, kind: .truncated(expectedBytes: expected, foundBytes: found),
      message: "truncated \(what): expected \(expected) bytes, found \(found)",
      note: note ?? "the file is incomplete; download or copy it again")
  }
}

extension DataFileError {
  /// `SizeLimits.checkMemory` for reading `file`: throws a `.tooLarge` error with the estimate,
  /// the limit and `note` unless `bytes` fits in the memory budget.
  static func checkMemory(_ bytes: Int?, for what: String, file: String, note: String) throws {
    do {
      try SizeLimits.checkMemory(bytes, for: what)
    } catch {
      throw DataFileError(file: file, kind: .tooLarge, message: "\(error)", note: note)
    }
  }
}

/// Whole-file reads that turn every failure into a `DataFileError` naming the path.
public enum DataFile {
  /// The bytes of the file at `path`.
  public static func readBytes(_ path: String) throws -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw DataFileError(
        file: path, kind: .missing, message: "no such file",
        note: "check the path; relative paths start in the current folder")
    }
    if isDirectory.boolValue {
      throw DataFileError(
        file: path, kind: .unreadable, message: "is a folder, not a file",
        note: "name a file inside it")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      // A device (`/dev/null`, `/dev/zero`, a terminal) is never a grid or a data set; saying so
      // beats blaming permissions.
      let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
      if type == .typeCharacterSpecial || type == .typeBlockSpecial {
        throw DataFileError(
          file: path, kind: .unreadable, message: "is a device, not a file",
          note: "give a file that holds the numbers")
      }
      throw DataFileError(
        file: path, kind: .unreadable, message: "cannot be read",
        note: "check that you have permission to read it")
    }
    return [UInt8](data)
  }
}

/// Little readers over a byte array used by the binary formats; every read is bounds-checked
/// by the caller before it happens.
extension Array where Element == UInt8 {
  func uint32BigEndian(at offset: Int) -> UInt32 {
    UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
      | UInt32(self[offset + 3])
  }

  func uint16LittleEndian(at offset: Int) -> UInt16 {
    UInt16(self[offset]) | UInt16(self[offset + 1]) << 8
  }

  func uint32LittleEndian(at offset: Int) -> UInt32 {
    UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16
      | UInt32(self[offset + 3]) << 24
  }

  func uint64LittleEndian(at offset: Int) -> UInt64 {
    var value: UInt64 = 0
    for i in (0..<8).reversed() { value = value << 8 | UInt64(self[offset + i]) }
    return value
  }
}

/// Converts IEEE half-precision bits to `Float` without relying on `Float16` being available.
func floatFromHalfBits(_ bits: UInt16) -> Float {
  let sign: UInt32 = UInt32(bits >> 15) << 31
  let exponent = Int((bits >> 10) & 0x1F)
  let mantissa = UInt32(bits & 0x3FF)
  if exponent == 0 {
    let magnitude = Float(mantissa) * 0x1p-24  // subnormal (or zero)
    return sign != 0 ? -magnitude : magnitude
  }
  if exponent == 31 {
    return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))  // inf or NaN
  }
  return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
}
