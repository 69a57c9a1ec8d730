import CNNLabEngine

/// A colour picture from a `(3, H, W)` grid of red, green and blue (0–255), with a legend that
/// names each colour and gives its three numbers.
///
/// Each pixel is a block of cells whose background is the pixel's colour (`Role.colour`; the
/// backend shows the nearest of the xterm 256 colours, or the exact colour in true colour).
/// When the picture has few colours, each pixel also carries a key letter and the legend
/// lists the keys, so the picture still reads on a terminal without colour and as plain text
/// (`lesson show`):
///
/// ```
///  R   G      R red    255   0   0
///  B   W      G green    0 255   0
/// ```
///
/// On a terminal without colour the legend's first line says so instead of pretending.
public struct ColourImage: Widget {
  /// One distinct colour of the picture: its key letter, its name and its value.
  public struct Entry: Equatable, Sendable {
    public var key: Character
    public var name: String
    public var rgb: RGB
  }

  /// The colours, row by row.
  public var pixels: [[RGB]]
  /// The picture's distinct colours in the order they first appear (row by row), each with a
  /// key; empty when there are more than `maxKeys` (then pixels carry no letters).
  public var legend: [Entry]
  /// Cells per pixel across and down: small pictures get big pixels so the colour shows.
  public var pixelWidth: Int
  public var pixelHeight: Int

  /// The most colours that get key letters and a legend line each.
  public static let maxKeys = 8

  /// A picture from a `(3, H, W)` tensor; values are clamped to 0...255 and rounded.
  public init(_ tensor: Tensor) {
    precondition(tensor.rank == 3 && tensor.shape[0] == 3, "ColourImage needs a (3, H, W) tensor, not \(tensor.shape)")
    let (h, w) = (tensor.shape[1], tensor.shape[2])
    let plane = h * w
    let s = tensor.scalars
    pixels = (0..<h).map { r in
      (0..<w).map { c in RGB(clamping: s[r * w + c], s[plane + r * w + c], s[2 * plane + r * w + c]) }
    }
    var seen: [RGB] = []
    for rgb in pixels.joined() where !seen.contains(rgb) { seen.append(rgb) }
    legend = seen.count <= ColourImage.maxKeys ? ColourImage.keyed(seen) : []
    let small = h <= 6 && w <= 8
    pixelWidth = small ? 4 : 2
    pixelHeight = small ? 2 : 1
  }

  /// The first line of the legend: what the columns are, or that no colour can be shown.
  static func legendHeader(showsColour: Bool) -> String {
    showsColour ? "key colour    R   G   B" : "no colour here: keys name them"
  }

  /// The legend's lines after its header: `R red      255   0   0`.
  public var legendLines: [String] {
    legend.map { entry in
      let numbers = [entry.rgb.red, entry.rgb.green, entry.rgb.blue].map { String($0).leftPadding(toLength: 4) }.joined()
      return " \(entry.key)  " + entry.name.padding(toLength: 7) + numbers
    }
  }

  /// Columns between the picture and the legend.
  static let gap = 3

  var pictureSize: (width: Int, height: Int) {
    ((pixels.first?.count ?? 0) * pixelWidth, pixels.count * pixelHeight)
  }

  /// The cells the picture and its legend need, side by side.
  public var size: (width: Int, height: Int) {
    let picture = pictureSize
    let legendWidth = max(ColourImage.legendHeader(showsColour: true).count, ColourImage.legendHeader(showsColour: false).count,
      legendLines.map(\.count).max() ?? 0)
    let legendHeight = legend.isEmpty ? 1 : legendLines.count + 1
    return (picture.width + ColourImage.gap + legendWidth, max(picture.height, legendHeight))
  }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    let colour = buffer.capabilities.showsColour
    for (row, line) in pixels.enumerated() {
      for (column, rgb) in line.enumerated() {
        let key = legend.first { $0.rgb == rgb }?.key
        for dy in 0..<pixelHeight {
          var text = String(repeating: " ", count: pixelWidth)
          if let key, dy == 0 {
            text = " " + String(key) + String(repeating: " ", count: pixelWidth - 2)
          } else if key == nil, dy == 0 || !colour {
            // Too many colours for keys: the pixel's brightness as a shade.
            text = String(repeating: buffer.glyphs.shade(rgb.brightness), count: pixelWidth)
          }
          let role: Role = colour ? .colour(rgb) : .normal
          buffer.put(
            text, x: area.x + column * pixelWidth, y: area.y + row * pixelHeight + dy, role: role, clip: area)
        }
      }
    }
    let x = area.x + pictureSize.width + ColourImage.gap
    let header = legend.isEmpty && colour ? "\(legendCount) colours" : ColourImage.legendHeader(showsColour: colour)
    buffer.put(header, x: x, y: area.y, role: colour ? .dim : .hint, clip: area)
    for (index, line) in legendLines.enumerated() {
      buffer.put(line, x: x, y: area.y + 1 + index, role: .normal, clip: area)
      // The key drawn in its colour, like the pixels.
      if colour { buffer.put(" \(legend[index].key) ", x: x, y: area.y + 1 + index, role: .colour(legend[index].rgb), clip: area) }
    }
  }

  private var legendCount: Int { Set(pixels.joined()).count }

  // MARK: - Names and keys

  /// Colour names and the colours they stand for; a colour is called by the nearest.
  static let names: [(String, RGB)] = [
    ("black", RGB(0, 0, 0)), ("white", RGB(255, 255, 255)), ("grey", RGB(128, 128, 128)),
    ("red", RGB(255, 0, 0)), ("green", RGB(0, 255, 0)), ("blue", RGB(0, 0, 255)),
    ("yellow", RGB(255, 255, 0)), ("cyan", RGB(0, 255, 255)), ("magenta", RGB(255, 0, 255)),
    ("orange", RGB(255, 165, 0)), ("purple", RGB(128, 0, 128)), ("brown", RGB(139, 69, 19)),
    ("pink", RGB(255, 192, 203)), ("navy", RGB(0, 0, 128)), ("olive", RGB(128, 128, 0)),
    ("teal", RGB(0, 128, 128)), ("maroon", RGB(128, 0, 0)),
  ]

  /// The name of the listed colour nearest to `rgb`.
  public static func name(of rgb: RGB) -> String {
    func distance(_ other: RGB) -> Int {
      let (dr, dg, db) = (Int(rgb.red) - Int(other.red), Int(rgb.green) - Int(other.green), Int(rgb.blue) - Int(other.blue))
      return dr * dr + dg * dg + db * db
    }
    return names.min { distance($0.1) < distance($1.1) }?.0 ?? "colour"
  }

  /// Keys for `colours`: the first letter of each one's name not taken yet (capitals), else a digit.
  static func keyed(_ colours: [RGB]) -> [Entry] {
    var used: Set<Character> = []
    return colours.map { rgb in
      let name = name(of: rgb)
      let key = name.uppercased().first { $0.isLetter && !used.contains($0) }
        ?? "123456789".first { !used.contains($0) } ?? "?"
      used.insert(key)
      return Entry(key: key, name: name, rgb: rgb)
    }
  }
}
