import CNNLabEngine
/// What the network makes of an image that is not in any data set (a digit drawn on screen):
/// every layer's output and the predicted probabilities, computed by the trainer between steps.
public struct Probe: Equatable, Sendable {
  /// The number the request carried, so a screen can tell which drawing this answers.
  public var id: Int
  /// The step after which this was computed.
  public var step: Int
  /// The image, `(C, H, W)`.
  public var input: Tensor
  /// Each layer's output, without the batch axis, in layer order.
  public var activations: [Inspection.LayerActivation]
  /// Softmax of the logits, `K` values summing to 1.
  public var probabilities: [Float]
}

extension TrainingRun {
  /// Runs one image `(C, H, W)` through a copy of the network (as it was at the viewed step,
  /// if one is viewed); nil when its shape is not the network's input shape.
  public func probe(_ input: Tensor, id: Int) -> Probe? {
    guard input.shape == configuration.inputShape else { return nil }
    let shown = shownNetwork
    var network = shown.network  // a copy: a forward pass fills the layers' caches
    let batch = Tensor(shape: [1] + input.shape, scalars: input.scalars)
    let outputs = network.activations(batch)
    let activations = zip(network.info.map(\.text), outputs).map { text, output in
      Inspection.LayerActivation(text: text, output: output.slice(0))
    }
    return Probe(
      id: id, step: shown.step, input: input, activations: activations,
      probabilities: softmax(outputs.last?.scalars ?? []))
  }
}
