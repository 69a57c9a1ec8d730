import Testing

// `cnnlab bench` measures speed, so the test build (debug) must refuse to run it and say how to
// get a release build; option mistakes are caught before that.

@Suite struct BenchCommandTests {
  @Test func debugBuildsRefuseToBenchmark() throws {
    #if DEBUG
      let r = try CNNLabBinary.run(["bench", "--workload", "D1"])
      #expect(r.status != 0)
      #expect(r.stdout.isEmpty)
      #expect(r.stderr.contains("cnnlab bench needs a release build"))
      #expect(r.stderr.contains("swift build -c release --product cnnlab"))
    #endif
  }

  @Test func threadCountIsPositive() throws {
    let r = try CNNLabBinary.run(["bench", "--threads", "0"])
    #expect(r.status != 0)
    #expect(r.stderr.contains("--threads must be from 1 to 256, not 0"))
  }

  @Test func unknownWorkloadIsNamed() throws {
    let r = try CNNLabBinary.run(["bench", "--workload", "E"])
    #expect(r.status != 0)
    #expect(r.stderr.contains("'E'"))
  }
}
