import CNNLabEngine
import CNNLabLessons

// A convolution on screen: the window on the input (on a padded grid when there is padding),
// its products, and the working of the output cell.

extension ConvolutionAnimation: AnimationScreen {
  func arithmetic(_ c: ArithmeticContext) -> [StyledLine] {
    guard let p = trace.placements[safe: c.frame] else { return [] }
    let (x, arrow) = (c.times, c.arrow)
    let index = isOneDimensional
      ? "[\(p.outCol)]" : (output.rank == 3 ? "[\(p.filter),\(p.outRow),\(p.outCol)]" : "[\(p.outRow),\(p.outCol)]")
    let terms = p.taps.map { "(\(c.f($0.input))\(x)\(LessonPlayer.fraction($0.weight, glyphs: c.glyphs)))" }
    // An asked cell keeps every step of the working (the division, the bias, the
    // activation) with its values as `?`: the learner sees what to compute, not the result.
    let hides = c.isAsked(
      outputName, channel: output.rank == 3 ? p.filter : nil, row: isOneDimensional ? 0 : p.outRow, col: p.outCol)
    func v(_ value: Float) -> String { hides ? "?" : c.f(value) }
    func result(_ value: Float) -> String { hides ? "" : " = " + c.f(value) }
    var tail = " = \(v(p.sum))"
    var after = v(p.sum)
    if p.scale != 1 {
      if let n = LessonPlayer.denominator(of: p.scale) {
        after = "\(v(p.sum))/\(n)"
      } else {
        after = "\(v(p.sum))\(x)\(c.f(p.scale))"
      }
    }
    if p.bias != 0 { after += (p.bias < 0 ? " \(c.glyphs.minus) " : " + ") + c.f(abs(p.bias)) }
    if p.scale != 1 || p.bias != 0 { tail += arrow + after + result(p.preActivation) }
    if p.value != p.preActivation || trace.activation != .identity {
      tail += arrow + "\(LessonPlayer.activationName(trace.activation))(\(v(p.preActivation)))" + result(p.value)
    }
    return [StyledLine(c.elide(outputName + index + " = ", terms: terms, separator: " + ", tail: tail), .accent)]
  }

  func inputMarks(frame: Int, channel: Int, shaped: LessonPlayer.Shaped) -> (roles: [GridPoint: Role], padded: [[Float]]?) {
    let g = trace.geometry
    let placement = trace.placements[safe: frame]
    let taps = (placement?.taps ?? []).filter { $0.channel == channel }
    guard isOneDimensional else {
      // Drawn as the playground draws its input: padding as padding, rows and columns no
      // window reaches dimmed, and a dilated window's taps spread out.
      let read = Set(taps.map { GridPoint(row: $0.inputRow, column: $0.inputCol) })
      let drawn = DrawnInput(rows: shaped.rows, geometry: g) { read.contains(GridPoint(row: $0, column: $1)) }
      return (drawn.roles, DrawnInput.isPadded(g) ? drawn.values : nil)
    }
    var roles: [GridPoint: Role] = [:]
    let left = g.cols.padBefore
    guard g.cols.padBefore + g.cols.padAfter > 0 else {
      for tap in taps { roles[shaped.point(tap.inputCol)] = .kernelWindow }
      return (roles, nil)
    }
    // Padding: the row grows by the padding on each side, its zeros drawn as padding.
    let rows = shaped.rows
    let width = (rows.first?.count ?? 0) + g.cols.padBefore + g.cols.padAfter
    var padded = Array(repeating: Array(repeating: Float(0), count: width), count: rows.count)
    for r in rows.indices {
      for c in 0..<width {
        let ic = c - left
        if ic >= 0, ic < rows[r].count {
          padded[r][c] = rows[r][ic]
        } else {
          roles[GridPoint(row: r, column: c)] = .padding
        }
      }
    }
    for tap in taps { roles[GridPoint(row: 0, column: tap.inputCol + left)] = .kernelWindow }
    return (roles, padded)
  }

  /// The products of the current window laid out as the window (input × weight per tap, as
  /// the engine's trace recorded them), for a single-channel convolution.
  func productsPanel(frame: Int) -> GridPanel? {
    guard let placement = trace.placements[safe: frame], let kernel = kernels[safe: placement.filter] else { return nil }
    let (rows, columns): (Int, Int)
    switch kernel.rank {
    case 1: (rows, columns) = (1, kernel.shape[0])
    case 2: (rows, columns) = (kernel.shape[0], kernel.shape[1])
    default: return nil  // several channels: the arithmetic line sums them
    }
    guard placement.taps.count == rows * columns, rows * columns > 0 else { return nil }
    let products = (0..<rows).map { r in (0..<columns).map { c in placement.taps[r * columns + c].product } }
    let magnitude = trace.placements.lazy.flatMap { $0.taps.map { abs($0.product) } }.max() ?? 0
    let grid = NumberGrid(products, maxMagnitude: magnitude)
    return GridPanel(kind: .products, title: "window \(Glyphs.unicode.times) kernel", titleRole: .dim, body: .numbers(grid, blanks: [], text: [:]))
  }

  /// A 2-D convolution of one kernel is a layer of a receptive-field stack.
  var fieldLayer: (input: String, output: String, geometry: ConvGeometry)? {
    guard !isOneDimensional, kernels.count == 1, output.rank == 2 else { return nil }
    return (inputName, outputName, trace.geometry)
  }
}
