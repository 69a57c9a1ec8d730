// swift-tools-version:6.1
import PackageDescription

// Release builds of the engine are tuned for the machine they are built on: cnnlab is always
// built from source (see README), so `-target-cpu native` is safe and is the big lever for SIMD.
// Every target keeps Swift's checked arithmetic (`-O`): `-Ounchecked` was measured on the
// engine's kernels and saved nothing (README, "Threads: how a training step divides").
let nativeCPU: [SwiftSetting] = [
  .unsafeFlags(["-target-cpu", "native"], .when(configuration: .release))
]

let package = Package(
  name: "cnnlab",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "cnnlab", targets: ["cnnlab"]),
    .library(name: "CNNLabEngine", targets: ["CNNLabEngine"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
  ],
  targets: [
    // MARK: - Core

    /// Tensors, layers, traces, networks, optimisers. Pure Swift: no UI, terminal or file system.
    .target(name: "CNNLabEngine", swiftSettings: nativeCPU),
    /// A training run for a screen: pace, the whole-run curves, the timeline of parameters to
    /// rewind, probes and the snapshots a trainer thread publishes. Built on the engine's
    /// `Trainer`; kept apart so the engine stays what a learner reads to see how a CNN works.
    .target(name: "CNNLabTraining", dependencies: ["CNNLabEngine"]),
    /// File formats (text grids, .npy, IDX, safetensors) and data sets (X/O, MNIST).
    .target(name: "CNNLabData", dependencies: ["CNNLabEngine", "CZlib"]),
    /// zlib, for gzipped IDX files; used only by CNNLabData.
    .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),

    // MARK: - Lessons and screens

    /// Lesson scripts: parser, diagnostics, checker, course, scene planner.
    .target(name: "CNNLabLessons", dependencies: ["CNNLabEngine", "CNNLabData"]),
    /// Pure state/update/view of every screen; draws into a cell buffer, never a terminal.
    .target(name: "CNNLabTUI", dependencies: ["CNNLabEngine", "CNNLabTraining", "CNNLabData", "CNNLabLessons"]),

    // MARK: - Terminal edge

    .systemLibrary(
      name: "CNCurses", path: "Sources/CNCurses",
      providers: [.apt(["libncurses-dev"]), .brew(["ncurses"])]),
    /// Plain C: restores the terminal when the process crashes.
    .target(name: "CTermSupport", linkerSettings: [.linkedLibrary("ncursesw")]),
    /// The thin ncurses backend: terminal lifecycle, signals, diff drawing, key decoding.
    .target(name: "CNNLabCurses", dependencies: ["CNNLabTUI", "CNCurses", "CTermSupport"]),

    // MARK: - Command line

    .executableTarget(
      name: "cnnlab",
      dependencies: [
        "CNNLabEngine", "CNNLabTraining", "CNNLabData", "CNNLabLessons", "CNNLabTUI", "CNNLabCurses",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: nativeCPU),

    // MARK: - Tests

    .target(name: "CNNLabTestSupport", dependencies: ["CNNLabEngine"], path: "Sources/CNNLabTestSupport"),
    .testTarget(
      name: "CNNLabEngineTests", dependencies: ["CNNLabEngine", "CNNLabTraining", "CNNLabTestSupport"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "CNNLabDataTests", dependencies: ["CNNLabData", "CNNLabTraining", "CNNLabTestSupport"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "CNNLabLessonsTests", dependencies: ["CNNLabLessons", "CNNLabTestSupport"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "CNNLabTUITests", dependencies: ["CNNLabTUI", "CNNLabTraining", "CNNLabTestSupport"],
      exclude: ["Fixtures", "Snapshots"]),
    .testTarget(name: "cnnlabTests", dependencies: ["cnnlab", "CNNLabTestSupport"], exclude: ["Inputs"]),
  ]
)
