import CNNLabEngine
import CNNLabLessons

// The training loop on screen, a line per stage: the mini-batch, its loss, one weight's
// gradient, the SGD step, the loss after it, and whole epochs.

extension TrainingAnimation: AnimationScreen {
  func arithmetic(_ c: ArithmeticContext) -> [StyledLine] {
    let g = c.glyphs
    // A rate too large sends the loss past what a float holds: say so rather than print `nan`.
    func f4(_ v: Float) -> String { v.isFinite ? LessonPlayer.format(v, glyphs: g, decimals: 4) : "not a number" }
    func steps(_ n: Int) -> String { n == 1 ? "1 step" : "\(n) steps" }
    let d = g.isUnicode ? "∂loss/∂w" : "dloss/dw"
    let eta = g.isUnicode ? "η" : "lr"
    let o = batchSize - xCount
    let lines = [
      "batch: the first \(batchSize) of \(imageCount) pictures in a shuffled order (\(xCount) X, \(o) O)",
      "loss: the mean of \(g.isUnicode ? "−" : "-")ln p(true class) over the batch = \(f4(loss))",
      "\(d) = \(f4(gradient)) for w, the first weight of kernel 0 (now \(f4(weight)))",
      "w \(g.isUnicode ? "←" : "<-") w \(g.isUnicode ? "−" : "-") \(eta)\(g.isUnicode ? "·" : "*")\(d) = \(f4(weight)) \(g.isUnicode ? "−" : "-") \(rateText) \(c.times) \(gradient < 0 ? "(\(f4(gradient)))" : f4(gradient)) = \(f4(updated))",
      "the same batch after the step: loss \(f4(lossAfter))",
      "\(steps(epochs * stepsPerEpoch)) (\(epochs) epoch\(epochs == 1 ? "" : "s") of \(stepsPerEpoch)): "
        + "loss on all \(imageCount) pictures \(f4(startLoss))\(c.arrow)\(f4(finalLoss))",
    ]
    let shown = min(max(c.frame, 0), frameCount - 1)
    return lines.prefix(shown + 1).enumerated().map { index, line in
      StyledLine(line, index == shown ? .accent : .normal)
    }
  }

  var arithmeticRows: Int { frameCount }
}
