// libFuzzer entry point for the IDX reader, built by scripts/fuzz-idx (not part of the package).
// Each input is read as an image file and as a label file, gzipped or not; any outcome other
// than a value or a DataFileError (a crash, a trap, a sanitizer report) is a bug.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  do {
    let images = try IDX.images(bytes, file: "fuzz")
    precondition(images.rank == 3 && images.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
  } catch is DataFileError {
  } catch {
    fatalError("unexpected error type: \(error)")
  }
  do {
    let labels = try IDX.labels(bytes, file: "fuzz")
    precondition(labels.allSatisfy { (0...9).contains($0) })
  } catch is DataFileError {
  } catch {
    fatalError("unexpected error type: \(error)")
  }
  return 0
}
