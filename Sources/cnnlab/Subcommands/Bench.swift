#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ArgumentParser
import CNNLabData
import CNNLabEngine

extension CNNLab {
  struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Measure training and inference speed on the reference workloads.",
      discussion: """
        Workloads (the same networks, batch sizes and optimisers as the PyTorch
        anchors). Training runs on the anchors' images where cnnlab finds them
        (A: the bundled MNIST sample; B and C: Fashion-MNIST from Debian's
        dataset-fashion-mnist), else on seeded synthetic images of the same
        shapes, and says which; inference always runs on synthetic images:
          A    mnist-small on 5,000 28x28 images, batch 32, SGD 0.05 momentum 0.9
          B    keras-seed on 60,000 images, batch 100, Adam 1e-3 (fixed steps)
          C    mnist-small on 60,000 images, batch 32
          D1   xo-tiny on 2,000 9x9 images, batch 1, SGD 0.01 momentum 0.9
          D16  xo-tiny, batch 16
        Training is timed after a warm-up epoch (median of the timed epochs or
        rounds); inference runs 10,000 images (500 for D) at batch 256. Peak RSS
        is the whole process's high-water mark, so measure one workload per run
        when memory matters. Only release builds give meaningful numbers:
          swift build -c release --product cnnlab
        """)

    @Option(name: .long, help: "Workload to run: A, B, C, D1 or D16 (repeat for several).")
    var workload: [BenchWorkload] = [.a]

    @Option(help: "Threads for training and inference, 1 or more (default: the machine's cores).")
    var threads: Int?

    @Flag(help: "Print one JSON object per workload.")
    var json = false

    func validate() throws {
      try validateThreads(threads)
    }

    func run() throws {
      #if DEBUG
        throw fail(
          "cnnlab bench needs a release build: a debug build runs the kernels 50 to 100 times slower, so its numbers mean nothing",
          note: "build and run: swift build -c release --product cnnlab && .build/release/cnnlab bench")
      #else
        for w in workload {
          let result = try BenchRunner(workload: w, threads: threads ?? FastNetwork.defaultThreads).run()
          print(json ? result.json : result.text)
          fflush(nil)
        }
      #endif
    }
  }
}

/// The reference workloads of the speed comparison.
enum BenchWorkload: String, ExpressibleByArgument, CaseIterable {
  case a = "A", b = "B", c = "C", d1 = "D1", d16 = "D16"

  var spec: String {
    switch self {
    case .a, .c:
      return "conv 8 5x5 pad 2 relu | maxpool 2 | conv 16 5x5 pad 2 relu | maxpool 2 | dense 10"
    case .b:
      return "conv 32 5x5 same relu | maxpool 2 | conv 64 5x5 same relu | maxpool 2 | dense 1024 relu | dense 10"
    case .d1, .d16:
      return "conv 3 3x3 nobias relu | maxpool 2 ceil | dense 2"
    }
  }

  var name: String {
    switch self {
    case .a, .c: return "mnist-small"
    case .b: return "keras-seed"
    case .d1, .d16: return "xo-tiny"
    }
  }

  var side: Int { self == .d1 || self == .d16 ? 9 : 28 }
  var classes: Int { self == .d1 || self == .d16 ? 2 : 10 }
  var trainingCount: Int { [.a: 5000, .b: 60000, .c: 60000, .d1: 2000, .d16: 2000][self] ?? 0 }
  var testCount: Int { self == .d1 || self == .d16 ? 500 : 10000 }
  var batch: Int { [.a: 32, .b: 100, .c: 32, .d1: 1, .d16: 16][self] ?? 1 }

  var optimizer: Optimizer {
    switch self {
    case .a, .c: return .sgd(learningRate: 0.05, momentum: 0.9)
    case .b: return .adam(learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
    case .d1, .d16: return .sgd(learningRate: 0.01, momentum: 0.9)
    }
  }

  /// Steps per timed round (nil: a whole epoch) and how many rounds are timed after warming up.
  var rounds: (steps: Int?, count: Int) {
    switch self {
    case .a, .d1, .d16: return (nil, 4)
    case .b: return (10, 3)
    case .c: return (nil, 2)
    }
  }
}

struct BenchResult {
  var workload: BenchWorkload
  var threads: Int
  var trainImagesPerSecond: Double
  var trainStepsPerSecond: Double
  var inferImagesPerSecond: Double
  var peakRSSMiB: Double
  /// The training images, in words: `the bundled MNIST sample, 5,000 images`, `synthetic, ...`.
  var data: String

  var json: String {
    func number(_ x: Double) -> String { String(Int(x.rounded())) }
    return """
      {"workload": "\(workload.rawValue)", "threads": \(threads), \
      "train_images_per_s": \(number(trainImagesPerSecond)), \
      "train_steps_per_s": \(number(trainStepsPerSecond)), \
      "infer_images_per_s": \(number(inferImagesPerSecond)), \
      "peak_rss_mib": \((peakRSSMiB * 10).rounded() / 10), "data": "\(data)"}
      """
  }

  var text: String {
    let rss = (peakRSSMiB * 10).rounded() / 10
    return "\(workload.rawValue) \(workload.name), \(threads) thread(s): "
      + "train_images_per_s \(grouped(Int(trainImagesPerSecond.rounded()))) "
      + "(\(grouped(Int(trainStepsPerSecond.rounded()))) steps/s), "
      + "infer_images_per_s \(grouped(Int(inferImagesPerSecond.rounded()))), "
      + "peak_rss_mib \(rss), trained on \(data)"
  }
}

/// Builds a workload's network with the engine's spec parser, makes its synthetic data and
/// times training and inference on the fast path.
struct BenchRunner {
  let workload: BenchWorkload
  let threads: Int

  func run() throws -> BenchResult {
    let w = workload
    let network: Network
    do {
      network = try Network(w.spec, inputShape: [1, w.side, w.side], seed: 0)
    } catch {
      throw fail("the \(w.rawValue) network does not build: \(error)")
    }
    let fast: FastNetwork
    do {
      fast = try FastNetwork(network: network, threads: threads, trainingBatch: w.batch)
    } catch {
      throw fail("the \(w.rawValue) network has no fast path: \(error)")
    }
    let size = w.side * w.side
    var rng = SplitMix64(seed: 0)
    let (training, labels, data) = trainingSet(using: &rng)
    let trainingCount = labels.count
    let test = syntheticImages(count: w.testCount, using: &rng)
    var order = Array(0..<trainingCount)
    var batch = [Float](repeating: 0, count: w.batch * size)
    var batchLabels = [Int32](repeating: 0, count: w.batch)

    // One step: gather the shuffled examples into the batch buffer (timed, as a data loader
    // would be), then forward, backward and the optimiser update.
    func step(_ s: Int) {
      let start = s * w.batch
      let n = min(w.batch, trainingCount - start)
      batch.withMutableStart { x in
        for i in 0..<n {
          let k = order[start + i]
          decode(training, image: k, size: size, into: x + i * size)
          batchLabels[i] = labels[k]
        }
      }
      batch.withStart { x in
        batchLabels.withStart { y in
          _ = fast.train(images: x, labels: y, count: n, optimizer: w.optimizer)
        }
      }
    }

    let stepsPerEpoch = (trainingCount + w.batch - 1) / w.batch
    let (roundSteps, roundCount) = w.rounds
    order.shuffle(using: &rng)
    for s in 0..<(roundSteps.map { min($0, stepsPerEpoch) } ?? stepsPerEpoch) { step(s) }  // warm-up
    var rates: [(images: Double, steps: Double)] = []
    var next = 0
    for _ in 0..<roundCount {
      let steps = roundSteps ?? stepsPerEpoch
      if roundSteps == nil || next + steps > stepsPerEpoch {
        order.shuffle(using: &rng)
        next = 0
      }
      var images = 0
      let started = monotonicSeconds()
      for s in next..<next + steps {
        step(s)
        images += min(w.batch, trainingCount - s * w.batch)
      }
      let seconds = monotonicSeconds() - started
      next += steps
      rates.append((Double(images) / seconds, Double(steps) / seconds))
    }

    // Inference at batch 256: one pass to warm up, then the median of three.
    var logits = [Float](repeating: 0, count: 256 * fast.classes)
    var input = [Float](repeating: 0, count: 256 * size)
    func inferencePass() -> Double {
      let started = monotonicSeconds()
      var start = 0
      while start < w.testCount {
        let n = min(256, w.testCount - start)
        input.withMutableStart { x in
          for i in 0..<n { decode(test, image: start + i, size: size, into: x + i * size) }
        }
        input.withStart { x in
          logits.withMutableStart { y in
            fast.logits(images: x, count: n, into: y)
          }
        }
        start += n
      }
      return Double(w.testCount) / (monotonicSeconds() - started)
    }
    _ = inferencePass()
    let inference = (0..<3).map { _ in inferencePass() }

    return BenchResult(
      workload: w, threads: threads,
      trainImagesPerSecond: median(rates.map(\.images)),
      trainStepsPerSecond: median(rates.map(\.steps)),
      inferImagesPerSecond: median(inference),
      peakRSSMiB: peakRSSMiB(), data: data)
  }

  /// Bytes per pixel: MNIST-like images keep about a fifth of their pixels lit (0...255);
  /// X/O images are -1 or +1.
  /// The training images (bytes) and labels: those the workload's PyTorch anchor trains on,
  /// where cnnlab can read them, else synthetic ones. The images matter, not only their shape:
  /// a convolution behind a max pool sends back only the maxima whose gradient is not zero, and
  /// how many are depends on what the network sees.
  private func trainingSet(using rng: inout SplitMix64) -> (images: [UInt8], labels: [Int32], data: String) {
    let name: String? =
      switch workload {
      case .a: "mnist"
      case .b, .c: "fashion"
      case .d1, .d16: nil
      }
    if let name, case .idx(let directory, _)? = try? DataSource.resolve(name),
      let set = try? IDXDataset.load(directory: directory), let train = set.train
    {
      // A: the bundled sample's 4,500 + 500 digits are the anchor's 5,000; B and C: the
      // 60,000 training images.
      let parts = workload == .a ? [train, set.test] : [train]
      let images = parts.flatMap { $0.images.scalars.map { UInt8(clamping: Int($0.rounded())) } }
      let labels = parts.flatMap { $0.labels.map { Int32(truncatingIfNeeded: $0) } }
      let what = workload == .a ? "the bundled MNIST sample" : "Fashion-MNIST"
      return (images, labels, "\(what), \(grouped(labels.count)) images")
    }
    let images = syntheticImages(count: workload.trainingCount, using: &rng)
    let labels = (0..<workload.trainingCount).map { _ in Int32(rng.next() % UInt64(workload.classes)) }
    return (images, labels, "synthetic, \(grouped(labels.count)) images")
  }

  private func syntheticImages(count: Int, using rng: inout SplitMix64) -> [UInt8] {
    let size = workload.side * workload.side
    var bytes = [UInt8](repeating: 0, count: count * size)
    let xo = workload == .d1 || workload == .d16
    for i in bytes.indices {
      let r = rng.next()
      if xo {
        bytes[i] = r & 1 == 0 ? 0 : 1
      } else if r % 5 == 0 {
        bytes[i] = UInt8(truncatingIfNeeded: r >> 8)
      }
    }
    return bytes
  }

  private func decode(_ bytes: [UInt8], image: Int, size: Int, into x: UnsafeMutablePointer<Float>) {
    let xo = workload == .d1 || workload == .d16
    bytes.withStart { b in
      let p = b + image * size
      if xo {
        for j in 0..<size { x[j] = p[j] == 0 ? -1 : 1 }
      } else {
        for j in 0..<size { x[j] = Float(p[j]) * (1 / 255) }
      }
    }
  }
}

private func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  guard !sorted.isEmpty else { return 0 }
  let mid = sorted.count / 2
  return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

private func monotonicSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// The process's peak resident set (`ru_maxrss`: KiB on Linux, bytes on macOS), in MiB.
private func peakRSSMiB() -> Double {
  var usage = rusage()
  #if canImport(Darwin)
    getrusage(RUSAGE_SELF, &usage)
    return Double(usage.ru_maxrss) / (1024 * 1024)
  #else
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
  #endif
}
