import CNNLabData
import CNNLabEngine
import Foundation
import Testing

@testable import CNNLabLessons

/// Lesson 13 runs `assets/models/mnist-pipeline.safetensors` on a held-out digit. If the model
/// format changes, or the file is retrained, this fails rather than the lesson breaking quietly.
@Suite struct ShippedModelTests {
  static let path = repositoryRoot.appendingPathComponent("assets/models/mnist-pipeline.safetensors").path
  /// The network `assets/README.md` gives for it.
  static let spec = "conv 8 5x5 stride 2 pad 2 relu | maxpool 2 | conv 16 3x3 pad 1 relu | maxpool 2 ceil | dense 10"

  @Test func theShippedModelLoadsWithItsNetwork() throws {
    let model = try ModelFile.read(path: Self.path)
    let planned = try Network(Self.spec, inputShape: [1, 28, 28])
    #expect(model.network.inputShape == [1, 28, 28])
    #expect(model.network.info.map(\.text) == planned.info.map(\.text))
    #expect(model.network.parameterCount == 3946)
    #expect(model.classNames == (0...9).map(String.init))
    // A few tens of KB at most.
    let bytes = try #require(FileManager.default.attributesOfItem(atPath: Self.path)[.size] as? Int)
    #expect(bytes < 40_000)
  }

  /// Digit 2 of the held-out set is labelled 2 in `t10k-labels-idx1-ubyte.gz` (read with Python's
  /// gzip module: the bytes after the 8-byte header are 3, 1, 2, ...), and the model says 2.
  @Test func lessonThirteenShowsTheModelReadingTheDigitRight() throws {
    let course = Course.load(directory: repositoryRoot.appendingPathComponent("lessons").path)
    let entry = try #require(course.entries.first { $0.name == "13-the-whole-network" })
    #expect(course.diagnostics.filter { $0.file == entry.file }.isEmpty)
    let lesson = try #require(entry.lesson)
    let pipelines = ScenePlanner.plan(lesson).compactMap { scene -> PipelineAnimation? in
      if case .pipeline(let pipeline)? = scene.animation { return pipeline }
      return nil
    }
    let pipeline = try #require(pipelines.first)
    #expect(pipeline.predicted == 2)
    #expect(pipeline.probabilities.count == 10)
    #expect(abs(pipeline.probabilities.reduce(0, +) - 1) < 1e-5)
    // The input, four layers (the flatten the network adds itself is not drawn), the probabilities.
    #expect(pipeline.stages.map { $0.tensor.shape } == [[1, 28, 28], [8, 14, 14], [8, 7, 7], [16, 7, 7], [16, 4, 4], [10], [10]])
    // The same answer as `cnnlab predict` gives: the model's own forward pass on the pixels / 255.
    var network = try ModelFile.read(path: Self.path).network
    let digit = try #require(lesson.grids.first { $0.name.name == "digit" }?.values)
    let logits = network.forward(Tensor(shape: [1, 1, 28, 28], scalars: digit.map { Float($0) / 255 })).scalars
    #expect(logits.indices.max { logits[$0] < logits[$1] } == 2)
  }
}
