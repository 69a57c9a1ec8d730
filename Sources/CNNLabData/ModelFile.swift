import CNNLabEngine
import Foundation

/// A trained network saved as safetensors: every parameter under a PyTorch-like name and, in
/// the metadata, everything needed to rebuild and use it.
///
/// Tensor names are `layers.I.weight` and `layers.I.bias`, where `I` is the 0-based position of
/// the layer in the spec text (so `conv 8 5x5 | maxpool 2 | dense 10` stores `layers.0.*` and
/// `layers.2.*`). Shapes are PyTorch's: conv `(F, C, KH, KW)`, dense `(O, I)`.
///
/// Metadata (all strings, as safetensors requires): `format` = `cnnlab-model`,
/// `format_version` = `1`, `spec`, `input_shape` (`1x28x28`), `input_scale` and `input_offset`
/// (network input = pixel · scale + offset), `class_names` (a JSON list), `data`, `epochs`.
public struct ModelFile: Sendable {
  public static let format = "cnnlab-model"
  public static let formatVersion = 1

  public var network: Network
  public var classNames: [String]
  public var inputScale: Float
  public var inputOffset: Float
  /// What the model was trained on (`xo`, `mnist`, a folder).
  public var data: String
  public var epochs: Int

  public init(
    network: Network, classNames: [String], inputScale: Float, inputOffset: Float, data: String,
    epochs: Int
  ) {
    self.network = network
    self.classNames = classNames
    self.inputScale = inputScale
    self.inputOffset = inputOffset
    self.data = data
    self.epochs = epochs
  }

  /// The stable name of parameter `parameterName` (`weight`, `bias`) of `network.layers[i]`.
  static func tensorNames(_ network: Network) -> [String] {
    var names: [String] = []
    for (info, layer) in zip(network.info, network.layers) {
      for p in layer.parameters { names.append("layers.\(info.index - 1).\(p.name)") }
    }
    return names
  }

  /// The file's contents.
  public var safetensors: Safetensors {
    var tensors: [String: Tensor] = [:]
    for (name, p) in zip(Self.tensorNames(network), network.parameters) { tensors[name] = p.value }
    let names = "[" + classNames.map(Safetensors.jsonString).joined(separator: ",") + "]"
    return Safetensors(
      tensors: tensors,
      metadata: [
        "format": Self.format, "format_version": String(Self.formatVersion),
        "spec": network.spec.description, "input_shape": shapeText(network.inputShape),
        "input_scale": String(inputScale), "input_offset": String(inputOffset),
        "class_names": names, "data": data, "epochs": String(epochs),
      ])
  }

  /// Writes the model atomically.
  public func write(to path: String) throws {
    try safetensors.write(to: path)
  }

  /// Reads a model, checking the format, the metadata and every tensor against the spec.
  public static func read(path: String) throws -> ModelFile {
    try decode(try Safetensors.read(path: path), file: path)
  }

  /// Rebuilds the network a `Safetensors` describes; errors name `file`.
  public static func decode(_ st: Safetensors, file: String) throws -> ModelFile {
    func error(_ message: String, _ note: String, kind: DataFileError.Kind = .malformed)
      -> DataFileError
    {
      DataFileError(file: file, kind: kind, message: message, note: note)
    }
    let resave = "save the model again with cnnlab train --save"
    guard st.metadata["format"] == format else {
      throw error(
        "is a safetensors file but not a cnnlab model (its metadata has no \"format\": \"\(format)\")",
        "cnnlab reads models written by cnnlab train --save", kind: .unsupported)
    }
    guard let versionText = st.metadata["format_version"] else {
      throw error("the metadata has no format_version", resave)
    }
    guard !versionText.isEmpty, versionText.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
      throw error(
        "format_version \"\(versionText.prefix(40))\" is not a positive whole number", resave)
    }
    guard Int(versionText) == formatVersion else {
      throw error(
        "model format version \(versionText.prefix(40)) is not supported (this cnnlab reads version \(formatVersion))",
        "use the cnnlab that wrote it, or train the model again", kind: .unsupported)
    }
    func field(_ key: String) throws -> String {
      guard let value = st.metadata[key] else {
        throw error("the metadata has no \"\(key)\"", resave)
      }
      return value
    }
    let specText = try field("spec")
    let shapeField = try field("input_shape")
    let shape = shapeField.split(separator: "x").compactMap { Int($0) }
    guard !shape.isEmpty, shape.count == shapeField.split(separator: "x").count,
      shape.allSatisfy({ $0 > 0 })
    else { throw error("input_shape \"\(shapeField)\" is not like 1x28x28", resave) }
    func finite(_ key: String) throws -> Float {
      let text = try field(key)
      guard let value = Float(text), value.isFinite else {
        throw error(
          "\(key) \"\(text.prefix(40))\" is not a finite number",
          "cnnlab computes with finite numbers only; \(resave)")
      }
      return value
    }
    let scale = try finite("input_scale")
    let offset = try finite("input_offset")
    let namesField = try field("class_names")
    guard let classNames = stringList(namesField) else {
      throw error("class_names is not a JSON list of strings: \(namesField.prefix(80))", resave)
    }
    let network: Network
    do {
      network = try Network(specText, inputShape: shape)
    } catch {
      throw DataFileError(
        file: file, kind: .malformed,
        message: "the stored spec \"\(specText)\" does not build for input \(shapeField): \(error)",
        note: resave)
    }
    guard network.outputShape == [classNames.count] else {
      throw error(
        "the network gives \(shapeText(network.outputShape)) outputs but class_names lists "
          + "\(classNames.count) classes", resave, kind: .mismatch)
    }
    var loaded = network
    let names = tensorNames(network)
    var problems: [String] = []
    loaded.updateParameters { index, p in
      let name = names[index]
      guard let tensor = st.tensors[name] else {
        problems.append(
          "tensor \"\(name)\" is missing (expected shape \(shapeText(p.value.shape)))")
        return
      }
      guard tensor.shape == p.value.shape else {
        problems.append(
          "tensor \"\(name)\" has shape \(shapeText(tensor.shape)) but the spec needs "
            + shapeText(p.value.shape))
        return
      }
      guard tensor.scalars.allSatisfy(\.isFinite) else {
        problems.append("tensor \"\(name)\" holds NaN or infinite values")
        return
      }
      p.value = tensor
    }
    let extra = Set(st.tensors.keys).subtracting(names).sorted()
    for name in extra {
      problems.append("tensor \"\(name)\" is not part of the spec \"\(specText)\"")
    }
    if let first = problems.first {
      let more =
        problems.count > 1
        ? " (and \(problems.count - 1) more: \(problems.dropFirst().joined(separator: "; ")))" : ""
      throw error(
        first + more, "the tensors must match the spec in the metadata; \(resave)", kind: .mismatch)
    }
    return ModelFile(
      network: loaded, classNames: classNames, inputScale: scale, inputOffset: offset,
      data: st.metadata["data"] ?? "", epochs: Int(st.metadata["epochs"] ?? "") ?? 0)
  }
}

/// A JSON list of strings (`["X", "O"]`), or nil.
private func stringList(_ text: String) -> [String]? {
  let bytes = Array(text.utf8)
  var scanner = JSONScanner(bytes, range: 0..<bytes.count)
  var names: [String] = []
  do {
    try scanner.array { scanner in names.append(try scanner.string()) }
    try scanner.finish()
  } catch { return nil }
  return names
}
