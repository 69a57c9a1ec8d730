import CNNLabData
import CNNLabEngine
import Foundation
import Testing

/// Writes an uncompressed IDX folder of 2x2 images whose pixels all equal the image's number in
/// its file, so every loaded image can be traced back to the file and position it came from.
func writeTracedIDXFolder(trainLabels: [UInt8], testLabels: [UInt8]) throws -> String {
  let folder = try makeTemporaryDirectory()
  func images(_ n: Int) -> [UInt8] {
    idxImageBytes(n, 2, 2, pixels: (0..<n).flatMap { [UInt8](repeating: UInt8($0), count: 4) })
  }
  try write(images(trainLabels.count), folder, IDXDataset.trainImagesName)
  try write(idxLabelBytes(trainLabels), folder, IDXDataset.trainLabelsName)
  try write(images(testLabels.count), folder, IDXDataset.testImagesName)
  try write(idxLabelBytes(testLabels), folder, IDXDataset.testLabelsName)
  return folder
}

/// The file positions of a traced set's images (see `writeTracedIDXFolder`).
func tracedPositions(_ set: LabelledSet) -> [Int] {
  (0..<set.count).map { Int((set.inputs.scalars[$0 * 4] * 255).rounded()) }
}

@Suite struct HonestSplitTests {
  /// 45, 25 and 20 examples of three classes, interleaved (7 is prime to 90, so `7i mod 90`
  /// visits every position once).
  let labels: [Int] = {
    let sorted = [Int](repeating: 0, count: 45) + [Int](repeating: 1, count: 25) + [Int](repeating: 2, count: 20)
    return (0..<90).map { sorted[$0 * 7 % 90] }
  }()

  @Test func theSplitTakesATenthOfEachClassAndKeepsTheRest() {
    let counts = (0..<3).map { c in labels.filter { $0 == c }.count }
    #expect(counts == [45, 25, 20])
    let split = TrainingData.stratifiedSplit(labels: labels, classCount: 3, fraction: 0.1, seed: 10)
    let validationCounts = (0..<3).map { c in split.validation.filter { labels[$0] == c }.count }
    #expect(validationCounts == [5, 3, 2])  // 4.5 and 2.5 round away from zero
    #expect(split.validation.count == validationCounts.reduce(0, +))
    #expect(Set(split.training).isDisjoint(with: split.validation))
    #expect((split.training + split.validation).sorted() == Array(labels.indices))
    #expect(split.training == split.training.sorted() && split.validation == split.validation.sorted())
  }

  @Test func theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
    let a = TrainingData.stratifiedSplit(labels: labels, classCount: 3, fraction: 0.1, seed: 10)
    let b = TrainingData.stratifiedSplit(labels: labels, classCount: 3, fraction: 0.1, seed: 10)
    let c = TrainingData.stratifiedSplit(labels: labels, classCount: 3, fraction: 0.1, seed: 11)
    #expect(a.validation == b.validation && a.training == b.training)
    #expect(a.validation != c.validation)
    // Not simply the first or last of each class: the draw is shuffled.
    let firsts = (0..<3).flatMap { c in labels.indices.filter { labels[$0] == c }.prefix(3) }
    #expect(Set(a.validation) != Set(firsts))
  }

  @Test func anIDXFolderValidatesOnItsTrainingFilesAndTestsOnItsT10kFiles() throws {
    let trainLabels = (0..<200).map { UInt8($0 % 10) }
    let testLabels = (0..<30).map { UInt8($0 % 10) }
    let folder = try writeTracedIDXFolder(trainLabels: trainLabels, testLabels: testLabels)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let data = try TrainingData.load(folder)
    let training = try #require(data.training)
    #expect(training.count == 180 && data.validation.count == 20 && data.test.count == 30)
    // Two of each class, from the training file, and none of them also trained on.
    #expect((0..<10).map { c in data.validation.labels.filter { $0 == c }.count } == [Int](repeating: 2, count: 10))
    let trainingPositions = tracedPositions(training)
    let validationPositions = tracedPositions(data.validation)
    #expect(Set(trainingPositions).isDisjoint(with: validationPositions))
    #expect((trainingPositions + validationPositions).sorted() == Array(0..<200))
    #expect(validationPositions.map { Int(trainLabels[$0]) } == data.validation.labels)
    #expect(tracedPositions(data.test) == Array(0..<30) && data.test.labels == testLabels.map(Int.init))
    // The split is the documented one, so loading again gives the same images.
    let split = TrainingData.stratifiedSplit(
      labels: trainLabels.map(Int.init), classCount: 10, fraction: 0.1, seed: TrainingData.validationSeed)
    #expect(validationPositions == split.validation)
    #expect(tracedPositions(try TrainingData.load(folder).validation) == validationPositions)
    #expect(data.origin.validation == "train-images-idx3-ubyte (10% of each class, seed 10)")
    #expect(data.origin.training == "train-images-idx3-ubyte (the other 90%)")
    #expect(data.origin.test == "t10k-images-idx3-ubyte")
  }

  @Test func theBundledSampleHoldsOutItsT10kDigitsAsATestSetAndSaysWhatTheyAre() throws {
    let data = try TrainingData.load("mnist")
    let training = try #require(data.training)
    #expect(training.count == 4050 && data.validation.count == 450 && data.test.count == 500)
    #expect((0..<10).map { c in training.labels.filter { $0 == c }.count } == [Int](repeating: 405, count: 10))
    #expect((0..<10).map { c in data.validation.labels.filter { $0 == c }.count } == [Int](repeating: 45, count: 10))
    #expect(
      data.origin.test
        == "t10k-images-idx3-ubyte (digits held out of the bundled sample, not the official MNIST test set)")
    #expect(data.summary == "mnist: 4,050 training, 450 validation, 500 test images, 28x28")
  }

  @Test func xoKeepsItsThreeDrawnSets() {
    let data = TrainingData.xo(trainingCount: 20, validationCount: 10, testCount: 10)
    #expect(data.origin == .init(
      training: "generated, seed 101", validation: "generated, seed 202", test: "generated, seed 303"))
  }

  @Test(.enabled(if: FileManager.default.fileExists(atPath: DataSource.fashionDirectory)))
  func fashionValidatesOnSixThousandTrainingImagesAndTestsOnTenThousand() throws {
    let data = try TrainingData.load("fashion")
    #expect(data.training?.count == 54000 && data.validation.count == 6000 && data.test.count == 10000)
  }
}
