import CNNLabEngine

/// A network drawn as a pipeline, left to right: the input picture, the maps each layer made
/// of it (as many channels as fit, each in half blocks scaled to its own smallest and largest
/// value), and the probabilities, the largest lit.
///
/// ```
/// input → conv 8@14×14 → pool 8@7×7 → conv 16@7×7 → pool 16@4×4 → p
/// ▀▀▀▀…   ▀▀▀▀▀▀▀▀▀▀▀▀▀▀  ▀▀▀▀▀▀▀                                    0 .00
/// ```
///
/// Stages after `revealed` are left blank, so the picture fills in stage by stage. The label
/// row (`labels`) goes in the panel's title row; `render` draws the maps and scores under it.
public struct PipelineView: Widget {
  /// One column of the pipeline.
  public struct Column: Equatable, Sendable {
    /// `input`, `conv 8@14×14`, `pool 8@7×7`, or `p` for the probabilities.
    public var label: String
    /// The maps of the stage, `(C, H, W)`; empty for the probabilities.
    public var maps: [Tensor]
    /// How many maps are drawn, in how many side-by-side columns.
    public var shown: Int
    public var across: Int
    /// Where the column starts and how wide it is.
    public var x: Int
    public var width: Int
  }

  public var columns: [Column]
  /// The probabilities, class names and the predicted class.
  public var probabilities: [Float]
  public var classNames: [String]
  public var predicted: Int
  /// Stages drawn: 0 is the input alone; the probabilities show once it is past the last map.
  public var revealed: Int
  /// The rows the maps take.
  public var height: Int

  /// Columns between stages: an arrow and a space.
  static let gap = 2

  /// Lays out `stages` (input, layer outputs, probabilities last) in `maxWidth` x `maxHeight`
  /// cells (the label row not counted), showing as many maps of each stage as fit.
  public init(
    stages: [(text: String, tensor: Tensor)], classNames: [String], revealed: Int, maxWidth: Int, maxHeight: Int
  ) {
    let maps = stages.dropLast().filter { $0.tensor.rank == 3 }
    probabilities = stages.last?.tensor.scalars ?? []
    self.classNames = classNames
    let p = probabilities
    predicted = p.indices.max { p[$0] < p[$1] } ?? 0
    self.revealed = revealed
    let rows = max(1, maxHeight)
    var columns: [Column] = maps.enumerated().map { index, stage in
      let t = stage.tensor
      let (c, h, w) = (t.shape[0], t.shape[1], t.shape[2])
      let channels = (0..<c).map { k in
        Tensor(shape: [h, w], scalars: Array(t.scalars[(k * h * w)..<((k + 1) * h * w)]))
      }
      let imageRows = (h + 1) / 2
      let fit = max(1, (rows + 1) / (imageRows + 1))
      let label = index == 0 ? "input" : PipelineView.shortName(stage.text) + " \(c)@\(h)×\(w)"
      return Column(label: label, maps: channels, shown: min(c, fit), across: 1, x: 0, width: w)
    }
    let scoresWidth = 1 + 1 + 4 + (classNames.map(\.count).max() ?? 1) - 1
    func used() -> Int {
      columns.reduce(0) { $0 + $1.width * $1.across + ($1.across - 1) + PipelineView.gap } + scoresWidth
    }
    // Spare width goes to more maps side by side, to the stage hiding the most.
    while let index = columns.indices.filter({ columns[$0].shown < columns[$0].maps.count })
      .max(by: { columns[$0].maps.count - columns[$0].shown < columns[$1].maps.count - columns[$1].shown }),
      used() + columns[index].width + 1 <= maxWidth
    {
      let perColumn = columns[index].shown / columns[index].across
      columns[index].across += 1
      columns[index].shown = min(columns[index].maps.count, perColumn * columns[index].across)
    }
    // Labels are cut to their column, or shortened to the layer's name.
    var x = 0
    for i in columns.indices {
      let width = columns[i].width * columns[i].across + columns[i].across - 1
      if columns[i].label.count > width {
        columns[i].label = String(columns[i].label.prefix { $0 != " " }.prefix(width))
      }
      columns[i].x = x
      columns[i].width = width
      x += width + PipelineView.gap
    }
    self.columns = columns
    height = min(rows, max(classNames.count, columns.map { column -> Int in
      let rowsPerMap = ((column.maps.first?.shape[0] ?? 0) + 1) / 2
      let down = (column.shown + column.across - 1) / max(1, column.across)
      return down * (rowsPerMap + 1) - 1
    }.max() ?? 0))
  }

  /// `conv`, `pool`, `dense` or the layer's first word.
  static func shortName(_ text: String) -> String {
    let word = text.prefix { $0 != " " }
    switch word {
    case "maxpool", "avgpool": return "pool"
    default: return String(word)
    }
  }

  var scoresX: Int { (columns.last.map { $0.x + $0.width } ?? 0) + PipelineView.gap }

  public var size: (width: Int, height: Int) {
    (scoresX + 2 + 4 + (classNames.map(\.count).max() ?? 1) - 1, height)
  }

  /// The label row: each stage's label over its column, arrows between, `p` over the scores.
  public func labels(glyphs: Glyphs) -> String {
    var line = [Character](repeating: " ", count: size.width)
    func put(_ text: String, at x: Int) {
      for (i, ch) in text.enumerated() where x + i < line.count { line[x + i] = ch }
    }
    for column in columns {
      put(column.label, at: column.x)
      put(String(glyphs.arrowRight), at: column.x + column.width)
    }
    put("p", at: scoresX)
    return String(line)
  }

  public func render(in area: Rect, into buffer: inout CellBuffer) {
    for (index, column) in columns.enumerated() where index <= revealed {
      let rowsPerMap = ((column.maps.first?.shape[0] ?? 0) + 1) / 2
      for k in 0..<column.shown {
        let down = (column.shown + column.across - 1) / max(1, column.across)
        let (row, across) = (k % down, k / down)
        let x = area.x + column.x + across * ((column.maps[k].shape[1]) + 1)
        let y = area.y + row * (rowsPerMap + 1)
        guard y + rowsPerMap <= area.maxY else { continue }
        HalfBlockImage(column.maps[k]).render(
          in: Rect(x: x, y: y, width: column.maps[k].shape[1], height: rowsPerMap).intersection(area), into: &buffer)
      }
      // An arrow between stages, level with the middle of the input picture.
      let middle = (((columns.first?.maps.first?.shape[0] ?? 0) + 1) / 2) / 2
      buffer.put(String(buffer.glyphs.arrowRight), x: area.x + column.x + column.width, y: area.y + middle, role: .dim, clip: area)
    }
    guard revealed > columns.count else { return }
    for (k, p) in probabilities.enumerated() where area.y + k < area.maxY {
      let name = k < classNames.count ? classNames[k] : String(k)
      let text = name + " " + NumberGrid.format(p, decimals: 2, compact: false)
      buffer.put(text, x: area.x + scoresX, y: area.y + k, role: k == predicted ? .accent : .dim, clip: area)
    }
  }
}
