/// A network written as text, one layer per `|`-separated part:
///
///     conv 8 5x5 pad 2 relu | maxpool 2 | conv 16 5x5 pad 2 relu | maxpool 2 | dense 10
///
/// Layers: `conv F KxK [stride S|SHxSW] [pad N|T,B,L,R|same|valid] [dilation D] [convolve]
/// [normalize] [nobias] [relu|sigmoid|tanh]`, `conv1d F K [stride S] [pad N] …`,
/// `maxpool K [stride S] [ceil]`, `avgpool …`, `relu`, `sigmoid`, `tanh`, `flatten`,
/// `dense N [nobias] [relu|sigmoid|tanh]`, `dropout P` (P from 0 up to, not including, 1). A
/// `dense` after an image gets a `flatten` first.
public struct NetworkSpec: Equatable, Sendable, CustomStringConvertible {
  public enum LayerSpec: Equatable, Sendable {
    case conv(
      filters: Int, kernelH: Int, kernelW: Int, options: ConvOptions, activation: Activation,
      bias: Bool)
    case conv1d(
      filters: Int, kernel: Int, stride: Int, dilation: Int, padding: Int, mode: KernelMode,
      activation: Activation, bias: Bool)
    case pool(PoolMode, size: Int, stride: Int?, ceil: Bool)
    case activation(Activation)
    case flatten
    case dense(units: Int, activation: Activation, bias: Bool)
    /// Inverted dropout while training (each value zeroed with probability `p`, the kept ones
    /// scaled by 1/(1 − p)); the identity at evaluation. PyTorch's `nn.Dropout(p)`.
    case dropout(Double)

    /// A `conv` or `conv1d` as the 2-D convolution that runs it (a `conv1d` is one of height
    /// 1, padded and dilated along the signal only); nil for other layers.
    public var convolution:
      (filters: Int, kernelH: Int, kernelW: Int, options: ConvOptions, activation: Activation, bias: Bool)?
    {
      switch self {
      case .conv(let filters, let kh, let kw, let options, let activation, let bias):
        return (filters, kh, kw, options, activation, bias)
      case .conv1d(let filters, let k, let stride, let dilation, let padding, let mode, let activation, let bias):
        let options = ConvOptions.signal(
          stride: stride, dilation: dilation, padding: (padding, padding), mode: mode)
        return (filters, 1, k, options, activation, bias)
      default:
        return nil
      }
    }

    /// The non-linearity the layer ends in (an activation layer's own); identity for others.
    public var nonlinearity: Activation {
      switch self {
      case .conv(_, _, _, _, let a, _), .conv1d(_, _, _, _, _, _, let a, _), .dense(_, let a, _), .activation(let a):
        return a
      case .pool, .flatten, .dropout:
        return .identity
      }
    }
  }

  /// A layer and the column (1-based) where the text of that layer starts.
  public struct Item: Equatable, Sendable {
    public var layer: LayerSpec
    public var column: Int
    public var text: String
  }

  public var items: [Item]
  public var layers: [LayerSpec] { items.map(\.layer) }
  public var description: String { items.map(\.text).joined(separator: " | ") }

  /// A spec problem with the column it was found at.
  public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var column: Int
    public var message: String
    public var description: String { "column \(column): \(message)" }
  }

  /// Parses spec text; errors name the column and what was expected.
  public static func parse(_ text: String) throws(ParseError) -> NetworkSpec {
    var items: [Item] = []
    var column = 1
    for part in text.split(separator: "|", omittingEmptySubsequences: false) {
      let partText = String(part)
      let leading = partText.prefix(while: { $0 == " " || $0 == "\t" }).count
      let trimmed = partText.trimmingSpaces()
      let start = column + leading
      guard !trimmed.isEmpty else {
        throw ParseError(column: start, message: "empty layer between '|' separators")
      }
      let layer = try parseLayer(partText, column: column)
      items.append(Item(layer: layer, column: start, text: trimmed))
      column += partText.count + 1
    }
    return NetworkSpec(items: items)
  }

  private static func parseLayer(_ text: String, column: Int) throws(ParseError) -> LayerSpec {
    var tokens = Tokens(text, column: column)
    guard let (keyword, keywordColumn) = tokens.next() else {
      throw ParseError(column: column, message: "empty layer")
    }
    switch keyword {
    case "conv":
      let filters = try tokens.positiveInt(what: "the number of filters, as in 'conv 8 5x5'")
      let (kh, kw) = try tokens.size(what: "a kernel size, as in 'conv 8 5x5'")
      var options = ConvOptions()
      var activation = Activation.identity
      var bias = true
      while let (word, wordColumn) = tokens.next() {
        switch word {
        case "stride":
          (options.strideH, options.strideW) = try tokens.size(what: "a stride, as in 'stride 2'")
        case "pad", "padding":
          options.padding = try tokens.padding()
        case "same": options.padding = .same
        case "valid": options.padding = .valid
        case "dilation":
          let d = try tokens.positiveInt(what: "a dilation, as in 'dilation 2'")
          (options.dilationH, options.dilationW) = (d, d)
        case "convolve": options.mode = .convolve
        case "correlate": options.mode = .correlate
        case "normalize", "normalise": options.normalize = true
        case "nobias": bias = false
        default:
          guard let a = Activation(rawValue: word), a != .identity else {
            throw ParseError(
              column: wordColumn,
              message:
                "unknown conv option '\(word)'; expected stride, pad, same, valid, dilation, convolve, normalize, nobias, relu, sigmoid or tanh"
            )
          }
          activation = a
        }
      }
      return .conv(
        filters: filters, kernelH: kh, kernelW: kw, options: options, activation: activation,
        bias: bias)
    case "conv1d":
      let filters = try tokens.positiveInt(what: "the number of filters, as in 'conv1d 4 3'")
      let kernel = try tokens.positiveInt(what: "a kernel length, as in 'conv1d 4 3'")
      var (stride, dilation, padding) = (1, 1, 0)
      var mode = KernelMode.correlate
      var activation = Activation.identity
      var bias = true
      while let (word, wordColumn) = tokens.next() {
        switch word {
        case "stride": stride = try tokens.positiveInt(what: "a stride")
        case "dilation": dilation = try tokens.positiveInt(what: "a dilation")
        case "pad", "padding": padding = try tokens.nonNegativeInt(what: "a padding")
        case "convolve": mode = .convolve
        case "correlate": mode = .correlate
        case "nobias": bias = false
        default:
          guard let a = Activation(rawValue: word), a != .identity else {
            throw ParseError(column: wordColumn, message: "unknown conv1d option '\(word)'")
          }
          activation = a
        }
      }
      return .conv1d(
        filters: filters, kernel: kernel, stride: stride, dilation: dilation, padding: padding,
        mode: mode, activation: activation, bias: bias)
    case "maxpool", "avgpool":
      let size = try tokens.positiveInt(what: "a window size, as in '\(keyword) 2'")
      var stride: Int? = nil
      var ceil = false
      while let (word, wordColumn) = tokens.next() {
        switch word {
        case "stride": stride = try tokens.positiveInt(what: "a stride")
        case "ceil": ceil = true
        case "floor": ceil = false
        default:
          throw ParseError(
            column: wordColumn, message: "unknown \(keyword) option '\(word)'; expected stride, ceil or floor")
        }
      }
      return .pool(keyword == "maxpool" ? .max : .avg, size: size, stride: stride, ceil: ceil)
    case "relu", "sigmoid", "tanh":
      try tokens.expectEnd(after: keyword)
      return .activation(Activation(rawValue: keyword) ?? .identity)
    case "flatten":
      try tokens.expectEnd(after: keyword)
      return .flatten
    case "dense", "fc", "linear":
      let units = try tokens.positiveInt(what: "a number of units, as in 'dense 10'")
      var activation = Activation.identity
      var bias = true
      while let (word, wordColumn) = tokens.next() {
        if word == "nobias" {
          bias = false
        } else if let a = Activation(rawValue: word), a != .identity {
          activation = a
        } else {
          throw ParseError(
            column: wordColumn, message: "unknown dense option '\(word)'; expected nobias, relu, sigmoid or tanh")
        }
      }
      return .dense(units: units, activation: activation, bias: bias)
    case "dropout":
      let what = "a drop probability from 0 up to (not including) 1, as in 'dropout 0.2'"
      guard let (word, wordColumn) = tokens.next() else {
        throw ParseError(column: tokens.endColumn, message: "expected \(what)")
      }
      // In the engine's floats too: 0.99999999 would round to 1 and drop everything.
      guard let p = Double(word), p.isFinite, p >= 0, p < 1, Float(p) < 1 else {
        throw ParseError(column: wordColumn, message: "expected \(what), found '\(word)'")
      }
      try tokens.expectEnd(after: keyword)
      return .dropout(p)
    default:
      throw ParseError(
        column: keywordColumn,
        message:
          "unknown layer '\(keyword)'; expected conv, conv1d, maxpool, avgpool, relu, sigmoid, tanh, flatten, dense or dropout"
      )
    }
  }
}

/// Whitespace-separated words with their 1-based columns.
private struct Tokens {
  private var words: [(String, Int)] = []
  private var position = 0
  let endColumn: Int

  init(_ text: String, column: Int) {
    var current = ""
    var start = column
    for (offset, ch) in text.enumerated() {
      if ch == " " || ch == "\t" {
        if !current.isEmpty { words.append((current.lowercased(), start)) }
        current = ""
      } else {
        if current.isEmpty { start = column + offset }
        current.append(ch)
      }
    }
    if !current.isEmpty { words.append((current.lowercased(), start)) }
    endColumn = column + text.count
  }

  mutating func next() -> (String, Int)? {
    guard position < words.count else { return nil }
    defer { position += 1 }
    return words[position]
  }

  private mutating func required(_ what: String) throws(NetworkSpec.ParseError) -> (String, Int) {
    guard let word = next() else {
      throw NetworkSpec.ParseError(column: endColumn, message: "expected \(what)")
    }
    return word
  }

  mutating func positiveInt(what: String) throws(NetworkSpec.ParseError) -> Int {
    let (word, column) = try required(what)
    guard let value = Int(word), value > 0 else {
      throw NetworkSpec.ParseError(column: column, message: "expected \(what), found '\(word)'")
    }
    return value
  }

  mutating func nonNegativeInt(what: String) throws(NetworkSpec.ParseError) -> Int {
    let (word, column) = try required(what)
    guard let value = Int(word), value >= 0 else {
      throw NetworkSpec.ParseError(column: column, message: "expected \(what), found '\(word)'")
    }
    return value
  }

  /// `5` or `5x3`.
  mutating func size(what: String) throws(NetworkSpec.ParseError) -> (Int, Int) {
    let (word, column) = try required(what)
    let parts = word.split(separator: "x", omittingEmptySubsequences: false)
    if parts.count == 1, let n = Int(parts[0]), n > 0 { return (n, n) }
    if parts.count == 2, let h = Int(parts[0]), let w = Int(parts[1]), h > 0, w > 0 { return (h, w) }
    throw NetworkSpec.ParseError(column: column, message: "expected \(what), found '\(word)'")
  }

  /// `pad 2`, `pad 1,2,1,2` (top, bottom, left, right), `pad same`, `pad valid`.
  mutating func padding() throws(NetworkSpec.ParseError) -> Padding {
    let what = "a padding: N, T,B,L,R, same or valid"
    let (word, column) = try required(what)
    if word == "same" { return .same }
    if word == "valid" { return .valid }
    let numbers = word.split(separator: ",").map { Int($0) }
    if numbers.count == 1, let p = numbers[0], p >= 0 { return .uniform(p) }
    if numbers.count == 4, let t = numbers[0], let b = numbers[1], let l = numbers[2],
      let r = numbers[3], t >= 0, b >= 0, l >= 0, r >= 0
    {
      return .explicit(top: t, bottom: b, left: l, right: r)
    }
    throw NetworkSpec.ParseError(column: column, message: "expected \(what), found '\(word)'")
  }

  mutating func expectEnd(after keyword: String) throws(NetworkSpec.ParseError) {
    if let (word, column) = next() {
      throw NetworkSpec.ParseError(column: column, message: "'\(keyword)' takes no options, found '\(word)'")
    }
  }
}

extension String {
  func trimmingSpaces() -> String {
    var s = Substring(self)
    while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
    while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
    return String(s)
  }
}
