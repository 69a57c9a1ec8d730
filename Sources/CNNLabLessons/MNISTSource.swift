import CNNLabData
import CNNLabEngine

/// `from "mnist:INDEX"`: a real digit from the bundled MNIST sample's 500 held-out digits
/// (`assets/mnist/t10k-*`), pixel values 0–255, as a 28x28 grid. `"mnist:INDEX[R0..R1,C0..C1]"`
/// takes rows R0 to R1 and columns C0 to C1 of it (both ends included), for a patch small
/// enough to read as numbers.
struct MNISTSource: Equatable {
  var index: Int
  /// Rows and columns kept; nil for the whole digit.
  var rows: ClosedRange<Int>?
  var columns: ClosedRange<Int>?

  static let prefix = "mnist:"
  static let imagesFile = "assets/mnist/t10k-images-idx3-ubyte.gz"
  static let labelsFile = "assets/mnist/t10k-labels-idx1-ubyte.gz"

  /// A problem with the source text: the offset of the character it is about, and what to do.
  struct Problem: Error, Equatable {
    var offset: Int
    var message: String
    var note: String
  }

  static let usage = "write \"mnist:INDEX\" (0 to 499), or \"mnist:INDEX[ROWS,COLUMNS]\" like \"mnist:7[8..15,6..16]\""

  /// Reads `text` (`mnist:7` or `mnist:7[8..15,6..16]`); offsets in a problem count from the
  /// first character of `text`.
  static func parse(_ text: String) throws(Problem) -> MNISTSource {
    let characters = Array(text)
    var position = prefix.count
    func number(_ what: String) throws(Problem) -> Int {
      let start = position
      while position < characters.count, characters[position].isASCII, characters[position].isNumber { position += 1 }
      guard position > start, let value = Int(String(characters[start..<position])), value <= 1_000_000 else {
        throw Problem(offset: start, message: "expected \(what) here", note: usage)
      }
      return value
    }
    func expect(_ symbol: String) throws(Problem) {
      guard position + symbol.count <= characters.count,
        String(characters[position..<(position + symbol.count)]) == symbol
      else { throw Problem(offset: position, message: "expected '\(symbol)' here", note: usage) }
      position += symbol.count
    }
    func range(_ what: String) throws(Problem) -> ClosedRange<Int> {
      let start = position
      let low = try number("the first of the \(what)")
      try expect("..")
      let high = try number("the last of the \(what)")
      guard low <= high, high < 28 else {
        throw Problem(offset: start, message: "the \(what) \(low)..\(high) are not inside 0..27", note: "a digit has 28 rows and 28 columns, 0 to 27")
      }
      return low...high
    }
    var source = MNISTSource(index: try number("the digit's index"))
    if position < characters.count {
      try expect("[")
      source.rows = try range("rows")
      try expect(",")
      source.columns = try range("columns")
      try expect("]")
    }
    guard position == characters.count else {
      throw Problem(offset: position, message: "unexpected '\(characters[position])'", note: usage)
    }
    return source
  }

  /// The digit's pixels (0–255) and its shape, read from the sample under `repository`.
  func load(repository: String) throws(Problem) -> (shape: [Int], values: [Double], label: Int) {
    let images: LabeledImages
    do {
      images = try IDXDataset.loadPair(
        images: repository + "/" + MNISTSource.imagesFile, labels: repository + "/" + MNISTSource.labelsFile)
    } catch {
      throw Problem(
        offset: 0, message: "cannot read the MNIST sample: \(error)",
        note: "the lessons need \(MNISTSource.imagesFile) and its labels")
    }
    let (count, height, width) = (images.images.shape[0], images.images.shape[1], images.images.shape[2])
    guard index < count else {
      throw Problem(
        offset: MNISTSource.prefix.count, message: "the sample has \(count) held-out digits; \(index) is past the last",
        note: "give an index from 0 to \(count - 1)")
    }
    let rows = self.rows ?? 0...(height - 1)
    let columns = self.columns ?? 0...(width - 1)
    let start = index * height * width
    var values: [Double] = []
    for r in rows {
      for c in columns {
        values.append((Double(images.images.scalars[start + r * width + c]) * 255).rounded())
      }
    }
    return ([rows.count, columns.count], values, images.labels[index])
  }
}
