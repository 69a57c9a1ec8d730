// C = channels, H/W = input height/width, OH/OW = output height/width.

/// How a pooling window summarises the cells it covers.
public enum PoolMode: String, Sendable, CaseIterable {
  case max
  case avg
}

/// One position of a pooling window.
public struct PoolPlacement: Equatable, Sendable {
  public var channel: Int
  public var outRow: Int
  public var outCol: Int
  /// The input cells inside the window, row-major; a partial window at the edge (ceil mode)
  /// has fewer.
  public var cells: [(row: Int, col: Int, value: Float)]
  /// The window's full extent, including any part hanging over the edge.
  public var windowRows: Range<Int>
  public var windowCols: Range<Int>
  /// For max: index into `cells` of the first maximum (it receives the gradient).
  public var chosen: Int?
  public var value: Float

  public static func == (a: PoolPlacement, b: PoolPlacement) -> Bool {
    a.channel == b.channel && a.outRow == b.outRow && a.outCol == b.outCol
      && a.cells.elementsEqual(b.cells, by: { $0 == $1 }) && a.windowRows == b.windowRows
      && a.windowCols == b.windowCols && a.chosen == b.chosen && a.value == b.value
  }
}

/// Every window of a pooling pass over one example, and the output.
public struct PoolTrace: Equatable, Sendable {
  public var geometry: ConvGeometry
  public var mode: PoolMode
  public var placements: [PoolPlacement]
  /// (C, OH, OW).
  public var output: Tensor
}

extension Reference {
  /// Pools one example `(H, W)` or `(C, H, W)` with a `size`×`size` window, keeping every window.
  ///
  /// Windows that hang over the edge (ceil mode) use only the cells inside: the maximum of
  /// those, or their mean.
  public static func poolTrace(
    input: Tensor, size: Int, stride: Int? = nil, ceil: Bool = false, mode: PoolMode = .max
  ) throws(ShapeError) -> PoolTrace {
    try pool(input: input, size: size, stride: stride, ceil: ceil, mode: mode, recordPlacements: true)
  }

  /// The pooled output of one example: the same loop as `poolTrace`, without the record (so a
  /// large grid costs its output, not a list of every window's cells).
  public static func pool(
    input: Tensor, size: Int, stride: Int? = nil, ceil: Bool = false, mode: PoolMode = .max
  ) throws(ShapeError) -> Tensor {
    try pool(input: input, size: size, stride: stride, ceil: ceil, mode: mode, recordPlacements: false)
      .output
  }

  static func pool(
    input: Tensor, size: Int, stride: Int?, ceil: Bool, mode: PoolMode, recordPlacements: Bool
  ) throws(ShapeError) -> PoolTrace {
    let (channels, height, width) = try imageShape(input)
    let geometry = try ConvGeometry.pooling(
      inputH: height, inputW: width, size: size, stride: stride, ceil: ceil)
    var placements: [PoolPlacement] = []
    var output = Tensor.zeros([channels, geometry.rows.output, geometry.cols.output])
    forEachWindow(channels: channels, height: height, width: width, geometry: geometry) {
      c, oy, ox, rows, cols in
      // Cells in row-major order; the first maximum wins, and avg adds in the same order.
      var cells: [(row: Int, col: Int, value: Float)] = []
      var best = 0
      var bestValue = -Float.infinity
      var sum: Float = 0
      var count = 0
      for iy in rows.clamped(to: 0..<height) {
        for ix in cols.clamped(to: 0..<width) {
          let v = input.scalars[(c * height + iy) * width + ix]
          if count == 0 || v > bestValue { (best, bestValue) = (count, v) }
          sum += v
          count += 1
          if recordPlacements { cells.append((iy, ix, v)) }
        }
      }
      let value = mode == .max ? bestValue : sum / Float(count)
      output.scalars[(c * geometry.rows.output + oy) * geometry.cols.output + ox] = value
      if recordPlacements {
        placements.append(
          PoolPlacement(
            channel: c, outRow: oy, outCol: ox, cells: cells, windowRows: rows, windowCols: cols,
            chosen: mode == .max ? best : nil, value: value))
      }
    }
    return PoolTrace(geometry: geometry, mode: mode, placements: placements, output: output)
  }

  /// The gradient of one example through pooling: max sends each upstream value to the first
  /// maximum of its window; avg shares it equally among the window's cells inside the input.
  public static func poolBackward(
    input: Tensor, size: Int, stride: Int? = nil, ceil: Bool = false, mode: PoolMode,
    dOutput: Tensor
  ) throws(ShapeError) -> Tensor {
    let trace = try poolTrace(input: input, size: size, stride: stride, ceil: ceil, mode: mode)
    let (_, height, width) = try imageShape(input)
    var dInput = Tensor.zeros(like: input)
    for (p, placement) in trace.placements.enumerated() {
      let g = dOutput.scalars[p]  // placements are in output order
      let base = placement.channel * height * width
      switch mode {
      case .max:
        if let chosen = placement.chosen {
          let cell = placement.cells[chosen]
          dInput.scalars[base + cell.row * width + cell.col] += g
        }
      case .avg:
        let share = g / Float(placement.cells.count)
        for cell in placement.cells { dInput.scalars[base + cell.row * width + cell.col] += share }
      }
    }
    return dInput
  }

  /// Visits every pooling window in output order: channel, output row, output column.
  static func forEachWindow(
    channels: Int, height: Int, width: Int, geometry: ConvGeometry,
    _ body: (_ c: Int, _ oy: Int, _ ox: Int, _ rows: Range<Int>, _ cols: Range<Int>) -> Void
  ) {
    for c in 0..<channels {
      for oy in 0..<geometry.rows.output {
        let top = oy * geometry.rows.stride
        for ox in 0..<geometry.cols.output {
          let left = ox * geometry.cols.stride
          body(c, oy, ox, top..<top + geometry.rows.kernel, left..<left + geometry.cols.kernel)
        }
      }
    }
  }
}
