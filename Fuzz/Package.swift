// swift-tools-version:5.4
import Foundation
import PackageDescription

// libFuzzer targets for jobctl's parsers, kept out of the main package so `swift build` and
// `make test` never see them. Build with `make fuzz`, which passes `-sanitize=fuzzer` and
// `-enable-testing` (the targets reach internal parsers through `@testable import`).
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM renames an executable's entry point to
// `<module>_main` and links `main` to that symbol, which these targets do not have (libFuzzer
// brings `main`), so linking fails.
//
// Every folder of Sources but FuzzSupport is a target, as the Makefile reads them: adding a folder
// is all it takes to add one. (Context.packageDirectory needs 5.6; the manifest's own path does.)
// SwiftPM caches a manifest's result by its text, so `make fuzz` builds with `--manifest-cache
// none` to see a new folder.
let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Sources")
let folders: [String]
do {
  folders = try FileManager.default.contentsOfDirectory(atPath: sources.path)
} catch {
  fatalError("cannot list the fuzz targets in \(sources.path): \(error)")
}
let targets = folders.filter { $0 != "FuzzSupport" && !$0.hasPrefix(".") }.sorted()

let package = Package(
  name: "jobctl-fuzz",
  products: targets.map { .executable(name: "fuzz-\($0)", targets: ["fuzz-\($0)"]) },
  dependencies: [.package(name: "jobctl", path: "..")],
  targets: [
    // Invariant checks shared by the targets: a failed check traps, which libFuzzer reports.
    .target(name: "FuzzSupport", path: "Sources/FuzzSupport")
  ]
    + targets.map {
      .executableTarget(
        name: "fuzz-\($0)",
        dependencies: ["FuzzSupport", .product(name: "JobctlKit", package: "jobctl")],
        path: "Sources/\($0)"
      )
    }
)
