#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// N = batch, K = classes.

/// Softmax followed by cross-entropy, averaged over the batch, in one numerically stable step.
public enum SoftmaxCrossEntropy {
  /// The mean loss of `logits` `(N, K)` against `labels`, the gradient with respect to the
  /// logits, `(softmax − onehot)/N`, and the probabilities.
  public static func evaluate(logits: Tensor, labels: [Int]) -> (
    loss: Float, dLogits: Tensor, probabilities: Tensor
  ) {
    precondition(logits.rank == 2, "logits must be (N, K), not \(logits.shape)")
    let (n, k) = (logits.shape[0], logits.shape[1])
    precondition(labels.count == n, "\(n) logit rows but \(labels.count) labels")
    var probabilities = Tensor.zeros([n, k])
    var dLogits = Tensor.zeros([n, k])
    var total: Double = 0
    for b in 0..<n {
      let row = Array(logits.scalars[b * k..<(b + 1) * k])
      let label = labels[b]
      precondition(label >= 0 && label < k, "label \(label) outside \(k) classes")
      let top = row.max() ?? 0
      var sum: Float = 0
      for z in row { sum += expf(z - top) }  // shifting by the max keeps e^z finite
      // −log p = log Σ e^(z−top) + (top − z_label): adding `top` back to the log first would
      // round it to the float spacing at |top| (6e-5 at 1000) and lose small losses
      total += Double(logf(sum) + (top - row[label]))
      for j in 0..<k {
        let p = expf(row[j] - top) / sum
        probabilities.scalars[b * k + j] = p
        dLogits.scalars[b * k + j] = (p - (j == label ? 1 : 0)) / Float(n)
      }
    }
    return (Float(total / Double(max(n, 1))), dLogits, probabilities)
  }
}
