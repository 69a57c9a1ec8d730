import CNNLabEngine
import CNNLabLessons

// Cross-entropy on screen: −t·ln p for each class the target weighs, and the loss.

extension CrossEntropyAnimation: AnimationScreen {
  func arithmetic(_ c: ArithmeticContext) -> [StyledLine] {
    let g = c.glyphs
    let terms = terms.enumerated().filter { target[$0.offset] != 0 }.map {
      "\(g.minus)\(c.f(target[$0.offset]))\(g.middleDot)ln(\(LessonPlayer.format(probabilities[$0.offset], glyphs: g, decimals: 3)))"
    }
    return [StyledLine("\(outputName) = " + terms.joined(separator: " + ") + " = \(LessonPlayer.format(loss, glyphs: g, decimals: 3))", .accent)]
  }
}
