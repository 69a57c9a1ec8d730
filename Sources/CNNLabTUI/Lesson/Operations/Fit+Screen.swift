import CNNLabEngine
import CNNLabLessons

// A training run on screen: the loss curves up to the current epoch, one mark per epoch and
// series (training `·`, validation `o`, an earlier run's validation `x`), and the epoch's
// numbers as the engine scored them. A loss above the chart's top is drawn on its top row,
// labelled `0.80+`.

extension FitAnimation: AnimationScreen {
  /// Rows of the plot itself, between the top label and the axis.
  static let plotRows = 5

  func arithmetic(_ c: ArithmeticContext) -> [StyledLine] {
    let epochs = frameCount
    let shown = min(max(c.frame, 0), epochs - 1) + 1
    let top = chartTop
    let label = 5  // "1.20 "
    let step = max(1, min(4, (c.width - label - 3) / max(epochs, 1)))
    let width = step * epochs
    let (train, validation, other): (Character, Character, Character) =
      c.glyphs.isUnicode ? ("·", "o", "×") : (".", "o", "x")
    var plot = [[Character]](repeating: [Character](repeating: " ", count: width), count: Self.plotRows)
    func mark(_ values: [Float]?, _ glyph: Character) {
      guard let values else { return }
      for (e, v) in values.prefix(shown).enumerated() where v.isFinite {
        let fraction = top > 0 ? Double(max(0, min(v, top)) / top) : 0
        let row = Self.plotRows - 1 - Int((fraction * Double(Self.plotRows - 1)).rounded())
        plot[row][e * step] = glyph
      }
    }
    mark(curves.trainingLoss, train)
    mark(compared, other)
    mark(curves.validationLoss, validation)
    // The first epoch's loss is usually above the top (see `chartTop`): its marks sit on the
    // top row, which then reads `0.80+`.
    let clipped = [curves.trainingLoss, curves.validationLoss, compared ?? []]
      .contains { $0.prefix(shown).contains { $0 > top } }
    var lines: [StyledLine] = []
    for (r, row) in plot.enumerated() {
      let y = r == 0 ? c.f(top) + (clipped ? "+" : "") : r == Self.plotRows - 1 ? "0" : ""
      lines.append(StyledLine(pad(y, label) + String(c.glyphs.vertical) + String(row), .accent))
    }
    lines.append(StyledLine(String(repeating: " ", count: label) + "+" + String(repeating: c.glyphs.horizontal, count: width), .dim))
    let last = "\(epochs) epochs"
    let gap = max(1, (epochs - 1) * step - 1)
    lines.append(StyledLine(String(repeating: " ", count: label + 1) + "1" + pad("", gap) + last, .dim))
    var legend = "\(train) training loss   \(validation) validation loss"
    if let comparedName { legend += "   \(other) \(comparedName): validation loss" }
    lines.append(StyledLine(legend, .normal))
    let e = shown - 1
    let status =
      "epoch \(shown): loss \(fixed(curves.trainingLoss[e], 3)) training, \(fixed(curves.validationLoss[e], 3)) "
      + "validation; validation accuracy \(fixed(curves.validationAccuracy[e], 1)) %"
    lines.append(StyledLine(status, .accent))
    return lines
  }

  /// The plot, the axis, its epochs, the legend and the epoch's numbers.
  var arithmeticRows: Int { Self.plotRows + 4 }

  private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }

  private func fixed(_ value: Float, _ decimals: Int) -> String {
    var scale: Float = 1
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if let dot = text.firstIndex(of: ".") {
      let have = text.distance(from: dot, to: text.endIndex) - 1
      if have < decimals { text += String(repeating: "0", count: decimals - have) }
      if have > decimals { text = String(text[..<text.index(dot, offsetBy: decimals + 1)]) }
    }
    return text
  }
}
