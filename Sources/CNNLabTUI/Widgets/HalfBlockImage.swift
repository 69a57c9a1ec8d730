import CNNLabEngine

/// A greyscale image drawn two pixels per cell: each cell is an upper half block `▀` whose
/// foreground is the top pixel and background the bottom pixel, so a 28x28 digit takes 28x14
/// cells.
///
/// Without a grey palette (8 colours, monochrome) or without Unicode, each cell instead shows a
/// shade character for the mean of its two pixels, from `Glyphs.shadeRamp`.
public struct HalfBlockImage: Widget {
  /// Brightness per pixel, 0 (black) to 1 (white), row by row; values outside are clamped.
  public var pixels: [[Double]]

  public init(pixels: [[Double]]) {
    self.pixels = pixels
  }

  /// An image from a 2-D tensor `(rows, columns)`, mapping `range` to black...white (the
  /// tensor's own minimum and maximum when `range` is nil).
  public init(_ tensor: Tensor, range: ClosedRange<Float>? = nil) {
    precondition(tensor.shape.count == 2, "HalfBlockImage needs a 2-D tensor, not shape \(tensor.shape)")
    let low = range?.lowerBound ?? tensor.scalars.min() ?? 0
    let high = range?.upperBound ?? tensor.scalars.max() ?? 1
    let span = high > low ? Double(high - low) : 1
    let columns = tensor.shape[1]
    self.init(
      pixels: (0..<tensor.shape[0]).map { row in
        tensor.scalars[(row * columns)..<((row + 1) * columns)].map { Double($0 - low) / span }
      })
  }

  /// The cells the image needs: `(columns, ceil(rows / 2))`.
  public var size: (width: Int, height: Int) {
    (pixels.map(\.count).max() ?? 0, (pixels.count + 1) / 2)
  }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    let halfBlocks = buffer.capabilities.showsGreys && buffer.glyphs.isUnicode
    let block = buffer.glyphs.upperHalfBlock
    for cellRow in 0..<size.height {
      let y = area.y + cellRow
      if y >= area.maxY { break }
      let top = pixels[2 * cellRow]
      let bottom = 2 * cellRow + 1 < pixels.count ? pixels[2 * cellRow + 1] : []
      for column in 0..<top.count {
        let x = area.x + column
        if x >= area.maxX { break }
        let upper = top[column]
        // An odd last row has no bottom pixel: black below, and the shade of the top alone.
        let lower = column < bottom.count ? bottom[column] : nil
        if halfBlocks {
          buffer[x: x, y: y] = Cell(
            block, role: .halfBlock(top: Role.greyLevel(upper), bottom: Role.greyLevel(lower ?? 0)))
        } else {
          let mean = lower.map { (clamp(upper) + clamp($0)) / 2 } ?? clamp(upper)
          buffer[x: x, y: y] = Cell(buffer.glyphs.shade(mean), role: .grey(Role.greyLevel(mean)))
        }
      }
    }
  }

  private func clamp(_ v: Double) -> Double { v.isFinite ? min(1, max(0, v)) : 0 }
}
