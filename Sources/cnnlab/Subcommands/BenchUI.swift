import ArgumentParser
import CNNLabLessons
import CNNLabTUI

extension CNNLab {
  /// Times the lesson screen without a terminal: every frame of a lesson's window animation is
  /// one `update(.ticked)`, one full render into a fresh cell buffer and one diff against the
  /// previous frame (what the backend then draws). Hidden; `scripts/bench-ui` runs it.
  struct BenchUI: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "bench-ui",
      abstract: "Time building and diffing lesson-screen frames.",
      shouldDisplay: false)

    @Option(help: "Screen width in cells.") var width = 200
    @Option(help: "Screen height in cells.") var height = 60
    @Option(help: "The lesson to animate (name or number).") var lesson = "04-xo-features"
    @Option(help: "Its step with a sliding window, from 1.") var step = 5
    @Option(help: "How many times to play the whole animation.") var rounds = 20
    @Option(help: "The lessons directory (default: ./lessons, or the one beside cnnlab).")
    var lessons: String?

    func validate() throws {
      guard width > 0, height > 0, rounds > 0, step > 0 else {
        throw ValidationError("--width, --height, --rounds and --step must all be at least 1.")
      }
      guard width <= 1000, height <= 1000, rounds <= 100_000 else {
        throw ValidationError("--width and --height must be at most 1000, and --rounds at most 100000.")
      }
    }

    func run() throws {
      let course = Course.load(directory: try lessonsDirectory(lessons))
      let index = Int(lesson).map { $0 - 1 } ?? course.entries.firstIndex { $0.name == lesson }
      guard let index, course.entries.indices.contains(index), let loaded = course.entries[index].lesson
      else { throw fail("no loadable lesson '\(lesson)'", note: "see 'cnnlab lessons'") }
      let source = LessonSource(
        lesson: loaded, name: course.entries[index].name, number: index + 1,
        count: course.entries.count)
      var player = LessonPlayer(source: source)
      _ = player.update(.resized(width: width, height: height))
      player.show(step: step - 1, frame: 0)
      guard player.revealedAnimation != nil, player.lastFrame > 0 else {
        throw fail("step \(step) of \(loaded.title) has no window animation to time")
      }
      let clock = ContinuousClock()
      var previous = CellBuffer(width: width, height: height)
      var (updateTime, renderTime, diffTime) = (Duration.zero, Duration.zero, Duration.zero)
      var frames = 0
      var changed = 0
      for _ in 0..<rounds {
        player.show(step: step - 1, frame: 0)
        for _ in 0..<player.lastFrame {
          let start = clock.now
          _ = player.update(.keyPressed(.char(".")))  // one frame forward, as the `.` key does
          let updated = clock.now
          var buffer = CellBuffer(width: width, height: height)
          player.render(into: &buffer)
          let rendered = clock.now
          changed += buffer.diff(from: previous).count
          diffTime += clock.now - rendered
          renderTime += rendered - updated
          updateTime += updated - start
          previous = buffer
          frames += 1
        }
      }
      func perFrame(_ d: Duration) -> String {
        let micros = Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12
        return "\(Int((micros / Double(frames)).rounded())) µs"
      }
      print(
        "\(width)x\(height), \(loaded.title) step \(step), \(frames) frames: update \(perFrame(updateTime)), "
          + "render \(perFrame(renderTime)), diff \(perFrame(diffTime)), total \(perFrame(updateTime + renderTime + diffTime)) per frame; "
          + "\(changed / frames) cells changed per frame")
    }
  }
}
