import CNNLabEngine

/// The gradient of `f` at `x` by central differences: (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h for
/// every element i.
///
/// The engine computes in fp32, so `f` runs in fp32 and only its result is widened: choose `h`
/// around 1e-2 (a smaller step drowns the difference in rounding; fp32 noise in `f` of size ε
/// gives errors of about ε/h). The step actually taken is the difference of the two
/// perturbed Floats, so rounding of x ± h does not bias the quotient. For piecewise-linear
/// functions (ReLU, max pooling, convolution) the quotient is exact as long as no kink lies
/// within h of `x`: keep inputs away from ties and zeros by more than h.
public func numericalGradient(
  at x: Tensor, step h: Float = 1e-2, of f: (Tensor) -> Double
) -> Tensor {
  var gradient = Tensor.zeros(like: x)
  var probe = x
  for i in x.scalars.indices {
    let original = x.scalars[i]
    let up = original + h
    let down = original - h
    probe.scalars[i] = up
    let fUp = f(probe)
    probe.scalars[i] = down
    let fDown = f(probe)
    probe.scalars[i] = original
    gradient.scalars[i] = Float((fUp - fDown) / (Double(up) - Double(down)))
  }
  return gradient
}

/// `numericalGradient` for a function computed as a Float.
public func numericalGradient(
  at x: Tensor, step h: Float = 1e-2, of f: (Tensor) -> Float
) -> Tensor {
  numericalGradient(at: x, step: h) { (t: Tensor) -> Double in Double(f(t)) }
}

/// Σ a·b over matching elements, accumulated in Double: the loss L = Σ y·G whose gradient with
/// respect to y is G, the usual way to check a backward pass against any upstream gradient.
public func dot(_ a: Tensor, _ b: Tensor) -> Double {
  precondition(a.shape == b.shape, "dot of \(a.shape) and \(b.shape)")
  var total = 0.0
  for i in a.scalars.indices { total += Double(a.scalars[i]) * Double(b.scalars[i]) }
  return total
}
