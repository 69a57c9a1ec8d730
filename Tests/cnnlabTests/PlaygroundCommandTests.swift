import Foundation
import Testing

// `cnnlab playground --show`: the playground's frame as text. Output sizes are worked by hand
// from ⌊(N + 2P − D·(F−1) − 1)/S⌋ + 1 for the 9x9 X and the 3x3 diagonal feature.

@Suite struct PlaygroundCommandTests {
  func show(_ arguments: [String], width: Int = 100, height: Int = 30) throws -> [String] {
    let r = try CNNLabBinary.run(
      ["playground"] + arguments + ["--show", "--width", String(width), "--height", String(height)])
    #expect(r.status == 0, "\(arguments): \(r.stderr)")
    #expect(r.stderr.isEmpty)
    let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines.count == height + 1 && lines.last == "")  // every row, then the final newline
    return lines
  }

  @Test func theXAndTheDiagonalGiveSevenBySeven() throws {
    let lines = try show(["--input", "x", "--kernel", "diagonal"])
    #expect(lines.contains { $0.contains("conv 7×7") })
    #expect(lines.contains(" conv 7×7   rows and columns: (9 + 2·0 − 3)/1 + 1 = 7"))
    #expect(lines.contains { $0.hasSuffix("conv 7×7") })  // the map's title
  }

  @Test func strideTwoAndPaddingOneGiveFiveByFive() throws {
    let lines = try show(["--input", "x", "--kernel", "diagonal", "--stride", "2", "--padding", "1"])
    #expect(lines.contains(" conv 5×5   rows and columns: ⌊(9 + 2·1 − 3)/2⌋ + 1 = 5"))
    #expect(lines.contains { $0.hasPrefix("x 9×9 pad") })
  }

  @Test func dilationTwoGivesFiveByFive() throws {
    let lines = try show(["--input", "x", "--kernel", "diagonal", "--dilation", "2"])
    #expect(lines.contains(" conv 5×5   rows and columns: (9 + 2·0 − 2·(3−1) − 1)/1 + 1 = 5"))
    #expect(lines.contains(" conv[0,0] sees 5×5 input pixels  rows 0 to 4, columns 0 to 4  reads 3×3 of them"))
  }

  @Test func theWholePipelineWithAFrame() throws {
    let lines = try show(
      [
        "--input", "o", "--kernel", "x-centre", "--padding", "same", "--activation", "relu", "--pool", "2",
        "--pool-mode", "average", "--ceil", "--conv2", "1,0;0,1", "--frame", "11",
      ], width: 200, height: 60)
    let text = lines.joined(separator: "\n")
    #expect(text.contains(" pool 5×5   rows and columns: ⌈(9 − 2)/2⌉ + 1 = 5"))
    #expect(text.contains(" conv2 4×4   rows and columns: (5 + 2·0 − 2)/1 + 1 = 4"))
    #expect(text.contains("conv window 11/81"))
    #expect(text.contains("conv[1,1] sees 3×3 input pixels"))
  }

  @Test func rowsAndColumnsOfANonSquareInputEachHaveTheirFormula() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cnnlab-playground-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let grid = directory.appendingPathComponent("wide.txt")
    try "1 2 3 4 5\n6 7 8 9 10\n1 1 1 1 1\n".write(to: grid, atomically: true, encoding: .utf8)
    // same: ⌈3/2⌉ = 2 rows (1 zero below) and ⌈5/2⌉ = 3 columns (1 zero right).
    let lines = try show(["--input", grid.path, "--kernel", "1,0;0,-1", "--stride", "2", "--padding", "same"], width: 80, height: 24)
    #expect(lines.contains(" conv 2×3   rows ⌊(3 + 0 + 1 − 2)/2⌋ + 1 = 2   cols ⌊(5 + 0 + 1 − 2)/2⌋ + 1 = 3"))
    #expect(lines.contains(" conv[0,0] = (1×1) + (2×0) + (6×0) + (7×−1) = −6"))
  }

  @Test func tooSmallSaysTheSizeItNeeds() throws {
    let lines = try show([], width: 40, height: 10)
    #expect(lines.joined().contains("make the terminal at least 60×20"))
  }

  @Test(arguments: [
    (["--stride", "0"], "--stride must be a whole number from 1 to 32, not 0"),
    (["--padding", "-1"], "--padding must be valid, same or a whole number from 0 to 32; got '-1'"),
    (["--dilation", "1000000"], "--dilation must be a whole number from 1 to 32, not 1000000"),
    (["--dilation", "5"], "conv 3x3 does not fit a 9x9 input: (9 + 2·0 − 5·(3−1) − 1)/1 + 1 = −1; use a smaller kernel or dilation, or more padding"),
    (["--kernel", "nonsense"], "--kernel 'nonsense' is neither a kernel name nor a file"),
    (["--kernel", "1,2;3"], "--kernel '1,2;3': cells must be finite numbers"),
    (["--input", "mnist:x"], "--input mnist:x: give the digit's number after 'mnist:'"),
    (["--pool-stride", "2"], "--pool-stride needs --pool N"),
    (["--frame", "50"], "the convolution has 49 windows; --frame 50 is past the end"),
  ])
  func mistakesSayWhatToChange(arguments: [String], message: String) throws {
    let r = try CNNLabBinary.run(["playground", "--show"] + arguments)
    #expect(r.status == 1)
    #expect(r.stdout.isEmpty)
    #expect(r.stderr.hasPrefix("cnnlab: error: "), "\(r.stderr)")
    #expect(r.stderr.contains(message), "\(r.stderr)")
  }

  @Test func aKernelLargerThanTheInputIsRefusedWithTheWorking() throws {
    let r = try CNNLabBinary.run(["playground", "--show", "--kernel", "gaussian-5x5", "--input", CNNLabBinary.input("k2.txt")])
    #expect(r.status == 1)
    #expect(r.stderr.contains("cnnlab: error: conv 5x5 does not fit a 2x2 input"), "\(r.stderr)")
  }

  @Test func helpReadsAtEightyColumns() throws {
    var environment = ProcessInfo.processInfo.environment
    environment["COLUMNS"] = "80"
    let r = try CNNLabBinary.run(["playground", "--help"], environment: environment)
    #expect(r.status == 0)
    // Everything cnnlab lays out itself (before the option list) is within 80 columns.
    let layout = r.stdout.components(separatedBy: "OPTIONS:")[0]
    for line in layout.split(separator: "\n") { #expect(line.count <= 80, "\(line)") }
    #expect(layout.contains("  cnnlab playground --dilation 2 --show --width 100 --height 30\n"))
  }

  @Test func aGridFileIsTheInput() throws {
    let lines = try show(["--input", CNNLabBinary.input("x.txt"), "--kernel", CNNLabBinary.input("diagonal.txt")])
    #expect(lines[0].hasPrefix(" Playground  x.txt 9×9  kernel diagonal.txt"))
  }
}
