import Foundation

/// Runs the built `cnnlab` binary and captures what it prints.
struct CommandResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

enum CNNLabBinary {
  /// The `cnnlab` built next to this test bundle (`CNNLAB_BIN` overrides).
  static var path: String {
    if let override = ProcessInfo.processInfo.environment["CNNLAB_BIN"] { return override }
    let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var dir = runner.deletingLastPathComponent()
    // The runner may sit inside a bundle (`….xctest/Contents/MacOS`); walk up to the build folder.
    for _ in 0..<4 {
      let candidate = dir.appendingPathComponent("cnnlab").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      dir = dir.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../.build/debug/cnnlab").standardized.path
  }

  /// A file in Tests/cnnlabTests/Inputs.
  static func input(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Inputs/\(name)").path
  }

  /// Runs `cnnlab arguments…` (or another `executable`) to completion.
  static func run(
    _ arguments: [String], executable: String = path, environment: [String: String]? = nil,
    currentDirectory: String? = nil
  ) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read before waiting so a large output cannot fill the pipe and block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }
}
