import CNNLabEngine
import CNNLabLessons

// The operations that write one output cell per frame on screen: the cell's value and the
// input cell it comes from (lit on the input by `AnimationScreen`'s cell-by-cell marks).

extension ReLUAnimation: AnimationScreen {
  func arithmetic(_ c: ArithmeticContext) -> [StyledLine] {
    guard input.scalars.indices.contains(c.frame) else { return [] }
    let name = c.parts.output
    let x = c.f(input.scalars[c.frame])
    // The activation the step's knob chose: ReLU as the lesson writes it, or another to compare.
    let applied: String
    switch activation {
    case .relu: applied = "max(0, \(x))"
    case .sigmoid: applied = "σ(\(x))"
    case .tanh: applied = "tanh(\(x))"
    case .identity: applied = x
    }
    return [StyledLine("\(name ?? "out")\(LessonPlayer.index(c.frame, shape: output.shape)) = \(applied) = \(c.value(output, c.frame, of: name))", .accent)]
  }
}

extension FlattenAnimation: AnimationScreen {
  func arithmetic(_ c: ArithmeticContext) -> [StyledLine] {
    guard input.scalars.indices.contains(c.frame) else { return [] }
    let from = (c.parts.input ?? "") + LessonPlayer.index(c.frame, shape: input.shape)
    return [StyledLine("\(c.parts.output ?? "out")[\(c.frame)] = \(c.value(output, c.frame, of: c.parts.output))   from \(from), read row by row", .accent)]
  }
}

extension LayoutAnimation: AnimationScreen {
  func arithmetic(_ c: ArithmeticContext) -> [StyledLine] { copiedCell(c) }
}

extension ChannelAnimation: AnimationScreen {
  func arithmetic(_ c: ArithmeticContext) -> [StyledLine] { copiedCell(c) }
}

extension CellByCellAnimation {
  /// `out[1,0,2] = 255   from rgb[2,1,0]`: a value copied from where the input panel lights it
  /// (an asked value is read there).
  func copiedCell(_ c: ArithmeticContext) -> [StyledLine] {
    guard output.scalars.indices.contains(c.frame) else { return [] }
    var line = "\(c.parts.output ?? "out")\(LessonPlayer.index(c.frame, shape: output.shape)) = \(c.value(output, c.frame, of: c.parts.output))"
    if let source = sourceIndex(frame: c.frame) {
      line += "   from \(c.parts.input ?? "")\(LessonPlayer.index(source, shape: input.shape))"
    }
    return [StyledLine(line, .accent)]
  }
}
