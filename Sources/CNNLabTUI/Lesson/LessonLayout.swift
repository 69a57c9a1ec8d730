import CNNLabEngine
import CNNLabLessons

/// Where everything of a lesson screen goes for one screen size. `render` draws into these
/// rectangles and the mouse handler hit-tests them, so a click always lands on what is drawn.
struct LessonLayout {
  var header: Rect
  var prose: Rect
  var grids: Rect
  var panels: [GridPanel]
  var arithmetic: Rect
  var status: Rect
  var interaction: Rect
  var answerBox: Rect?
  var hints: Rect
}

/// One grid on screen: a title row, then the numbers (or a half-block image).
struct GridPanel {
  enum Kind: Equatable {
    case input
    /// A kernel the learner may edit: its index in the step's editable kernels.
    case kernel(Int)
    case fixedKernel
    /// The operation's result; the filter (or channel) shown.
    case output(Int)
    case other
    case answer
  }

  enum Body {
    /// Numbers; `blanks` are cells not computed yet, `text` overrides a cell's text.
    case numbers(NumberGrid, blanks: Set<GridPoint>, text: [GridPoint: String])
    case image(HalfBlockImage)
  }

  var kind: Kind
  var title: String
  var titleRole: Role
  var body: Body
  /// Which channel of a channelled grid this panel shows, and how many there are.
  var channel = 0
  var channels = 1
  /// Where the panel is drawn (title row included); set by the layout.
  var frame = Rect(x: 0, y: 0, width: 0, height: 0)

  var cellWidth: Int {
    if case .numbers(let grid, _, _) = body { return grid.resolvedCellWidth(minus: "−") }
    return 1
  }

  var size: (width: Int, height: Int) {
    switch body {
    case .numbers(let grid, _, _):
      let s = grid.size(minus: "−")
      return (max(title.count, s.width), s.height + 1)
    case .image(let image):
      return (max(title.count, image.size.width), image.size.height + 1)
    }
  }

  /// The grid cell under screen position `(x, y)`, if the panel shows numbers there.
  func cell(atX x: Int, y: Int) -> GridPosition? {
    guard case .numbers(let grid, _, _) = body else { return nil }
    let top = frame.y + 1
    let width = cellWidth
    guard y >= top, y < top + grid.rowCount, x >= frame.x, x < frame.x + grid.columnCount * width else {
      return nil
    }
    return GridPosition(row: y - top, col: (x - frame.x) / width)
  }
}

extension LessonPlayer {
  /// The layout for the current screen size and state.
  var layout: LessonLayout {
    let area = Rect(x: 0, y: 0, width: screen.width, height: screen.height)
    let (top, hints) = area.splitBottom(1)
    let (header, body) = top.splitTop(3)
    let content = body.inset(horizontal: 1, vertical: 0)
    let hasAnimation = scene?.animation != nil
    var panels = self.panels(maxWidth: content.width)
    let gridTotal = LessonPlayer.pack(&panels, width: content.width, originX: 0, originY: 0)
    let proseTotal = proseLines(width: content.width).count
    let interactionHeight = interactionText(width: content.width).count
    let arithmeticHeight = hasAnimation ? 1 : 0
    // Top to bottom: prose, grids, the working and the playback line, then questions, with a
    // blank line between parts. When it does not fit, the prose shrinks (it scrolls), then the
    // grids are cut off at the bottom.
    var gap = 1
    func total(_ prose: Int, _ grids: Int) -> Int {
      prose + (prose > 0 ? 1 : 0) + grids + (grids > 0 ? gap : 0) + arithmeticHeight + 1
        + (interactionHeight > 0 ? gap + interactionHeight : 0)
    }
    var proseHeight = proseTotal
    var gridHeight = gridTotal
    if total(proseHeight, gridHeight) > content.height { gap = 0 }
    if total(proseHeight, gridHeight) > content.height {
      proseHeight = max(min(2, proseTotal), proseTotal - (total(proseHeight, gridHeight) - content.height))
    }
    if total(proseHeight, gridHeight) > content.height {
      gridHeight = max(0, gridHeight - (total(proseHeight, gridHeight) - content.height))
    }
    var y = content.y
    func take(_ rows: Int, gapAfter: Int) -> Rect {
      let rect = Rect(x: content.x, y: y, width: content.width, height: max(0, min(rows, content.maxY - y)))
      y += rect.height + (rows > 0 ? gapAfter : 0)
      return rect
    }
    let prose = take(proseHeight, gapAfter: 1)
    let grids = take(gridHeight, gapAfter: gap)
    let arithmetic = take(arithmeticHeight, gapAfter: 0)
    let status = take(1, gapAfter: gap)
    let interaction = take(interactionHeight, gapAfter: 0)
    for index in panels.indices {
      panels[index].frame.x += grids.x
      panels[index].frame.y += grids.y
    }
    var answerBox: Rect?
    if let row = answerRow(width: content.width) {
      answerBox = Rect(x: interaction.x, y: interaction.y + row, width: interaction.width, height: 1)
    }
    return LessonLayout(
      header: header, prose: prose, grids: grids, panels: panels, arithmetic: arithmetic,
      status: status, interaction: interaction, answerBox: answerBox, hints: hints)
  }

  /// Places panels left to right, wrapping to a new row when one does not fit, and returns
  /// the height used. Two arrangements are tried, each panel in a column of its own, and each
  /// kernel stacked under the input before it; the lower one wins (ties go to side by side).
  static func pack(_ panels: inout [GridPanel], width: Int, originX: Int, originY: Int) -> Int {
    let single = panels.indices.map { [$0] }
    var stacked: [[Int]] = []
    for index in panels.indices {
      let isKernel: Bool
      switch panels[index].kind {
      case .kernel, .fixedKernel: isKernel = true
      default: isKernel = false
      }
      if isKernel, let last = stacked.last, let first = last.first, panels[first].kind == .input {
        stacked[stacked.count - 1].append(index)
      } else {
        stacked.append([index])
      }
    }
    var best = panels
    var bestHeight = flow(&best, columns: single, width: width, originX: originX, originY: originY)
    if stacked.count < single.count {
      var candidate = panels
      let height = flow(&candidate, columns: stacked, width: width, originX: originX, originY: originY)
      if height < bestHeight {
        best = candidate
        bestHeight = height
      }
    }
    panels = best
    return bestHeight
  }

  /// Flows columns of panels into rows; gaps shrink from 3 to 1 column before a column wraps.
  private static func flow(
    _ panels: inout [GridPanel], columns: [[Int]], width: Int, originX: Int, originY: Int
  ) -> Int {
    func size(_ column: [Int]) -> (width: Int, height: Int) {
      let sizes = column.map { panels[$0].size }
      return (sizes.map(\.width).max() ?? 0, sizes.map(\.height).reduce(0, +) + max(0, column.count - 1))
    }
    var y = originY
    var index = 0
    while index < columns.count {
      var count = 0
      var gap = 3
      for candidateGap in [3, 2, 1] {
        var used = 0
        var n = 0
        for column in columns[index...] {
          let needed = (n == 0 ? 0 : candidateGap) + size(column).width
          if used + needed > width && n > 0 { break }
          used += needed
          n += 1
        }
        if n > count {
          count = n
          gap = candidateGap
        }
      }
      count = max(1, count)
      var x = originX
      var rowHeight = 0
      for column in columns[index..<(index + count)] {
        var top = y
        for member in column {
          let s = panels[member].size
          panels[member].frame = Rect(x: x, y: top, width: min(s.width, width), height: s.height)
          top += s.height + 1
        }
        let s = size(column)
        x += s.width + gap
        rowHeight = max(rowHeight, s.height)
      }
      y += rowHeight + 1
      index += count
    }
    return max(0, y - originY - 1)
  }

  // MARK: - Panels

  /// The panels for the step's grids, with the window, the current cell and what is not
  /// computed yet marked from the engine's trace at the current frame.
  func panels(maxWidth: Int) -> [GridPanel] {
    guard let scene else { return [] }
    let animation = revealedAnimation
    let names = LessonPlayer.animationNames(scene.animation)
    var panels: [GridPanel] = []
    for grid in scene.grids {
      if let index = editable.firstIndex(where: { $0.name == grid.name }) {
        panels += kernelEditorPanels(editable[index], index: index)
        continue
      }
      if grid.name == names.output {
        panels += outputPanels(grid, animation: animation, shownBeforeReveal: scene.animation == nil)
        continue
      }
      let isInput = names.inputs.contains(grid.name)
      let isKernel = grid.role == .kernel || names.kernels.contains(grid.name)
      let tensor = grid.unscaled ?? grid.tensor
      let channels = tensor.rank == 3 ? tensor.shape[0] : 1
      for channel in 0..<channels {
        let rows = LessonPlayer.rows(of: tensor, channel: channel)
        var title = grid.name + (channels > 1 ? "[\(channel)]" : "") + "  " + LessonPlayer.shapeText(tensor.shape)
        if let scale = grid.scale { title += "  × \(scale)" }
        var titleRole: Role = .dim
        var kind: GridPanel.Kind = isInput ? .input : (isKernel ? .fixedKernel : .other)
        var body: GridPanel.Body
        if isInput, let animation {
          kind = .input
          if case .convolution(let a) = animation, a.trace.geometry.rows.padBefore + a.trace.geometry.cols.padBefore
            + a.trace.geometry.rows.padAfter + a.trace.geometry.cols.padAfter > 0
          {
            title += " + padding"
          }
          body = inputBody(rows, channel: channel, animation: animation)
          titleRole = .normal
        } else {
          body = .numbers(NumberGrid(rows), blanks: [], text: [:])
        }
        if isKernel, let animation, LessonPlayer.currentKernelName(animation, frame: frame) == grid.name {
          titleRole = .accent
        }
        if grid.style == .shades || (LessonPlayer.tooWide(body, title: title, width: maxWidth) && rows.count >= 8) {
          body = .image(HalfBlockImage(Tensor(rows)))
        } else if grid.style == .both {
          panels.append(GridPanel(kind: .other, title: title + " (shades)", titleRole: .dim, body: .image(HalfBlockImage(Tensor(rows)))))
        }
        panels.append(GridPanel(kind: kind, title: title, titleRole: titleRole, body: body, channel: channel, channels: channels))
      }
    }
    return panels
  }

  static func tooWide(_ body: GridPanel.Body, title: String, width: Int) -> Bool {
    guard case .numbers(let grid, _, _) = body else { return false }
    return grid.size(minus: "−").width > width
  }

  /// The names an animation reads and writes.
  static func animationNames(_ animation: Animation?) -> (inputs: [String], kernels: [String], output: String?) {
    switch animation {
    case .convolution(let a)?: return ([a.inputName], a.kernelNames, a.outputName)
    case .pooling(let a)?: return ([a.inputName], [], a.outputName)
    case .learning(let a)?: return ([a.inputName], [a.kernelName], nil)
    case .dense(let a)?: return ([a.inputName], a.classes.map(\.weightName), a.outputName)
    case .softmax(let a)?: return ([a.inputName], [], a.outputName)
    case .crossEntropy(let a)?: return ([a.inputName], [], a.outputName)
    case .relu(_, _)?, .flatten(_, _)?, .layout(_, _)?, .channel(_, _, _)?, .layers?, nil: return ([], [], nil)
    }
  }

  static func currentKernelName(_ animation: Animation, frame: Int) -> String? {
    guard case .convolution(let a) = animation, let placement = a.trace.placements[safe: frame] else { return nil }
    return a.kernelNames[safe: placement.filter]
  }

  /// Rows of a tensor's channel: `(L)` is one row, `(H, W)` itself, `(C, H, W)` channel `c`.
  static func rows(of tensor: Tensor, channel: Int) -> [[Float]] {
    switch tensor.rank {
    case 0: return [[tensor.scalars.first ?? 0]]
    case 1: return [tensor.scalars]
    case 2: return tensor.rows
    default:
      let h = tensor.shape[tensor.rank - 2]
      let w = tensor.shape[tensor.rank - 1]
      let start = channel * h * w
      return (0..<h).map { r in Array(tensor.scalars[(start + r * w)..<(start + (r + 1) * w)]) }
    }
  }

  static func shapeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "×") }

  /// The input with its padding ring and the cells under the current window.
  private func inputBody(_ rows: [[Float]], channel: Int, animation: Animation) -> GridPanel.Body {
    switch animation {
    case .convolution(let a):
      let g = a.trace.geometry
      let (top, left) = (g.rows.padBefore, g.cols.padBefore)
      let width = (rows.first?.count ?? 0) + g.cols.padBefore + g.cols.padAfter
      let height = rows.count + g.rows.padBefore + g.rows.padAfter
      var padded = Array(repeating: Array(repeating: Float(0), count: width), count: height)
      var roles: [GridPoint: Role] = [:]
      for r in 0..<height {
        for c in 0..<width {
          let (ir, ic) = (r - top, c - left)
          if ir >= 0, ir < rows.count, ic >= 0, ic < rows[ir].count {
            padded[r][c] = rows[ir][ic]
          } else {
            roles[GridPoint(row: r, column: c)] = .padding
          }
        }
      }
      if let placement = a.trace.placements[safe: frame] {
        for tap in placement.taps where tap.channel == channel || a.isOneDimensional {
          roles[GridPoint(row: tap.inputRow + top, column: tap.inputCol + left)] = .kernelWindow
        }
      }
      if a.isOneDimensional, padded.count > 1 {
        // A 1-D input is held as one row; the trace's rows are all 0.
        return .numbers(NumberGrid([padded.flatMap { $0 }], cellRoles: roles), blanks: [], text: [:])
      }
      return .numbers(NumberGrid(padded, cellRoles: roles), blanks: [], text: [:])
    case .pooling(let a):
      var roles: [GridPoint: Role] = [:]
      if let placement = a.trace.placements[safe: frame], placement.channel == channel {
        for (index, cell) in placement.cells.enumerated() {
          roles[GridPoint(row: cell.row, column: cell.col)] = index == placement.chosen ? .accent : .kernelWindow
        }
      }
      return .numbers(NumberGrid(rows, cellRoles: roles), blanks: [], text: [:])
    case .learning(let a):
      var roles: [GridPoint: Role] = [:]
      if let placement = a.forward.placements[safe: frame] {
        for tap in placement.taps { roles[GridPoint(row: tap.inputRow, column: tap.inputCol)] = .kernelWindow }
      }
      return .numbers(NumberGrid(rows, cellRoles: roles), blanks: [], text: [:])
    case .dense, .softmax, .crossEntropy:
      return .numbers(NumberGrid(rows), blanks: [], text: [:])
    default:
      return .numbers(NumberGrid(rows), blanks: [], text: [:])
    }
  }

  /// The result map: computed cells so far, the current one highlighted, the rest blank.
  private func outputPanels(_ grid: ShownGrid, animation: Animation?, shownBeforeReveal: Bool) -> [GridPanel] {
    let tensor = grid.tensor
    let channels = tensor.rank == 3 ? tensor.shape[0] : 1
    var filter = 0
    if let animation {
      switch animation {
      case .convolution(let a): filter = a.trace.placements[safe: frame]?.filter ?? 0
      case .pooling(let a): filter = a.trace.placements[safe: frame]?.channel ?? 0
      default: break
      }
    }
    var result: [GridPanel] = []
    for channel in 0..<channels where channels <= 1 || channel == filter || !LessonPlayer.isPlacementAnimation(animation) {
      let rows = LessonPlayer.rows(of: tensor, channel: channel)
      var blanks: Set<GridPoint> = []
      var roles: [GridPoint: Role] = [:]
      let computed = computedCells(animation: animation, channel: channel, shape: (rows.count, rows.first?.count ?? 0))
      for r in rows.indices {
        for c in rows[r].indices where !(computed.done.contains(GridPoint(row: r, column: c))) {
          blanks.insert(GridPoint(row: r, column: c))
        }
      }
      if let current = computed.current { roles[current] = .outputCurrent }
      var title = grid.name + (channels > 1 ? "[\(channel)]  (\(channel + 1) of \(channels))" : "")
      title += "  " + LessonPlayer.shapeText(Array(tensor.shape.suffix(tensor.rank == 3 ? 2 : tensor.rank)))
      let magnitude = tensor.scalars.map { abs($0) }.filter(\.isFinite).max() ?? 0
      var body = GridPanel.Body.numbers(
        NumberGrid(rows, maxMagnitude: magnitude, cellRoles: roles), blanks: blanks, text: [:])
      if LessonPlayer.tooWide(body, title: title, width: screen.width - 2) && rows.count >= 8 {
        body = .image(HalfBlockImage(Tensor(rows)))
      }
      result.append(
        GridPanel(kind: .output(channel), title: title, titleRole: .normal, body: body, channel: channel, channels: channels))
    }
    return result
  }

  static func isPlacementAnimation(_ animation: Animation?) -> Bool {
    switch animation {
    case .convolution?, .pooling?: return true
    default: return false
    }
  }

  /// Output cells already computed at the current frame (of `channel`), and the current one.
  private func computedCells(animation: Animation?, channel: Int, shape: (Int, Int)) -> (done: Set<GridPoint>, current: GridPoint?) {
    guard let animation else { return ([], nil) }
    var done: Set<GridPoint> = []
    var current: GridPoint?
    switch animation {
    case .convolution(let a):
      for (index, p) in a.trace.placements.enumerated() where index <= frame && p.filter == channel {
        let point = a.isOneDimensional ? GridPoint(row: 0, column: p.outCol) : GridPoint(row: p.outRow, column: p.outCol)
        done.insert(point)
        if index == frame { current = point }
      }
    case .pooling(let a):
      for (index, p) in a.trace.placements.enumerated() where index <= frame && p.channel == channel {
        let point = GridPoint(row: p.outRow, column: p.outCol)
        done.insert(point)
        if index == frame { current = point }
      }
    case .relu, .layout, .channel:
      let (rows, columns) = shape
      let perChannel = rows * columns
      for index in 0...max(0, frame) where index / max(1, perChannel) == channel {
        let local = index % max(1, perChannel)
        done.insert(GridPoint(row: local / max(1, columns), column: local % max(1, columns)))
      }
      if frame / max(1, perChannel) == channel {
        let local = frame % max(1, perChannel)
        current = GridPoint(row: local / max(1, columns), column: local % max(1, columns))
      }
    case .flatten:
      for index in 0...max(0, frame) { done.insert(GridPoint(row: 0, column: index)) }
      current = GridPoint(row: 0, column: frame)
    case .dense, .softmax:
      for index in 0...max(0, frame) { done.insert(GridPoint(row: 0, column: index)) }
      current = GridPoint(row: 0, column: frame)
    default:
      for r in 0..<shape.0 { for c in 0..<shape.1 { done.insert(GridPoint(row: r, column: c)) } }
    }
    return (done, current)
  }

  /// The editable kernel: the learner's values (unscaled), the cursor, what is being typed.
  private func kernelEditorPanels(_ kernel: EditableKernel, index: Int) -> [GridPanel] {
    let (rows, columns) = LessonPlayer.editorShape(kernel.shape)
    var values: [[Float]] = []
    for r in 0..<rows {
      values.append((0..<columns).map { c in Float(kernel.setting.values[safe: r * columns + c] ?? 0) })
    }
    var roles: [GridPoint: Role] = [:]
    var text: [GridPoint: String] = [:]
    let focused = focus == .kernel && kernelIndex == index
    if focused || (focus != .kernel && index == 0) {
      let point = GridPoint(row: cursor / max(1, columns), column: cursor % max(1, columns))
      roles[point] = focused ? .editCursor : .field
      if focused, let editBuffer { text[point] = editBuffer + "_" }
    }
    let grid = NumberGrid(values, cellWidth: max(5, NumberGrid(values).resolvedCellWidth(minus: "−")), diverging: true, cellRoles: roles)
    var title = kernel.name + "  " + LessonPlayer.shapeText(kernel.shape)
    if let scale = kernel.setting.scale { title += "  × \(scale.text)" }
    if focused { title += "  editing" }
    var titleRole: Role = focused ? .accent : .normal
    if let animation = revealedAnimation, LessonPlayer.currentKernelName(animation, frame: frame) == kernel.name {
      titleRole = .accent
    }
    return [GridPanel(kind: .kernel(index), title: title, titleRole: titleRole, body: .numbers(grid, blanks: [], text: text))]
  }
}
