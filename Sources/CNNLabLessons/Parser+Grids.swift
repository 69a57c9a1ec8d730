import CNNLabEngine

// Grid and kernel declarations: the header line, then rows up to `end`, a file or a preset.

extension Parser {
  /// What a `grid` or `kernel` line says before its body.
  struct GridHeader {
    var name: NameReference
    var keyword: Token
    var line: Int
    var isKernel: Bool
    var declaredShape: [Int]?
    var scale: LessonNumber?
    var source: GridSource = .inline

    var what: String { isKernel ? "kernel" : "grid" }
    var opening: SourceLocation { SourceLocation(line: line, column: keyword.column) }
  }

  /// Parses `grid|kernel NAME [SHAPE] [scale S] [from "path" | preset P]` and its body.
  mutating func parseGridHeader(
    _ cursor: inout Cursor, keyword: Token, isKernel: Bool
  ) throws(ParseError) -> KernelDeclaration? {
    let header = try readGridHeader(&cursor, keyword: keyword, isKernel: isKernel)
    switch header.source {
    case .file:
      return KernelDeclaration(grid: declaration(header, values: nil, shape: nil))
    case .preset(let presetName, _):
      return try presetKernel(header, preset: presetName)
    case .inline:
      return try inlineGrid(header, endColumn: cursor.endColumn)
    }
  }

  /// The header line after the keyword: the name, the shape and the options.
  mutating func readGridHeader(_ cursor: inout Cursor, keyword: Token, isKernel: Bool) throws(ParseError) -> GridHeader {
    let what = isKernel ? "kernel" : "grid"
    let name = try cursor.name("the \(what)'s name")
    declare(name)
    var header = GridHeader(name: name, keyword: keyword, line: cursor.line, isKernel: isKernel)
    if let token = cursor.peek, token.kind != .word {
      let shape = try cursor.shape("the \(what)'s shape")
      guard (1...3).contains(shape.count), shape.allSatisfy({ $0 >= 1 }) else {
        throw ParseError(
          column: token.column, message: "a \(what) has 1, 2 or 3 axes, each at least 1, not \(token.text)",
          note: "write a shape like 10, 4x4 or 3x7x7")
      }
      guard checkedCount(shape) != nil else {
        throw ParseError(
          column: token.column, message: "the \(what) \(token.text) is too large",
          note: "a grid holds at most \(TextGrid.maxValues) values")
      }
      header.declaredShape = shape
    }
    try cursor.options(
      toArrow: false,
      unknown: { c in
        ParseError(
          column: c.column, message: "unexpected \(c.found) after the \(what)'s name",
          note: "write 'NAME SHAPE', then \(isKernel ? "'scale', 'from' or 'preset'" : "'scale' or 'from'")")
      }
    ) { word, c throws(ParseError) in
      switch word.text {
      case "scale":
        header.scale = try c.number("the scale")
      case "from":
        let location = c.here
        let path = try c.string("the file path")
        guard !path.isEmpty else {
          throw ParseError(
            column: location.column, message: "the file path is empty",
            note: "give a path under the repository, like \"assets/xo/x.grid\"")
        }
        header.source = .file(path: path, location: location)
      case "preset" where isKernel:
        let location = c.here
        let preset = try c.name("a preset name")
        guard KernelPreset.named(preset.name) != nil else {
          throw ParseError(
            column: location.column, message: "no preset named '\(preset.name)'",
            note: "the presets are: \(KernelPreset.namesList)")
        }
        header.source = .preset(name: preset.name, location: location)
      default: return false
      }
      return true
    }
    return header
  }

  /// The declaration of a header's grid with `values` found in `shape`.
  func declaration(_ header: GridHeader, values: [Double]?, shape: [Int]?, scale: LessonNumber? = nil) -> GridDeclaration {
    GridDeclaration(
      name: header.name, declaredShape: shape ?? header.declaredShape, values: values, shape: shape,
      scale: scale ?? header.scale, source: header.source, availableFromStep: lesson.steps.count)
  }

  /// `kernel NAME [SHAPE] preset P`: the preset's values, shape and scale.
  func presetKernel(_ header: GridHeader, preset presetName: String) throws(ParseError) -> KernelDeclaration? {
    guard let preset = KernelPreset.named(presetName) else { return nil }
    if let declaredShape = header.declaredShape, declaredShape != preset.shape {
      throw ParseError(
        column: header.keyword.column,
        message: "kernel '\(header.name.name)' is declared \(shapeText(declaredShape)) but preset '\(presetName)' is \(shapeText(preset.shape))",
        note: "leave out the shape, or write \(shapeText(preset.shape))")
    }
    if header.scale != nil {
      throw ParseError(
        column: header.keyword.column, message: "a preset kernel has its own scale",
        note: "remove 'scale' from this line")
    }
    return KernelDeclaration(grid: declaration(header, values: preset.values, shape: preset.shape, scale: preset.scale))
  }

  /// A grid or kernel whose rows follow its header, up to `end` (a kernel's first line may
  /// list its presets).
  mutating func inlineGrid(_ header: GridHeader, endColumn: Int) throws(ParseError) -> KernelDeclaration? {
    let (what, name) = (header.what, header.name.name)
    guard let declaredShape = header.declaredShape else {
      // Read the body anyway so its rows are not taken for statements.
      _ = readBody(opening: header.opening, what: what, name: name)
      throw ParseError(
        column: endColumn, message: "the \(what) '\(name)' needs a shape",
        note: "write it after the name, like '\(what) \(name) 3x3'")
    }
    let body = readBody(opening: header.opening, what: what, name: name)
    var presets: [NameReference] = []
    var rows: [TextGrid.Line] = []
    var sawRow = false
    for line in body {
      if !sawRow, header.isKernel, firstWord(line.number - 1) == "presets" {
        presets += readPresets(line: line.number - 1)
        continue
      }
      if !isBlank(line.number - 1) { sawRow = true }
      rows.append(line)
    }
    var rowDiagnostics: [LessonDiagnostic] = []
    let parsed = TextGrid.parse(lines: rows, file: file, diagnostics: &rowDiagnostics)
    diagnostics += rowDiagnostics
    guard rowDiagnostics.isEmpty else { return nil }
    guard let parsed else {
      throw ParseError(
        column: header.keyword.column, message: "the \(what) '\(name)' has no rows",
        note: "write its rows between this line and 'end'")
    }
    if let problem = TextGrid.fit(parsed, to: declaredShape) {
      report(
        header.opening, "\(what) '\(name)' is declared \(shapeText(declaredShape)) but \(problem)",
        note: "make the shape on this line match the rows, or fix the rows")
      return nil
    }
    for preset in presets {
      if let p = KernelPreset.named(preset.name), p.shape != declaredShape {
        report(
          preset.location,
          "preset '\(preset.name)' is \(shapeText(p.shape)) but kernel '\(name)' is \(shapeText(declaredShape))",
          note: "list only presets of the kernel's shape")
      }
    }
    return KernelDeclaration(grid: declaration(header, values: parsed.values, shape: declaredShape), presets: presets)
  }

  /// The presets named on a kernel's `presets` line (line `i`, 0-based); unknown ones are reported.
  mutating func readPresets(line i: Int) -> [NameReference] {
    guard var cursor = self.cursor(at: i) else { return [] }
    _ = cursor.next()
    if cursor.atEnd {
      report(cursor.here, "'presets' lists no presets", note: "name presets after it, like 'presets identity sharpen'")
    }
    var presets: [NameReference] = []
    while let token = cursor.next() {
      guard token.kind == .word else {
        report(
          cursor.location(token), "expected a preset name, found '\(token.text)'",
          note: "the presets are: \(KernelPreset.namesList)")
        break
      }
      if KernelPreset.named(token.text) == nil {
        report(cursor.location(token), "no preset named '\(token.text)'", note: "the presets are: \(KernelPreset.namesList)")
      } else {
        presets.append(NameReference(token.text, at: cursor.location(token)))
      }
    }
    return presets
  }

  /// The lines of a block up to its `end`, which is consumed. A line that opens a new
  /// top-level block also ends it, with a diagnostic about the missing `end`.
  mutating func readBody(opening: SourceLocation, what: String, name: String) -> [TextGrid.Line] {
    var body: [TextGrid.Line] = []
    while index < lines.count {
      let i = index
      if isEnd(i) {
        index += 1
        return body
      }
      if let word = firstWord(i), topLevelKeywords.contains(word) || stepKeywords.contains(word),
        word != "presets"
      {
        break
      }
      body.append(TextGrid.Line(number: i + 1, text: lines[i]))
      index += 1
    }
    report(
      opening, "the \(what) '\(name)' has no 'end'",
      note: "add a line 'end' after its last row")
    return body
  }

}
