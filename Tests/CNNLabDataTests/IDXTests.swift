import CNNLabData
import CNNLabEngine
import Foundation
import Testing

@Suite struct GzipTests {
  @Test func compressThenDecompressGivesTheInputBack() throws {
    var rng = SplitMix64(seed: 1)
    for count in [0, 1, 100, 200_000] {
      let input = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next() % 7) }
      let packed = Gzip.compress(input)
      #expect(Gzip.isCompressed(packed))
      #expect(try Gzip.decompress(packed, file: "x.gz") == input)
    }
  }

  @Test func decompressesFilesMadeByPythonsGzip() throws {
    // The bundled MNIST sample was written by Python's gzip module.
    let path = try #require(IDXTests.bundledMNIST())
    let bytes = try DataFile.readBytes(path + "/t10k-labels-idx1-ubyte.gz")
    let labels = try Gzip.decompress(bytes, file: "labels")
    #expect(labels.count == 8 + 500)
    #expect(Array(labels.prefix(8)) == [0, 0, 8, 1, 0, 0, 1, 244])
  }

  @Test func concatenatedMembersAreAllRead() throws {
    let joined = Gzip.compress([1, 2, 3]) + Gzip.compress([4, 5]) + [0, 0, 0]
    #expect(try Gzip.decompress(joined, file: "j.gz") == [1, 2, 3, 4, 5])
  }

  @Test func damagedStreamsGiveClearErrors() {
    let packed = Gzip.compress(Array(repeating: 42, count: 10_000))
    let truncated = expectDataFileError {
      _ = try Gzip.decompress(Array(packed.dropLast(12)), file: "t.gz")
    }
    #expect(truncated?.message.hasPrefix("truncated gzip data") == true)
    var corrupt = packed
    corrupt[corrupt.count - 3] ^= 0xFF  // the length in the trailer
    let error = expectDataFileError { _ = try Gzip.decompress(corrupt, file: "c.gz") }
    #expect(error?.message.hasPrefix("corrupt gzip data") == true)
    #expect(
      expectDataFileError { _ = try Gzip.decompress([1, 2, 3], file: "p") }?.kind == .badMagic)
    let junk = expectDataFileError { _ = try Gzip.decompress(packed + [7, 7], file: "j.gz") }
    #expect(junk?.message == "has 2 unexpected bytes after the compressed data")
  }

  @Test func outputIsCappedByTheLimit() {
    let bomb = Gzip.compress(Array(repeating: 0, count: 1 << 20))
    let error = expectDataFileError { _ = try Gzip.decompress(bomb, file: "b.gz", limit: 1000) }
    #expect(error?.kind == .tooLarge)
  }
}

@Suite struct IDXTests {
  /// The bundled sample's folder, found the way `--data mnist` finds it.
  static func bundledMNIST() -> String? {
    if case .idx(let directory, _)? = try? DataSource.resolve("mnist") { return directory }
    return nil
  }

  @Test func readsImagesAsPixelsOver255AndLabels() throws {
    let images = try IDX.images(
      idxImageBytes(2, 2, 3, pixels: [0, 51, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9]), file: "i")
    #expect(images.shape == [2, 2, 3])
    #expect(images[0, 0, 1] == 0.2 && images[0, 0, 2] == 1 && images[1, 1, 2] == Float(9) / 255)
    #expect(try IDX.labels(idxLabelBytes([3, 0, 9]), file: "l") == [3, 0, 9])
  }

  @Test func gzipIsDetectedByMagicBytesNotByName() throws {
    let plain = idxImageBytes(1, 2, 2)
    let packed = Gzip.compress(plain)
    #expect(
      try IDX.images(packed, file: "images-without-suffix") == IDX.images(plain, file: "x.gz"))
    #expect(try IDX.labels(Gzip.compress(idxLabelBytes([1, 2])), file: "l") == [1, 2])
  }

  @Test func truncatedDataNamesExpectedAndFoundBytes() {
    let bytes = Array(idxImageBytes(3, 2, 2).dropLast(2))
    let error = expectDataFileError { _ = try IDX.images(bytes, file: "imgs") }
    #expect(error?.kind == .truncated(expectedBytes: 12, foundBytes: 10))
    #expect(
      error?.description.hasPrefix(
        "imgs: error: truncated image data (3x2x2): expected 12 bytes, found 10") == true)
    let header = expectDataFileError { _ = try IDX.images(Array(bytes.prefix(9)), file: "imgs") }
    #expect(header?.kind == .truncated(expectedBytes: 16, foundBytes: 9))
  }

  @Test func wrongMagicSaysWhichFileItIs() {
    let error = expectDataFileError { _ = try IDX.images(idxLabelBytes([1]), file: "labels") }
    #expect(error?.kind == .badMagic)
    #expect(error?.message == "bad magic number 2049 for an IDX image file (expected 2051)")
    #expect(error?.note == "this is a label file (magic 2049); give it as the labels")
    let text = expectDataFileError { _ = try IDX.labels(Array("hello world".utf8), file: "t") }
    #expect(text?.kind == .badMagic)
  }

  @Test func hugeCountsInTheHeaderFailWithoutAllocating() {
    var header = bigEndian(2051) + bigEndian(.max) + bigEndian(.max) + bigEndian(.max)
    #expect(
      expectDataFileError { _ = try IDX.images(header + [1, 2, 3], file: "h") }?.kind == .tooLarge)
    header = bigEndian(2051) + bigEndian(1 << 30) + bigEndian(28) + bigEndian(28)
    let error = expectDataFileError { _ = try IDX.images(header + [1, 2, 3], file: "h") }
    #expect(error?.kind == .truncated(expectedBytes: (1 << 30) * 784, foundBytes: 3))
    let labels = bigEndian(2049) + bigEndian(.max)
    #expect(
      expectDataFileError { _ = try IDX.labels(labels, file: "l") }?.kind
        == .truncated(expectedBytes: Int(UInt32.max), foundBytes: 0))
  }

  @Test func labelsAboveNineAreRejected() {
    let error = expectDataFileError { _ = try IDX.labels(idxLabelBytes([1, 9, 12]), file: "l") }
    #expect(error?.message == "label 2 is 12; labels must be 0 to 9")
  }

  @Test func extraBytesAndOddImageSizesAreRejected() {
    #expect(
      expectDataFileError { _ = try IDX.labels(idxLabelBytes([1]) + [0], file: "l") }?.kind
        == .malformed)
    #expect(
      expectDataFileError { _ = try IDX.images(idxImageBytes(1, 0, 5), file: "i") }?.kind
        == .malformed)
  }

  // MARK: - Folders

  func folder(_ files: [String: [UInt8]]) throws -> String {
    let directory = try makeTemporaryDirectory()
    for (name, bytes) in files { try write(bytes, directory, name) }
    return directory
  }

  @Test func aFolderWithOnlyTheTestPairIsValid() throws {
    let directory = try folder([
      "t10k-images-idx3-ubyte.gz": Gzip.compress(idxImageBytes(3, 4, 4)),
      "t10k-labels-idx1-ubyte": idxLabelBytes([0, 1, 1]),
    ])
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try IDXDataset.load(directory: directory)
    #expect(data.train == nil)
    #expect(data.test.images.shape == [3, 4, 4])
    #expect(data.test.countsPerClass(2) == [1, 2])
  }

  @Test func aFolderWithAllFourFilesLoadsBothSets() throws {
    let directory = try folder([
      "train-images-idx3-ubyte": idxImageBytes(5, 4, 4),
      "train-labels-idx1-ubyte.gz": Gzip.compress(idxLabelBytes([0, 1, 2, 3, 4])),
      "t10k-images-idx3-ubyte": idxImageBytes(2, 4, 4),
      "t10k-labels-idx1-ubyte": idxLabelBytes([5, 6]),
    ])
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try IDXDataset.load(directory: directory)
    #expect(data.train?.count == 5 && data.test.labels == [5, 6])
  }

  @Test func missingFilesListWhatWasLookedFor() throws {
    let directory = try folder(["t10k-images-idx3-ubyte": idxImageBytes(1, 2, 2)])
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let error = expectDataFileError { _ = try IDXDataset.load(directory: directory) }
    #expect(error?.kind == .missing)
    #expect(error?.message == "no t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz")
    #expect(error?.note?.contains("t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte") == true)
    let none = expectDataFileError { _ = try IDXDataset.load(directory: directory + "/nope") }
    #expect(none?.kind == .missing)
  }

  @Test func halfATrainingPairIsAnError() throws {
    let directory = try folder([
      "train-images-idx3-ubyte": idxImageBytes(1, 2, 2),
      "t10k-images-idx3-ubyte": idxImageBytes(1, 2, 2),
      "t10k-labels-idx1-ubyte": idxLabelBytes([0]),
    ])
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let error = expectDataFileError { _ = try IDXDataset.load(directory: directory) }
    #expect(
      error?.message.hasPrefix(
        "no train-labels-idx1-ubyte or train-labels-idx1-ubyte.gz to go with") == true)
  }

  @Test func disagreeingCountsAndSizesAreErrors() throws {
    let counts = try folder([
      "t10k-images-idx3-ubyte": idxImageBytes(3, 2, 2),
      "t10k-labels-idx1-ubyte": idxLabelBytes([0, 1]),
    ])
    defer { try? FileManager.default.removeItem(atPath: counts) }
    let error = expectDataFileError { _ = try IDXDataset.load(directory: counts) }
    #expect(error?.kind == .mismatch)
    #expect(error?.file == counts + "/t10k-labels-idx1-ubyte")
    #expect(error?.message == "has 2 labels but \(counts)/t10k-images-idx3-ubyte has 3 images")

    let sizes = try folder([
      "train-images-idx3-ubyte": idxImageBytes(1, 3, 3),
      "train-labels-idx1-ubyte": idxLabelBytes([0]),
      "t10k-images-idx3-ubyte": idxImageBytes(1, 2, 2),
      "t10k-labels-idx1-ubyte": idxLabelBytes([0]),
    ])
    defer { try? FileManager.default.removeItem(atPath: sizes) }
    #expect(expectDataFileError { _ = try IDXDataset.load(directory: sizes) }?.kind == .mismatch)
  }

  // MARK: - Data sources

  @Test func dataSourceNamesResolve() throws {
    #expect(try DataSource.resolve("xo") == .xo)
    let mnist = try #require(Self.bundledMNIST())
    #expect(mnist.hasSuffix("assets/mnist"))
    let directory = try folder(["t10k-images-idx3-ubyte.gz": []])
    defer { try? FileManager.default.removeItem(atPath: directory) }
    #expect(
      try DataSource.resolve("fashion", fashionDirectory: directory)
        == .idx(directory: directory, name: "fashion"))
    #expect(try DataSource.resolve(directory) == .idx(directory: directory, name: directory))
    #expect(DataSource.xo.classNames == ["X", "O"])
  }

  @Test func theFashionFolderByPathGetsFashionClassNames() throws {
    let fashion = try folder(["t10k-images-idx3-ubyte.gz": []])
    let other = try folder(["t10k-images-idx3-ubyte.gz": []])
    let link = fashion + "-link"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fashion)
    defer {
      for path in [fashion, other, link] { try? FileManager.default.removeItem(atPath: path) }
    }
    let parent = (fashion as NSString).deletingLastPathComponent
    let leaf = (fashion as NSString).lastPathComponent
    for spelling in [fashion, fashion + "/", fashion + "/.", parent + "/./" + leaf, link] {
      let source = try DataSource.resolve(spelling, fashionDirectory: fashion)
      #expect(source == .idx(directory: spelling, name: "fashion"), "\(spelling)")
      #expect(source.classNames.first == "T-shirt/top", "\(spelling)")
    }
    let digits = try DataSource.resolve(other, fashionDirectory: fashion)
    #expect(digits.classNames == (0..<10).map(String.init))
  }

  @Test func missingFashionMNISTSaysHowToInstallIt() {
    let error = expectDataFileError {
      _ = try DataSource.resolve("fashion", fashionDirectory: "/nonexistent/fashion-mnist")
    }
    #expect(error?.message == "Fashion-MNIST is not installed")
    #expect(error?.note?.contains("sudo apt-get install dataset-fashion-mnist") == true)
  }

  @Test func unknownNamesAndFilesAreErrors() throws {
    #expect(expectDataFileError { _ = try DataSource.resolve("no-such-data") }?.kind == .missing)
    let directory = try folder(["plain": [1]])
    defer { try? FileManager.default.removeItem(atPath: directory) }
    #expect(
      expectDataFileError { _ = try DataSource.resolve(directory + "/plain") }?.kind == .unreadable)
    #expect(
      expectDataFileError { _ = try DataSource.resolve("mnist", assetsDirectory: directory) }?.kind
        == .missing)
  }

  @Test(.enabled(if: FileManager.default.fileExists(atPath: DataSource.fashionDirectory)))
  func readsTheInstalledFashionMNISTTestSet() throws {
    let folder = DataSource.fashionDirectory
    let test = try IDXDataset.loadPair(
      images: folder + "/t10k-images-idx3-ubyte.gz", labels: folder + "/t10k-labels-idx1-ubyte.gz")
    #expect(test.images.shape == [10_000, 28, 28])
    #expect(test.countsPerClass(10) == Array(repeating: 1000, count: 10))
    #expect(DataSource.idx(directory: folder, name: "fashion").classNames[9] == "Ankle boot")
  }
}
