/// A stand-in course: a menu of lessons and, behind each, a demonstration screen that slides a
/// 3x3 kernel over a small grid. It exercises every widget and the run loop until the real
/// lesson player replaces it.
public struct PlaceholderCourse: Program {
  /// What a key does on the menu.
  public enum MenuAction: Sendable { case move, open, help, quit }
  /// What a key does on a demonstration screen.
  public enum DemoAction: Sendable { case step, playPause, speed, help, leave }

  public static let menuKeys: [KeyBinding<MenuAction>] = [
    KeyBinding([.up, .down], "move", action: .move),
    KeyBinding([.enter], "open", action: .open),
    KeyBinding([.char("?")], "help", action: .help),
    KeyBinding([.char("q"), .escape], "quit", action: .quit),
  ]

  public static let demoKeys: [KeyBinding<DemoAction>] = [
    KeyBinding([.left, .right], "step", action: .step),
    KeyBinding([.char(" ")], "play/pause", action: .playPause),
    KeyBinding([.char("+"), .char("-")], "speed", action: .speed),
    KeyBinding([.char("?")], "help", action: .help),
    KeyBinding([.char("q"), .escape], "back", action: .leave),
  ]

  public let lessons = ["Kernels", "Edges", "Padding and stride", "Pooling", "Training a CNN"]
  public private(set) var selected = 0
  /// The lesson whose demonstration is open, if any.
  public private(set) var openLesson: Int?
  public private(set) var showingHelp = false
  /// The kernel placement shown, `0..<placements`.
  public private(set) var frame = 0
  public private(set) var playing = false
  /// Milliseconds between animation frames.
  public private(set) var interval = 400
  public private(set) var screen = (width: 80, height: 24)

  let input: [[Float]] = [
    [0, 0, 9, 9, 0],
    [0, 0, 9, 9, 0],
    [0, 0, 9, 9, 0],
    [0, 0, 9, 9, 0],
    [0, 0, 9, 9, 0],
  ]
  let kernel: [[Float]] = [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]
  let output: [[Float]]

  public init() {
    // A valid 3x3 convolution (cross-correlation) of the 5x5 input: 3x3 outputs.
    var output = Array(repeating: Array(repeating: Float(0), count: 3), count: 3)
    for oy in 0..<3 {
      for ox in 0..<3 {
        for ky in 0..<3 {
          for kx in 0..<3 { output[oy][ox] += input[oy + ky][ox + kx] * kernel[ky][kx] }
        }
      }
    }
    self.output = output
  }

  public var minimumSize: (width: Int, height: Int) { (40, 12) }
  var placements: Int { 9 }

  public mutating func update(_ message: Message) -> [Effect] {
    switch message {
    case .resized(let width, let height):
      screen = (width, height)
      return []
    case .ticked:
      guard playing, openLesson != nil else { return [] }
      frame = (frame + 1) % placements
      return [.tick(afterMilliseconds: interval)]
    case .keyPressed(let key):
      if showingHelp {
        showingHelp = false
        return []
      }
      return openLesson == nil ? menuKey(key) : demoKey(key)
    case .mouse(let event):
      return mouse(event)
    }
  }

  private mutating func menuKey(_ key: Key) -> [Effect] {
    switch key {
    case .up, .char("k"): selected = max(0, selected - 1)
    case .down, .char("j"): selected = min(lessons.count - 1, selected + 1)
    default:
      switch PlaceholderCourse.menuKeys.action(for: key) {
      case .open?: open(selected)
      case .help?: showingHelp = true
      case .quit?: return [.quit]
      default: break
      }
    }
    return []
  }

  private mutating func demoKey(_ key: Key) -> [Effect] {
    switch key {
    case .left: frame = max(0, frame - 1); playing = false
    case .right: frame = min(placements - 1, frame + 1); playing = false
    case .char("+"): interval = max(50, interval / 2)
    case .char("-"): interval = min(3200, interval * 2)
    default:
      switch PlaceholderCourse.demoKeys.action(for: key) {
      case .playPause?:
        playing.toggle()
        return playing ? [.tick(afterMilliseconds: interval)] : []
      case .help?: showingHelp = true
      case .leave?:
        openLesson = nil
        playing = false
      default: break
      }
    }
    return []
  }

  private mutating func open(_ index: Int) {
    openLesson = index
    frame = 0
    playing = false
  }

  private mutating func mouse(_ event: MouseEvent) -> [Effect] {
    guard !showingHelp else { return [] }
    switch (event.kind, openLesson) {
    case (.wheelUp, nil): selected = max(0, selected - 1)
    case (.wheelDown, nil): selected = min(lessons.count - 1, selected + 1)
    case (.leftClick, nil):
      let row = event.y - menuListArea.y
      if row >= 0, row < lessons.count, menuListArea.contains(x: event.x, y: event.y) {
        selected = row
        open(row)
      }
    case (.wheelUp, _?): frame = max(0, frame - 1)
    case (.wheelDown, _?): frame = min(placements - 1, frame + 1)
    default: break
    }
    return []
  }

  // MARK: - View

  var body: Rect { Rect(x: 0, y: 0, width: screen.width, height: screen.height).splitBottom(1).rest }

  /// The frame around the menu's entries.
  var menuBox: Rect {
    let width = (lessons.map(\.count).max() ?? 0) + 8
    return body.splitTop(3).rest.centered(width: width + 4, height: lessons.count + 2)
  }

  /// Where the menu's entries are drawn (one row each).
  var menuListArea: Rect { Box.inner(menuBox).inset(horizontal: 1, vertical: 0) }

  public func render(into buffer: inout CellBuffer) {
    let (body, bar) = buffer.area.splitBottom(1)
    if let lesson = openLesson {
      renderDemo(lesson, in: body, into: &buffer)
      KeyHintBar(bindings: PlaceholderCourse.demoKeys).render(in: bar, into: &buffer)
    } else {
      renderMenu(in: body, into: &buffer)
      KeyHintBar(bindings: PlaceholderCourse.menuKeys).render(in: bar, into: &buffer)
    }
    if showingHelp {
      let hints = openLesson == nil
        ? PlaceholderCourse.menuKeys.map(KeyHint.init) : PlaceholderCourse.demoKeys.map(KeyHint.init)
      HelpOverlay(hints).render(in: body, into: &buffer)
    }
  }

  private func renderMenu(in area: Rect, into buffer: inout CellBuffer) {
    let (header, _) = area.splitTop(3)
    TextBlock("cnnlab", role: .title, centered: true).render(in: header.splitTop(1).top, into: &buffer)
    TextBlock("Watch a convolutional network learn, one kernel at a time.", role: .dim, centered: true)
      .render(in: header.splitTop(1).rest.splitTop(1).top, into: &buffer)
    let list = menuListArea
    Box(title: "Lessons").render(in: menuBox, into: &buffer)
    for (index, lesson) in lessons.enumerated() {
      let row = Rect(x: list.x, y: list.y + index, width: list.width, height: 1)
      let role: Role = index == selected ? .selection : .normal
      buffer.fill(row, role: role)
      buffer.put(" \(index + 1)  \(lesson)", x: row.x, y: row.y, role: role, clip: row)
    }
  }

  private func renderDemo(_ lesson: Int, in area: Rect, into buffer: inout CellBuffer) {
    let g = buffer.glyphs
    let (titleRow, rest) = area.splitTop(2)
    buffer.put(" \(lesson + 1)  \(lessons[lesson])  (placeholder)", x: titleRow.x, y: titleRow.y, role: .title)
    let oy = frame / 3
    let ox = frame % 3
    var products: [String] = []
    for ky in 0..<3 {
      for kx in 0..<3 {
        let a = NumberGrid.format(input[oy + ky][ox + kx], decimals: 0, minus: g.minus)
        let b = NumberGrid.format(kernel[ky][kx], decimals: 0, minus: g.minus)
        products.append("\(a)\(g.times)\(b)")
      }
    }
    let sum = NumberGrid.format(output[oy][ox], decimals: 0, minus: g.minus)
    let rows = rest.split(.vertical, [.fixed(3), .fixed(6), .fixed(2), .fill])
    TextBlock(
      "The kernel slides over the input; each output cell is the sum of the nine products "
        + "under it. This screen is a placeholder for the real lesson.", scrollOffset: 0
    ).render(in: rows[0].inset(horizontal: 1, vertical: 0), into: &buffer)
    let columns = rows[1].inset(horizontal: 1, vertical: 0)
      .split(.horizontal, [.fixed(15), .fixed(9), .fixed(12), .fill], gap: 3)
    buffer.put("input", x: columns[0].x, y: columns[0].y, role: .dim)
    NumberGrid(input, window: GridRect(row: oy, column: ox, rows: 3, columns: 3))
      .render(in: columns[0].splitTop(1).rest, into: &buffer)
    buffer.put("kernel", x: columns[1].x, y: columns[1].y, role: .dim)
    NumberGrid(kernel).render(in: columns[1].splitTop(1).rest, into: &buffer)
    buffer.put("output", x: columns[2].x, y: columns[2].y, role: .dim)
    let notYet = Set((frame + 1..<placements).map { GridPoint(row: $0 / 3, column: $0 % 3) })
    NumberGrid(output, current: GridPoint(row: oy, column: ox), hiddenCells: notYet)
      .render(in: columns[2].splitTop(1).rest, into: &buffer)
    if columns[3].width >= 16 {
      buffer.put("image", x: columns[3].x, y: columns[3].y, role: .dim)
      HalfBlockImage(pixels: PlaceholderCourse.ring).render(in: columns[3].splitTop(1).rest, into: &buffer)
    }
    let line = products.joined(separator: " + ") + " = " + sum
    let arithmetic = rows[2].inset(horizontal: 1, vertical: 0)
    TextBlock(line, role: .accent).render(in: arithmetic, into: &buffer)
    let status = "step \(frame + 1)/\(placements)  \(g.middleDot)  \(playing ? "playing" : "paused")"
      + "  \(g.middleDot)  \(interval) ms per step"
    buffer.put(status, x: rows[3].x + 1, y: rows[3].y, role: .dim, clip: rows[3])
  }

  /// A ring 16 pixels wide and 10 high, to show a half-block image (5 rows of cells).
  static let ring: [[Double]] = (0..<10).map { y in
    (0..<16).map { x in
      let dx = Double(x) - 7.5
      let dy = (Double(y) - 4.5) * 1.6
      let r = (dx * dx + dy * dy).squareRoot()
      return max(0, 1 - abs(r - 5.5) / 2.5)
    }
  }
}
