import CNNLabEngine
import CNNLabLessons

// The working of the current frame, and how its numbers are written: each kind of operation
// writes its own (see Operations/); the formatting they share is here.

extension LessonPlayer {
  /// The working of the current frame, e.g. `map[0,0] = (1×1) + (−1×−1) + … = 7  →  7/9 = 0.78`,
  /// written by the operation's kind (see `AnimationScreen`).
  func arithmeticText(glyphs: Glyphs, width: Int) -> [StyledLine] {
    guard let animation = scene?.animation, revealedAnimation != nil else { return [] }
    let context = ArithmeticContext(
      frame: frame, glyphs: glyphs, width: width, asked: questionCells(), parts: animation.content.parts(frame: frame))
    return animation.screen.arithmetic(context)
  }

  /// The table of layers up to `frame`: each layer's output shape and its weights, and the
  /// total once every layer is shown.
  static func layerTable(_ a: LayersAnimation, upTo frame: Int, glyphs: Glyphs) -> [StyledLine] {
      let x = String(glyphs.times)
      let textWidth = min(36, max(12, (a.rows.map(\.text.count).max() ?? 0) + 2))
      var lines = [StyledLine("\("layer".padding(toLength: textWidth))\("output".padding(toLength: 14))weights", .dim)]
      lines.append(StyledLine("\("input".padding(toLength: textWidth))\(a.inputShape.map(String.init).joined(separator: x))", .dim))
      for (index, row) in a.rows.enumerated() {
        guard index <= frame else {
          lines.append(StyledLine(""))
          continue
        }
        let shape = row.outputShape.map(String.init).joined(separator: x)
        let weights = row.parameterCount == 0
          ? "0" : "\(row.parameterWorking) = \(LessonPlayer.grouped(Double(row.parameterCount)))"
        let text = (row.isWritten ? row.text : "(\(row.text))").padding(toLength: textWidth) + shape.padding(toLength: 14) + weights
        lines.append(StyledLine(text, index == frame ? .accent : .normal))
      }
      if frame >= a.rows.count - 1 {
        lines.append(StyledLine("total".padding(toLength: textWidth + 14) + LessonPlayer.grouped(Double(a.parameterCount)), .title))
      } else {
        lines.append(StyledLine(""))
      }
      return lines
  }

  /// `[2]`, `[1,3]` or `[0,1,3]`: the position of flat index `i` in a tensor of `shape`.
  static func index(_ i: Int, shape: [Int]) -> String {
    "[" + position(i, shape: shape).map(String.init).joined(separator: ",") + "]"
  }

  /// The position of flat index `i` in a tensor of `shape`, one index per axis.
  static func position(_ i: Int, shape: [Int]) -> [Int] {
    var rest = i
    var parts: [Int] = []
    for extent in shape.reversed() {
      parts.append(rest % max(1, extent))
      rest /= max(1, extent)
    }
    return parts.reversed()
  }

  static func activationName(_ activation: Activation) -> String {
    switch activation {
    case .identity: return "identity"
    case .relu: return "ReLU"
    case .sigmoid: return "sigmoid"
    case .tanh: return "tanh"
    }
  }

  /// `head` + terms joined + `tail`, dropping middle terms for an ellipsis until it fits `width`.
  static func elide(_ head: String, terms: [String], separator: String, tail: String, width: Int, glyphs: Glyphs) -> String {
    let full = head + terms.joined(separator: separator) + tail
    guard full.count > width, terms.count > 2 else { return full }
    var keep = terms.count - 2
    while keep >= 1 {
      let line = head + terms.prefix(keep).joined(separator: separator) + separator + glyphs.ellipsis + separator
        + (terms.last ?? "") + tail
      if line.count <= width { return line }
      keep -= 1
    }
    return head + (terms.first ?? "") + separator + glyphs.ellipsis + tail
  }

  /// A value as the screen shows it: whole numbers without a point, others with `decimals`
  /// digits (2 by default), and the terminal's minus sign.
  static func format(_ value: Float, glyphs: Glyphs, decimals: Int = 2) -> String {
    let whole = value == value.rounded() && abs(value) < 1e9
    let text = NumberGrid.format(value, decimals: whole ? 0 : decimals, minus: glyphs.minus)
    return text
  }

  /// A weight as an exact fraction when it is one with a small denominator (`1/9`, `−1/16`).
  static func fraction(_ value: Float, glyphs: Glyphs) -> String {
    if value == value.rounded() { return format(value, glyphs: glyphs) }
    for n in [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 25, 32, 64, 100, 256] {
      let scaled = Double(value) * Double(n)
      if abs(scaled - scaled.rounded()) < 1e-4 * Double(n) {
        let numerator = Int(scaled.rounded())
        return (numerator < 0 ? String(glyphs.minus) : "") + "\(abs(numerator))/\(n)"
      }
    }
    return format(value, glyphs: glyphs)
  }

  /// `n` when `scale` is 1/n for a whole n.
  static func denominator(of scale: Float) -> Int? {
    guard scale > 0 else { return nil }
    let n = (1 / Double(scale)).rounded()
    guard n >= 1, abs(1 / Double(scale) - n) < 1e-3 else { return nil }
    return Int(n)
  }

  /// `196608000` as `196,608,000`; fractional values with two decimals.
  static func grouped(_ value: Double) -> String {
    guard value.isFinite, value == value.rounded(), abs(value) < 1e15 else {
      return NumberGrid.format(Float(value), decimals: 2)
    }
    let digits = String(Int(abs(value)))
    var out = ""
    for (index, c) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return (value < 0 ? "-" : "") + out
  }
}
