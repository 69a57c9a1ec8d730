import CNNLabTUI

/// How one role looks on the terminal: colours from the active palette (-1 is the terminal's
/// own default) and text attributes.
public struct CellStyle: Hashable, Sendable {
  public var foreground: Int
  public var background: Int
  public var attributes: TextAttributes

  public init(_ foreground: Int = -1, _ background: Int = -1, _ attributes: TextAttributes = []) {
    self.foreground = foreground
    self.background = background
    self.attributes = attributes
  }

  /// No colour, only attributes: the monochrome column.
  public static func attributes(_ attributes: TextAttributes) -> CellStyle {
    CellStyle(-1, -1, attributes)
  }
}

/// The text attributes every terminal has, even without colour.
public struct TextAttributes: OptionSet, Hashable, Sendable {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }

  public static let bold = TextAttributes(rawValue: 1)
  public static let dim = TextAttributes(rawValue: 2)
  public static let reverse = TextAttributes(rawValue: 4)
  public static let underline = TextAttributes(rawValue: 8)
}

/// Role to style, with one column per colour depth: 256 colours (the xterm cube and the grey
/// ramp 232–255), the 8 ANSI colours, and monochrome (bold, dim, reverse, underline only).
///
/// The 256-colour values are xterm palette indices; the 8-colour ones are ANSI 0–7 (black, red,
/// green, yellow, blue, magenta, cyan, white).
public enum RolePalette {
  private static let black = 0, red = 1, green = 2, yellow = 3, blue = 4, magenta = 5, cyan = 6, white = 7

  /// Light to strong blue, and light to strong red, for `.value` levels 0...3.
  static let negativeRamp = [153, 111, 75, 33]
  static let positiveRamp = [224, 217, 210, 203]
  static let seriesColors = [81, 213, 149, 221]
  static let seriesANSI = [cyan, magenta, green, yellow]
  static let seriesMonochrome: [TextAttributes] = [[], .bold, .underline, .dim]

  public static func style(for role: Role, depth: Capabilities.ColorDepth) -> CellStyle {
    let (full, eight, mono) = row(role)
    switch depth {
    case .full: return full
    case .eight: return eight
    case .monochrome: return .attributes(mono)
    }
  }

  //                                  256 colours           8 colours                      monochrome
  static func row(_ role: Role) -> (CellStyle, CellStyle, TextAttributes) {
    switch role {
    case .normal: (CellStyle(), CellStyle(), [])
    case .dim: (CellStyle(245), CellStyle(-1, -1, .dim), .dim)
    case .title: (CellStyle(117, -1, .bold), CellStyle(cyan, -1, .bold), .bold)
    case .accent: (CellStyle(221, -1, .bold), CellStyle(yellow, -1, .bold), .bold)
    case .border: (CellStyle(240), CellStyle(blue), [])
    case .selection: (CellStyle(231, 24, .bold), CellStyle(black, cyan), .reverse)
    case .hint: (CellStyle(250, 236), CellStyle(black, white), .reverse)
    case .keyHint: (CellStyle(222, 236, .bold), CellStyle(blue, white, .bold), [.reverse, .bold])
    case .kernelWindow: (CellStyle(16, 179), CellStyle(black, yellow), .reverse)
    case .outputCurrent: (CellStyle(16, 114), CellStyle(black, green), [.reverse, .underline])
    case .padding: (CellStyle(242), CellStyle(-1, -1, .dim), .dim)
    case .editCursor: (CellStyle(16, 231, .bold), CellStyle(white, blue, .bold), [.reverse, .bold])
    case .field: (CellStyle(-1, 237, .underline), CellStyle(-1, -1, .underline), .underline)
    case .error: (CellStyle(203, -1, .bold), CellStyle(red, -1, .bold), .bold)
    case .success: (CellStyle(114, -1, .bold), CellStyle(green, -1, .bold), .bold)
    case .value(.zero, _): (CellStyle(244), CellStyle(-1, -1, .dim), .dim)
    case .value(let polarity, let level):
      {
        let l = min(max(0, level), Role.valueLevels - 1)
        let strong: TextAttributes = l >= 2 ? .bold : []
        let ramp = polarity == .negative ? negativeRamp : positiveRamp
        return (CellStyle(ramp[l]), CellStyle(polarity == .negative ? cyan : red, -1, strong), strong)
      }()
    case .grey(let level):
      {
        let l = min(max(0, level), Role.greyLevels - 1)
        let shade: TextAttributes = l < 8 ? .dim : (l >= 16 ? .bold : [])
        return (CellStyle(232 + l), CellStyle(-1, -1, shade), shade)
      }()
    case .halfBlock(let top, let bottom):
      (
        CellStyle(232 + min(max(0, top), 23), 232 + min(max(0, bottom), 23)), CellStyle(),
        []
      )
    case .series(let index):
      {
        let i = ((index % Role.seriesCount) + Role.seriesCount) % Role.seriesCount
        return (CellStyle(seriesColors[i]), CellStyle(seriesANSI[i]), seriesMonochrome[i])
      }()
    case .colour(let rgb):
      // The pixel's colour behind it, and black or white text on top, whichever reads.
      (CellStyle(rgb.brightness > 0.5 ? 16 : 231, rgb.xterm256), CellStyle(), [])
    }
  }
}
