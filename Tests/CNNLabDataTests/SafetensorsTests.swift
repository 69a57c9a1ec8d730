import CNNLabData
import CNNLabEngine
import Foundation
import Testing

@Suite struct SafetensorsTests {
  static func sample() -> Safetensors {
    var rng = SplitMix64(seed: 8)
    return Safetensors(
      tensors: [
        "conv1.weight": .random(shape: [4, 1, 3, 3], using: &rng),
        "conv1.bias": .random(shape: [4], using: &rng),
        "fc.weight": .random(shape: [10, 36], using: &rng),
        "empty": .zeros([0, 2]),
        "scalar": Tensor(shape: [], scalars: [7]),
      ],
      metadata: ["epoch": "3", "note": "quote \" and \\ and \n newline"])
  }

  @Test func encodeThenDecodeGivesTheSameTensors() throws {
    let original = Self.sample()
    #expect(try Safetensors.decode(original.encode(), file: "m.safetensors") == original)
  }

  @Test func encodingIsDeterministicAndAligned() throws {
    let bytes = Self.sample().encode()
    #expect(bytes == Self.sample().encode())
    let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16
    #expect(headerLength % 8 == 0)
    let header = try #require(String(bytes: bytes[8..<(8 + headerLength)], encoding: .utf8))
    #expect(header.hasPrefix("{\"__metadata__\":{\"epoch\":\"3\",\"note\":"))
    let order = ["conv1.bias", "conv1.weight", "empty", "fc.weight", "scalar"].compactMap {
      header.range(of: "\"\($0)\":")?.lowerBound
    }
    #expect(order.count == 5 && order == order.sorted(), "tensors are in name order")
    #expect(
      header.contains("\"conv1.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}"))
  }

  @Test(.enabled(if: (try? expectedFixtures().safetensors) != nil))
  func readsAFileWrittenByThePythonPackage() throws {
    let expected = try #require(try expectedFixtures().safetensors)
    let file = try Safetensors.decode(try fixtureBytes(expected.file), file: expected.file)
    #expect(file.metadata == expected.metadata)
    #expect(Set(file.tensors.keys) == Set(expected.tensors.keys))
    for (name, array) in expected.tensors {
      #expect(file.tensors[name] == array.tensor, "\(name)")
    }
  }

  // MARK: - Errors

  func header(_ json: String, data: [UInt8] = []) -> [UInt8] {
    var bytes: [UInt8] = []
    withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { bytes += $0 }
    return bytes + Array(json.utf8) + data
  }

  @Test func truncatedFilesSayWhatIsMissing() {
    let bytes = Self.sample().encode()
    let error = expectDataFileError {
      _ = try Safetensors.decode(Array(bytes.dropLast(4)), file: "m")
    }
    #expect(error?.message.hasPrefix("truncated data for tensor \"scalar\"") == true)
    let cut = expectDataFileError { _ = try Safetensors.decode(Array(bytes.prefix(50)), file: "m") }
    #expect(cut?.message.hasPrefix("truncated safetensors header") == true)
    #expect(
      expectDataFileError { _ = try Safetensors.decode([1, 2], file: "m") }?.kind
        == .truncated(expectedBytes: 8, foundBytes: 2))
  }

  @Test func corruptHeadersAreNamed() {
    func message(_ bytes: [UInt8]) -> String? {
      expectDataFileError { _ = try Safetensors.decode(bytes, file: "m.safetensors") }?.message
    }
    #expect(
      message(header("{\"a\": {\"dtype\": \"F32\",")) == "the header is not valid safetensors JSON at byte 22 of the header: expected a string")
    #expect(message(header("[1, 2]")) == "the header does not start with '{'")
    #expect(
      message(
        header(
          "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}",
          data: Array(repeating: 0, count: 16)))
        == "tensor \"w\": data_offsets [0, 12] hold 12 bytes, but F32 [2, 2] needs 16")
    #expect(
      message(
        header(
          "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
          data: Array(repeating: 0, count: 8)))
        == "tensors \"a\" and \"b\" overlap")
    #expect(
      message(header("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}"))
        == "tensor \"w\": \"shape\" is not a list of non-negative integers")
    #expect(
      message(header("{\"w\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}"))
        == "tensor \"w\": dtype C64 is not supported")
    let huge: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x7B]
    #expect(expectDataFileError { _ = try Safetensors.decode(huge, file: "m") }?.kind == .tooLarge)
  }
}

@Suite struct AtomicFileTests {
  func entries(_ directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
  }

  @Test func writesAndReplacesWholeFiles() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/model.safetensors"
    try AtomicFile.write([1, 2, 3], to: path)
    #expect(try DataFile.readBytes(path) == [1, 2, 3])
    let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]
    #expect((permissions as? Int) == 0o644, "not mkstemp's private 0600")
    try SafetensorsTests.sample().write(to: path)
    #expect(try Safetensors.read(path: path) == SafetensorsTests.sample())
    #expect(try entries(directory) == ["model.safetensors"], "no temporary files are left")
    try AtomicFile.write([], to: path)
    #expect(try DataFile.readBytes(path) == [])
  }

  @Test func aFailedWriteLeavesNoHalfFile() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    // The target is a non-empty folder, so the final rename fails after the data is written.
    try FileManager.default.createDirectory(
      atPath: directory + "/taken/inner", withIntermediateDirectories: true)
    let error = expectDataFileError { try AtomicFile.write([9, 9, 9], to: directory + "/taken") }
    #expect(error?.message == "is a folder, not a file")
    #expect(try entries(directory) == ["taken"])
    let missing = expectDataFileError {
      try AtomicFile.write([1], to: directory + "/no/such/folder/f")
    }
    #expect(missing?.message.hasPrefix("cannot create a temporary file") == true)
    #expect(try entries(directory) == ["taken"])
  }
}

@Suite struct PathConvenienceTests {
  @Test func saveThenLoadThroughFiles() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let t = Tensor(shape: [2, 1, 3], scalars: [1, -0.5, 0.25, 3, 4, 1e-7])
    try NPY.save(t, to: directory + "/t.npy")
    #expect(try NPY.load(path: directory + "/t.npy") == t)
    try GridText.save(t, to: directory + "/t.txt")
    #expect(try GridText.load(path: directory + "/t.txt") == t)
    try write(Array("P2 1 1 4 2".utf8), directory, "p.pgm")
    #expect(try PGM.load(path: directory + "/p.pgm") == Tensor([[0.5]]))
    try write([0xFF, 0xFE, 0x31], directory, "bad.txt")
    #expect(expectDataFileError { _ = try GridText.load(path: directory + "/bad.txt") }?.kind == .malformed)
    #expect(expectDataFileError { _ = try NPY.load(path: directory + "/none.npy") }?.kind == .missing)
    #expect(expectDataFileError { _ = try NPY.load(path: directory) }?.kind == .unreadable)
  }
}
