import CNNLabEngine
import Foundation

// The reference fixtures written by scripts/make_fixtures.py (NumPy/SciPy in float64, checked
// against PyTorch), decoded. Each file's "producedBy" says which library versions made it;
// the script's docstring gives the conventions (layouts, padding, pooling, flips).

/// A tensor as the fixtures store it: a shape and its values, row-major.
struct FixtureTensor: Decodable, Sendable {
  let shape: [Int]
  let values: [Float]

  var tensor: Tensor { Tensor(shape: shape, scalars: values) }
  /// The same values with `shape` (for adding or dropping axes of extent 1).
  func tensor(_ shape: [Int]) -> Tensor { Tensor(shape: shape, scalars: values) }
}

struct FixturePadding: Decodable, Sendable {
  /// "valid", "same" or "explicit"; the other fields are the zeros that rule adds.
  let kind: String
  let top: Int?
  let bottom: Int?
  let left: Int
  let right: Int
}

/// One 2-D convolution: input (C, H, W), weights (F, C, KH, KW), output (F, OH, OW), and the
/// gradients of L = Σ output · dOutput.
struct Conv2DCase: Decodable, Sendable, CustomStringConvertible {
  let name: String
  let mode: String
  let stride: [Int]
  let dilation: [Int]
  let padding: FixturePadding
  let normalise: Bool
  let input: FixtureTensor
  let weights: FixtureTensor
  let bias: FixtureTensor?
  let output: FixtureTensor
  let dOutput: FixtureTensor
  let dInput: FixtureTensor
  let dWeights: FixtureTensor
  let dBias: FixtureTensor?

  var description: String { name }
}

/// One 1-D convolution: input (C, L), weights (F, C, K), output (F, L').
struct Conv1DCase: Decodable, Sendable, CustomStringConvertible {
  let name: String
  let mode: String
  let stride: Int
  let dilation: Int
  let padding: FixturePadding
  let input: FixtureTensor
  let weights: FixtureTensor
  let bias: FixtureTensor?
  let output: FixtureTensor
  let dOutput: FixtureTensor
  let dInput: FixtureTensor
  let dWeights: FixtureTensor
  let dBias: FixtureTensor?

  var description: String { name }
}

/// One pooling pass over (C, H, W), no padding, with the backward of an upstream gradient.
struct PoolCase: Decodable, Sendable, CustomStringConvertible {
  let name: String
  let kind: String
  let window: [Int]
  let stride: [Int]
  let ceilMode: Bool
  let input: FixtureTensor
  let output: FixtureTensor
  let dOutput: FixtureTensor
  let dInput: FixtureTensor

  var description: String { name }
}

struct DenseCase: Decodable, Sendable, CustomStringConvertible {
  let name: String
  let input: FixtureTensor  // (N, I)
  let weights: FixtureTensor  // (O, I)
  let bias: FixtureTensor
  let output: FixtureTensor
  let dOutput: FixtureTensor
  let dInput: FixtureTensor
  let dWeights: FixtureTensor
  let dBias: FixtureTensor

  var description: String { name }
}

struct ActivationCase: Decodable, Sendable, CustomStringConvertible {
  let name: String
  let kind: String
  let input: FixtureTensor
  let output: FixtureTensor
  let dOutput: FixtureTensor
  let dInput: FixtureTensor

  var description: String { name }
}

struct SoftmaxCase: Decodable, Sendable, CustomStringConvertible {
  let name: String
  let input: FixtureTensor  // (N, K) logits, one softmax per row
  let output: FixtureTensor
  let dOutput: FixtureTensor
  let dInput: FixtureTensor

  var description: String { name }
}

struct CrossEntropyCase: Decodable, Sendable, CustomStringConvertible {
  let name: String
  let logits: FixtureTensor
  let labels: [Int]
  let loss: Float  // the batch mean
  let dLogits: FixtureTensor

  var description: String { name }
}

struct LayerFixtures: Decodable, Sendable {
  let dense: [DenseCase]
  let activations: [ActivationCase]
  let softmax: [SoftmaxCase]
  let softmaxCrossEntropy: [CrossEntropyCase]
}

/// One training step of the mnist-small network in PyTorch's layouts.
struct MnistStepFixture: Decodable, Sendable {
  struct Parameters: Decodable, Sendable {
    let conv1Weight: FixtureTensor  // (8, 1, 5, 5)
    let conv1Bias: FixtureTensor
    let conv2Weight: FixtureTensor  // (16, 8, 5, 5)
    let conv2Bias: FixtureTensor
    let fcWeight: FixtureTensor  // (10, 784), inputs in (C, H, W) flatten order
    let fcBias: FixtureTensor

    enum CodingKeys: String, CodingKey {
      case conv1Weight = "conv1.weight", conv1Bias = "conv1.bias"
      case conv2Weight = "conv2.weight", conv2Bias = "conv2.bias"
      case fcWeight = "fc.weight", fcBias = "fc.bias"
    }

    /// In the order layers list them: weight before bias, first layer first.
    var inOrder: [(name: String, value: FixtureTensor)] {
      [
        ("conv1.weight", conv1Weight), ("conv1.bias", conv1Bias), ("conv2.weight", conv2Weight),
        ("conv2.bias", conv2Bias), ("fc.weight", fcWeight), ("fc.bias", fcBias),
      ]
    }
  }

  struct SGDStep: Decodable, Sendable {
    let learningRate: Float
    let momentum: Float
    let steps: Int
    let lossAfterStep1: Float
    let parametersAfter: Parameters
  }

  struct AdamStep: Decodable, Sendable {
    let learningRate: Float
    let beta1: Float
    let beta2: Float
    let epsilon: Float
    let steps: Int
    let parametersAfter: Parameters
  }

  let network: String
  let images: FixtureTensor  // (4, 1, 28, 28)
  let labels: [Int]
  let initialParameters: Parameters
  let logits: FixtureTensor  // (4, 10)
  let loss: Float
  let gradients: Parameters
  let sgd: SGDStep
  let adam: AdamStep
}

/// Loads the fixture files once.
enum ReferenceFixtures {
  struct Missing: Error, CustomStringConvertible {
    let name: String
    var description: String {
      "Fixtures/\(name).json is missing: run scripts/make_fixtures.py"
    }
  }

  private struct Cases<Case: Decodable>: Decodable { let cases: [Case] }

  static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
    guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures")
    else { throw Missing(name: name) }
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
  }

  static func conv2D() throws -> [Conv2DCase] { try load("conv2d", as: Cases<Conv2DCase>.self).cases }
  static func conv1D() throws -> [Conv1DCase] { try load("conv1d", as: Cases<Conv1DCase>.self).cases }
  static func pool() throws -> [PoolCase] { try load("pool", as: Cases<PoolCase>.self).cases }
  static func layers() throws -> LayerFixtures { try load("layers", as: LayerFixtures.self) }
  static func mnistStep() throws -> MnistStepFixture {
    try load("mnist_small_step", as: MnistStepFixture.self)
  }
}
