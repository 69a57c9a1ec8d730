import CNNLabEngine

// `layers NETWORK -> NAME`: a network's layers with their output shapes and weights, one row
// per frame, from the engine's planner. Networks declared in the lesson are planned here too.

public struct LayersOperation: Equatable, Sendable {
  public var network: NameReference

  public init(network: NameReference) { self.network = network }
}

extension LayersOperation: OperationSpec {
  static let keyword = "layers"

  var inputs: [NameReference] { [network] }

  static func parse(_ cursor: inout Cursor, at location: SourceLocation) throws(ParseError) -> StepOperation.Kind {
    .layers(LayersOperation(network: try cursor.name("the network")))
  }

  func perform(_ operation: StepOperation, in run: inout LessonRun) throws(EvalError) -> Animation {
    let name = network
    guard case .network(let network) = try run.value(name, part: nil) else {
      throw EvalError(
        location: name.location, message: "'\(name.name)' is not a network",
        note: "declare it with 'network \(name.name) 1x28x28' ... 'end'")
    }
    run.values[operation.output.name] = .network(network)
    run.workings[operation.output.name] = network.sizeWorkings
    return .layers(network)
  }
}

extension LessonRun {
  /// Shapes and weight counts of a network, from the engine's planner.
  func planNetwork(_ network: NetworkDeclaration) throws(EvalError) -> LayersAnimation {
    let input = network.inputShape
    guard input.allSatisfy({ $0 >= 1 && $0 <= 4096 }), input.reduce(1, *) <= 10_000_000 else {
      throw EvalError(
        location: network.name.location, message: "the input \(shapeText(input)) is too large",
        note: "each size must be at most 4096 and the whole input at most 10,000,000 values")
    }
    let written = network.layers.filter { if case .layer = $0.kind { return true } else { return false } }
    for layer in written {
      guard case .layer(let spec) = layer.kind else { continue }
      if let problem = tooLarge(spec) {
        throw EvalError(location: layer.location, message: problem, note: "use smaller numbers in this layer")
      }
    }
    var rows: [LayersAnimation.Row] = []
    if !written.isEmpty {
      let text = written.map(\.text).joined(separator: " | ")
      let spec: NetworkSpec
      do {
        spec = try NetworkSpec.parse(text)
      } catch {
        throw EvalError(location: network.name.location, message: error.message, note: "check the layers")
      }
      do {
        for info in try Network.plan(spec: spec, inputShape: input) {
          rows.append(
            LayersAnimation.Row(
              text: info.text, inputShape: info.inputShape, outputShape: info.outputShape,
              parameterCount: info.parameterCount, parameterWorking: info.parameterWorking,
              isWritten: info.isWritten, sizeWorking: sizeWorking(info)))
        }
      } catch {
        let index = error.layerIndex - 1
        let location = written.indices.contains(index) ? written[index].location : network.name.location
        throw EvalError(
          location: location, message: error.message, note: "change this layer or the ones before it so the shapes fit")
      }
    }
    // Softmax lines keep the shape and have no weights.
    var result: [LayersAnimation.Row] = []
    var writtenIndex = 0
    for layer in network.layers {
      switch layer.kind {
      case .layer:
        while writtenIndex < rows.count {
          let row = rows[writtenIndex]
          result.append(row)
          writtenIndex += 1
          if row.isWritten { break }
        }
      case .softmax:
        let shape = result.last?.outputShape ?? input
        result.append(
          LayersAnimation.Row(
            text: "softmax", inputShape: shape, outputShape: shape, parameterCount: 0, parameterWorking: "0",
            isWritten: true, sizeWorking: nil))
      }
    }
    return LayersAnimation(networkName: network.name.name, inputShape: input, rows: result)
  }

  /// The output-size formula of a convolution or pooling layer: once when both axes agree,
  /// otherwise per axis.
  func sizeWorking(_ info: Network.LayerInfo) -> String? {
    let shape = info.inputShape
    let geometry: ConvGeometry?
    switch info.layer {
    case .conv(_, let kh, let kw, let options, _, _) where shape.count == 3:
      geometry = try? ConvGeometry.convolution(inputH: shape[1], inputW: shape[2], kernelH: kh, kernelW: kw, options: options)
    case .pool(_, let size, let stride, let ceil) where shape.count == 3:
      geometry = try? ConvGeometry.pooling(inputH: shape[1], inputW: shape[2], size: size, stride: stride, ceil: ceil)
    default:
      geometry = nil
    }
    guard let geometry else { return nil }
    if geometry.rows.working == geometry.cols.working { return geometry.rows.working }
    return "rows \(geometry.rows.working), columns \(geometry.cols.working)"
  }

  /// Why a layer's numbers are too large for the shape arithmetic, if they are.
  func tooLarge(_ spec: NetworkSpec.LayerSpec) -> String? {
    switch spec {
    case .conv(let filters, let kh, let kw, let options, _, _):
      if filters > 4096 || kh > 1024 || kw > 1024 { return "this conv layer is too large" }
      if case .explicit(let t, let b, let l, let r) = options.padding, max(t, b, l, r) > 64 {
        return "padding more than 64 is too large"
      }
      if options.strideH > 1024 || options.strideW > 1024 || options.dilationH > 64 || options.dilationW > 64 {
        return "this conv layer's stride or dilation is too large"
      }
    case .conv1d(let filters, let k, let stride, let dilation, let padding, _, _, _):
      if filters > 4096 || k > 1024 || stride > 1024 || dilation > 64 || padding > 64 {
        return "this conv1d layer is too large"
      }
    case .pool(_, let size, let stride, _):
      if size > 1024 || (stride ?? 1) > 1024 { return "this pooling layer is too large" }
    case .dense(let units, _, _):
      if units > 1_000_000 { return "a dense layer may have at most 1,000,000 units" }
    case .activation, .flatten, .dropout:
      return nil
    }
    return nil
  }
}

/// A network, layer by layer.
public struct LayersAnimation: Equatable, Sendable {
  public struct Row: Equatable, Sendable {
    public var text: String
    public var inputShape: [Int]
    public var outputShape: [Int]
    public var parameterCount: Int
    /// e.g. `32·1·5·5 + 32`.
    public var parameterWorking: String
    /// False for a flatten the network adds itself before a dense layer.
    public var isWritten: Bool
    /// For a convolution or pooling, the output size worked out: `(28 + 2·2 − 5)/1 + 1 = 28`.
    public var sizeWorking: String?
  }

  /// The network as `cnnlab train --model` takes it: the written layers, without a `softmax`
  /// line (training's loss includes it) or the flatten the network adds itself.
  public var trainingSpec: String {
    rows.filter { $0.isWritten && $0.text != "softmax" }.map(\.text).joined(separator: " | ")
  }

  /// Each convolution's and pooling's output-size arithmetic, one line per layer.
  public var sizeWorkings: [String] {
    rows.compactMap { row in row.sizeWorking.map { "\(row.text): \($0)" } }
  }

  public var networkName: String
  public var inputShape: [Int]
  public var rows: [Row]
  public var parameterCount: Int { rows.reduce(0) { $0 + $1.parameterCount } }
}

extension LayersAnimation: OperationAnimation {
  public var frameCount: Int { rows.count }
  public var frameUnit: String { "layer" }
  public var producesGrid: Bool { false }

  public func parts(frame: Int) -> AnimationParts { AnimationParts() }

  public func printArithmetic(into printed: inout PrintedArithmetic) { printed.tables.append(self) }
}
