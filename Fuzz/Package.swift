// swift-tools-version:5.4
import PackageDescription

// libFuzzer targets for jobctl's parsers, kept out of the main package so `swift build` and
// `make test` never see them. Build with `make fuzz`, which passes `-sanitize=fuzzer` and
// `-enable-testing` (the targets reach internal parsers through `@testable import`).
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM renames an executable's entry point to
// `<module>_main` and links `main` to that symbol, which these targets do not have (libFuzzer
// brings `main`), so linking fails.
let targets = ["document", "duration", "retry-after", "json-path", "header", "config", "url"]

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
