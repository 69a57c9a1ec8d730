import CNNLabEngine
import Foundation

// Each operation checks what the engine would reject (with a lesson-level message), then calls
// the engine's reference code and keeps its trace. Nothing here re-implements a convolution.

extension LessonRun {
  mutating func perform(_ operation: StepOperation) throws(EvalError) -> Animation {
    let output = operation.output.name
    switch operation.kind {
    case .convolve(let convolve):
      let animation = try self.convolve(convolve, operation: operation)
      values[output] = .grid(animation.output, unscaled: nil, scale: nil)
      workings[output] = animation.working
      return .convolution(animation)
    case .pool(let pool):
      let animation = try self.pool(pool, operation: operation)
      values[output] = .grid(animation.output, unscaled: nil, scale: nil)
      workings[output] = animation.working
      return .pooling(animation)
    case .relu(let name):
      let input = try grid(name)
      let result = input.activated(.relu)
      values[output] = .grid(result, unscaled: nil, scale: nil)
      return .relu(input: input, output: result, names: OperandNames(input: name.name, output: output))
    case .flatten(let name):
      let input = try grid(name)
      let result = input.reshaped([input.count])
      values[output] = .grid(result, unscaled: nil, scale: nil)
      return .flatten(input: input, output: result, names: OperandNames(input: name.name, output: output))
    case .dense(let dense):
      let animation = try self.dense(dense, output: output)
      values[output] = .grid(animation.output, unscaled: nil, scale: nil)
      labels[output] = animation.classes.map(\.label)
      return .dense(animation)
    case .softmax(let name):
      let logits = try grid(name).scalars
      guard !logits.isEmpty else {
        throw EvalError(location: name.location, message: "'\(name.name)' is empty", note: "softmax needs scores")
      }
      let probabilities = CNNLabEngine.softmax(logits)
      let largest = logits.max() ?? 0
      // e^z for the display; computed after subtracting the largest score when e^z would overflow.
      let shift = largest > 80 ? largest : 0
      let exponentials = logits.map { Float(exp(Double($0 - shift))) }
      let total = exponentials.reduce(0, +)
      let result = Tensor(vector: probabilities)
      values[output] = .grid(result, unscaled: nil, scale: nil)
      labels[output] = labels[name.name]
      return .softmax(
        SoftmaxAnimation(
          inputName: name.name, outputName: output, logits: logits, exponentials: exponentials,
          total: total, probabilities: probabilities))
    case .crossEntropy(let name, let target):
      let animation = try crossEntropy(name, target: target, output: output)
      values[output] = .number(Double(animation.loss))
      return .crossEntropy(animation)
    case .learn(let learn):
      let animation = try self.learn(learn, output: output)
      values[output] = .grid(animation.updated, unscaled: nil, scale: nil)
      values[output + ".output"] = .grid(animation.output, unscaled: nil, scale: nil)
      values[output + ".error"] = .number(Double(animation.error))
      values[output + ".dout"] = .grid(animation.dOutput, unscaled: nil, scale: nil)
      values[output + ".grad"] = .grid(animation.gradient, unscaled: nil, scale: nil)
      values[output + ".updated"] = .grid(animation.updated, unscaled: nil, scale: nil)
      return .learning(animation)
    case .layers(let name):
      guard case .network(let network) = try value(name, part: nil) else {
        throw EvalError(
          location: name.location, message: "'\(name.name)' is not a network",
          note: "declare it with 'network \(name.name) 1x28x28' ... 'end'")
      }
      values[output] = .network(network)
      workings[output] = network.sizeWorkings
      return .layers(network)
    case .layoutHWC(let name):
      let input = try grid(name)
      guard input.rank == 3 else {
        throw EvalError(
          location: name.location, message: "'\(name.name)' is \(shapeText(input.shape)); 'layout' needs channels x rows x columns",
          note: "use a grid with channels, like 3x2x2")
      }
      let (c, h, w) = (input.shape[0], input.shape[1], input.shape[2])
      var scalars: [Float] = []
      scalars.reserveCapacity(input.count)
      for y in 0..<h {
        for x in 0..<w {
          for k in 0..<c { scalars.append(input.scalars[(k * h + y) * w + x]) }
        }
      }
      let result = Tensor(shape: [h, w, c], scalars: scalars)
      values[output] = .grid(result, unscaled: nil, scale: nil)
      return .layout(input: input, output: result, names: OperandNames(input: name.name, output: output))
    case .channel(let name, let index):
      let input = try grid(name)
      guard input.rank == 3 else {
        throw EvalError(
          location: name.location, message: "'\(name.name)' is \(shapeText(input.shape)) and has no channels",
          note: "use a grid written channels x rows x columns")
      }
      guard index < input.shape[0] else {
        throw EvalError(
          location: operation.location, message: "'\(name.name)' has \(input.shape[0]) channels, so there is no channel \(index)",
          note: "channels count from 0 to \(input.shape[0] - 1)")
      }
      let result = input.slice(index)
      values[output] = .grid(result, unscaled: nil, scale: nil)
      return .channel(input: input, index: index, output: result, names: OperandNames(input: name.name, output: output))
    }
  }

  // MARK: - Convolution

  func convolve(_ written: ConvolveOperation, operation: StepOperation) throws(EvalError) -> ConvolutionAnimation {
    let c = try settled(written)
    let input = try grid(c.input)
    var kernels: [Tensor] = []
    for name in c.kernels { kernels.append(try grid(name)) }
    let first = kernels[0]
    for (name, kernel) in zip(c.kernels, kernels) where kernel.shape != first.shape {
      throw EvalError(
        location: name.location,
        message: "kernel '\(name.name)' is \(shapeText(kernel.shape)) but '\(c.kernels[0].name)' is \(shapeText(first.shape))",
        note: "kernels convolved together must have one shape")
    }
    let filters = kernels.count
    guard c.bias.isEmpty || c.bias.count == 1 || c.bias.count == filters else {
      throw EvalError(
        location: operation.location, message: "\(c.bias.count) biases for \(filters) kernels",
        note: "give one bias, or one per kernel")
    }
    let bias: [Float]? =
      c.bias.isEmpty ? nil : (c.bias.count == 1 ? [Float](repeating: Float(c.bias[0].value), count: filters) : c.bias.map { Float($0.value) })
    let mode: KernelMode = c.flip ? .convolve : .correlate
    let activation: Activation = c.relu ? .relu : .identity
    let oneDimensional = input.rank == 1
    let channels: Int
    let height: Int
    let width: Int
    let kernelH: Int
    let kernelW: Int
    if oneDimensional {
      guard first.rank == 1 else {
        throw EvalError(
          location: c.kernels[0].location,
          message: "'\(c.input.name)' is a row of \(input.count) values, so its kernel must be a row too, not \(shapeText(first.shape))",
          note: "declare the kernel with one size, like 'kernel \(c.kernels[0].name) 2'")
      }
      (channels, height, width, kernelH, kernelW) = (1, 1, input.shape[0], 1, first.shape[0])
    } else {
      channels = input.rank == 3 ? input.shape[0] : 1
      height = input.shape[input.rank - 2]
      width = input.shape[input.rank - 1]
      switch first.rank {
      case 2:
        guard channels == 1 else {
          throw EvalError(
            location: c.kernels[0].location,
            message: "'\(c.input.name)' has \(channels) channels but kernel '\(c.kernels[0].name)' has one",
            note: "declare the kernel as \(channels)x\(first.shape[0])x\(first.shape[1]): one slice per channel")
        }
      case 3:
        guard first.shape[0] == channels else {
          throw EvalError(
            location: c.kernels[0].location,
            message: "kernel '\(c.kernels[0].name)' has \(first.shape[0]) channels but '\(c.input.name)' has \(channels)",
            note: "give the kernel one slice per channel of its input")
        }
      default:
        throw EvalError(
          location: c.kernels[0].location,
          message: "kernel '\(c.kernels[0].name)' is a row of \(first.count) values but '\(c.input.name)' is a \(shapeText(input.shape)) grid",
          note: "declare the kernel with rows and columns, like 'kernel \(c.kernels[0].name) 3x3'")
      }
      kernelH = first.shape[first.rank - 2]
      kernelW = first.shape[first.rank - 1]
    }
    var options = ConvOptions(
      strideH: oneDimensional ? 1 : c.strideRows, strideW: c.strideCols, mode: mode, normalize: c.normalize)
    options.dilationH = oneDimensional ? 1 : c.dilationRows
    options.dilationW = c.dilationCols
    switch c.padding {
    case .valid: options.padding = .valid
    case .same:
      if oneDimensional {
        let (before, after) = ConvGeometry.samePadding(
          input: width, kernel: kernelW, stride: c.strideCols, dilation: c.dilationCols)
        options.padding = .explicit(top: 0, bottom: 0, left: before, right: after)
      } else {
        options.padding = .same
      }
    case .explicit(let rows, let cols):
      options.padding = .explicit(
        top: oneDimensional ? 0 : rows, bottom: oneDimensional ? 0 : rows, left: cols, right: cols)
    }
    let geometry: ConvGeometry
    do {
      geometry = try ConvGeometry.convolution(
        inputH: height, inputW: width, kernelH: kernelH, kernelW: kernelW, options: options)
    } catch {
      let size = oneDimensional ? "\(kernelW)" : "\(kernelH)x\(kernelW)"
      let inputSize = "\(width)"
      let message = oneDimensional ? error.message.replacingOccurrences(of: "conv 1x\(kernelW) does not fit a 1x\(width) input", with: "conv \(size) does not fit a row of \(inputSize)") : error.message
      // The least padding that lets one window fit: N + 2P ≥ D·(F − 1) + 1 on each axis.
      let spanH = options.dilationH * (kernelH - 1) + 1
      let spanW = options.dilationW * (kernelW - 1) + 1
      let padding = max((spanH - height + 1) / 2, (spanW - width + 1) / 2, 1)
      let needed = oneDimensional ? "\(spanW)" : "\(spanH)x\(spanW)"
      throw EvalError(
        location: operation.location, message: message,
        note: "add 'padding \(padding)', or use a grid at least \(needed)")
    }
    let taps = geometry.rows.output * geometry.cols.output * filters * channels * kernelH * kernelW
    guard taps <= maxTracedTaps else {
      throw EvalError(
        location: operation.location, message: "this convolution has \(taps) multiplications, too many to show",
        note: "use smaller grids, less padding or a larger stride")
    }
    let weights = Tensor(
      shape: [filters, channels, kernelH, kernelW], scalars: kernels.flatMap(\.scalars))
    let engineInput = input.reshaped([channels, height, width])
    let trace: ConvTrace
    do {
      trace = try Reference.conv2DTrace(
        input: engineInput, weights: weights, bias: bias, options: options, activation: activation)
    } catch {
      throw EvalError(location: operation.location, message: error.message, note: "check the shapes of the grid and kernel")
    }
    let (oh, ow) = (geometry.rows.output, geometry.cols.output)
    let output: Tensor
    if oneDimensional {
      output = filters == 1 ? trace.output.reshaped([ow]) : trace.output.reshaped([filters, ow])
    } else {
      output = filters == 1 ? trace.output.reshaped([oh, ow]) : trace.output
    }
    return ConvolutionAnimation(
      inputName: c.input.name, kernelNames: c.kernels.map(\.name), outputName: operation.output.name,
      input: input, kernels: kernels, trace: trace, output: output, isOneDimensional: oneDimensional,
      working: working(geometry, oneDimensional: oneDimensional))
  }

  /// The output-size formula per axis, and the input cells no window reaches.
  func working(_ geometry: ConvGeometry, oneDimensional: Bool) -> [String] {
    var lines: [String] = []
    if oneDimensional {
      lines.append("length: \(geometry.cols.working)")
      if !geometry.cols.unusedInputs.isEmpty {
        lines.append("unused: \(geometry.cols.unusedInputs.map(String.init).joined(separator: ", "))")
      }
      return lines
    }
    lines.append("rows: \(geometry.rows.working)")
    lines.append("columns: \(geometry.cols.working)")
    if !geometry.rows.unusedInputs.isEmpty {
      lines.append("unused rows: \(geometry.rows.unusedInputs.map(String.init).joined(separator: ", "))")
    }
    if !geometry.cols.unusedInputs.isEmpty {
      lines.append("unused columns: \(geometry.cols.unusedInputs.map(String.init).joined(separator: ", "))")
    }
    return lines
  }

  // MARK: - Pooling

  func pool(_ p: PoolOperation, operation: StepOperation) throws(EvalError) -> PoolingAnimation {
    let input = try grid(p.input)
    guard input.rank == 2 || input.rank == 3 else {
      throw EvalError(
        location: p.input.location, message: "'\(p.input.name)' is a row of values; pooling needs rows and columns",
        note: "pool a 2-D map (or channels of maps)")
    }
    let channels = input.rank == 3 ? input.shape[0] : 1
    let height = input.shape[input.rank - 2]
    let width = input.shape[input.rank - 1]
    let geometry: ConvGeometry
    do {
      geometry = try ConvGeometry.pooling(inputH: height, inputW: width, size: p.size, stride: p.stride, ceil: p.ceil)
    } catch {
      throw EvalError(
        location: operation.location, message: error.message,
        note: "use a window no larger than \(height)x\(width)")
    }
    let cells = geometry.rows.output * geometry.cols.output * channels * p.size * p.size
    guard cells <= maxTracedTaps else {
      throw EvalError(
        location: operation.location, message: "this pooling visits \(cells) cells, too many to show",
        note: "use a smaller grid")
    }
    let trace: PoolTrace
    do {
      trace = try Reference.poolTrace(
        input: input.reshaped([channels, height, width]), size: p.size, stride: p.stride, ceil: p.ceil,
        mode: p.kind == .max ? .max : .avg)
    } catch {
      throw EvalError(location: operation.location, message: error.message, note: "check the pool's size")
    }
    let output =
      input.rank == 2 ? trace.output.reshaped([geometry.rows.output, geometry.cols.output]) : trace.output
    return PoolingAnimation(
      inputName: p.input.name, outputName: operation.output.name, input: input, trace: trace, output: output,
      working: working(geometry, oneDimensional: false))
  }

  // MARK: - Dense, softmax, cross-entropy

  func dense(_ d: DenseOperation, output: String) throws(EvalError) -> DenseAnimation {
    let input = try grid(d.input)
    guard d.bias.isEmpty || d.bias.count == d.weights.count else {
      throw EvalError(
        location: d.input.location, message: "\(d.bias.count) biases for \(d.weights.count) classes",
        note: "give one bias per weight grid")
    }
    var classes: [DenseAnimation.ClassScore] = []
    for (k, name) in d.weights.enumerated() {
      let weights = try grid(name)
      guard weights.count == input.count else {
        throw EvalError(
          location: name.location,
          message: "'\(name.name)' has \(weights.count) weights but '\(d.input.name)' has \(input.count) values",
          note: "give each class one weight per input value")
      }
      let products = zip(input.scalars, weights.scalars).map { $0 * $1 }
      let sum = products.reduce(0, +)
      let scale: Float = d.normalize ? 1 / Float(max(input.count, 1)) : 1
      let bias = d.bias.isEmpty ? 0 : Float(d.bias[k].value)
      classes.append(
        DenseAnimation.ClassScore(
          label: d.labels.isEmpty ? name.name : d.labels[k], weightName: name.name, weights: weights,
          products: products, sum: sum, scale: scale, bias: bias, score: sum * scale + bias))
    }
    return DenseAnimation(
      inputName: d.input.name, outputName: output, input: input, classes: classes,
      output: Tensor(vector: classes.map(\.score)))
  }

  func crossEntropy(_ name: NameReference, target: CrossEntropyTarget, output: String) throws(EvalError)
    -> CrossEntropyAnimation
  {
    let probabilities = try grid(name).scalars
    var targetValues = [Float](repeating: 0, count: probabilities.count)
    var targetClass: Int?
    switch target {
    case .index(let k):
      guard k < probabilities.count else {
        throw EvalError(
          location: name.location, message: "'\(name.name)' has \(probabilities.count) classes, so there is no class \(k)",
          note: "classes count from 0 to \(probabilities.count - 1)")
      }
      targetValues[k] = 1
      targetClass = k
    case .grid(let t):
      let values = try grid(t).scalars
      guard values.count == probabilities.count else {
        throw EvalError(
          location: t.location, message: "'\(t.name)' has \(values.count) values but '\(name.name)' has \(probabilities.count)",
          note: "give the target one value per class")
      }
      targetValues = values
    }
    guard probabilities.allSatisfy({ $0 >= 0 && $0 <= 1.0001 }) else {
      throw EvalError(
        location: name.location, message: "'\(name.name)' holds values outside 0 to 1, so they are not probabilities",
        note: "apply 'softmax' first")
    }
    var terms: [Float] = []
    for (p, t) in zip(probabilities, targetValues) {
      guard t != 0 else {
        terms.append(0)
        continue
      }
      guard p > 0 else {
        throw EvalError(
          location: name.location, message: "the target class has probability 0, so the loss is infinite",
          note: "use probabilities from 'softmax', which are never 0")
      }
      terms.append(-t * Float(log(Double(p))))
    }
    return CrossEntropyAnimation(
      inputName: name.name, outputName: output, probabilities: probabilities, target: targetValues,
      targetClass: targetClass, terms: terms, loss: terms.reduce(0, +))
  }

  // MARK: - One gradient-descent step

  func learn(_ l: LearnOperation, output: String) throws(EvalError) -> LearningAnimation {
    let kernel = try grid(l.kernel)
    let input = try grid(l.input)
    let target = try grid(l.target)
    guard kernel.rank == 2 else {
      throw EvalError(
        location: l.kernel.location, message: "'learn' trains a 2-D kernel, not \(shapeText(kernel.shape))",
        note: "declare the kernel with rows and columns, like 2x2")
    }
    guard input.rank == 2 else {
      throw EvalError(
        location: l.input.location, message: "'learn' needs a 2-D input, not \(shapeText(input.shape))",
        note: "use a grid with rows and columns, like 3x3")
    }
    let options = ConvOptions()
    let geometry: ConvGeometry
    do {
      geometry = try ConvGeometry.convolution(
        inputH: input.shape[0], inputW: input.shape[1], kernelH: kernel.shape[0], kernelW: kernel.shape[1],
        options: options)
    } catch {
      throw EvalError(location: l.kernel.location, message: error.message, note: "use a kernel smaller than the input")
    }
    let outputShape = [geometry.rows.output, geometry.cols.output]
    guard target.shape == outputShape else {
      throw EvalError(
        location: l.target.location,
        message: "the target '\(l.target.name)' is \(shapeText(target.shape)) but the output is \(shapeText(outputShape))",
        note: "give one target value per output cell: \(shapeText(outputShape))")
    }
    guard input.count * kernel.count <= maxTracedTaps else {
      throw EvalError(location: l.input.location, message: "the grids are too large to show", note: "use small grids")
    }
    let engineInput = input.reshaped([1, input.shape[0], input.shape[1]])
    let weights = kernel.reshaped([1, 1, kernel.shape[0], kernel.shape[1]])
    let forward: ConvTrace
    var dWeights = Tensor.zeros(weights.shape)
    var dBias: [Float] = [0]
    let dOutput: Tensor
    do {
      forward = try Reference.conv2DTrace(input: engineInput, weights: weights, options: options)
      let h = forward.output.reshaped(outputShape)
      // E = ½ Σ (h − t)², so ∂E/∂h = h − t.
      dOutput = Tensor(shape: outputShape, scalars: zip(h.scalars, target.scalars).map { $0 - $1 })
      _ = try Reference.conv2DBackward(
        input: engineInput, weights: weights, options: options, dOutput: dOutput.reshaped([1] + outputShape),
        dWeights: &dWeights, dBias: &dBias)
    } catch {
      throw EvalError(location: l.kernel.location, message: error.message, note: "check the shapes")
    }
    let error = dOutput.scalars.reduce(0) { $0 + $1 * $1 } / 2
    let gradient = dWeights.reshaped(kernel.shape)
    var contributions = [[LearningAnimation.Contribution]](repeating: [], count: kernel.count)
    for placement in forward.placements {
      let g = dOutput.scalars[placement.outRow * outputShape[1] + placement.outCol]
      for tap in placement.taps {
        contributions[tap.kernelRow * kernel.shape[1] + tap.kernelCol].append(
          LearningAnimation.Contribution(
            outRow: placement.outRow, outCol: placement.outCol, dOutput: g, input: tap.input))
      }
    }
    let rate = Float(l.rate.value)
    let updated = Tensor(shape: kernel.shape, scalars: zip(kernel.scalars, gradient.scalars).map { $0 - rate * $1 })
    return LearningAnimation(
      kernelName: l.kernel.name, inputName: l.input.name, targetName: l.target.name, outputName: output,
      input: input, kernel: kernel, target: target, forward: forward, output: forward.output.reshaped(outputShape),
      error: error, dOutput: dOutput, gradient: gradient, contributions: contributions, rate: rate,
      updated: updated)
  }

  // MARK: - Networks

  /// Shapes and weight counts of a network, from the engine's planner.
  func planNetwork(_ network: NetworkDeclaration) throws(EvalError) -> LayersAnimation {
    let input = network.inputShape
    guard input.allSatisfy({ $0 >= 1 && $0 <= 4096 }), input.reduce(1, *) <= 10_000_000 else {
      throw EvalError(
        location: network.name.location, message: "the input \(shapeText(input)) is too large",
        note: "each size must be at most 4096 and the whole input at most 10,000,000 values")
    }
    let written = network.layers.filter { if case .layer = $0.kind { return true } else { return false } }
    for layer in written {
      guard case .layer(let spec) = layer.kind else { continue }
      if let problem = tooLarge(spec) {
        throw EvalError(location: layer.location, message: problem, note: "use smaller numbers in this layer")
      }
    }
    var rows: [LayersAnimation.Row] = []
    if !written.isEmpty {
      let text = written.map(\.text).joined(separator: " | ")
      let spec: NetworkSpec
      do {
        spec = try NetworkSpec.parse(text)
      } catch {
        throw EvalError(location: network.name.location, message: error.message, note: "check the layers")
      }
      do {
        for info in try Network.plan(spec: spec, inputShape: input) {
          rows.append(
            LayersAnimation.Row(
              text: info.text, inputShape: info.inputShape, outputShape: info.outputShape,
              parameterCount: info.parameterCount, parameterWorking: info.parameterWorking,
              isWritten: info.isWritten, sizeWorking: sizeWorking(info)))
        }
      } catch {
        let index = error.layerIndex - 1
        let location = written.indices.contains(index) ? written[index].location : network.name.location
        throw EvalError(
          location: location, message: error.message, note: "change this layer or the ones before it so the shapes fit")
      }
    }
    // Softmax lines keep the shape and have no weights.
    var result: [LayersAnimation.Row] = []
    var writtenIndex = 0
    for layer in network.layers {
      switch layer.kind {
      case .layer:
        while writtenIndex < rows.count {
          let row = rows[writtenIndex]
          result.append(row)
          writtenIndex += 1
          if row.isWritten { break }
        }
      case .softmax:
        let shape = result.last?.outputShape ?? input
        result.append(
          LayersAnimation.Row(
            text: "softmax", inputShape: shape, outputShape: shape, parameterCount: 0, parameterWorking: "0",
            isWritten: true, sizeWorking: nil))
      }
    }
    return LayersAnimation(networkName: network.name.name, inputShape: input, rows: result)
  }

  /// The output-size formula of a convolution or pooling layer: once when both axes agree,
  /// otherwise per axis.
  func sizeWorking(_ info: Network.LayerInfo) -> String? {
    let shape = info.inputShape
    let geometry: ConvGeometry?
    switch info.layer {
    case .conv(_, let kh, let kw, let options, _, _) where shape.count == 3:
      geometry = try? ConvGeometry.convolution(inputH: shape[1], inputW: shape[2], kernelH: kh, kernelW: kw, options: options)
    case .pool(_, let size, let stride, let ceil) where shape.count == 3:
      geometry = try? ConvGeometry.pooling(inputH: shape[1], inputW: shape[2], size: size, stride: stride, ceil: ceil)
    default:
      geometry = nil
    }
    guard let geometry else { return nil }
    if geometry.rows.working == geometry.cols.working { return geometry.rows.working }
    return "rows \(geometry.rows.working), columns \(geometry.cols.working)"
  }

  /// Why a layer's numbers are too large for the shape arithmetic, if they are.
  func tooLarge(_ spec: NetworkSpec.LayerSpec) -> String? {
    switch spec {
    case .conv(let filters, let kh, let kw, let options, _, _):
      if filters > 4096 || kh > 1024 || kw > 1024 { return "this conv layer is too large" }
      if case .explicit(let t, let b, let l, let r) = options.padding, max(t, b, l, r) > 64 {
        return "padding more than 64 is too large"
      }
      if options.strideH > 1024 || options.strideW > 1024 || options.dilationH > 64 || options.dilationW > 64 {
        return "this conv layer's stride or dilation is too large"
      }
    case .conv1d(let filters, let k, let stride, let dilation, let padding, _, _, _):
      if filters > 4096 || k > 1024 || stride > 1024 || dilation > 64 || padding > 64 {
        return "this conv1d layer is too large"
      }
    case .pool(_, let size, let stride, _):
      if size > 1024 || (stride ?? 1) > 1024 { return "this pooling layer is too large" }
    case .dense(let units, _, _):
      if units > 1_000_000 { return "a dense layer may have at most 1,000,000 units" }
    case .activation, .flatten:
      return nil
    }
    return nil
  }
}
