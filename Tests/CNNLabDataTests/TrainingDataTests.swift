import CNNLabData
import CNNLabEngine
import CNNLabTraining
import Foundation
import Testing

/// A folder under the temporary directory, removed by `remove()`.
struct ScratchFolder {
  let path: String

  init() throws {
    path =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("cnnlab-train-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
  func remove() { try? FileManager.default.removeItem(atPath: path) }
}

func xoRun(seed: UInt64, steps: Int) throws -> TrainingRun {
  let data = TrainingData.xo(trainingCount: 400, validationCount: 100, testCount: 100)
  let config = TrainingConfiguration(
    spec: try NetworkSpec.parse("conv 3 3x3 nobias relu | maxpool 2 ceil | dense 2"),
    inputShape: data.inputShape, optimizer: .momentum, learningRate: 0.05, batchSize: 16,
    seed: seed, stepsPerSnapshot: 5)
  guard let training = data.training else {
    throw DataFileError(file: "xo", kind: .missing, message: "no training set")
  }
  var run = try TrainingRun(
    configuration: config, training: training, validation: data.validation, startPaused: true)
  run.handle(.step(steps))
  while run.wantsToRun { run.advance() }
  return run
}

@Suite struct TrainingDataTests {
  @Test func xoSplitsAreBalancedSeededAndNineByNine() throws {
    let data = TrainingData.xo()
    let training = try #require(data.training)
    #expect(training.count == 2000 && data.validation.count == 500 && data.test.count == 500)
    #expect(data.inputShape == [1, 9, 9])
    #expect(training.labels.filter { $0 == 0 }.count == 1000)
    #expect(data.test.labels.filter { $0 == 1 }.count == 250)
    #expect(data.classNames == ["X", "O"])
    #expect(Set(training.inputs.scalars) == [-1, 1])
    // The same seeds every time, and different images in each split.
    #expect(TrainingData.xo().test.inputs == data.test.inputs)
    #expect(data.validation.inputs.slice(0) != data.test.inputs.slice(0))
  }

  @Test func bundledMNISTIsTheSample() throws {
    let data = try TrainingData.load("mnist")
    let training = try #require(data.training)
    #expect(training.count + data.validation.count == 4500 && data.test.count == 500)
    #expect(data.inputShape == [1, 28, 28])
    #expect(training.inputs.scalars.max() == 1 && training.inputs.scalars.min() == 0)
    #expect(data.inputScale == Float(1) / 255)
  }

  @Test(.enabled(if: FileManager.default.fileExists(atPath: DataSource.fashionDirectory)))
  func fashionComesFromTheDebianPackage() throws {
    let data = try TrainingData.load("fashion")
    #expect((data.training?.count ?? 0) + data.validation.count == 60000 && data.test.count == 10000)
    #expect(data.classNames.first == "T-shirt/top" && data.classNames.count == 10)
  }

  @Test func missingAssetsGiveAClearError() throws {
    let folder = try ScratchFolder()
    defer { folder.remove() }
    #expect {
      try TrainingData.load("mnist", assetsDirectory: folder.path)
    } throws: { error in
      "\(error)".contains("the bundled MNIST sample was not found")
        && "\(error)".contains("CNNLAB_ASSETS")
    }
  }

  @Test func aSeededXORunLearns() throws {
    let run = try xoRun(seed: 4, steps: 60)
    let losses = run.snapshot.losses
    #expect(losses.count == 60)
    let first = losses.prefix(10).reduce(0, +) / 10
    let last = losses.suffix(10).reduce(0, +) / 10
    #expect(last < first * 0.5, "loss went from \(first) to \(last)")
    var network = run.trainer.network
    #expect(
      network.evaluate(TrainingData.xo(trainingCount: 0, validationCount: 0).test).accuracy > 0.9)
  }

  @Test func twoXORunsWithOneSeedAreIdentical() throws {
    let a = try xoRun(seed: 9, steps: 20)
    let b = try xoRun(seed: 9, steps: 20)
    #expect(a.snapshot.losses == b.snapshot.losses)
    #expect(a.trainer.network.parameters == b.trainer.network.parameters)
    let c = try xoRun(seed: 10, steps: 20)
    #expect(c.snapshot.losses != a.snapshot.losses)
  }
}

@Suite struct ModelFileTests {
  func trainedModel() throws -> ModelFile {
    let run = try xoRun(seed: 2, steps: 10)
    return ModelFile(
      network: run.trainer.network, classNames: ["X", "O"], inputScale: 1, inputOffset: 0,
      data: "xo", epochs: 1)
  }

  @Test func savingAndLoadingGivesIdenticalPredictions() throws {
    let folder = try ScratchFolder()
    defer { folder.remove() }
    let model = try trainedModel()
    let path = folder.file("xo.safetensors")
    try model.write(to: path)
    let loaded = try ModelFile.read(path: path)
    #expect(loaded.network.spec == model.network.spec)
    #expect(loaded.network.inputShape == [1, 9, 9])
    #expect(loaded.classNames == ["X", "O"] && loaded.data == "xo" && loaded.epochs == 1)
    #expect(loaded.network.parameters.map(\.value) == model.network.parameters.map(\.value))
    let images = TrainingData.xo(trainingCount: 0, validationCount: 0, testCount: 64).test.inputs
    var a = model.network
    var b = loaded.network
    #expect(a.forward(images) == b.forward(images))
  }

  @Test func tensorsHavePyTorchNames() throws {
    let st = try trainedModel().safetensors
    #expect(st.tensors.keys.sorted() == ["layers.0.weight", "layers.2.bias", "layers.2.weight"])
    #expect(st.tensors["layers.0.weight"]?.shape == [3, 1, 3, 3])
    #expect(st.tensors["layers.2.weight"]?.shape == [2, 48])
    #expect(st.metadata["spec"] == "conv 3 3x3 nobias relu | maxpool 2 ceil | dense 2")
    #expect(st.metadata["input_shape"] == "1x9x9")
    #expect(st.metadata["class_names"] == "[\"X\",\"O\"]")
    #expect(st.metadata["format"] == "cnnlab-model" && st.metadata["format_version"] == "1")
  }

  @Test func aTruncatedFileIsRejectedWithItsName() throws {
    let folder = try ScratchFolder()
    defer { folder.remove() }
    let bytes = try trainedModel().safetensors.encode()
    let path = folder.file("cut.safetensors")
    try AtomicFile.write(Array(bytes.prefix(bytes.count - 7)), to: path)
    #expect {
      try ModelFile.read(path: path)
    } throws: { error in
      guard let e = error as? DataFileError, case .truncated = e.kind else { return false }
      return e.file == path
    }
  }

  @Test func garbageIsNotAModel() throws {
    let folder = try ScratchFolder()
    defer { folder.remove() }
    let path = folder.file("noise.safetensors")
    try AtomicFile.write(Array("this is not a model at all".utf8), to: path)
    #expect(throws: DataFileError.self) { try ModelFile.read(path: path) }
  }

  @Test func aWrongShapeOrMissingTensorIsNamed() throws {
    var st = try trainedModel().safetensors
    st.tensors["layers.2.weight"] = Tensor.zeros([2, 47])
    #expect {
      try ModelFile.decode(st, file: "m.safetensors")
    } throws: { error in
      "\(error)".contains(
        "m.safetensors: error: tensor \"layers.2.weight\" has shape 2x47 but the spec needs 2x48")
    }
    st.tensors["layers.2.weight"] = nil
    #expect {
      try ModelFile.decode(st, file: "m.safetensors")
    } throws: { error in
      "\(error)".contains("tensor \"layers.2.weight\" is missing")
    }
  }

  @Test func nonFiniteWeightsAreRefused() throws {
    var st = try trainedModel().safetensors
    st.tensors["layers.2.bias"] = Tensor(vector: [0, .nan])
    #expect {
      try ModelFile.decode(st, file: "m.safetensors")
    } throws: { error in
      "\(error)".contains("tensor \"layers.2.bias\" holds NaN or infinite values")
    }
  }

  @Test func foreignSafetensorsAndMissingMetadataAreExplained() throws {
    var st = try trainedModel().safetensors
    st.metadata["format"] = nil
    #expect {
      try ModelFile.decode(st, file: "m.safetensors")
    } throws: { error in "\(error)".contains("not a cnnlab model") }
    st.metadata["format"] = "cnnlab-model"
    st.metadata["spec"] = nil
    #expect {
      try ModelFile.decode(st, file: "m.safetensors")
    } throws: { error in "\(error)".contains("the metadata has no \"spec\"") }
  }
}
