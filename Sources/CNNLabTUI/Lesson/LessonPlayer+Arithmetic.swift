import CNNLabEngine
import CNNLabLessons

// The working of the current frame, written out from the engine's trace: every product, the
// sum and the division as the trace recorded them. Nothing here adds or multiplies.

extension LessonPlayer {
  /// The working of the current frame, e.g. `map[0,0] = (1×1) + (−1×−1) + … = 7  →  7/9 = 0.78`.
  func arithmeticText(glyphs: Glyphs, width: Int) -> [StyledLine] {
    guard let animation = scene?.animation else { return [] }
    guard revealedAnimation != nil else { return [] }
    let x = String(glyphs.times)
    let arrow = "  \(glyphs.arrowRight)  "
    func f(_ v: Float) -> String { LessonPlayer.format(v, glyphs: glyphs) }
    func signed(_ v: Float) -> String { v < 0 ? "(\(f(v)))" : f(v) }
    // A cell a question still asks about shows its terms but not its value.
    let asked = questionCells()
    func isAsked(_ name: String, channel: Int?, row: Int, col: Int) -> Bool {
      asked.contains { $0.name == name && ($0.channel == nil || $0.channel == channel) && $0.row == row && $0.col == col }
    }
    /// The value of the output cell at flat index `i` of a grid of `shape`, or `?` when asked.
    func value(_ output: Tensor, _ i: Int, of name: String?) -> String {
      let at = LessonPlayer.position(i, shape: output.shape)
      let asks = at.count <= 3 && isAsked(
        name ?? "", channel: at.count == 3 ? at[0] : nil, row: at.count >= 2 ? at[at.count - 2] : 0, col: at.last ?? 0)
      return asks ? "?" : f(output.scalars[i])
    }
    switch animation {
    case .convolution(let a):
      guard let p = a.trace.placements[safe: frame] else { return [] }
      let index = a.isOneDimensional
        ? "[\(p.outCol)]" : (a.output.rank == 3 ? "[\(p.filter),\(p.outRow),\(p.outCol)]" : "[\(p.outRow),\(p.outCol)]")
      let terms = p.taps.map { "(\(f($0.input))\(x)\(LessonPlayer.fraction($0.weight, glyphs: glyphs)))" }
      // An asked cell keeps every step of the working (the division, the bias, the
      // activation) with its values as `?`: the learner sees what to compute, not the result.
      let hides = isAsked(
        a.outputName, channel: a.output.rank == 3 ? p.filter : nil, row: a.isOneDimensional ? 0 : p.outRow, col: p.outCol)
      func v(_ value: Float) -> String { hides ? "?" : f(value) }
      func result(_ value: Float) -> String { hides ? "" : " = " + f(value) }
      var tail = " = \(v(p.sum))"
      var after = v(p.sum)
      if p.scale != 1 {
        if let n = LessonPlayer.denominator(of: p.scale) {
          after = "\(v(p.sum))/\(n)"
        } else {
          after = "\(v(p.sum))\(x)\(f(p.scale))"
        }
      }
      if p.bias != 0 { after += (p.bias < 0 ? " \(glyphs.minus) " : " + ") + f(abs(p.bias)) }
      if p.scale != 1 || p.bias != 0 { tail += arrow + after + result(p.preActivation) }
      if p.value != p.preActivation || a.trace.activation != .identity {
        tail += arrow + "\(LessonPlayer.activationName(a.trace.activation))(\(v(p.preActivation)))" + result(p.value)
      }
      return [StyledLine(LessonPlayer.elide(a.outputName + index + " = ", terms: terms, separator: " + ", tail: tail, width: width, glyphs: glyphs), .accent)]
    case .pooling(let a):
      guard let p = a.trace.placements[safe: frame] else { return [] }
      let index = a.output.rank == 3 && a.output.shape[0] > 1 ? "[\(p.channel),\(p.outRow),\(p.outCol)]" : "[\(p.outRow),\(p.outCol)]"
      let values = p.cells.map { f($0.value) }
      let result = isAsked(a.outputName, channel: a.output.rank == 3 ? p.channel : nil, row: p.outRow, col: p.outCol)
        ? "?" : f(p.value)
      switch a.trace.mode {
      case .max:
        return [StyledLine(LessonPlayer.elide(a.outputName + index + " = max(", terms: values, separator: ", ", tail: ") = \(result)", width: width, glyphs: glyphs), .accent)]
      case .avg:
        return [StyledLine(LessonPlayer.elide(a.outputName + index + " = (", terms: values, separator: " + ", tail: ")/\(p.cells.count) = \(result)", width: width, glyphs: glyphs), .accent)]
      }
    case .relu(let input, let output, _):
      guard input.scalars.indices.contains(frame), let scene else { return [] }
      let name = animationParts(scene).output
      return [StyledLine("\(name ?? "out")\(LessonPlayer.index(frame, shape: output.shape)) = max(0, \(f(input.scalars[frame]))) = \(value(output, frame, of: name))", .accent)]
    case .flatten(let input, let output, _):
      guard input.scalars.indices.contains(frame), let scene else { return [] }
      let parts = animationParts(scene)
      let from = (parts.input ?? "") + LessonPlayer.index(frame, shape: input.shape)
      return [StyledLine("\(parts.output ?? "out")[\(frame)] = \(value(output, frame, of: parts.output))   from \(from), read row by row", .accent)]
    case .layout(let input, let output, _), .channel(let input, _, let output, _):
      guard output.scalars.indices.contains(frame), let scene else { return [] }
      let parts = animationParts(scene)
      var line = "\(parts.output ?? "out")\(LessonPlayer.index(frame, shape: output.shape)) = \(value(output, frame, of: parts.output))"
      // Where the value comes from, as the input panel lights it: an asked value is read there.
      if let source = LessonPlayer.sourceIndex(animation, frame: frame) {
        line += "   from \(parts.input ?? "")\(LessonPlayer.index(source, shape: input.shape))"
      }
      return [StyledLine(line, .accent)]
    case .dense(let a):
      guard let c = a.classes[safe: frame] else { return [] }
      var tail = " = \(f(c.sum))"
      if c.scale != 1, let n = LessonPlayer.denominator(of: c.scale) { tail += arrow + "\(f(c.sum))/\(n)" }
      if c.bias != 0 { tail += " + \(f(c.bias))" }
      if c.scale != 1 || c.bias != 0 { tail += " = \(f(c.score))" }
      let terms = zip(a.input.scalars, c.weights.scalars).map {
        "(\(f($0))\(x)\(LessonPlayer.fraction($1, glyphs: glyphs)))"
      }
      return [StyledLine(LessonPlayer.elide("\(c.label): ", terms: terms, separator: " + ", tail: tail, width: width, glyphs: glyphs), .accent)]
    case .softmax(let a):
      guard a.logits.indices.contains(frame) else { return [] }
      return [StyledLine("\(a.outputName)[\(frame)] = e^\(signed(a.logits[frame])) / \(f(a.total)) = \(LessonPlayer.format(a.exponentials[frame], glyphs: glyphs, decimals: 3)) / \(f(a.total)) = \(LessonPlayer.format(a.probabilities[frame], glyphs: glyphs, decimals: 3))", .accent)]
    case .crossEntropy(let a):
      let terms = a.terms.enumerated().filter { a.target[$0.offset] != 0 }.map { "\(glyphs.minus)\(f(a.target[$0.offset]))\(glyphs.middleDot)ln(\(LessonPlayer.format(a.probabilities[$0.offset], glyphs: glyphs, decimals: 3)))" }
      return [StyledLine("\(a.outputName) = " + terms.joined(separator: " + ") + " = \(LessonPlayer.format(a.loss, glyphs: glyphs, decimals: 3))", .accent)]
    case .learning(let a):
      let forwardCount = a.forward.placements.count
      if frame < forwardCount, let p = a.forward.placements[safe: frame] {
        let terms = p.taps.map { "(\(f($0.input))\(x)\(signed($0.weight)))" }
        return [StyledLine(LessonPlayer.elide("h[\(p.outRow),\(p.outCol)] = ", terms: terms, separator: " + ", tail: " = \(f(p.value))", width: width, glyphs: glyphs), .accent)]
      }
      let weight = frame - forwardCount
      guard let contributions = a.contributions[safe: weight], a.gradient.scalars.indices.contains(weight) else { return [] }
      let columns = a.kernel.shape.last ?? 1
      let terms = contributions.map { "(\(f($0.dOutput))\(x)\(f($0.input)))" }
      let line = LessonPlayer.elide(
        "\(glyphs.isUnicode ? "∂E/∂W" : "dE/dW")[\(weight / columns),\(weight % columns)] = ", terms: terms, separator: " + ",
        tail: " = \(f(a.gradient.scalars[weight]))\(arrow)new weight \(f(a.updated.scalars[weight]))", width: width, glyphs: glyphs)
      return [StyledLine(line, .accent)]
    case .layers(let a):
      return LessonPlayer.layerTable(a, upTo: frame, glyphs: glyphs)
    }
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
