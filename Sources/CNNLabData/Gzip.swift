import CNNLabEngine
import CZlib

/// gzip compression through the system's zlib.
public enum Gzip {
  /// True when `bytes` start with the gzip magic number (1f 8b).
  public static func isCompressed(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
  }

  /// Inflates every gzip member of `bytes`; `file` names it in errors.
  ///
  /// `limit` caps the output (1 GiB by default) so a tiny file that claims to hold an enormous
  /// one cannot exhaust memory.
  public static func decompress(
    _ bytes: [UInt8], file: String, limit: Int = 1 << 30
  ) throws -> [UInt8] {
    try inflating(bytes, file: file, limit: limit, prefix: nil)
  }

  /// The first `count` bytes `bytes` decompress to (fewer if the data is shorter), without
  /// inflating the rest: enough to read a header and decide whether the whole is worth it.
  public static func decompressedPrefix(_ bytes: [UInt8], count: Int, file: String) throws
    -> [UInt8]
  {
    try inflating(bytes, file: file, limit: Int.max, prefix: count)
  }

  private static func inflating(
    _ bytes: [UInt8], file: String, limit: Int, prefix: Int?
  ) throws -> [UInt8] {
    guard isCompressed(bytes) else {
      throw DataFileError(
        file: file, kind: .badMagic, message: "not a gzip file (it does not start with 1f 8b)",
        note: "give the file as it is, without .gz, or compress it with gzip")
    }
    var output: [UInt8] = []
    output.reserveCapacity(min(limit, prefix ?? Int.max, bytes.count * 4))
    var stream = z_stream()
    // 16 + MAX_WBITS: expect a gzip header and trailer.
    guard
      inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        == Z_OK
    else {
      throw DataFileError(file: file, kind: .unreadable, message: "zlib could not start")
    }
    defer { inflateEnd(&stream) }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    try bytes.withUnsafeBufferPointer { input in
      guard let base = input.baseAddress else { return }
      var consumed = 0
      while consumed < input.count {
        stream.next_in = UnsafeMutablePointer(mutating: base + consumed)
        stream.avail_in = UInt32(min(input.count - consumed, Int(UInt32.max)))
        let before = Int(stream.avail_in)
        var status: Int32 = Z_OK
        repeat {
          status = chunk.withUnsafeMutableBufferPointer { out in
            stream.next_out = out.baseAddress
            stream.avail_out = UInt32(out.count)
            return inflate(&stream, Z_NO_FLUSH)
          }
          let produced = chunk.count - Int(stream.avail_out)
          guard output.count + produced <= limit else {
            throw DataFileError(
              file: file, kind: .tooLarge,
              message: "decompresses to more than \(SizeLimits.describe(bytes: limit))",
              note: "cnnlab reads data sets up to \(SizeLimits.describe(bytes: limit)) uncompressed")
          }
          output += chunk[0..<produced]
          if let prefix, output.count >= prefix { output.removeLast(output.count - prefix); return }
          if status == Z_STREAM_END { break }
          if status == Z_BUF_ERROR && stream.avail_in == 0 { break }  // wants more input
          guard status == Z_OK else { throw corrupt(file, stream: stream, status: status) }
        } while stream.avail_in > 0 || stream.avail_out == 0
        consumed += before - Int(stream.avail_in)
        if status == Z_STREAM_END {
          // Another member may follow (as `cat a.gz b.gz` makes); trailing zeros are padding.
          let rest = input[consumed...]
          if rest.allSatisfy({ $0 == 0 }) { return }
          guard rest.count >= 2, input[consumed] == 0x1F, input[consumed + 1] == 0x8B else {
            throw DataFileError(
              file: file, kind: .malformed,
              message: "has \(rest.count) unexpected bytes after the compressed data",
              note: "the file is damaged; download or copy it again")
          }
          inflateReset(&stream)
        } else {
          throw DataFileError(
            file: file, kind: .malformed,
            message: "truncated gzip data: the compressed stream ends early",
            note: "the file is incomplete; download or copy it again")
        }
      }
    }
    return output
  }

  /// Compresses `bytes` as one gzip member with no name and mtime 0, so the output depends
  /// only on the input.
  public static func compress(_ bytes: [UInt8], level: Int32 = 9) -> [UInt8] {
    var stream = z_stream()
    let started = deflateInit2_(
      &stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
      Int32(MemoryLayout<z_stream>.size))
    precondition(started == Z_OK, "zlib deflateInit2 failed with \(started)")
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
    var input = bytes
    let status = input.withUnsafeMutableBufferPointer { inBuffer in
      output.withUnsafeMutableBufferPointer { outBuffer in
        stream.next_in = inBuffer.baseAddress
        stream.avail_in = UInt32(inBuffer.count)
        stream.next_out = outBuffer.baseAddress
        stream.avail_out = UInt32(outBuffer.count)
        return deflate(&stream, Z_FINISH)
      }
    }
    precondition(status == Z_STREAM_END, "zlib deflate did not finish (\(status))")
    return Array(output[0..<Int(stream.total_out)])
  }

  private static func corrupt(_ file: String, stream: z_stream, status: Int32) -> DataFileError {
    let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
    return DataFileError(
      file: file, kind: .malformed, message: "corrupt gzip data (\(reason))",
      note: "the file is damaged; download or copy it again")
  }
}
