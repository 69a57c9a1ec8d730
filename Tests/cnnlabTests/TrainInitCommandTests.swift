import Foundation
import Testing

/// `cnnlab train --init lecture`: the first layer starts from the lecture's three features,
/// the summary and the JSON give each kernel's final cosine to its feature, and a data set or a
/// spec it does not fit is refused with the rule.
@Suite struct TrainInitCommandTests {
  @Test func headlessLectureStartReportsTheFinalCosines() throws {
    let r = try CNNLabBinary.run(["train", "--data", "xo", "--epochs", "1", "--headless", "--init", "lecture", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let cosines = try #require(json["lecture_cosines"] as? [[String: Any]])
    #expect(cosines.map { $0["kernel"] as? Int } == [1, 2, 3])
    #expect(cosines.map { $0["feature"] as? String } == ["diagonal", "X centre", "anti-diagonal"])
    for item in cosines {
      let cosine = try #require(item["cosine"] as? Double)
      #expect(cosine > -1 && cosine < 1, "one epoch moves every kernel away from its feature a little")
    }
    let text = try CNNLabBinary.run(["train", "--data", "xo", "--epochs", "1", "--headless", "--init", "lecture"])
    #expect(text.status == 0, "\(text.stderr)")
    let line = try #require(text.stdout.split(separator: "\n").first { $0.hasPrefix("layer 1 against the lecture's features") })
    #expect(line.contains("#1 diagonal 0.") || line.contains("#1 diagonal 1.") || line.contains("#1 diagonal -0."))
    // The same seed gives the same run, so the same cosines as the JSON's.
    let first = try #require(cosines.first?["cosine"] as? Double)
    #expect(line.contains(String(format: "#1 diagonal %.2f", first)))
  }

  @Test func lectureStartNeedsXOAndAFirstLayerOfThree3x3Kernels() throws {
    let mnist = try CNNLabBinary.run(["train", "--data", "mnist", "--epochs", "1", "--headless", "--init", "lecture"])
    #expect(mnist.status == 1)
    #expect(mnist.stderr.contains("cnnlab: error: --init lecture needs --data xo, not mnist"))
    let spec = try CNNLabBinary.run([
      "train", "--data", "xo", "--epochs", "1", "--headless", "--init", "lecture", "--model", "conv 4 3x3 relu | dense 2",
    ])
    #expect(spec.status == 1)
    #expect(spec.stderr.contains("needs the spec's first layer to be 'conv 3 3x3 ...'"))
    #expect(spec.stderr.contains("not 'conv 4 3x3 relu'"))
    #expect(spec.stderr.contains("note: start the spec with 'conv 3 3x3'"))
    let bad = try CNNLabBinary.run(["train", "--data", "xo", "--init", "lectures", "--headless"])
    #expect(bad.status == 1)
    #expect(bad.stderr.contains("lectures"))
  }
}
