import CNNLabEngine
import Foundation

extension PlaygroundScreen {
  /// One map on screen: its title, its grid and where they are.
  struct Panel {
    enum Content: Equatable {
      /// The input, drawn with the first convolution's padding around it.
      case input
      /// The first convolution's sums before its activation.
      case preActivation
      case output(PlaygroundPipeline.Layer)
      /// The kernel of `.conv` or `.conv2`.
      case kernel(PlaygroundPipeline.Layer)
    }

    var content: Content
    var title: String
    var grid: NumberGrid
    /// Which panels stay when not all fit: higher stays longer.
    var priority: Int
    /// The title's row and the grid's rows under it.
    var area = Rect(x: 0, y: 0, width: 0, height: 0)
    /// Grid cells before the first one drawn: the padding ring of the input (counted in the
    /// grid's own coordinates, so a click maps back to the map's cell).
    var offset = (row: 0, column: 0)
    /// Columns a cell when drawn as shades (2, then 1 if that does not fit either), because its
    /// numbers do not fit; nil draws the numbers.
    var shadeWidth: Int?
    var shaded: Bool { shadeWidth != nil }

    /// Columns per grid cell.
    var cellWidth: Int { shadeWidth ?? grid.resolvedCellWidth(minus: "−") }

    /// Rows shown when the grid is taller than the room for it (from `grid.firstRow`, chosen to
    /// keep the highlighted cells in view); nil shows every row.
    var visibleRows: Int?

    /// Shaded, the value each end of the ramp stands for, on a row under the grid.
    var scale: ShadeScale? { shaded ? ShadeScale(of: grid.values.joined()) : nil }

    var size: (width: Int, height: Int) {
      let scaleWidth = scale.map { max($0.text(glyphs: .unicode).count, $0.text(glyphs: .ascii).count) } ?? 0
      return (max(title.count, grid.columnCount * cellWidth, scaleWidth), (visibleRows ?? grid.rowCount) + 1 + (shaded ? 1 : 0))
    }

    /// Shows `rows` rows, centred on the highlighted cells (the window, the field, the cursor),
    /// and says in the title which ones.
    mutating func crop(to rows: Int) {
      let marked = grid.cellRoles.filter { $0.value == .kernelWindow || $0.value == .editCursor }.map(\.key.row)
        + (grid.current.map { [$0.row] } ?? [])
      let centre = marked.isEmpty ? 0 : (marked.min()! + marked.max()!) / 2
      let visible = max(1, rows)
      grid.firstRow = min(max(0, centre - visible / 2), max(0, grid.rowCount - visible))
      visibleRows = visible
      let last = min(grid.rowCount, grid.firstRow + visible) - 1
      title += " rows \(grid.firstRow - offset.row)-\(last - offset.row)"
    }

    /// Draws the grid under its title: numbers, or shades from the smallest value (dark) to the
    /// largest (light) with the same highlights.
    func render(into buffer: inout CellBuffer) {
      buffer.put(title, x: area.x, y: area.y, role: .title, clip: area)
      let body = Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 1)
      guard shaded else { return grid.render(in: body, into: &buffer) }
      if let scale {
        buffer.put(scale.text(glyphs: buffer.glyphs), x: area.x, y: area.maxY - 1, role: .dim, clip: area)
      }
      let rows = Rect(x: body.x, y: body.y, width: body.width, height: body.height - 1)
      let all = grid.values.joined().filter(\.isFinite)
      let (low, high) = (all.min() ?? 0, all.max() ?? 0)
      for (r, row) in grid.values.enumerated() {
        for (c, value) in row.enumerated() {
          let brightness = high > low ? Double((value - low) / (high - low)) : 0.5
          var role = grid.role(at: GridPoint(row: r, column: c), magnitude: 0)
          if case .value = role { role = buffer.capabilities.showsGreys ? .grey(Role.greyLevel(brightness)) : .normal }
          let shade = buffer.glyphs.shade(brightness)
          buffer.put(
            String(repeating: shade, count: cellWidth), x: body.x + cellWidth * c, y: body.y + r - grid.firstRow, role: role,
            clip: rows)
        }
      }
    }

    /// The map cell at screen position (`x`, `y`), if the grid is drawn there.
    func cell(atX x: Int, y: Int) -> GridPoint? {
      let width = cellWidth
      let row = y - area.y - 1 + grid.firstRow
      let column = (x - area.x) / width
      guard x >= area.x, y > area.y, y < area.maxY - (shaded ? 1 : 0), row < grid.rowCount, column < grid.columnCount else {
        return nil
      }
      let point = GridPoint(row: row - offset.row, column: column - offset.column)
      return point.row >= 0 && point.column >= 0 ? point : nil
    }
  }

  struct Layout {
    var header: Rect
    var maps: Rect
    var text: Rect
    var status: Rect
    var hints: Rect
    var panels: [Panel]
    /// Titles of the panels left out for want of room.
    var dropped: [String]
  }

  /// How many text lines go under the maps: a formula per layer, the receptive field and the
  /// window's arithmetic.
  var textLines: Int { pipeline.layers.count + 2 }

  func layout(width: Int, height: Int, glyphs: Glyphs = .unicode) -> Layout {
    let area = Rect(x: 0, y: 0, width: width, height: height)
    let rows = area.split(.vertical, [.fixed(1), .fill, .fixed(1), .fixed(textLines), .fixed(1), .fixed(1)])
    var panels = self.panels(glyphs: glyphs)
    var dropped: [String] = []
    // One row, read left to right, when it fits; else columns of panels stacked; else drop
    // whole panels, the least needed first (right-most among equals), until the rest fit.
    while !panels.isEmpty, !PlaygroundScreen.flow(&panels, in: rows[1], stacking: false),
      !PlaygroundScreen.flow(&panels, in: rows[1], stacking: true)
    {
      // The extra map (the sums before the activation) goes first; then the largest grid of
      // numbers turns to shades, and only then do maps go.
      let large = panels.indices.filter { panels[$0].grid.rowCount * panels[$0].grid.columnCount > 16 }
      func largest(_ indices: [Int]) -> Int? {
        indices.max { panels[$0].size.width * panels[$0].size.height < panels[$1].size.width * panels[$1].size.height }
      }
      if panels.allSatisfy({ $0.priority > 1 }) {
        if let index = largest(large.filter { !panels[$0].shaded }) {
          panels[index].shadeWidth = 2
          continue
        }
        if let index = largest(large.filter { panels[$0].shadeWidth == 2 }) {
          panels[index].shadeWidth = 1
          continue
        }
        // A grid taller than the screen shows the rows around its highlight.
        let tall = panels.indices.filter { panels[$0].visibleRows == nil && panels[$0].size.height > rows[1].height }
        if !tall.isEmpty {
          for index in tall { panels[index].crop(to: rows[1].height - 1 - (panels[index].shaded ? 1 : 0)) }
          continue
        }
      }
      let drop = panels.indices.min { a, b in
        panels[a].priority != panels[b].priority ? panels[a].priority < panels[b].priority : a > b
      }!
      let panel = panels[drop]
      dropped.append(panel.content == .preActivation ? "the sums before \(settings.activation.rawValue)" : panel.title)
      panels.remove(at: drop)
    }
    // The text follows the maps right under them, not at the foot of a tall screen.
    let used = (panels.map(\.area.maxY).max() ?? rows[1].y) - rows[1].y
    let rise = max(0, rows[1].height - used)
    func raised(_ r: Rect) -> Rect { Rect(x: r.x, y: r.y - rise, width: r.width, height: r.height) }
    return Layout(
      header: rows[0], maps: rows[1], text: raised(rows[3]), status: raised(rows[4]), hints: rows[5], panels: panels,
      dropped: dropped)
  }

  /// Places `panels` in columns from the left, each (when `stacking`) under the one before
  /// while the column has room, else at the top of a new column; false when they do not all fit.
  static func flow(_ panels: inout [Panel], in area: Rect, stacking: Bool) -> Bool {
    var x = area.x
    var y = area.y
    var columnWidth = 0
    for index in panels.indices {
      let (w, h) = panels[index].size
      if y > area.y && (!stacking || y + h > area.maxY) {
        x += columnWidth + 2
        y = area.y
        columnWidth = 0
      }
      guard x + w <= area.maxX, y + h <= area.maxY else { return false }
      panels[index].area = Rect(x: x, y: y, width: w, height: h)
      y += h + 1
      columnWidth = max(columnWidth, w)
    }
    return true
  }

  // MARK: - Maps

  /// Every map and kernel, in the order data flows, with its highlights.
  func panels(glyphs: Glyphs) -> [Panel] {
    let p = pipeline
    let s = settings
    let times = glyphs.times
    var panels: [Panel] = []

    // The input inside the first convolution's padding, with the cursor's field (the
    // padding it reads included) lit, as the lessons draw a convolution's input.
    let g = p.conv.geometry
    let field = p.field(of: cursor.layer, row: cursor.row, col: cursor.col, in: 0)
    let fieldRows = Set(field.rows.positions + field.rows.padding)
    let fieldCols = Set(field.cols.positions + field.cols.padding)
    let drawn = DrawnInput(rows: s.input.rows, geometry: g) { fieldRows.contains($0) && fieldCols.contains($1) }
    var input = NumberGrid(drawn.values, cellRoles: drawn.roles)
    input.compact = true
    var inputPanel = Panel(
      content: .input, title: "\(s.input.name) \(s.input.height)\(times)\(s.input.width)", grid: input, priority: 9)
    inputPanel.offset = drawn.offset
    if DrawnInput.isPadded(g) { inputPanel.title += " pad" }
    panels.append(inputPanel)

    panels.append(kernelPanel(.conv, s.kernel, times: times))
    if s.activation != .identity {
      panels.append(
        outputPanel(
          .conv, values: p.preActivation, title: "conv \(g.outputHeight)\(times)\(g.outputWidth)", level: 1,
          content: .preActivation, priority: 1))
    }
    let convTitle = s.activation == .identity ? "conv" : s.activation.rawValue
    panels.append(
      outputPanel(.conv, values: p.output(.conv), title: "\(convTitle) \(g.outputHeight)\(times)\(g.outputWidth)", level: 1, priority: 9))
    if let pool = p.pool {
      let pg = pool.geometry
      let name = s.poolMode == .max ? "maxpool" : "avgpool"
      panels.append(
        outputPanel(.pool, values: p.output(.pool), title: "\(name) \(pg.outputHeight)\(times)\(pg.outputWidth)", level: 2, priority: 7))
    }
    if let conv2 = p.conv2, let kernel2 = s.kernel2 {
      panels.append(kernelPanel(.conv2, kernel2, times: times))
      let level = p.layers.count
      panels.append(
        outputPanel(
          .conv2, values: p.output(.conv2),
          title: "conv2 \(conv2.geometry.outputHeight)\(times)\(conv2.geometry.outputWidth)", level: level, priority: 6))
    }
    return panels
  }

  /// A map at position `level` of the chain (1: the first convolution's output), with the
  /// cursor's cell or its receptive field, and the cells the next layer never reaches dimmed.
  func outputPanel(
    _ layer: PlaygroundPipeline.Layer, values: [[Float]], title: String, level: Int, content: Panel.Content? = nil,
    priority: Int
  ) -> Panel {
    let p = pipeline
    let cursorLevel = (p.layers.firstIndex(of: cursor.layer) ?? 0) + 1
    var grid = NumberGrid(values)
    grid.compact = true
    if level == cursorLevel {
      grid.current = GridPoint(row: cursor.row, column: cursor.col)
    } else if level < cursorLevel {
      let field = p.field(of: cursor.layer, row: cursor.row, col: cursor.col, in: level)
      for r in field.rows.positions {
        for c in field.cols.positions { grid.cellRoles[GridPoint(row: r, column: c)] = .kernelWindow }
      }
    }
    if level < p.layers.count, let next = p.geometry(p.layers[level]) {
      let (rows, cols) = (Set(next.rows.unusedInputs), Set(next.cols.unusedInputs))
      for (r, row) in values.enumerated() {
        for c in row.indices where (rows.contains(r) || cols.contains(c)) && grid.cellRoles[GridPoint(row: r, column: c)] == nil {
          grid.cellRoles[GridPoint(row: r, column: c)] = .dim
        }
      }
    }
    return Panel(content: content ?? .output(layer), title: title, grid: grid, priority: priority)
  }

  /// `v` as the arithmetic writes it: whole numbers as they are, others to two decimals, and
  /// those too small for two decimals (a 1/256 weight) to two significant digits.
  static func number(_ v: Float, glyphs: Glyphs) -> String {
    if v == v.rounded() || abs(v) >= 0.01 || !v.isFinite {
      return NumberGrid.format(v, decimals: v == v.rounded() ? 0 : 2, minus: glyphs.minus)
    }
    return String(format: "%.2g", Double(v)).replacingOccurrences(of: "-", with: String(glyphs.minus))
  }

  func kernelPanel(_ layer: PlaygroundPipeline.Layer, _ kernel: NamedGrid, times: Character) -> Panel {
    var grid = NumberGrid(kernel.rows)
    // Small weights (1/256) keep a digit that is not zero.
    let smallest = kernel.rows.joined().filter { $0 != 0 }.map(abs).min() ?? 1
    if smallest < 0.05 && kernel.rows.joined().contains(where: { $0 != $0.rounded() }) { grid.decimals = 3 }
    grid.compact = true
    if let e = editor, e.layer == layer { grid.cellRoles[GridPoint(row: e.row, column: e.col)] = .editCursor }
    // The weights the current window multiplies, when the cursor is on this layer's output.
    if cursor.layer == layer, editor == nil {
      grid.window = GridRect(row: 0, column: 0, rows: kernel.height, columns: kernel.width)
    }
    let mode = layer == .conv && settings.mode == .convolve ? " flipped" : ""
    return Panel(
      content: .kernel(layer), title: "\(layer == .conv ? "kernel" : "kernel2") \(kernel.height)\(times)\(kernel.width)\(mode)", grid: grid,
      priority: layer == .conv ? 8 : 5)
  }

  // MARK: - Drawing

  public func view(into buffer: inout CellBuffer) {
    let glyphs = buffer.glyphs
    let layout = self.layout(width: buffer.width, height: buffer.height, glyphs: glyphs)
    headerLine(glyphs).render(in: layout.header, into: &buffer)
    for panel in layout.panels { panel.render(into: &buffer) }
    let text = layout.text
    var y = text.y
    for line in formulaLines(glyphs) + [fieldLine(glyphs), arithmeticLine(glyphs, width: text.width - 2)] {
      line.render(in: Rect(x: text.x + 1, y: y, width: text.width - 2, height: 1), into: &buffer)
      y += 1
    }
    statusLine(glyphs, dropped: layout.dropped).render(in: layout.status.inset(horizontal: 1, vertical: 0), into: &buffer)
    let table = editor == nil ? PlaygroundScreen.keys : PlaygroundScreen.editKeys
    KeyHintBar(bindings: table).render(in: layout.hints, into: &buffer)
    if showingHelp {
      let overlay = Rect(x: 0, y: 0, width: buffer.width, height: max(0, buffer.height - 1))
      HelpOverlay(
        title: editor == nil ? "Playground keys" : "Kernel editor keys", bindings: table,
        footer: "click an output cell to move there, a kernel cell to edit it; any key closes"
      ).render(in: overlay, into: &buffer)
    }
  }

  typealias Field = FitLine.Field

  func headerLine(_ glyphs: Glyphs) -> FitLine {
    let s = settings
    let t = glyphs.times
    var fields = [
      Field("Playground", role: .title, priority: FitLine.essential),
      Field("\(s.input.name) \(s.input.height)\(t)\(s.input.width)", priority: 9),
      Field("kernel \(s.kernel.name)", priority: 8),
      Field("stride \(s.stride)", priority: 7),
      Field("padding \(PlaygroundSettings.paddingText(s.padding))", priority: 7),
      Field("dilation \(s.dilation)", priority: 6),
      Field(s.mode.rawValue + (s.normalize ? " ÷cells" : ""), priority: 4),
      Field(s.activation == .identity ? "no activation" : s.activation.rawValue, priority: 5),
    ]
    if let pool = s.pool {
      let stride = s.poolStride ?? pool
      fields.append(Field("\(s.poolMode == .max ? "max" : "avg") pool \(pool) stride \(stride)\(s.ceil ? " ceil" : "")", priority: 5))
    } else {
      fields.append(Field("no pooling", priority: 3))
    }
    if let k2 = s.kernel2 { fields.append(Field("conv2 \(k2.name)", priority: 4)) }
    return FitLine(fields, fill: nil, margin: 1)
  }

  /// One line per layer: its output size and the formula that gives it, with the numbers.
  func formulaLines(_ glyphs: Glyphs) -> [FitLine] {
    pipeline.layers.compactMap { layer in
      guard let g = pipeline.geometry(layer) else { return nil }
      let head = Field([("\(layer.name) ", .normal), ("\(g.outputHeight)\(glyphs.times)\(g.outputWidth)", .accent)], priority: FitLine.essential)
      if g.rows.working == g.cols.working {
        return FitLine([head, Field("rows and columns: " + g.rows.working, priority: 2, gap: 3)])
      }
      return FitLine([head, Field("rows " + g.rows.working, priority: 2, gap: 3), Field("cols " + g.cols.working, priority: 1, gap: 3)])
    }
  }

  /// The receptive field of the cursor's cell in the input, with its size written out.
  func fieldLine(_ glyphs: Glyphs) -> FitLine {
    let field = pipeline.field(of: cursor.layer, row: cursor.row, col: cursor.col, in: 0)
    let t = glyphs.times
    func span(_ range: Range<Int>) -> String {
      let (a, b) = (range.lowerBound, range.upperBound - 1)
      let text = { (n: Int) in n < 0 ? "\(glyphs.minus)\(-n)" : "\(n)" }
      return a == b ? text(a) : "\(text(a)) to \(text(b))"
    }
    var fields = [
      Field(
        [("\(cursor.layer.name)[\(cursor.row),\(cursor.col)] sees ", .normal), ("\(field.height)\(t)\(field.width)", .accent), (" input pixels", .normal)],
        priority: FitLine.essential),
      Field(
        "rows \(span(field.rows.extent)), columns \(span(field.cols.extent))",
        priority: 3),
    ]
    let padding = (field.rows.inPadding, field.cols.inPadding)
    if padding != (0, 0) {
      func count(_ n: Int, _ what: String) -> String? { n == 0 ? nil : "\(n) \(what)\(n == 1 ? "" : "s")" }
      let parts = [count(padding.0, "row"), count(padding.1, "column")].compactMap { $0 }
      fields.append(Field(parts.joined(separator: " and ") + " of it in padding", role: .dim, priority: 2))
    }
    let read = (field.rows.positions.count, field.cols.positions.count)
    if read != (field.rows.clipped.count, field.cols.clipped.count) {
      fields.append(Field("reads \(read.0)\(t)\(read.1) of them", role: .dim, priority: 1))
    }
    return FitLine(fields)
  }

  /// The current window's arithmetic: every product and the sum (middle terms give way to
  /// `…` when the line is too narrow), or the pooling window's values.
  func arithmeticLine(_ glyphs: Glyphs, width: Int) -> FitLine {
    let p = pipeline
    func f(_ v: Float) -> String { PlaygroundScreen.number(v, glyphs: glyphs) }
    let name = "\(cursor.layer.name)[\(cursor.row),\(cursor.col)] = "
    var terms: [String]
    var tail: String
    var join = " + "
    var open = "", close = ""
    switch cursor.layer {
    case .conv, .conv2:
      let trace = cursor.layer == .conv ? p.conv : p.conv2!
      let placement = trace.placements[cursor.row * trace.geometry.outputWidth + cursor.col]
      terms = placement.taps.map { "(\(f($0.input))\(glyphs.times)\(f($0.weight)))" }
      tail = " = \(f(placement.sum))"
      if placement.scale != 1 { tail += "  \(glyphs.arrowRight)  \(f(placement.sum))/\(Int((1 / placement.scale).rounded())) = \(f(placement.sum * placement.scale))" }
      if trace.activation != .identity { tail += "  \(glyphs.arrowRight)  \(trace.activation.rawValue) = \(f(placement.value))" }
    case .pool:
      let trace = p.pool!
      let placement = trace.placements[cursor.row * trace.geometry.outputWidth + cursor.col]
      terms = placement.cells.map { f($0.value) }
      if trace.mode == .max {
        (open, close, join) = ("max(", ")", ", ")
      } else {
        (open, close) = ("(", ")/\(placement.cells.count)")
      }
      tail = " = \(f(placement.value))"
    }
    func text(_ shown: [String], cut: Bool) -> String {
      var body = shown
      if cut { body.insert(glyphs.ellipsis, at: body.count - 1) }
      return name + open + body.joined(separator: join) + close + tail
    }
    var shown = terms
    var cut = false
    while text(shown, cut: cut).count > width && shown.count > 2 {
      shown.remove(at: shown.count - 2)
      cut = true
    }
    return FitLine([Field(text(shown, cut: cut), role: .accent, priority: FitLine.essential, shortenable: true)])
  }

  func statusLine(_ glyphs: Glyphs, dropped: [String]) -> FitLine {
    var fields: [Field] = []
    if let e = editor {
      let kernel = e.layer == .conv2 ? "kernel2" : "kernel"
      fields.append(Field([("\(kernel)[\(e.row),\(e.col)] = ", .normal), (e.text + "_", .editCursor)], priority: FitLine.essential))
      fields.append(Field("type a number, Enter sets it, Esc stops editing", role: .dim, priority: 1))
    } else {
      let w = window
      fields.append(Field("\(cursor.layer.name) window \(w.index + 1)/\(w.count)", priority: 5))
      fields.append(Field(playing ? "playing" : "paused", role: playing ? .success : .dim, priority: 4, gap: 1))
      fields.append(Field("\(milliseconds) ms", priority: 2, gap: 1))
    }
    if let notice { fields.append(Field(notice, role: notice.hasPrefix("not changed") ? .error : .accent, priority: 6, shortenable: true)) }
    if !dropped.isEmpty {
      fields.append(Field("no room for: " + dropped.joined(separator: ", "), role: .dim, priority: 3, alignment: .trailing))
    }
    return FitLine(fields)
  }
}
