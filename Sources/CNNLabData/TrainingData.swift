import CNNLabEngine
import Foundation

// N = examples, H/W = image height/width.

/// A data set ready for training: `(N, 1, H, W)` images scaled for the network, labels, class
/// names, and the split into training, validation and test examples.
///
/// - `xo`: X/O images from `XOGenerator` at 9x9 with every variation, drawn from fixed seeds, so
///   every run (and `cnnlab eval`) sees the same sets. Pixels are −1 or +1.
/// - An IDX folder (`mnist`, `fashion`, a path): the validation set is 10% of each class of the
///   `train-` files, drawn with a fixed seed (`stratifiedSplit`); the rest is the training set,
///   and the `t10k-` files are the test set. Pixels are byte/255, as in the benchmark.
///
/// A test score means something only on images that never chose anything: the validation set
/// picks the epoch, the rate and the network, so it can never double as the test set.
public struct TrainingData: Sendable {
  /// What `--data` said: `xo`, `mnist`, `fashion` or a folder.
  public var name: String
  /// Nil for a folder with only the `t10k-` files (enough to evaluate, not to train).
  public var training: LabelledSet?
  public var validation: LabelledSet
  /// Scored once, at the end of a run; empty when the data has no test images.
  public var test: LabelledSet
  /// Where each set comes from, e.g. `train-images-idx3-ubyte (10% of each class, seed 10)`.
  public var origin: Origin
  public var classNames: [String]
  /// How a stored pixel becomes a network input: `input = pixel · scale + offset`. The pixel is
  /// the value in the data's own files: 0…255 for IDX bytes, −1/+1 for X/O grids.
  public var inputScale: Float
  public var inputOffset: Float

  /// Where the training, validation and test images come from, in words for a person.
  public struct Origin: Equatable, Sendable {
    public var training: String
    public var validation: String
    public var test: String

    public init(training: String, validation: String, test: String) {
      self.training = training
      self.validation = validation
      self.test = test
    }
  }

  /// One example's shape, `[1, H, W]`.
  public var inputShape: [Int] { test.inputs.exampleShape }

  /// Examples per split of the X/O set.
  public static let xoCounts = (training: 2000, validation: 500, test: 500)
  /// The seeds the X/O splits are drawn from.
  public static let xoSeeds: (training: UInt64, validation: UInt64, test: UInt64) = (101, 202, 303)

  /// The X/O set: balanced, shuffled, with translation, scaling, rotation, stroke weight and
  /// noise (the lecture's trickier cases).
  public static func xo(
    trainingCount: Int = xoCounts.training, validationCount: Int = xoCounts.validation,
    testCount: Int = xoCounts.test
  ) -> TrainingData {
    func set(_ count: Int, _ seed: UInt64) -> LabelledSet {
      XOGenerator.dataset(count: count, seed: seed).labelledSet(classCount: 2)
    }
    return TrainingData(
      name: "xo", training: set(trainingCount, xoSeeds.training),
      validation: set(validationCount, xoSeeds.validation), test: set(testCount, xoSeeds.test),
      origin: Origin(
        training: "generated, seed \(xoSeeds.training)",
        validation: "generated, seed \(xoSeeds.validation)",
        test: "generated, seed \(xoSeeds.test)"),
      classNames: DataSource.xo.classNames, inputScale: 1, inputOffset: 0)
  }

  /// Loads what `--data` names (see `DataSource.resolve`).
  public static func load(
    _ name: String, fashionDirectory: String = DataSource.fashionDirectory,
    assetsDirectory: String? = nil
  ) throws -> TrainingData {
    let source = try DataSource.resolve(
      name, fashionDirectory: fashionDirectory, assetsDirectory: assetsDirectory)
    switch source {
    case .xo:
      return .xo()
    case .idx(let directory, let sourceName):
      let classCount = source.classNames.count
      let set = try IDXDataset.load(directory: directory, classCount: classCount)
      let test = set.test.labelledSet(classCount: classCount)
      let percent = Int(validationFraction * 100)
      let trainFile = IDXDataset.trainImagesName
      var testOrigin = IDXDataset.testImagesName
      if sourceName == "mnist" {
        testOrigin += " (digits held out of the bundled sample, not the official MNIST test set)"
      }
      let origin = Origin(
        training: "\(trainFile) (the other \(100 - percent)%)",
        validation: "\(trainFile) (\(percent)% of each class, seed \(validationSeed))",
        test: testOrigin)
      // A folder with only the t10k- pair has nothing to train on or to validate with.
      guard let train = set.train?.labelledSet(classCount: classCount) else {
        return TrainingData(
          name: name, training: nil, validation: test.subset([]), test: test, origin: origin,
          classNames: source.classNames, inputScale: 1 / 255, inputOffset: 0)
      }
      let split = stratifiedSplit(
        labels: train.labels, classCount: classCount, fraction: validationFraction,
        seed: validationSeed)
      return TrainingData(
        name: name, training: train.subset(split.training),
        validation: train.subset(split.validation), test: test, origin: origin,
        classNames: source.classNames, inputScale: 1 / 255, inputOffset: 0)
    }
  }

  /// The share of each class of an IDX folder's `train-` files kept back for validation.
  public static let validationFraction = 0.1
  /// The seed that draws them: fixed, so every run (whatever its `--seed`) is judged on the
  /// same validation images.
  public static let validationSeed: UInt64 = 10

  /// Splits examples by label into training and validation indices: for each class in label
  /// order, its indices (in file order) are shuffled by one SplitMix64 stream seeded with
  /// `seed` (Fisher-Yates, `i` from the last down to 1 swapped with `next() mod (i + 1)`), and
  /// the first `round(fraction · count)` go to validation. Both lists come back in file order.
  /// Labels outside `0..<classCount` stay in training.
  public static func stratifiedSplit(
    labels: [Int], classCount: Int, fraction: Double, seed: UInt64
  ) -> (training: [Int], validation: [Int]) {
    var byClass = [[Int]](repeating: [], count: classCount)
    for (i, label) in labels.enumerated() where (0..<classCount).contains(label) {
      byClass[label].append(i)
    }
    var rng = SplitMix64(seed: seed)
    var isValidation = [Bool](repeating: false, count: labels.count)
    for var indices in byClass {
      for i in indices.indices.dropFirst().reversed() {
        indices.swapAt(i, Int(rng.next() % UInt64(i + 1)))
      }
      let count = Int((Double(indices.count) * fraction).rounded())
      for i in indices.prefix(count) { isValidation[i] = true }
    }
    let all = Array(labels.indices)
    return (all.filter { !isValidation[$0] }, all.filter { isValidation[$0] })
  }

  /// A one-line description, e.g. `mnist: 4,500 training, 500 validation, 500 test images, 28x28`.
  public var summary: String {
    let shape = inputShape
    func grouped(_ n: Int) -> String {
      let digits = Array(String(n))
      return String(
        digits.enumerated().flatMap { i, d in
          i > 0 && (digits.count - i) % 3 == 0 ? [",", d] : [d]
        })
    }
    var parts: [String] = []
    if let training { parts.append("\(grouped(training.count)) training") }
    parts.append("\(grouped(validation.count)) validation")
    parts.append("\(grouped(test.count)) test images")
    return "\(name): \(parts.joined(separator: ", ")), \(shape[1])x\(shape[2])"
  }
}

extension LabelledSet {
  /// The examples at `indices`, in that order.
  public func subset(_ indices: [Int]) -> LabelledSet {
    let (inputs, labels) = batch(indices)
    return LabelledSet(inputs: inputs, labels: labels, classCount: classCount)
  }
}

extension LabeledImages {
  /// `(N, H, W)` images as a one-channel `(N, 1, H, W)` set.
  public func labelledSet(classCount: Int) -> LabelledSet {
    let (n, h, w) = (images.shape[0], images.shape[1], images.shape[2])
    return LabelledSet(
      inputs: images.reshaped([n, 1, h, w]), labels: labels, classCount: classCount)
  }
}
