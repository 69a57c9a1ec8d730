import CNNLabData
import CNNLabEngine

// `classify GRID with "MODEL FILE" -> NAME`: a trained model (a `cnnlab train --save` file)
// run on one picture, every layer's maps kept; NAME is the ten probabilities, one stage of
// the pipeline per frame. The model file is read by `Course` (the parser only reads text).

public struct ClassifyOperation: Equatable, Sendable {
  public var input: NameReference
  /// The model file, relative to the repository root, and where its path is written.
  public var modelPath: String
  public var modelLocation: SourceLocation
  /// The model, once `Course` has read it.
  public var model: LoadedModel?

  public init(input: NameReference, modelPath: String, modelLocation: SourceLocation, model: LoadedModel? = nil) {
    self.input = input
    self.modelPath = modelPath
    self.modelLocation = modelLocation
    self.model = model
  }
}

/// A model read from a file; two are the same when they come from the same path.
public struct LoadedModel: Equatable, Sendable {
  public var path: String
  public var file: ModelFile

  public init(path: String, file: ModelFile) {
    self.path = path
    self.file = file
  }

  public static func == (a: LoadedModel, b: LoadedModel) -> Bool { a.path == b.path }
}

extension ClassifyOperation: OperationSpec {
  static let keyword = "classify"

  var inputs: [NameReference] { [input] }

  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind {
    let input = try cursor.name("the picture to classify")
    try cursor.expectWord("with", note: "write 'classify GRID with \"assets/models/FILE\" -> NAME'")
    let modelLocation = cursor.here
    let path = try cursor.string("the model file")
    return .classify(ClassifyOperation(input: input, modelPath: path, modelLocation: modelLocation))
  }

  /// Reads the model file, which must lie inside the repository.
  func readingFiles(
    repository: String, file: String, diagnostics: inout [LessonDiagnostic]
  ) -> StepOperation.Kind? {
    let path = modelPath
    guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
      diagnostics.append(
        LessonDiagnostic(
          file: file, at: modelLocation, "'\(path)' is outside the repository",
          note: "use a path relative to the repository root, like \"assets/models/mnist-pipeline.safetensors\""))
      return nil
    }
    do {
      var read = self
      read.model = LoadedModel(path: path, file: try ModelFile.read(path: repository + "/" + path))
      return .classify(read)
    } catch {
      diagnostics.append(
        LessonDiagnostic(
          file: file, at: modelLocation, "cannot load the model '\(path)': \(error)",
          note: "give a model saved by 'cnnlab train --save'; paths are relative to the repository root"))
      return nil
    }
  }

  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation {
    guard let model else {
      throw EvalError(
        location: modelLocation, message: "the model '\(modelPath)' is not loaded",
        note: "give a model saved by 'cnnlab train --save', relative to the repository root")
    }
    var network = model.file.network
    let picture = try run.grid(input)
    let shape = network.inputShape
    guard picture.count == shape.reduce(1, *) else {
      throw EvalError(
        location: input.location,
        message: "'\(input.name)' has \(picture.count) values but the model takes \(shapeText(shape)) pictures",
        note: "give a picture of exactly that size")
    }
    // The picture as the model was trained to read it (MNIST: pixel / 255).
    let x = picture.map { $0 * model.file.inputScale + model.file.inputOffset }.reshaped([1] + shape)
    let outputs = network.activations(x)
    var stages = [PipelineStage(name: input.name, text: "input", tensor: x.reshaped(shape))]
    for (info, output) in zip(network.info, outputs) where info.isWritten {
      stages.append(PipelineStage(name: info.text, text: info.text, tensor: output.reshaped(info.outputShape)))
    }
    let logits = outputs.last?.scalars ?? []
    let probabilities = CNNLabEngine.softmax(logits)
    stages.append(PipelineStage(name: operation.output.name, text: "softmax", tensor: Tensor(vector: probabilities)))
    run.values[operation.output.name] = .grid(Tensor(vector: probabilities), unscaled: nil, scale: nil)
    run.labels[operation.output.name] = model.file.classNames
    return .pipeline(
      PipelineAnimation(
        inputName: input.name, outputName: operation.output.name, stages: stages, classNames: model.file.classNames))
  }
}

/// One stage of a network on one picture: what the layer is and the maps it gave.
public struct PipelineStage: Equatable, Sendable {
  /// A short name: the picture's name, the layer's text, or the result's name.
  public var name: String
  /// The layer as written (`conv 8 5x5 stride 2 pad 2 relu`), `input` or `softmax`.
  public var text: String
  /// `(C, H, W)` maps, or a row of values after a dense layer.
  public var tensor: Tensor
}

/// A trained network run on one picture, stage by stage.
public struct PipelineAnimation: Equatable, Sendable {
  public var inputName: String
  public var outputName: String
  /// The input, every layer's output, and the probabilities last.
  public var stages: [PipelineStage]
  public var classNames: [String]

  /// The probabilities and the class with the largest.
  public var probabilities: [Float] { stages.last?.tensor.scalars ?? [] }
  public var predicted: Int {
    let p = probabilities
    return p.indices.max { p[$0] < p[$1] } ?? 0
  }
}

extension PipelineAnimation: OperationAnimation {
  public var frameCount: Int { stages.count }
  public var frameUnit: String { "stage" }

  public func parts(frame: Int) -> AnimationParts { AnimationParts(input: inputName, output: outputName) }

  /// The probabilities appear with the last stage.
  public func computedCells(frame: Int, channel: Int, count: Int) -> (done: Set<Int>, current: Int?) {
    frame >= stages.count - 1 ? (Set(0..<count), nil) : ([], nil)
  }

  public func printArithmetic(into printed: inout PrintedArithmetic) {
    guard !probabilities.isEmpty else { return }
    printed.add(probabilities[predicted], decimals: 2)
    printed.add(SceneQuestion.Cell(grid: outputName, index: [predicted]), replacing: true)
  }
}
