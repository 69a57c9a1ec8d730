import CNNLabEngine
import CNNLabTestSupport
import Testing

// The helpers the reference and gradient tests lean on must be able to fail.

@Suite struct TestSupportTests {
  @Test func closenessFlagsPairsOutsideTheToleranceAndSaysWhere() {
    let closeness = Closeness(
      [1, 2, 3.01, 4], [1, 2, 3, 4.000001], shape: [2, 2], relativeTolerance: 1e-5,
      absoluteTolerance: 1e-6)
    #expect(closeness.mismatches == [2])
    #expect(abs(closeness.maxDifference - 0.01) < 1e-9)
    #expect(closeness.description.contains("at [1, 0]: actual 3.01, expected 3.0"))
  }

  @Test func closenessCountsNaNAsAMismatch() {
    let closeness = Closeness([.nan, 1], [0, 1], relativeTolerance: 1, absoluteTolerance: 1)
    #expect(closeness.mismatches == [0])
  }

  @Test func closenessScalesTheRelativePartByTheExpectedValue() {
    // 1000 ± 0.009 is within 1e-5 relative; 0.009 itself is not within 1e-5 of 0.
    #expect(Closeness([1000.009], [1000], relativeTolerance: 1e-5, absoluteTolerance: 0).isClose)
    #expect(!Closeness([0.009], [0], relativeTolerance: 1e-5, absoluteTolerance: 0).isClose)
  }

  @Test func numericalGradientOfASumOfSquaresIsTwiceTheInput() {
    let x = Tensor(vector: [-1.5, 0, 0.25, 2])
    let gradient = numericalGradient(at: x) { t in dot(t, t) }
    expectClose(gradient, x.map { 2 * $0 }, relativeTolerance: 1e-4, absoluteTolerance: 1e-4)
  }

  @Test func dotSumsProductsInDouble() {
    let a = Tensor(vector: [1, 2, 3])
    let b = Tensor(vector: [4, -5, 6])
    #expect(dot(a, b) == 12)
  }
}
