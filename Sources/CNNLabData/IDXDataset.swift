import CNNLabEngine
import Foundation

// N = number of images, H/W = image height/width.

/// Images with one class label each.
public struct LabeledImages: Equatable, Sendable {
  /// `(N, H, W)`.
  public var images: Tensor
  /// `N` labels, each in `0..<classCount`.
  public var labels: [Int]

  public init(images: Tensor, labels: [Int]) {
    precondition(images.rank == 3 && images.shape[0] == labels.count, "need (N, H, W) and N labels")
    self.images = images
    self.labels = labels
  }

  public var count: Int { labels.count }

  /// How many images carry each label `0..<classCount`.
  public func countsPerClass(_ classCount: Int) -> [Int] {
    var counts = [Int](repeating: 0, count: classCount)
    for label in labels where label >= 0 && label < classCount { counts[label] += 1 }
    return counts
  }
}

/// An MNIST-style data set read from a folder of the four standard IDX files.
///
/// The folder must hold `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte`; the `train-`
/// pair is optional (a folder with only the t10k pair is enough to evaluate a network). Each
/// file may be gzipped and named with or without `.gz`.
public struct IDXDataset: Equatable, Sendable {
  /// The folder the files came from.
  public var directory: String
  /// The training set, when the folder has one.
  public var train: LabeledImages?
  /// The test (evaluation) set.
  public var test: LabeledImages

  /// The base names looked for, in order: training images and labels, then test ones.
  public static let trainImagesName = "train-images-idx3-ubyte"
  public static let trainLabelsName = "train-labels-idx1-ubyte"
  public static let testImagesName = "t10k-images-idx3-ubyte"
  public static let testLabelsName = "t10k-labels-idx1-ubyte"

  /// Loads the data set in `directory`, checking that each pair agrees and that the training
  /// and test images have the same size.
  public static func load(directory: String, classCount: Int = 10) throws -> IDXDataset {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      throw DataFileError(
        file: directory, kind: .missing, message: "no such folder",
        note: "give a folder holding t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz)")
    }
    let testImages = try find(testImagesName, in: directory)
    let testLabels = try find(testLabelsName, in: directory)
    let test = try loadPair(images: testImages, labels: testLabels, classCount: classCount)

    let trainImages = locate(trainImagesName, in: directory)
    let trainLabels = locate(trainLabelsName, in: directory)
    var train: LabeledImages?
    switch (trainImages, trainLabels) {
    case (nil, nil): train = nil
    case (let images?, let labels?):
      let pair = try loadPair(images: images, labels: labels, classCount: classCount)
      guard Array(pair.images.shape.dropFirst()) == Array(test.images.shape.dropFirst()) else {
        throw DataFileError(
          file: images, kind: .mismatch,
          message:
            "training images are \(pair.images.shape[1])x\(pair.images.shape[2]) but test images "
            + "(\(testImages)) are \(test.images.shape[1])x\(test.images.shape[2])",
          note: "both sets must come from the same data set")
      }
      train = pair
    case (let images?, nil):
      _ = try find(trainLabelsName, in: directory, pairedWith: images)
    case (nil, let labels?):
      _ = try find(trainImagesName, in: directory, pairedWith: labels)
    }
    return IDXDataset(directory: directory, train: train, test: test)
  }

  /// Reads an image file and its label file and checks that their counts agree.
  public static func loadPair(images: String, labels: String, classCount: Int = 10) throws
    -> LabeledImages
  {
    let imageTensor = try IDX.images(try DataFile.readBytes(images), file: images)
    let labelValues = try IDX.labels(
      try DataFile.readBytes(labels), file: labels, classCount: classCount)
    guard imageTensor.shape[0] == labelValues.count else {
      throw DataFileError(
        file: labels, kind: .mismatch,
        message: "has \(labelValues.count) labels but \(images) has \(imageTensor.shape[0]) images",
        note: "the two files must come from the same set (both train- or both t10k-)")
    }
    return LabeledImages(images: imageTensor, labels: labelValues)
  }

  /// The path of `name` or `name.gz` in `directory`, if either exists.
  static func locate(_ name: String, in directory: String) -> String? {
    let base = (directory as NSString).appendingPathComponent(name)
    for candidate in [base, base + ".gz"] where FileManager.default.fileExists(atPath: candidate) {
      return candidate
    }
    return nil
  }

  private static func find(_ name: String, in directory: String, pairedWith other: String? = nil)
    throws -> String
  {
    if let path = locate(name, in: directory) { return path }
    let why = other.map { " to go with \($0)" } ?? ""
    throw DataFileError(
      file: directory, kind: .missing,
      message: "no \(name) or \(name).gz\(why)",
      note:
        "an IDX folder needs t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may end in "
        + ".gz); train-images-idx3-ubyte and train-labels-idx1-ubyte are optional but go together")
  }
}
