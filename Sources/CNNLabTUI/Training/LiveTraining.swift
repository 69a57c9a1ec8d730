import CNNLabData
import CNNLabEngine
import CNNLabTraining

/// A training screen to open inside the course: the trainer to start and what the screen shows.
public struct LiveTraining: Sendable {
  public var request: TrainingRequest
  public var data: TrainingData
  public var title: String

  public init(request: TrainingRequest, data: TrainingData, title: String) {
    self.request = request
    self.data = data
    self.title = title
  }
}
