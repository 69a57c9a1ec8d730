@testable import CNNLabData
import CNNLabEngine
import CNNLabTestSupport
import Testing

/// A model with dropout saves and loads like any other: the layer has no tensors, the spec in
/// the metadata keeps it, and the loaded model predicts as the saved one (dropout is the
/// identity at evaluation).
@Suite struct DropoutModelFileTests {
  @Test func aModelWithDropoutSavesAndLoads() throws {
    let folder = try ScratchFolder()
    defer { folder.remove() }
    let spec = "conv 2 3x3 relu | dropout 0.25 | maxpool 2 | dense 6 relu | dropout 0.5 | dense 2"
    let network = try Network(spec, inputShape: [1, 9, 9], seed: 3)
    let model = ModelFile(
      network: network, classNames: ["X", "O"], inputScale: 1, inputOffset: 0, data: "xo", epochs: 1)
    let names = model.safetensors.tensors.keys.sorted()
    #expect(names == ["layers.0.bias", "layers.0.weight", "layers.3.bias", "layers.3.weight", "layers.5.bias", "layers.5.weight"])
    let path = folder.file("dropout.safetensors")
    try model.write(to: path)
    let loaded = try ModelFile.read(path: path)
    #expect(loaded.network.spec.description == spec)
    #expect(loaded.network.spec.layers[1] == .dropout(0.25))
    #expect(loaded.network.parameters.map(\.value) == network.parameters.map(\.value))
    let images = TrainingData.xo(trainingCount: 0, validationCount: 0, testCount: 16).test.inputs
    var (a, b) = (network, loaded.network)
    #expect(a.forward(images) == b.forward(images))
  }
}
