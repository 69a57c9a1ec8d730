/// What a cell means, not how it looks: the backend's `RolePalette` turns a role into colours
/// or, on a monochrome terminal, into bold, dim, reverse and underline.
///
/// Screens pick roles; they never pick colours. That keeps every screen readable with 256
/// colours, 8 colours and `NO_COLOR`, and lets tests check highlighting as a string of codes
/// (see `code`).
public enum Role: Hashable, Sendable {
  /// Body text.
  case normal
  /// Secondary text: captions, axis labels, separators.
  case dim
  /// A screen or section title.
  case title
  /// Text that should catch the eye: the arithmetic line's result, a selected value.
  case accent
  /// Box lines around panels and overlays.
  case border
  /// The selected row of a menu or list.
  case selection
  /// The key-hint bar and its descriptions.
  case hint
  /// A key name inside the key-hint bar or the help overlay.
  case keyHint
  /// The cells of the input currently under the kernel.
  case kernelWindow
  /// The output cell being computed.
  case outputCurrent
  /// Zero padding added around an input.
  case padding
  /// The cell being edited and the text cursor inside it.
  case editCursor
  /// An editable field that does not have the cursor.
  case field
  /// A wrong answer or a failed action.
  case error
  /// A right answer or a finished action.
  case success
  /// A number on a diverging scale: its sign, and how large it is from 0 (small) up to
  /// `Role.valueLevels - 1` (near the largest magnitude shown).
  case value(Polarity, level: Int)
  /// A grey shade from 0 (black) to `Role.greyLevels - 1` (white), drawn as the foreground.
  case grey(Int)
  /// An upper half block `▀` whose top pixel is grey `top` (foreground) and bottom pixel is
  /// grey `bottom` (background); levels as in `grey`.
  case halfBlock(top: Int, bottom: Int)
  /// One line of a chart, `0..<Role.seriesCount` (for example training and test loss).
  case series(Int)

  /// The sign of a value on a diverging scale.
  public enum Polarity: Hashable, Sendable {
    case negative, zero, positive
  }

  /// How many magnitude levels `value` has on each side of zero.
  public static let valueLevels = 4
  /// How many grey levels `grey` and `halfBlock` have (the xterm grey ramp 232–255).
  public static let greyLevels = 24
  /// How many chart series have distinct styles.
  public static let seriesCount = 4

  /// The role of `value` on a diverging scale where `maxMagnitude` gets the strongest level.
  public static func diverging(_ value: Double, maxMagnitude: Double) -> Role {
    if value == 0 || value.isNaN { return .value(.zero, level: 0) }
    let polarity: Polarity = value < 0 ? .negative : .positive
    guard maxMagnitude > 0, maxMagnitude.isFinite else { return .value(polarity, level: valueLevels - 1) }
    let fraction = min(1, abs(value) / maxMagnitude)
    let level = min(valueLevels - 1, Int(fraction * Double(valueLevels)))
    return .value(polarity, level: level)
  }

  /// The grey level for `brightness` in 0...1 (clamped).
  public static func greyLevel(_ brightness: Double) -> Int {
    guard brightness.isFinite else { return 0 }
    let clamped = min(1, max(0, brightness))
    return min(greyLevels - 1, Int((clamped * Double(greyLevels - 1)).rounded()))
  }

  /// A one-character code used by `CellBuffer.roleMap(row:)` in tests:
  ///
  /// | n normal | d dim | t title | a accent | b border | s selection | h hint | K keyHint |
  /// | k kernelWindow | o outputCurrent | p padding | e editCursor | f field | E error | S success |
  /// | - + 0 value by sign | g grey | i halfBlock (image) | 1–4 series |
  public var code: Character {
    switch self {
    case .normal: "n"
    case .dim: "d"
    case .title: "t"
    case .accent: "a"
    case .border: "b"
    case .selection: "s"
    case .hint: "h"
    case .keyHint: "K"
    case .kernelWindow: "k"
    case .outputCurrent: "o"
    case .padding: "p"
    case .editCursor: "e"
    case .field: "f"
    case .error: "E"
    case .success: "S"
    case .value(.negative, _): "-"
    case .value(.zero, _): "0"
    case .value(.positive, _): "+"
    case .grey: "g"
    case .halfBlock: "i"
    case .series(let index): Character(String((index % Role.seriesCount) + 1))
    }
  }
}
