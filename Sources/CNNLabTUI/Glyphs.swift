/// The drawing characters a screen may use, in a Unicode set and an ASCII set.
///
/// Widgets take glyphs from `CellBuffer.glyphs`, which the backend picks from the terminal's
/// locale, so the whole interface renders with plain ASCII when the terminal is not UTF-8.
public struct Glyphs: Equatable, Sendable {
  public var horizontal: Character
  public var vertical: Character
  public var topLeft: Character
  public var topRight: Character
  public var bottomLeft: Character
  public var bottomRight: Character
  /// The upper half block `▀` used to draw two pixels in one cell.
  public var upperHalfBlock: Character
  public var middleDot: Character
  public var times: Character
  public var minus: Character
  public var ellipsis: String
  public var arrowLeft: String
  public var arrowRight: String
  public var arrowUp: String
  public var arrowDown: String
  /// Characters from empty to full, for shading without colour.
  public var shadeRamp: [Character]
  /// Whether these are the Unicode glyphs.
  public var isUnicode: Bool

  public static let unicode = Glyphs(
    horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└",
    bottomRight: "┘", upperHalfBlock: "▀", middleDot: "·", times: "×", minus: "−",
    ellipsis: "…", arrowLeft: "←", arrowRight: "→", arrowUp: "↑", arrowDown: "↓",
    shadeRamp: [" ", "░", "▒", "▓", "█"], isUnicode: true)

  public static let ascii = Glyphs(
    horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+",
    bottomRight: "+", upperHalfBlock: "#", middleDot: ".", times: "x", minus: "-",
    ellipsis: "...", arrowLeft: "<-", arrowRight: "->", arrowUp: "^", arrowDown: "v",
    shadeRamp: [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"], isUnicode: false)

  /// The ramp character for `brightness` in 0...1 (clamped).
  public func shade(_ brightness: Double) -> Character {
    let clamped = brightness.isFinite ? min(1, max(0, brightness)) : 0
    let index = Int((clamped * Double(shadeRamp.count - 1)).rounded())
    return shadeRamp[index]
  }

  /// An ASCII stand-in for `character`, for a backend that must not send anything else:
  /// known glyphs map to their ASCII form, any other non-ASCII character to `?`.
  public static func asciiFallback(_ character: Character) -> Character {
    if character.isASCII { return character }
    switch character {
    case "─", "━", "═": return "-"
    case "│", "┃", "║": return "|"
    case "┌", "┐", "└", "┘", "├", "┤", "┬", "┴", "┼": return "+"
    case "▀", "█", "▓": return "#"
    case "▒": return ":"
    case "░", "·", "•": return "."
    case "×": return "x"
    case "−", "–", "—": return "-"
    case "←": return "<"
    case "→": return ">"
    case "↑": return "^"
    case "↓": return "v"
    case "…": return "."
    case "∂": return "d"
    default: return "?"
    }
  }
}

/// What the terminal can show, as far as a screen needs to know.
public struct Capabilities: Equatable, Sendable {
  /// How many colours the backend will use.
  public enum ColorDepth: Equatable, Sendable {
    /// No colour: roles become bold, dim, reverse and underline (`NO_COLOR`, or no colour support).
    case monochrome
    /// The eight ANSI colours.
    case eight
    /// The xterm 256-colour palette, including the grey ramp used for images.
    case full
  }

  public var colorDepth: ColorDepth
  public var glyphs: Glyphs
  /// Whether colour pictures get their exact colours (`COLORTERM` is `truecolor` or `24bit`)
  /// rather than the nearest of the 256.
  public var trueColor: Bool

  public init(colorDepth: ColorDepth, glyphs: Glyphs, trueColor: Bool = false) {
    self.colorDepth = colorDepth
    self.glyphs = glyphs
    self.trueColor = trueColor && colorDepth == .full
  }

  /// Unicode glyphs and 256 colours: what tests render with unless they say otherwise.
  public static let full = Capabilities(colorDepth: .full, glyphs: .unicode)
  /// ASCII glyphs and no colour: the plainest terminal cnnlab still draws on.
  public static let plain = Capabilities(colorDepth: .monochrome, glyphs: .ascii)

  /// Whether cells can show grey shades (needed for half-block images).
  public var showsGreys: Bool { colorDepth == .full }
  /// Whether cells can show a picture's colours (`Role.colour`): 256 colours or true colour.
  public var showsColour: Bool { colorDepth == .full }
}
