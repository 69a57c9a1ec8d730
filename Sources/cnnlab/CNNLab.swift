import ArgumentParser

@main
struct CNNLab: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cnnlab",
    abstract: "Watch a convolutional network learn, one kernel at a time.",
    subcommands: [
      Learn.self, Lessons.self, Lesson.self, Conv.self, Pool.self, Shape.self, Train.self, Eval.self,
      Predict.self, Bench.self, BenchUI.self,
    ],
    defaultSubcommand: Learn.self)

  static func main() {
    failOnStandardOutputErrors()
    main(nil)
  }
}
