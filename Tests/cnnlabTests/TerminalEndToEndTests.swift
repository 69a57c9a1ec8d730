import Foundation
import Testing

/// cnnlab in a real pseudo-terminal (tmux): what appears, how it reacts to keys, mouse and
/// resizing, and that the terminal is exactly as it was after every way of leaving.
@Suite(.serialized, .enabled(if: TmuxSession.isAvailable, "tmux is not installed; the terminal end-to-end tests need it"))
final class TerminalEndToEndTests {
  /// Where the wrapper script leaves `stty -a` from before and after, and the exit status.
  let directory: URL

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("cnnlab-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: directory) }

  /// Unsets what the test runner's environment may pass down and would change cnnlab's output
  /// (`swift test` sets NO_COLOR; COLUMNS and LINES would override the pane's size).
  static let clean = "-u NO_COLOR -u COLUMNS -u LINES"

  /// Runs cnnlab in a new session through a wrapper that records the terminal settings before
  /// and after and prints `cnnlab exited N` when it is done (the pane then stays open).
  func start(
    width: Int = 80, height: Int = 24, environment: String = "TERM=tmux-256color LANG=C.UTF-8 LC_ALL="
  ) throws -> TmuxSession {
    let binary = shellQuoted(try TmuxSession.cnnlabBinary())
    let dir = shellQuoted(directory.path)
    let script = """
      cd \(dir); stty -a > before; env \(TerminalEndToEndTests.clean) \(environment) XDG_STATE_HOME=\(dir)/state \(binary); echo $? > status; \
      stty -a > after; echo "cnnlab exited $(cat status)"; exec sleep 600
      """
    return try TmuxSession(width: width, height: height, command: script)
  }

  func file(_ name: String) throws -> String {
    try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
  }

  /// Checks the terminal is as the user left it: same settings, cursor shown, normal screen,
  /// no mouse reporting.
  func expectRestored(_ session: TmuxSession) throws {
    #expect(try file("before") == file("after"))
    #expect(try session.display("#{cursor_flag} #{alternate_on} #{mouse_any_flag}") == "1 0 0")
  }

  @Test func menuAppearsWithTheKeyHintBar() throws {
    let session = try start()
    try session.waitFor("q/Esc quit")  // the last line: the whole frame is there
    let lines = try session.lines()
    #expect(lines.contains { $0.contains("1  Images are numbers") })
    #expect(lines[23].hasPrefix(" ↑/↓ choose a lesson   Enter/→ open it   ? help   q/Esc quit"))
  }

  @Test func questionMarkShowsHelpAndAnyKeyClosesIt() throws {
    let session = try start()
    try session.waitFor("Choose a lesson")
    try session.send("?")
    let screen = try session.waitFor("press any key to close")
    #expect(screen.contains("│ q/Esc     quit"))
    try session.send("x")
    try session.waitForAbsence(of: "press any key to close")
  }

  /// A fresh ncurses screen used to write after every cursor move (see
  /// `Terminal.leaveFirstScreenState`): opening the help over the menu took dozens of writes,
  /// each one a wake-up of the terminal or a packet over SSH. A frame is now one write, or a
  /// few when it is larger than ncurses' buffer.
  @Test func aFrameReachesTheTerminalInAFewWrites() throws {
    let session = try start(width: 200, height: 60)
    try session.waitFor("q/Esc quit")
    let pid = try cnnlabPID(session)
    func writes() throws -> Int {
      let io = try String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8)
      let line = try #require(io.split(separator: "\n").first { $0.hasPrefix("syscw:") })
      return try #require(Int(line.dropFirst("syscw:".count).trimmingCharacters(in: .whitespaces)))
    }
    usleep(200_000)  // the menu's frame is out
    let before = try writes()
    try session.send("?")
    try session.waitFor("press any key to close")
    usleep(200_000)
    let frame = try writes() - before
    #expect(frame >= 1 && frame <= 4, "the help's frame took \(frame) writes")
  }

  @Test func resizingLaysTheScreenOutAgainAndTooSmallSaysSo() throws {
    let session = try start()
    try session.waitFor("Choose a lesson")
    // The count of lessons done sits at the right end of the title bar.
    func countColumn(_ screen: String) -> Int? {
      guard let line = screen.split(separator: "\n").first, let range = line.range(of: "0/17 done") else { return nil }
      return line.distance(from: line.startIndex, to: range.lowerBound)
    }
    try session.waitUntil("the count at column 70") { countColumn($0) == 70 }
    try session.resize(width: 60, height: 20)
    try session.waitUntil("the count at column 50") { countColumn($0) == 50 }
    #expect(try session.lines()[19].hasPrefix(" ↑/↓ choose a lesson"))
    try session.resize(width: 30, height: 8)
    try session.waitFor("make the terminal at least")
    #expect(try session.capture().contains("it is 30×8"))
    // Keys that would act unseen are held back: the selection stays on lesson 1.
    try session.send("Down", "Down", "Enter")
    Thread.sleep(forTimeInterval: 0.5)
    try session.resize(width: 80, height: 24)
    try session.waitUntil("the count at column 70") { countColumn($0) == 70 }
    #expect(try session.capture().contains("→  1  Images are numbers"))
    try session.send("q")
    try session.waitFor("cnnlab exited 0")
  }

  @Test func qQuitsAndRestoresTheTerminal() throws {
    let session = try start()
    try session.waitFor("Choose a lesson")
    #expect(try session.display("#{cursor_flag} #{alternate_on}") == "0 1")
    try session.send("q")
    try session.waitFor("cnnlab exited 0")
    try expectRestored(session)
  }

  @Test func ctrlCQuitsAndRestoresTheTerminal() throws {
    let session = try start()
    try session.waitFor("Choose a lesson")
    try session.send("3", "Enter", "Right", " ")  // open lesson 3 and play its first convolution
    try session.waitFor("playing")
    try session.send("C-c")
    try session.waitFor("cnnlab exited 130")
    try expectRestored(session)
  }

  /// Whether the menu shows `entry` selected (the selection's background colour).
  func isSelected(_ entry: String) -> (String) -> Bool {
    { screen in screen.split(separator: "\n").contains { $0.contains(entry) && $0.contains("48;5;24m") } }
  }

  /// The pid of cnnlab, the child of the pane's shell.
  func cnnlabPID(_ session: TmuxSession) throws -> pid_t {
    let shell = try session.display("#{pane_pid}")
    let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
    return try #require(children.split(separator: " ").first.flatMap { pid_t($0) })
  }

  /// Ctrl-S used to stop the terminal's output (XON/XOFF flow control): the screen froze and q,
  /// drawn into a stopped terminal, never finished quitting. Ctrl-S, Ctrl-Q and Ctrl-O are now
  /// keys like any other.
  @Test func ctrlSCtrlQAndCtrlODoNotFreezeTheScreenAndQStillQuits() throws {
    let session = try start()
    try session.waitUntil("the first entry selected", colors: true, isSelected("1  Images are numbers"))
    try session.send("C-s")
    try session.send("Down")
    try session.waitUntil("the selection to move after Ctrl-S", colors: true, isSelected("2  Convolution in one dimension"))
    try session.send("C-o", "Down")
    try session.waitUntil("the selection to move after Ctrl-O", colors: true, isSelected("3  2-D convolution"))
    try session.send("C-q", "C-s", "q")
    try session.waitFor("cnnlab exited 0")
    try expectRestored(session)
  }

  @Test func sigtermAfterCtrlSQuitsAndRestoresTheTerminal() throws {
    let session = try start()
    try session.waitFor("Choose a lesson")
    try session.send("C-s")
    try session.send("3", "Enter")  // drawn into a stopped terminal, this would block cnnlab
    usleep(300_000)
    #expect(kill(try cnnlabPID(session), SIGTERM) == 0)
    try session.waitFor("cnnlab exited 143")
    try expectRestored(session)
  }

  /// Escape sequences ncurses does not know (Ctrl-Home, an SS3 function key, bracketed-paste
  /// markers, ESC and digits in one burst) used to arrive as Esc (leaving the answer box) and
  /// then digits typed into it.
  @Test func escapeSequenceFragmentsTypeNothingIntoTheAnswerBox() throws {
    let binary = shellQuoted(try TmuxSession.cnnlabBinary())
    let dir = shellQuoted(directory.path)
    let script = """
      cd \(dir); env \(TerminalEndToEndTests.clean) TERM=tmux-256color LANG=C.UTF-8 LC_ALL= XDG_STATE_HOME=\(dir)/state \
      \(binary) --lessons \(shellQuoted(CourseEndToEndTests.fixtures)) xo; echo "cnnlab exited $?"; exec sleep 600
      """
    let session = try TmuxSession(width: 120, height: 40, command: script)
    try session.waitFor("Lesson 1/1 · Matching a feature")
    try session.send("Right")
    try session.waitFor("What is map[0,0]?")
    try session.send("7")
    try session.waitFor("answer: 7_")
    for fragment in ["\u{1B}[1;5H", "\u{1B}OP", "\u{1B}[200~", "\u{1B}[201~", "\u{1B}12", "\u{1B}[99;1~", "\u{1B}]0;x\u{07}"] {
      try session.sendLiteral(fragment)
    }
    try session.send("/")
    try session.waitFor("answer: 7/_")
    try session.send("9", "Enter")
    try session.waitFor("7/9 is right.")
    try session.send("q")
    try session.waitFor("Choose a lesson")
    try session.send("q")
    try session.waitFor("cnnlab exited 0")
  }

  @Test func enterOpensALessonAndSpaceAnimatesIt() throws {
    let session = try start()
    try session.waitFor("Choose a lesson")
    try session.send("3", "Enter")
    try session.waitFor("Lesson 3/17 · 2-D convolution and classic kernels")
    try session.send("Right")  // the convolution waits at its first window
    try session.waitFor("window 1/9 · paused")
    try session.send(" ")
    try session.waitFor("playing")
    try session.send(" ")
    try session.waitFor("paused")
    try session.send("q")
    try session.waitFor("Choose a lesson")
    try session.send("Escape")
    try session.waitFor("cnnlab exited 0")
  }

  @Test func wheelMovesTheSelectionAndClickingAnEntryOpensIt() throws {
    let session = try start()
    let screen = try session.waitFor("q/Esc quit")
    let rows = screen.split(separator: "\n", omittingEmptySubsequences: false)
    let row = try #require(rows.firstIndex { $0.contains("4  X or O") })
    // X10 mouse reports: ESC [ M, then button, column and row, each offset by 32 (1-based);
    // button 0 is a left press, 65 the wheel turning down.
    func report(button: Int, x: Int, y: Int) -> String {
      "\u{1B}[M" + String(UnicodeScalar(UInt8(32 + button))) + String(UnicodeScalar(UInt8(33 + x)))
        + String(UnicodeScalar(UInt8(33 + y)))
    }
    try session.sendLiteral(report(button: 65, x: 40, y: row))
    try session.sendLiteral(report(button: 65, x: 40, y: row))
    try session.waitUntil("the wheel to select the third entry", colors: true) { screen in
      screen.split(separator: "\n").contains { $0.contains("3  2-D convolution") && $0.contains("48;5;24m") }
    }
    try session.sendLiteral(report(button: 0, x: 40, y: row))
    try session.waitFor("Lesson 4/17 · X or O")
  }

  @Test func ctrlZSuspendsWithTheTerminalRestoredAndFgRedraws() throws {
    let binary = try TmuxSession.cnnlabBinary()
    let session = try TmuxSession(command: "exec bash --norc --noprofile -i")
    try session.sendLiteral("stty -a > \(shellQuoted(directory.path))/before; clear; env \(TerminalEndToEndTests.clean) XDG_STATE_HOME=\(shellQuoted(directory.path))/state TERM=tmux-256color \(shellQuoted(binary))")
    try session.send("Enter")
    try session.waitFor("Choose a lesson")
    try session.send("C-z")
    try session.waitFor("Stopped")
    #expect(try session.display("#{cursor_flag} #{alternate_on} #{mouse_any_flag}") == "1 0 0")
    try session.sendLiteral("fg")
    try session.send("Enter")
    try session.waitUntil("the menu again") { $0.contains("Choose a lesson") && !$0.contains("Stopped") }
    try session.send("C-s", "Down")  // flow control stays off after fg
    try session.waitUntil("the selection to move", colors: true, isSelected("2  Convolution in one dimension"))
    try session.send("q")
    try session.waitForAbsence(of: "Choose a lesson")
    try session.sendLiteral("s=$?; stty -a > \(shellQuoted(directory.path))/after; echo \"cnnlab exited [$s]\"")
    try session.send("Enter")
    try session.waitFor("cnnlab exited [0]")
    try expectRestored(session)
  }

  @Test func asciiGlyphsWithoutAUTF8Locale() throws {
    let session = try start(environment: "TERM=tmux-256color LANG=C LC_ALL=C")
    let screen = try session.waitFor("q/Esc quit")
    #expect(screen.contains(" cnnlab . a course on convolutional networks"))
    #expect(screen.contains("1  Images are numbers"))
    #expect(screen.contains(" ^/v choose a lesson   Enter/-> open it"))
    #expect(!screen.unicodeScalars.contains { !$0.isASCII })
  }

  @Test func noColorUsesAttributesOnly() throws {
    let session = try start(environment: "TERM=tmux-256color LANG=C.UTF-8 NO_COLOR=1")
    let screen = try session.waitUntil("the menu", colors: true) { $0.contains("quit") }
    #expect(!screen.contains("38;5;") && !screen.contains("48;5;"))
    for color in 0...7 {
      #expect(!screen.contains("\u{1B}[3\(color)m") && !screen.contains("\u{1B}[4\(color)m"))
    }
    #expect(screen.contains("\u{1B}[7m"))  // the selection and the hint bar in reverse video
  }

  @Test func eightColourTerminalGetsANSIColours() throws {
    let session = try start(environment: "TERM=xterm LANG=C.UTF-8")
    let screen = try session.waitUntil("the menu", colors: true) { $0.contains("quit") }
    #expect(!screen.contains("38;5;"))
    #expect(screen.contains("\u{1B}[30m\u{1B}[46m"))  // selection: black on cyan
  }

  @Test func unsetTERMPrintsTheReasonAndExits2() throws {
    let session = try start(environment: "-u TERM")
    let screen = try session.waitFor("cnnlab exited 2")
    #expect(screen.contains("cnnlab: TERM is not set"))
    #expect(screen.contains("cnnlab lesson show"))
    try expectRestored(session)
  }
}

@Suite struct NoTerminalTests {
  @Test func stdoutNotATerminalPrintsOneLineAndExits2() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try TmuxSession.cnnlabBinary())
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let outputText = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 2)
    #expect(outputText.isEmpty)
    #expect(
      errorText
        == "cnnlab: the interactive screens need a terminal, but standard input or output is not one; "
        + "use 'cnnlab lesson show', 'cnnlab conv' or 'cnnlab train --headless' instead\n")
  }
}
