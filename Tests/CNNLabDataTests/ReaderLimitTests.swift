import CNNLabData
import CNNLabEngine
import Foundation
import Testing

@testable import CNNLabData

/// Readers refuse what would not fit in memory before allocating it, and take time in
/// proportion to their input.
@Suite struct ReaderLimitTests {
  @Test func aGzippedIDXIsMeasuredByItsHeaderBeforeItIsInflated() {
    // 1,369,000 28x28 images claimed, a few bytes present: as gzip, refused on the estimate
    // (5 bytes a value), never inflated; as plain bytes, the missing data is named first.
    let header = bigEndian(2051) + bigEndian(1_369_000) + bigEndian(28) + bigEndian(28)
    let gzipped = expectDataFileError {
      _ = try IDX.images(Gzip.compress(header + [1, 2, 3]), file: "i.gz")
    }
    #expect(gzipped?.kind == .tooLarge)
    #expect(
      gzipped?.message
        == "the header's 1369000x28x28 image values would need 5.0 GiB of memory, over the 1.0 GiB limit")
    #expect(
      expectDataFileError { _ = try IDX.images(header + [1, 2, 3], file: "i") }?.kind
        == .truncated(expectedBytes: 1_369_000 * 784, foundBytes: 3))
  }

  @Test func aGzippedIDXMayNotHoldMoreThanItsHeaderSays() throws {
    let images = idxImageBytes(2, 3, 3)
    #expect(try IDX.images(Gzip.compress(images), file: "i.gz").shape == [2, 3, 3])
    let longer = expectDataFileError {
      _ = try IDX.images(Gzip.compress(images + Array(repeating: 0, count: 1 << 20)), file: "i.gz")
    }
    #expect(longer?.message == "extra bytes after the 18 bytes of data the header announces")
    #expect(try Gzip.decompressedPrefix(Gzip.compress(images), count: 4, file: "i.gz") == bigEndian(2051))
  }

  @Test func safetensorsTensorsThatShareDataAreRefusedBeforeAnyIsRead() {
    // 20,000 entries claiming the same 400 KB: 8 GB of floats if each were read first.
    let entries = (0..<20_000).map {
      "\"t\($0)\":{\"dtype\":\"F32\",\"shape\":[100000],\"data_offsets\":[0,400000]}"
    }
    let bytes = header("{" + entries.joined(separator: ",") + "}") + Array(repeating: 0, count: 400_000)
    let error = expectDataFileError { _ = try Safetensors.decode(bytes, file: "m") }
    #expect(error?.message.hasSuffix("overlap") == true)
  }

  @Test func safetensorsHeadersHaveAStatedLimitAndStrictJSON() {
    func message(_ json: String) -> String? {
      expectDataFileError { _ = try Safetensors.decode(header(json), file: "m") }?.message
    }
    let long = [UInt8](repeating: 0xFF, count: 8)
    #expect(
      expectDataFileError { _ = try Safetensors.decode(long + [0x7B], file: "m") }?.message
        == "the header length is 18446744073709551615 bytes, over the 100 MB limit for a safetensors header")
    let empty = "{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}"
    #expect(message("{\"a\":\(empty),\"a\":\(empty)}") == "the header names tensor \"a\" twice")
    #expect(
      message("{\"__metadata__\":{},\"__metadata__\":{}}")
        == "the header is not valid safetensors JSON at byte 34 of the header: the name \"__metadata__\" appears twice")
    let deep = "{\"__metadata__\":{\"x\":\"y\"},\"t\":{\"extra\":" + String(repeating: "[", count: 100_000) + "}}"
    #expect(message(deep)?.hasSuffix("values are nested more than 64 deep") == true)
    #expect(message("{}  x")?.hasSuffix("unexpected text after the end of the value") == true)
    #expect(message("{\"__metadata__\":{\"k\":1}}")?.hasSuffix("\"__metadata__\" value for \"k\" is not a string") == true)
    #expect(message("{\"t\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}")?.hasSuffix("expected a number") == true, "no leading zeros")
  }

  @Test func safetensorsReadsEscapesAndSkipsFieldsItDoesNotUse() throws {
    let json =
      "{\"__metadata__\":{\"k\":\"a\\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00\"},"
      + "\"w\":{\"dtype\":\"F32\",\"note\":{\"x\":[1.5e3,-2,true,false,null]},\"shape\":[1],\"data_offsets\":[0,4]}}"
    let file = try Safetensors.decode(header(json, data: [0, 0, 0x80, 0x3F]), file: "m")
    #expect(file.metadata["k"] == "a\"b\\c/\né😀")
    #expect(file.tensors["w"] == Tensor(shape: [1], scalars: [1]))
  }

  @Test func aValidHeaderOfManyEntriesIsReadInLinearTime() throws {
    // 200,000 empty tensors (11 MB of header): seconds if linear, far longer if not.
    let entries = (0..<200_000).map {
      "\"t\($0)\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}"
    }
    let bytes = header("{" + entries.joined(separator: ",") + "}")
    let clock = ContinuousClock()
    let started = clock.now
    let file = try Safetensors.decode(bytes, file: "m")
    #expect(file.tensors.count == 200_000)
    #expect(clock.now - started < .seconds(30))
  }

  @Test func aLongTextGridIsReadInLinearTime() throws {
    // 100,000 rows took minutes when every row copied the ones before it.
    let text = String(repeating: "1 2\n", count: 100_000) + "\n" + String(repeating: "3 4\n", count: 100_000)
    let clock = ContinuousClock()
    let started = clock.now
    let grid = try GridText.parse(text, file: "g")
    #expect(clock.now - started < .seconds(30))
    #expect(grid.shape == [2, 100_000, 2])
    #expect(Array(grid.scalars.prefix(2)) == [1, 2] && Array(grid.scalars.suffix(2)) == [3, 4])
  }

  func header(_ json: String, data: [UInt8] = []) -> [UInt8] {
    var bytes: [UInt8] = []
    withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { bytes += $0 }
    return bytes + Array(json.utf8) + data
  }
}
