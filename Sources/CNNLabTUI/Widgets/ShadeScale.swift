/// The key to a grid drawn in shades: the value that gets the darkest shade, the ramp, and the
/// value that gets the lightest, `−1.00 ░▒▓█ 1.00` (ASCII: `-1.00 .=*@ 1.00`, four steps of the
/// longer ASCII ramp, so the scale is as wide either way).
///
/// The ends are the grid's own smallest and largest values, written as the grids write
/// numbers (whole when both are whole, else two decimals). An end a waiting question asks for
/// is written `?` until it is answered, as the grids write such a cell.
public struct ShadeScale: Equatable, Sendable {
  public var low: Float
  public var high: Float
  /// Ends shown as `?`.
  public var hidesLow = false
  public var hidesHigh = false

  public init(low: Float, high: Float, hidesLow: Bool = false, hidesHigh: Bool = false) {
    self.low = low
    self.high = high
    self.hidesLow = hidesLow
    self.hidesHigh = hidesHigh
  }

  /// The scale of `values`' finite values; nil when there are none.
  public init?<S: Sequence>(of values: S) where S.Element == Float {
    var low = Float.infinity
    var high = -Float.infinity
    for v in values where v.isFinite {
      low = min(low, v)
      high = max(high, v)
    }
    guard low <= high else { return nil }
    self.init(low: low, high: high)
  }

  /// Four steps of the ramp from light to full, leaving out its blank first step.
  static func ramp(_ glyphs: Glyphs) -> String {
    let steps = Array(glyphs.shadeRamp.dropFirst())
    guard steps.count > 4 else { return String(steps) }
    return String((0..<4).map { steps[Int((Double($0 * (steps.count - 1)) / 3).rounded())] })
  }

  /// The scale as text in `glyphs`.
  public func text(glyphs: Glyphs) -> String {
    let whole = low == low.rounded() && high == high.rounded() && abs(low) < 1e9 && abs(high) < 1e9
    func end(_ v: Float, hidden: Bool) -> String {
      hidden ? "?" : NumberGrid.format(v, decimals: whole ? 0 : 2, minus: glyphs.minus)
    }
    let ramp = ShadeScale.ramp(glyphs)
    return "\(end(low, hidden: hidesLow)) \(ramp) \(end(high, hidden: hidesHigh))"
  }
}
