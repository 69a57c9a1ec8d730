import ArgumentParser

@main
struct CNNLab: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cnnlab",
    abstract: "Watch a convolutional network learn, one kernel at a time.",
    subcommands: [
      Bench.self, Conv.self, Eval.self, Lessons.self, Pool.self, Predict.self, Shape.self,
      Train.self,
    ])
}
