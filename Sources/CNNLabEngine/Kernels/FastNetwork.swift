#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fast executor: a network's plan (`Network.info`) compiled for training speed. Each
/// plan entry becomes an op (`FastOp`, how this executor runs it, not another description of
/// the layer) with its geometry and constants fixed at construction (a ReLU and a
/// max pool after a convolution fused into it), parameters and their gradients live once in
/// flat buffers, with the optimiser's state beside them; every buffer is allocated at init,
/// sized by the largest batch, and a step allocates nothing.
///
/// The reference executor (`Network`, through `Reference.conv2D`, `Reference.pool` and their
/// backward twins) is the same maths one example at a time; `FastPathTests` hold the two equal.
///
/// How a step divides over `threads` (any number from 1; more than the machine has cores works,
/// the lanes then take turns):
/// - **Lanes.** A batch of `count` images is cut into `lanes` consecutive slices whose sizes
///   differ by at most one (`laneShare`); lane 0 runs on the calling thread, the others on
///   helper threads started at init. `lanes = min(threads, count, work / minimumLaneWork)`:
///   waking a thread costs tens of microseconds, so each lane gets at least about a millisecond
///   of multiply-adds, and small batches (xo-tiny, single images) stay on the caller.
/// - **In parallel.** Each lane runs the whole forward pass, the loss and the whole backward
///   pass on its slice, in its own buffers, and sums its images' convolution weight gradients
///   into its own copy of them. A dense layer's weight gradient is left for the whole batch at
///   once (`FastDenseOp`): its lanes only keep their slices of its inputs and output gradients.
/// - **Finishing the gradients.** The lanes' convolution gradient copies are added into the
///   parameters' gradients, always lane 0 first, then lane 1, and so on, and the dense layers
///   multiply out their weight gradients over the whole batch: on the calling thread, or, when
///   that is enough work (`minimumParallelWork`), shared out over the lanes by parameter ranges;
///   every element is still summed in the same order, so sharing it out changes nothing.
/// - **The update.** The optimiser (`update`) changes every parameter element by element: on
///   the calling thread, or, for big networks, shared out over the threads by parameter ranges
///   (and so is zeroing the gradients before a step).
///
/// Results are deterministic for a given thread count: the slices, the lane count and the order
/// of every sum depend only on the network, the batch size and `threads`. They do depend on the
/// thread count in the last bits of a float, because a lane first sums its own images'
/// gradients and float addition is not associative: splitting a batch differently groups the
/// same terms differently. `ThreadCountTests` hold 1 to 16 threads equal within 1e-5. One
/// caller at a time: a `FastNetwork` is not for sharing.
public final class FastNetwork: FastLaneWork, @unchecked Sendable {
  /// Input `(C, H, W)` of one image and the number of classes the last layer produces.
  public let inputShape: [Int]
  public let classes: Int
  public let threads: Int
  /// Trainable parameters in layer order (weights, then bias, per layer).
  public let parameters: [FastParameter]
  let ops: [FastOp]
  private let workers: FastWorkers
  /// Images each lane can hold: lane 0 takes whole batches that are too small to split.
  private let trainingCapacities: [Int]
  private let capacities: [Int]
  private let trainingBatch: Int, inferenceBatch: Int
  /// Per lane: one activation buffer per op output, and two gradient buffers used in turn.
  private let activations: [[FastBuffer]]
  private let gradients: [[FastBuffer]]
  private let losses: FastBuffer  // per lane
  private let corrects: FastBuffer  // per lane: examples whose largest logit is the label
  /// How many examples of the last `accumulateGradients` batch the network classified right
  /// (before that step's update), for training accuracy at no extra cost.
  public private(set) var lastBatchCorrect = 0
  /// Multiply-adds per image in the forward pass, to judge whether a batch is worth splitting.
  private let workPerImage: Int
  /// Floats in all parameters together, what the optimiser update goes over.
  private let parameterCount: Int
  /// Floats in one lane's gradient copy (the convolutions' parameters), and multiply-adds per
  /// image of the dense layers' weight gradients: what finishing the gradients costs.
  private let laneGradientCount: Int, denseWeightCount: Int
  /// Forward multiply-adds a lane must get before a batch is split over one more lane (0 splits
  /// every batch over `min(threads, count)` lanes, for tests).
  var minimumLaneWork = 2_000_000
  /// Floats added or multiply-adds (finishing the gradients, the optimiser update) from which
  /// a pass over the parameters is shared out over the threads rather than run on the calling
  /// thread alone: waking the helpers costs tens of microseconds (0: always shared, for tests).
  var minimumParallelWork = 1 << 18

  /// Compiles `plan` (a network's `Network.info`) for inputs of `inputShape`: `(C, H, W)`
  /// images, `(C, L)` signals or vectors. `trainingBatch` is the largest batch `train` accepts;
  /// `inferenceBatch` the largest for `logits`. `fusing` folds a ReLU and a max pool into the
  /// convolution before them (off only to test the unfused ops). `maskSeed` seeds the dropout
  /// masks as `Network.setTraining` does.
  init(
    plan: [Network.LayerInfo], inputShape: [Int], threads: Int, trainingBatch: Int,
    inferenceBatch: Int = 256, fusing: Bool = true, maskSeed: UInt64 = 0
  ) {
    precondition(
      (1...3).contains(inputShape.count) && inputShape.allSatisfy { $0 >= 1 },
      "the fast path takes (C, H, W) images, (C, L) signals or (N) vectors, not \(inputShape)")
    self.inputShape = inputShape
    precondition(
      threads >= 1 && threads <= Self.maximumThreads,
      "the fast path runs on 1 to \(Self.maximumThreads) threads, not \(threads)")
    self.threads = threads
    workers = FastWorkers(threads: threads)
    let lanes = threads
    self.trainingBatch = trainingBatch
    self.inferenceBatch = max(inferenceBatch, trainingBatch)
    // Lane l works only when a batch is split over more than l lanes, so it never gets more
    // than a (l + 1)-th of the largest batch (rounded up): lane 0 can take a whole batch.
    func laneCapacities(_ largest: Int) -> [Int] { (0..<lanes).map { (largest + $0) / ($0 + 1) } }
    let trainingCapacities = laneCapacities(trainingBatch)
    let capacities = laneCapacities(self.inferenceBatch)
    self.trainingCapacities = trainingCapacities
    self.capacities = capacities

    var ops: [FastOp] = []
    // A signal (C, L) is an image of height 1; a vector is already flat.
    var (c, h, w) = (inputShape[0], 1, 1)
    if inputShape.count == 2 { w = inputShape[1] }
    if inputShape.count == 3 { (h, w) = (inputShape[1], inputShape[2]) }
    var flat: Int? = inputShape.count == 1 ? inputShape[0] : nil  // set once the image is flat
    var rows = plan[...]
    while let row = rows.popFirst() {
      var activation = row.layer.nonlinearity
      switch row.layer {
      case .conv, .conv1d:
        guard let conv = row.layer.convolution, let geometry = row.geometry, flat == nil else {
          preconditionFailure("\(row.text) needs (C, H, W) input and its geometry from the plan")
        }
        precondition([geometry.rows.input, geometry.cols.input] == [h, w], "\(geometry) is not for \(h)x\(w)")
        // A ReLU right after the convolution (its own, or the next entry), then a max pool.
        var relu = false
        if fusing && activation == .relu {
          (relu, activation) = (true, .identity)
        } else if fusing && activation == .identity && rows.first?.layer == .activation(.relu) {
          relu = true
          rows.removeFirst()
        }
        var pool: ConvGeometry? = nil
        if fusing, activation == .identity, let next = rows.first, case .pool(.max, _, _, _) = next.layer {
          pool = next.geometry
          rows.removeFirst()
        }
        let op = FastConvOp(
          geometry: FastConvGeometry(channels: c, filters: conv.filters, geometry), bias: conv.bias,
          flip: conv.options.mode == .convolve,
          scale: conv.options.normalize ? 1 / Float(c * conv.kernelH * conv.kernelW) : 1,
          relu: relu, pool: pool, capacities: trainingCapacities, training: trainingBatch > 0)
        ops.append(op)
        (c, h, w) = (conv.filters, op.pooledHeight, op.pooledWidth)
      case .pool(let mode, _, _, _):
        guard let geometry = row.geometry, flat == nil else {
          preconditionFailure("\(row.text) needs (C, H, W) input and its geometry from the plan")
        }
        precondition([geometry.rows.input, geometry.cols.input] == [h, w], "\(geometry) is not for \(h)x\(w)")
        let op = FastPoolOp(
          channels: c, geometry: geometry, isMax: mode == .max, capacities: trainingCapacities)
        ops.append(op)
        (h, w) = (op.outputHeight, op.outputWidth)
      case .activation:
        break
      case .flatten:
        flat = c * h * w
      case .dropout(let p):
        ops.append(
          FastDropoutOp(
            probability: p, size: flat ?? c * h * w, seed: Dropout.maskSeed(maskSeed, layer: row.index),
            trainingBatch: trainingBatch, lanes: lanes))
      case .dense(let units, _, let bias):
        ops.append(
          FastDenseOp(
            inputs: flat ?? c * h * w, outputs: units, bias: bias, trainingBatch: trainingBatch,
            lanes: lanes))
        flat = units
      }
      if activation != .identity { ops.append(FastActivationOp(activation, size: flat ?? c * h * w)) }
    }
    precondition(!ops.isEmpty, "the fast path needs at least one layer that computes something")
    self.ops = ops
    workPerImage = Self.work(of: ops)
    classes = flat ?? c * h * w
    parameters = ops.flatMap { $0.parameters }
    parameterCount = parameters.reduce(0) { $0 + $1.count }
    denseWeightCount = ops.compactMap { ($0 as? FastDenseOp)?.weights.count }.reduce(0, +)
    laneGradientCount = ops.filter { !($0 is FastDenseOp) }.flatMap(\.parameters).reduce(0) { $0 + $1.count }
    activations = capacities.map { n in ops.map { FastBuffer(count: $0.outputSize * n) } }
    let widest = ops.map { max($0.inputSize, $0.outputSize) }.max() ?? 0
    gradients = trainingCapacities.map { n in (0..<2).map { _ in FastBuffer(count: widest * n) } }
    losses = FastBuffer(count: lanes)
    corrects = FastBuffer(count: lanes)
  }

  /// Floats per input image.
  public var imageSize: Int { inputShape.reduce(1, *) }

  /// The thread count to use when nobody chose one: the cores this process may run on.
  public static var defaultThreads: Int { FastWorkers.machineThreads }

  /// The most threads a network may be compiled for. Each is an OS thread with its own copy of
  /// the activations and gradients; more than this is a typing mistake, not a machine.
  public static let maximumThreads = 256

  private static func work(of ops: [FastOp]) -> Int {
    ops.reduce(0) { total, op in
    if let conv = op as? FastConvOp {
      let g = conv.geometry
      return total + g.filters * g.outputHeight * g.outputWidth * g.channels * g.taps
    }
    if let dense = op as? FastDenseOp { return total + dense.inputs * dense.outputs }
    return total
    }
  }

  /// How many lanes a batch of `count` images is split over: as many as `threads` allows while
  /// each lane gets at least one image and `minimumLaneWork` multiply-adds. The choice depends
  /// only on the network, the batch size and `threads`, so runs stay reproducible.
  func lanes(for count: Int) -> Int {
    guard threads > 1, count > 1 else { return 1 }
    let (work, overflow) = workPerImage.multipliedReportingOverflow(by: count)
    let worth = overflow || minimumLaneWork <= 0 ? Int.max : work / minimumLaneWork
    return max(1, min(threads, count, worth))
  }

  private func forward(lane l: Int, images: UnsafePointer<Float>, count: Int, training: Bool) {
    var input = images
    for (k, op) in ops.enumerated() {
      let output = activations[l][k].pointer
      op.forward(lane: l, input: input, output: output, images: count, training: training)
      input = UnsafePointer(output)
    }
  }

  /// One training step's gradients: forward, softmax cross-entropy (mean over the batch),
  /// backward. Gradients are *added* to `parameters` (call `zeroGradients()` first); returns
  /// the mean loss. `labels` are class indices.
  @discardableResult
  public func accumulateGradients(
    images: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int
  ) -> Float {
    precondition(
      count >= 1 && count <= trainingBatch,
      "batch of \(count) is outside 1...\(trainingBatch), the sizes this network was built for")
    for op in ops { op.prepare() }
    let active = lanes(for: count)
    for op in ops { op.beginTraining(images: count, lanes: active) }
    job = .train(images: images, labels: labels, count: count, lanes: active)
    workers.run(lanes: active, self)
    let floats = SizeLimits.product([laneGradientCount, active]) ?? .max
    let products = SizeLimits.product([denseWeightCount, count]) ?? .max
    if active > 1 && (SizeLimits.sum([floats, products]) ?? .max) >= minimumParallelWork {
      job = .finish(lanes: active)
      workers.run(lanes: active, self)
    } else {
      for op in ops { op.finishGradients(lanes: active, part: 0, of: 1) }
    }
    job = nil
    var total: Float = 0
    var correct: Float = 0
    for l in 0..<active {
      total += losses.pointer[l]
      correct += corrects.pointer[l]
    }
    lastBatchCorrect = Int(correct)
    return total / Float(count)
  }

  /// The pass the lanes are running, set by the caller around `workers.run` (a stored value
  /// rather than a closure, so a step allocates nothing).
  private enum Job {
    case train(images: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int, lanes: Int)
    case infer(images: UnsafePointer<Float>, count: Int, output: UnsafeMutablePointer<Float>, lanes: Int)
    /// Finishing the gradients of a step split over `lanes` lanes, one range of each per lane.
    case finish(lanes: Int)
    /// Zeroing the gradients over `lanes` lanes, one range of each parameter per lane.
    case zero(lanes: Int)
    /// The optimiser update over `lanes` lanes, one range of each parameter per lane.
    case update(Optimizer, frozen: Range<Int>, lanes: Int)
  }
  private var job: Job?

  func runLane(_ l: Int) {
    switch job {
    case .train(let images, let labels, let count, let active):
      trainLane(l, images: images, labels: labels, count: count, active: active)
    case .infer(let images, let count, let output, let active):
      let range = laneShare(count, part: l, of: active)
      forward(lane: l, images: images + range.lowerBound * imageSize, count: range.count, training: false)
      (output + range.lowerBound * classes)
        .update(from: activations[l][ops.count - 1].pointer, count: range.count * classes)
    case .finish(let active):
      for op in ops { op.finishGradients(lanes: active, part: l, of: active) }
    case .zero(let active):
      for p in parameters {
        let r = laneShare(p.count, part: l, of: active)
        (p.grad.pointer + r.lowerBound).update(repeating: 0, count: r.count)
      }
    case .update(let optimizer, let frozen, let active):
      update(optimizer, frozen: frozen, part: l, of: active)
    case nil:
      break
    }
  }

  /// One lane's share of a training step: forward, loss, backward on its slice of the batch.
  private func trainLane(
    _ l: Int, images: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int, active: Int
  ) {
    let scale = 1 / Float(count)
    let range = laneShare(count, part: l, of: active)
    let n = range.count  // at least 1: `lanes(for:)` never uses more lanes than images
    let x = images + range.lowerBound * imageSize
    forward(lane: l, images: x, count: n, training: true)
    // Softmax cross-entropy on the logits; its gradient is (softmax - onehot) / batch.
    let logits = activations[l][ops.count - 1].pointer
    var dOut = gradients[l][0].pointer
    var loss: Float = 0
    var correct = 0
    for i in 0..<n {
      let label = Int(labels[range.lowerBound + i])
      let row = softmaxCrossEntropy(
        logits + i * classes, count: classes, label: label, scale: scale,
        gradient: dOut + i * classes)
      loss += row.loss
      if row.predicted == label { correct += 1 }
    }
    losses.pointer[l] = loss
    corrects.pointer[l] = Float(correct)
    var turn = 0
    for k in stride(from: ops.count - 1, through: 0, by: -1) {
      let input = k == 0 ? x : UnsafePointer(activations[l][k - 1].pointer)
      let dIn: UnsafeMutablePointer<Float>? = k == 0 ? nil : gradients[l][1 - turn].pointer
      ops[k].backward(
        lane: l, input: input, output: activations[l][k].pointer, dOutput: dOut, dInput: dIn,
        images: n)
      if let dIn {
        dOut = dIn
        turn = 1 - turn
      }
    }
  }

  /// Sets every parameter's gradient to zero.
  public func zeroGradients() {
    job = .zero(lanes: parameterLanes)
    workers.run(lanes: parameterLanes, self)
    job = nil
  }

  /// How many threads a pass over every parameter (zeroing, the update) is shared out over.
  private var parameterLanes: Int { parameterCount >= minimumParallelWork ? threads : 1 }

  /// Forgets the optimiser's state (momentum, Adam's moments and step count), as a freshly made
  /// optimiser starts; the next `update` begins from zero.
  public func resetOptimizerState() {
    for p in parameters {
      p.steps = 0
      p.moment1 = nil
      p.moment2 = nil
    }
  }

  /// Applies one step of `optimizer` from the accumulated gradients, with the state it keeps
  /// (allocated at its first step, zero). The parameters at indices in `frozen` are left as
  /// they are, values and optimiser state alike.
  public func update(_ optimizer: Optimizer, frozen: Range<Int> = 0..<0) {
    for (i, p) in parameters.enumerated() where !frozen.contains(i) {
      if optimizer.moments >= 1 && p.moment1 == nil { p.moment1 = FastBuffer(count: p.count) }
      if optimizer.moments >= 2 && p.moment2 == nil { p.moment2 = FastBuffer(count: p.count) }
      p.steps += 1
    }
    job = .update(optimizer, frozen: frozen, lanes: parameterLanes)
    workers.run(lanes: parameterLanes, self)
    job = nil
  }

  /// Part `part` of `parts` of every parameter not in `frozen`, through one optimiser step
  /// (each element's update is independent of the others, so the parts may run at once).
  private func update(_ optimizer: Optimizer, frozen: Range<Int>, part: Int, of parts: Int) {
    for (i, p) in parameters.enumerated() where !frozen.contains(i) {
      let r = laneShare(p.count, part: part, of: parts)
      optimizer.update(
        step: p.steps, values: p.value.pointer + r.lowerBound, gradients: p.grad.pointer + r.lowerBound,
        moment1: p.moment1.map { $0.pointer + r.lowerBound },
        moment2: p.moment2.map { $0.pointer + r.lowerBound }, count: r.count)
    }
  }

  /// One full training step: zero, accumulate, update. Returns the mean loss.
  @discardableResult
  public func train(
    images: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int,
    optimizer: Optimizer, frozen: Range<Int> = 0..<0
  ) -> Float {
    zeroGradients()
    let loss = accumulateGradients(images: images, labels: labels, count: count)
    update(optimizer, frozen: frozen)
    return loss
  }

  /// The logits `(count, classes)` for up to `inferenceBatch` images, written to `output`.
  public func logits(images: UnsafePointer<Float>, count: Int, into output: UnsafeMutablePointer<Float>) {
    precondition(
      count >= 0 && count <= inferenceBatch,
      "batch of \(count) is outside 0...\(inferenceBatch), the sizes this network was built for")
    if count == 0 { return }
    for op in ops { op.prepare() }
    let active = lanes(for: count)
    job = .infer(images: images, count: count, output: output, lanes: active)
    workers.run(lanes: active, self)
    job = nil
  }
}
