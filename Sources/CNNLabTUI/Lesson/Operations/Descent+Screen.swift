import CNNLabEngine
import CNNLabLessons

// Four optimisers on a loss landscape: the bowl in shades (the floor blank, steeper bands
// darker), each walk's trail in its lower-case letter and where it stands now in its capital,
// then which letter is which, the scale of the shades and each walk's loss at this step.

extension DescentAnimation: AnimationScreen {
  /// `S`, `M`, `R`, `A`: the capital of each optimiser's name.
  static func letter(_ name: String) -> Character { Character(name.prefix(1).uppercased()) }
  /// Two or more walks on one cell: in no shade ramp, ASCII or Unicode.
  static let together: Character = "*"

  func arithmetic(_ c: ArithmeticContext) -> [StyledLine] {
    let g = c.glyphs
    // Every other shade of the ramp, the floor blank: four levels in Unicode and in ASCII.
    let shades = (0..<DescentAnimation.bands).map { k in
      g.shade(Double(k) / Double(DescentAnimation.bands))
    }
    var rows = landscape.map { row in row.map { shades[min($0, shades.count - 1)] } }
    let step = min(max(c.frame, 0), frameCount - 1)
    // Trails first, then where each walk stands now, so a capital is never covered.
    for (name, path) in zip(names, paths) {
      let trail = Character(name.prefix(1).lowercased())
      for point in path.prefix(step) {
        if let at = cell(of: point) { rows[at.row][at.column] = trail }
      }
    }
    // Where each walk stands now; two or more on one cell share a `*`, so none hides another.
    var off: [String] = []
    var standing: [Int: Int] = [:]
    for (name, path) in zip(names, paths) {
      if let at = cell(of: path[step]) {
        let key = at.row * DescentAnimation.columns + at.column
        standing[key, default: 0] += 1
        rows[at.row][at.column] = standing[key] == 1 ? DescentAnimation.letter(name) : DescentAnimation.together
      } else {
        off.append(name)
      }
    }
    let width = max(0, c.width - 1)
    var lines = rows.map { StyledLine(" " + String(String($0).prefix(width)), .normal) }
    let walkers = names.map { "\(DescentAnimation.letter($0)) \($0)" } + ["\(DescentAnimation.together) two or more"]
    lines.append(StyledLine(" " + walkers.joined(separator: "  "), .dim))
    let limits = thresholds
    var scale = ["loss: '\(shades[0])' under \(c.f(limits[0]))"]
    for k in 1..<shades.count {
      scale.append(k < limits.count ? "\(shades[k]) under \(c.f(limits[k]))" : "\(shades[k]) more")
    }
    lines.append(StyledLine(" " + scale.joined(separator: "  "), .dim))
    var walks: [String] = []
    for (name, path) in zip(names, paths) {
      let loss = off.contains(name) ? "off the map" : c.f(path[step].loss)
      walks.append("\(DescentAnimation.letter(name)) \(loss)")
    }
    lines.append(
      StyledLine(
        c.elide("after \(step) step\(step == 1 ? "" : "s"), rate \(rateText), loss:  ", terms: walks, separator: "   ", tail: ""),
        .accent))
    return lines
  }

  /// The landscape, which letter is which, the scale, and the losses.
  var arithmeticRows: Int { DescentAnimation.rows + 3 }
}
