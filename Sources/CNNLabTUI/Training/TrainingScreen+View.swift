import CNNLabData
import CNNLabEngine
import CNNLabTraining
import Foundation

extension TrainingScreen {
  struct Layout {
    var header: Rect
    var status: Rect
    var tabs: Rect
    var body: Rect
    var hints: Rect
  }

  var layout: Layout {
    let area = Rect(x: 0, y: 0, width: screen.width, height: screen.height)
    let rows = area.split(.vertical, [.fixed(1), .fixed(1), .fixed(1), .fill, .fixed(1)])
    return Layout(header: rows[0], status: rows[1], tabs: rows[2], body: rows[3], hints: rows[4])
  }

  static func tabLabel(_ pane: Pane) -> String { " \(pane.rawValue + 1) \(pane.title) " }

  /// `2500` → `2,500`.
  static func grouped(_ n: Int) -> String {
    let digits = Array(String(abs(n)))
    var text = ""
    for (i, d) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { text += "," }
      text.append(d)
    }
    return (n < 0 ? "-" : "") + text
  }

  static func rate(_ r: Float) -> String {
    let text = String(format: "%g", Double(r))
    return text
  }

  static func clock(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "-" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
  }

  public func render(into buffer: inout CellBuffer) {
    let layout = self.layout
    renderHeader(layout.header, into: &buffer)
    renderStatus(layout.status, into: &buffer)
    renderTabs(layout.tabs, into: &buffer)
    let body = layout.body
    if case .failed(let reason) = snapshot.state, pane != .draw {
      let box = body.centered(width: min(body.width, 72), height: min(body.height, 8))
      Box(title: "Training stopped", role: .error, titleRole: .error).render(in: box, into: &buffer)
      TextBlock(reason + " Press r to start again, then - to lower the rate before space.", role: .error)
        .render(in: Box.inner(box).inset(horizontal: 1, vertical: 0), into: &buffer)
      let rest = Rect(x: body.x, y: box.maxY, width: body.width, height: max(0, body.maxY - box.maxY))
      renderCurves(rest, into: &buffer)
    } else {
      switch pane {
      case .curves:
        if showsOverview {
          let columns = body.split(.horizontal, [.fill(3), .fill(2)], gap: 2)
          renderCurves(columns[0], into: &buffer)
          let right = columns[1].split(.vertical, [.fill, .fill], gap: 1)
          renderKernels(right[0], into: &buffer)
          renderMaps(right[1], into: &buffer, compact: true)
        } else {
          renderCurves(body, into: &buffer)
        }
      case .kernels: showScrolled(kernelsBlock(width: body.width, capabilities: buffer.capabilities), in: body, into: &buffer)
      case .maps: renderMaps(body, into: &buffer, compact: false)
      case .mistakes: renderMistakes(body, into: &buffer)
      case .draw: renderDraw(body, into: &buffer)
      }
    }
    let table = activeKeys
    KeyHintBar(bindings: table).render(in: layout.hints, into: &buffer)
    if showingHelp {
      let overlay = Rect(x: 0, y: 0, width: screen.width, height: max(0, screen.height - 1))
      HelpOverlay(
        title: pane == .draw ? "Draw keys" : "Training keys", bindings: table,
        footer: pane == .draw
          ? "mouse: click a tab, wheel scrolls, drag draws (right erases); any key closes"
          : pane == .mistakes
            ? "mouse: click a cell, then an example; any key closes"
            : "mouse: click a tab, the wheel scrolls; any key closes"
      ).render(in: overlay, into: &buffer)
    }
  }

  // MARK: - Header and status

  /// The header: what trains and its state first, then the epoch, its progress, speed and
  /// clocks; fields that do not fit are left out whole, the remaining time first.
  func headerLine(glyphs g: Glyphs, width: Int) -> FitLine {
    typealias Field = FitLine.Field
    let (stateText, stateRole): (String, Role) =
      switch snapshot.state {
      case .running: ("training", .success)
      case .paused: ("paused", .accent)
      case .finished: ("finished", .success)
      case .failed: ("stopped at step \(snapshot.failedStep ?? snapshot.step + 1): loss not finite", .error)
      }
    let s = snapshot
    let epochs = s.totalEpochs.map { "/\($0)" } ?? ""
    let shownEpoch = min(s.epoch + 1, s.totalEpochs ?? Int.max)
    let fraction = s.stepsPerEpoch > 0 ? Double(s.stepInEpoch) / Double(s.stepsPerEpoch) : 0
    let done = s.state == .finished ? 1 : fraction
    var fields = [
      // A long title (a lesson network's spec) is shortened before the run's state is lost.
      Field(title, role: .title, priority: 5, shortenable: true),
      Field(stateText, role: stateRole, priority: FitLine.essential),
      Field("epoch \(shownEpoch)\(epochs)", priority: 6),
      Field(String(format: "%3d%%", Int(done * 100)), priority: 5, gap: 1),
      Field("pace \(s.pace)", role: .accent, priority: 7),
    ]
    // At a set pace the trainer waits between steps, so how fast it computes a step says nothing
    // about what is on screen (thousands of images a second beside `pace 30 steps/s`); only at
    // `max` is that rate the training speed.
    if s.firstLayerFrozen { fields.append(Field("layer \(frozenLayer) frozen", role: .accent, priority: 6)) }
    if s.pace == .max { fields.append(Field("\(Int(s.imagesPerSecond)) img/s", priority: 3)) }
    fields.append(Field(TrainingScreen.clock(s.elapsed), priority: 4))
    if let remaining = s.remaining, s.state == .running {
      fields.append(Field("~\(TrainingScreen.clock(remaining)) left", priority: 2, gap: 1))
    }
    // The bar takes what the other fields leave, 4 to 20 columns, and goes first when short.
    let others = fields.reduce(0) { $0 + $1.width + $1.gap }
    let barWidth = max(4, min(20, width - others - 1))
    let filled = Int((done * Double(barWidth)).rounded())
    let bar = Field(
      [
        (String(repeating: g.isUnicode ? "█" : "#", count: filled), .accent),
        (String(repeating: g.isUnicode ? "░" : "-", count: barWidth - filled), .dim),
      ], priority: 1, gap: 1)
    fields.insert(bar, at: 3)
    if let viewedStep {
      fields.insert(
        Field("viewing step \(TrainingScreen.grouped(viewedStep)) of \(TrainingScreen.grouped(s.step))", role: .accent, priority: 8), at: 2)
    }
    return FitLine(fields)
  }

  private func renderHeader(_ area: Rect, into buffer: inout CellBuffer) {
    headerLine(glyphs: buffer.glyphs, width: area.width).render(in: area, into: &buffer)
  }

  /// The status line: loss and accuracy, validation, the optimiser, the step, and what the last
  /// key did (kept longest, after the loss, so a key always shows its effect).
  func statusLine() -> FitLine {
    typealias Field = FitLine.Field
    let s = snapshot
    var fields: [Field] = []
    // Rewound, the panes show the viewed step; these numbers are still the newest step's.
    if viewedStep != nil { fields.append(Field("newest:", role: .dim, priority: 9)) }
    if let loss = s.recentLoss() {
      fields.append(Field([("loss ", .dim), (String(format: "%.4f", Double(loss)), .series(0))], priority: 9))
      let accuracy = s.accuracies.suffix(20)
      let mean = accuracy.isEmpty ? 0 : accuracy.reduce(0, +) / Float(accuracy.count)
      fields.append(Field(String(format: "acc %.1f%%", Double(mean) * 100), role: .series(1), priority: 7, gap: 1))
    } else {
      fields.append(Field("loss -", role: .dim, priority: 9))
    }
    if let last = s.epochs.last, let vl = last.validationLoss, let va = last.validationAccuracy {
      fields.append(Field(String(format: "val %.4f %.1f%%", Double(vl), va * 100), role: .series(2), priority: 5))
    }
    fields.append(Field("\(s.optimizer.rawValue) lr \(TrainingScreen.rate(s.learningRate))", role: .accent, priority: 6))
    fields.append(Field("step \(s.step)", role: .dim, priority: 4))
    if let notice { fields.append(Field(notice, role: .accent, priority: 8, shortenable: true)) }
    return FitLine(fields)
  }

  private func renderStatus(_ area: Rect, into buffer: inout CellBuffer) {
    statusLine().render(in: area, into: &buffer)
  }

  private func renderTabs(_ area: Rect, into buffer: inout CellBuffer) {
    var x = area.x
    for p in Pane.allCases {
      x = buffer.put(TrainingScreen.tabLabel(p), x: x, y: area.y, role: p == pane ? .selection : .dim, clip: area) + 1
    }
  }

  // MARK: - Curves

  /// The loss and accuracy of every batch since step 1, each column showing the lowest and the
  /// highest batch in it (so one bad batch stays visible however long the run), and the
  /// validation set at the end of each epoch.
  func renderCurves(_ area: Rect, into buffer: inout CellBuffer) {
    guard area.height >= 4 else { return }
    let s = snapshot
    let halves = area.split(.vertical, [.fill, .fill])
    let xRange = 1...Double(max(s.history.steps, 2))
    let columns = max(1, area.width * (buffer.glyphs.isUnicode ? 2 : 1))
    let perEpoch = s.epochs.map { (x: Double($0.epoch * s.stepsPerEpoch), summary: $0) }.filter { xRange.contains($0.x) }
    let trainLoss = TrainingScreen.envelope(s.history, columns: columns, \.loss)
    let validationLoss = perEpoch.compactMap { e in e.summary.validationLoss.map { (x: e.x, y: Double($0)) } }
    let finite = (trainLoss + validationLoss).map(\.y).filter(\.isFinite)
    let lossChart: LineChart
    if logLoss {
      // log10 of the loss; the labels print the loss itself.
      let low = log10(max(finite.min() ?? 0.01, 1e-6))
      let high = max(log10(max(finite.max() ?? 1, 1e-6)), low + 0.1)
      func log(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        points.map { (x: $0.x, y: log10(max($0.y, 1e-6))) }
      }
      lossChart = LineChart(
        series: [
          .init(points: log(trainLoss), role: .series(0), marker: "*"),
          .init(points: log(validationLoss), role: .series(2), marker: "o"),
        ], xRange: xRange, yRange: low...high, format: { String(format: "%.3g", pow(10, $0)) })
    } else {
      lossChart = LineChart(
        series: [
          .init(points: trainLoss, role: .series(0), marker: "*"),
          .init(points: validationLoss, role: .series(2), marker: "o"),
        ], xRange: xRange, yRange: 0...max(finite.max() ?? 1, 0.1))
    }
    drawChart(logLoss ? "loss (log scale)" : "loss", halves[0], lossChart, into: &buffer)
    let trainAccuracy = TrainingScreen.envelope(s.history, columns: columns, \.accuracy).map { (x: $0.x, y: $0.y * 100) }
    let validationAccuracy = perEpoch.compactMap { e in e.summary.validationAccuracy.map { (x: e.x, y: $0 * 100) } }
    drawChart(
      "accuracy %", halves[1],
      LineChart(
        series: [
          .init(points: trainAccuracy, role: .series(1), marker: "+"),
          .init(points: validationAccuracy, role: .series(2), marker: "o"),
        ], xRange: xRange, yRange: 0...100, format: { String(format: "%.0f", $0) }), into: &buffer)
  }

  /// The history downsampled to at most `columns` columns of steps: for each, its lowest and its
  /// highest batch (one point when they agree), non-finite values left out.
  static func envelope(
    _ history: CurveHistory, columns: Int, _ value: KeyPath<CurveHistory.Bucket, CurveHistory.Bucket.Span>
  ) -> [(x: Double, y: Double)] {
    let steps = max(history.steps, 1)
    var points: [(x: Double, y: Double)] = []
    var group: (column: Int, first: Int, last: Int, low: Float, high: Float)?
    func flush() {
      guard let g = group else { return }
      let x = Double(g.first + g.last) / 2
      let ends = [g.low, g.high].filter(\.isFinite).map(Double.init)
      // The end nearer the previous point comes first, so the line does not cross itself.
      let previous = points.last?.y ?? ends.first ?? 0
      for y in ends.sorted(by: { abs($0 - previous) < abs($1 - previous) }) where points.last.map({ $0.x != x || $0.y != y }) ?? true {
        points.append((x, y))
      }
    }
    for bucket in history.buckets {
      let column = (bucket.firstStep - 1) * columns / steps
      let span = bucket[keyPath: value]
      if var g = group, g.column == column {
        g.last = bucket.lastStep
        g.low = min(g.low, span.min)
        g.high = max(g.high, span.max)
        group = g
      } else {
        flush()
        group = (column, bucket.firstStep, bucket.lastStep, span.min, span.max)
      }
    }
    flush()
    return points
  }

  private func drawChart(_ name: String, _ area: Rect, _ chart: LineChart, into buffer: inout CellBuffer) {
    guard area.height >= 3 else { return }
    let isLoss = name.hasPrefix("loss")
    let ascii = !buffer.glyphs.isUnicode
    FitLine([
      .init(name, role: .title, priority: FitLine.essential),
      .init(
        [("training (every batch)", .series(isLoss ? 0 : 1)), (ascii ? (isLoss ? " *" : " +") : "", .dim)],
        priority: 2),
      .init("validation (each epoch)" + (ascii ? " o" : ""), role: .series(2), priority: 1),
    ]).render(in: area, into: &buffer)
    let plot = Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 2)
    chart.render(in: plot, into: &buffer)
    let s = snapshot
    buffer.put("step 1", x: area.x + chart.labelWidth, y: area.maxY - 1, role: .dim, clip: area)
    let end = "step \(max(s.history.steps, 1))"
    buffer.put(end, x: area.maxX - end.count, y: area.maxY - 1, role: .dim, clip: area)
    if let viewedStep, s.history.steps > 1, viewedStep > 0 {
      // Where the viewed step is on the step axis.
      let span = Double(area.maxX - end.count - 1 - (area.x + chart.labelWidth))
      let x = area.x + chart.labelWidth + Int(Double(viewedStep - 1) / Double(s.history.steps - 1) * max(0, span))
      buffer.put(buffer.glyphs.isUnicode ? "▲" : "^", x: x, y: area.maxY - 1, role: .accent, clip: area)
    }
    if s.history.steps == 0 {
      let hint = s.state == .paused ? "paused before the first step: space trains, s takes one step" : "waiting for the first steps..."
      let row = Rect(x: plot.x + chart.labelWidth + 2, y: plot.y + plot.height / 2, width: plot.maxX - plot.x - chart.labelWidth - 2, height: 1)
      FitLine([.init(hint, role: .dim, shortenable: true)]).render(in: row, into: &buffer)
    }
  }

  // MARK: - Kernels

  /// Every conv layer's kernels, drawn whole on a block as tall as they need.
  func kernelsBlock(width: Int, capabilities: Capabilities = .full) -> CellBuffer {
    // Tall enough for one kernel a row, the titles and the lecture's features.
    let bound = shownKernels.reduce(8) { $0 + 3 + $1.weights.shape[0] * ($1.weights.shape[2] + 2) }
    var tall = CellBuffer(width: width, height: bound, capabilities: capabilities)
    let used = renderKernels(tall.area, into: &tall)
    return tall.rows(0..<used)
  }

  /// Draws the kernels from the top of `area`; returns how many rows they took.
  @discardableResult
  func renderKernels(_ area: Rect, into buffer: inout CellBuffer) -> Int {
    var y = area.y
    var end = y  // below the last row drawn
    if shownKernels.isEmpty {
      buffer.put("this network has no convolution layer", x: area.x, y: y, role: .dim, clip: area)
      return 1
    }
    let showsNumbers = isXO
    let matches = lectureMatches
    for (k, kernel) in shownKernels.enumerated() {
      guard y < area.maxY - 1 else { break }
      let w = kernel.weights
      let (f, c, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
      let largest = w.scalars.map { abs($0) }.filter(\.isFinite).max() ?? 0
      let channel = min(kernelChannel, c - 1)
      var title: [FitLine.Field] = [
        .init("layer \(kernel.layer + 1): \(kernel.text)", role: .title, priority: FitLine.essential)
      ]
      if k == 0 && snapshot.firstLayerFrozen {
        title.append(.init("frozen (f trains it)", role: .accent, priority: 3))
      }
      // Which channel is shown, and the keys that change it, stay longer than the scale.
      if c > 1 { title.append(.init("(input channel \(channel + 1) of \(c); [ ] choose)", role: .dim, priority: 2)) }
      title.append(
        .init(TrainingScreen.divergingScale(largest, glyphs: buffer.glyphs, capabilities: buffer.capabilities), priority: 1))
      FitLine(title).render(in: Rect(x: area.x, y: y, width: area.width, height: 1), into: &buffer)
      y += 1
      // With numbers (X/O), three kernels and the lecture's three features fit across 80 columns.
      let cellWidth = kw <= 3 && !showsNumbers ? 4 : 2
      let numberWidth = showsNumbers ? kw * 6 + 1 : 0
      let itemWidth = max(kw * cellWidth + numberWidth, 8) + 2
      let perRow = max(1, (area.width + 2) / itemWidth)  // the last needs no gap after it
      var shown = 0
      for start in stride(from: 0, to: f, by: perRow) {
        guard y + kh < area.maxY else { break }
        for j in start..<min(f, start + perRow) {
          let x = area.x + (j - start) * itemWidth
          var label = buffer.put("#\(j + 1)", x: x, y: y, role: .dim, clip: area)
          if k == 0, let match = matches?.first(where: { $0.kernel == j }) {
            // Its cosine to the lecture twin: 1 is the feature itself, 0 nothing in common.
            label = buffer.put(" \(LectureFeatures.all[match.feature].short)", x: label, y: y, role: .dim, clip: area)
            buffer.put(String(format: " %.2f", Double(match.cosine)), x: label, y: y, role: .accent, clip: area)
          }
          let values = (0..<kh).map { r in (0..<kw).map { col in w[j, channel, r, col] } }
          Heatmap(values: values, maxMagnitude: largest, cellWidth: cellWidth)
            .render(in: Rect(x: x, y: y + 1, width: kw * cellWidth, height: kh).intersection(area), into: &buffer)
          if showsNumbers {
            NumberGrid(values, decimals: 2, cellWidth: 6, diverging: true, maxMagnitude: largest)
              .render(in: Rect(x: x + kw * cellWidth + 1, y: y + 1, width: numberWidth, height: kh).intersection(area), into: &buffer)
          }
          shown += 1
        }
        end = y + 1 + kh
        y += kh + 2
      }
      if shown < f {
        FitLine([
          .init("\(f - shown) more kernels below:", role: .dim, priority: FitLine.essential),
          .init("the Kernels pane (2) shows them all", role: .dim, gap: 1),
        ]).render(in: Rect(x: area.x, y: min(y, area.maxY - 1), width: area.width, height: 1), into: &buffer)
        y += 1
        end = y
      }
    }
    if isXO, y + 5 < area.maxY {
      let how =
        matches == nil
        ? ", for comparison"
        : startsFromLecture
          ? " (layer 1 began as these; cosine by each)"
          : " (by each kernel: the closest, cosine)"
      FitLine([
        .init("the lecture's hand-made features", role: .title, priority: FitLine.essential),
        .init(how, role: .title, gap: 0, shortenable: true),
      ]).render(in: Rect(x: area.x, y: y, width: area.width, height: 1), into: &buffer)
      y += 1
      let itemWidth = 3 * 2 + 3 * 6 + 1 + 2
      for (j, feature) in LectureFeatures.all.enumerated() {
        let x = area.x + j * itemWidth
        guard x + 6 <= area.maxX else { break }
        // The short name first: the one by each learned kernel above, and the lessons'.
        let full = "\(feature.short) (\(feature.name))"
        buffer.put(x + full.count <= area.maxX ? full : feature.short, x: x, y: y, role: .dim, clip: area)
        Heatmap(values: feature.values, maxMagnitude: 1, cellWidth: 2)
          .render(in: Rect(x: x, y: y + 1, width: 6, height: 3).intersection(area), into: &buffer)
        NumberGrid(feature.values, decimals: 0, cellWidth: 6, diverging: true, maxMagnitude: 1)
          .render(in: Rect(x: x + 7, y: y + 1, width: 19, height: 3).intersection(area), into: &buffer)
      }
      end = y + 4
    }
    return min(end, area.maxY) - area.y
  }

  /// The heatmaps' scale as a line of text: `−0.47 ` then seven cells from −`largest` to
  /// +`largest` drawn as `Heatmap` draws weights, then ` 0.47`.
  static func divergingScale(_ largest: Float, glyphs: Glyphs, capabilities: Capabilities) -> [(String, Role)] {
    let steps: [Float] = [-3, -2, -1, 0, 1, 2, 3].map { $0 / 3 * largest }
    var cells = CellBuffer(width: steps.count * 2, height: 1, capabilities: capabilities)
    Heatmap(values: [steps], maxMagnitude: largest, cellWidth: 2).render(in: cells.area, into: &cells)
    return [(String(glyphs.minus) + String(format: "%.2f ", Double(largest)), .dim)]
      + (0..<cells.width).map { (String(cells[x: $0, y: 0].character), cells[x: $0, y: 0].role) }
      + [(String(format: " %.2f", Double(largest)), .dim)]
  }

  /// A grey scale from `low` (black) to `high` (white) as a line of text: the two ends and five
  /// cells between, drawn as the maps draw their pixels.
  static func greyScale(_ low: Float, _ high: Float, glyphs: Glyphs, capabilities: Capabilities) -> [(String, Role)] {
    let greys = capabilities.showsGreys && glyphs.isUnicode
    let cells: [(String, Role)] = [0, 0.25, 0.5, 0.75, 1].map { v in
      (greys ? "\u{2588}" : String(glyphs.shade(v)), .grey(Role.greyLevel(v)))
    }
    return [(TrainingScreen.scaleNumber(low, glyphs) + " ", .dim)] + cells
      + [(" " + TrainingScreen.scaleNumber(high, glyphs), .dim)]
  }

  /// A scale's end: two decimals, with the glyphs' minus when it is negative.
  static func scaleNumber(_ value: Float, _ glyphs: Glyphs) -> String {
    let text = String(format: "%.2f", Double(abs(value)))
    return value < 0 && text != "0.00" ? String(glyphs.minus) + text : text
  }

  // MARK: - Maps

  /// The input, every layer's maps and the probabilities of one example (or the drawing).
  func renderMaps(_ area: Rect, into buffer: inout CellBuffer, compact: Bool) {
    guard let probe = probe(of: .example(example)) else {
      buffer.put("computing example \(example + 1)...", x: area.x, y: area.y, role: .dim, clip: area)
      return
    }
    let truth = examples.labels[example]
    let label = data.classNames[safe: truth] ?? "\(truth)"
    let predicted = probe.probabilities.indices.max { probe.probabilities[$0] < probe.probabilities[$1] } ?? 0
    let right = predicted == truth
    let g = buffer.glyphs
    FitLine([
      .init("example \(example + 1)/\(examples.count): a \(label)", role: .title, priority: FitLine.essential),
      .init(
        right ? "predicted right" : "predicted \(data.classNames[safe: predicted] ?? "?")",
        role: right ? .success : .error, priority: 2),
      .init("(n/N or \(g.arrowLeft)/\(g.arrowRight) choose)", role: .dim, priority: 1),
    ]).render(in: area, into: &buffer)
    let inner = Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 1)
    renderActivations(
      input: probe.input, activations: probe.activations, probabilities: probe.probabilities,
      truth: truth, area: inner, into: &buffer, compact: compact)
  }

  /// The images `renderActivations` shows, in order: the input, then every layer whose output
  /// is a stack of maps `(C, H, W)`.
  static func activationItems(input: Tensor, activations: [Inspection.LayerActivation]) -> [(name: String, maps: Tensor)] {
    [("input", input)]
      + activations.enumerated().compactMap { i, a in a.output.rank == 3 ? ("\(i + 1) \(a.text)", a.output) : nil }
  }

  /// One item of `activationItems` placed in the block of `renderActivations`.
  struct PlacedMaps {
    /// Its position in `activationItems`.
    var item: Int
    /// Two columns per pixel (small maps when there is room), else half blocks.
    var small: Bool
    /// First row (the name) within the block; the maps follow.
    var top: Int
    var cellWidth: Int
    var cellHeight: Int
    /// How many maps are drawn, and how many go on one row.
    var shown: Int
    var perRow: Int
  }

  /// Where `renderActivations` puts things, in rows and columns of a content block as wide as
  /// its area: the probability bars (with the input image beside them when there is room), then
  /// every layer's maps. The block scrolls when it is taller than the area; the prediction itself
  /// is always in view above it.
  struct ActivationLayout {
    var bars: Rect
    var maps: [PlacedMaps]
    var area: Rect
    var height: Int
  }

  /// Small maps (under 14 rows) get two columns per pixel when everything then fits; half
  /// blocks otherwise. `shapes` are those of `activationItems`.
  static func activationLayout(shapes: [[Int]], classes: Int, area: Rect, compact: Bool) -> ActivationLayout {
    let squares = activationLayout(shapes: shapes, classes: classes, area: area, compact: compact, squares: true)
    if squares.height <= area.height { return squares }
    return activationLayout(shapes: shapes, classes: classes, area: area, compact: compact, squares: false)
  }

  private static func activationLayout(
    shapes: [[Int]], classes: Int, area: Rect, compact: Bool, squares: Bool
  ) -> ActivationLayout {
    func place(_ item: Int, top: Int) -> PlacedMaps {
      let (c, h, w) = (shapes[item][0], shapes[item][1], shapes[item][2])
      let small = squares && h < 14
      let cellW = small ? w * 2 : w
      let cellH = small ? h : (h + 1) / 2
      let perRow = max(1, (area.width + 1) / (cellW + 1))
      let shown = compact ? min(c, perRow) : c
      return PlacedMaps(
        item: item, small: small, top: top, cellWidth: cellW, cellHeight: cellH, shown: shown, perRow: perRow)
    }
    func height(_ p: PlacedMaps) -> Int { 1 + (p.shown + p.perRow - 1) / p.perRow * (p.cellHeight + 1) }

    var layout = ActivationLayout(
      bars: Rect(x: 0, y: 0, width: min(area.width, 48), height: classes), maps: [], area: area, height: 0)
    var top = classes + 1
    var next = 0  // the first item still to place below
    let input = place(0, top: 0)
    let besideWidth = min(area.width - input.cellWidth - 3, 48)
    if besideWidth >= 24 {
      // The input on the left, the bars beside it.
      layout.maps.append(input)
      layout.bars = Rect(x: input.cellWidth + 3, y: 1, width: besideWidth, height: classes)
      top = max(classes + 2, height(input))
      next = 1
    }
    for item in next..<shapes.count {
      let placed = place(item, top: top)
      layout.maps.append(placed)
      top += height(placed)
    }
    layout.height = max(0, top - 1)
    return layout
  }

  /// The layout of the maps the visible pane shows, for scrolling; nil when it shows none.
  func visibleActivationLayout() -> ActivationLayout? {
    guard let (probe, area) = activationSource() else { return nil }
    return TrainingScreen.activationLayout(
      shapes: Self.activationItems(input: probe.input, activations: probe.activations).map(\.maps.shape),
      classes: probe.probabilities.count, area: area, compact: false)
  }

  /// The probe the Maps or Draw pane shows and the area its maps take, when it shows them.
  func activationSource() -> (Probe, Rect)? {
    let body = layout.body
    switch pane {
    case .maps:
      guard let probe = probe(of: .example(example)) else { return nil }
      return (probe, Rect(x: body.x, y: body.y + 1, width: body.width, height: body.height - 1))
    case .draw:
      guard let probe = probe(of: .canvas), let draw = drawLayout(body), draw.maps.width > 10 else { return nil }
      return (probe, draw.maps)
    case .curves, .kernels, .mistakes:
      return nil
    }
  }

  /// Draws the probabilities, the input image and each layer's output maps as images; they
  /// scroll by `scroll` rows when they do not fit.
  func renderActivations(
    input: Tensor, activations: [Inspection.LayerActivation], probabilities: [Float], truth: Int?,
    area: Rect, into buffer: inout CellBuffer, compact: Bool
  ) {
    let items = Self.activationItems(input: input, activations: activations)
    let layout = TrainingScreen.activationLayout(
      shapes: items.map(\.maps.shape), classes: probabilities.count, area: area, compact: compact)
    guard area.height > 0, layout.height > 0 else { return }
    // Everything is drawn on a scratch block, and the rows in view are copied over.
    var block = CellBuffer(width: area.width, height: layout.height, capabilities: buffer.capabilities)
    ProbabilityBars(names: data.classNames, probabilities: probabilities, truth: truth)
      .render(in: layout.bars, into: &block)
    for p in layout.maps {
      let (name, maps) = items[p.item]
      let (c, h, w) = (maps.shape[0], maps.shape[1], maps.shape[2])
      // One scale for the whole layer, so its maps can be compared with each other.
      let finite = maps.scalars.filter(\.isFinite)
      let (low, high) = (finite.min() ?? 0, finite.max() ?? 1)
      FitLine([
        .init("\(name)  \(c)\(block.glyphs.times)\(h)\(block.glyphs.times)\(w)", role: .dim, priority: FitLine.essential),
        .init(TrainingScreen.greyScale(low, high, glyphs: block.glyphs, capabilities: block.capabilities), priority: 1),
      ]).render(in: Rect(x: 0, y: p.top, width: block.width, height: 1), into: &block)
      for k in 0..<p.shown {
        let rect = Rect(
          x: (k % p.perRow) * (p.cellWidth + 1), y: p.top + 1 + k / p.perRow * (p.cellHeight + 1),
          width: p.cellWidth, height: p.cellHeight)
        TrainingScreen.drawMap(maps.slice(k), in: rect, small: p.small, range: (low, high), into: &block)
      }
    }
    showScrolled(block, in: area, into: &buffer, scrolls: !compact)
  }

  // MARK: - Scrolling

  /// The most a block of `height` rows can scroll in `area`: 0 when it fits; otherwise the last
  /// row of the area is kept to say where the view is.
  static func scrollLimit(height: Int, in area: Rect) -> Int {
    height <= area.height ? 0 : height - (area.height - 1)
  }

  /// Copies the rows of `block` in view into `area`, scrolled by `scroll` rows; when the block is
  /// taller than the area, the last row says which rows are shown and which keys scroll. The
  /// overview on a wide Curves pane (`scrolls` false) shows the top and points to the Maps pane.
  func showScrolled(_ block: CellBuffer, in area: Rect, into buffer: inout CellBuffer, scrolls: Bool = true) {
    guard area.height > 0 else { return }
    let limit = TrainingScreen.scrollLimit(height: block.height, in: area)
    let offset = scrolls ? min(max(0, scroll), limit) : 0
    let visible = limit > 0 ? area.height - 1 : area.height
    for row in 0..<min(visible, block.height - offset) {
      for x in 0..<min(area.width, block.width) {
        buffer[x: area.x + x, y: area.y + row] = block[x: x, y: offset + row]
      }
    }
    if limit > 0 {
      let g = buffer.glyphs
      let keys = pane == .draw ? "PgUp/PgDn" : "\(g.arrowUp)/\(g.arrowDown)"
      var footer =
        scrolls
        ? "rows \(offset + 1)-\(offset + visible) of \(block.height): \(keys) scroll"
        : "more below: the Maps pane (3) shows every layer"
      if scrolls && footer.count + 30 <= area.width { footer += ", a taller terminal shows more" }
      buffer.put(footer, x: area.x, y: area.maxY - 1, role: .dim, clip: area)
    }
  }

  /// How tall the visible pane's scrolling content is, and the area it scrolls in; nil for a
  /// pane that does not scroll.
  func scrollingContent() -> (height: Int, area: Rect)? {
    // After a failure, every pane but Draw shows the error box and the curves instead.
    if case .failed = snapshot.state, pane != .draw { return nil }
    switch pane {
    case .kernels:
      return (kernelsBlock(width: layout.body.width).height, layout.body)
    case .maps, .draw:
      return visibleActivationLayout().map { ($0.height, $0.area) }
    case .curves, .mistakes:
      return nil
    }
  }

  /// One feature map, `range` black to white (its own lowest and highest value when nil): half
  /// blocks for large maps, two-column grey blocks for small ones, shade characters without greys.
  static func drawMap(
    _ map: Tensor, in rect: Rect, small: Bool, range: (low: Float, high: Float)? = nil, into buffer: inout CellBuffer
  ) {
    let low = range?.low ?? map.scalars.filter(\.isFinite).min() ?? 0
    let high = range?.high ?? map.scalars.filter(\.isFinite).max() ?? 1
    let span = high > low ? high - low : 1
    if !small {
      HalfBlockImage(map, range: low...(low + span)).render(in: rect, into: &buffer)
      return
    }
    let greys = buffer.capabilities.showsGreys && buffer.glyphs.isUnicode
    let w = map.shape[1]
    for r in 0..<map.shape[0] {
      for c in 0..<w {
        let v = Double((map.scalars[r * w + c] - low) / span)
        let cell: Cell =
          greys ? Cell("█", role: .grey(Role.greyLevel(v))) : Cell(buffer.glyphs.shade(v), role: .grey(Role.greyLevel(v)))
        buffer[x: rect.x + 2 * c, y: rect.y + r] = rect.contains(x: rect.x + 2 * c, y: rect.y + r) ? cell : buffer[x: rect.x + 2 * c, y: rect.y + r]
        buffer[x: rect.x + 2 * c + 1, y: rect.y + r] = rect.contains(x: rect.x + 2 * c + 1, y: rect.y + r) ? cell : buffer[x: rect.x + 2 * c + 1, y: rect.y + r]
      }
    }
  }

  // MARK: - Mistakes

  /// Where the Mistakes pane puts things: the confusion matrix, and beside it (or below) the
  /// list: the chosen cell's examples, or the worst mistakes; each item's image and its place.
  struct MistakesLayout {
    var matrix: ConfusionMatrix
    var matrixArea: Rect
    var list: Rect
    var image: (width: Int, height: Int, small: Bool)
    /// The items in view: their position in the list, the example and where it is drawn.
    var items: [(position: Int, index: Int, rect: Rect)]
  }

  /// Examples on one row of the Mistakes pane's list.
  var mistakesPerRow: Int { mistakesLayout(layout.body).map { max(1, $0.list.width / mistakeItemWidth) } ?? 1 }

  private var mistakeItemWidth: Int {
    let (h, w) = (data.inputShape[1], data.inputShape[2])
    return max(h < 14 ? w * 2 : w, 14) + 2
  }

  func mistakesLayout(_ area: Rect) -> MistakesLayout? {
    guard let inspection = snapshot.inspection else { return nil }
    let matrix = ConfusionMatrix(
      counts: inspection.confusion, names: data.classNames,
      selected: matrixCell.row < inspection.confusion.count ? matrixCell : nil)
    let size = matrix.size
    let matrixArea = Rect(x: area.x, y: area.y + 1, width: size.width, height: size.height).intersection(area)
    // The column under the matrix holds the score and what the keys do (up to 22 columns).
    let startX = area.x + max(size.width, 22) + 2
    let side = startX + 24 <= area.maxX
    let list =
      side
      ? Rect(x: startX, y: area.y + 1, width: area.maxX - startX, height: area.height - 1)
      : Rect(x: area.x, y: area.y + size.height + 4, width: area.width, height: max(0, area.height - size.height - 4))
    let (h, w) = (data.inputShape[1], data.inputShape[2])
    let small = h < 14
    let image = (width: small ? w * 2 : w, height: small ? h : (h + 1) / 2, small: small)
    let itemW = mistakeItemWidth
    let perRow = max(1, list.width / itemW)
    let rowHeight = image.height + 2
    let rowsInView = max(1, (list.height - 2) / rowHeight)
    let shown: [Int] = listsCell ? cellExamples : inspection.worst.map(\.index)
    // The row of the chosen example stays in view.
    let firstRow = listsCell ? max(0, min(listChoice, shown.count - 1) / perRow - rowsInView + 1) : 0
    var items: [(position: Int, index: Int, rect: Rect)] = []
    for (position, index) in shown.enumerated().dropFirst(firstRow * perRow) {
      let top = list.y + 1 + (position / perRow - firstRow) * rowHeight
      guard top + image.height + 1 < list.maxY else { break }
      let x = list.x + (position % perRow) * itemW
      items.append((position, index, Rect(x: x, y: top, width: itemW - 2, height: image.height + 1)))
    }
    return MistakesLayout(matrix: matrix, matrixArea: matrixArea, list: list, image: image, items: items)
  }

  func renderMistakes(_ area: Rect, into buffer: inout CellBuffer) {
    guard let inspection = snapshot.inspection, let places = mistakesLayout(area) else {
      buffer.put("computing the confusion matrix...", x: area.x, y: area.y, role: .dim, clip: area)
      return
    }
    let total = inspection.confusion.joined().reduce(0, +)
    let right = inspection.confusion.indices.reduce(0) { $0 + inspection.confusion[$1][$1] }
    FitLine([
      .init("confusion matrix", role: .title, priority: FitLine.essential),
      .init("(rows: truth, columns: predicted)", role: .title, priority: 1, gap: 1),
      .init("step \(inspection.step)", role: .title, priority: 2),
    ]).render(in: area, into: &buffer)
    places.matrix.render(in: places.matrixArea, into: &buffer)
    let below = places.matrixArea.maxY + 1
    buffer.put(
      "\(right)/\(total) right" + (total > 0 ? String(format: " (%.1f%%)", Double(right) / Double(total) * 100) : ""),
      x: area.x, y: below, role: .accent, clip: area)
    if places.list.x > area.x {
      // Beside the matrix there is room to say what the keys do with it.
      let help = listsCell ? ["Enter: open in Maps", "d: copy to Draw", "Esc: back"] : ["arrows: choose a cell", "Enter: its examples"]
      for (i, line) in help.enumerated() {
        buffer.put(line, x: area.x, y: below + 1 + i, role: .dim, clip: Rect(x: area.x, y: area.y, width: places.list.x - area.x - 1, height: area.height))
      }
    }
    let list = places.list
    guard list.height >= 2 else { return }
    if listsCell {
      FitLine([.init(cellTitle, role: .title, priority: FitLine.essential, shortenable: true)])
        .render(in: Rect(x: list.x, y: list.y, width: list.width, height: 1), into: &buffer)
    } else {
      FitLine([
        .init("worst mistakes", role: .title, priority: FitLine.essential),
        .init("(highest loss)", role: .title, gap: 1),
      ]).render(in: list, into: &buffer)
      if inspection.worst.isEmpty {
        FitLine([.init("none: every validation example is right", role: .success, shortenable: true)])
          .render(in: Rect(x: list.x, y: list.y + 1, width: list.width, height: 1), into: &buffer)
        return
      }
    }
    for item in places.items {
      guard item.index < examples.count else { continue }
      let label: String
      let role: Role
      if listsCell {
        label = "#\(item.index + 1)"
        role = item.position == listChoice ? .selection : .dim
      } else {
        let m = inspection.worst[item.position]
        let truth = data.classNames[safe: m.label] ?? "\(m.label)"
        let guess = data.classNames[safe: m.predicted] ?? "\(m.predicted)"
        label = "\(truth)\(buffer.glyphs.arrowRight)\(guess) \(Int((m.confidence * 100).rounded()))%"
        role = .error
      }
      buffer.put(label, x: item.rect.x, y: item.rect.y, role: role, clip: list)
      let image = examples.inputs.slice(item.index).slice(0)
      TrainingScreen.drawMap(
        image, in: Rect(x: item.rect.x, y: item.rect.y + 1, width: places.image.width, height: places.image.height),
        small: places.image.small, into: &buffer)
    }
  }

  // MARK: - Draw

  /// Where the Draw pane puts things: the canvas inside its frame, and right of it the
  /// prediction line with the probabilities and maps below; nil when the canvas does not fit.
  struct DrawLayout {
    var frame: Rect
    var canvas: Rect
    var prediction: Rect
    var maps: Rect
  }

  func drawLayout(_ body: Rect) -> DrawLayout? {
    let size = canvas.cellSize
    guard body.height >= size.height + 2 else { return nil }
    let frame = Rect(x: body.x, y: body.y + 1, width: size.width + 2, height: size.height + 2)
    let right = Rect(x: frame.maxX + 2, y: body.y + 1, width: max(0, body.maxX - frame.maxX - 2), height: body.height - 1)
    return DrawLayout(
      frame: frame, canvas: Box.inner(frame), prediction: right,
      maps: Rect(x: right.x, y: right.y + 1, width: right.width, height: max(0, right.height - 1)))
  }

  func renderDraw(_ area: Rect, into buffer: inout CellBuffer) {
    let what = isXO ? "an X or an O" : "a digit"
    var fields: [FitLine.Field] = [
      .init("draw \(what):", role: .title, priority: FitLine.essential),
      .init(penDown ? "pen down" : "pen up", role: penDown ? .accent : .dim, priority: 3, gap: 1),
    ]
    if canvas.softBrush { fields.append(.init("brush \(canvas.brushSize) px (b)", role: .accent, priority: 2)) }
    fields.append(
      .init("drag the mouse (the right button erases), or arrows and space", role: .title, shortenable: true))
    FitLine(fields).render(in: area, into: &buffer)
    guard let draw = drawLayout(area) else { return }
    Box(role: .border, clearsInside: false).render(in: draw.frame, into: &buffer)
    CanvasView(canvas).render(in: draw.canvas, into: &buffer)
    let right = draw.prediction
    guard let (probe, below) = activationSource() else {
      buffer.put("predicting...", x: right.x, y: right.y, role: .dim, clip: right)
      return
    }
    if canvas.isBlank {
      FitLine([.init("empty canvas: draw, the network answers", role: .dim, shortenable: true)]).render(in: right, into: &buffer)
    } else {
      let best = probe.probabilities.indices.max { probe.probabilities[$0] < probe.probabilities[$1] } ?? 0
      var x = buffer.put("prediction: ", x: right.x, y: right.y, role: .title, clip: right)
      x = buffer.put(data.classNames[safe: best] ?? "?", x: x, y: right.y, role: .accent, clip: right)
      // One decimal, as the bars below print it (99.8 % is not 100 %).
      buffer.put(String(format: " (%.1f%%)", Double(probe.probabilities[safe: best] ?? 0) * 100), x: x, y: right.y, role: .accent, clip: right)
    }
    renderActivations(
      input: probe.input, activations: probe.activations, probabilities: probe.probabilities, truth: nil,
      area: below, into: &buffer, compact: false)
  }
}
