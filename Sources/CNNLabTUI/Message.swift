/// A key the user pressed, decoded by the backend.
public enum Key: Hashable, Sendable {
  /// A printable character, including space.
  case char(Character)
  case up, down, left, right
  case home, end, pageUp, pageDown, insert, delete
  case enter, backspace, tab, backTab, escape
  /// F1 to F12.
  case function(Int)
  /// Control plus a lower-case letter, for example `.ctrl("c")`. Ctrl-C normally arrives as an
  /// interrupt signal instead; the run loop then stops cleanly.
  case ctrl(Character)

  /// How a help screen or key-hint bar names the key.
  public func label(_ glyphs: Glyphs) -> String {
    switch self {
    case .char(" "): "space"
    case .char(let c): String(c)
    case .up: glyphs.arrowUp
    case .down: glyphs.arrowDown
    case .left: glyphs.arrowLeft
    case .right: glyphs.arrowRight
    case .home: "Home"
    case .end: "End"
    case .pageUp: "PgUp"
    case .pageDown: "PgDn"
    case .insert: "Ins"
    case .delete: "Del"
    case .enter: "Enter"
    case .backspace: "Backspace"
    case .tab: "Tab"
    case .backTab: "Shift-Tab"
    case .escape: "Esc"
    case .function(let n): "F\(n)"
    case .ctrl(let c): "Ctrl-\(String(c).uppercased())"
    }
  }
}

/// A mouse action at a cell (0-based column `x`, row `y`).
public struct MouseEvent: Hashable, Sendable {
  public enum Kind: Hashable, Sendable {
    /// The left button went down.
    case leftClick
    /// The right button went down.
    case rightClick
    /// The wheel turned away from the user (scroll up).
    case wheelUp
    /// The wheel turned towards the user (scroll down).
    case wheelDown
    /// The pointer moved with the left button held down.
    case leftDrag
    /// The pointer moved with the right button held down.
    case rightDrag
  }

  public var kind: Kind
  public var x: Int
  public var y: Int

  public init(_ kind: Kind, x: Int, y: Int) {
    self.kind = kind
    self.x = x
    self.y = y
  }
}

import CNNLabEngine
import CNNLabTraining

/// Something that happened, delivered to `Program.update(_:)`.
public enum Message: Equatable, Sendable {
  case keyPressed(Key)
  case mouse(MouseEvent)
  /// The time asked for by the last `.tick(afterMilliseconds:)` has passed.
  case ticked
  /// The screen is now `width` x `height` cells; also the first message a program receives.
  case resized(width: Int, height: Int)
  /// The trainer published this snapshot since the last one delivered (delivered before the
  /// next message or frame, so the screen draws the newest it had time to see).
  case trainingPublished(TrainingSnapshot)
  /// The trainer asked for by `.startTraining` could not be built; the text says why.
  case trainingFailedToStart(String)
  /// `.saveProgress` could not write the progress; the text says why.
  case progressNotSaved(String)
}

/// Something a program asks the run loop to do. A program never acts on the world itself: it
/// returns these values and the run loop (with its `TrainerHost`) performs them.
public enum Effect: Equatable, Sendable {
  /// Send `.ticked` once, after this many milliseconds. The run loop keeps one pending tick: a
  /// new request replaces it only if it is due sooner, and `.ticked` clears it, so a program that
  /// asks again on every tick animates at that rate without ever doubling up.
  case tick(afterMilliseconds: Int)
  /// Leave the run loop and restore the terminal.
  case quit
  /// Start a trainer on another thread (stopping any other); its snapshots arrive as
  /// `.trainingPublished`.
  case startTraining(TrainingRequest)
  /// Pass a command to the trainer; `.stop` also lets it go.
  case send(TrainingCommand)
  /// Write the learner's progress (a failure comes back as `.progressNotSaved`).
  case saveProgress(Progress)
}

/// A whole screen the run loop can drive: state that changes only through `update`, drawn by
/// `render`. Neither may touch the terminal; that is what keeps programs testable.
public protocol Program {
  /// Handles one message and returns what the run loop should do next (usually nothing).
  mutating func update(_ message: Message) -> [Effect]
  /// Draws the current state into `buffer`, which is blank and the size of the screen.
  func render(into buffer: inout CellBuffer)
  /// The smallest screen `render` can use; below it the run loop shows `TooSmall` instead.
  var minimumSize: (width: Int, height: Int) { get }
}

/// Something that draws itself into a region of a `CellBuffer`; it never touches the terminal.
public protocol Widget {
  /// Draws into `area`, leaving every cell outside it untouched.
  func render(in area: Rect, into buffer: inout CellBuffer)
}
