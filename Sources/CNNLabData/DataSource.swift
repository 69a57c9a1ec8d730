import Foundation

/// Where a data set comes from, as named by `--data`: a known name or a folder.
public enum DataSource: Equatable, Sendable {
  /// A folder of IDX files (see `IDXDataset`); `name` is what the user called it, or `fashion`
  /// whenever the folder is the Fashion-MNIST one (so its class names follow the folder).
  case idx(directory: String, name: String)
  /// X/O images made by `XOGenerator`; nothing is read from disk.
  case xo

  /// Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST.
  public static let fashionDirectory = "/usr/share/datasets/fashion-mnist"

  /// Resolves `name`: `fashion` (the Debian package), `mnist` (the sample bundled in
  /// `assets/mnist`), `xo` (generated), or a path to a folder of IDX files.
  ///
  /// A folder that is `fashionDirectory` under another spelling (a trailing slash, a relative
  /// path, a symbolic link) resolves as `fashion` would, so it gets Fashion-MNIST's class names.
  ///
  /// `fashionDirectory` and `assetsDirectory` override the standard places (for tests).
  public static func resolve(
    _ name: String, fashionDirectory: String = DataSource.fashionDirectory,
    assetsDirectory: String? = nil
  ) throws -> DataSource {
    switch name {
    case "xo":
      return .xo
    case "fashion":
      guard IDXDataset.locate(IDXDataset.testImagesName, in: fashionDirectory) != nil else {
        throw DataFileError(
          file: fashionDirectory, kind: .missing,
          message: "Fashion-MNIST is not installed",
          note:
            "install Debian's package: sudo apt-get install dataset-fashion-mnist "
            + "(or use --data mnist for the bundled sample)")
      }
      return .idx(directory: fashionDirectory, name: "fashion")
    case "mnist":
      let candidates = assetsDirectory.map { [$0] } ?? defaultAssetsDirectories()
      let folders = candidates.map { ($0 as NSString).appendingPathComponent("mnist") }
      for folder in folders where IDXDataset.locate(IDXDataset.testImagesName, in: folder) != nil {
        return .idx(directory: folder, name: "mnist")
      }
      throw DataFileError(
        file: folders.first ?? "assets/mnist", kind: .missing,
        message:
          "the bundled MNIST sample was not found (looked in \(folders.joined(separator: ", ")))",
        note: "run cnnlab from its source folder, or set CNNLAB_ASSETS to the assets folder")
    default:
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory) else {
        throw DataFileError(
          file: name, kind: .missing, message: "no data set or folder by this name",
          note: "use fashion, mnist, xo, or a folder holding IDX files")
      }
      guard isDirectory.boolValue else {
        throw DataFileError(
          file: name, kind: .unreadable, message: "is a file, not a folder",
          note: "give the folder that holds the IDX files (t10k-images-idx3-ubyte and friends)")
      }
      let isFashion = samePath(name, fashionDirectory)
      return .idx(directory: name, name: isFashion ? "fashion" : name)
    }
  }

  /// Whether `a` and `b` name the same place, once made absolute, standardized (no `.`, `..` or
  /// trailing slash) and with symbolic links resolved.
  static func samePath(_ a: String, _ b: String) -> Bool {
    func canonical(_ path: String) -> String {
      URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }
    return canonical(a) == canonical(b)
  }

  /// The names of the classes, in label order.
  public var classNames: [String] {
    switch self {
    case .xo: return XOGenerator.Shape.allCases.map(\.name)
    case .idx(_, let name) where name == "fashion":
      return [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
        "Ankle boot",
      ]
    case .idx: return (0..<10).map(String.init)
    }
  }

  /// The places `assets/` may be: `$CNNLAB_ASSETS`, beside or above the executable (a build in
  /// `.build/debug` sits three levels below the source folder), and the source folder this
  /// file was compiled from (cnnlab is always built from source).
  static func defaultAssetsDirectories() -> [String] {
    var result: [String] = []
    if let env = ProcessInfo.processInfo.environment["CNNLAB_ASSETS"], !env.isEmpty {
      result.append(env)
    }
    // The executable's folder and its parents. A URL made from a relative argv[0] is resolved
    // against the current folder, so `./.build/debug/cnnlab` walks up like an absolute path.
    var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? ".")
      .resolvingSymlinksInPath().standardizedFileURL.deletingLastPathComponent()
    for _ in 0..<5 {
      result.append(folder.appendingPathComponent("assets").path)
      folder = folder.deletingLastPathComponent()
    }
    let source = URL(fileURLWithPath: #filePath)  // Sources/CNNLabData/DataSource.swift
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    result.append(source.appendingPathComponent("assets").path)
    var seen = Set<String>()
    return result.filter { seen.insert($0).inserted }
  }
}
