import CNCurses
import CNNLabTUI
import CTermSupport
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The last SIGINT, SIGTERM, SIGHUP or SIGQUIT received (0 if none). Signal handlers can only touch
/// globals, and a global `let` Atomic is Sendable.
let pendingSignal = Atomic<Int32>(0)
/// Set by SIGTSTP (Ctrl-Z): the run loop restores the terminal, then stops the process.
let suspendRequested = Atomic<Bool>(false)
/// Set by SIGCONT: whatever stopped us, the screen must be drawn again in full.
let continued = Atomic<Bool>(false)

/// Something the terminal reported: a key, a mouse action or a new size.
public enum TerminalEvent: Equatable, Sendable {
  case key(Key)
  case mouse(MouseEvent)
  case resized(width: Int, height: Int)
}

/// The ncurses screen: capability detection, setup and restore, signals, input and drawing.
///
/// Only the main thread may use it (ncurses is not thread-safe). `init` either leaves the
/// terminal in cnnlab's mode or throws with the terminal untouched; `shutdown()` (also run by
/// `deinit`) restores it, as do SIGINT, SIGTERM, SIGHUP and SIGQUIT via the run loop, and a crash via
/// the handler in CTermSupport.
public final class Terminal {
  /// The colour depth and glyph set screens are drawn with.
  public let capabilities: Capabilities
  private var screen: OpaquePointer?
  private var savedActions: [(signal: Int32, action: sigaction)] = []
  private var styles: [Role: (attributes: attr_t, pair: Int32)] = [:]
  private var pairs: [CellStyle: Int32] = [:]
  private let maxPairs: Int32
  /// The button held down since its press, so that motion reports become drags.
  private var heldButton: MouseEvent.Kind?
  /// Input read while decoding an escape sequence that belongs to the next event.
  private var unread: RawInput?
  /// Colour pixels drawn since the last flush, to be painted in their exact colours after it.
  private var trueColorCells: [(x: Int, y: Int, character: Character, rgb: RGB)] = []

  /// Takes over the terminal, or throws `TerminalError` if there is no usable one.
  public init() throws(TerminalError) {
    setlocale(LC_ALL, "")
    guard isatty(0) == 1, isatty(1) == 1 else { throw .notATerminal }
    guard let term = Terminal.environment("TERM") else { throw .unknownTerminal(nil) }

    // Our handlers go in before ncurses starts, so it leaves them alone (it installs its own
    // only where a signal is still at its default).
    savedActions = Terminal.installSignalHandlers()
    // newterm, unlike initscr, returns nil for an unknown TERM instead of exiting.
    guard let screen = newterm(nil, cn_stdout(), cn_stdin()) else {
      Terminal.restore(savedActions)
      throw .unknownTerminal(term)
    }
    guard cn_has_cursor_addressing() != 0 else {
      endwin()
      delscreen(screen)
      Terminal.restore(savedActions)
      throw .noCursorAddressing(term)
    }
    self.screen = screen
    cbreak()
    noecho()
    // No flow control or discard key while cnnlab owns the terminal: Ctrl-S, Ctrl-Q and Ctrl-O
    // arrive as keys (which no screen binds). def_prog_mode makes these the modes that ncurses
    // puts back after Ctrl-Z and fg; endwin, on quitting, on a signal or a crash, restores the
    // shell's modes as they were before newterm.
    _ = cts_disable_flow_control(0)
    def_prog_mode()
    keypad(cn_stdscr(), true)
    curs_set(0)
    // How long ncurses waits after ESC for the rest of a key it knows; sequences it does not
    // know are read whole by EscapeSequences.
    set_escdelay(25)
    // Presses, releases and motion: a motion report between a press and its release is a drag
    // (how the canvas is drawn on). Asking for motion turns on xterm's any-event tracking.
    mousemask(
      cn_BUTTON1_PRESSED() | cn_BUTTON1_RELEASED() | cn_BUTTON3_PRESSED() | cn_BUTTON3_RELEASED()
        | cn_BUTTON4_PRESSED() | cn_BUTTON5_PRESSED() | cn_REPORT_MOUSE_POSITION(), nil)
    mouseinterval(0)

    var depth = Capabilities.ColorDepth.monochrome
    if Terminal.environment("NO_COLOR") == nil, has_colors() {
      start_color()
      use_default_colors()
      if cn_colors() >= 256 {
        depth = .full
      } else if cn_colors() >= 8 {
        depth = .eight
      }
    }
    maxPairs = Int32(min(cn_color_pairs(), 32767))
    let colorTerm = Terminal.environment("COLORTERM")?.lowercased()
    capabilities = Capabilities(
      colorDepth: depth, glyphs: cn_locale_is_utf8() != 0 ? .unicode : .ascii,
      trueColor: colorTerm == "truecolor" || colorTerm == "24bit")
    Terminal.leaveFirstScreenState()
    cts_install_crash_restore()
  }

  /// Makes ncurses send each frame in one write instead of one write per cursor move.
  ///
  /// ncurses 6.4 flushes its output buffer after every cursor move while a screen is in its
  /// first state (`_endwin == ewInitial`, meant for programs that use terminfo without
  /// drawing), and a screen made by `newterm` stays in it until it has been suspended and
  /// resumed. A 200x60 training frame then took about 125 writes, each waking the terminal (or
  /// sending a packet over SSH) and taking a core from the trainer. Suspending and resuming
  /// once, before anything is drawn, puts the screen in its running state: the modes, the
  /// alternate screen and the mouse are put back by the resume, as after Ctrl-Z and `fg`.
  private static func leaveFirstScreenState() {
    endwin()
    refresh()
  }

  deinit { shutdown() }

  /// Gives the terminal back as it was: cursor shown, normal screen, modes restored. Safe to call
  /// more than once.
  public func shutdown() {
    guard let screen else { return }
    curs_set(1)
    endwin()
    delscreen(screen)
    self.screen = nil
    Terminal.restore(savedActions)
    savedActions = []
  }

  /// The screen's size in cells.
  public var size: (width: Int, height: Int) {
    (Int(getmaxx(cn_stdscr())), Int(getmaxy(cn_stdscr())))
  }

  // MARK: - Signals

  /// The SIGINT, SIGTERM, SIGHUP or SIGQUIT received since the last call, if any.
  public func takePendingSignal() -> Int32? {
    let signal = pendingSignal.exchange(0, ordering: .relaxed)
    return signal == 0 ? nil : signal
  }

  /// Whether the process was continued after a stop since the last call.
  public func takeContinued() -> Bool { continued.exchange(false, ordering: .relaxed) }

  /// If Ctrl-Z was pressed: restores the terminal, stops the process, and when the shell's `fg`
  /// continues it, takes the terminal back. Returns whether it stopped (then redraw in full).
  public func suspendIfRequested() -> Bool {
    guard suspendRequested.exchange(false, ordering: .relaxed) else { return false }
    endwin()
    var stop = sigaction()
    stop.__sigaction_handler.sa_handler = SIG_DFL
    sigemptyset(&stop.sa_mask)
    sigaction(SIGTSTP, &stop, nil)
    raise(SIGTSTP)  // the process stops here until SIGCONT
    var ours = sigaction()
    ours.__sigaction_handler.sa_handler = { _ in suspendRequested.store(true, ordering: .relaxed) }
    sigemptyset(&ours.sa_mask)
    sigaction(SIGTSTP, &ours, nil)
    refresh()  // after endwin, this puts the terminal back in cnnlab's mode
    continued.store(false, ordering: .relaxed)  // this SIGCONT is answered by the full redraw
    return true
  }

  private static func installSignalHandlers() -> [(signal: Int32, action: sigaction)] {
    var saved: [(signal: Int32, action: sigaction)] = []
    func install(_ signal: Int32, _ handler: @convention(c) (Int32) -> Void) {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = handler
      sigemptyset(&action.sa_mask)
      action.sa_flags = 0
      var old = sigaction()
      sigaction(signal, &action, &old)
      saved.append((signal, old))
    }
    // SIGQUIT (Ctrl-\) too: its default action would dump core and leave the terminal raw.
    for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
      install(signal) { pendingSignal.store($0, ordering: .relaxed) }
    }
    install(SIGTSTP) { _ in suspendRequested.store(true, ordering: .relaxed) }
    install(SIGCONT) { _ in continued.store(true, ordering: .relaxed) }
    // A parent may have started us with these blocked (a blocked mask survives exec); then
    // Ctrl-C, kill and resizing would never reach us.
    var handled = sigset_t()
    sigemptyset(&handled)
    for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCONT, SIGWINCH] { sigaddset(&handled, signal) }
    pthread_sigmask(SIG_UNBLOCK, &handled, nil)
    return saved
  }

  private static func restore(_ saved: [(signal: Int32, action: sigaction)]) {
    for (signal, action) in saved {
      var old = action
      sigaction(signal, &old, nil)
    }
  }

  private static func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let string = String(cString: value)
    return string.isEmpty ? nil : string
  }

  // MARK: - Input

  /// Waits up to `milliseconds` (0: just look) for the next event; nil if none came.
  public func nextEvent(timeoutMilliseconds milliseconds: Int) -> TerminalEvent? {
    var wait = max(0, milliseconds)
    while let input = unread.take() ?? read(timeoutMilliseconds: wait) {
      wait = 0  // after a dropped sequence, only what is already waiting
      switch input {
      case .keyCode(let code):
        if code == KEY_RESIZE { return .resized(width: size.width, height: size.height) }
        if code == KEY_MOUSE {
          if let event = mouseEvent() { return event }
        } else if let key = Terminal.functionKey(code) {
          return .key(key)
        }
      case .character(27):
        let (decoded, rest) = EscapeSequences.afterEscape(next: read(timeoutMilliseconds:))
        unread = rest
        if case .key(let key) = decoded { return .key(key) }
      case .character(let code):
        if let key = Terminal.characterKey(code) { return .key(key) }
      }
    }
    return nil
  }

  /// One character or key code from ncurses, waiting up to `milliseconds`.
  private func read(timeoutMilliseconds milliseconds: Int) -> RawInput? {
    wtimeout(cn_stdscr(), Int32(milliseconds))
    var character: wint_t = 0
    let result = cn_get_wch(&character)
    if result == ERR { return nil }
    let code = Int32(bitPattern: character)
    return result == cn_KEY_CODE_YES() ? .keyCode(code) : .character(code)
  }

  private func mouseEvent() -> TerminalEvent? {
    var x: Int32 = 0
    var y: Int32 = 0
    var state: mmask_t = 0
    guard cn_get_mouse(&x, &y, &state) == OK else { return nil }
    let kind: MouseEvent.Kind
    if state & cn_BUTTON1_PRESSED() != 0 {
      kind = .leftClick
      heldButton = .leftClick
    } else if state & cn_BUTTON3_PRESSED() != 0 {
      kind = .rightClick
      heldButton = .rightClick
    } else if state & (cn_BUTTON1_RELEASED() | cn_BUTTON3_RELEASED()) != 0 {
      heldButton = nil
      return nil
    } else if state & cn_REPORT_MOUSE_POSITION() != 0 {
      switch heldButton {
      case .leftClick: kind = .leftDrag
      case .rightClick: kind = .rightDrag
      default: return nil  // the pointer moving with no button held
      }
    } else if state & cn_BUTTON4_PRESSED() != 0 {
      kind = .wheelUp
    } else if state & cn_BUTTON5_PRESSED() != 0 {
      kind = .wheelDown
    } else {
      return nil
    }
    return .mouse(MouseEvent(kind, x: Int(x), y: Int(y)))
  }

  /// A key from a curses key code (`KEY_UP`, `KEY_F(1)`, ...).
  static func functionKey(_ code: Int32) -> Key? {
    switch code {
    case KEY_UP: return .up
    case KEY_DOWN: return .down
    case KEY_LEFT: return .left
    case KEY_RIGHT: return .right
    case KEY_HOME: return .home
    case KEY_END: return .end
    case KEY_PPAGE: return .pageUp
    case KEY_NPAGE: return .pageDown
    case KEY_IC: return .insert
    case KEY_DC: return .delete
    case KEY_ENTER: return .enter
    case KEY_BACKSPACE: return .backspace
    case KEY_BTAB: return .backTab
    case cn_KEY_F(1)...cn_KEY_F(12): return .function(Int(code - cn_KEY_F(0)))
    default: return nil
    }
  }

  /// A key from a character read in cbreak mode, where control keys arrive as ASCII codes.
  static func characterKey(_ code: Int32) -> Key? {
    switch code {
    case 9: return .tab
    case 10, 13: return .enter
    case 8, 127: return .backspace
    case 27: return .escape
    case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(code) + 96)))
    case 0..<32, 0x80...0x9F: return nil  // other C0 and the C1 controls type nothing
    default:
      guard let scalar = Unicode.Scalar(UInt32(bitPattern: code)) else { return nil }
      return .char(Character(scalar))
    }
  }

  // MARK: - Output

  /// Draws one cell (the screen changes on the next `refresh()`).
  public func draw(_ cell: Cell, x: Int, y: Int) {
    var character = cell.character
    if !capabilities.glyphs.isUnicode { character = Glyphs.asciiFallback(character) }
    let scalar = character.unicodeScalars.first?.value ?? 32
    let style = resolvedStyle(cell.role)
    // Writing the bottom-right cell reports ERR (the cursor cannot move past it) but draws it.
    _ = cn_put_cell(Int32(y), Int32(x), wchar_t(bitPattern: scalar), style.attributes, style.pair)
    if capabilities.trueColor, case .colour(let rgb) = cell.role {
      trueColorCells.append((x, y, character, rgb))
    }
  }

  /// Clears the screen, so that the next `refresh()` repaints every cell from scratch.
  public func clearAll() { clear() }

  /// Sends everything drawn since the last refresh to the terminal.
  public func flush() {
    refresh()
    paintTrueColor()
  }

  /// Paints the colour pixels drawn since the last flush in their exact colours.
  ///
  /// ncurses knows only the palette's colours (a 256-colour terminfo entry has no direct
  /// colour), so it has drawn these cells in the nearest of the 256; this writes each one again
  /// with a 24-bit background (`ESC[48;2;R;G;Bm`). The cursor and attributes are saved first
  /// and restored after (`ESC 7`, `ESC 8`), so ncurses' idea of the cursor stays right. A cell
  /// ncurses redraws later is in `trueColorCells` again, as every changed cell passes `draw`.
  private func paintTrueColor() {
    guard !trueColorCells.isEmpty else { return }
    var out = "\u{1B}7"
    for cell in trueColorCells {
      let foreground = cell.rgb.brightness > 0.5 ? "0;0;0" : "255;255;255"
      out += "\u{1B}[\(cell.y + 1);\(cell.x + 1)H"
      out += "\u{1B}[0;38;2;\(foreground);48;2;\(cell.rgb.red);\(cell.rgb.green);\(cell.rgb.blue)m"
      out.append(capabilities.glyphs.isUnicode ? cell.character : Glyphs.asciiFallback(cell.character))
    }
    out += "\u{1B}[0m\u{1B}8"
    trueColorCells = []
    fputs(out, cn_stdout())
    fflush(cn_stdout())
  }

  private func resolvedStyle(_ role: Role) -> (attributes: attr_t, pair: Int32) {
    if let cached = styles[role] { return cached }
    let style = RolePalette.style(for: role, depth: capabilities.colorDepth)
    var attributes = attr_t(0)
    if style.attributes.contains(.bold) { attributes |= cn_A_BOLD() }
    if style.attributes.contains(.dim) { attributes |= cn_A_DIM() }
    if style.attributes.contains(.reverse) { attributes |= cn_A_REVERSE() }
    if style.attributes.contains(.underline) { attributes |= cn_A_UNDERLINE() }
    let resolved = (attributes, pair(for: style))
    styles[role] = resolved
    return resolved
  }

  /// The colour pair for a style's colours, made on first use (pair 0 is the default colours).
  private func pair(for style: CellStyle) -> Int32 {
    guard capabilities.colorDepth != .monochrome, style.foreground >= 0 || style.background >= 0 else {
      return 0
    }
    let key = CellStyle(style.foreground, style.background)
    if let pair = pairs[key] { return pair }
    let next = Int32(pairs.count + 1)
    guard next < maxPairs else { return 0 }
    init_pair(Int16(next), Int16(style.foreground), Int16(style.background))
    pairs[key] = next
    return next
  }
}
