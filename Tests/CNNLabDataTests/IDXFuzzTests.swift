import CNNLabData
import CNNLabEngine
import Foundation
import Testing

/// Seeded mutation fuzzing of the IDX reader: damaged files must give a `DataFileError`, never
/// a crash, a hang or a huge allocation. (`scripts/fuzz idx` runs the IDX reader under
/// libFuzzer with AddressSanitizer for longer.)
@Suite struct IDXFuzzTests {
  static let seeds: [[UInt8]] = {
    let images = idxImageBytes(3, 5, 4)
    let labels = idxLabelBytes([0, 9, 3])
    return [images, labels, Gzip.compress(images), Gzip.compress(labels)]
  }()

  /// One random mutation of `input`.
  static func mutate(_ input: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
    var bytes = input
    func below(_ n: Int) -> Int { n > 0 ? Int(rng.next() % UInt64(n)) : 0 }
    switch rng.next() % 6 {
    case 0:  // flip a few bits
      for _ in 0...below(4) where !bytes.isEmpty {
        bytes[below(bytes.count)] ^= UInt8(1 << below(8))
      }
    case 1:  // truncate
      bytes = Array(bytes.prefix(below(bytes.count + 1)))
    case 2:  // a huge or odd count in a header field
      let counts: [UInt32] = [.max, 0x7FFF_FFFF, 1 << 24, 1 << 16, 0, 1, 28, 60_000]
      let field = 4 * below(4)
      if bytes.count >= field + 4 {
        let value = counts[below(counts.count)]
        for i in 0..<4 { bytes[field + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * i)) }
      }
    case 3:  // random bytes overwrite a stretch
      let start = below(bytes.count)
      for i in start..<min(bytes.count, start + below(9)) {
        bytes[i] = UInt8(truncatingIfNeeded: rng.next())
      }
    case 4:  // append junk
      bytes += (0..<below(20)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    default:  // wrap the mutated bytes in gzip
      bytes = Gzip.compress(bytes)
    }
    return bytes
  }

  @Test func damagedIDXFilesNeverCrash() {
    var rng = SplitMix64(seed: 2051)
    let clock = ContinuousClock()
    let start = clock.now
    var runs = 0
    var accepted = 0
    var rejected = 0
    while runs < 30_000 && clock.now - start < .seconds(3) {
      var input = Self.seeds[Int(rng.next() % UInt64(Self.seeds.count))]
      for _ in 0...(rng.next() % 3) { input = Self.mutate(input, using: &rng) }
      for readImages in [true, false] {
        do {
          if readImages {
            let images = try IDX.images(input, file: "fuzz")
            #expect(images.rank == 3 && images.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
          } else {
            let labels = try IDX.labels(input, file: "fuzz")
            #expect(labels.allSatisfy { (0...9).contains($0) })
          }
          accepted += 1
        } catch is DataFileError {
          rejected += 1
        } catch {
          Issue.record("unexpected error type: \(error)")
        }
      }
      runs += 1
    }
    #expect(runs >= 200, "the fuzz loop should manage at least 200 inputs in 3 s")
    #expect(accepted > 0 && rejected > 0, "mutations should both keep and break files")
  }
}

/// The same mutations against the other binary readers, briefly: errors only, never a crash.
@Suite struct BinaryFormatFuzzTests {
  func survives(
    _ seeds: [[UInt8]], seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation,
    _ read: ([UInt8]) throws -> Void
  ) {
    var rng = SplitMix64(seed: seed)
    let clock = ContinuousClock()
    let start = clock.now
    var runs = 0
    while runs < 5000 && clock.now - start < .seconds(1) {
      var input = seeds[Int(rng.next() % UInt64(seeds.count))]
      for _ in 0...(rng.next() % 3) { input = IDXFuzzTests.mutate(input, using: &rng) }
      do {
        try read(input)
      } catch is DataFileError {
      } catch {
        Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
      }
      runs += 1
    }
  }

  @Test func damagedNPYFilesNeverCrash() throws {
    let seeds = try ["f4_c.npy", "f8_fortran_2d.npy", "i2_big.npy", "f4_v3.npy"].map(fixtureBytes)
    survives(seeds, seed: 1) { _ = try NPY.read($0, file: "fuzz.npy") }
  }

  @Test func damagedSafetensorsFilesNeverCrash() {
    survives([SafetensorsTests.sample().encode()], seed: 2) {
      _ = try Safetensors.decode($0, file: "fuzz.safetensors")
    }
  }

  @Test func damagedPGMFilesNeverCrash() {
    let seeds = [
      Array("P2 3 2 4\n0 1 2\n3 4 0\n".utf8), Array("P5 2 2 255\n".utf8) + [0, 51, 255, 102],
      Array("P5 1 2 65535\n".utf8) + [1, 2, 3, 4],
    ]
    survives(seeds, seed: 3) { _ = try PGM.read($0, file: "fuzz.pgm") }
  }
}
