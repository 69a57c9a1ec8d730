import CNNLabData
import CNNLabEngine
import Testing

/// The 5,000-digit sample in assets/mnist (made by scripts/convert_mnist5k.py).
@Suite struct MNISTSampleTests {
  @Test func bundledSampleHas450And50DigitsPerClass() throws {
    let directory = try #require(IDXTests.bundledMNIST())
    let data = try IDXDataset.load(directory: directory)
    let train = try #require(data.train)
    #expect(train.images.shape == [4500, 28, 28])
    #expect(data.test.images.shape == [500, 28, 28])
    #expect(train.countsPerClass(10) == Array(repeating: 450, count: 10))
    #expect(data.test.countsPerClass(10) == Array(repeating: 50, count: 10))
    // Real digits: pixels span 0...1 and about a fifth of each image is ink.
    let ink = data.test.images.scalars.filter { $0 > 0.5 }.count
    #expect(data.test.images.scalars.max() == 1 && data.test.images.scalars.min() == 0)
    #expect(ink > 500 * 784 / 20 && ink < 500 * 784 / 3)
  }
}
