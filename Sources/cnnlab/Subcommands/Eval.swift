import ArgumentParser
import CNNLabData
import CNNLabEngine
import Foundation

extension CNNLab {
  struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Measure a saved model's accuracy on a data set's test images.",
      discussion: """
        Prints the accuracy, the mean loss and the confusion matrix. DATA defaults to
        the data the model was trained on; a folder with only t10k-images-idx3-ubyte
        and t10k-labels-idx1-ubyte is enough.
        Examples, with models saved by 'cnnlab train --data xo --save xo.safetensors'
        and 'cnnlab train --data mnist --save mnist.safetensors':
          cnnlab eval --model xo.safetensors
          cnnlab eval --model xo.safetensors --json --logits logits.npy
          cnnlab eval --model mnist.safetensors --data assets/mnist
        """)

    @Option(help: "A model saved by 'cnnlab train --save'.")
    var model: String

    @Option(
      help:
        "xo, mnist, fashion, or a folder with IDX files (default: what the model was trained on).")
    var data: String?

    @Option(help: "Also write every test image's logits, (N, K), to this .npy file.")
    var logits: String?

    @Flag(help: "Print the results as one JSON object.")
    var json = false

    func run() throws {
      let file = try loadModel(model)
      guard let dataName = data ?? (file.data.isEmpty ? nil : file.data) else {
        throw fail("\(model) does not say what it was trained on", note: "give --data")
      }
      let dataSet = try loadTrainingData(dataName)
      guard dataSet.test.count > 0 else {
        throw fail("\(dataName) has no test images (its t10k- files hold 0)", note: "evaluate on a data set with at least one test image")
      }
      var network = file.network
      guard dataSet.inputShape == network.inputShape else {
        throw fail(
          "\(model) takes \(shapeText(network.inputShape)) images but \(dataName) has \(shapeText(dataSet.inputShape))",
          note: "evaluate on the kind of data the model was trained on (\(printable(file.data)))")
      }
      guard dataSet.classNames.count == file.classNames.count else {
        throw fail(
          "\(model) has \(file.classNames.count) classes but \(dataName) has \(dataSet.classNames.count)",
          note: "evaluate on the kind of data the model was trained on (\(printable(file.data)))")
      }
      do { try Network.checkMemory(network.info, inputShape: network.inputShape, batch: 256) } catch {
        throw fail("\(model): \(error)", note: "this model is too large to evaluate here")
      }
      // One pass scores the test set and, for --logits, keeps every batch's logits on the way.
      let fast = try? FastNetwork(network: network, threads: 1, trainingBatch: 0, inferenceBatch: 256)
      var collected: [Float] = []
      let result = Evaluation(scoring: dataSet.test, batchSize: 256) { batch in
        let output: Tensor
        if let fast { output = fast.logits(batch) } else { output = network.forward(batch) }
        if logits != nil { collected += output.scalars }
        return output
      }
      if let logits {
        let classes = network.outputShape.reduce(1, *)
        let table = Tensor(shape: [result.count, classes], scalars: collected)
        try reportingFileErrors { try AtomicFile.write(NPY.encode(table), to: logits) }
      }
      if json {
        let rows = result.confusion.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }
        print(
          jsonObject([
            ("model", jsonString(model)), ("data", jsonString(dataName)),
            ("count", String(result.count)), ("correct", String(result.correct)),
            ("accuracy", jsonNumber(result.accuracy)), ("loss", jsonNumber(Double(result.loss))),
            ("classes", "[" + file.classNames.map(jsonString).joined(separator: ", ") + "]"),
            ("confusion", "[" + rows.joined(separator: ", ") + "]"),
          ]))
        return
      }
      print("model: \(model) (\(printable(network.spec.description)), trained on \(printable(file.data)) for \(file.epochs) epochs)")
      print("data: \(dataName), \(result.count) test images")
      print(
        "accuracy: \(percent(result.accuracy)) (\(result.correct)/\(result.count)), loss \(fixed(result.loss))"
      )
      print(confusionTable(result.confusion, classNames: file.classNames))
    }
  }
}
