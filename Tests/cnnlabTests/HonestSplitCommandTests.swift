import Foundation
import Testing

/// A folder of uncompressed IDX files: `train` and `test` images (4x4, pixels from the image's
/// number and label) with labels `i mod 10`.
private func idxFolder(train: Int, test: Int) throws -> String {
  let folder = FileManager.default.temporaryDirectory
    .appendingPathComponent("cnnlab-honest-split-\(UUID().uuidString)").path
  try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  func be(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (24 - 8 * $0)) & 0xFF) } }
  func write(_ name: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: folder).appendingPathComponent(name))
  }
  for (prefix, n) in [("train", train), ("t10k", test)] {
    var pixels: [UInt8] = []
    for i in 0..<n {
      for p in 0..<16 {
        let value: Int = (i * 7 + p * (i % 10 + 1) * 13) % 256
        pixels.append(UInt8(value))
      }
    }
    try write("\(prefix)-images-idx3-ubyte", be(2051) + be(n) + be(4) + be(4) + pixels)
    try write("\(prefix)-labels-idx1-ubyte", be(2049) + be(n) + (0..<n).map { UInt8($0 % 10) })
  }
  return folder
}

private func trainJSON(_ folder: String) throws -> (CommandResult, [String: Any]) {
  let r = try CNNLabBinary.run([
    "train", "--data", folder, "--model", "dense 10", "--epochs", "1", "--headless", "--json",
  ])
  #expect(r.status == 0, "\(r.stderr)")
  let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
  return (r, try #require(object))
}

@Suite struct HonestSplitCommandTests {
  @Test func anIDXFolderValidatesOnItsTrainingFilesAndScoresItsT10kFilesAsTheTest() throws {
    let folder = try idxFolder(train: 200, test: 30)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let (_, json) = try trainJSON(folder)
    let training = json["training"] as? [String: Any]
    let validation = json["validation"] as? [String: Any]
    let test = json["test"] as? [String: Any]
    #expect(training?["images"] as? Int == 180)
    #expect(training?["from"] as? String == "train-images-idx3-ubyte (the other 90%)")
    #expect(validation?["images"] as? Int == 20)
    #expect(validation?["from"] as? String == "train-images-idx3-ubyte (10% of each class, seed 10)")
    // The test count is the scored evaluation's own, so a reused validation pass would say 20.
    #expect(test?["images"] as? Int == 30)
    #expect(test?["from"] as? String == "t10k-images-idx3-ubyte")
    let correct = try #require(test?["correct"] as? Int)
    let accuracy = try #require(test?["accuracy"] as? Double)
    #expect(abs(accuracy - Double(correct) / 30) < 1e-6)
    #expect(test?["loss"] is Double)
    #expect(json["no_test"] == nil && json["test_count"] == nil && json["test_accuracy"] == nil)
  }

  @Test func theHumanSummaryNamesEachSetWithItsSizeAndOrigin() throws {
    let folder = try idxFolder(train: 200, test: 30)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let r = try CNNLabBinary.run(["train", "--data", folder, "--model", "dense 10", "--epochs", "1", "--headless"])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(lines.contains {
      $0.hasPrefix("validation loss ")
        && $0.hasSuffix(" on 20 images from train-images-idx3-ubyte (10% of each class, seed 10)")
    })
    #expect(lines.contains {
      $0.hasPrefix("test loss ") && $0.contains("/30) on 30 images from t10k-images-idx3-ubyte")
    })
  }

  @Test func withoutTestImagesThereIsNoTestScore() throws {
    let folder = try idxFolder(train: 200, test: 0)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let (_, json) = try trainJSON(folder)
    #expect(json["test"] is NSNull)
    #expect(json["no_test"] as? String == "\(folder) has no test images (t10k-images-idx3-ubyte holds 0)")
    #expect((json["validation"] as? [String: Any])?["images"] as? Int == 20)
    #expect(json["validation_accuracy"] is Double)

    let r = try CNNLabBinary.run(["train", "--data", folder, "--model", "dense 10", "--epochs", "1", "--headless"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(!r.stdout.contains("test loss"))
    #expect(r.stdout.contains("no test score: \(folder) has no test images (t10k-images-idx3-ubyte holds 0)"))
  }

  @Test func xoReportsItsThreeDrawnSets() throws {
    let r = try #require(TrainedXO.result)
    #expect(r.status == 0, "\(r.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    func set(_ key: String) -> (Int?, String?) {
      let object = json[key] as? [String: Any]
      return (object?["images"] as? Int, object?["from"] as? String)
    }
    #expect(set("training") == (2000, "generated, seed 101"))
    #expect(set("validation") == (500, "generated, seed 202"))
    #expect(set("test") == (500, "generated, seed 303"))
  }
}
