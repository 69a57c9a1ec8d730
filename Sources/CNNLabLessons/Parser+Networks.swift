import CNNLabEngine

// `network NAME SHAPE` blocks: one layer per line, in the `cnnlab train` syntax.

extension Parser {
  mutating func parseNetwork(_ cursor: inout Cursor, keyword: Token) throws(ParseError) {
    let name = try cursor.name("the network's name")
    declare(name)
    let shapeColumn = cursor.column
    let inputShape = try cursor.shape("the network's input shape")
    try cursor.expectEnd()
    guard inputShape.count == 3 else {
      throw ParseError(
        column: shapeColumn, message: "a network's input is channels x rows x columns",
        note: "write it like 1x28x28")
    }
    let opening = SourceLocation(line: cursor.line, column: keyword.column)
    var layers: [NetworkLayer] = []
    var closed = false
    let reportedBefore = diagnostics.count
    lines: while true {
      guard case .line(var line, let i) = nextBlockLine(closed: &closed) else { break lines }
      layers += parseLayer(&line, text: lines[i])
    }
    if !closed {
      report(opening, "the network '\(name.name)' has no 'end'", note: "add a line 'end' after its last layer")
    }
    if layers.isEmpty && diagnostics.count == reportedBefore {
      throw ParseError(
        column: keyword.column, message: "the network '\(name.name)' has no layers",
        note: "write one layer per line, like 'conv 8 3x3 relu' or 'dense 10'")
    }
    lesson.networks.append(
      NetworkDeclaration(
        name: name, inputShape: inputShape, layers: layers, availableFromStep: lesson.steps.count))
  }

  /// A layer line: the `cnnlab train` network syntax (`conv 32 5x5 pad same relu`), or
  /// `softmax`; `dense 10 softmax` is read as `dense 10` followed by `softmax`.
  mutating func parseLayer(_ cursor: inout Cursor, text: String) -> [NetworkLayer] {
    let leading = text.prefix { $0 == " " || $0 == "\t" }.count
    var body = String(text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    let location = SourceLocation(line: cursor.line, column: leading + 1)
    var softmax = false
    var words = body.split(separator: " ", omittingEmptySubsequences: true)
    if words.last == "softmax" {
      softmax = true
      words.removeLast()
      body = String(body[..<(body.range(of: "softmax", options: .backwards)?.lowerBound ?? body.endIndex)])
    }
    var layers: [NetworkLayer] = []
    if !words.isEmpty {
      if body.contains("|") {
        report(
          SourceLocation(line: cursor.line, column: (body.firstIndex(of: "|").map { body.distance(from: body.startIndex, to: $0) } ?? 0) + 1),
          "write one layer per line", note: "put each layer of the network on a line of its own")
        return []
      }
      do {
        let spec = try NetworkSpec.parse(body)
        for item in spec.items {
          layers.append(NetworkLayer(.layer(item.layer), text: item.text, at: location))
        }
      } catch {
        report(
          SourceLocation(line: cursor.line, column: error.column), error.message,
          note: "layers are written as for 'cnnlab train': conv F KxK [stride S] [pad P] [relu], maxpool K [stride S] [ceil], avgpool K, relu, flatten, dense N [relu], softmax")
        return []
      }
    }
    if softmax {
      layers.append(NetworkLayer(.softmax, text: "softmax", at: location))
    }
    return layers
  }
}
