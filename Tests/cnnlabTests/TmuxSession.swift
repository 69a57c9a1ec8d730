import Foundation

/// A detached tmux session running a command in a pseudo-terminal of a given size, for driving
/// cnnlab the way a user would: send keys, read the screen, resize, and wait for text to appear.
///
/// Each session runs its own tmux server (a socket of its own in the temporary directory, no
/// config file); `kill()`, or releasing the session, stops it and removes the socket.
final class TmuxSession {
  /// Why a session could not be started or a wait timed out.
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  static let tmuxPath: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let candidate = "\(directory)/tmux"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }()

  static var isAvailable: Bool { tmuxPath != nil }

  /// The cnnlab binary under test: `$CNNLAB_BINARY`, else the one built beside this test bundle.
  ///
  /// Beware: `swift test` alone builds the test bundle but does not relink the cnnlab
  /// executable; `scripts/test` runs `swift build --build-tests` first so the binary is current.
  static func cnnlabBinary() throws -> String {
    if let path = ProcessInfo.processInfo.environment["CNNLAB_BINARY"] { return path }
    let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let candidates = [
      runner.deletingLastPathComponent().appendingPathComponent("cnnlab").path,
      root.appendingPathComponent(".build/debug/cnnlab").path,
    ]
    guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
      throw Failure(
        description: "no cnnlab binary at \(candidates); run `swift build` first (scripts/test does), or set CNNLAB_BINARY")
    }
    return binary
  }

  /// Runs `cnnlab ARGUMENTS` in a `width` x `height` pane as a user's terminal would (UTF-8,
  /// `tmux-256color`, colour unless `noColor`, no COLUMNS or LINES to override the pane's size)
  /// and prints `cnnlab exited N` when it ends; the pane then stays open to be read.
  static func cnnlab(_ arguments: String, width: Int, height: Int, noColor: Bool = false) throws -> TmuxSession {
    let binary = shellQuoted(try cnnlabBinary())
    let colour = noColor ? "NO_COLOR=1" : "-u NO_COLOR"  // env takes -u before any NAME=VALUE
    let script = """
      env -u COLUMNS -u LINES \(colour) TERM=tmux-256color LANG=C.UTF-8 LC_ALL= \(binary) \(arguments); \
      echo "cnnlab exited $?"; exec sleep 600
      """
    return try TmuxSession(width: width, height: height, command: script)
  }

  let socket = FileManager.default.temporaryDirectory
    .appendingPathComponent("cnnlab-tmux-\(UUID().uuidString.prefix(8))").path
  let target = "cnnlab"
  private var alive = true

  /// Starts `command` (run by `sh -c`) in a `width` x `height` pane.
  init(width: Int = 80, height: Int = 24, command: String) throws {
    let result = try tmux(
      "new-session", "-d", "-x", String(width), "-y", String(height), "-s", target, command)
    guard result.status == 0 else {
      throw Failure(description: "tmux new-session failed: \(result.output)")
    }
  }

  deinit { kill() }

  /// Stops the tmux server and everything in it.
  func kill() {
    guard alive else { return }
    alive = false
    _ = try? tmux("kill-server")
    try? FileManager.default.removeItem(atPath: socket)
  }

  /// Sends keys by tmux name (`Enter`, `Down`, `C-c`, `?`, ...).
  func send(_ keys: String...) throws {
    _ = try tmux(["send-keys", "-t", target] + keys)
  }

  /// Sends `text` byte for byte, as if typed (escape sequences included).
  func sendLiteral(_ text: String) throws {
    _ = try tmux("send-keys", "-t", target, "-l", text)
  }

  /// A mouse report in the X10 encoding tmux uses for `tmux-256color`: `ESC [ M` and three bytes,
  /// 32 + the button code, 33 + the column, 33 + the row (cells counted from 0).
  enum MouseReport: Int {
    case leftPress = 0, rightPress = 2, release = 3, leftDrag = 32, rightDrag = 34, move = 35
  }

  func sendMouse(_ report: MouseReport, x: Int, y: Int) throws {
    let bytes = [32 + report.rawValue, 33 + x, 33 + y].map { Character(UnicodeScalar(UInt8($0))) }
    try sendLiteral("\u{1B}[M" + String(bytes))
  }

  /// The visible screen as text; with `colors`, including the escape sequences for styles.
  func capture(colors: Bool = false) throws -> String {
    try tmux(["capture-pane", "-p", "-t", target] + (colors ? ["-e"] : [])).output
  }

  /// The screen's rows.
  func lines() throws -> [String] {
    try capture().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  }

  /// A tmux format evaluated for the pane, for example `#{cursor_flag}`.
  func display(_ format: String) throws -> String {
    try tmux("display-message", "-p", "-t", target, format).output
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  func resize(width: Int, height: Int) throws {
    _ = try tmux("resize-window", "-t", target, "-x", String(width), "-y", String(height))
  }

  /// Polls the screen until `condition` holds, and returns it; fails after `timeout` seconds
  /// with the last screen in the message. The default is generous: these tests run beside
  /// CPU-heavy suites on two cores, and a condition that holds returns at once anyway.
  @discardableResult
  func waitUntil(
    _ what: String, timeout: Double = 30, colors: Bool = false, _ condition: (String) -> Bool
  ) throws -> String {
    let deadline = Date().addingTimeInterval(timeout)
    var screen = ""
    while Date() < deadline {
      screen = try capture(colors: colors)
      if condition(screen) { return screen }
      usleep(20_000)
    }
    throw Failure(description: "timed out after \(timeout) s waiting for \(what); the screen was:\n\(screen)")
  }

  /// Waits until `text` is on the screen.
  @discardableResult
  func waitFor(_ text: String, timeout: Double = 30) throws -> String {
    try waitUntil("\"\(text)\"", timeout: timeout) { $0.contains(text) }
  }

  /// Waits until `text` is no longer on the screen.
  func waitForAbsence(of text: String, timeout: Double = 30) throws {
    try waitUntil("\"\(text)\" to go away", timeout: timeout) { !$0.contains(text) }
  }

  @discardableResult
  private func tmux(_ arguments: String...) throws -> (status: Int32, output: String) {
    try tmux(arguments)
  }

  private func tmux(_ arguments: [String]) throws -> (status: Int32, output: String) {
    guard let path = TmuxSession.tmuxPath else { throw Failure(description: "tmux is not installed") }
    // -u: the server assumes a UTF-8 terminal; -f /dev/null: no user configuration.
    return try spawn(path, ["-u", "-f", "/dev/null", "-S", socket] + arguments)
  }
}

/// Held while `spawn` makes its pipe and starts the child.
private let spawnLock = NSLock()

/// Runs `path` with `arguments`, stdin from /dev/null, and returns its exit status and its
/// standard output and error together.
///
/// The child starts with no signals blocked and every signal at its default action. Test
/// runners call this from worker threads that block most signals, and a blocked mask is
/// inherited through fork and exec: tmux, its shell and cnnlab would then never see Ctrl-C,
/// SIGTERM or SIGHUP (Foundation's `Process` passes the mask on).
func spawn(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
  var attributes = posix_spawnattr_t()
  posix_spawnattr_init(&attributes)
  defer { posix_spawnattr_destroy(&attributes) }
  var none = sigset_t()
  sigemptyset(&none)
  posix_spawnattr_setsigmask(&attributes, &none)
  var all = sigset_t()
  sigfillset(&all)
  sigdelset(&all, SIGKILL)
  sigdelset(&all, SIGSTOP)
  posix_spawnattr_setsigdefault(&attributes, &all)
  posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

  // Suites run in parallel, and a child spawned by another thread must not inherit this pipe's
  // write end: tmux's server outlives its client and, holding it, would keep the read below from
  // ever seeing the end of the output. So the pipe is close-on-exec, and making it and spawning
  // are done under one lock, leaving no moment where another spawn could take it.
  spawnLock.lock()
  var fds: [Int32] = [0, 0]
  guard pipe(&fds) == 0 else {
    spawnLock.unlock()
    throw TmuxSession.Failure(description: "pipe failed")
  }
  for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
  posix_spawn_file_actions_addclose(&actions, fds[0])
  posix_spawn_file_actions_addclose(&actions, fds[1])
  // Nor should the child keep other tests' pipes open (those of Foundation's `Process` may lack
  // close-on-exec): their readers would wait for the tmux server to exit.
  let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
  for fd in open.compactMap(Int32.init) where fd > 2 && !fds.contains(fd) && fcntl(fd, F_GETFD) != -1 {
    posix_spawn_file_actions_addclose(&actions, fd)
  }

  let argv = ([path] + arguments).map { strdup($0) } + [nil]
  let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
  defer { (argv + envp).forEach { free($0) } }
  var pid = pid_t()
  let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
  close(fds[1])
  spawnLock.unlock()
  let reader = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
  guard result == 0 else { throw TmuxSession.Failure(description: "cannot run \(path): error \(result)") }
  let output = reader.readDataToEndOfFile()
  var status: Int32 = 0
  while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
  let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
  return (exitStatus, String(decoding: output, as: UTF8.self))
}

/// Quotes `text` for `sh -c`.
func shellQuoted(_ text: String) -> String {
  "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
