import CNNLabEngine
import CNNLabLessons

// A pooling on screen: the window on the input with the chosen cell lit, and its working.

extension PoolingAnimation: AnimationScreen {
  func arithmetic(_ c: ArithmeticContext) -> [StyledLine] {
    guard let p = trace.placements[safe: c.frame] else { return [] }
    let index = output.rank == 3 && output.shape[0] > 1 ? "[\(p.channel),\(p.outRow),\(p.outCol)]" : "[\(p.outRow),\(p.outCol)]"
    let values = p.cells.map { c.f($0.value) }
    let result = c.isAsked(outputName, channel: output.rank == 3 ? p.channel : nil, row: p.outRow, col: p.outCol)
      ? "?" : c.f(p.value)
    switch trace.mode {
    case .max:
      return [StyledLine(c.elide(outputName + index + " = max(", terms: values, separator: ", ", tail: ") = \(result)"), .accent)]
    case .avg:
      return [StyledLine(c.elide(outputName + index + " = (", terms: values, separator: " + ", tail: ")/\(p.cells.count) = \(result)"), .accent)]
    }
  }

  func inputMarks(frame: Int, channel: Int, shaped: LessonPlayer.Shaped) -> (roles: [GridPoint: Role], padded: [[Float]]?) {
    var roles: [GridPoint: Role] = [:]
    if let placement = trace.placements[safe: frame], placement.channel == channel {
      for (index, cell) in placement.cells.enumerated() {
        roles[GridPoint(row: cell.row, column: cell.col)] = index == placement.chosen ? .accent : .kernelWindow
      }
    }
    return (roles, nil)
  }

  /// A 2-D pooling is a layer of a receptive-field stack.
  var fieldLayer: (input: String, output: String, geometry: ConvGeometry)? {
    output.rank == 2 ? (inputName, outputName, trace.geometry) : nil
  }
}
