/// A named kernel the learner can cycle to with `p`, with the values of the lecture notes'
/// "The Convolution Operator" table (scale factors kept apart, as the table writes them), and
/// two 1-D kernels so that a 1-D step can offer presets too.
public struct KernelPreset: Equatable, Sendable {
  public var name: String
  /// `[rows, cols]`.
  public var shape: [Int]
  /// Unscaled values, row-major.
  public var values: [Double]
  public var scale: LessonNumber?

  /// The values times the scale.
  public var scaledValues: [Double] { values.map { $0 * (scale?.value ?? 1) } }

  /// Every preset, in the order of the table.
  public static let all: [KernelPreset] = [
    KernelPreset(name: "identity", shape: [3, 3], values: [0, 0, 0, 0, 1, 0, 0, 0, 0], scale: nil),
    KernelPreset(
      name: "edge-diagonal", shape: [3, 3], values: [1, 0, -1, 0, 0, 0, -1, 0, 1], scale: nil),
    KernelPreset(name: "edge-4", shape: [3, 3], values: [0, 1, 0, 1, -4, 1, 0, 1, 0], scale: nil),
    KernelPreset(
      name: "edge-8", shape: [3, 3], values: [-1, -1, -1, -1, 8, -1, -1, -1, -1], scale: nil),
    KernelPreset(
      name: "vertical-edge", shape: [3, 3], values: [-1, 0, 1, -1, 0, 1, -1, 0, 1], scale: nil),
    KernelPreset(name: "sharpen", shape: [3, 3], values: [0, -1, 0, -1, 5, -1, 0, -1, 0], scale: nil),
    KernelPreset(
      name: "box-blur", shape: [3, 3], values: [Double](repeating: 1, count: 9),
      scale: LessonNumber(1.0 / 9, text: "1/9")),
    KernelPreset(
      name: "gaussian-3x3", shape: [3, 3], values: [1, 2, 1, 2, 4, 2, 1, 2, 1],
      scale: LessonNumber(1.0 / 16, text: "1/16")),
    KernelPreset(
      name: "gaussian-5x5", shape: [5, 5], values: gaussian5,
      scale: LessonNumber(1.0 / 256, text: "1/256")),
    KernelPreset(
      name: "unsharp-5x5", shape: [5, 5],
      values: gaussian5.enumerated().map { $0.offset == 12 ? -476 : $0.element },
      scale: LessonNumber(-1.0 / 256, text: "-1/256")),
    // The 1-D kernels: the notes' "Discrete convolution" difference, and a two-cell average.
    KernelPreset(name: "difference", shape: [2], values: [-1, 1], scale: nil),
    KernelPreset(name: "average-2", shape: [2], values: [1, 1], scale: LessonNumber(1.0 / 2, text: "1/2")),
  ]

  private static let gaussian5: [Double] = [
    1, 4, 6, 4, 1,
    4, 16, 24, 16, 4,
    6, 24, 36, 24, 6,
    4, 16, 24, 16, 4,
    1, 4, 6, 4, 1,
  ]

  public static func named(_ name: String) -> KernelPreset? { all.first { $0.name == name } }

  static var namesList: String { all.map(\.name).joined(separator: ", ") }
}
