/// A frame of box lines around an area, with an optional title in the top edge; the inside is
/// cleared so a box can overlay whatever was drawn before.
public struct Box: Widget {
  public var title: String?
  public var role: Role
  public var titleRole: Role
  public var clearsInside: Bool

  public init(title: String? = nil, role: Role = .border, titleRole: Role = .title, clearsInside: Bool = true) {
    self.title = title
    self.role = role
    self.titleRole = titleRole
    self.clearsInside = clearsInside
  }

  /// The area inside the frame.
  public static func inner(_ area: Rect) -> Rect { area.inset(by: 1) }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    guard area.width >= 2, area.height >= 2 else { return }
    let g = buffer.glyphs
    if clearsInside { buffer.fill(Box.inner(area)) }
    let horizontal = String(repeating: g.horizontal, count: area.width - 2)
    buffer.put(String(g.topLeft) + horizontal + String(g.topRight), x: area.x, y: area.y, role: role)
    buffer.put(
      String(g.bottomLeft) + horizontal + String(g.bottomRight), x: area.x, y: area.maxY - 1, role: role)
    for y in (area.y + 1)..<(area.maxY - 1) {
      buffer.put(String(g.vertical), x: area.x, y: y, role: role)
      buffer.put(String(g.vertical), x: area.maxX - 1, y: y, role: role)
    }
    if let title, area.width > 4 {
      let shown = String(title.prefix(area.width - 4))
      buffer.put(" \(shown) ", x: area.x + 1, y: area.y, role: titleRole)
    }
  }
}
