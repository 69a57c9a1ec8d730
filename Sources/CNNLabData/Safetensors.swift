import CNNLabEngine
import Foundation

/// The safetensors format: an 8-byte little-endian header length, a JSON header, then the data.
///
/// The header maps each tensor's name to `{"dtype": "F32", "shape": [...], "data_offsets":
/// [begin, end]}` (offsets into the data that follows the header) and may hold
/// `"__metadata__": {string: string}`. cnnlab writes F32 only, tensors sorted by name, so the same
/// tensors always give the same bytes; it reads F32, F64, F16, BF16, I8-I64, U8 and BOOL, turning
/// every value into a `Float`.
public struct Safetensors: Equatable, Sendable {
  public var tensors: [String: Tensor]
  public var metadata: [String: String]

  public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.metadata = metadata
  }

  /// The header may not exceed this many bytes (the reference implementation's limit).
  static let maxHeaderSize = 100_000_000

  // MARK: - Writing

  /// The file's bytes: F32 tensors in name order, the header padded with spaces to a multiple
  /// of 8 bytes so the data is aligned.
  public func encode() -> [UInt8] {
    var entries: [String] = []
    var offset = 0
    let names = tensors.keys.sorted()
    for name in names {
      guard let tensor = tensors[name] else { continue }
      let end = offset + 4 * tensor.count
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      entries.append(
        "\(Self.jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
      )
      offset = end
    }
    if !metadata.isEmpty {
      let pairs = metadata.keys.sorted().map { key in
        "\(Self.jsonString(key)):\(Self.jsonString(metadata[key] ?? ""))"
      }
      entries.insert("\"__metadata__\":{\(pairs.joined(separator: ","))}", at: 0)
    }
    var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
    header += Array(repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(8 + header.count + offset)
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes += $0 }
    bytes += header
    for name in names {
      for value in tensors[name]?.scalars ?? [] {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
      }
    }
    return bytes
  }

  /// Writes the file atomically (see `AtomicFile`).
  public func write(to path: String) throws {
    try AtomicFile.write(encode(), to: path)
  }

  /// Reads and decodes the file at `path`.
  public static func read(path: String) throws -> Safetensors {
    try decode(try DataFile.readBytes(path), file: path)
  }

  // MARK: - Reading

  /// Decodes the bytes of a safetensors file, checking the header is valid JSON, that every
  /// entry's offsets lie inside the data and match its dtype and shape, and that no two
  /// tensors overlap.
  public static func decode(_ bytes: [UInt8], file: String) throws -> Safetensors {
    func malformed(_ message: String, _ note: String = "the file is damaged; write it again")
      -> DataFileError
    {
      DataFileError(file: file, kind: .malformed, message: message, note: note)
    }
    guard bytes.count >= 8 else {
      throw DataFileError.truncated(
        file, expected: 8, found: bytes.count, what: "safetensors header length")
    }
    let declared = bytes.uint64LittleEndian(at: 0)
    guard declared <= UInt64(maxHeaderSize) else {
      throw DataFileError(
        file: file, kind: .badMagic,
        message: "header length \(declared) is implausible; this is not a safetensors file",
        note: "a safetensors file starts with the header's length as an 8-byte little-endian number"
      )
    }
    let headerSize = Int(declared)
    guard bytes.count >= 8 + headerSize else {
      throw DataFileError.truncated(
        file, expected: 8 + headerSize, found: bytes.count, what: "safetensors header")
    }
    guard headerSize >= 2, bytes[8] == UInt8(ascii: "{") else {
      throw malformed("the header does not start with '{'")
    }
    let json: JSON
    do {
      json = try JSONDecoder().decode(JSON.self, from: Data(bytes[8..<(8 + headerSize)]))
    } catch {
      throw malformed("the header is not valid JSON")
    }
    guard case .object(let fields) = json else {
      throw malformed("the header is not a JSON object")
    }

    let dataStart = 8 + headerSize
    let dataSize = bytes.count - dataStart
    var result = Safetensors()
    var ranges: [(range: Range<Int>, name: String)] = []
    for (name, value) in fields {
      if name == "__metadata__" {
        guard case .object(let pairs) = value else {
          throw malformed("\"__metadata__\" is not an object of strings")
        }
        for (key, item) in pairs {
          guard case .string(let text) = item else {
            throw malformed("\"__metadata__\" value for \"\(key)\" is not a string")
          }
          result.metadata[key] = text
        }
        continue
      }
      let entry = try Entry(name: name, json: value, file: file)
      guard let count = checkedProduct(entry.shape),
        case (let expected, let overflow) = count.multipliedReportingOverflow(by: entry.dtype.size),
        !overflow
      else {
        throw malformed("tensor \"\(name)\": shape \(entry.shape) is too large")
      }
      guard entry.begin <= entry.end else {
        throw malformed(
          "tensor \"\(name)\": data_offsets [\(entry.begin), \(entry.end)] run backwards")
      }
      guard entry.end - entry.begin == expected else {
        throw malformed(
          "tensor \"\(name)\": data_offsets [\(entry.begin), \(entry.end)] hold "
            + "\(entry.end - entry.begin) bytes, but \(entry.dtype.name) \(entry.shape) needs \(expected)"
        )
      }
      guard entry.end <= dataSize else {
        throw DataFileError.truncated(
          file, expected: entry.end, found: dataSize,
          what: "data for tensor \"\(name)\" (data_offsets end at \(entry.end))")
      }
      ranges.append((entry.begin..<entry.end, name))
      var scalars = [Float](repeating: 0, count: count)
      bytes.withUnsafeBufferPointer { buffer in
        for i in 0..<count {
          scalars[i] = entry.dtype.value(buffer, at: dataStart + entry.begin + i * entry.dtype.size)
        }
      }
      result.tensors[name] = Tensor(shape: entry.shape, scalars: scalars)
    }
    ranges.sort {
      ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound)
    }
    for (a, b) in zip(ranges, ranges.dropFirst()) where a.range.upperBound > b.range.lowerBound {
      throw malformed("tensors \"\(a.name)\" and \"\(b.name)\" overlap")
    }
    return result
  }

  /// One tensor's header entry.
  private struct Entry {
    var dtype: DType
    var shape: [Int]
    var begin: Int
    var end: Int

    init(name: String, json: JSON, file: String) throws {
      func malformed(_ message: String) -> DataFileError {
        DataFileError(
          file: file, kind: .malformed, message: "tensor \"\(name)\": \(message)",
          note:
            "each entry needs {\"dtype\": \"F32\", \"shape\": [...], \"data_offsets\": [begin, end]}"
        )
      }
      guard case .object(let fields) = json else { throw malformed("entry is not an object") }
      guard case .string(let dtypeName)? = fields["dtype"] else { throw malformed("no \"dtype\"") }
      guard let dtype = DType(rawValue: dtypeName) else {
        throw DataFileError(
          file: file, kind: .unsupported,
          message: "tensor \"\(name)\": dtype \(dtypeName) is not supported",
          note: "cnnlab reads F32, F64, F16, BF16, I8, I16, I32, I64, U8 and BOOL")
      }
      guard case .array(let shapeItems)? = fields["shape"], let shape = Self.integers(shapeItems)
      else { throw malformed("\"shape\" is not a list of non-negative integers") }
      guard case .array(let offsetItems)? = fields["data_offsets"],
        let offsets = Self.integers(offsetItems), offsets.count == 2
      else { throw malformed("\"data_offsets\" is not a pair of non-negative integers") }
      self.dtype = dtype
      self.shape = shape
      self.begin = offsets[0]
      self.end = offsets[1]
    }

    static func integers(_ items: [JSON]) -> [Int]? {
      var result: [Int] = []
      for item in items {
        guard case .number(let value) = item, value >= 0, value < 0x1p53,
          value == value.rounded()
        else { return nil }
        result.append(Int(value))
      }
      return result
    }
  }

  /// The element types cnnlab reads.
  private enum DType: String {
    case f32 = "F32"
    case f64 = "F64"
    case f16 = "F16"
    case bf16 = "BF16"
    case i8 = "I8"
    case i16 = "I16"
    case i32 = "I32"
    case i64 = "I64"
    case u8 = "U8"
    case bool = "BOOL"

    var name: String { rawValue }

    var size: Int {
      switch self {
      case .i8, .u8, .bool: return 1
      case .f16, .bf16, .i16: return 2
      case .f32, .i32: return 4
      case .f64, .i64: return 8
      }
    }

    func value(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Float {
      var bits: UInt64 = 0
      for i in (0..<size).reversed() { bits = bits << 8 | UInt64(bytes[offset + i]) }
      switch self {
      case .f32: return Float(bitPattern: UInt32(truncatingIfNeeded: bits))
      case .f64: return Float(Double(bitPattern: bits))
      case .f16: return floatFromHalfBits(UInt16(truncatingIfNeeded: bits))
      case .bf16: return Float(bitPattern: UInt32(truncatingIfNeeded: bits) << 16)
      case .i8: return Float(Int8(truncatingIfNeeded: bits))
      case .i16: return Float(Int16(truncatingIfNeeded: bits))
      case .i32: return Float(Int32(truncatingIfNeeded: bits))
      case .i64: return Float(Int64(bitPattern: bits))
      case .u8: return Float(bits)
      case .bool: return bits != 0 ? 1 : 0
      }
    }
  }

  /// `text` as a JSON string literal.
  static func jsonString(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case _ where scalar.value < 0x20:
        result +=
          "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
          + String(scalar.value, radix: 16)
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }
}

/// Any JSON value, decoded without Foundation's untyped `Any`.
enum JSON: Decodable, Equatable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSON])
  case object([String: JSON])

  init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSON].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSON].self))
    }
  }
}
