import CNNLabEngine
import CNNLabLessons

// A trained network on one picture: the pipeline fills in a stage per frame; the line under
// it names the layer and its output, then the prediction.

extension PipelineAnimation: AnimationScreen {
  func arithmetic(_ c: ArithmeticContext) -> [StyledLine] {
    guard stages.indices.contains(c.frame) else { return [] }
    let stage = stages[c.frame]
    if c.frame == stages.count - 1 {
      let name = classNames.indices.contains(predicted) ? classNames[predicted] : String(predicted)
      let p = c.isAsked(outputName, channel: nil, row: 0, col: predicted) ? "?" : c.f(probabilities[predicted])
      return [StyledLine("\(outputName) = softmax of the scores: the network says \(name), with probability \(p)", .accent)]
    }
    let shape = LessonPlayer.shapeText(stage.tensor.shape)
    return [StyledLine(c.frame == 0 ? "\(inputName) \(shape), as the model reads it" : "\(stage.text)  \(c.glyphs.arrowRight)  \(shape)", .accent)]
  }

  /// The result is drawn as the pipeline that made it, in a panel `maxWidth` wide and
  /// `maxHeight` high (its label row included).
  func outputPanel(frame: Int, maxWidth: Int, maxHeight: Int) -> GridPanel? {
    let view = PipelineView(
      stages: stages.map { ($0.text, $0.tensor) }, classNames: classNames,
      revealed: frame >= stages.count - 1 ? Int.max : frame, maxWidth: maxWidth,
      maxHeight: maxHeight - 1)
    return GridPanel(kind: .output(0), title: view.labels(glyphs: .unicode), titleRole: .dim, body: .pipeline(view))
  }
}
