import Foundation
import Testing

private let x = CNNLabBinary.input("x.txt")
private let kernel = CNNLabBinary.input("diagonal.txt")

// How the command line treats the person typing: one error style and status, numbers read as
// typed and then checked, near misses of a command named, and help laid out for 80 columns.

@Suite struct CommandLineRulesTests {

  /// The help of `command` with the terminal `columns` wide.
  func help(_ command: [String], columns: Int) throws -> String {
    var environment = ProcessInfo.processInfo.environment
    environment["COLUMNS"] = String(columns)
    let r = try CNNLabBinary.run(command + ["--help"], environment: environment)
    #expect(r.status == 0, "\(command) --help: \(r.stderr)")
    return r.stdout
  }

  /// Everything before the options: the overview, the discussion and the usage, which cnnlab
  /// lays out itself (the option list is wrapped, with a hanging indent, by the parser).
  func layout(_ text: String) -> String {
    var lines: [Substring] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line == "ARGUMENTS:" || line == "OPTIONS:" { break }
      lines.append(line)
    }
    return lines.joined(separator: "\n")
  }

  @Test(arguments: [
    [], ["learn"], ["lessons"], ["lessons", "list"], ["lessons", "check"], ["lesson"],
    ["lesson", "show"], ["conv"], ["pool"], ["shape"], ["train"], ["eval"], ["predict"], ["bench"],
  ])
  func helpReadsAtEightyColumns(command: [String]) throws {
    let narrow = try help(command, columns: 80)
    let wide = try help(command, columns: 1000)
    // Nothing cnnlab wrote was re-wrapped: the same text at 80 columns as on a wide screen.
    #expect(layout(narrow) == layout(wide), "cnnlab \(command.joined(separator: " ")) --help")
    for line in narrow.split(separator: "\n") {
      #expect(line.count <= 80, "\(command): \(line)")
    }
  }

  @Test func theSyntaxInTheHelpStaysWhole() throws {
    let shape = try help(["shape"], columns: 80)
    #expect(shape.contains("[dilation D] [convolve] [normalize] [nobias] [relu|sigmoid|tanh]"))
    #expect(shape.contains("--input 9x9 --working\n"))
    let train = try help(["train"], columns: 80)
    #expect(train.contains("  momentum, lr 0.05, batch 16, 5 epochs\n"))
    #expect(train.contains("  momentum, lr 0.05, batch 32, 5 epochs\n"))
  }

  @Test(arguments: [
    (["conv", x, kernel, "--stride", "-1"], "--stride must be S or SHxSW with whole numbers of 1 or more, e.g. 2 or 2x1; got '-1'"),
    (["conv", x, kernel, "--dilation", "-2"], "--dilation must be at least 1, not -2"),
    (["conv", x, kernel, "--bias", "nan"], "--bias must be finite numbers, not NaN or infinity (nor beyond ±3.4e38); got 'nan'"),
    (["pool", x, "--size", "-2"], "--size must be at least 1, not -2"),
    (["pool", x, "--size", "2", "--stride", "0"], "--stride must be at least 1, not 0"),
    (["train", "--epochs", "-1"], "--epochs must be from 1 to 1000000, not -1"),
    (["train", "--batch", "0"], "--batch must be at least 1, not 0"),
    (["train", "--lr", "inf"], "--lr must be a positive, finite number, not inf"),
    (["shape", "dense 2", "--input", "-1x28x28"], "--input must be CxHxW, HxW or N with whole numbers of 1 or more, e.g. 1x28x28; got '-1x28x28'"),
    (["lesson", "show", "1", "--step", "-1"], "--step counts from 1; give a step of 1 or more."),
  ])
  func negativeNumbersAreReadThenRefusedWithTheRule(arguments: [String], message: String) throws {
    let r = try CNNLabBinary.run(arguments)
    #expect(r.status == 1)
    let lines = r.stderr.split(separator: "\n").map(String.init)
    #expect(lines.first == "cnnlab: error: " + message, "\(r.stderr)")
    // The usage is the command's own, not the top level's.
    let name = arguments.prefix(arguments[0] == "lesson" ? 2 : 1).joined(separator: " ")
    #expect(lines.dropFirst().first?.hasPrefix("Usage: cnnlab \(name) ") == true, "\(r.stderr)")
    #expect(r.stderr.contains("See 'cnnlab \(name) --help' for more information."))
  }

  @Test func everyUserErrorHasOneStyleAndStatus() throws {
    for arguments in [
      ["pool", x],  // missing --size: a parse error
      ["pool", x, "--size", "2", "--nope"],  // an unknown option
      ["conv", x, kernel, "--mode", "sideways"],  // a bad value
      ["conv", x, CNNLabBinary.input("nope.txt")],  // a file problem
      ["shape", "conv 0 3x3", "--input", "1x9x9"],  // a spec problem
      ["shape", "conv 4611686018427387904 3x3", "--input", "1x9x9"],  // a size problem
    ] {
      let r = try CNNLabBinary.run(arguments)
      #expect(r.status == 1, "\(arguments): \(r.stderr)")
      #expect(r.stderr.hasPrefix("cnnlab: "), "\(arguments): \(r.stderr)")
      #expect(r.stderr.contains("error: "), "\(arguments): \(r.stderr)")
      #expect(!r.stderr.contains("Error:"), "\(arguments): \(r.stderr)")
    }
  }

  @Test func aNearMissOfACommandIsNamed() throws {
    for (typed, meant) in [("trian", "train"), ("tarin", "train"), ("shpe", "shape"), ("evl", "eval")] {
      let r = try CNNLabBinary.run([typed])
      #expect(r.status == 1)
      #expect(
        r.stderr == "cnnlab: error: '\(typed)' is not a cnnlab command; did you mean 'cnnlab \(meant)'?\nnote: 'cnnlab --help' lists the commands\n")
    }
    let far = try CNNLabBinary.run(["zzzz"])
    #expect(far.status == 1)
    #expect(far.stderr.hasPrefix("cnnlab: error: 'zzzz' is neither a cnnlab command nor a lesson\n"))
  }

  @Test func sizesAreRefusedWithTheirLimit() throws {
    let shape = try CNNLabBinary.run(["shape", "conv 2 3x3 pad 1000000000000", "--input", "1x9x9"])
    #expect(shape.status == 1)
    #expect(shape.stderr.hasPrefix("cnnlab: error: layer 1 (conv 2 3x3 pad 1000000000000): the padding 1000000000000 is too large: a size can be at most 2147483648 (2^31)"))
    let conv = try CNNLabBinary.run([
      "conv", x, kernel, "--padding", "100000",
    ])
    #expect(conv.status == 1)
    // (9 + 2·100000 − 3 + 1)² = 200007² outputs, as floats and as text: 20 bytes each.
    #expect(conv.stderr.hasPrefix("cnnlab: error: the convolution would need 745.1 GiB of memory, over the 1.0 GiB limit\n"))
  }

  @Test func controlCharactersFromAFileArePrintedAsEscapes() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnlab-printable-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    // A dense-2 model for 1x9x9 images whose class names hold ESC, BEL, DEL and CSI (U+009B).
    let names = #"[\"\\u001b]0;owned\\u0007\",\"\\u007fo\\u009b2J\"]"#
    let metadata = [
      #""format":"cnnlab-model""#, #""format_version":"1""#, #""spec":"dense 2""#,
      #""input_shape":"1x9x9""#, #""input_scale":"1""#, #""input_offset":"0""#,
      #""class_names":"\#(names)""#, #""data":"xo""#, #""epochs":"1""#,
    ].joined(separator: ",")
    let tensors =
      #""layers.0.weight":{"dtype":"F32","shape":[2,81],"data_offsets":[0,648]},"#
      + #""layers.0.bias":{"dtype":"F32","shape":[2],"data_offsets":[648,656]}"#
    let header = Array("{\"__metadata__\":{\(metadata)},\(tensors)}".utf8)
    var bytes = (0..<8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) }
    bytes += header + [UInt8](repeating: 0, count: 656)
    let model = folder.appendingPathComponent("m.safetensors").path
    try Data(bytes).write(to: URL(fileURLWithPath: model))

    let r = try CNNLabBinary.run(["predict", "--model", model, x])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains(#"\x1b]0;owned\x07"#))
    #expect(r.stdout.contains(#"\x7fo\u{9b}2J"#))
    let json = try CNNLabBinary.run(["predict", "--model", model, x, "--json"])
    #expect(json.stdout.contains(#""\u001b]0;owned\u0007", "\u007fo\u009b2J""#), "\(json.stdout)")
    for output in [r.stdout, r.stderr, json.stdout] {
      let raw = output.unicodeScalars.filter {
        ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7f...0x9f).contains($0.value)
      }
      #expect(raw.isEmpty)
    }
  }
}
