import CNNLabEngine
import Foundation
import Testing

@testable import CNNLabLessons

/// Lesson texts to mutate: every shipped lesson and every fixture lesson, with the repository
/// their `assets/` paths are relative to.
func seedLessons() throws -> [(file: String, text: String, repository: String)] {
  var seeds: [(String, String, String)] = []
  let roots = [
    (repositoryRoot.appendingPathComponent("lessons").path, repositoryRoot.path),
    (try fixturesDirectory() + "/good/lessons", try fixturesDirectory() + "/good"),
  ]
  for (root, repository) in roots {
    guard let files = FileManager.default.enumerator(atPath: root)?.allObjects as? [String] else { continue }
    for file in files.sorted() where file.hasSuffix(".cnnlab") {
      let path = root + "/" + file
      if let text = try? String(contentsOfFile: path, encoding: .utf8) { seeds.append((path, text, repository)) }
    }
  }
  return seeds
}

/// Words and symbols that make mutations hit the parser's interesting paths.
private let vocabulary = [
  "end", "step", "grid", "kernel", "say", "ask", "hint", "answer", "expect", "convolve", "with",
  "->", "pool", "max", "size", "stride", "padding", "same", "0", "-1", "1/9", "1/0", "3x3",
  "99999999x99999999", "0x0", "\"", "\"text\"", "[", "]", "(", ")", ",", "..", "*", "#", "all(",
  "goal", "challenge", "solution", "edit", "presets", "network", "conv", "dense", "learn",
  "softmax", "cross-entropy", "layers", "1️⃣", "\t", "", "format", "2", "relu", "flatten",
  "target", "rate", "on", "bias", "normalize", "mode", "convolve", "ceil", "1000000", "-",
]

/// One random edit of a lesson text.
func mutate(_ text: String, using rng: inout SplitMix64) -> String {
  var lines = lessonLines(text)
  guard !lines.isEmpty else { return text }
  let pick = { (rng: inout SplitMix64, n: Int) -> Int in Int(rng.next() % UInt64(max(n, 1))) }
  switch pick(&rng, 6) {
  case 0:
    lines.remove(at: pick(&rng, lines.count))
  case 1:
    let i = pick(&rng, lines.count)
    lines.insert(lines[i], at: i)
  case 2:
    lines.swapAt(pick(&rng, lines.count), pick(&rng, lines.count))
  case 3:
    let characters = Array(text)
    return String(characters.prefix(pick(&rng, characters.count + 1)))
  case 4:
    let i = pick(&rng, lines.count)
    var words = lines[i].split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    if words.isEmpty { words = [""] }
    words[pick(&rng, words.count)] = vocabulary[pick(&rng, vocabulary.count)]
    lines[i] = words.joined(separator: " ")
  default:
    let i = pick(&rng, lines.count)
    var characters = Array(lines[i])
    let j = pick(&rng, characters.count + 1)
    characters.insert(Character(UnicodeScalar(UInt8(32 + pick(&rng, 95)))), at: j)
    lines[i] = String(characters)
  }
  return lines.joined(separator: "\n")
}

@Suite struct LessonFuzzTests {
  /// Parses `text`; when it parses and `plans`, loads its file grids (from `repository`), checks
  /// it, plans it, and plans it again with random kernel edits. Every diagnostic must point
  /// inside the text.
  func survive(_ text: String, file: String, repository: String? = nil, plans: Bool = true, rng: inout SplitMix64) {
    let lineCount = lessonLines(text).count
    do {
      var lesson = try LessonParser.parse(text, file: file)
      guard plans else { return }
      if let repository {
        var loadProblems: [LessonDiagnostic] = []
        Course.loadFileGrids(&lesson, repository: repository, diagnostics: &loadProblems)
      }
      _ = LessonCheck.check(lesson)
      _ = ScenePlanner.plan(lesson)
      var edits: [String: KernelSetting] = [:]
      for kernel in lesson.kernels {
        let count = kernel.grid.values?.count ?? 0
        let values = (0..<count).map { _ in Double(Int(rng.next() % 21) - 10) * (rng.next() % 7 == 0 ? 1e30 : 1) }
        edits[kernel.name.name] = KernelSetting(values: values)
      }
      _ = ScenePlanner.plan(lesson, kernels: edits)
    } catch {
      #expect(!error.diagnostics.isEmpty)
      for diagnostic in error.diagnostics {
        #expect(diagnostic.line >= 1 && diagnostic.line <= max(lineCount, 1), "\(diagnostic)")
        #expect(diagnostic.column >= 1, "\(diagnostic)")
      }
    }
  }

  @Test func randomBytesNeverCrashTheParser() {
    var rng = SplitMix64(seed: 2026)
    var runs = 0
    while runs < 2_000 {
      let count = Int(rng.next() % 300)
      let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
      let prefix = runs % 2 == 0 ? "format 1\n" : ""
      survive(prefix + String(decoding: bytes, as: UTF8.self), file: "random.cnnlab", rng: &rng)
      runs += 1
    }
  }

  /// A fixed number of mutations of every lesson (the same ones on every machine, however fast);
  /// LESSON_FUZZ_SECONDS=N runs for N seconds instead (the seed stays fixed, so a failure
  /// reproduces). A lesson that trains networks as it is planned (`train`, `fit`) is parsed but
  /// not planned: a mutated epoch count would make one run take minutes, and those operations'
  /// own tests plan them.
  @Test func mutatedLessonsNeverCrashTheParser() throws {
    let seeds = try seedLessons()
    #expect(seeds.count >= 2)
    var rng = SplitMix64(seed: 7)
    let seconds = ProcessInfo.processInfo.environment["LESSON_FUZZ_SECONDS"].flatMap(Double.init)
    let deadline = seconds.map { Date().addingTimeInterval($0) }
    var runs = 0
    while deadline.map({ Date() < $0 }) ?? (runs < 3 * seeds.count * 5) {
      let seed = seeds[runs % seeds.count]
      var text = seed.text
      for _ in 0...(rng.next() % 3) { text = mutate(text, using: &rng) }
      let trains = lessonLines(seed.text).contains { line in
        ["fit", "train"].contains(line.trimmingCharacters(in: .whitespaces).prefix { $0 != " " })
      }
      survive(text, file: seed.file, repository: seed.repository, plans: !trains, rng: &rng)
      runs += 1
    }
  }
}
