import ArgumentParser
import CNNLabData
import CNNLabEngine
import Foundation

extension CNNLab {
  struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Classify one image with a saved model.",
      discussion: """
        IMAGE is a text grid, a NumPy .npy file or a PGM image (P2 or P5) of exactly
        the size the model was trained on (cnnlab does not resize). Values are pixels
        as the training data stores them: 0 to 255 for MNIST-style models (a PGM is
        scaled to 0..255), -1 and +1 for X/O; the model's normalisation is applied to
        them.
        Examples, with a model saved by 'cnnlab train --data xo --save xo.safetensors':
          cnnlab predict --model xo.safetensors assets/xo/x.grid
          cnnlab predict --model xo.safetensors assets/xo/x-distorted.grid --json
        """)

    @Option(help: "A model saved by 'cnnlab train --save'.")
    var model: String

    @Argument(help: "The image: text grid, .npy or .pgm.")
    var image: String

    @Flag(help: "Print the logits, probabilities and prediction as one JSON object.")
    var json = false

    func run() throws {
      let file = try loadModel(model)
      var pixels = try reportingFileErrors { () throws -> Tensor in
        if image.lowercased().hasSuffix(".pgm") {
          return try PGM.read(DataFile.readBytes(image), file: image).map { $0 * 255 }
        }
        return try GridFiles.load(image)
      }
      var network = file.network
      let expected = network.inputShape
      let original = pixels.shape
      if pixels.rank == 2 { pixels = pixels.reshaped([1] + pixels.shape) }
      guard pixels.shape == expected else {
        throw fail(
          "\(image) is \(shapeText(original)) but \(model) takes \(shapeText(expected)) images",
          note: "give an image of exactly that size; cnnlab does not resize")
      }
      let input = pixels.map { $0 * file.inputScale + file.inputOffset }
      let logits = network.forward(input.reshaped([1] + expected)).scalars
      guard !logits.contains(where: \.isNaN) else {
        let largest = network.parameters.flatMap { $0.value.scalars }.map(abs).max() ?? 0
        throw fail(
          "\(model) gives scores that are not numbers (NaN) for \(image): its weights (up to \(largest)) overflow 32-bit floats",
          note: "train the model again; weights this large come from a damaged file or a run that diverged")
      }
      let probabilities = softmax(logits)
      var best = 0
      for j in probabilities.indices where probabilities[j] > probabilities[best] { best = j }
      let names = file.classNames
      if json {
        func list(_ values: [Float]) -> String {
          "[" + values.map { jsonNumber(Double($0), digits: 9) }.joined(separator: ", ") + "]"
        }
        print(
          jsonObject([
            ("prediction", jsonString(names[best])), ("index", String(best)),
            ("classes", "[" + names.map(jsonString).joined(separator: ", ") + "]"),
            ("probabilities", list(probabilities)), ("logits", list(logits)),
          ]))
        return
      }
      let shown = names.map { printable($0) }
      let width = max(5, shown.map(\.count).max() ?? 1)
      for (name, p) in zip(shown, probabilities) {
        let bar = String(repeating: "#", count: Int(min(max(Double(p) * 30, 0), 30).rounded()))
        print("\(pad(name, width))  \(String(format: "%6.2f%%", Double(p) * 100))  \(bar)")
      }
      print("prediction: \(shown[best]) (\(percent(Double(probabilities[best]))))")
    }
  }
}
