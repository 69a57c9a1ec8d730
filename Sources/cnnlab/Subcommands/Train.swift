import ArgumentParser
import CNNLabCurses
import CNNLabData
import CNNLabEngine
import CNNLabTraining
import Foundation
import CNNLabTUI

extension CNNLab {
  struct Train: ParsableCommand {
    /// More passes than anyone waits for, and few enough that every count of steps stays small.
    static let mostEpochs = 1_000_000

    static let configuration = CommandConfiguration(
      abstract: "Train a convolutional network and report how well it does.",
      usage: """
        cnnlab train [--data xo|mnist|fashion|DIR] [--model SPEC] [--epochs N]
        [--batch B] [--lr X] [--optimizer sgd|momentum|adam|rmsprop] [--seed S]
        [--save FILE] [--headless] [--threads N] [--pace N|max] [--json]
        [--init random|lecture]
        """,
      discussion: """
        DATA is xo (generated X/O images, 9x9), mnist (the bundled 5,000-digit
        sample), fashion (Fashion-MNIST from /usr/share/datasets/fashion-mnist)
        or a folder of IDX files.
        Defaults for xo:
        \(Defaults.xo.text)
        Defaults for the others:
        \(Defaults.images.text)
        On the training screen the steps come at a pace a person can follow: by
        default the fastest of 1, 3, 10, 30, 100, 300 steps/s at which there are
        at least 20 s to watch (the whole X/O run; the first epoch of 28x28
        images); < and > change it, --pace sets it. --headless runs at full speed.
        --init lecture (xo only) starts a first layer 'conv 3 3x3 ...' from the
        lecture's diagonal, X-centre and anti-diagonal features; f on the screen
        freezes it, and the summary gives each kernel's cosine to its feature.
        Progress goes to standard error, the final metrics to standard output.
        A 'dropout P' layer in the spec (e.g. "flatten | dense 128 relu |
        dropout 0.2 | dense 10") drops each value with probability P while
        training, with masks from --seed; evaluation and --save use it as the
        identity.
        Examples:
          cnnlab train --data xo --save xo.safetensors
          cnnlab train --data mnist --epochs 10 --json
        """)

    @Option(help: "xo, mnist, fashion, or a folder with IDX files.")
    var data = "xo"

    @Option(help: "The network spec (see 'cnnlab shape --help'); a default fits each data set.")
    var model: String?

    // Numbers are taken as they come, so `--epochs -1` is refused by `validate` with the rule.
    @Option(parsing: .unconditional, help: "Passes over the training set.")
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Examples per step.")
    var batch: Int?

    @Option(parsing: .unconditional, help: "Learning rate.")
    var lr: Float?

    @Option(help: "sgd, momentum (0.9), adam or rmsprop.")
    var optimizer: OptimizerKind?

    @Option(
      parsing: .unconditional,
      help: "Seed for the weights, the shuffling and the dropout masks; the same seed gives the same run.")
    var seed: UInt64 = 1

    @Option(help: "Save the trained model here (safetensors).")
    var save: String?

    @Flag(help: "Train without the training screen (progress on standard error).")
    var headless = false

    @Option(help: "Threads for training, 1 or more (default: the machine's cores).")
    var threads: Int?

    @Option(parsing: .unconditional, help: "Steps per second on the training screen, a number or max (default: see above).")
    var pace: String?

    @Flag(help: "Print the final metrics as one JSON object.")
    var json = false

    @Option(name: .customLong("init"), help: "random, or lecture: the first layer starts from the lecture's three X/O features.")
    var initialization: Initialization = .random

    enum Initialization: String, ExpressibleByArgument {
      case random, lecture
    }

    func validate() throws {
      if let epochs, !(1...Self.mostEpochs).contains(epochs) {
        throw ValidationError("--epochs must be from 1 to \(Self.mostEpochs), not \(epochs)")
      }
      if let batch, batch < 1 { throw ValidationError("--batch must be at least 1, not \(batch)") }
      if let lr, !(lr > 0 && lr.isFinite) {
        throw ValidationError("--lr must be a positive, finite number, not \(lr)")
      }
      try validateThreads(threads)
      if let pace, TrainingPace(argument: pace) == nil {
        throw ValidationError("--pace must be max or a whole number of steps per second from 1 to \(TrainingPace.fastestRate), not '\(pace)'")
      }
    }

    /// The fastest rung of the pace ladder that leaves at least 20 s to watch: the whole run of
    /// X/O (its images are small and it is over quickly), the first epoch of 28x28 images. The
    /// default X/O run, 625 steps, takes 21 s at 30 steps/s; the bundled digits' first epoch,
    /// 127 steps, 42 s at 3 steps/s.
    static func watchablePace(stepsPerEpoch: Int, epochs: Int, wholeRun: Bool) -> TrainingPace {
      TrainingPace.watchable(steps: wholeRun ? stepsPerEpoch * epochs : stepsPerEpoch, seconds: 20)
    }

    func run() throws {
      // A destination that cannot be written fails now, not after minutes of training.
      if let save { try reportingFileErrors { try AtomicFile.checkWritable(save) } }
      let dataSet = try loadTrainingData(data)
      guard let training = dataSet.training else {
        throw fail(
          "\(data) has no training images (train-images-idx3-ubyte and train-labels-idx1-ubyte)",
          note: "a folder with only the t10k- files can be evaluated (cnnlab eval), not trained on")
      }
      guard training.count > 0 else {
        throw fail(
          "\(data) has no training images (its train- files hold 0)",
          note: "train on a data set with at least one image")
      }
      let defaults = data == "xo" ? Defaults.xo : Defaults.images
      let specText = model ?? defaults.spec
      let spec = try parseSpec(specText)
      let onTerminal = !headless && isTerminal(0) && isTerminal(1)
      let batchSize = batch ?? defaults.batch
      let stepsPerEpoch = (training.count + batchSize - 1) / batchSize
      var configuration = TrainingConfiguration(
        spec: spec, inputShape: dataSet.inputShape, optimizer: optimizer ?? defaults.optimizer,
        learningRate: lr ?? defaults.learningRate, batchSize: batch ?? defaults.batch, seed: seed,
        epochs: epochs ?? defaults.epochs, stepsPerSnapshot: 10,
        threads: threads ?? FastNetwork.defaultThreads)
      configuration.pace =
        pace.flatMap(TrainingPace.init(argument:))
        ?? Self.watchablePace(
          stepsPerEpoch: stepsPerEpoch, epochs: configuration.epochs ?? 1, wholeRun: dataSet.inputShape[1] * dataSet.inputShape[2] <= 100)
      // The shapes are checked before anything is built: a spec that does not fit the images,
      // or ends in the wrong number of classes, stops here with the arithmetic.
      func buildFailed(_ error: Network.BuildError) -> ExitCode {
        printError(
          "cnnlab: error: the network does not fit \(shapeText(dataSet.inputShape)) images: \(error)"
        )
        if error.layerIndex > 0 { printError("  \(specText)\n\(caretLine(under: error.column))") }
        return ExitCode.failure
      }
      let plan: [Network.LayerInfo]
      do { plan = try Network.plan(spec: spec, inputShape: dataSet.inputShape) } catch {
        throw buildFailed(error)
      }
      // The largest batch the run allocates for: a training batch, or 256 to evaluate; and a
      // gradient copy for each lane a training batch can be split over.
      do {
        try Network.checkMemory(
          plan, inputShape: dataSet.inputShape, batch: max(configuration.batchSize, 256),
          lanes: min(configuration.threads, configuration.batchSize))
      } catch {
        throw fail("\(error)", note: "use a smaller --batch, or a smaller network")
      }
      let outputShape = plan.last?.outputShape ?? dataSet.inputShape
      guard outputShape == [dataSet.classNames.count] else {
        throw fail(
          "the network ends in \(shapeText(outputShape)) outputs but \(data) has \(dataSet.classNames.count) classes",
          note: "end the spec with 'dense \(dataSet.classNames.count)'")
      }
      if initialization == .lecture {
        configuration.startingKernels = try lectureKernels(plan, specText: specText)
      }
      let parameters = plan.reduce(0) { $0 + $1.parameterCount }
      printError("\(dataSet.summary)\nnetwork: \(spec) (\(grouped(parameters)) parameters)")
      var run: TrainingRun
      var onScreen = false
      if onTerminal,
        let final = try trainOnScreen(configuration, dataSet, training, spec: spec, lecture: initialization == .lecture)
      {
        run = final
        onScreen = true
      } else {
        var unpaced = configuration  // without a screen there is nobody to watch
        unpaced.pace = .max
        do {
          run = try TrainingRun(
            configuration: unpaced, training: training, validation: dataSet.validation)
        } catch { throw buildFailed(error) }
      }
      var progress = ProgressLine(enabled: isTerminal(2))
      var reported = 0
      while !onScreen && run.wantsToRun {
        run.advance()
        let s = run.snapshot
        for summary in s.epochs.dropFirst(reported) {
          progress.clear()
          printError(epochLine(summary, of: configuration.epochs))
        }
        reported = s.epochs.count
        if s.state == .running { progress.draw(s) }
      }
      progress.clear()
      if case .failed(let reason) = run.snapshot.state {
        throw fail(reason)
      }

      let network = run.trainer.network
      // The test images are scored once, here, with the final weights; nothing before has seen
      // them. With none there is no test score, rather than a stand-in.
      let test = dataSet.test.count > 0 ? run.trainer.evaluate(dataSet.test) : nil
      let noTest = "\(data) has no test images (\(dataSet.origin.test) holds 0)"
      let last = run.snapshot.epochs.last
      if let save {
        let file = ModelFile(
          network: network, classNames: dataSet.classNames, inputScale: dataSet.inputScale,
          inputOffset: dataSet.inputOffset, data: data, epochs: run.trainer.epoch)
        try reportingFileErrors { try file.write(to: save) }
      }
      let s = run.snapshot
      let speed = s.elapsed > 0 ? Double(s.imagesSeen) / s.elapsed : 0
      if json {
        var pairs: [(String, String)] = [
          ("data", jsonString(data)), ("spec", jsonString(spec.description)),
          ("parameters", String(network.parameterCount)),
          ("optimizer", jsonString(configuration.optimizer.rawValue)),
          ("learning_rate", jsonNumber(Double(configuration.learningRate))),
          ("batch", String(configuration.batchSize)), ("seed", String(seed)),
          ("epochs", String(run.trainer.epoch)), ("steps", String(s.step)),
          ("seconds", jsonNumber(s.elapsed)), ("images_per_second", jsonNumber(speed)),
          ("train_loss", jsonNumber(last.map { Double($0.trainLoss) })),
          ("train_accuracy", jsonNumber(last?.trainAccuracy)),
          ("validation_loss", jsonNumber(last?.validationLoss.map(Double.init))),
          ("validation_accuracy", jsonNumber(last?.validationAccuracy)),
          ("training", setJSON(training.count, from: dataSet.origin.training)),
          ("validation", setJSON(dataSet.validation.count, from: dataSet.origin.validation)),
        ]
        if let test {
          pairs.append(("test", setJSON(test.count, from: dataSet.origin.test, scored: test)))
        } else {
          pairs += [("test", "null"), ("no_test", jsonString(noTest))]
        }
        if let matches = lectureMatches(run) {
          let items = matches.map { m in
            jsonObject([
              ("kernel", String(m.kernel + 1)), ("feature", jsonString(LectureFeatures.all[m.feature].name)),
              ("cosine", jsonNumber(Double(m.cosine))),
            ])
          }
          pairs.append(("lecture_cosines", "[" + items.joined(separator: ", ") + "]"))
        }
        pairs.append(("saved", save.map(jsonString) ?? "null"))
        print(jsonObject(pairs))
      } else {
        // Stopped inside an epoch, the scores below are those of the last whole one: say so.
        let whole = run.trainer.epoch
        var span = "\(whole) epoch\(whole == 1 ? "" : "s")"
        if s.stepInEpoch > 0 { span += " and \(s.stepInEpoch) step\(s.stepInEpoch == 1 ? "" : "s")" }
        print(
          "trained \(spec) on \(data) for \(span) (\(s.step) steps) in \(duration(s.elapsed)), \(Int(speed)) images/s"
        )
        if let last {
          let which = s.stepInEpoch > 0 ? "epoch \(last.epoch), the last whole one: " : ""
          print("\(which)train loss \(fixed(last.trainLoss)), accuracy \(percent(last.trainAccuracy))")
          if let loss = last.validationLoss, let accuracy = last.validationAccuracy {
            print(
              "validation loss \(fixed(loss)), accuracy \(percent(accuracy)) on "
                + "\(grouped(dataSet.validation.count)) images from \(dataSet.origin.validation)")
          }
        }
        if let test {
          print(
            "test loss \(fixed(test.loss)), accuracy \(percent(test.accuracy)) (\(test.correct)/\(test.count)) "
              + "on \(grouped(test.count)) images from \(dataSet.origin.test), scored once at the end")
        } else {
          print("no test score: \(noTest)")
        }
        if let matches = lectureMatches(run) {
          let each = matches.map { m in
            "#\(m.kernel + 1) \(LectureFeatures.all[m.feature].name) \(String(format: "%.2f", Double(m.cosine)))"
          }
          print("layer 1 against the lecture's features it started from (cosine): " + each.joined(separator: ", "))
        }
        if let save { print("saved \(save)") }
      }
    }

    /// The lecture's features as the first layer's starting weights, after checking that the
    /// data is X/O and the spec's first layer is `conv 3 3x3 ...` on one channel.
    func lectureKernels(_ plan: [Network.LayerInfo], specText: String) throws -> Tensor {
      guard data == "xo" else {
        throw fail(
          "--init lecture needs --data xo, not \(data): the lecture's features are 3x3 patterns of X and O strokes",
          note: "train on X/O (--data xo), or leave --init out")
      }
      let kernels = LectureFeatures.kernels
      let first = specText.split(separator: "|").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
      guard case .conv(3, 3, 3, _, _, _) = plan.first?.layer, plan.first?.inputShape.first == 1 else {
        throw fail(
          "--init lecture needs the spec's first layer to be 'conv 3 3x3 ...' (three 3x3 kernels on the image), not '\(first)'",
          note: "start the spec with 'conv 3 3x3', e.g. --model 'conv 3 3x3 nobias relu | maxpool 2 ceil | dense 2'")
      }
      return kernels
    }

    /// Each first-layer kernel's cosine to the lecture feature it started from, for `--init lecture`.
    func lectureMatches(_ run: TrainingRun) -> [LectureFeatures.Match]? {
      guard initialization == .lecture, let first = run.trainer.kernels.first else { return nil }
      return LectureFeatures.matches(first.weights, twins: true)
    }

    /// Trains on the training screen until the learner quits; returns the run as it was left,
    /// or nil when the terminal cannot be used (then training goes on without the screen).
    func trainOnScreen(
      _ configuration: TrainingConfiguration, _ dataSet: TrainingData, _ training: LabelledSet,
      spec: NetworkSpec, lecture: Bool
    ) throws -> TrainingRun? {
      let terminal: Terminal
      do {
        terminal = try Terminal()
      } catch {
        printError("note: \(error); training without the screen")
        return nil
      }
      // The trainer takes commands (a key, a drawing to predict) between chunks of steps, so on
      // the screen a chunk is kept short: one step of 28x28 images, five of the small X/O ones.
      var configuration = configuration
      configuration.stepsPerSnapshot = dataSet.inputShape[1] * dataSet.inputShape[2] > 100 ? 1 : 5
      let session = try TrainingSession(
        configuration: configuration, training: training, validation: dataSet.validation)
      var screen = TrainingScreen(
        snapshot: session.snapshot, data: dataSet, title: "cnnlab train \(data)", startsFromLecture: lecture)
      let outcome = RunLoop(terminal: terminal, trainer: TrainerHost(session: session)).run(&screen)
      terminal.shutdown()
      session.stop()
      if case .signal(let signal) = outcome { throw ExitCode(128 + signal) }
      return session.finalRun
    }

    /// The X/O training the course opens: the default X/O run over 20 epochs (time to play
    /// with the rate and the optimiser), inside the course (q goes back to the menu). Nil if
    /// its network cannot be read.
    static func xoTraining() -> LiveTraining? {
      let data = TrainingData.xo()
      let d = Defaults.xo
      guard let training = data.training, let spec = try? NetworkSpec.parse(d.spec) else { return nil }
      let configuration = TrainingConfiguration(
        spec: spec, inputShape: data.inputShape, optimizer: d.optimizer, learningRate: d.learningRate,
        batchSize: d.batch, seed: 1, epochs: 20, stepsPerSnapshot: 5,
        pace: watchablePace(stepsPerEpoch: (training.count + d.batch - 1) / d.batch, epochs: 20, wholeRun: true))
      return LiveTraining(
        request: TrainingRequest(configuration: configuration, training: training, validation: data.validation),
        data: data, title: "Train a network live: xo")
    }

    /// A lesson step's network (`t` in a lesson) trained live on the bundled MNIST sample with
    /// the defaults for images, at a pace that leaves its first epoch 20 s to watch. Nil when the
    /// sample cannot be read or the spec does not build for 28x28 digits or end in 10 scores.
    static func mnistTraining(spec text: String) -> LiveTraining? {
      let d = Defaults.images
      guard let data = try? TrainingData.load("mnist"), let training = data.training,
        let spec = try? NetworkSpec.parse(text), let plan = try? Network.plan(spec: spec, inputShape: data.inputShape),
        plan.last?.outputShape == [data.classNames.count]
      else { return nil }
      let steps = (training.count + d.batch - 1) / d.batch
      let configuration = TrainingConfiguration(
        spec: spec, inputShape: data.inputShape, optimizer: d.optimizer, learningRate: d.learningRate,
        batchSize: d.batch, seed: 1, epochs: d.epochs, stepsPerSnapshot: 1,
        pace: watchablePace(stepsPerEpoch: steps, epochs: d.epochs, wholeRun: false))
      return LiveTraining(
        request: TrainingRequest(configuration: configuration, training: training, validation: data.validation),
        data: data, title: "Train live: \(text)")
    }

    /// One set in the JSON: its size and where it comes from, and for the test set its score.
    func setJSON(_ images: Int, from origin: String, scored: Evaluation? = nil) -> String {
      var pairs = [("images", String(images)), ("from", jsonString(origin))]
      if let scored {
        pairs += [
          ("loss", jsonNumber(Double(scored.loss))), ("accuracy", jsonNumber(scored.accuracy)),
          ("correct", String(scored.correct)),
        ]
      }
      return jsonObject(pairs)
    }

    func parseSpec(_ text: String) throws -> NetworkSpec {
      do { return try NetworkSpec.parse(text) } catch {
        printError("cnnlab: error: in the network spec, column \(error.column): \(error.message)")
        printError("  \(text)\n\(caretLine(under: error.column))")
        throw ExitCode.failure
      }
    }

    func epochLine(_ e: EpochSummary, of total: Int?) -> String {
      var line =
        "epoch \(e.epoch)\(total.map { "/\($0)" } ?? ""): train loss \(fixed(e.trainLoss)) acc \(percent(e.trainAccuracy))"
      if let loss = e.validationLoss, let accuracy = e.validationAccuracy {
        line += ", val loss \(fixed(loss)) acc \(percent(accuracy))"
      }
      line += ", \(Int(e.imagesPerSecond)) images/s, \(duration(e.elapsed))"
      return line
    }
  }

  /// Hyperparameters that work out of the box.
  enum Defaults {
    struct Choice {
      var spec: String
      var optimizer: OptimizerKind
      var learningRate: Float
      var batch: Int
      var epochs: Int

      /// The choice for the help, indented, the spec broken before a `|` to fit 80 columns.
      var text: String {
        var lines = [""]
        for (i, layer) in spec.split(separator: "|").enumerated() {
          let part = (i == 0 ? "" : "| ") + layer.trimmingCharacters(in: .whitespaces)
          if lines[lines.count - 1].count + part.count + 1 > 70 { lines.append("  ") }
          if !lines[lines.count - 1].trimmingCharacters(in: .whitespaces).isEmpty {
            lines[lines.count - 1] += " "
          }
          lines[lines.count - 1] += part
        }
        lines.append("\(optimizer.rawValue), lr \(learningRate), batch \(batch), \(epochs) epochs")
        return lines.map { "  " + $0 }.joined(separator: "\n")
      }
    }
    /// The lecture's tiny X/O network.
    static let xo = Choice(
      spec: "conv 3 3x3 nobias relu | maxpool 2 ceil | dense 2", optimizer: .momentum,
      learningRate: 0.05, batch: 16, epochs: 5)
    /// mnist-small: two conv/pool stages and a classifier.
    static let images = Choice(
      spec: "conv 8 5x5 pad 2 relu | maxpool 2 | conv 16 5x5 pad 2 relu | maxpool 2 | dense 10",
      optimizer: .momentum, learningRate: 0.05, batch: 32, epochs: 5)
  }
}

/// `0.123456` → `0.1235`.
func fixed(_ value: Float) -> String { String(format: "%.4f", Double(value)) }

/// A progress bar redrawn in place on standard error (only when it is a terminal).
struct ProgressLine {
  let enabled: Bool
  private var shown = false

  init(enabled: Bool) { self.enabled = enabled }

  mutating func draw(_ s: TrainingSnapshot) {
    guard enabled, s.stepsPerEpoch > 0 else { return }
    let total = (s.totalEpochs ?? (s.epoch + 1)) * s.stepsPerEpoch
    let fraction = min(1, Double(s.step) / Double(max(total, 1)))
    let width = 24
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    var text =
      "[\(bar)] epoch \(min(s.epoch + 1, s.totalEpochs ?? Int.max)) step \(s.stepInEpoch)/\(s.stepsPerEpoch)"
    if let loss = s.recentLoss() { text += " loss \(fixed(loss))" }
    text += " \(Int(s.imagesPerSecond)) img/s"
    if let remaining = s.remaining { text += " ~\(duration(remaining)) left" }
    printError("\r\u{1B}[K" + text, newline: false)
    shown = true
  }

  mutating func clear() {
    guard shown else { return }
    printError("\r\u{1B}[K", newline: false)
    shown = false
  }
}
