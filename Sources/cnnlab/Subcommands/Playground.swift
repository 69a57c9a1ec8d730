import ArgumentParser
import CNNLabCurses
import CNNLabData
import CNNLabEngine
import CNNLabLessons
import CNNLabTUI
import Foundation

extension CNNLab {
  /// Every knob of a convolution, a pooling and an activation on one screen.
  struct Playground: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Turn every knob of a convolution and watch what it does.",
      usage: """
        cnnlab playground [--input x|o|FILE|mnist:N] [--kernel NAME|FILE|CELLS]
        [--stride S] [--padding valid|same|N] [--dilation D]
        [--mode correlate|convolve] [--normalize]
        [--activation relu|sigmoid|tanh|none]
        [--pool N [--pool-stride N] [--pool-mode max|average] [--ceil]]
        [--conv2 NAME|FILE|CELLS] [--show [--width W] [--height H] [--frame N]]
        """,
      discussion: """
        Opens the playground in the terminal, starting from these settings; '?' lists
        the keys. With --show it prints the frame instead, as the terminal would draw
        it, without colour.
        INPUT is x or o (the lecture's 9x9 pictures), a text grid or .npy file of one
        channel, or mnist:N, the Nth test digit of the bundled MNIST sample (from 0).
        A kernel is a name (diagonal, x-centre, anti-diagonal, or a lesson preset:
        identity, edge-diagonal, edge-4, edge-8, vertical-edge, sharpen, box-blur,
        gaussian-3x3, gaussian-5x5, unsharp-5x5), a grid file, or cells written out
        with ';' between rows: '1,-1;-1,1'.
        Examples:
          cnnlab playground --input x --kernel diagonal --stride 2 --padding 1
          cnnlab playground --input o --activation relu --pool 2 --conv2 x-centre
          cnnlab playground --dilation 2 --show --width 100 --height 30
        """)

    @Option(help: "The input: x, o, a grid file (text or .npy) or mnist:N.")
    var input = "x"

    @Option(help: "The kernel: a name, a grid file, or cells such as '1,-1;-1,1'.")
    var kernel = "diagonal"

    // Numbers are taken as they come (`parsing: .unconditional`), so `--stride -1` is read as
    // -1 and refused with the rule, not mistaken for a missing value.
    @Option(parsing: .unconditional, help: "Stride of the first convolution.")
    var stride = 1

    @Option(parsing: .unconditional, help: "Padding: valid, same, or N zeros on every side.")
    var padding = "valid"

    @OptionGroup var kernelOptions: KernelOptions

    @Option(help: "The activation after the first convolution: relu, sigmoid, tanh or none.")
    var activation = "none"

    @Option(parsing: .unconditional, help: "A pooling window of N x N after the activation.")
    var pool: Int?

    @Option(name: .customLong("pool-stride"), parsing: .unconditional, help: "The pooling stride (default: the window).")
    var poolStride: Int?

    @Option(name: .customLong("pool-mode"), help: "max or average pooling.")
    var poolMode = "max"

    @Flag(help: "Keep the partial pooling windows at the edges.")
    var ceil = false

    @Option(help: "A second convolution's kernel (stride 1, no padding), after the pooling.")
    var conv2: String?

    @Flag(help: "Print the frame as text instead of opening the terminal screen.")
    var show = false

    @Option(parsing: .unconditional, help: "With --show: the screen width in columns.")
    var width = 100

    @Option(parsing: .unconditional, help: "With --show: the screen height in rows.")
    var height = 30

    @Option(parsing: .unconditional, help: "The first convolution's window to show, from 1.")
    var frame: Int?

    func validate() throws {
      let most = PlaygroundSettings.largestKnob
      let dilation = kernelOptions.dilation
      guard KnobScale.stride.values.contains(stride) else {
        throw ValidationError("--stride must be a whole number from 1 to \(KnobScale.stride.values.upperBound), not \(stride)")
      }
      guard KnobScale.dilation.values.contains(dilation) else {
        throw ValidationError(
          "--dilation must be a whole number from 1 to \(KnobScale.dilation.values.upperBound), not \(dilation) (1 is no gaps)")
      }
      _ = try paddingValue()
      _ = try activationValue()
      _ = try poolModeValue()
      if let pool, !(1...most).contains(pool) {
        throw ValidationError("--pool must be a window of 1 to \(most), not \(pool)")
      }
      if let poolStride {
        guard pool != nil else { throw ValidationError("--pool-stride needs --pool N (the window it moves)") }
        guard (1...most).contains(poolStride) else {
          throw ValidationError("--pool-stride must be 1 to \(most), not \(poolStride)")
        }
      }
      if ceil && pool == nil { throw ValidationError("--ceil needs --pool N (the windows it keeps)") }
      if let frame, frame < 1 { throw ValidationError("--frame counts from 1; give a frame of 1 or more") }
      guard (1...1000).contains(width), (1...1000).contains(height) else {
        throw ValidationError("--width and --height must be between 1 and 1000")
      }
    }

    func paddingValue() throws -> Padding {
      let most = PlaygroundSettings.largestKnob
      switch padding.lowercased() {
      case "valid": return .valid
      case "same": return .same
      default:
        guard let n = Int(padding), (0...most).contains(n) else {
          throw ValidationError("--padding must be valid, same or a whole number from 0 to \(most); got '\(padding)'")
        }
        return .uniform(n)
      }
    }

    func activationValue() throws -> Activation {
      switch activation.lowercased() {
      case "none", "identity": return .identity
      case let name:
        guard let value = Activation(rawValue: name) else {
          throw ValidationError("--activation must be relu, sigmoid, tanh or none; got '\(activation)'")
        }
        return value
      }
    }

    func poolModeValue() throws -> PoolMode {
      switch poolMode.lowercased() {
      case "max": return .max
      case "average", "avg": return .avg
      default: throw ValidationError("--pool-mode must be max or average; got '\(poolMode)'")
      }
    }

    func run() throws {
      let settings = PlaygroundSettings(
        input: try loadInput(input), kernel: try loadKernel(kernel, option: "--kernel"), stride: stride,
        padding: try paddingValue(), dilation: kernelOptions.dilation, mode: kernelOptions.mode,
        normalize: kernelOptions.normalize,
        activation: try activationValue(), pool: pool, poolStride: poolStride, poolMode: try poolModeValue(),
        ceil: ceil, kernel2: try conv2.map { try loadKernel($0, option: "--conv2") })
      let pipeline: PlaygroundPipeline
      do {
        pipeline = try PlaygroundPipeline(settings)
      } catch {
        throw fail(error.message)
      }
      var screen = PlaygroundScreen(pipeline: pipeline)
      if let frame {
        let count = pipeline.conv.placements.count
        guard frame <= count else {
          throw fail("the convolution has \(count) windows; --frame \(frame) is past the end", note: "give a frame from 1 to \(count)")
        }
        screen.show(window: frame - 1)
      }
      if show {
        var program = PlaygroundProgram(screen)
        _ = program.update(.resized(width: width, height: height))
        printFrame(of: program, width: width, height: height)
        return
      }
      let terminal: Terminal
      do {
        terminal = try Terminal()
      } catch {
        printError("cnnlab: \(error)")
        printError("note: add --show to print the playground as text")
        throw ExitCode(2)
      }
      var program = PlaygroundProgram(screen)
      let outcome = RunLoop(terminal: terminal).run(&program)
      terminal.shutdown()
      if case .signal(let signal) = outcome { throw ExitCode(128 + signal) }
    }

    /// The input: the X, the O, the Nth bundled MNIST test digit, or a grid file.
    func loadInput(_ text: String) throws -> NamedGrid {
      switch text.lowercased() {
      case "x": return .x
      case "o": return .o
      default: break
      }
      if text.lowercased().hasPrefix("mnist:") {
        guard let index = Int(text.dropFirst(6)), index >= 0 else {
          throw fail("--input \(text): give the digit's number after 'mnist:', from 0", note: "for example --input mnist:0")
        }
        let images = try reportingFileErrors { () throws -> Tensor in
          guard case .idx(let directory, _) = try DataSource.resolve("mnist") else { return Tensor.zeros([0, 1, 1]) }
          return try IDXDataset.load(directory: directory).test.images
        }
        let count = images.shape[0]
        guard index < count else {
          throw fail("--input \(text): the bundled MNIST sample has \(count) test digits", note: "give mnist:0 to mnist:\(count - 1)")
        }
        return NamedGrid(name: "mnist:\(index)", tensor: images.slice(index))!
      }
      return try loadGrid(text, option: "--input", what: "an input")
    }

    /// A kernel: a name, cells written out (`1,-1;-1,1`), or a grid file.
    func loadKernel(_ text: String, option: String) throws -> NamedGrid {
      if let named = NamedGrid.kernel(named: text) { return named }
      if !FileManager.default.fileExists(atPath: text), text.contains(";") || text.contains(",") || Float(text) != nil {
        let rows = text.split(separator: ";", omittingEmptySubsequences: false).map {
          $0.split(whereSeparator: { $0 == "," || $0 == " " }).map { Float($0) }
        }
        guard let first = rows.first, !first.isEmpty, rows.allSatisfy({ $0.count == first.count }),
          rows.allSatisfy({ $0.allSatisfy { $0?.isFinite == true } })
        else {
          throw fail(
            "\(option) '\(text)': cells must be finite numbers, ',' between cells and ';' between rows of equal length",
            note: "for example \(option) '1,-1;-1,1'")
        }
        return NamedGrid(name: "cells", rows: rows.map { $0.map { $0! } })
      }
      guard FileManager.default.fileExists(atPath: text) else {
        let names = NamedGrid.kernels.map(\.name).joined(separator: ", ")
        throw fail("\(option) '\(text)' is neither a kernel name nor a file", note: "the names are: \(names)")
      }
      return try loadGrid(text, option: option, what: "a kernel")
    }

    func loadGrid(_ path: String, option: String, what: String) throws -> NamedGrid {
      let tensor = try reportingFileErrors { try GridFiles.load(path) }
      let name = (path as NSString).lastPathComponent
      guard let grid = NamedGrid(name: name, tensor: tensor) else {
        throw fail(
          "\(path): \(what) must be one grid (H,W) or (1,H,W), not \(shapeText(tensor.shape))",
          note: "give \(option) a single channel")
      }
      return grid
    }
  }
}
