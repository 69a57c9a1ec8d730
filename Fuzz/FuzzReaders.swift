// One libFuzzer entry point for every reader of outside input, built by scripts/fuzz (not part
// of the package). The environment variable CNNLAB_FUZZ_READER names the reader the inputs go to:
// grid, npy, idx, safetensors, pgm, spec or lessons. A value or a thrown error is fine; anything
// else (a crash, a trap, a sanitizer report, an allocation over the limit, a broken promise
// below) is a bug.

import CNNLabData
import CNNLabEngine
import CNNLabLessons
import Foundation

/// The readers, by the name scripts/fuzz passes.
enum Reader: String, CaseIterable {
  case grid, npy, idx, safetensors, pgm, spec, lessons

  func read(_ bytes: [UInt8]) {
    switch self {
    case .grid: readGrid(bytes)
    case .npy: readNPY(bytes)
    case .idx: readIDX(bytes)
    case .safetensors: readSafetensors(bytes)
    case .pgm: readPGM(bytes)
    case .spec: readSpec(bytes)
    case .lessons: readLesson(bytes)
    }
  }
}

/// Chosen once: an unknown name stops the run before the first input rather than fuzzing nothing.
let reader: Reader = {
  let name = ProcessInfo.processInfo.environment["CNNLAB_FUZZ_READER"] ?? ""
  guard let reader = Reader(rawValue: name) else {
    let names = Reader.allCases.map(\.rawValue).joined(separator: ", ")
    fatalError("set CNNLAB_FUZZ_READER to one of: \(names) (got \"\(name)\")")
  }
  return reader
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  reader.read(Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}

func readGrid(_ bytes: [UInt8]) {
  guard let t = try? GridText.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.txt") else { return }
  precondition(t.count == t.scalars.count && t.scalars.allSatisfy(\.isFinite))
}

func readNPY(_ bytes: [UInt8]) {
  guard let t = try? NPY.read(bytes, file: "fuzz.npy") else { return }
  precondition(t.count == t.scalars.count)
}

func readIDX(_ bytes: [UInt8]) {
  if let images = try? IDX.images(bytes, file: "fuzz") {
    precondition(images.rank == 3 && images.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
  }
  if let labels = try? IDX.labels(bytes, file: "fuzz") {
    precondition(labels.allSatisfy { (0...9).contains($0) })
  }
}

/// The header and data, then the metadata of a model: a model file is loaded this way.
func readSafetensors(_ bytes: [UInt8]) {
  guard let st = try? Safetensors.decode(bytes, file: "fuzz.safetensors") else { return }
  for t in st.tensors.values { precondition(t.count == t.scalars.count) }
  _ = try? ModelFile.decode(st, file: "fuzz.safetensors")
}

func readPGM(_ bytes: [UInt8]) {
  guard let t = try? PGM.read(bytes, file: "fuzz.pgm") else { return }
  precondition(t.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
}

/// A spec as `cnnlab shape` reads it: parsed, then planned for the X/O and the MNIST input.
func readSpec(_ bytes: [UInt8]) {
  guard let spec = try? NetworkSpec.parse(String(decoding: bytes, as: UTF8.self)) else { return }
  for shape in [[1, 9, 9], [1, 28, 28]] { _ = try? Network.plan(spec: spec, inputShape: shape) }
}

/// A lesson script: parsed, checked and planned, or diagnostics that point inside the text.
func readLesson(_ bytes: [UInt8]) {
  let text = String(decoding: bytes, as: UTF8.self)
  do {
    let lesson = try LessonParser.parse(text, file: "fuzz.cnnlab")
    if LessonCheck.check(lesson).isEmpty { _ = ScenePlanner.plan(lesson) }
  } catch {
    let lines = lessonLines(text).count
    for diagnostic in error.diagnostics where diagnostic.line < 1 || diagnostic.line > max(lines, 1) {
      fatalError("diagnostic outside the text: \(diagnostic)")
    }
  }
}
