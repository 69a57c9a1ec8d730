import CNNLabEngine
import CNNLabLessons

/// The playground: pick an input and a kernel, turn every knob (stride, padding, dilation,
/// mode, activation, pooling, a second convolution) and watch each map, the current window's
/// arithmetic, the output-size formulas and the receptive field of any output cell follow.
///
/// A self-contained sub-screen: state, `update(_:)` and `view(into:)`, so a menu can host it;
/// `q` sets `wantsToLeave` for the host. `PlaygroundProgram` runs it alone.
public struct PlaygroundScreen: Sendable {
  public enum Action: Hashable, Sendable {
    case moveCursor, nextLayer, previousLayer, playPause, previousWindow, nextWindow, faster, slower
    case strideUp, strideDown, paddingNext, paddingPrevious, dilationUp, dilationDown, mode, normalize
    case activation, poolUp, poolDown, poolStrideUp, poolStrideDown, poolMode, ceil
    case kernelNext, kernelPrevious, input, secondConv, edit, reset, help, quit
    // While editing a kernel cell.
    case type, erase, commit, leaveEditor
  }

  /// The keys while looking: one binding per knob, so help lists each once.
  public static let keys: [KeyBinding<Action>] = [
    KeyBinding([.up, .down, .left, .right], "move the cursor over an output map", action: .moveCursor, keyLabel: "arrows", hint: ("arrows", "cell"), priority: 1),
    KeyBinding([.tab, .backTab], "next/previous layer (conv, pool, conv2)", actions: [.nextLayer, .previousLayer], hint: ("Tab", "layer"), priority: 5),
    KeyBinding([.char(" ")], "play/pause the window", action: .playPause, hint: ("space", "play"), priority: 4),
    KeyBinding([.char(","), .char(".")], "previous/next window", actions: [.previousWindow, .nextWindow], inHintBar: false),
    KeyBinding(
      [.char("+"), .char("="), .char("-"), .char("_")], "play faster/slower", actions: [.faster, .faster, .slower, .slower],
      inHintBar: false, keyLabel: "+/-"),
    KeyBinding([.char("s"), .char("S")], "stride up/down", actions: [.strideUp, .strideDown], keyLabel: "s/S", hint: ("s", "stride"), priority: 3),
    KeyBinding([.char("p"), .char("P")], "padding: " + paddings.map(KnobScale.paddingText).joined(separator: ", "), actions: [.paddingNext, .paddingPrevious], keyLabel: "p/P", hint: ("p", "pad"), priority: 3),
    KeyBinding([.char("d"), .char("D")], "dilation up/down", actions: [.dilationUp, .dilationDown], keyLabel: "d/D", hint: ("d", "dilation"), priority: 3),
    KeyBinding(
      [.char("m"), .char("n")], "correlate or convolve (flipped) / normalise (÷ cells)",
      actions: [.mode, .normalize], inHintBar: false),
    KeyBinding([.char("a")], "activation: none, relu, sigmoid, tanh", action: .activation, hint: ("a", "activation"), priority: 2),
    KeyBinding(
      [.char("w"), .char("W"), .char("t"), .char("T")], "pooling window (down to none) / stride up/down",
      actions: [.poolUp, .poolDown, .poolStrideUp, .poolStrideDown], keyLabel: "w/W t/T", hint: ("w", "pool"), priority: 2),
    KeyBinding(
      [.char("x"), .char("c")], "pooling: max or average / floor or ceil", actions: [.poolMode, .ceil], inHintBar: false),
    KeyBinding([.char("k"), .char("K")], "next/previous kernel (of the layer under the cursor)", actions: [.kernelNext, .kernelPrevious], keyLabel: "k/K", hint: ("k", "kernel"), priority: 2),
    KeyBinding([.char("e"), .enter], "edit the kernel's cells", action: .edit, keyLabel: "e", hint: ("e", "edit"), priority: 4),
    KeyBinding([.char("i")], "input: the X, the O, the one you started with", action: .input, inHintBar: false),
    KeyBinding([.char("2")], "second convolution on/off", action: .secondConv, inHintBar: false),
    KeyBinding([.char("r")], "reset every knob", action: .reset, inHintBar: false),
    KeyBinding([.char("?")], "help", action: .help, priority: FitLine.essential),
    KeyBinding([.char("q"), .escape], "quit", action: .quit, priority: FitLine.essential),
  ]

  /// The keys while editing a kernel cell.
  public static let editKeys: [KeyBinding<Action>] = [
    KeyBinding([.up, .down, .left, .right], "move between kernel cells", action: .moveCursor, keyLabel: "arrows", hint: ("arrows", "cell"), priority: 3),
    KeyBinding(
      "0123456789-./".map { Key.char($0) }, "type a number (fractions such as 1/9)", action: .type, keyLabel: "0-9 - . /",
      hint: ("0-9", "type"), priority: 4),
    KeyBinding([.backspace, .delete], "erase a character", action: .erase, inHintBar: false, keyLabel: "Backspace"),
    KeyBinding([.enter], "set the cell", action: .commit, priority: 4),
    KeyBinding([.char("?")], "help", action: .help, priority: FitLine.essential),
    KeyBinding([.escape, .char("e")], "stop editing", action: .leaveEditor, keyLabel: "Esc", priority: FitLine.essential),
  ]

  /// The smallest screen the playground lays out.
  public static let minimum = (width: 60, height: 20)
  static let speeds = [50, 100, 200, 400, 800]

  /// Where the cursor is: a cell of one layer's output.
  public struct Cursor: Equatable, Sendable {
    public var layer: PlaygroundPipeline.Layer
    public var row: Int
    public var col: Int
  }

  /// A kernel cell being edited, and what has been typed into it.
  public struct Editor: Equatable, Sendable {
    /// `.conv` or `.conv2`: whose kernel.
    public var layer: PlaygroundPipeline.Layer
    public var row: Int
    public var col: Int
    public var text: String
  }

  public let start: PlaygroundSettings
  public private(set) var pipeline: PlaygroundPipeline
  public private(set) var cursor: Cursor
  public private(set) var editor: Editor?
  public private(set) var playing = false
  public private(set) var speed = 2
  public private(set) var showingHelp = false
  public private(set) var notice: String?
  /// Set by `q`: the host leaves the playground (and clears it).
  public var wantsToLeave = false
  var screen = (width: 80, height: 24)

  /// A playground starting from `settings`, which must run (`PlaygroundPipeline(settings)`).
  public init(pipeline: PlaygroundPipeline) {
    self.start = pipeline.settings
    self.pipeline = pipeline
    cursor = Cursor(layer: .conv, row: 0, col: 0)
  }

  public var settings: PlaygroundSettings { pipeline.settings }
  public var minimumSize: (width: Int, height: Int) { PlaygroundScreen.minimum }
  public var milliseconds: Int { PlaygroundScreen.speeds[speed] }

  /// Puts the cursor on the `index`-th window (row-major, from 0) of the first convolution.
  public mutating func show(window index: Int) {
    let w = pipeline.conv.geometry.outputWidth
    let count = w * pipeline.conv.geometry.outputHeight
    let i = min(max(0, index), count - 1)
    cursor = Cursor(layer: .conv, row: i / w, col: i % w)
  }

  /// The window count of the cursor's layer, and the cursor's place among them (from 0).
  public var window: (index: Int, count: Int) {
    let (h, w) = outputSize(cursor.layer)
    return (cursor.row * w + cursor.col, h * w)
  }

  func outputSize(_ layer: PlaygroundPipeline.Layer) -> (Int, Int) {
    guard let g = pipeline.geometry(layer) else { return (1, 1) }
    return (g.outputHeight, g.outputWidth)
  }

  // MARK: - Update

  public mutating func update(_ message: Message) -> [Effect] {
    switch message {
    case .resized(let width, let height):
      screen = (width, height)
      return []
    case .ticked:
      guard playing else { return [] }
      step(by: 1, wrapping: false)
      if window.index == window.count - 1 {
        playing = false
        notice = "the last window; space plays again from the first"
        return []
      }
      return [.tick(afterMilliseconds: milliseconds)]
    case .keyPressed(let key):
      if showingHelp {
        showingHelp = false
        return []
      }
      let table = editor == nil ? PlaygroundScreen.keys : PlaygroundScreen.editKeys
      guard let action = table.action(for: key) else { return [] }
      return perform(action, key: key)
    case .mouse(let event):
      if showingHelp {
        if event.kind == .leftClick { showingHelp = false }
        return []
      }
      guard event.kind == .leftClick else { return [] }
      click(x: event.x, y: event.y)
      return []
    case .trainingPublished, .trainingFailedToStart, .progressNotSaved:
      return []  // the playground trains nothing and saves nothing
    }
  }

  mutating func perform(_ action: Action, key: Key) -> [Effect] {
    notice = nil
    var s = settings
    switch action {
    case .moveCursor:
      let (dr, dc) = PlaygroundScreen.direction(key)
      if var e = editor {
        let kernel = e.layer == .conv2 ? s.kernel2 ?? s.kernel : s.kernel
        e.row = min(max(0, e.row + dr), kernel.height - 1)
        e.col = min(max(0, e.col + dc), kernel.width - 1)
        e.text = ""
        editor = e
      } else {
        let (h, w) = outputSize(cursor.layer)
        cursor.row = min(max(0, cursor.row + dr), h - 1)
        cursor.col = min(max(0, cursor.col + dc), w - 1)
      }
      return []
    case .nextLayer, .previousLayer:
      let layers = pipeline.layers
      let at = layers.firstIndex(of: cursor.layer) ?? 0
      let next = layers[(at + (action == .nextLayer ? 1 : layers.count - 1)) % layers.count]
      moveCursor(to: next)
      return []
    case .playPause:
      playing.toggle()
      if playing && window.index == window.count - 1 { (cursor.row, cursor.col) = (0, 0) }
      notice = playing ? "playing \(cursor.layer.name), \(milliseconds) ms a window" : "paused"
      return playing ? [.tick(afterMilliseconds: milliseconds)] : []
    case .previousWindow, .nextWindow:
      playing = false
      step(by: action == .nextWindow ? 1 : -1, wrapping: true)
      return []
    case .faster, .slower:
      speed = min(max(0, speed + (action == .faster ? -1 : 1)), PlaygroundScreen.speeds.count - 1)
      notice = "\(milliseconds) ms a window"
      return []
    case .strideUp: s.stride += 1
    case .strideDown: s.stride -= 1
    case .paddingNext, .paddingPrevious:
      let all = PlaygroundScreen.paddings
      let at = all.firstIndex(of: s.padding) ?? 0
      s.padding = all[(at + (action == .paddingNext ? 1 : all.count - 1)) % all.count]
    case .dilationUp: s.dilation += 1
    case .dilationDown: s.dilation -= 1
    case .mode: s.mode = s.mode == .correlate ? .convolve : .correlate
    case .normalize: s.normalize.toggle()
    case .activation:
      let all: [Activation] = [.identity, .relu, .sigmoid, .tanh]
      s.activation = all[((all.firstIndex(of: s.activation) ?? 0) + 1) % all.count]
    case .poolUp: s.pool = (s.pool ?? 1) + 1  // from none straight to 2: a window of 1 changes nothing
    case .poolDown: s.pool = (s.pool ?? 0) <= 1 ? nil : s.pool! - 1
    case .poolStrideUp: s.poolStride = (s.poolStride ?? s.pool ?? 1) + 1
    case .poolStrideDown: s.poolStride = (s.poolStride ?? s.pool ?? 1) - 1
    case .poolMode: s.poolMode = s.poolMode == .max ? .avg : .max
    case .ceil: s.ceil.toggle()
    case .kernelNext, .kernelPrevious:
      let all = NamedGrid.kernels
      let second = cursor.layer == .conv2 && s.kernel2 != nil
      let current = second ? s.kernel2! : s.kernel
      let at = all.firstIndex { $0.name == current.name } ?? (action == .kernelNext ? -1 : 0)
      let next = all[(at + (action == .kernelNext ? 1 : all.count - 1) + all.count) % all.count]
      if second { s.kernel2 = next } else { s.kernel = next }
    case .input:
      var inputs = [NamedGrid.x, NamedGrid.o]
      if !inputs.contains(start.input) { inputs.append(start.input) }
      s.input = inputs[((inputs.firstIndex(of: s.input) ?? -1) + 1) % inputs.count]
    case .secondConv: s.kernel2 = s.kernel2 == nil ? s.kernel : nil
    case .edit:
      let layer: PlaygroundPipeline.Layer = cursor.layer == .conv2 ? .conv2 : .conv
      editor = Editor(layer: layer, row: 0, col: 0, text: "")
      playing = false
      return []
    case .type:
      if case .char(let c) = key, editor != nil, editor!.text.count < 8 { editor!.text.append(c) }
      return []
    case .erase:
      if editor != nil, !editor!.text.isEmpty { editor!.text.removeLast() }
      return []
    case .commit:
      guard var e = editor else { return [] }
      guard let value = PlaygroundScreen.number(e.text) else {
        notice = e.text.isEmpty ? "type a number first, then Enter" : "'\(e.text)' is not a number; type digits, - . or a fraction such as 1/9"
        return []
      }
      var grid = e.layer == .conv2 ? s.kernel2 ?? s.kernel : s.kernel
      grid.rows[e.row][e.col] = value
      grid.name = "edited"
      if e.layer == .conv2 { s.kernel2 = grid } else { s.kernel = grid }
      e.text = ""
      editor = e
    case .leaveEditor:
      editor = nil
      return []
    case .reset:
      s = start
    case .help:
      showingHelp = true
      return []
    case .quit:
      wantsToLeave = true
      return []
    }
    apply(s)
    return []
  }

  /// Runs the new settings; when they do not work the old ones stay and the notice says why.
  mutating func apply(_ s: PlaygroundSettings) {
    guard s != settings else { return }
    do {
      pipeline = try PlaygroundPipeline(s)
    } catch {
      notice = "not changed: " + error.message
      return
    }
    moveCursor(to: pipeline.layers.contains(cursor.layer) ? cursor.layer : .conv)
  }

  /// The cursor on `layer`, kept inside its output.
  mutating func moveCursor(to layer: PlaygroundPipeline.Layer) {
    let (h, w) = outputSize(layer)
    cursor = Cursor(layer: layer, row: min(cursor.row, h - 1), col: min(cursor.col, w - 1))
  }

  /// One window on, or back, in row-major order.
  mutating func step(by delta: Int, wrapping: Bool) {
    let (_, w) = outputSize(cursor.layer)
    let count = window.count
    var i = window.index + delta
    i = wrapping ? (i % count + count) % count : min(max(0, i), count - 1)
    (cursor.row, cursor.col) = (i / w, i % w)
  }

  mutating func click(x: Int, y: Int) {
    for panel in layout(width: screen.width, height: screen.height).panels {
      guard let cell = panel.cell(atX: x, y: y) else { continue }
      switch panel.content {
      case .output(let layer):
        editor = nil
        cursor = Cursor(layer: layer, row: cell.row, col: cell.column)
      case .kernel(let layer):
        editor = Editor(layer: layer, row: cell.row, col: cell.column, text: "")
        playing = false
      case .input, .preActivation:
        break
      }
      return
    }
  }

  /// The paddings `p` cycles through: those the lessons' padding knob turns through.
  static let paddings: [Padding] = KnobScale.paddings

  static func direction(_ key: Key) -> (Int, Int) {
    switch key {
    case .up: (-1, 0)
    case .down: (1, 0)
    case .left: (0, -1)
    default: (0, 1)
    }
  }

  /// A typed number: a decimal or a fraction such as `-1/9`; nil when it is neither.
  static func number(_ text: String) -> Float? {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    if parts.count == 2, let a = Float(parts[0]), let b = Float(parts[1]), b != 0, (a / b).isFinite { return a / b }
    if parts.count == 1, let a = Float(text), a.isFinite { return a }
    return nil
  }
}

/// `cnnlab playground` run on its own: the playground as the whole program.
public struct PlaygroundProgram: Program {
  public var screen: PlaygroundScreen

  public init(_ screen: PlaygroundScreen) { self.screen = screen }

  public mutating func update(_ message: Message) -> [Effect] {
    let effects = screen.update(message)
    return screen.wantsToLeave ? [.quit] : effects
  }

  public func render(into buffer: inout CellBuffer) { screen.view(into: &buffer) }
  public var minimumSize: (width: Int, height: Int) { screen.minimumSize }
}
