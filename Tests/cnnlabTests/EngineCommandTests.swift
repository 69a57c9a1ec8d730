import Foundation
import Testing

// The engine's command-line twin: `cnnlab conv`, `pool`, `shape`, checked against the lecture
// numbers (seeds) and hand-computed values.

@Suite struct EngineCommandTests {
  @Test func convPrintsTheLectureDiagonalMap() throws {
    let r = try CNNLabBinary.run(["conv", CNNLabBinary.input("x.txt"), CNNLabBinary.input("diagonal.txt"), "--normalize"])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    #expect(lines.count == 7)
    // 7/9, −1/9, 1/9, 3/9, 5/9, −1/9, 3/9 to six significant digits.
    #expect(lines.first == ["0.777778", "-0.111111", "0.111111", "0.333333", "0.555556", "-0.111111", "0.333333"])
  }

  @Test func convAtStrideTwoAndItsTrace() throws {
    let args = ["conv", CNNLabBinary.input("four.txt"), CNNLabBinary.input("k2.txt")]
    let plain = try CNNLabBinary.run(args)
    #expect(plain.stdout == "4 1 6\n5 8 7\n5 3 3\n")
    let strided = try CNNLabBinary.run(args + ["--stride", "2", "--trace"])
    #expect(strided.stdout.hasSuffix("4 6\n5 3\n"))
    #expect(strided.stdout.contains("out[0,0,0] = (5×1) + (2×0) + (6×1) + (7×-1) = 4"))
  }

  @Test func poolKeepsPartialWindowsInCeilMode() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cnnlab-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let map = dir.appendingPathComponent("map.npy").path
    let conv = try CNNLabBinary.run(["conv", CNNLabBinary.input("x.txt"), CNNLabBinary.input("diagonal.txt"), "--normalize", "-o", map])
    #expect(conv.status == 0 && conv.stdout.isEmpty)
    let pooled = try CNNLabBinary.run(["pool", map, "--size", "2", "--ceil"])
    #expect(pooled.stdout.split(separator: "\n").first?.split(separator: " ") == ["1", "0.333333", "0.555556", "0.333333"])
    #expect(pooled.stdout.split(separator: "\n").count == 4)
    let floor = try CNNLabBinary.run(["pool", map, "--size", "2"])
    #expect(floor.stdout.split(separator: "\n").count == 3)
  }

  @Test func badGridNamesFileLineAndColumn() throws {
    let r = try CNNLabBinary.run(["conv", CNNLabBinary.input("bad.txt"), CNNLabBinary.input("k2.txt")])
    #expect(r.status == 1)
    #expect(r.stderr.contains("bad.txt:2:3: error: 'x' is not a number"))
    #expect(!r.stderr.contains("Fatal error"))
  }

  @Test func aFileErrorReadsTheSameInEveryCommand() throws {
    _ = TrainedXO.result
    let missing = "/nonexistent/grid.txt"
    let runs = try [
      CNNLabBinary.run(["conv", missing, CNNLabBinary.input("k2.txt")]),
      CNNLabBinary.run(["conv", CNNLabBinary.input("x.txt"), missing]),
      CNNLabBinary.run(["pool", missing, "--size", "2"]),
      CNNLabBinary.run(["predict", "--model", TrainedXO.model, missing]),
    ]
    for r in runs {
      #expect(r.status == 1)
      #expect(r.stderr.hasPrefix("cnnlab: \(missing): error: "), "\(r.stderr)")
      #expect(r.stderr == runs[0].stderr)
    }
    let bad = CNNLabBinary.input("bad.txt")
    let grids = try [
      CNNLabBinary.run(["conv", bad, CNNLabBinary.input("k2.txt")]),
      CNNLabBinary.run(["pool", bad, "--size", "2"]),
      CNNLabBinary.run(["predict", "--model", TrainedXO.model, bad]),
    ]
    for r in grids {
      #expect(r.status == 1)
      #expect(r.stderr.hasPrefix("cnnlab: \(bad):2:3: error: 'x' is not a number"), "\(r.stderr)")
      #expect(r.stderr == grids[0].stderr)
    }
  }

  @Test func kernelThatDoesNotFitShowsTheWorking() throws {
    let r = try CNNLabBinary.run(["conv", CNNLabBinary.input("k2.txt"), CNNLabBinary.input("x.txt")])
    #expect(r.status == 1)
    #expect(r.stderr.contains("conv 9x9 does not fit a 2x2 input: (2 + 2·0 − 9)/1 + 1 = −6"))
  }

  @Test func shapeOfTheLectureKerasNetwork() throws {
    let r = try CNNLabBinary.run([
      "shape", "conv 32 5x5 same relu | maxpool 2 | conv 64 5x5 same relu | maxpool 2 | dense 1024 relu | dense 10",
      "--input", "1x28x28",
    ])
    #expect(r.status == 0)
    for count in ["832", "51,264", "3,212,288", "10,250", "3,274,634"] {
      #expect(r.stdout.contains(count), "missing \(count) in\n\(r.stdout)")
    }
  }

  @Test func shapeErrorPointsAtTheLayer() throws {
    let r = try CNNLabBinary.run(["shape", "conv 8 5x5 | conv 3 30x30", "--input", "1x28x28"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("layer 2 (conv 3 30x30): conv 30x30 does not fit a 24x24 input"))
    #expect(r.stderr.contains("  conv 8 5x5 | conv 3 30x30\n               ^"))
  }

  @Test(arguments: [["--help"], ["conv", "--help"], ["pool", "--help"], ["shape", "--help"]])
  func helpWorksEverywhere(arguments: [String]) throws {
    let r = try CNNLabBinary.run(arguments)
    #expect(r.status == 0)
    #expect(r.stdout.contains("USAGE:"))
  }
}
