import CNNLabEngine
import CNNLabLessons

// A fully connected vote on screen: one class's products, sum, scale and bias per frame.

extension DenseAnimation: AnimationScreen {
  func arithmetic(_ c: ArithmeticContext) -> [StyledLine] {
    guard let k = classes[safe: c.frame] else { return [] }
    var tail = " = \(c.f(k.sum))"
    if k.scale != 1, let n = LessonPlayer.denominator(of: k.scale) { tail += c.arrow + "\(c.f(k.sum))/\(n)" }
    if k.bias != 0 { tail += " + \(c.f(k.bias))" }
    if k.scale != 1 || k.bias != 0 { tail += " = \(c.f(k.score))" }
    let terms = zip(input.scalars, k.weights.scalars).map {
      "(\(c.f($0))\(c.times)\(LessonPlayer.fraction($1, glyphs: c.glyphs)))"
    }
    return [StyledLine(c.elide("\(k.label): ", terms: terms, separator: " + ", tail: tail), .accent)]
  }
}
