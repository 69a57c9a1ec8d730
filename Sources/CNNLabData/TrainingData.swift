import CNNLabEngine
import Foundation

// N = examples, H/W = image height/width.

/// A data set ready for training: `(N, 1, H, W)` images scaled for the network, labels, class
/// names, and the split into training, validation and test examples.
///
/// - `xo`: X/O images from `XOGenerator` at 9x9 with every variation, drawn from fixed seeds, so
///   every run (and `cnnlab eval`) sees the same sets. Pixels are −1 or +1.
/// - An IDX folder (`mnist`, `fashion`, a path): `train-` files for training, and the `t10k-`
///   files for both validation and test (for the bundled MNIST sample the `t10k-` digits are a
///   held-out validation set). Pixels are byte/255, as in the benchmark.
public struct TrainingData: Sendable {
  /// What `--data` said: `xo`, `mnist`, `fashion` or a folder.
  public var name: String
  /// Nil for a folder with only the `t10k-` files (enough to evaluate, not to train).
  public var training: LabelledSet?
  public var validation: LabelledSet
  public var test: LabelledSet
  public var classNames: [String]
  /// How a stored pixel becomes a network input: `input = pixel · scale + offset`. The pixel is
  /// the value in the data's own files: 0…255 for IDX bytes, −1/+1 for X/O grids.
  public var inputScale: Float
  public var inputOffset: Float
  /// True when the test images are the validation images (an IDX folder's `t10k-` files), so a
  /// validation pass of the final weights is also their test score.
  public var testIsValidation = false

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
    case .idx(let directory, _):
      let classNames = source.classNames
      let set = try IDXDataset.load(directory: directory, classCount: classNames.count)
      let test = set.test.labelledSet(classCount: classNames.count)
      return TrainingData(
        name: name, training: set.train?.labelledSet(classCount: classNames.count),
        validation: test, test: test, classNames: classNames, inputScale: 1 / 255, inputOffset: 0,
        testIsValidation: true)
    }
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

extension LabeledImages {
  /// `(N, H, W)` images as a one-channel `(N, 1, H, W)` set.
  public func labelledSet(classCount: Int) -> LabelledSet {
    let (n, h, w) = (images.shape[0], images.shape[1], images.shape[2])
    return LabelledSet(
      inputs: images.reshaped([n, 1, h, w]), labels: labels, classCount: classCount)
  }
}
