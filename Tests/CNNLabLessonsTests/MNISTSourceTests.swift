import Foundation
import Testing

@testable import CNNLabLessons

/// `from "mnist:INDEX"` reads a digit of the bundled sample's held-out set. The pixel values
/// below were read from `assets/mnist/t10k-images-idx3-ubyte.gz` with Python's `gzip` module
/// (the bytes after the 16-byte header, 784 per digit), not with cnnlab's reader.
@Suite struct MNISTSourceTests {
  /// A course of one lesson whose grids are `gridLines`, reading assets from the repository.
  func load(_ gridLines: String) throws -> Course {
    let repo = try ScratchRepository()
    defer { repo.remove() }
    try repo.write("lessons/course", "format 1\n01-digit\n")
    try repo.write("lessons/01-digit/lesson.cnnlab", "format 1\ntitle \"Digit\"\n\(gridLines)\nstep \"s\"\n  show d\nend\n")
    return Course.load(directory: repo.lessons, repository: repositoryRoot.path)
  }

  @Test func aDigitIsItsPixelValues() throws {
    let course = try load(#"grid d 28x28 from "mnist:2""#)
    #expect(course.diagnostics.isEmpty)
    let digit = try #require(course.entries.first?.lesson?.grids.first)
    #expect(digit.shape == [28, 28])
    let values = try #require(digit.values)
    #expect(values.reduce(0, +) == 21425)
    #expect(values.max() == 255)
    #expect(values.filter { $0 != 0 }.count == 134)
    #expect(Array(values[(4 * 28 + 9)...(4 * 28 + 19)]) == [0, 0, 25, 78, 148, 148, 148, 166, 174, 96, 14])
  }

  @Test func aPatchKeepsTheRowsAndColumnsGiven() throws {
    let course = try load(#"grid d from "mnist:2[4..11,9..19]""#)
    #expect(course.diagnostics.isEmpty)
    let patch = try #require(course.entries.first?.lesson?.grids.first)
    #expect(patch.shape == [8, 11])
    #expect(Array(patch.values?.prefix(11) ?? []) == [0, 0, 25, 78, 148, 148, 148, 166, 174, 96, 14])
    #expect(patch.values?[2 * 11 + 2] == 250)  // row 6, column 11
  }

  @Test func badSourcesPointAtTheCharacterAtFault() throws {
    // The string opens at column 13: `grid d from "`.
    let cases: [(String, String)] = [
      (#"grid d from "mnist:x""#, "3:20: expected the digit's index here"),
      (#"grid d from "mnist:500""#, "3:20: the sample has 500 held-out digits; 500 is past the last"),
      (#"grid d from "mnist:2[4..30,0..3]""#, "3:22: the rows 4..30 are not inside 0..27"),
      (#"grid d from "mnist:2[4-8,0..3]""#, "3:23: expected '..' here"),
      (#"grid d from "mnist:2[4..8,0..3]x""#, "3:32: unexpected 'x'"),
      (#"grid d 9x9 from "mnist:2""#, "3:17: grid 'd' is declared 9x9 but \"mnist:2\" is 28x28"),
    ]
    for (line, expected) in cases {
      let course = try load(line)
      let found = course.diagnostics.map { "\($0.line):\($0.column): \($0.message)" }
      #expect(found == [expected], "\(line)")
      #expect(course.diagnostics.allSatisfy { !$0.note.isEmpty })
    }
  }
}
