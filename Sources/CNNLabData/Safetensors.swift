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
  /// entry's offsets lie inside the data and match its dtype and shape, that no two tensors
  /// overlap, and that the tensors fit in `SizeLimits.memoryBudget`, all before any tensor is
  /// allocated. The header is read in one linear pass and may not exceed `maxHeaderSize` bytes.
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
        file: file, kind: .tooLarge,
        message:
          "the header length is \(declared) bytes, over the 100 MB limit for a safetensors header",
        note:
          "this is not a safetensors file, or its header is damaged (a safetensors file starts with "
          + "the header's length as an 8-byte little-endian number)")
    }
    let headerSize = Int(declared)
    guard bytes.count >= 8 + headerSize else {
      throw DataFileError.truncated(
        file, expected: 8 + headerSize, found: bytes.count, what: "safetensors header")
    }
    guard headerSize >= 2, bytes[8] == UInt8(ascii: "{") else {
      throw malformed("the header does not start with '{'")
    }
    var metadata: [String: String]?
    var entries: [(name: String, entry: Entry)] = []
    var scanner = JSONScanner(bytes, range: 8..<(8 + headerSize))
    do {
      try scanner.object { scanner, name in
        if name == "__metadata__" {
          guard metadata == nil else { throw scanner.failure("the name \"\(name)\" appears twice") }
          metadata = [:]
          try scanner.object { scanner, key in
            guard scanner.peek() == UInt8(ascii: "\"") else {
              throw scanner.failure("\"__metadata__\" value for \"\(key)\" is not a string")
            }
            metadata?[key] = try scanner.string()
          }
        } else {
          entries.append((name, try Entry(name: name, scanner: &scanner, file: file)))
        }
      }
      try scanner.finish()
    } catch let failure as JSONScanner.Failure {
      throw malformed(
        "the header is not valid safetensors JSON at byte \(failure.offset - 8) of the header: "
          + failure.message)
    }

    let dataStart = 8 + headerSize
    let dataSize = bytes.count - dataStart
    var counts: [Int] = []
    counts.reserveCapacity(entries.count)
    var ranges: [(range: Range<Int>, name: String)] = []
    for (name, entry) in entries {
      guard let count = SizeLimits.product(entry.shape),
        case (let expected, false) = count.multipliedReportingOverflow(by: entry.dtype.size)
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
      counts.append(count)
      ranges.append((entry.begin..<entry.end, name))
    }
    ranges.sort {
      ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound)
    }
    for (a, b) in zip(ranges, ranges.dropFirst()) where a.range.upperBound > b.range.lowerBound {
      throw malformed("tensors \"\(a.name)\" and \"\(b.name)\" overlap")
    }
    // Tensors do not overlap and lie inside the file, so this is at most 4 bytes of Float per
    // byte of data (U8, BOOL); checked all the same, before the first allocation.
    try DataFileError.checkMemory(
      SizeLimits.sum(counts).flatMap { SizeLimits.product([$0, MemoryLayout<Float>.size]) },
      for: "reading the tensors", file: file, note: "cnnlab reads models whose tensors fit in memory")

    var result = Safetensors(metadata: metadata ?? [:])
    result.tensors.reserveCapacity(entries.count)
    for ((name, entry), count) in zip(entries, counts) {
      var scalars = [Float](repeating: 0, count: count)
      bytes.withUnsafeBufferPointer { buffer in
        for i in 0..<count {
          scalars[i] = entry.dtype.value(buffer, at: dataStart + entry.begin + i * entry.dtype.size)
        }
      }
      guard result.tensors.updateValue(Tensor(shape: entry.shape, scalars: scalars), forKey: name) == nil
      else {
        throw malformed("the header names tensor \"\(name)\" twice")
      }
    }
    return result
  }

  /// One tensor's header entry.
  private struct Entry {
    var dtype: DType
    var shape: [Int]
    var begin: Int
    var end: Int

    /// Reads `{"dtype": ..., "shape": [...], "data_offsets": [begin, end]}`; other fields are
    /// skipped, as the reference implementation does.
    init(name: String, scanner: inout JSONScanner, file: String) throws {
      func malformed(_ message: String) -> DataFileError {
        DataFileError(
          file: file, kind: .malformed, message: "tensor \"\(name)\": \(message)",
          note:
            "each entry needs {\"dtype\": \"F32\", \"shape\": [...], \"data_offsets\": [begin, end]}"
        )
      }
      guard scanner.peek() == UInt8(ascii: "{") else { throw malformed("entry is not an object") }
      var dtypeName: String?
      var shape: [Int]?
      var offsets: [Int]?
      var problem: DataFileError?
      try scanner.object { scanner, key in
        switch key {
        case "dtype":
          guard scanner.peek() == UInt8(ascii: "\"") else {
            problem = problem ?? malformed("\"dtype\" is not a string")
            return try scanner.skipValue()
          }
          dtypeName = try scanner.string()
        case "shape":
          shape = try Self.integers(&scanner)
          if shape == nil { problem = problem ?? malformed("\"shape\" is not a list of non-negative integers") }
        case "data_offsets":
          offsets = try Self.integers(&scanner)
          if offsets?.count != 2 {
            problem = problem ?? malformed("\"data_offsets\" is not a pair of non-negative integers")
          }
        default:
          try scanner.skipValue(depth: 2)
        }
      }
      if let problem { throw problem }
      guard let dtypeName else { throw malformed("no \"dtype\"") }
      guard let dtype = DType(rawValue: dtypeName) else {
        throw DataFileError(
          file: file, kind: .unsupported,
          message: "tensor \"\(name)\": dtype \(dtypeName) is not supported",
          note: "cnnlab reads F32, F64, F16, BF16, I8, I16, I32, I64, U8 and BOOL")
      }
      guard let shape else { throw malformed("\"shape\" is not a list of non-negative integers") }
      guard let offsets, offsets.count == 2 else {
        throw malformed("\"data_offsets\" is not a pair of non-negative integers")
      }
      self.dtype = dtype
      self.shape = shape
      self.begin = offsets[0]
      self.end = offsets[1]
    }

    /// A list of non-negative integers below 2^53, or nil (after reading the value whatever it is).
    static func integers(_ scanner: inout JSONScanner) throws -> [Int]? {
      guard scanner.peek() == UInt8(ascii: "[") else {
        try scanner.skipValue(depth: 2)
        return nil
      }
      var result: [Int]? = []
      try scanner.array { scanner in
        guard let first = scanner.peek(),
          first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else {
          try scanner.skipValue(depth: 3)
          result = nil
          return
        }
        let value = try scanner.number()
        guard value >= 0, value < 0x1p53, value == value.rounded() else {
          result = nil
          return
        }
        result?.append(Int(value))
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
