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
  /// Whether the grids did not all fit and are cut off at the bottom.
  var gridsClipped = false
}

/// One grid on screen: a title row, then the numbers (or a half-block image).
struct GridPanel {
  enum Kind: Equatable {
    case input
    /// A kernel the learner may edit: its index in the step's editable kernels.
    case kernel(Int)
    case fixedKernel
    /// The current window's products, cell by cell (input × weight, from the trace).
    case products
    /// The operation's result; the filter (or channel) shown.
    case output(Int)
    case other
  }

  enum Body {
    /// Numbers; `blanks` are cells not computed yet, `text` overrides a cell's text.
    case numbers(NumberGrid, blanks: Set<GridPoint>, text: [GridPoint: String])
    case image(HalfBlockImage)
    case blocks(BlockImage)
    case colour(ColourImage)
    case pipeline(PipelineView)
  }

  var kind: Kind
  var title: String
  var titleRole: Role
  var body: Body
  /// Which channel of a channelled grid this panel shows, and how many there are.
  var channel = 0
  var channels = 1
  /// For a one-dimensional grid wrapped over several rows: values per row (cells then map to
  /// row 0 and a flat column).
  var flatColumns: Int?
  /// Columns left of such a wrapped grid for each row's starting index (`[16] `); 0 for none.
  var rowLabelWidth = 0
  /// Where the panel is drawn (title row included); set by the layout.
  var frame = Rect(x: 0, y: 0, width: 0, height: 0)
  /// For a grid drawn in shades, the value each end of the ramp stands for, drawn after the
  /// title in the terminal's glyphs.
  var scale: ShadeScale?

  /// The title and, after it, the shade scale.
  func fullTitle(glyphs: Glyphs) -> String {
    guard let scale else { return title }
    return title + "  " + scale.text(glyphs: glyphs)
  }

  /// The widest the title gets, in Unicode or in ASCII.
  var titleWidth: Int {
    max(fullTitle(glyphs: .unicode).count, fullTitle(glyphs: .ascii).count)
  }

  var cellWidth: Int {
    if case .numbers(let grid, _, _) = body { return grid.resolvedCellWidth(minus: "−") }
    return 1
  }

  /// What the panel shows, the same whatever its state: its kind, channel and grid name.
  var identity: String {
    // The title up to its first double space: the name, without the shape or padding notes.
    "\(kind) \(channel) " + (title.components(separatedBy: "  ").first ?? title)
  }

  /// A compact panel's title is cut to the width of its numbers.
  var clipsTitle = false

  var size: (width: Int, height: Int) {
    switch body {
    case .numbers(let grid, _, _):
      let s = grid.size(minus: "−")
      let width = s.width + rowLabelWidth
      return (clipsTitle ? max(1, width) : max(titleWidth, width), s.height + 1)
    case .image(let image):
      return (max(titleWidth, image.size.width), image.size.height + 1)
    case .blocks(let image):
      return (max(titleWidth, image.size.width), image.size.height + 1)
    case .colour(let image):
      return (max(titleWidth, image.size.width), image.size.height + 1)
    case .pipeline(let view):
      return (max(titleWidth, view.size.width), view.size.height + 1)
    }
  }

  /// The grid cell under screen position `(x, y)`, if the panel shows numbers there.
  func cell(atX x: Int, y: Int) -> GridPosition? {
    guard case .numbers(let grid, _, _) = body else { return nil }
    let top = frame.y + 1
    let width = cellWidth
    let left = frame.x + rowLabelWidth
    guard y >= top, y < top + grid.rowCount, x >= left, x < left + grid.columnCount * width else {
      return nil
    }
    let row = y - top
    let column = (x - left) / width
    if let flatColumns { return GridPosition(row: 0, col: row * flatColumns + column) }
    return GridPosition(row: row, col: column)
  }
}

extension LessonPlayer {
  /// The layout for the current screen size and state.
  ///
  /// Under the text revealed so far, the rows are shared out for the step with every beat
  /// revealed, so nothing moves when the step's operation runs or a question opens: the room
  /// they need is kept from the start, and the grids stay where they were.
  var layout: LessonLayout {
    let area = Rect(x: 0, y: 0, width: screen.width, height: screen.height)
    let (top, hints) = area.splitBottom(1)
    let (header, body) = top.splitTop(3)
    let content = body.inset(horizontal: 1, vertical: 0)
    let rows = fullyRevealed.rowPlan(content, proseTotal: proseLines(width: content.width).count)
    var y = content.y
    func take(_ rows: Int, gapAfter: Int) -> Rect {
      let rect = Rect(x: content.x, y: y, width: content.width, height: max(0, min(rows, content.maxY - y)))
      y += rect.height + (rows > 0 ? gapAfter : 0)
      return rect
    }
    let prose = take(rows.prose, gapAfter: 1)
    let grids = take(rows.grids, gapAfter: rows.gap)
    let arithmetic = take(rows.arithmetic, gapAfter: 0)
    let status = take(1, gapAfter: rows.gap)
    let interaction = take(rows.interaction, gapAfter: 0)
    // The grids of the step as revealed so far, packed as the whole step's are.
    let room = content.height - rows.fixed
    var (panels, gridTotal) = packedPanels(width: content.width, room: room)
    // Each grid where it will be once the whole step is shown, when they all have their room
    // there: the result's place is kept free until the operation fills it.
    let final = fullyRevealed.packedPanels(width: content.width, room: room)
    var placed = panels
    let fits = placed.indices.allSatisfy { index in
      guard let match = final.panels.first(where: { $0.identity == placed[index].identity }),
        match.frame.width >= placed[index].size.width, match.frame.height >= placed[index].size.height
      else { return false }
      placed[index].frame = Rect(
        x: match.frame.x, y: match.frame.y, width: placed[index].size.width, height: placed[index].size.height)
      return true
    }
    if fits {
      panels = placed
      gridTotal = final.height
    }
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
      status: status, interaction: interaction, answerBox: answerBox, hints: hints,
      gridsClipped: grids.height < gridTotal)
  }

  /// Rows for each part of the content area (for the state this is called on).
  struct RowPlan {
    var prose: Int
    var grids: Int
    /// Rows the grids need, before any are cut off.
    var gridTotal: Int
    var gap: Int
    var arithmetic: Int
    var interaction: Int
    /// Rows of everything but the grids and all but two lines of prose.
    var fixed: Int
  }

  /// Top to bottom: prose, grids, the working and the playback line, then questions, with a
  /// blank line between parts. When it does not fit, the prose shrinks (it scrolls), then the
  /// grids are cut off at the bottom.
  func rowPlan(_ content: Rect, proseTotal: Int) -> RowPlan {
    let interactionHeight = interactionText(width: content.width).count
    let fixedRows = min(2, proseTotal) + 1 + 1 + (scene?.animation != nil ? 1 : 0) + interactionHeight
    let gridTotal = packedPanels(width: content.width, room: content.height - fixedRows).height
    var arithmeticHeight = scene?.animation != nil ? 1 : 0
    if let animation = scene?.animation, revealedAnimation != nil { arithmeticHeight = animation.screen.arithmeticRows }
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
      // Down to one line of prose (it scrolls) before any grid row is lost.
      proseHeight = max(min(1, proseTotal), proseHeight - (total(proseHeight, gridHeight) - content.height))
    }
    if total(proseHeight, gridHeight) > content.height {
      gridHeight = max(0, gridHeight - (total(proseHeight, gridHeight) - content.height))
    }
    return RowPlan(
      prose: proseHeight, grids: gridHeight, gridTotal: gridTotal, gap: gap, arithmetic: arithmeticHeight,
      interaction: interactionHeight, fixed: fixedRows)
  }

  /// The panels packed for `width`, and their height. When they do not fit in `room` rows, the
  /// products panel (a bonus) is left out, then fractions lose their leading zero (and only the
  /// kernel in use is shown), with and without the products.
  func packedPanels(width: Int, room: Int) -> (panels: [GridPanel], height: Int) {
    var panels: [GridPanel] = []
    var gridTotal = 0
    for (compact, products) in [(false, true), (false, false), (true, true), (true, false)] {
      var candidate = self.panels(maxWidth: width, products: products, compact: compact)
      if !products, !candidate.isEmpty, !panels.isEmpty,
        !panels.contains(where: { $0.kind == .products }) { continue }
      let height = LessonPlayer.pack(&candidate, width: width, originX: 0, originY: 0)
      if panels.isEmpty || height < gridTotal {
        panels = candidate
        gridTotal = height
      }
      if gridTotal <= room { break }
    }
    return (panels, gridTotal)
  }

  /// Places panels left to right, wrapping to a new row when one does not fit, and returns
  /// the height used. Two arrangements are tried, each panel in a column of its own, and each
  /// kernel stacked under the input before it; the lower one wins (ties go to side by side).
  static func pack(_ panels: inout [GridPanel], width: Int, originX: Int, originY: Int) -> Int {
    func isKernel(_ index: Int) -> Bool {
      switch panels[index].kind {
      case .kernel, .fixedKernel, .products: return true
      default: return false
      }
    }
    let single = panels.indices.map { [$0] }
    // Kernels under the inputs: a kernel's channel c under input channel c.
    var underInputs: [[Int]] = []
    var inputColumns: [Int] = []
    for index in panels.indices {
      if isKernel(index), !inputColumns.isEmpty {
        let column = inputColumns[panels[index].channel % inputColumns.count]
        underInputs[column].append(index)
      } else {
        if panels[index].kind == .input { inputColumns.append(underInputs.count) }
        underInputs.append([index])
      }
    }
    // All kernels in one column of their own, where the first kernel is.
    var kernelColumn: [[Int]] = []
    var kernelColumnIndex: Int?
    for index in panels.indices {
      if isKernel(index), let column = kernelColumnIndex {
        kernelColumn[column].append(index)
      } else {
        if isKernel(index) { kernelColumnIndex = kernelColumn.count }
        kernelColumn.append([index])
      }
    }
    var best = panels
    var bestHeight = flow(&best, columns: single, width: width, originX: originX, originY: originY)
    for columns in [underInputs, kernelColumn] where columns.count < single.count {
      var candidate = panels
      let height = flow(&candidate, columns: columns, width: width, originX: originX, originY: originY)
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

  /// The channel a stack of channels shows while the animation works on `frameChannel`: the
  /// frame's while it plays; else the one chosen with `c`, or the one the waiting question asks
  /// about, so a question about channel k shows channel k. A question about a result cell shows
  /// the channels of the frame that writes it, in the result and in the input it reads.
  func shownChannel(of grid: String, frameChannel: Int, channels: Int) -> Int {
    guard !playing, channels > 1 else { return frameChannel }
    if let chosenChannel { return chosenChannel % channels }
    guard let animation = scene?.animation, let cells = activeQuestion?.question.cells else { return frameChannel }
    let parts = animation.content.parts(frame: frame)
    for cell in cells where cell.index.count == 3 {
      let target = GridPosition(row: cell.index[1], col: cell.index[2])
      if cell.grid == parts.output, let writer = animation.content.frameIndex(of: target, filter: cell.index[0]) {
        let asked = animation.content.parts(frame: writer)
        return (grid == parts.input ? asked.inputChannel : asked.outputChannel) ?? frameChannel
      }
      if cell.grid == grid { return cell.index[0] % channels }
    }
    return frameChannel
  }

  /// The scale of a grid drawn in shades, from its smallest to its largest value. An end
  /// that a waiting question of the step asks for (`max(grey)`) shows `?` until it is
  /// answered, unless the grid's numbers are on screen beside it anyway.
  func shadeScale(_ values: [[Float]], grid: String, numbersShown: Bool = false) -> ShadeScale? {
    guard var scale = ShadeScale(of: values.joined()) else { return nil }
    if numbersShown { return scale }
    for (index, beat) in (scene?.beats ?? []).enumerated() {
      guard case .question(let question) = beat, question.grids.contains(grid),
        answers[QuestionKey(step: step, beat: index)]?.correct != true,
        case .number(let answer) = question.expected
      else { continue }
      let tolerance = max(question.tolerance, 1e-6)
      if abs(Double(scale.low) - answer) <= tolerance { scale.hidesLow = true }
      if abs(Double(scale.high) - answer) <= tolerance { scale.hidesHigh = true }
    }
    return scale
  }

  /// What the step's animation reads and writes at the current frame, by name.
  func animationParts(_ scene: Scene) -> AnimationParts {
    scene.animation?.content.parts(frame: frame) ?? AnimationParts()
  }

  /// The panels for the step's grids, with the window, the current cell and what is not
  /// computed yet marked from the engine's trace at the current frame.
  func panels(maxWidth: Int, products showProducts: Bool = true, compact: Bool = false) -> [GridPanel] {
    guard let scene else { return [] }
    let animation = revealedAnimation
    let parts = animationParts(scene)
    let hidden = questionCells()
    var panels: [GridPanel] = []
    for grid in scene.grids {
      if let index = editable.firstIndex(where: { $0.name == grid.name }) {
        // Compact: of several kernels to edit, only the one in the editor (Tab the next).
        if !(compact && editable.count > 1 && index != kernelIndex) {
          panels += kernelEditorPanels(editable[index], index: index)
        }
        continue
      }
      let isInput = grid.name == parts.input
      let isOutput = grid.name == parts.output
      // The result appears when its operation runs, so its size is not given away early.
      if isOutput && animation == nil { continue }
      // A result better seen as a picture (a trained network's pipeline) is drawn as one.
      if isOutput, let panel = animation?.screen.outputPanel(frame: frame, maxWidth: maxWidth, maxHeight: screen.height - 9) {
        panels.append(panel)
        continue
      }
      let isKernel = grid.role == .kernel || parts.kernels.contains(grid.name)
      let tensor = isOutput ? grid.tensor : (grid.unscaled ?? grid.tensor)
      let channels = tensor.rank == 3 ? tensor.shape[0] : 1
      let magnitude = tensor.scalars.map { abs($0) }.filter(\.isFinite).max() ?? 0
      // Compact: of several kernels, only the one the current window uses.
      if compact, isKernel, parts.kernels.count > 1, let animation,
        animation.content.kernelName(frame: frame) != grid.name
      {
        continue
      }
      for channel in 0..<channels {
        // Operations that work channel by channel show the channel being worked on.
        if channels > 1, animation != nil || scene.animation != nil {
          if isInput, let c = parts.inputChannel, shownChannel(of: grid.name, frameChannel: c, channels: channels) != channel { continue }
          if isOutput, let c = parts.outputChannel, shownChannel(of: grid.name, frameChannel: c, channels: channels) != channel { continue }
        }
        let shaped = LessonPlayer.shape(tensor, channel: channel, maxWidth: maxWidth)
        let gap = compact ? " " : "  "
        var title = grid.name + (channels > 1 ? "[\(channel)]" : "") + gap
        // A part of a `learn` result says what it is: `step1.grad ∂E/∂W  2×2`.
        if let dot = grid.name.lastIndex(of: "."), !compact,
          let meaning = LessonPlayer.partMeanings[String(grid.name[grid.name.index(after: dot)...])]
        {
          title = grid.name + " " + meaning + gap
        }
        title += LessonPlayer.shapeText(tensor.rank == 3 ? Array(tensor.shape.dropFirst()) : tensor.shape)
        if let scale = grid.scale, !isOutput { title += "\(gap)× \(scale)" }
        let oneOfMany = channels > 1 && ((isInput && parts.inputChannel != nil) || (isOutput && parts.outputChannel != nil))
        if oneOfMany { title += compact ? " \(channel + 1)/\(channels)" : "  (\(channel + 1) of \(channels))" }
        var kind: GridPanel.Kind = isInput ? .input : (isKernel ? .fixedKernel : .other)
        var titleRole: Role = .normal
        var roles: [GridPoint: Role] = [:]
        var blanks: Set<GridPoint> = []
        var values = shaped.rows
        if isInput, let animation {
          let marked = animation.screen.inputMarks(frame: frame, channel: channel, shaped: shaped)
          roles = marked.roles
          if let padded = marked.padded {
            values = padded
            title += compact ? " +pad" : " + padding"
          }
        }
        // The receptive-field cursor: the cells of this map its cell depends on.
        for point in fieldMarks[grid.name] ?? [] where !isInput && roles[point] == nil { roles[point] = .kernelWindow }
        if isOutput {
          kind = .output(channel)
          let computed = computedCells(animation: animation, channel: channel, count: tensor.count / channels)
          for index in 0..<(tensor.count / channels) where !computed.done.contains(index) {
            blanks.insert(shaped.point(index))
          }
          if let current = computed.current { roles[shaped.point(current)] = .outputCurrent }
        }
        if isKernel, let animation, animation.content.kernelName(frame: frame) == grid.name {
          titleRole = .accent
        }
        // Two questions may ask about one cell: it is simply marked twice.
        var hiddenText: [GridPoint: String] = [:]
        for cell in hidden where cell.name == grid.name && (cell.channel ?? channel) == channel {
          let point = tensor.rank == 1 ? shaped.point(cell.col) : GridPoint(row: cell.row, column: cell.col)
          blanks.remove(point)
          roles[point] = .field
          hiddenText[point] = "?"
        }
        var numbers = NumberGrid(values, maxMagnitude: magnitude, cellRoles: roles)
        numbers.compact = compact
        var body = GridPanel.Body.numbers(numbers, blanks: blanks, text: hiddenText)
        let tooWide = numbers.size(minus: "−").width > maxWidth
        let style = shadesSwapped ? grid.style.swapped : grid.style
        var scale: ShadeScale?
        if style == .shades || (tooWide && values.count >= 8) {
          body = LessonPlayer.shades(values)
          scale = shadeScale(values, grid: grid.name)
          if case .blocks(var image) = body {
            image.hidden = blanks
            image.asked = Set(hiddenText.keys)
            body = .blocks(image)
          }
          if kind != .output(channel) { kind = .other }
        }
        var panel = GridPanel(kind: kind, title: title, titleRole: titleRole, body: body, channel: channel, channels: channels)
        panel.scale = scale
        panel.clipsTitle = compact
        panel.flatColumns = tensor.rank == 1 ? shaped.columns : nil
        // Row labels only where a row's first value is the index shown (not over padding).
        if case .numbers = body, values.count == shaped.rows.count, values.first?.count == shaped.rows.first?.count {
          panel.rowLabelWidth = shaped.indexWidth
        }
        panels.append(panel)
        if style == .both || (style == .colour && channels != 3) {
          var shades = GridPanel(
            kind: .other, title: grid.name + (channels > 1 ? "[\(channel)]" : "") + " as shades", titleRole: .dim,
            body: LessonPlayer.shades(values))
          let numbersShown = { if case .numbers = body { true } else { false } }()
          shades.scale = shadeScale(values, grid: grid.name, numbersShown: numbersShown)
          panels.append(shades)
        }
        if style == .colour, channels == 3, channel == 2 {
          panels.append(
            GridPanel(kind: .other, title: grid.name + " as colour", titleRole: .dim, body: .colour(ColourImage(tensor))))
        }
      }
    }
    // The products read as input × kernel, so they need the input on screen.
    if showProducts, panels.contains(where: { $0.kind == .input }), var products = productsPanel() {
      if compact { products.title = "products" }
      // Just before the result, so it reads: input, kernel, products, output.
      let index = panels.firstIndex { if case .output = $0.kind { true } else { false } } ?? panels.count
      panels.insert(products, at: index)
    }
    return panels
  }

  /// What the parts of a `learn` result hold, for their titles.
  static let partMeanings = ["output": "h", "dout": "∂E/∂h", "grad": "∂E/∂W", "updated": "new W"]

  /// The products of the current window, for an operation that has them.
  func productsPanel() -> GridPanel? {
    revealedAnimation?.screen.productsPanel(frame: frame)
  }

  /// A grid drawn as grey levels: square pixels when small, half blocks when large.
  static func shades(_ rows: [[Float]]) -> GridPanel.Body {
    BlockImage.fits(rows) ? .blocks(BlockImage(rows)) : .image(HalfBlockImage(Tensor(rows)))
  }

  /// A tensor's channel as rows: `(L)` wrapped to the width, `(H, W)` itself, `(C, H, W)` one channel.
  struct Shaped {
    var rows: [[Float]]
    /// Columns per row.
    var columns: Int
    /// For a one-dimensional grid wrapped over several rows, the columns its row labels take.
    var indexWidth = 0

    func point(_ index: Int) -> GridPoint {
      GridPoint(row: index / max(1, columns), column: index % max(1, columns))
    }
  }

  static func shape(_ tensor: Tensor, channel: Int, maxWidth: Int) -> Shaped {
    switch tensor.rank {
    case 0:
      return Shaped(rows: [[tensor.scalars.first ?? 0]], columns: 1)
    case 1:
      let width = NumberGrid([tensor.scalars]).resolvedCellWidth(minus: "−")
      var columns = max(1, min(tensor.count, maxWidth / max(1, width)))
      // Wrapped rows are labelled with the index they start at, so "position 16" can be found.
      let indexWidth = columns < tensor.count ? LessonPlayer.rowLabel(tensor.count - 1, width: 0).count : 0
      if indexWidth > 0 { columns = max(1, min(tensor.count, (maxWidth - indexWidth) / max(1, width))) }
      let rows = stride(from: 0, to: tensor.count, by: columns).map {
        Array(tensor.scalars[$0..<min(tensor.count, $0 + columns)])
      }
      return Shaped(rows: rows.isEmpty ? [[]] : rows, columns: columns, indexWidth: indexWidth)
    default:
      let h = tensor.shape[tensor.rank - 2]
      let w = tensor.shape[tensor.rank - 1]
      let start = min(channel, max(0, tensor.count / max(1, h * w) - 1)) * h * w
      return Shaped(
        rows: (0..<h).map { r in Array(tensor.scalars[(start + r * w)..<(start + (r + 1) * w)]) }, columns: w)
    }
  }

  /// The label of a wrapped row starting at `index`, right-aligned in `width` columns: `[16] `.
  static func rowLabel(_ index: Int, width: Int) -> String {
    "[\(index)] ".leftPadding(toLength: width)
  }

  static func shapeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "×") }

  /// Output cells (flat indexes within `channel`) already computed at the current frame, and
  /// the one being computed. Before the operation runs nothing is computed.
  private func computedCells(animation: Animation?, channel: Int, count: Int) -> (done: Set<Int>, current: Int?) {
    animation?.content.computedCells(frame: frame, channel: channel, count: count) ?? ([], nil)
  }

  /// Cells the `expect` of unanswered questions reads, once the step has asked a question (`out[1,1]`, `maps[0,2,3]`, `probs[2]`):
  /// they show `?` until the question is answered, so the screen never gives the answer away.
  func questionCells() -> [(name: String, channel: Int?, row: Int, col: Int)] {
    guard let scene else { return [] }
    var cells: [(name: String, channel: Int?, row: Int, col: Int)] = []
    let names = Set(scene.grids.map(\.name))
    // The questions shown, and once the step has asked one, the questions still to come: a
    // later question's cell would otherwise be on screen while an earlier one is asked.
    var asking = false
    for (index, beat) in scene.beats.enumerated() {
      guard case .question(let question) = beat else { continue }
      defer { if index <= self.beat { asking = true } }
      guard answers[QuestionKey(step: step, beat: index)]?.correct != true, index <= self.beat || asking else {
        continue
      }
      for cell in question.cells where names.contains(cell.grid) {
        // A knob can make the grid smaller than the lesson's, which the question is about.
        if let shape = scene.grids.first(where: { $0.name == cell.grid })?.tensor.shape, shape.count == cell.index.count,
          !zip(cell.index, shape).allSatisfy({ $0 >= 0 && $0 < $1 })
        {
          continue
        }
        let name = cell.grid
        let n = cell.index
        switch n.count {
        case 1: cells.append((name, nil, 0, n[0]))
        case 2: cells.append((name, nil, n[0], n[1]))
        case 3: cells.append((name, n[0], n[1], n[2]))
        default: break
        }
      }
    }
    return cells
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
    let grid = NumberGrid(
      values, cellWidth: max(5, NumberGrid(values).resolvedCellWidth(minus: "−")), diverging: true, cellRoles: roles)
    var title = kernel.name + "  " + LessonPlayer.shapeText(kernel.shape)
    if let scale = kernel.setting.scale { title += "  × \(scale.text)" }
    // The marker keeps its room when absent, so focusing the kernel never moves the grids.
    title += focused ? "  editing" : "         "
    var titleRole: Role = focused ? .accent : .normal
    if let animation = revealedAnimation, animation.content.kernelName(frame: frame) == kernel.name {
      titleRole = .accent
    }
    return [GridPanel(kind: .kernel(index), title: title, titleRole: titleRole, body: .numbers(grid, blanks: [], text: text))]
  }
}

extension ShowItem.Style {
  /// Numbers as shades and shades as numbers (`both` stays both).
  var swapped: ShowItem.Style {
    switch self {
    case .numbers: .shades
    case .shades: .numbers
    case .both, .colour: self
    }
  }
}
