import CNNLabEngine
import CNNLabLessons

// A network's layers on screen: the table grows a row per frame.

extension LayersAnimation: AnimationScreen {
  func arithmetic(_ c: ArithmeticContext) -> [StyledLine] {
    LessonPlayer.layerTable(self, upTo: c.frame, glyphs: c.glyphs)
  }

  /// The header, the input row, a row per layer and the total.
  var arithmeticRows: Int { rows.count + 3 }

  /// A table of a network from 28x28 digits to 10 scores can be trained live.
  var liveSpec: String? {
    guard inputShape == [1, 28, 28], rows.last?.outputShape == [10], !trainingSpec.isEmpty else { return nil }
    return trainingSpec
  }
}
