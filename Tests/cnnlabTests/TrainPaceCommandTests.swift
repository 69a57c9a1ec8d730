import Foundation
import Testing

/// `--pace` on the command line: checked before anything runs, and ignored by headless training,
/// which always runs at full speed.
@Suite struct TrainPaceCommandTests {
  @Test(arguments: ["0", "-1", "fast", "2.5"])
  func aPaceThatIsNotANumberOfStepsOrMaxIsRefused(pace: String) throws {
    let r = try CNNLabBinary.run(["train", "--data", "xo", "--headless", "--pace", pace])
    #expect(r.status != 0)
    #expect(r.stderr.contains("--pace must be max or a whole number of steps per second from 1 to 100000, not '\(pace)'"))
  }

  /// 125 steps at 1 step/s would take two minutes; headless they take well under a second of
  /// training (20 s allows for a busy machine).
  @Test func headlessTrainingIgnoresThePace() throws {
    let start = Date()
    let r = try CNNLabBinary.run(["train", "--data", "xo", "--epochs", "1", "--headless", "--pace", "1", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(Date().timeIntervalSince(start) < 20)
    #expect(r.stdout.contains("\"steps\": 125"))
  }

  @Test func theHelpNamesThePaceOption() throws {
    let r = try CNNLabBinary.run(["train", "--help"])
    #expect(r.stdout.contains("--pace <pace>"))
    #expect(r.stdout.contains("< and > change it"))
  }
}
