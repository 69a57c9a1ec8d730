import CNNLabEngine

// N = number of images, H/W = image height/width.

/// The IDX format of MNIST and Fashion-MNIST: a big-endian header (two zero bytes, a type
/// byte, the number of dimensions, then each dimension as a 32-bit count) followed by the values.
///
/// cnnlab reads the two kinds those data sets use: images (magic 2051: unsigned bytes, `N x H x W`)
/// and labels (magic 2049: unsigned bytes, `N`). Files may be gzipped or not; that is decided
/// from the first bytes, never from the name. The reader checks every count against the bytes
/// present before allocating, so no header, however damaged, can crash it or make it allocate
/// more than the file holds.
public enum IDX {
  /// The magic number of an image file: unsigned bytes, 3 dimensions.
  public static let imagesMagic: UInt32 = 2051
  /// The magic number of a label file: unsigned bytes, 1 dimension.
  public static let labelsMagic: UInt32 = 2049

  /// Images scaled to [0, 1] (pixel / 255) as an `(N, H, W)` tensor.
  ///
  /// `maxSide` bounds `H` and `W` (MNIST images are 28x28).
  public static func images(_ bytes: [UInt8], file: String, maxSide: Int = 1024) throws -> Tensor {
    let raw = try decode(
      try inflated(bytes, file: file, magic: imagesMagic), file: file, magic: imagesMagic)
    let (n, height, width) = (raw.dimensions[0], raw.dimensions[1], raw.dimensions[2])
    guard height >= 1, width >= 1, height <= maxSide, width <= maxSide else {
      throw DataFileError(
        file: file, kind: .malformed,
        message:
          "images are \(height)x\(width); cnnlab reads images from 1x1 to \(maxSide)x\(maxSide)",
        note: "the header is damaged; download or copy the file again")
    }
    var scalars = [Float](repeating: 0, count: raw.values.count)
    raw.values.withUnsafeBufferPointer { values in
      for i in values.indices { scalars[i] = Float(values[i]) / 255 }
    }
    return Tensor(shape: [n, height, width], scalars: scalars)
  }

  /// Class labels, each checked to be below `classCount` (10 for MNIST and Fashion-MNIST).
  public static func labels(_ bytes: [UInt8], file: String, classCount: Int = 10) throws -> [Int] {
    let raw = try decode(
      try inflated(bytes, file: file, magic: labelsMagic), file: file, magic: labelsMagic)
    var labels = [Int](repeating: 0, count: raw.values.count)
    for (i, value) in raw.values.enumerated() {
      guard Int(value) < classCount else {
        throw DataFileError(
          file: file, kind: .malformed,
          message: "label \(i) is \(value); labels must be 0 to \(classCount - 1)",
          note: "this is not a label file of a \(classCount)-class data set, or it is damaged")
      }
      labels[i] = Int(value)
    }
    return labels
  }

  /// The dimensions and raw bytes of an uncompressed IDX file of unsigned bytes.
  public struct RawArray: Equatable, Sendable {
    public var dimensions: [Int]
    public var values: [UInt8]
  }

  /// Parses an uncompressed IDX file whose magic must be `magic`.
  public static func decode(_ bytes: [UInt8], file: String, magic expected: UInt32) throws
    -> RawArray
  {
    let kindName = expected == imagesMagic ? "image" : "label"
    guard bytes.count >= 4 else {
      throw DataFileError.truncated(file, expected: 4, found: bytes.count, what: "IDX header")
    }
    let magic = bytes.uint32BigEndian(at: 0)
    guard magic == expected else {
      let hint: String
      switch magic {
      case imagesMagic: hint = "this is an image file (magic 2051); give it as the images"
      case labelsMagic: hint = "this is a label file (magic 2049); give it as the labels"
      default:
        hint =
          bytes[0] == 0 && bytes[1] == 0
          ? "cnnlab reads IDX files of unsigned bytes (type 0x08) only"
          : "this is not an IDX file; MNIST-style data comes as train-images-idx3-ubyte(.gz) etc."
      }
      throw DataFileError(
        file: file, kind: .badMagic,
        message: "bad magic number \(magic) for an IDX \(kindName) file (expected \(expected))",
        note: hint)
    }
    let rank = Int(expected & 0xFF)
    let headerSize = 4 + 4 * rank
    guard bytes.count >= headerSize else {
      throw DataFileError.truncated(
        file, expected: headerSize, found: bytes.count, what: "IDX header")
    }
    let dimensions = (0..<rank).map { Int(bytes.uint32BigEndian(at: 4 + 4 * $0)) }
    let found = bytes.count - headerSize
    // A file that lacks the data says so first; then what it holds must fit in memory.
    if let count = SizeLimits.product(dimensions), found < count {
      throw DataFileError.truncated(
        file, expected: count, found: found,
        what: "\(kindName) data (\(dimensions.map(String.init).joined(separator: "x")))")
    }
    let count = try checkSize(dimensions, file: file, kind: kindName)
    guard found >= count else {
      throw DataFileError.truncated(
        file, expected: count, found: found,
        what: "\(kindName) data (\(dimensions.map(String.init).joined(separator: "x")))")
    }
    guard found == count else {
      throw DataFileError(
        file: file, kind: .malformed,
        message: "extra bytes after the \(count) bytes of data the header announces",
        note: "the header or the file is damaged; download or copy it again")
    }
    return RawArray(dimensions: dimensions, values: Array(bytes[headerSize...]))
  }

  /// `bytes`, gunzipped when they start with the gzip magic number.
  ///
  /// The header is inflated first and its size checked against the memory budget (see
  /// `checkSize`), so a small gzip file that expands to gigabytes is refused before it is
  /// inflated; the rest may then expand only to what the header announces.
  static func inflated(_ bytes: [UInt8], file: String, magic: UInt32) throws -> [UInt8] {
    guard Gzip.isCompressed(bytes) else { return bytes }
    let headerSize = 4 + 4 * Int(magic & 0xFF)
    let header = try Gzip.decompressedPrefix(bytes, count: headerSize, file: file)
    guard header.count == headerSize, header.uint32BigEndian(at: 0) == magic else {
      return try Gzip.decompress(bytes, file: file, limit: headerSize)  // `decode` says what is wrong
    }
    let dimensions = (0..<Int(magic & 0xFF)).map { Int(header.uint32BigEndian(at: 4 + 4 * $0)) }
    let count = try checkSize(dimensions, file: file, kind: magic == imagesMagic ? "image" : "label")
    // One byte past the announced data is enough for `decode` to report extra data.
    return try Gzip.decompressedPrefix(bytes, count: headerSize + count + 1, file: file)
  }

  /// The number of values `dimensions` announce, checked against `SizeLimits.memoryBudget`:
  /// reading holds each value as a byte and as a `Float`, 5 bytes in all.
  static func checkSize(_ dimensions: [Int], file: String, kind: String) throws -> Int {
    let count = SizeLimits.product(dimensions)
    try DataFileError.checkMemory(
      count.flatMap { SizeLimits.product([$0, 5]) },
      for: "the header's \(dimensions.map(String.init).joined(separator: "x")) \(kind) values",
      file: file,
      note: "the header is damaged, or the data set is larger than cnnlab reads; download or copy it again")
    return count ?? 0
  }

}
