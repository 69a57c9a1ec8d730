import Foundation
import Testing

// The examples in the subcommands' help, run exactly as printed: each line of `cnnlab X --help`
// that starts with `cnnlab ` is a command a reader may paste, so it has to work. The help is
// taken as an 80-column terminal shows it, where a wrapped example would be cut in two.

@Suite struct HelpExampleTests {
  /// A folder to run the examples in: `assets` links to the repository's, and the models the
  /// examples name (`xo.safetensors`, `mnist.safetensors`) are there, as the help says they
  /// would be after `cnnlab train … --save`. Made once; nil if a model could not be trained.
  static let folder: String? = {
    let path = (TrainedXO.folder as NSString).appendingPathComponent("examples")
    let fm = FileManager.default
    try? fm.removeItem(atPath: path)
    guard (try? fm.createDirectory(atPath: path, withIntermediateDirectories: true)) != nil else {
      return nil
    }
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let assets = repository.appendingPathComponent("assets").path
    guard (try? fm.createSymbolicLink(atPath: path + "/assets", withDestinationPath: assets)) != nil,
      TrainedXO.result?.status == 0,
      (try? fm.copyItem(atPath: TrainedXO.model, toPath: path + "/xo.safetensors")) != nil
    else { return nil }
    // A small network, so one epoch on the MNIST sample stays quick in a debug build.
    let mnist = try? CNNLabBinary.run([
      "train", "--data", "mnist", "--model", "conv 2 4x4 stride 4 relu | dense 10", "--epochs", "1",
      "--headless", "--save", path + "/mnist.safetensors",
    ])
    return mnist?.status == 0 ? path : nil
  }()

  /// The example commands in `cnnlab SUBCOMMAND --help` at 80 columns, in order.
  static func examples(_ subcommand: String) throws -> [String] {
    var environment = ProcessInfo.processInfo.environment
    environment["COLUMNS"] = "80"
    let help = try CNNLabBinary.run([subcommand, "--help"], environment: environment)
    return help.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { $0.hasPrefix("cnnlab ") }
  }

  /// Runs `line` with the shell in `folder`, with the built `cnnlab` first on the PATH.
  static func shell(_ line: String, in folder: String) throws -> CommandResult {
    var environment = ProcessInfo.processInfo.environment
    let binaries = (CNNLabBinary.path as NSString).deletingLastPathComponent
    environment["PATH"] = binaries + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    return try CNNLabBinary.run(
      ["-c", line], executable: "/bin/sh", environment: environment, currentDirectory: folder)
  }

  @Test(arguments: ["conv", "pool", "predict", "eval", "shape"])
  func everyExampleRuns(subcommand: String) throws {
    let folder = try #require(Self.folder, "the example models could not be made")
    let lines = try Self.examples(subcommand)
    #expect(!lines.isEmpty, "cnnlab \(subcommand) --help shows no example")
    for line in lines {
      let r = try Self.shell(line, in: folder)
      #expect(r.status == 0, "\(line)\n\(r.stderr)")
      #expect(!r.stderr.contains("error"), "\(line)\n\(r.stderr)")
    }
  }
}
