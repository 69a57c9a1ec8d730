import ArgumentParser
import CNNLabEngine

extension CNNLab {
  struct Shape: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a network's shapes and parameter counts, layer by layer.",
      discussion: """
        SPEC lists layers separated by '|':
          conv F KxK [stride S|SHxSW] [pad N|T,B,L,R|same|valid]
               [dilation D] [convolve] [normalize] [nobias] [relu|sigmoid|tanh]
          conv1d F K [stride S] [pad N] [dilation D] …
          maxpool K [stride S] [ceil]      avgpool K [stride S] [ceil]
          relu | sigmoid | tanh | flatten | dense N [nobias] [relu|sigmoid|tanh]
          dropout P    (0 <= P < 1; the identity outside training)
        Every size is a whole number from 1 (padding from 0) to 2^31.
        Examples:
          cnnlab shape "conv 8 5x5 pad 2 relu | maxpool 2 | dense 10" --input 1x28x28
          cnnlab shape "conv 3 3x3 | maxpool 2 ceil | dense 2" --input 9x9 --working
          cnnlab shape "dense 128 relu | dropout 0.2 | dense 10" --input 1x28x28
        """)

    @Argument(help: "The network, e.g. \"conv 8 5x5 pad 2 relu | maxpool 2 | dense 10\".")
    var spec: String

    @Option(
      parsing: .unconditional,
      help: "One example's shape: CxHxW (an image), HxW (one channel) or N (a vector).")
    var input: String

    @Flag(help: "Show the output-size arithmetic of every conv and pool layer.")
    var working = false

    func run() throws {
      let parsed: NetworkSpec
      do { parsed = try NetworkSpec.parse(spec) } catch {
        printError("cnnlab: error: in the network spec, column \(error.column): \(error.message)")
        printError("  \(spec)\n\(caretLine(under: error.column))")
        throw ExitCode.failure
      }
      guard let shape = parseShape(input, signal: parsed.firstIsConv1D) else {
        throw ValidationError(
          "--input must be CxHxW, HxW or N with whole numbers of 1 or more, e.g. 1x28x28; got '\(input)'")
      }
      let rows: [Network.LayerInfo]
      do { rows = try Network.plan(spec: parsed, inputShape: shape) } catch {
        if error.layerIndex == 0 { throw fail("--input \(input): \(error.message)") }
        printError("cnnlab: error: \(error.description)")
        printError("  \(spec)\n\(caretLine(under: error.column))")
        throw ExitCode.failure
      }
      print(table(rows, input: shape))
    }

    func table(_ rows: [Network.LayerInfo], input: [Int]) -> String {
      let texts = rows.map { $0.isWritten ? $0.text : "flatten (added before dense)" }
      let layerWidth = max(5, texts.map(\.count).max() ?? 0)
      let outputWidth = max(6, rows.map { shapeText($0.outputShape).count }.max() ?? 0)
      var lines = [
        " #  \(pad("layer", layerWidth))  \(pad("output", outputWidth))  parameters",
        "    \(pad("input", layerWidth))  \(shapeText(input))",
      ]
      for (row, text) in zip(rows, texts) {
        let number = row.isWritten ? pad(String(row.index), 2, right: true) : "  "
        var count = pad(grouped(row.parameterCount), 11, right: true)
        if row.parameterCount > 0 { count += "  = \(row.parameterWorking)" }
        lines.append("\(number)  \(pad(text, layerWidth))  \(pad(shapeText(row.outputShape), outputWidth))  \(count)")
        if working, let arithmetic = workingText(row) {
          lines.append("    \(pad("", layerWidth))  \(arithmetic)")
        }
      }
      let total = rows.reduce(0) { $0 + $1.parameterCount }
      lines.append("    \(pad("total", layerWidth))  \(pad("", outputWidth))  \(pad(grouped(total), 11, right: true))")
      return lines.joined(separator: "\n")
    }

    func workingText(_ row: Network.LayerInfo) -> String? {
      let shape = row.inputShape
      switch row.layer {
      case .conv(_, let kh, let kw, let options, _, _):
        guard let g = try? ConvGeometry.convolution(
          inputH: shape[1], inputW: shape[2], kernelH: kh, kernelW: kw, options: options)
        else { return nil }
        return "H: \(g.rows.working)   W: \(g.cols.working)"
      case .pool(_, let size, let stride, let ceil):
        guard let g = try? ConvGeometry.pooling(
          inputH: shape[1], inputW: shape[2], size: size, stride: stride, ceil: ceil)
        else { return nil }
        return "H: \(g.rows.working)   W: \(g.cols.working)"
      default:
        return nil
      }
    }
  }
}

/// "1x28x28" → [1, 28, 28]; "28x28" → [1, 28, 28] (or (C, L) before a conv1d); "10" → [10].
func parseShape(_ text: String, signal: Bool = false) -> [Int]? {
  let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
  guard !parts.isEmpty, parts.count <= 3, parts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
  let dims = parts.compactMap { $0 }
  if dims.count == 2 && !signal { return [1] + dims }
  return dims
}

extension NetworkSpec {
  var firstIsConv1D: Bool {
    if case .conv1d = layers.first { return true }
    return false
  }
}
