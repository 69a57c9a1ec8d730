import CNNLabEngine
import CNNLabLessons

// A gradient-descent step on screen: the forward sums window by window, then each weight's
// gradient as the sum of its terms, and the new weight.

extension LearningAnimation: AnimationScreen {
  func arithmetic(_ c: ArithmeticContext) -> [StyledLine] {
    let frame = c.frame
    let forwardCount = forward.placements.count
    if frame < forwardCount, let p = forward.placements[safe: frame] {
      let terms = p.taps.map { "(\(c.f($0.input))\(c.times)\(c.signed($0.weight)))" }
      return [StyledLine(c.elide("h[\(p.outRow),\(p.outCol)] = ", terms: terms, separator: " + ", tail: " = \(c.f(p.value))"), .accent)]
    }
    let weight = frame - forwardCount
    guard let contributions = contributions[safe: weight], gradient.scalars.indices.contains(weight) else { return [] }
    let columns = kernel.shape.last ?? 1
    let terms = contributions.map { "(\(c.f($0.dOutput))\(c.times)\(c.f($0.input)))" }
    let line = c.elide(
      "\(c.glyphs.isUnicode ? "∂E/∂W" : "dE/dW")[\(weight / columns),\(weight % columns)] = ", terms: terms, separator: " + ",
      tail: " = \(c.f(gradient.scalars[weight]))\(c.arrow)new weight \(c.f(updated.scalars[weight]))")
    return [StyledLine(line, .accent)]
  }

  func inputMarks(frame: Int, channel: Int, shaped: LessonPlayer.Shaped) -> (roles: [GridPoint: Role], padded: [[Float]]?) {
    var roles: [GridPoint: Role] = [:]
    if let placement = forward.placements[safe: frame] {
      for tap in placement.taps { roles[GridPoint(row: tap.inputRow, column: tap.inputCol)] = .kernelWindow }
    }
    return (roles, nil)
  }
}
