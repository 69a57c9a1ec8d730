import CNNLabEngine
import CNNLabLessons

// How each kind of operation is drawn, one file per kind beside this one: the working of a
// frame written out from the engine's trace (every product, the sum and the division as the
// trace recorded them; nothing here adds or multiplies) and the input cells the frame reads.

/// How an animation is drawn.
protocol AnimationScreen {
  /// The working of the current frame, e.g. `map[0,0] = (1×1) + (−1×−1) + … = 7  →  7/9 = 0.78`.
  func arithmetic(_ context: ArithmeticContext) -> [StyledLine]
  /// The cells of input channel `channel` the frame reads, and for a convolution with padding
  /// the padded grid.
  func inputMarks(frame: Int, channel: Int, shaped: LessonPlayer.Shaped) -> (roles: [GridPoint: Role], padded: [[Float]]?)
  /// The rows the arithmetic takes once the operation runs.
  var arithmeticRows: Int { get }
  /// The current window's products laid out as the window, where the operation has them.
  func productsPanel(frame: Int) -> GridPanel?
  /// A panel drawn in place of the output grid, for a result better seen as a picture.
  func outputPanel(frame: Int, maxWidth: Int, maxHeight: Int) -> GridPanel?
  /// The spec `t` trains live on the MNIST sample: a network for 28x28 digits and 10 scores.
  var liveSpec: String? { get }
  /// As a layer of a stack the receptive-field cursor walks: the map it reads, the map it makes
  /// and its geometry; nil for an operation that is not a 2-D window over one map.
  var fieldLayer: (input: String, output: String, geometry: ConvGeometry)? { get }
}

extension AnimationScreen {
  func inputMarks(frame: Int, channel: Int, shaped: LessonPlayer.Shaped) -> (roles: [GridPoint: Role], padded: [[Float]]?) {
    ([:], nil)
  }

  var arithmeticRows: Int { 1 }

  func productsPanel(frame: Int) -> GridPanel? { nil }

  func outputPanel(frame: Int, maxWidth: Int, maxHeight: Int) -> GridPanel? { nil }

  var liveSpec: String? { nil }

  var fieldLayer: (input: String, output: String, geometry: ConvGeometry)? { nil }
}

extension Animation {
  /// How the animation is drawn: every kind of operation conforms to `AnimationScreen`.
  var screen: any AnimationScreen {
    guard let screen = content as? any AnimationScreen else {
      preconditionFailure("\(type(of: content)) has no AnimationScreen conformance")
    }
    return screen
  }
}

extension AnimationScreen where Self: CellByCellAnimation {
  /// The input cell the frame's value is read from, lit where it lies in `channel`.
  func inputMarks(frame: Int, channel: Int, shaped: LessonPlayer.Shaped) -> (roles: [GridPoint: Role], padded: [[Float]]?) {
    var roles: [GridPoint: Role] = [:]
    if let source = sourceIndex(frame: frame) {
      let perChannel = input.rank == 3 ? max(1, input.shape[1] * input.shape[2]) : max(1, input.count)
      if source / perChannel == channel { roles[shaped.point(source % perChannel)] = .kernelWindow }
    }
    return (roles, nil)
  }
}

/// What the arithmetic of a frame is written with.
struct ArithmeticContext {
  var frame: Int
  var glyphs: Glyphs
  var width: Int
  /// Cells a question still asks about: their values show `?`.
  var asked: [(name: String, channel: Int?, row: Int, col: Int)]
  /// What the frame reads and writes.
  var parts: AnimationParts

  var times: String { String(glyphs.times) }
  var arrow: String { "  \(glyphs.arrowRight)  " }

  func f(_ v: Float) -> String { LessonPlayer.format(v, glyphs: glyphs) }
  func signed(_ v: Float) -> String { v < 0 ? "(\(f(v)))" : f(v) }

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

  /// `head` + terms + `tail`, elided to the width.
  func elide(_ head: String, terms: [String], separator: String, tail: String) -> String {
    LessonPlayer.elide(head, terms: terms, separator: separator, tail: tail, width: width, glyphs: glyphs)
  }
}
