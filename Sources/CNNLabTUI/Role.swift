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
  /// A pixel of a colour picture, drawn as its background: red, green and blue, 0–255. A
  /// terminal without 256 colours shows it plain (`Capabilities.showsColour` says which).
  case colour(RGB)

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
  /// | - + 0 value by sign | g grey | i halfBlock (image) | 1–4 series | c colour |
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
    case .colour: "c"
    }
  }
}

/// A colour as red, green and blue, each 0–255.
public struct RGB: Hashable, Sendable {
  public var red: UInt8
  public var green: UInt8
  public var blue: UInt8

  public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
    self.red = red
    self.green = green
    self.blue = blue
  }

  /// The colour for three channel values, each clamped to 0...255 and rounded.
  public init(clamping red: Float, _ green: Float, _ blue: Float) {
    func byte(_ v: Float) -> UInt8 { v.isFinite ? UInt8(min(255, max(0, v.rounded()))) : 0 }
    self.init(byte(red), byte(green), byte(blue))
  }

  /// Perceived brightness, 0 (black) to 1 (white) (ITU-R BT.601 weights).
  public var brightness: Double {
    (0.299 * Double(red) + 0.587 * Double(green) + 0.114 * Double(blue)) / 255
  }

  /// The nearest colour of the xterm 256-colour palette: the 6x6x6 cube (16–231) or the grey
  /// ramp (232–255), whichever is closer (squared distance in RGB; ties go to the cube).
  public var xterm256: Int {
    let levels = [0, 95, 135, 175, 215, 255]
    func nearestLevel(_ v: UInt8) -> Int {
      levels.indices.min { abs(levels[$0] - Int(v)) < abs(levels[$1] - Int(v)) } ?? 0
    }
    let (r, g, b) = (nearestLevel(red), nearestLevel(green), nearestLevel(blue))
    let cube = 16 + 36 * r + 6 * g + b
    func distance(_ c: (Int, Int, Int)) -> Int {
      let (dr, dg, db) = (c.0 - Int(red), c.1 - Int(green), c.2 - Int(blue))
      return dr * dr + dg * dg + db * db
    }
    let cubeDistance = distance((levels[r], levels[g], levels[b]))
    // The grey ramp: 8, 18, ..., 238.
    let mean = (Int(red) + Int(green) + Int(blue)) / 3
    let step = min(23, max(0, Int((Double(mean - 8) / 10).rounded())))
    let grey = 8 + 10 * step
    return distance((grey, grey, grey)) < cubeDistance ? 232 + step : cube
  }
}
