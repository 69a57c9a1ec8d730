#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// N = batch, K = classes.

/// The engine's one softmax, for one row of `count` logits `z`: writes
/// `scale · e^(z − top)/Σ e^(z − top)` to `output` (or only sums when it is nil) and returns
/// `log Σ e^(z − top)`, the largest logit `top` and the index of the first largest one.
///
/// Shifting by the largest logit keeps every power finite (e^0 = 1 at the top, so the sum is
/// at least 1), and −log p = log Σ e^(z − top) + (top − z_label) follows without forming p: adding
/// `top` back to the log first would round it to the float spacing at |top| (6e-5 at 1000)
/// and lose small losses. Every softmax and cross-entropy of the engine comes from here: the fast
/// executor's loss, `SoftmaxCrossEntropy` and the public `softmax` and `crossEntropy`.
@inline(__always)
func softmaxRow(
  _ z: UnsafePointer<Float>, count: Int, scale: Float = 1, into output: UnsafeMutablePointer<Float>?
) -> (logSum: Float, top: Float, argmax: Int) {
  var top = z[0]
  var best = 0
  for k in 1..<count where z[k] > top {
    top = z[k]
    best = k
  }
  var sum: Float = 0
  if let p = output {
    for k in 0..<count {
      p[k] = expf(z[k] - top)
      sum += p[k]
    }
    let inverse = 1 / sum
    for k in 0..<count { p[k] = p[k] * inverse * scale }
  } else {
    for k in 0..<count { sum += expf(z[k] - top) }
  }
  return (logf(sum), top, best)
}

/// Softmax followed by cross-entropy on one row: the loss −log p(label), and `scale · (softmax
/// − onehot)`, its gradient with respect to the logits, written to `gradient`. Returns the loss
/// and the predicted class.
@inline(__always)
func softmaxCrossEntropy(
  _ z: UnsafePointer<Float>, count: Int, label: Int, scale: Float,
  gradient: UnsafeMutablePointer<Float>?
) -> (loss: Float, predicted: Int) {
  precondition(label >= 0 && label < count, "label \(label) outside \(count) classes")
  let row = softmaxRow(z, count: count, scale: scale, into: gradient)
  gradient?[label] -= scale
  return (row.logSum - (z[label] - row.top), row.argmax)
}

/// Softmax followed by cross-entropy, averaged over the batch, in one numerically stable step.
public enum SoftmaxCrossEntropy {
  /// The mean loss of `logits` `(N, K)` against `labels` and the gradient with respect to the
  /// logits, `(softmax − onehot)/N`.
  public static func evaluate(logits: Tensor, labels: [Int]) -> (loss: Float, dLogits: Tensor) {
    precondition(logits.rank == 2, "logits must be (N, K), not \(logits.shape)")
    let (n, k) = (logits.shape[0], logits.shape[1])
    precondition(labels.count == n, "\(n) logit rows but \(labels.count) labels")
    var dLogits = Tensor.zeros([n, k])
    var total: Double = 0
    logits.scalars.withStart { z in
      dLogits.scalars.withMutableStart { d in
        for b in 0..<n {
          total += Double(
            softmaxCrossEntropy(
              z + b * k, count: k, label: labels[b], scale: 1 / Float(n), gradient: d + b * k
            ).loss)
        }
      }
    }
    return (Float(total / Double(max(n, 1))), dLogits)
  }
}
