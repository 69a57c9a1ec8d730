import CNNLabData
import CNNLabEngine
import Testing

@Suite struct PGMTests {
  @Test func readsASCIIWithComments() throws {
    let text = "P2\n# made by hand\n3 2 # width height\n4\n0 1 2\n3 4 0\n"
    let image = try PGM.read(Array(text.utf8), file: "a.pgm")
    #expect(image == Tensor([[0, 0.25, 0.5], [0.75, 1, 0]]))
  }

  @Test func readsBinaryWithOneAndTwoBytesPerPixel() throws {
    let eight = Array("P5 2 2 255\n".utf8) + [0, 51, 255, 102]
    #expect(try PGM.read(eight, file: "b.pgm") == Tensor([[0, 0.2], [1, 0.4]]))
    let sixteen = Array("P5\n2 1\n65535\n".utf8) + [0xFF, 0xFF, 0x00, 0x00]
    #expect(try PGM.read(sixteen, file: "c.pgm") == Tensor([[1, 0]]))
    let pixelStartsWithSpaceByte = Array("P5 1 1 255\n".utf8) + [0x20]
    #expect(try PGM.read(pixelStartsWithSpaceByte, file: "d.pgm") == Tensor([[Float(32) / 255]]))
  }

  @Test func badFilesGiveClearErrors() {
    func error(_ text: String, _ extra: [UInt8] = []) -> DataFileError? {
      expectDataFileError { _ = try PGM.read(Array(text.utf8) + extra, file: "x.pgm") }
    }
    #expect(error("P6 1 1 255\n", [1, 2, 3])?.kind == .badMagic)
    #expect(error("P5 2 2 255\n", [1, 2, 3])?.kind == .truncated(expectedBytes: 4, foundBytes: 3))
    #expect(
      error("P2 2 1 9\n3 10\n")?.message == "pixel at row 0, column 1 is 10, above the maximum 9")
    #expect(error("P2 2 2 9\n1 2 3\n")?.message == "expected 4 pixel values, found 3")
    #expect(error("P2 2 1 70000\n1 2\n")?.message == "maximum value 70000 is outside 1...65535")
    #expect(error("P2 x 1 9\n1\n")?.kind == .malformed)
    #expect(
      error("P5 65536 65536 255\n", [0])?.kind
        == .truncated(expectedBytes: 65536 * 65536, foundBytes: 1))
  }
}
