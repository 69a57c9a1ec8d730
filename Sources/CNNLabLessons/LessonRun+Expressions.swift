import CNNLabEngine
import Foundation

/// The value of an expression: a number, a grid or region, a shape, or a network.
enum ExpressionValue {
  case number(Double)
  case grid(Tensor)
  case shape([Int])
  case network(LayersAnimation)
  /// A class label, from `label(scores)`.
  case label(String)
}

/// The functions expressions may call, with what they take.
private let functionHelp = [
  "sum", "mean", "min", "max", "count", "argmax", "shape", "rows", "cols", "channels", "params",
  "floor", "ceil", "round", "abs", "sqrt", "ln", "exp", "label",
]

extension LessonRun {
  /// The value a name (and part) stands for.
  func value(_ name: NameReference, part: String?) throws(EvalError) -> LessonValue {
    let key = part.map { "\(name.name).\($0)" } ?? name.name
    if let value = values[key] { return value }
    if failed.contains(key) || failed.contains(name.name) {
      throw EvalError(location: name.location, message: "", note: "", isFollowOn: true)
    }
    if let part, values[name.name] != nil {
      let parts = values.keys.filter { $0.hasPrefix(name.name + ".") }
        .map { String($0.dropFirst(name.name.count + 1)) }.sorted()
      throw EvalError(
        location: name.location, message: "'\(name.name)' has no part '\(part)'",
        note: parts.isEmpty ? "only results of 'learn' have parts" : "its parts are: \(parts.joined(separator: ", "))")
    }
    throw unknownName(name)
  }

  /// "No such name", with a suggestion.
  func unknownName(_ name: NameReference) -> EvalError {
    if let later = laterDeclaration(of: name.name) {
      return EvalError(
        location: name.location, message: "'\(name.name)' is not available yet: it is declared at line \(later)",
        note: "move its declaration above this step")
    }
    let known = values.keys.filter { !$0.contains(".") }.sorted()
    let note: String
    if let suggestion = didYouMean(name.name, among: known) {
      note = suggestion
    } else if known.isEmpty {
      note = "declare it with 'grid', 'kernel' or an operation's '-> \(name.name)' before this line"
    } else {
      note = "declare it before this line; known names: \(known.prefix(8).joined(separator: ", "))"
    }
    return EvalError(location: name.location, message: "no grid, kernel or result named '\(name.name)'", note: note)
  }

  /// The line of a declaration or result named `name` that comes later in the file.
  func laterDeclaration(of name: String) -> Int? {
    if let grid = lesson.grids.first(where: { $0.name.name == name }) { return grid.name.location.line }
    if let kernel = lesson.kernels.first(where: { $0.name.name == name }) { return kernel.name.location.line }
    if let network = lesson.networks.first(where: { $0.name.name == name }) { return network.name.location.line }
    for step in lesson.steps {
      for statement in step.statements {
        switch statement.kind {
        case .operation(let operation) where operation.output.name == name: return operation.output.location.line
        case .compute(let n, _) where n.name == name: return n.location.line
        default: continue
        }
      }
    }
    return nil
  }

  /// The tensor a name stands for.
  func grid(_ name: NameReference) throws(EvalError) -> Tensor {
    switch try value(name, part: nil) {
    case .grid(let tensor, _, _): return tensor
    case .number:
      throw EvalError(
        location: name.location, message: "'\(name.name)' is a number, not a grid",
        note: "use a grid, a kernel or the result of an operation here")
    case .network:
      throw EvalError(
        location: name.location, message: "'\(name.name)' is a network, not a grid",
        note: "networks are used with 'layers', shape(NET, K) and params(NET)")
    }
  }

  /// Evaluates an expression that must give a number.
  func number(_ expression: Expression, what: String) throws(EvalError) -> Double {
    switch try evaluate(expression) {
    case .number(let n): return n
    case .grid(let t):
      throw EvalError(
        location: expression.location, message: "'\(expression)' is a \(shapeText(t.shape)) grid, not a number",
        note: "pick one cell, like \(expression)[0,0], or a total, like sum(\(expression))")
    case .shape(let s):
      throw EvalError(
        location: expression.location, message: "'\(expression)' is the shape \(shapeText(s)), not a number",
        note: "use rows(...), cols(...) or channels(...) for one size")
    case .network:
      throw EvalError(
        location: expression.location, message: "'\(expression)' is a network, not a number",
        note: "use params(...) or shape(NET, K)")
    case .label(let text):
      throw EvalError(
        location: expression.location, message: "'\(expression)' is the label \"\(text)\", not a number",
        note: "use argmax(...) for the class number")
    }
  }

  func evaluate(_ expression: Expression) throws(EvalError) -> ExpressionValue {
    switch expression {
    case .number(let n, _):
      return .number(n.value)
    case .reference(let name, let part, let index):
      let v = try value(name, part: part)
      switch v {
      case .number(let n):
        if index != nil {
          throw EvalError(
            location: name.location, message: "'\(name.name)' is a number and has no cells",
            note: "remove the [...] after it")
        }
        return .number(n)
      case .network(let n):
        if index != nil {
          throw EvalError(
            location: name.location, message: "'\(name.name)' is a network and has no cells",
            note: "use shape(\(name.name), K) or params(\(name.name))")
        }
        return .network(n)
      case .grid(let tensor, _, _):
        guard let index else { return .grid(tensor) }
        return try select(tensor, index, name: name)
      }
    case .call(let function, let arguments):
      return try call(function, arguments)
    case .binary(let op, let lhs, let rhs, let location):
      let a = try number(lhs, what: "arithmetic")
      let b = try number(rhs, what: "arithmetic")
      let result: Double
      switch op {
      case .add: result = a + b
      case .subtract: result = a - b
      case .multiply: result = a * b
      case .divide:
        guard b != 0 else {
          throw EvalError(
            location: location, message: "'\(expression)' divides by zero", note: "check the expression")
        }
        result = a / b
      }
      guard result.isFinite else {
        throw EvalError(location: location, message: "'\(expression)' is too large", note: "check the expression")
      }
      return .number(result)
    case .negate(let inner, _):
      return .number(-(try number(inner, what: "arithmetic")))
    case .comparison:
      throw EvalError(
        location: expression.location, message: "a comparison like '\(expression)' only works inside count(...)",
        note: "write count(\(expression)) for the number of cells that meet it")
    }
  }

  /// A cell (all positions given) or a region (some ranges or `*`).
  func select(_ tensor: Tensor, _ index: [IndexItem], name: NameReference) throws(EvalError) -> ExpressionValue {
    let shape = tensor.shape
    guard index.count == shape.count else {
      let example = shape.map { _ in "0" }.joined(separator: ",")
      throw EvalError(
        location: name.location,
        message: "'\(name.name)' is \(shapeText(shape)), so it takes \(shape.count) position(s), not \(index.count)",
        note: "write one position per axis, like \(name.name)[\(example)]")
    }
    var ranges: [ClosedRange<Int>] = []
    var keep: [Bool] = []
    for (axis, item) in index.enumerated() {
      let range: ClosedRange<Int>
      switch item {
      case .at(let i): range = i...i
      case .range(let a, let b): range = a...b
      case .all: range = 0...(shape[axis] - 1)
      }
      guard range.upperBound < shape[axis] else {
        let text = "\(name.name)[" + index.map(\.description).joined(separator: ",") + "]"
        throw EvalError(
          location: name.location, message: "\(text) is outside '\(name.name)', which is \(shapeText(shape))",
          note: "positions count from 0: \(axisName(axis, of: shape.count)) run from 0 to \(shape[axis] - 1)")
      }
      if case .at = item { keep.append(false) } else { keep.append(true) }
      ranges.append(range)
    }
    var scalars: [Float] = []
    var position = [Int](repeating: 0, count: shape.count)
    func visit(_ axis: Int) {
      if axis == shape.count {
        scalars.append(tensor.scalars[tensor.offset(position)])
        return
      }
      for i in ranges[axis] {
        position[axis] = i
        visit(axis + 1)
      }
    }
    visit(0)
    if !keep.contains(true) { return .number(Double(scalars[0])) }
    let newShape = zip(ranges, keep).filter(\.1).map { $0.0.count }
    return .grid(Tensor(shape: newShape, scalars: scalars))
  }

  func call(_ function: NameReference, _ arguments: [Expression]) throws(EvalError) -> ExpressionValue {
    func argumentCount(_ counts: ClosedRange<Int>) throws(EvalError) {
      guard counts.contains(arguments.count) else {
        throw EvalError(
          location: function.location,
          message: "\(function.name)(...) takes \(counts.lowerBound == counts.upperBound ? "\(counts.lowerBound)" : "\(counts.lowerBound) or \(counts.upperBound)") argument(s), not \(arguments.count)",
          note: "write it like \(function.name)(edges)")
      }
    }
    func cells() throws(EvalError) -> [Float] {
      try argumentCount(1...1)
      switch try evaluate(arguments[0]) {
      case .number(let n): return [Float(n)]
      case .grid(let t): return t.scalars
      case .shape, .network, .label:
        throw EvalError(
          location: arguments[0].location, message: "\(function.name)(...) needs a grid or a number",
          note: "write it like \(function.name)(edges) or \(function.name)(edges[0, *])")
      }
    }
    func network(_ e: Expression) throws(EvalError) -> LayersAnimation {
      guard case .network(let n) = try evaluate(e) else {
        throw EvalError(
          location: e.location, message: "\(function.name)(...) needs a network here",
          note: "declare one with 'network NAME 1x28x28' ... 'end'")
      }
      return n
    }
    func layer(_ n: LayersAnimation, _ e: Expression) throws(EvalError) -> LayersAnimation.Row {
      let k = try number(e, what: "a layer number")
      let written = n.rows.filter(\.isWritten)
      guard k == k.rounded(), k >= 1, k <= Double(written.count) else {
        throw EvalError(
          location: e.location, message: "'\(n.networkName)' has no layer \(format(k))",
          note: "layers count from 1 to \(written.count)")
      }
      return written[Int(k) - 1]
    }
    switch function.name {
    case "sum": return .number(try cells().reduce(0.0) { $0 + Double($1) })
    case "mean":
      let c = try cells()
      return .number(c.reduce(0.0) { $0 + Double($1) } / Double(max(c.count, 1)))
    case "min": return .number(Double(try cells().min() ?? 0))
    case "max": return .number(Double(try cells().max() ?? 0))
    case "count":
      if arguments.count == 1, case .comparison(let comparison, let lhs, let rhs, _) = arguments[0] {
        let bound = try number(rhs, what: "a comparison")
        let condition = Condition(
          quantifier: .all, lhs: lhs, comparison: comparison, rhs: rhs, location: lhs.location)
        let values: [Float]
        switch try evaluate(lhs) {
        case .number(let n): values = [Float(n)]
        case .grid(let t): values = t.scalars
        case .shape, .network, .label:
          throw EvalError(
            location: lhs.location, message: "count(...) needs a grid to compare",
            note: "write it like count(x > 0) or count(x == 1)")
        }
        return .number(Double(values.filter { condition.holds(Double($0), bound) }.count))
      }
      return .number(Double(try cells().count))
    case "argmax":
      let c = try cells()
      var best = 0
      for i in c.indices where c[i] > c[best] { best = i }
      return .number(Double(best))
    case "shape":
      try argumentCount(1...2)
      if arguments.count == 2 {
        return .shape(try layer(try network(arguments[0]), arguments[1]).outputShape)
      }
      switch try evaluate(arguments[0]) {
      case .grid(let t): return .shape(t.shape)
      case .network(let n): return .shape(n.rows.last?.outputShape ?? n.inputShape)
      case .number, .shape, .label:
        throw EvalError(
          location: arguments[0].location, message: "shape(...) needs a grid or a network",
          note: "write it like shape(edges)")
      }
    case "rows", "cols", "channels":
      try argumentCount(1...1)
      guard case .grid(let t) = try evaluate(arguments[0]) else {
        throw EvalError(
          location: arguments[0].location, message: "\(function.name)(...) needs a grid", note: "write it like \(function.name)(edges)")
      }
      let s = t.shape
      switch function.name {
      case "rows": return .number(Double(s.count >= 2 ? s[s.count - 2] : 1))
      case "cols": return .number(Double(s.last ?? 1))
      default: return .number(Double(s.count == 3 ? s[0] : 1))
      }
    case "params":
      try argumentCount(1...2)
      let n = try network(arguments[0])
      if arguments.count == 2 { return .number(Double(try layer(n, arguments[1]).parameterCount)) }
      return .number(Double(n.parameterCount))
    case "label":
      try argumentCount(1...2)
      guard case .reference(let name, nil, nil) = arguments[0] else {
        throw EvalError(
          location: arguments[0].location, message: "label(...) needs the name of a 'dense' result",
          note: "write it like label(scores) (the winning class) or label(scores, 1)")
      }
      let scores = try grid(name).scalars
      guard let names = labels[name.name], names.count == scores.count else {
        throw EvalError(
          location: name.location, message: "'\(name.name)' has no class labels",
          note: "give its 'dense' line labels, like 'labels \"X\" \"O\"', or use argmax(\(name.name))")
      }
      var k = 0
      if arguments.count == 2 {
        let n = try number(arguments[1], what: "a class number")
        guard n == n.rounded(), n >= 0, Int(n) < names.count else {
          throw EvalError(
            location: arguments[1].location, message: "'\(name.name)' has no class \(format(n))",
            note: "classes count from 0 to \(names.count - 1)")
        }
        k = Int(n)
      } else {
        for i in scores.indices where scores[i] > scores[k] { k = i }
      }
      return .label(names[k])
    case "floor", "ceil", "round", "abs", "sqrt", "ln", "exp":
      try argumentCount(1...1)
      let x = try number(arguments[0], what: function.name)
      let y: Double
      switch function.name {
      case "floor": y = x.rounded(.down)
      case "ceil": y = x.rounded(.up)
      case "round": y = x.rounded()
      case "abs": y = abs(x)
      case "sqrt": y = x >= 0 ? x.squareRoot() : .nan
      case "ln": y = x > 0 ? log(x) : .nan
      default: y = exp(x)
      }
      guard y.isFinite else {
        throw EvalError(
          location: function.location, message: "\(function.name)(\(format(x))) has no finite value",
          note: "check the argument")
      }
      return .number(y)
    default:
      throw EvalError(
        location: function.location, message: "unknown function '\(function.name)'",
        note: "functions are: \(functionHelp.joined(separator: ", "))")
    }
  }

  /// Whether a goal holds for the current values.
  func holds(_ condition: Condition) throws(EvalError) -> Bool {
    if let verdict = try labelGoal(condition) { return verdict }
    let rhs = try number(condition.rhs, what: "a goal")
    switch condition.quantifier {
    case .value:
      return condition.holds(try number(condition.lhs, what: "a goal"), rhs)
    case .all, .any:
      let cells: [Float]
      switch try evaluate(condition.lhs) {
      case .number(let n): cells = [Float(n)]
      case .grid(let t): cells = t.scalars
      case .shape, .network, .label:
        throw EvalError(
          location: condition.lhs.location, message: "\(condition.quantifier.rawValue)(...) needs a grid",
          note: "write it like all(edges) >= 2 or any(edges[0, *]) > 0")
      }
      if condition.quantifier == .all { return cells.allSatisfy { condition.holds(Double($0), rhs) } }
      return cells.contains { condition.holds(Double($0), rhs) }
    }
  }
}

/// "rows", "columns", "channels" or "positions", for messages about an index.
func axisName(_ axis: Int, of rank: Int) -> String {
  let names = rank == 3 ? ["channels", "rows", "columns"] : rank == 2 ? ["rows", "columns"] : ["positions"]
  return axis < names.count ? names[axis] : "positions"
}

/// Edit distance with swaps of neighbours counting as one edit (optimal string alignment), for
/// "did you mean" notes: `sya` is one edit from `say`, `trian` from `train`.
public func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a)
  let b = Array(b)
  guard !a.isEmpty else { return b.count }
  guard !b.isEmpty else { return a.count }
  // Long or very different names are never close; skip the table.
  guard a.count <= 64, b.count <= 64, abs(a.count - b.count) <= 2 else { return max(a.count, b.count) }
  var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
  for i in 0...a.count { d[i][0] = i }
  for j in 0...b.count { d[0][j] = j }
  for i in 1...a.count {
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
        d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
      }
    }
  }
  return d[a.count][b.count]
}
