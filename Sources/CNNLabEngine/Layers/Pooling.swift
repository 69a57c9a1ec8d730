// N = batch, C = channels, H/W = input size, OH/OW = output size.

/// Max or average pooling: `(N, C, H, W)` → `(N, C, OH, OW)` with a `size`×`size` window moving
/// by `stride`; ceil mode keeps the partial windows at the right and bottom edges. No parameters.
public struct Pool2D: Layer {
  public let mode: PoolMode
  public let size: Int
  public let stride: Int
  public let ceil: Bool
  private var input: Tensor?  // (N, C, H, W): backward finds each window's maximum again

  public init(_ mode: PoolMode, size: Int, stride: Int? = nil, ceil: Bool = false) {
    self.mode = mode
    self.size = size
    self.stride = stride ?? size
    self.ceil = ceil
  }

  public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 3 else {
      throw ShapeError("pooling needs an image input (C, H, W), not \(shapeText(inputShape))")
    }
    let g = try ConvGeometry.pooling(
      inputH: inputShape[1], inputW: inputShape[2], size: size, stride: stride, ceil: ceil)
    return [inputShape[0], g.rows.output, g.cols.output]
  }

  /// The reference executor's pooling: each example through `Reference.pool`.
  public mutating func forward(_ input: Tensor) -> Tensor {
    self.input = input
    let (size, stride, ceil, mode) = (size, stride, ceil, mode)
    let shape: [Int]
    do { shape = try outputShape(for: input.exampleShape) } catch {
      preconditionFailure("Pool2D.forward: \(error) (check shapes with outputShape first)")
    }
    return input.mapExamples(to: shape, "Pool2D.forward") { _, x throws(ShapeError) in
      try Reference.pool(input: x, size: size, stride: stride, ceil: ceil, mode: mode)
    }
  }

  /// Each example through `Reference.poolBackward`.
  public mutating func backward(_ dOutput: Tensor) -> Tensor {
    guard let input else { preconditionFailure("Pool2D.backward called before forward") }
    let (size, stride, ceil, mode) = (size, stride, ceil, mode)
    return input.mapExamples(to: input.exampleShape, "Pool2D.backward") { b, x throws(ShapeError) in
      try Reference.poolBackward(
        input: x, size: size, stride: stride, ceil: ceil, mode: mode, dOutput: dOutput.slice(b))
    }
  }
}
