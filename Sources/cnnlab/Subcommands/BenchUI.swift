import ArgumentParser
import CNNLabTUI

extension CNNLab {
  /// Times building and diffing full frames without a terminal (hidden; for development).
  struct BenchUI: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "bench-ui",
      abstract: "Time rendering and diffing full screens of cell buffers.",
      shouldDisplay: false)

    @Option(help: "Screen width in cells.") var width = 200
    @Option(help: "Screen height in cells.") var height = 60
    @Option(help: "Frames to time.") var frames = 500

    func validate() throws {
      guard width > 0, height > 0, frames > 0 else {
        throw ValidationError("--width, --height and --frames must all be at least 1.")
      }
    }

    func run() {
      let clock = ContinuousClock()
      var previous = CellBuffer(width: width, height: height)
      var renderTime = Duration.zero
      var diffTime = Duration.zero
      var changed = 0
      for frame in 0..<frames {
        let start = clock.now
        var buffer = CellBuffer(width: width, height: height)
        BenchUI.renderBusyScreen(frame: frame, into: &buffer)
        let rendered = clock.now
        changed += buffer.diff(from: previous).count
        diffTime += clock.now - rendered
        renderTime += rendered - start
        previous = buffer
      }
      func perFrame(_ d: Duration) -> String {
        let micros = Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12
        return "\((micros / Double(frames)).rounded()) µs"
      }
      print("\(width)x\(height), \(frames) frames: render \(perFrame(renderTime)), diff \(perFrame(diffTime)) per frame; \(changed / frames) cells changed per frame")
    }

    /// A dense screen: prose, a 20x20 number grid with a moving kernel window, a 28x28 image, a
    /// key-hint bar; the window and the image move every frame.
    static func renderBusyScreen(frame: Int, into buffer: inout CellBuffer) {
      let (body, bar) = buffer.area.splitBottom(1)
      let columns = body.split(.horizontal, [.fill, .fixed(82), .fixed(30)], gap: 1)
      let prose = String(repeating: "Each output cell is the sum of nine products of the kernel and the pixels under it. ", count: 40)
      TextBlock(prose, scrollOffset: frame % 5).render(in: columns[0], into: &buffer)
      let values = (0..<20).map { r in (0..<20).map { c in Float((r * 7 + c * 3 + frame) % 19 - 9) } }
      let position = frame % 324
      NumberGrid(values, window: GridRect(row: position / 18, column: position % 18, rows: 3, columns: 3))
        .render(in: columns[1], into: &buffer)
      let pixels = (0..<28).map { y in (0..<28).map { x in Double((x + y + frame) % 28) / 27 } }
      HalfBlockImage(pixels: pixels).render(in: columns[2], into: &buffer)
      KeyHintBar(PlaceholderCourse.demoKeys.map(KeyHint.init)).render(in: bar, into: &buffer)
    }
  }
}
