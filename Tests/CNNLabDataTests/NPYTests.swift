import CNNLabData
import CNNLabEngine
import Testing

@Suite struct NPYTests {
  @Test func readsEveryNumPyFixtureAsNumPyHoldsIt() throws {
    let fixtures = try expectedFixtures()
    #expect(fixtures.npy.count >= 20)
    for expected in fixtures.npy {
      let tensor = try NPY.read(try fixtureBytes(expected.file), file: expected.file)
      #expect(tensor.shape == expected.shape, "\(expected.file)")
      #expect(tensor.scalars == expected.tensor.scalars, "\(expected.file)")
    }
  }

  @Test func fortranOrderIsTransposedIntoRowMajor() throws {
    // Independent of the fixture values: element [i, j, k] of the cube is (12i + 4j + k - 11.5) / 7.
    let tensor = try NPY.read(try fixtureBytes("f4_fortran.npy"), file: "f4_fortran.npy")
    #expect(tensor.shape == [2, 3, 4])
    #expect(tensor[1, 2, 3] == Float((23 - 11.5) / 7))
    #expect(tensor[0, 1, 0] == Float((4 - 11.5) / 7))
  }

  @Test func encodeWritesTheSameBytesAsNumPySave() throws {
    let expected = try expectedFixtures().encode
    let reference = try fixtureBytes(expected.file)
    #expect(NPY.encode(expected.tensor) == reference)
  }

  @Test func encodeRoundTripsAnyRank() throws {
    var rng = SplitMix64(seed: 3)
    for shape in [[], [0], [5], [2, 3], [2, 1, 3, 2], [1, 1, 1, 1, 7]] {
      let t = Tensor.random(shape: shape, using: &rng)
      let bytes = NPY.encode(t)
      #expect((bytes.count - 4 * t.count) % 64 == 0, "header is padded to 64 bytes")
      #expect(try NPY.read(bytes, file: "t.npy") == t)
    }
  }

  // MARK: - Errors

  @Test func badMagicIsNamed() {
    let error = expectDataFileError { _ = try NPY.read(Array("hello, world".utf8), file: "a.npy") }
    #expect(error?.kind == .badMagic)
    #expect(error?.description.hasPrefix("a.npy: error: not a NumPy .npy file") == true)
  }

  @Test func truncatedDataGivesExpectedAndFoundBytes() throws {
    let bytes = try fixtureBytes("f4_c.npy")
    let error = expectDataFileError { _ = try NPY.read(Array(bytes.dropLast(3)), file: "c.npy") }
    #expect(error?.kind == .truncated(expectedBytes: 24, foundBytes: 21))
    #expect(
      error?.message == "truncated data for shape [2, 3] of <f4: expected 24 bytes, found 21")
    let header = expectDataFileError { _ = try NPY.read(Array(bytes.prefix(40)), file: "c.npy") }
    #expect(header?.kind == .truncated(expectedBytes: 128, foundBytes: 40))
  }

  @Test func unsupportedDtypeIsNamed() throws {
    let error = expectDataFileError {
      _ = try NPY.read(try fixtureBytes("complex.npy"), file: "complex.npy")
    }
    #expect(error?.kind == .unsupported)
    #expect(error?.message == "dtype '<c8' is not supported")
  }

  @Test func unknownVersionAndBadHeaderAreRejected() throws {
    var bytes = try fixtureBytes("f4_c.npy")
    bytes[6] = 9
    #expect(expectDataFileError { _ = try NPY.read(bytes, file: "v.npy") }?.kind == .unsupported)
    bytes = try fixtureBytes("f4_c.npy")
    bytes[10] = UInt8(ascii: "[")
    let error = expectDataFileError { _ = try NPY.read(bytes, file: "h.npy") }
    #expect(error?.kind == .malformed)
    #expect(error?.message.hasPrefix("bad .npy header") == true)
  }

  @Test func hugeShapesFailWithoutAllocating() {
    for shape in ["(4294967296, 4294967296, 4294967296)", "(1000000000,)"] {
      var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shape), }"
      header += String(repeating: " ", count: 63 - (10 + header.utf8.count) % 64) + "\n"
      let bytes =
        [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
      let error = expectDataFileError { _ = try NPY.read(bytes, file: "big.npy") }
      #expect(
        error?.kind == .tooLarge
          || error?.kind == .truncated(expectedBytes: 8_000_000_000, foundBytes: 0))
    }
  }
}
