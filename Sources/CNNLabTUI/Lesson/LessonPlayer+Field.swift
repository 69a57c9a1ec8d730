import CNNLabEngine
import CNNLabLessons

// The receptive-field cursor: in a step that shows a whole stack of convolutions (and
// poolings) made by the steps before it, Tab puts a cursor on the step's result; arrows or a
// click move it, and every map of the stack lights the cells that one output cell depends on,
// as `ReceptiveField` works them out from the engine's geometry of each layer.

extension LessonPlayer {
  /// A stack of 2-D convolutions and poolings, read back from the step's own operation through
  /// the earlier steps that made its input.
  public struct FieldChain: Equatable, Sendable {
    /// The maps from the stack's input to the step's result: `dot, first, second, third`.
    public var grids: [String]
    /// The engine's geometry of each layer, from the input; `layers[i]` reads `grids[i]`.
    public var layers: [ConvGeometry]
  }

  /// A layer of a stack, as the operation's own screen describes it (`AnimationScreen.fieldLayer`).
  static func fieldLayer(_ animation: Animation) -> (input: String, output: String, geometry: ConvGeometry)? {
    animation.screen.fieldLayer
  }

  /// The stack under the step's operation, when it has two layers or more and the step shows
  /// every one of its maps; nil otherwise.
  public var fieldChain: FieldChain? {
    guard let scene, let animation = scene.animation, let last = LessonPlayer.fieldLayer(animation) else { return nil }
    var grids = [last.input, last.output]
    var layers = [last.geometry]
    var before = step
    while layers.count < 8,
      let earlier = scenes[..<before].lastIndex(where: { scene in
        scene.animation.flatMap(LessonPlayer.fieldLayer)?.output == grids[0]
      }),
      let layer = scenes[earlier].animation.flatMap(LessonPlayer.fieldLayer)
    {
      grids.insert(layer.input, at: 0)
      layers.insert(layer.geometry, at: 0)
      before = earlier
    }
    let shown = Set(scene.grids.map(\.name))
    guard layers.count >= 2, grids.allSatisfy(shown.contains) else { return nil }
    return FieldChain(grids: grids, layers: layers)
  }

  /// Whether the cursor can be offered: a stack to walk, its result computed, no question open
  /// (a question may ask what the cursor would show).
  var offersFieldCursor: Bool {
    revealedAnimation != nil && activeQuestion == nil && fieldChain != nil
  }

  /// The output cell the cursor is on: the one the current window writes.
  public var fieldCell: GridPosition? {
    guard focus == .field, offersFieldCursor, let animation = revealedAnimation?.content,
      let shape = animation.focusShape, shape.count == 2, shape[1] > 0
    else { return nil }
    guard let current = animation.computedCells(frame: frame, channel: 0, count: shape[0] * shape[1]).current else { return nil }
    return GridPosition(row: current / shape[1], col: current % shape[1])
  }

  /// The receptive field of the cursor's cell in the stack's input.
  public var cursorField: ReceptiveField? {
    guard let chain = fieldChain, let cell = fieldCell else { return nil }
    return ReceptiveField.of(row: cell.row, col: cell.col, through: chain.layers)
  }

  /// The cells of every map of the stack below the result that the cursor's cell depends on,
  /// by grid name (`ReceptiveField` through the layers above each map).
  var fieldMarks: [String: Set<GridPoint>] {
    guard let chain = fieldChain, let cell = fieldCell else { return [:] }
    var marks: [String: Set<GridPoint>] = [:]
    for level in chain.layers.indices {
      let field = ReceptiveField.of(row: cell.row, col: cell.col, through: Array(chain.layers[level...]))
      marks[chain.grids[level]] = Set(field.rows.positions.flatMap { r in field.cols.positions.map { GridPoint(row: r, column: $0) } })
    }
    return marks
  }

  /// `third[1,2]: this cell sees 7x7 input pixels, rows 1–7 and columns 2–8 of dot`.
  var fieldText: String? {
    guard let chain = fieldChain, let cell = fieldCell, let field = cursorField else { return nil }
    func span(_ s: ReceptiveSpan) -> String { "\(s.extent.lowerBound)–\(s.extent.upperBound - 1)" }
    let padding = field.rows.inPadding + field.cols.inPadding > 0 ? " (with padding)" : ""
    return "\(chain.grids.last!)[\(cell.row),\(cell.col)]: this cell sees \(field.height)x\(field.width) input pixels\(padding), "
      + "rows \(span(field.rows)) and columns \(span(field.cols)) of \(chain.grids[0])"
  }

  /// Moves the cursor by (`dr`, `dc`) cells of the step's result, to the window that writes it.
  mutating func moveFieldCursor(rows dr: Int, columns dc: Int) {
    guard let cell = fieldCell, let animation = revealedAnimation, let shape = animation.content.focusShape else { return }
    let target = GridPosition(row: max(0, min(shape[0] - 1, cell.row + dr)), col: max(0, min(shape[1] - 1, cell.col + dc)))
    if let index = LessonPlayer.frameIndex(of: target, filter: 0, in: animation) { showFrame(index) }
  }
}
