import CNNLabData
import CNNLabEngine
import Foundation
import Testing

@testable import CNNLabData

/// One policy for numbers that are not numbers: every reader rejects them, naming the place.
@Suite struct NonFiniteTests {
  /// A version 1.0 `.npy` of `descr` values given as raw little-endian bytes.
  func npy(_ descr: String, shape: String, fortran: Bool = false, _ body: [UInt8]) -> [UInt8] {
    var header =
      "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
    header += String(repeating: " ", count: (64 - (header.utf8.count + 11) % 64) % 64) + "\n"
    let length = header.utf8.count
    return NPY.magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + body
  }

  func floats(_ values: [Float]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }

  @Test func npyRejectsNaNAndInfinityWithTheirIndex() {
    func message(_ bytes: [UInt8]) -> String? {
      expectDataFileError { _ = try NPY.read(bytes, file: "a.npy") }?.message
    }
    #expect(message(npy("<f4", shape: "(2, 2)", floats([1, .nan, 3, 4]))) == "the value at index (0, 1) is NaN")
    #expect(
      message(npy("<f4", shape: "(2, 2)", floats([1, 2, 3, -.infinity])))
        == "the value at index (1, 1) is -infinite or too large for a 32-bit float")
    // Column-major storage: the third value stored is at row 0, column 1.
    #expect(
      message(npy("<f4", shape: "(2, 2)", fortran: true, floats([1, 2, .infinity, 4])))
        == "the value at index (0, 1) is infinite or too large for a 32-bit float")
    // A finite float64 beyond Float's range, and a float16 infinity.
    let big = withUnsafeBytes(of: (1e300 as Double).bitPattern.littleEndian, Array.init)
    #expect(message(npy("<f8", shape: "(1,)", big)) == "the value at index (0) is infinite or too large for a 32-bit float")
    #expect(message(npy("<f2", shape: "()", [0x00, 0x7C])) == "the value at index () is infinite or too large for a 32-bit float")
    #expect(
      expectDataFileError { _ = try NPY.read(npy("<f4", shape: "(1,)", floats([.nan])), file: "a.npy") }?.note
        == "cnnlab computes with finite numbers only; replace them, e.g. with numpy.nan_to_num")
  }

  /// A small valid model's file contents.
  func model() throws -> Safetensors {
    let network = try Network("conv 2 3x3 | flatten | dense 2", inputShape: [1, 5, 5])
    return ModelFile(
      network: network, classNames: ["a", "b"], inputScale: 1, inputOffset: 0, data: "xo", epochs: 1
    ).safetensors
  }

  func modelError(_ change: (inout Safetensors) -> Void) throws -> DataFileError? {
    var file = try model()
    change(&file)
    let bytes = file.encode()
    return expectDataFileError { _ = try ModelFile.decode(Safetensors.decode(bytes, file: "m"), file: "m") }
  }

  @Test func modelNormalisationMustBeFinite() throws {
    #expect(try modelError { $0.metadata["input_scale"] = "nan" }?.message == "input_scale \"nan\" is not a finite number")
    #expect(try modelError { $0.metadata["input_offset"] = "-inf" }?.message == "input_offset \"-inf\" is not a finite number")
    #expect(try modelError { $0.metadata["input_scale"] = "1e39" }?.message == "input_scale \"1e39\" is not a finite number")
    #expect(try modelError { $0.metadata["input_scale"] = "x" }?.message == "input_scale \"x\" is not a finite number")
  }

  @Test func modelWeightsMustBeFinite() throws {
    let error = try modelError { file in
      var weight = file.tensors["layers.0.weight"]!
      weight.scalars[0] = .infinity
      file.tensors["layers.0.weight"] = weight
    }
    #expect(error?.message == "tensor \"layers.0.weight\" holds NaN or infinite values")
  }

  @Test func formatVersionsAreNamedForWhatTheyAre() throws {
    #expect(
      try modelError { $0.metadata["format_version"] = "99999999999999999999999" }?.message
        == "model format version 99999999999999999999999 is not supported (this cnnlab reads version 1)")
    #expect(try modelError { $0.metadata["format_version"] = "2" }?.kind == .unsupported)
    #expect(try modelError { $0.metadata["format_version"] = "-1" }?.message == "format_version \"-1\" is not a positive whole number")
    #expect(try modelError { $0.metadata["format_version"] = nil }?.message == "the metadata has no format_version")
  }

  @Test func classNamesAreAJSONListOfStrings() throws {
    #expect(try modelError { $0.metadata["class_names"] = "[\"a\", 2]" }?.message == "class_names is not a JSON list of strings: [\"a\", 2]")
    var file = try model()
    file.metadata["class_names"] = "[\"\\u00e9\", \"b\\\"\"]"
    #expect(try ModelFile.decode(file, file: "m").classNames == ["é", "b\""])
  }

  @Test func softmaxCopesWithHugeAndInfiniteLogits() {
    #expect(softmax([3e38, -3e38]) == [1, 0])
    #expect(softmax([.infinity, 1]) == [1, 0])
    #expect(softmax([.infinity, .infinity, -.infinity]) == [0.5, 0.5, 0])
    #expect(softmax([-.infinity, -.infinity]) == [0.5, 0.5])
    #expect(softmax([.nan, 1]).allSatisfy { $0.isNaN })
    // Ordinary logits keep their values: e / (e + 1) and 1 / (e + 1) for [1, 0].
    let p = softmax([1, 0])
    #expect(abs(p[0] - 0.7310586) < 1e-6 && abs(p[1] - 0.26894143) < 1e-6)
  }
}
