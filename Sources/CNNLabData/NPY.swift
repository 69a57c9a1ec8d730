import CNNLabEngine

/// NumPy's `.npy` format: a magic string, a version, a Python-literal header
/// (`{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`), then the raw values.
///
/// Reads versions 1.0, 2.0 and 3.0; little- and big-endian; float16/32/64, int8/16/32/64,
/// uint8/16/32/64 and bool; C or Fortran order; any rank (a 0-d array becomes a tensor of shape
/// `[]`). Every value becomes a `Float`, so int64 and float64 values lose precision beyond 24 bits.
/// Writes float32, C order, version 1.0, exactly as `numpy.save` does.
public enum NPY {
  static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

  /// Decodes the bytes of a `.npy` file; `file` names it in errors.
  public static func read(_ bytes: [UInt8], file: String) throws -> Tensor {
    guard bytes.count >= 8, Array(bytes[0..<6]) == magic else {
      throw DataFileError(
        file: file, kind: .badMagic,
        message: "not a NumPy .npy file (it does not start with \\x93NUMPY)",
        note: "save the array with numpy.save('name.npy', array)")
    }
    let major = bytes[6]
    let minor = bytes[7]
    let lengthSize: Int
    switch major {
    case 1: lengthSize = 2
    case 2, 3: lengthSize = 4
    default:
      throw DataFileError(
        file: file, kind: .unsupported,
        message: ".npy format version \(major).\(minor) is not supported",
        note: "cnnlab reads versions 1.0, 2.0 and 3.0; save with numpy.save")
    }
    guard bytes.count >= 8 + lengthSize else {
      throw DataFileError.truncated(
        file, expected: 8 + lengthSize, found: bytes.count, what: ".npy header")
    }
    let headerLength =
      lengthSize == 2
      ? Int(bytes.uint16LittleEndian(at: 8)) : Int(bytes.uint32LittleEndian(at: 8))
    let dataStart = 8 + lengthSize + headerLength
    guard bytes.count >= dataStart else {
      throw DataFileError.truncated(
        file, expected: dataStart, found: bytes.count, what: ".npy header")
    }
    let headerBytes = bytes[(8 + lengthSize)..<dataStart]
    guard let headerText = String(validating: headerBytes, as: UTF8.self) else {
      throw DataFileError(
        file: file, kind: .malformed, message: "the .npy header is not text",
        note: "the file is damaged; save it again with numpy.save")
    }
    let header = try Header.parse(headerText, file: file)
    let dtype = try DType(header.descr, file: file)

    guard let count = SizeLimits.product(header.shape),
      let byteCount = SizeLimits.product([count, dtype.size])
    else {
      throw DataFileError(
        file: file, kind: .tooLarge, message: "shape \(header.shape) is too large",
        note: "the header is damaged; save the array again")
    }
    let found = bytes.count - dataStart
    guard found >= byteCount else {
      throw DataFileError.truncated(
        file, expected: byteCount, found: found,
        what: "data for shape \(header.shape) of \(header.descr)")
    }
    // The values as Floats, twice over when a Fortran-order array is reordered.
    try DataFileError.checkMemory(
      SizeLimits.product([count, MemoryLayout<Float>.size, header.fortranOrder ? 2 : 1]),
      for: "reading shape \(header.shape)", file: file,
      note: "cnnlab reads arrays that fit in memory; use a smaller array")
    var scalars = [Float](repeating: 0, count: count)
    bytes.withUnsafeBufferPointer { buffer in
      let data = UnsafeBufferPointer(rebasing: buffer[dataStart..<(dataStart + byteCount)])
      for i in 0..<count { scalars[i] = dtype.value(in: data, at: i * dtype.size) }
    }
    if header.fortranOrder && header.shape.count > 1 {
      scalars = fromFortranOrder(scalars, shape: header.shape)
    }
    if let bad = scalars.firstIndex(where: { !$0.isFinite }) {
      throw nonFinite(scalars[bad], at: bad, shape: header.shape, file: file)
    }
    return Tensor(shape: header.shape, scalars: scalars)
  }

  /// The error for the first value that is not a finite 32-bit float: cnnlab computes with
  /// finite numbers only, as the text-grid reader also insists.
  static func nonFinite(_ value: Float, at flatIndex: Int, shape: [Int], file: String)
    -> DataFileError
  {
    var index: [Int] = []
    var rest = flatIndex
    for extent in shape.reversed() {
      index.insert(rest % extent, at: 0)
      rest /= extent
    }
    let place = "(" + index.map(String.init).joined(separator: ", ") + ")"
    let what = value.isNaN ? "is NaN" : "is \(value < 0 ? "-" : "")infinite or too large for a 32-bit float"
    return DataFileError(
      file: file, kind: .malformed, message: "the value at index \(place) \(what)",
      note: "cnnlab computes with finite numbers only; replace them, e.g. with numpy.nan_to_num")
  }

  /// Encodes `t` as a float32, C-order, version 1.0 `.npy` file, byte for byte what
  /// `numpy.save` writes for the same float32 array.
  public static func encode(_ t: Tensor) -> [UInt8] {
    let shapeText: String
    switch t.rank {
    case 0: shapeText = "()"
    case 1: shapeText = "(\(t.shape[0]),)"
    default: shapeText = "(" + t.shape.map(String.init).joined(separator: ", ") + ")"
    }
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
    // NumPy pads with spaces and a final newline so the data starts on a 64-byte boundary.
    let unpadded = magic.count + 2 + 2 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var bytes = magic + [1, 0]
    let length = UInt16(header.utf8.count)
    bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
    bytes += Array(header.utf8)
    bytes.reserveCapacity(bytes.count + 4 * t.count)
    for value in t.scalars {
      let bits = value.bitPattern.littleEndian
      withUnsafeBytes(of: bits) { bytes += $0 }
    }
    return bytes
  }

  /// Reorders column-major values (first index fastest) into row-major order.
  static func fromFortranOrder(_ values: [Float], shape: [Int]) -> [Float] {
    let rank = shape.count
    var result = [Float](repeating: 0, count: values.count)
    // Column-major strides: 1, d0, d0*d1, ...
    var strides = [Int](repeating: 1, count: rank)
    for axis in 1..<rank { strides[axis] = strides[axis - 1] * shape[axis - 1] }
    var index = [Int](repeating: 0, count: rank)
    for target in 0..<values.count {
      var source = 0
      for axis in 0..<rank { source += index[axis] * strides[axis] }
      result[target] = values[source]
      // Advance the row-major index: the last axis moves fastest.
      var axis = rank - 1
      while axis >= 0 {
        index[axis] += 1
        if index[axis] < shape[axis] { break }
        index[axis] = 0
        axis -= 1
      }
    }
    return result
  }

  /// The three keys of a `.npy` header.
  struct Header {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    /// Parses the Python dict literal NumPy writes; only strings, booleans and tuples of
    /// integers are accepted, in any key order.
    static func parse(_ text: String, file: String) throws -> Header {
      var scanner = LiteralScanner(text: Array(text.unicodeScalars))
      func malformed(_ what: String) -> DataFileError {
        DataFileError(
          file: file, kind: .malformed, message: "bad .npy header: \(what)",
          note:
            "the header should look like {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
        )
      }
      var descr: String?
      var fortran: Bool?
      var shape: [Int]?
      guard scanner.take("{") else { throw malformed("it does not start with '{'") }
      while true {
        if scanner.take("}") { break }
        guard let key = scanner.string() else { throw malformed("expected a quoted key") }
        guard scanner.take(":") else { throw malformed("expected ':' after '\(key)'") }
        switch key {
        case "descr":
          guard let value = scanner.string() else { throw malformed("'descr' is not a string") }
          descr = value
        case "fortran_order":
          guard let value = scanner.bool() else {
            throw malformed("'fortran_order' is not True or False")
          }
          fortran = value
        case "shape":
          guard let value = scanner.intTuple() else {
            throw malformed("'shape' is not a tuple of non-negative integers")
          }
          shape = value
        default:
          throw malformed("unexpected key '\(key)'")
        }
        if scanner.take(",") { continue }
        guard scanner.take("}") else { throw malformed("expected ',' or '}'") }
        break
      }
      guard let descr, let fortran, let shape else {
        throw malformed("it needs the keys 'descr', 'fortran_order' and 'shape'")
      }
      return Header(descr: descr, fortranOrder: fortran, shape: shape)
    }
  }

  /// An element type named by a `descr` such as `<f4`, `>i2` or `|u1`.
  struct DType {
    enum Kind { case float, signed, unsigned, bool }
    var kind: Kind
    var size: Int
    var bigEndian: Bool

    init(_ descr: String, file: String) throws {
      let scalars = Array(descr.unicodeScalars)
      func unsupported() -> DataFileError {
        DataFileError(
          file: file, kind: .unsupported, message: "dtype '\(descr)' is not supported",
          note:
            "cnnlab reads float16/32/64, int8/16/32/64, uint8/16/32/64 and bool; convert with "
            + "array.astype(numpy.float32)")
      }
      guard scalars.count >= 3 else { throw unsupported() }
      switch scalars[0] {
      case "<", "|", "=": bigEndian = false  // "=" is native, little-endian on every supported CPU
      case ">": bigEndian = true
      default: throw unsupported()
      }
      guard let size = Int(String(String.UnicodeScalarView(scalars[2...]))) else {
        throw unsupported()
      }
      self.size = size
      switch (scalars[1], size) {
      case ("f", 2), ("f", 4), ("f", 8): kind = .float
      case ("i", 1), ("i", 2), ("i", 4), ("i", 8): kind = .signed
      case ("u", 1), ("u", 2), ("u", 4), ("u", 8): kind = .unsigned
      case ("b", 1): kind = .bool
      default: throw unsupported()
      }
    }

    /// The element at byte `offset` of `data`, as a Float.
    func value(in data: UnsafeBufferPointer<UInt8>, at offset: Int) -> Float {
      var bits: UInt64 = 0
      if bigEndian {
        for i in 0..<size { bits = bits << 8 | UInt64(data[offset + i]) }
      } else {
        for i in (0..<size).reversed() { bits = bits << 8 | UInt64(data[offset + i]) }
      }
      switch (kind, size) {
      case (.bool, _): return bits != 0 ? 1 : 0
      case (.unsigned, _): return Float(bits)
      case (.signed, 1): return Float(Int8(truncatingIfNeeded: bits))
      case (.signed, 2): return Float(Int16(truncatingIfNeeded: bits))
      case (.signed, 4): return Float(Int32(truncatingIfNeeded: bits))
      case (.signed, _): return Float(Int64(bitPattern: bits))
      case (.float, 2): return floatFromHalfBits(UInt16(truncatingIfNeeded: bits))
      case (.float, 4): return Float(bitPattern: UInt32(truncatingIfNeeded: bits))
      case (.float, _): return Float(Double(bitPattern: bits))
      }
    }
  }
}

/// A scanner for the small subset of Python literals in a `.npy` header.
private struct LiteralScanner {
  var text: [Unicode.Scalar]
  var position = 0

  init(text: [Unicode.Scalar]) { self.text = text }

  mutating func skipSpace() {
    while position < text.count, text[position].properties.isWhitespace { position += 1 }
  }

  mutating func take(_ character: Unicode.Scalar) -> Bool {
    skipSpace()
    guard position < text.count, text[position] == character else { return false }
    position += 1
    return true
  }

  mutating func string() -> String? {
    skipSpace()
    guard position < text.count, text[position] == "'" || text[position] == "\"" else {
      return nil
    }
    let quote = text[position]
    var value = String.UnicodeScalarView()
    position += 1
    while position < text.count {
      if text[position] == quote {
        position += 1
        return String(value)
      }
      value.append(text[position])
      position += 1
    }
    return nil
  }

  mutating func bool() -> Bool? {
    skipSpace()
    for (word, value) in [("True", true), ("False", false)] {
      let scalars = Array(word.unicodeScalars)
      if position + scalars.count <= text.count,
        Array(text[position..<position + scalars.count]) == scalars
      {
        position += scalars.count
        return value
      }
    }
    return nil
  }

  mutating func intTuple() -> [Int]? {
    guard take("(") else { return nil }
    var values: [Int] = []
    while true {
      if take(")") { return values }
      skipSpace()
      var digits = ""
      while position < text.count, ("0"..."9").contains(text[position]), digits.count < 19 {
        digits.unicodeScalars.append(text[position])
        position += 1
      }
      guard let value = Int(digits) else { return nil }
      values.append(value)
      if take(",") { continue }
      guard take(")") else { return nil }
      return values
    }
  }
}
