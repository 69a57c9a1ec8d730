import ArgumentParser
import CNNLabEngine

extension CNNLab {
  struct Pool: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Pool a grid with a window, with the engine the lessons use.",
      discussion: """
        INPUT is a text grid or .npy file, (H,W) or (C,H,W); each channel is pooled on
        its own.
        Example: the lecture's 7x7 map of the X's diagonal, pooled to 4x4 (--ceil keeps
        the partial windows at the right and bottom edges):
          cnnlab conv assets/xo/x.grid assets/xo/diagonal.grid --normalize -o map.npy
          cnnlab pool map.npy --size 2 --stride 2 --ceil
        """)

    @Argument(help: "The input grid (text or .npy).")
    var input: String

    @Option(help: "The window is SIZE x SIZE cells.")
    var size: Int

    @Option(help: "How far the window moves (default: the window size).")
    var stride: Int?

    @Flag(help: "Keep partial windows at the right and bottom edges (ceil mode).")
    var ceil = false

    @Option(help: "max or avg.")
    var mode: PoolMode = .max

    @Option(name: .shortAndLong, help: "Write the result to this file (.npy or text) instead of printing it.")
    var output: String?

    func run() throws {
      guard size >= 1 else { throw ValidationError("--size must be at least 1") }
      if let stride, stride < 1 { throw ValidationError("--stride must be at least 1") }
      let grid = try reportingFileErrors { try GridFiles.load(input) }
      let pooled: Tensor
      do {
        let image = try asImage(grid, file: input)
        pooled = try Reference.pool(input: image, size: size, stride: stride, ceil: ceil, mode: mode)
      } catch {
        throw fail(error.message, note: "use a smaller --size, or a bigger input")
      }
      try reportingFileErrors { try GridFiles.emit(GridFiles.squeezed(pooled), to: output) }
    }
  }
}
