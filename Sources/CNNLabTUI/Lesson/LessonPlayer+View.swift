import CNNLabEngine
import CNNLabLessons

/// A line of styled text.
struct StyledLine: Equatable {
  var text: String
  var role: Role

  init(_ text: String, _ role: Role = .normal) {
    self.text = text
    self.role = role
  }
}

extension LessonPlayer {
  // MARK: - Render

  public func render(into buffer: inout CellBuffer) {
    let glyphs = buffer.glyphs
    let layout = self.layout
    renderHeader(layout.header, into: &buffer)

    let prose = proseLines(width: layout.prose.width, glyphs: glyphs)
    for (row, line) in prose.dropFirst(proseScroll).prefix(layout.prose.height).enumerated() {
      buffer.put(line.text, x: layout.prose.x, y: layout.prose.y + row, role: line.role, clip: layout.prose)
    }
    if prose.count > layout.prose.height, layout.prose.height > 0 {
      let more = proseScroll + layout.prose.height < prose.count
      let mark = more ? "\(glyphs.arrowDown) more (PgDn)" : "\(glyphs.arrowUp) PgUp"
      // On the blank line under the prose, so it never covers a word.
      buffer.put(mark, x: layout.prose.maxX - mark.count, y: layout.prose.maxY, role: .hint)
    }

    for panel in layout.panels { render(panel, clip: layout.grids, into: &buffer) }

    let arithmetic = arithmeticText(glyphs: glyphs, width: layout.arithmetic.width)
    for (row, line) in arithmetic.prefix(layout.arithmetic.height).enumerated() {
      buffer.put(line.text, x: layout.arithmetic.x, y: layout.arithmetic.y + row, role: line.role, clip: layout.arithmetic)
    }

    let interaction = interactionText(width: layout.interaction.width, glyphs: glyphs)
    for (row, line) in interaction.prefix(layout.interaction.height).enumerated() {
      buffer.put(line.text, x: layout.interaction.x, y: layout.interaction.y + row, role: line.role, clip: layout.interaction)
    }
    if let box = layout.answerBox, activeQuestion != nil, box.maxY <= layout.interaction.maxY {
      let open = openQuestions
      let number = (open.firstIndex { $0.key == activeQuestion?.key } ?? 0) + 1
      let label = open.count > 1 ? "  answer \(number) of \(open.count): " : "  answer: "
      let x = buffer.put(label, x: box.x, y: box.y, role: .normal, clip: box)
      let focused = focus == .answer
      let field = (answerBuffer + (focused ? "_" : "")).padding(toLength: 16)
      let end = buffer.put(field, x: x, y: box.y, role: focused ? .editCursor : .field, clip: box)
      var help = focused ? "  Enter checks" : "  Tab or a digit to answer"
      if focused && open.count > 1 { help += ", \(glyphs.arrowUp)/\(glyphs.arrowDown) another question" }
      buffer.put(help, x: end, y: box.y, role: .dim, clip: box)
    }

    statusLine(glyphs: glyphs, gridsClipped: layout.gridsClipped).render(in: layout.status, into: &buffer)
    KeyHintBar(hintsForFocus).render(in: layout.hints, into: &buffer)
    if !glyphs.isUnicode { LessonPlayer.asciiOnly(&buffer) }
  }

  /// Replaces what is left of Unicode (in lesson text, shapes like `9×9`) with ASCII stand-ins,
  /// for terminals that are not UTF-8.
  static func asciiOnly(_ buffer: inout CellBuffer) {
    for y in 0..<buffer.height {
      for x in 0..<buffer.width where !buffer[x: x, y: y].character.isASCII {
        buffer[x: x, y: y].character = Glyphs.asciiFallback(buffer[x: x, y: y].character)
      }
    }
  }

  /// The line under the grids: the playback state or the last action's message (shortened at
  /// a space when it must be), then a note when the grids are cut off.
  func statusLine(glyphs: Glyphs, gridsClipped: Bool) -> FitLine {
    // The receptive-field cursor's cell says what it sees, in place of the playback state.
    let field = status == nil ? fieldText : nil
    var fields = [
      FitLine.Field(
        field ?? statusText(glyphs: glyphs), role: status == nil && field == nil ? .dim : .accent, priority: FitLine.essential,
        shortenable: true)
    ]
    if gridsClipped {
      fields.append(.init("(grids cut off: make the terminal taller)", role: .hint, priority: 1, gap: 3))
    }
    if revealedAnimation != nil, status == nil || !knobs.isEmpty {
      // The output size with the current numbers, and the knob `<`/`>` turn (marked when the
      // learner moved it from the lesson's setting).
      if let formula = scene?.animation?.content.sizeFormula {
        fields.append(.init("size " + formula, role: .normal, priority: 2, gap: 3))
      }
      if let knob = chosenKnob, status == nil {
        let turned = lessonValue(of: knob.name) != nil
        fields.append(.init("\(knob.name) \(knob.value)\(turned ? " *" : "")", role: turned ? .accent : .dim, priority: turned ? 3 : 1, gap: 3))
      }
    }
    return FitLine(fields)
  }

  /// The title bar: the lesson, and the step when it fits beside it.
  func headerLine(glyphs g: Glyphs) -> FitLine {
    FitLine(
      [
        .init("Lesson \(source.number)/\(source.count) \(g.middleDot) \(source.title)", role: .title, priority: FitLine.essential, shortenable: true),
        .init("step \(step + 1)/\(max(1, scenes.count))", role: .title, priority: 1, alignment: .trailing),
      ], fill: .title, margin: 1)
  }

  /// The step's number and title, and a dot per step when they fit beside it.
  func stepTitleLine(_ scene: Scene, glyphs g: Glyphs) -> FitLine {
    let dots = scenes.indices.map { index -> (text: String, role: Role) in
      if index == step { return (g.isUnicode ? "●" : "*", .accent) }
      return completedSteps.contains(index) ? (g.isUnicode ? "●" : "*", .success) : (g.isUnicode ? "○" : ".", .dim)
    }
    return FitLine(
      [
        .init("\(scene.number). \(scene.title)", role: .accent, priority: FitLine.essential, shortenable: true),
        .init(dots, priority: 1, alignment: .trailing),
      ], margin: 1)
  }

  private func renderHeader(_ area: Rect, into buffer: inout CellBuffer) {
    let g = buffer.glyphs
    headerLine(glyphs: g).render(in: Rect(x: area.x, y: area.y, width: area.width, height: 1), into: &buffer)
    guard area.height >= 2, let scene else { return }
    stepTitleLine(scene, glyphs: g).render(in: Rect(x: area.x, y: area.y + 1, width: area.width, height: 1), into: &buffer)
    if area.height >= 3 {
      buffer.put(String(repeating: g.horizontal, count: area.width), x: area.x, y: area.y + 2, role: .border)
    }
  }

  private func render(_ panel: GridPanel, clip: Rect, into buffer: inout CellBuffer) {
    let frame = panel.frame.intersection(clip)
    guard !frame.isEmpty else { return }
    var title = panel.fullTitle(glyphs: buffer.glyphs)
    if title.count > panel.frame.width, panel.frame.width >= 2 {
      title = String(title.prefix(panel.frame.width - 1)) + (buffer.glyphs.isUnicode ? "…" : "~")
    }
    buffer.put(title, x: panel.frame.x, y: panel.frame.y, role: panel.titleRole, clip: frame)
    let inside = Rect(x: panel.frame.x, y: panel.frame.y + 1, width: panel.frame.width, height: panel.frame.height - 1)
      .intersection(clip)
    switch panel.body {
    case .image(let image):
      image.render(in: inside, into: &buffer)
    case .blocks(let image):
      image.render(in: inside, into: &buffer)
    case .colour(let image):
      image.render(in: inside, into: &buffer)
    case .pipeline(let view):
      view.render(in: inside, into: &buffer)
    case .numbers(let grid, let blanks, let text):
      var inside = inside
      if panel.rowLabelWidth > 0, let columns = panel.flatColumns {
        for row in 0..<grid.rowCount {
          let label = LessonPlayer.rowLabel(row * columns, width: panel.rowLabelWidth)
          buffer.put(label, x: inside.x, y: inside.y + row, role: .dim, clip: inside)
        }
        inside = Rect(x: inside.x + panel.rowLabelWidth, y: inside.y, width: inside.width - panel.rowLabelWidth, height: inside.height)
      }
      grid.render(in: inside, into: &buffer)
      let width = grid.resolvedCellWidth(minus: buffer.glyphs.minus)
      let dot = String(buffer.glyphs.middleDot)
      for point in blanks {
        let x = inside.x + point.column * width
        let y = inside.y + point.row
        let role: Role = grid.cellRoles[point] == .outputCurrent ? .outputCurrent : .dim
        buffer.put(dot.leftPadding(toLength: width), x: x, y: y, role: role, clip: inside)
      }
      for (point, typed) in text {
        let x = inside.x + point.column * width
        let role = grid.cellRoles[point] ?? .editCursor
        buffer.put(String(typed.suffix(width)).leftPadding(toLength: width), x: x, y: inside.y + point.row, role: role, clip: inside)
      }
    }
  }

  /// The hint bar for what has focus; help and the way out (`q`, or Esc from a field) always
  /// stay, and the least needed hints go first when the line is short.
  var hintsForFocus: [KeyHint] {
    let essential = FitLine.essential
    switch focus {
    case .kernel:
      var hints = [
        KeyHint(keys: [], keyLabel: "arrows", summary: "move", priority: 5),
        KeyHint(keys: [], keyLabel: "0-9 - . /", summary: "type", priority: 4),
        KeyHint(keys: [.enter], summary: "set", priority: 4),
      ]
      if presetKernel?.presets.isEmpty == false { hints.append(KeyHint(keys: [.char("p")], summary: "preset", priority: 2)) }
      return hints + [
        KeyHint(keys: [.char("r")], summary: "reset", priority: 1),
        KeyHint(keys: [.tab], summary: "next field", priority: 3),
        KeyHint(keys: [.char("?")], summary: "help", priority: essential),
        KeyHint(keys: [.escape], summary: "done", priority: essential),
      ]
    case .answer:
      var hints = [
        KeyHint(
          keys: [], keyLabel: activeQuestion?.question.expected.isLabel == true ? "letters" : LessonPlayer.typedInFieldsLabel,
          summary: "type", priority: 4),
        KeyHint(keys: [.enter], summary: "check", priority: 5),
      ]
      if openQuestions.count > 1 { hints.append(KeyHint(keys: [.up, .down], summary: "question", priority: 5)) }
      hints += [
        KeyHint(keys: [.left, .right], summary: "step", priority: 2),
        KeyHint(keys: [.tab], summary: "next field", priority: 3),
        KeyHint(keys: [.char("?")], summary: "help", priority: essential),
        KeyHint(keys: [.escape], summary: "done", priority: essential),
      ]
      return hints
    case .field:
      return [
        KeyHint(keys: [], keyLabel: "arrows", summary: "move the cell", priority: 5),
        KeyHint(keys: [.tab], summary: "next field", priority: 3),
        KeyHint(keys: [.char("?")], summary: "help", priority: essential),
        KeyHint(keys: [.escape], summary: "done", priority: essential),
      ]
    case .lesson:
      var hints = [KeyHint(keys: [.left, .right], summary: "step", priority: 6)]
      if scene?.animation != nil {
        hints.append(KeyHint(keys: [.char(" ")], summary: playing ? "pause" : "play", priority: 5))
        hints.append(KeyHint(keys: [.char(","), .char(".")], summary: "frame", priority: 1))
        hints.append(KeyHint(keys: [.char("+"), .char("-")], summary: "speed", priority: 2))
      }
      if !editable.isEmpty || activeQuestion != nil {
        hints.append(KeyHint(keys: [.tab], summary: editable.isEmpty ? "answer" : "edit kernel", priority: 4))
      } else if offersFieldCursor {
        hints.append(KeyHint(keys: [.tab], summary: "receptive field", priority: 4))
      }
      if presetKernel?.presets.isEmpty == false { hints.append(KeyHint(keys: [.char("p")], summary: "preset", priority: 3)) }
      if trainsLive && liveSpec != nil { hints.append(KeyHint(keys: [.char("t")], summary: "train live", priority: 4)) }
      if !knobs.isEmpty {
        hints.append(KeyHint(keys: [.char("["), .char("]")], summary: "knob", priority: 3))
        hints.append(KeyHint(keys: [.char("<"), .char(">")], summary: "turn", priority: 3))
      }
      hints.append(KeyHint(keys: [.char("?")], summary: "help", priority: essential))
      hints.append(KeyHint(keys: [.char("q")], summary: "back", priority: essential))
      return hints
    }
  }

  /// Every key, for the help overlay.
  public static var helpHints: [KeyHint] {
    keys.map(KeyHint.init)
  }

  // MARK: - Text

  /// The prose of the revealed beats: paragraphs, notes, corrections, workings, computations.
  func proseLines(width: Int, glyphs: Glyphs = .unicode) -> [StyledLine] {
    guard let scene, width > 0 else { return [] }
    var lines: [StyledLine] = []
    func paragraph(_ text: String, _ role: Role, indent: String = "") {
      if !lines.isEmpty { lines.append(StyledLine("")) }
      for line in TextBlock.wrap(text, width: max(1, width - indent.count)) {
        lines.append(StyledLine(indent + line, role))
      }
    }
    for (index, beat) in scene.beats.enumerated() where index <= self.beat {
      switch beat {
      case .text(let paragraphs):
        for text in paragraphs { paragraph(text, .normal) }
      case .note(let text):
        paragraph("Note: " + text, .dim)
      case .erratum(let text, let printed, let actual):
        if let printed, let actual {
          paragraph(
            "Correction: \(text) (the slide printed \(printed); the engine computes \(LessonPlayer.format(Float(actual), glyphs: glyphs)))",
            .accent)
        } else {
          paragraph("Correction: \(text)", .accent)
        }
      case .table(_, let table):
        paragraph("The layers of \(table.networkName):", .dim)
        lines += LessonPlayer.layerTable(table, upTo: table.rows.count - 1, glyphs: glyphs).map {
          StyledLine("  " + $0.text, $0.role)
        }
      case .working(let name, let workingLines):
        paragraph("How big is \(name)?", .dim)
        for line in workingLines { lines.append(StyledLine("  " + line, .normal)) }
      case .compute(let name, let expression, let value):
        paragraph("\(name) = \(expression) = \(LessonPlayer.grouped(value))", .normal)
      case .operation, .question, .challenge:
        break
      }
    }
    if let problem = scene.problem {
      paragraph("This step cannot be computed with the kernel as edited: \(problem.message). \(problem.note) (press r to reset)", .error)
    }
    return lines
  }

  /// Questions and challenges of the revealed beats, with feedback.
  func interactionText(width: Int, glyphs: Glyphs = .unicode) -> [StyledLine] {
    guard let scene, width > 0 else { return [] }
    let tick = glyphs.isUnicode ? "✓" : "+"
    let cross = glyphs.isUnicode ? "✗" : "x"
    var lines: [StyledLine] = []
    func add(_ text: String, _ role: Role, indent: String = "") {
      for line in TextBlock.wrap(text, width: max(1, width - indent.count)) { lines.append(StyledLine(indent + line, role)) }
    }
    let active = activeQuestion?.key
    let severalOpen = openQuestions.count > 1
    for (index, beat) in scene.beats.enumerated() where index <= self.beat {
      switch beat {
      case .question(let question):
        let key = QuestionKey(step: step, beat: index)
        let state = answers[key]
        if state?.correct == true {
          add("\(tick) \(question.prompt)  \(state?.text ?? "") is right.", .success)
          continue
        }
        // With several open, the one the answer line answers is bright and the others dim.
        add("? " + question.prompt, key == active || !severalOpen ? .accent : .dim)
        if key == active { lines.append(StyledLine("", .normal)) }  // the answer box
        if let state, state.wrongAttempts > 0 {
          add("\(cross) \(state.text) is not it. Hint: \(question.hint)", .error, indent: "  ")
          if state.wrongAttempts >= LessonPlayer.attemptsBeforeAnswer {
            add("The answer is \(question.answer).", .hint, indent: "  ")
          }
        }
      case .challenge(let challenge):
        add("Challenge: " + challenge.prompt, .accent)
        for goal in challenge.goals {
          add("\(goal.holds ? tick : cross) \(goal.text)", goal.holds ? .success : .error, indent: "  ")
        }
        if challenge.isSolved {
          add("Solved! Press \(glyphs.arrowRight) to go on.", .success, indent: "  ")
          continue
        }
        let shown = min(hintsShown, challenge.hints.count)
        if !editedInStep.contains(step) {
          let presets = editable.contains { !$0.presets.isEmpty } ? ", or press p for presets" : ""
          add("Tab moves to the kernel; type values\(presets); h for a hint.", .dim, indent: "  ")
        }
        for (number, hint) in challenge.hints.prefix(shown).enumerated() {
          let label = challenge.hints.count > 1 ? "Hint \(number + 1)/\(challenge.hints.count): " : "Hint: "
          add(label + hint, .hint, indent: "  ")
        }
        if solutionShown {
          add("One solution (\(challenge.kernels.first ?? "the kernel")):", .dim, indent: "  ")
          for row in challenge.solution { lines.append(StyledLine("    " + row, .hint)) }
        } else if shown > 0 {
          add(
            shown < challenge.hints.count
              ? "h: the next hint" : editedInStep.contains(step) ? "h: show a solution" : "try a kernel; then h shows a solution",
            .dim, indent: "  ")
        }
      default: break
      }
    }
    if isAtFinishedEnd {
      add(completionMessage(glyphs: glyphs), .success)
    }
    return lines
  }

  /// Whether the lesson is finished and its last step shown whole: the completion message shows.
  var isAtFinishedEnd: Bool {
    guard let scene else { return false }
    return finished && step == scenes.count - 1 && beat >= scene.beats.count - 1
  }

  /// The row of the answer box inside the interaction area, if a question is waiting.
  func answerRow(width: Int) -> Int? {
    guard activeQuestion != nil else { return nil }
    let lines = interactionText(width: width)
    guard let promptIndex = lines.firstIndex(where: { $0.text.isEmpty }) else { return nil }
    return promptIndex
  }

  /// The line under the grids: playback state, or the last action's message.
  func statusText(glyphs: Glyphs) -> String {
    if let status { return status }
    let waiting = activeQuestion != nil
    guard let animation = scene?.animation else {
      if waiting { return "answer, or \(glyphs.arrowRight) to go on" }
      if let scene, beat < scene.beats.count - 1 {
        let questionNext = scene.beats[(beat + 1)...].contains { if case .question = $0 { true } else { false } }
        return "\(glyphs.arrowRight) " + (questionNext ? "next question" : "go on")
      }
      if step + 1 < scenes.count { return "\(glyphs.arrowRight) next step" }
      // Once finished, the completion message under the questions says where → leads.
      return isAtFinishedEnd ? "" : "last step: \(glyphs.arrowRight) finishes the lesson"
    }
    guard revealedAnimation != nil else {
      return waiting
        ? "answer, or \(glyphs.arrowRight) to run the operation and see"
        : "press \(glyphs.arrowRight) to run the operation"
    }
    let unit = animation.content.frameUnit
    let state = playing ? "playing" : (frame >= lastFrame ? "done" : "paused")
    var text = "\(unit) \(frame + 1)/\(lastFrame + 1) \(glyphs.middleDot) \(state) \(glyphs.middleDot) \(interval) ms per frame"
    if !waiting, let scene, beat < scene.beats.count - 1,
      scene.beats[(beat + 1)...].contains(where: { if case .question = $0 { true } else { false } })
    {
      text += "   \(glyphs.arrowRight) next question"
    }
    return text
  }
}

extension String {
  func padding(toLength length: Int) -> String {
    count >= length ? self : self + String(repeating: " ", count: length - count)
  }

  func leftPadding(toLength length: Int) -> String {
    count >= length ? self : String(repeating: " ", count: length - count) + self
  }
}
