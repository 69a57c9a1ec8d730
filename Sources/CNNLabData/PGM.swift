import CNNLabEngine

// H/W = image height/width.

/// Netpbm greyscale images: P2 (numbers as text) and P5 (binary; one byte per pixel when the
/// maximum value is below 256, otherwise two bytes, most significant first).
public enum PGM {
  /// Decodes a PGM file into an `(H, W)` tensor of values in [0, 1] (pixel / maxval).
  public static func read(_ bytes: [UInt8], file: String) throws -> Tensor {
    var scanner = HeaderScanner(bytes: bytes)
    guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P"),
      bytes[1] == UInt8(ascii: "2") || bytes[1] == UInt8(ascii: "5")
    else {
      throw DataFileError(
        file: file, kind: .badMagic, message: "not a PGM image (it does not start with P2 or P5)",
        note: "convert it to greyscale PGM, e.g. with: convert picture.png -depth 8 picture.pgm")
    }
    let binary = bytes[1] == UInt8(ascii: "5")
    scanner.position = 2
    func header(_ what: String) throws -> Int {
      guard let value = scanner.integer() else {
        throw DataFileError(
          file: file, kind: .malformed,
          message: "bad PGM header: expected the \(what) as a number at byte \(scanner.position)",
          note: "the header is P2 or P5, then width, height and maximum value")
      }
      return value
    }
    let width = try header("width")
    let height = try header("height")
    let maxval = try header("maximum value")
    guard width >= 1, height >= 1, width <= 1 << 16, height <= 1 << 16 else {
      throw DataFileError(
        file: file, kind: .malformed, message: "image size \(width)x\(height) is not supported",
        note: "cnnlab reads images from 1x1 to 65536x65536")
    }
    guard maxval >= 1, maxval <= 65535 else {
      throw DataFileError(
        file: file, kind: .malformed, message: "maximum value \(maxval) is outside 1...65535",
        note: "PGM allows maximum values from 1 to 65535")
    }
    let count = width * height
    let top = Float(maxval)
    // Check that the pixels can be present before allocating for them. P5 pixels start after
    // one whitespace byte; P2 pixels take at least one byte each.
    let available = bytes.count - scanner.position - (binary ? 1 : 0)
    guard count <= available else {
      throw DataFileError.truncated(
        file, expected: binary && maxval > 255 ? 2 * count : count, found: max(0, available),
        what: "pixels (\(width)x\(height))")
    }
    var scalars = [Float](repeating: 0, count: count)
    if binary {
      // Exactly one whitespace byte separates the header from the pixels.
      guard scanner.position < bytes.count, isSpace(bytes[scanner.position]) else {
        throw DataFileError.truncated(
          file, expected: scanner.position + 1, found: bytes.count, what: "PGM header")
      }
      let start = scanner.position + 1
      let bytesPerPixel = maxval < 256 ? 1 : 2
      let needed = count * bytesPerPixel
      guard bytes.count - start >= needed else {
        throw DataFileError.truncated(
          file, expected: needed, found: bytes.count - start, what: "pixels (\(width)x\(height))")
      }
      for i in 0..<count {
        let value =
          bytesPerPixel == 1
          ? Int(bytes[start + i])
          : Int(bytes[start + 2 * i]) << 8 | Int(bytes[start + 2 * i + 1])
        guard value <= maxval else { throw tooBright(file, i, width, value, maxval) }
        scalars[i] = Float(value) / top
      }
    } else {
      for i in 0..<count {
        guard let value = scanner.integer() else {
          throw DataFileError(
            file: file, kind: .malformed,
            message: "expected \(count) pixel values, found \(i)",
            note: "a P2 image lists width x height numbers after the header")
        }
        guard value <= maxval else { throw tooBright(file, i, width, value, maxval) }
        scalars[i] = Float(value) / top
      }
    }
    return Tensor(shape: [height, width], scalars: scalars)
  }

  private static func tooBright(_ file: String, _ i: Int, _ width: Int, _ value: Int, _ maxval: Int)
    -> DataFileError
  {
    DataFileError(
      file: file, kind: .malformed,
      message:
        "pixel at row \(i / width), column \(i % width) is \(value), above the maximum \(maxval)",
      note: "every pixel must be between 0 and the maximum value in the header")
  }

  private static func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
  }

  /// Reads the whitespace-separated, `#`-commented numbers of a PGM header (and P2 body).
  private struct HeaderScanner {
    let bytes: [UInt8]
    var position = 0

    mutating func integer() -> Int? {
      while position < bytes.count {
        if PGM.isSpace(bytes[position]) {
          position += 1
        } else if bytes[position] == UInt8(ascii: "#") {
          while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D {
            position += 1
          }
        } else {
          break
        }
      }
      var value = 0
      var digits = 0
      while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
        value = value * 10 + Int(bytes[position] - 0x30)
        digits += 1
        position += 1
        if digits > 9 { return nil }  // no PGM number needs more
      }
      guard digits > 0 else { return nil }
      // A number must end at whitespace, a comment or the end of the file.
      if position < bytes.count, !PGM.isSpace(bytes[position]), bytes[position] != UInt8(ascii: "#")
      {
        return nil
      }
      return value
    }
  }
}
