import CNNLabData
import CNNLabEngine
import Foundation
import Testing

/// The folder of reference files made by scripts/make_data_fixtures.py.
func fixturesDirectory() throws -> URL {
  try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
}

/// The bytes of one fixture file.
func fixtureBytes(_ name: String) throws -> [UInt8] {
  [UInt8](try Data(contentsOf: try fixturesDirectory().appendingPathComponent(name)))
}

/// One array as NumPy holds it: shape and row-major float32 values.
struct ExpectedArray: Decodable {
  var file: String
  var shape: [Int]
  var values: [Double]

  var tensor: Tensor { Tensor(shape: shape, scalars: values.map { Float($0) }) }
}

struct ExpectedFixtures: Decodable {
  struct SafetensorsFile: Decodable {
    var file: String
    var metadata: [String: String]
    var tensors: [String: ExpectedArray]
  }
  var npy: [ExpectedArray]
  var encode: ExpectedArray
  var safetensors: SafetensorsFile?
}

func expectedFixtures() throws -> ExpectedFixtures {
  try JSONDecoder().decode(ExpectedFixtures.self, from: Data(try fixtureBytes("expected.json")))
}

/// A fresh empty folder under the system's temporary folder.
func makeTemporaryDirectory() throws -> String {
  let path = FileManager.default.temporaryDirectory
    .appendingPathComponent("cnnlab-data-tests-\(UUID().uuidString)").path
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

func write(_ bytes: [UInt8], _ folder: String, _ name: String) throws {
  try Data(bytes).write(to: URL(fileURLWithPath: folder).appendingPathComponent(name))
}

/// Runs `body`, expecting it to throw a `DataFileError`, and returns the error.
func expectDataFileError(
  _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) -> DataFileError? {
  do {
    try body()
    Issue.record("expected a DataFileError, but nothing was thrown", sourceLocation: sourceLocation)
  } catch let error as DataFileError {
    return error
  } catch {
    Issue.record("expected a DataFileError, got \(error)", sourceLocation: sourceLocation)
  }
  return nil
}

/// An uncompressed IDX image file: magic 2051, `n x height x width` unsigned bytes.
func idxImageBytes(_ n: Int, _ height: Int, _ width: Int, pixels: [UInt8]? = nil) -> [UInt8] {
  var bytes = bigEndian(2051) + bigEndian(UInt32(n)) + bigEndian(UInt32(height))
  bytes += bigEndian(UInt32(width))
  bytes += pixels ?? (0..<(n * height * width)).map { UInt8($0 % 256) }
  return bytes
}

/// An uncompressed IDX label file: magic 2049, then the labels.
func idxLabelBytes(_ labels: [UInt8]) -> [UInt8] {
  bigEndian(2049) + bigEndian(UInt32(labels.count)) + labels
}

func bigEndian(_ value: UInt32) -> [UInt8] {
  [
    UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF),
    UInt8(value & 0xFF),
  ]
}
