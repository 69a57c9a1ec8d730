import CNNLabEngine
import CNNLabLessons

// Softmax on screen: one class's e^z over the sum per frame, its score lit.

extension SoftmaxAnimation: AnimationScreen {
  func arithmetic(_ c: ArithmeticContext) -> [StyledLine] {
    let frame = c.frame
    guard logits.indices.contains(frame) else { return [] }
    let g = c.glyphs
    return [StyledLine("\(outputName)[\(frame)] = e^\(c.signed(logits[frame])) / \(c.f(total)) = \(LessonPlayer.format(exponentials[frame], glyphs: g, decimals: 3)) / \(c.f(total)) = \(LessonPlayer.format(probabilities[frame], glyphs: g, decimals: 3))", .accent)]
  }

  func inputMarks(frame: Int, channel: Int, shaped: LessonPlayer.Shaped) -> (roles: [GridPoint: Role], padded: [[Float]]?) {
    ([shaped.point(frame): .kernelWindow], nil)
  }
}
