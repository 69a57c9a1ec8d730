import ArgumentParser
import CNNLabEngine

extension CNNLab {
  struct Pool: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Pool a grid with a window, with the engine the lessons use.",
      usage: """
        cnnlab pool INPUT --size K [--stride S] [--ceil] [--mode max|avg]
        [-o OUT]
        """,
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

    @Option(parsing: .unconditional, help: "The window is SIZE x SIZE cells.")
    var size: Int

    @Option(parsing: .unconditional, help: "How far the window moves (default: the window size).")
    var stride: Int?

    @Flag(help: "Keep partial windows at the right and bottom edges (ceil mode).")
    var ceil = false

    @Option(help: "max or avg.")
    var mode: PoolMode = .max

    @Option(name: .shortAndLong, help: "Write the result to this file (.npy or text) instead of printing it.")
    var output: String?

    func validate() throws {
      guard size >= 1 else { throw ValidationError("--size must be at least 1, not \(size)") }
      if let stride, stride < 1 { throw ValidationError("--stride must be at least 1, not \(stride)") }
    }

    func run() throws {
      let grid = try reportingFileErrors { try GridFiles.load(input) }
      let note: (ShapeError) -> String? = {
        $0.message.contains("does not fit") ? "use a smaller --size, or a bigger input" : nil
      }
      let image: Tensor
      let geometry: ConvGeometry
      do {
        image = try asImage(grid, file: input)
        geometry = try ConvGeometry.pooling(
          inputH: image.shape[1], inputW: image.shape[2], size: size, stride: stride, ceil: ceil)
      } catch {
        throw fail(error.message, note: note(error))
      }
      let outputs = SizeLimits.product([image.shape[0], geometry.outputHeight, geometry.outputWidth])
      try checkBudget(
        memory: SizeLimits.sum([gridBytes(image.scalars.count), gridBytes(outputs, asText: output == nil)].map { $0 ?? Int.max }),
        for: "the pooling", note: "use a smaller input, or a larger --stride")
      try checkWork(
        SizeLimits.product([outputs ?? Int.max, geometry.rows.kernel, geometry.cols.kernel]),
        of: "the pooling", unit: "window cells", note: "use a smaller --size or input, or a larger --stride")
      let pooled: Tensor
      do {
        pooled = try Reference.pool(input: image, size: size, stride: stride, ceil: ceil, mode: mode)
      } catch {
        throw fail(error.message, note: note(error))
      }
      try reportingFileErrors { try GridFiles.emit(GridFiles.squeezed(pooled), to: output) }
    }
  }
}
