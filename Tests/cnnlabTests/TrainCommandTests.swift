import Foundation
import Testing

/// One X/O model trained by the binary, shared by the tests that need a model file.
enum TrainedXO {
  static let folder: String = {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("cnnlab-train-cli-\(ProcessInfo.processInfo.processIdentifier)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }()

  static let model = (folder as NSString).appendingPathComponent("xo.safetensors")

  /// `cnnlab train --data xo --epochs 1 --headless --json --save …`, run once.
  static let result: CommandResult? = try? CNNLabBinary.run([
    "train", "--data", "xo", "--epochs", "1", "--headless", "--json", "--save", model,
  ])

  static func file(_ name: String, _ bytes: [UInt8]) -> String {
    let path = (folder as NSString).appendingPathComponent(name)
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
  }
}

@Suite struct TrainCommandTests {
  @Test func trainOnXOPrintsOneJSONObjectAndSavesTheModel() throws {
    let r = try #require(TrainedXO.result)
    #expect(r.status == 0, "\(r.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    let json = try #require(object)
    #expect(json["data"] as? String == "xo")
    #expect(json["spec"] as? String == "conv 3 3x3 nobias relu | maxpool 2 ceil | dense 2")
    #expect(json["epochs"] as? Int == 1 && json["steps"] as? Int == 125)
    let test = json["test"] as? [String: Any]
    #expect(test?["images"] as? Int == 500)
    #expect((test?["accuracy"] as? Double ?? 0) > 0.9)
    #expect((json["validation_accuracy"] as? Double ?? 0) > 0.9)
    #expect(json["saved"] as? String == TrainedXO.model)
    #expect(r.stdout.split(separator: "\n").count == 1)
    #expect(r.stderr.contains("epoch 1/1: train loss "))
    #expect(!r.stderr.contains("\u{1B}["), "no progress bar when standard error is a pipe")
    #expect(FileManager.default.fileExists(atPath: TrainedXO.model))
  }

  @Test func evalPrintsAccuracyAndTheConfusionMatrix() throws {
    _ = TrainedXO.result
    let r = try CNNLabBinary.run(["eval", "--model", TrainedXO.model])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(
      lines.contains {
        $0.hasPrefix("accuracy: ")
          && $0.hasSuffix("/500), loss " + ($0.split(separator: " ").last ?? ""))
      })
    #expect(lines.contains("confusion matrix (rows: true class, columns: predicted)"))
    let rows = lines.filter { $0.hasPrefix("X ") || $0.hasPrefix("O ") }
    let cells = rows.map { $0.split(separator: " ").dropFirst().compactMap { Int($0) } }
    #expect(cells.count == 2 && cells.map { $0.reduce(0, +) } == [250, 250])

    let json = try CNNLabBinary.run(["eval", "--model", TrainedXO.model, "--json"])
    let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    #expect(object?["count"] as? Int == 500)
    #expect((object?["confusion"] as? [[Int]])?.map { $0.reduce(0, +) } == [250, 250])
  }

  @Test func evalLogitsAreTheOnesItScored() throws {
    _ = TrainedXO.result
    let path = (TrainedXO.folder as NSString).appendingPathComponent("logits.npy")
    let r = try CNNLabBinary.run(["eval", "--model", TrainedXO.model, "--json", "--logits", path])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    let confusion = try #require(object?["confusion"] as? [[Int]])
    // A version 1 .npy file: magic and version (8 bytes), the header's length (2 bytes, little
    // endian), the header, then little-endian float32 values.
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
    let header = String(decoding: bytes[10..<10 + headerLength], as: UTF8.self)
    #expect(header.contains("'shape': (500, 2)"))
    let data = Array(bytes[(10 + headerLength)...])
    let logits = stride(from: 0, to: data.count, by: 4).map { i in
      Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(data[i + $1]) << (8 * $1) })
    }
    try #require(logits.count == 1000)
    // How often each class was predicted, from the logits file and from the confusion matrix.
    var predicted = [0, 0]
    for row in 0..<500 { predicted[logits[2 * row + 1] > logits[2 * row] ? 1 : 0] += 1 }
    #expect(predicted == [confusion[0][0] + confusion[1][0], confusion[0][1] + confusion[1][1]])
  }

  @Test func predictClassifiesTheLectureX() throws {
    _ = TrainedXO.result
    let r = try CNNLabBinary.run([
      "predict", "--model", TrainedXO.model, CNNLabBinary.input("x.txt"),
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("X  "))
    #expect(r.stdout.contains("\nprediction: X ("))
    let json = try CNNLabBinary.run([
      "predict", "--model", TrainedXO.model, CNNLabBinary.input("x.txt"), "--json",
    ])
    let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    let p = try #require(object?["probabilities"] as? [Double])
    #expect(p.count == 2 && abs(p[0] + p[1] - 1) < 1e-4 && p[0] > 0.5)
  }

  @Test func predictRefusesAnImageOfTheWrongSize() throws {
    _ = TrainedXO.result
    let r = try CNNLabBinary.run([
      "predict", "--model", TrainedXO.model, CNNLabBinary.input("k2.txt"),
    ])
    #expect(r.status == 1)
    #expect(r.stderr.contains("k2.txt is 2x2 but \(TrainedXO.model) takes 1x9x9 images"))
    #expect(r.stderr.contains("cnnlab does not resize"))
  }

  @Test func aBadModelFileGetsOneClearError() throws {
    let bad = TrainedXO.file("bad.safetensors", Array("not a model".utf8))
    let r = try CNNLabBinary.run(["eval", "--model", bad])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("cnnlab: \(bad): error: "))
    #expect(!r.stderr.contains("Fatal error") && r.stdout.isEmpty)

    let missing = try CNNLabBinary.run([
      "predict", "--model", "/nonexistent/m.safetensors", CNNLabBinary.input("x.txt"),
    ])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("/nonexistent/m.safetensors: error: no such file"))
  }

  @Test func aTruncatedModelNamesTheFile() throws {
    _ = TrainedXO.result
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: TrainedXO.model)))
    let cut = TrainedXO.file("cut.safetensors", Array(bytes.prefix(bytes.count / 2)))
    let r = try CNNLabBinary.run(["eval", "--model", cut])
    #expect(r.status == 1)
    #expect(r.stderr.contains("\(cut): error: truncated"))
  }

  @Test func aHugeLearningRateStopsWithAnExplanation() throws {
    let r = try CNNLabBinary.run([
      "train", "--data", "xo", "--epochs", "1", "--lr", "1e6", "--headless",
    ])
    #expect(r.status == 1)
    #expect(r.stderr.contains("cnnlab: error: the loss became"))
    #expect(r.stderr.contains("Lower the learning rate"))
    #expect(r.stdout.isEmpty)
  }

  /// A folder under the shared scratch folder holding copies of the bundled MNIST files:
  /// `name` in the folder ← `source` in assets/mnist.
  func idxFolder(_ folderName: String, _ files: [(name: String, source: String)]) throws -> String {
    let folder = (TrainedXO.folder as NSString).appendingPathComponent(folderName)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../assets/mnist").standardized.path
    for (name, source) in files {
      let target = (folder as NSString).appendingPathComponent(name)
      if !FileManager.default.fileExists(atPath: target) {
        try FileManager.default.copyItem(
          atPath: (assets as NSString).appendingPathComponent(source), toPath: target)
      }
    }
    return folder
  }

  let testPair = [
    (name: "t10k-images-idx3-ubyte.gz", source: "t10k-images-idx3-ubyte.gz"),
    (name: "t10k-labels-idx1-ubyte.gz", source: "t10k-labels-idx1-ubyte.gz"),
  ]

  @Test func aFolderWithOnlyTestFilesCannotTrain() throws {
    let folder = try idxFolder("t10k-only", testPair)
    let r = try CNNLabBinary.run(["train", "--data", folder])
    #expect(r.status == 1)
    #expect(r.stderr.contains("has no training images"))
  }

  @Test func trainOnAnIDXFolderThenEvaluateOnATestOnlyFolder() throws {
    // 500 digits as both training and test set, and a network small enough for a debug build.
    let small = try idxFolder(
      "small",
      testPair + [
        (name: "train-images-idx3-ubyte.gz", source: "t10k-images-idx3-ubyte.gz"),
        (name: "train-labels-idx1-ubyte.gz", source: "t10k-labels-idx1-ubyte.gz"),
      ])
    let model = (TrainedXO.folder as NSString).appendingPathComponent("digits.safetensors")
    let train = try CNNLabBinary.run([
      "train", "--data", small, "--model", "conv 2 4x4 stride 4 relu | dense 10", "--epochs", "2",
      "--save", model,
    ])
    #expect(train.status == 0, "\(train.stderr)")
    #expect(train.stderr.contains("epoch 2/2: "))
    #expect(train.stdout.contains("test loss "))
    let eval = try CNNLabBinary.run([
      "eval", "--model", model, "--data", try idxFolder("t10k-only", testPair), "--json",
    ])
    #expect(eval.status == 0, "\(eval.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any]
    #expect(object?["count"] as? Int == 500)
    #expect((object?["accuracy"] as? Double ?? 0) > 0.5)
    // A PGM digit: a vertical bar, like a 1. Ten probability lines, then the prediction.
    var pgm = "P2\n28 28\n255\n"
    for y in 0..<28 {
      pgm +=
        (0..<28).map { x in (12...15).contains(x) && (4...23).contains(y) ? "255" : "0" }
        .joined(separator: " ") + "\n"
    }
    let image = TrainedXO.file("bar.pgm", Array(pgm.utf8))
    let predict = try CNNLabBinary.run(["predict", "--model", model, image])
    #expect(predict.status == 0, "\(predict.stderr)")
    let lines = predict.stdout.split(separator: "\n")
    #expect(lines.count == 11 && lines.first?.hasPrefix("0 ") == true)
    #expect(lines.last?.hasPrefix("prediction: ") == true)
    let xo = try CNNLabBinary.run(["eval", "--model", model, "--data", "xo"])
    #expect(xo.status == 1)
    #expect(xo.stderr.contains("takes 1x28x28 images but xo has 1x9x9"))
  }

  @Test func aSpecThatDoesNotFitPointsAtTheLayer() throws {
    let r = try CNNLabBinary.run(["train", "--data", "xo", "--model", "conv 4 11x11 | dense 2"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("conv 4 11x11"))
    #expect(!r.stderr.contains("Fatal error"))
  }

  @Test(arguments: [["train", "--help"], ["eval", "--help"], ["predict", "--help"]])
  func helpWorks(arguments: [String]) throws {
    let r = try CNNLabBinary.run(arguments)
    #expect(r.status == 0)
    #expect(r.stdout.contains("USAGE: cnnlab \(arguments[0])"))
  }
}
