// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "jobctl",
  products: [
    .executable(name: "jobctl", targets: ["jobctl"]),
    .executable(name: "jobsim", targets: ["jobsim"]),
    // For the fuzz targets in Fuzz/, a separate package that depends on this one.
    .library(
      name: "JobctlKit",
      targets: [
        "JobctlKit", "JobctlOutput", "JobctlEngine", "JobctlShapes", "JobctlTransport", "JobctlHTTP", "JobctlFiles",
        "JobctlSupport",
      ]),
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
    // What the client and the test server write alike (JSON text, HTTP reason phrases); their
    // parsers stay apart, so the server remains an independent oracle.
    .target(name: "WireFormat"),
    // jobctl's layers, each a target so that the compiler refuses a reach across: a layer sees
    // only the ones below it (docs/design.md). Support is what every layer may use (text, JSON,
    // URLs, errors, secrets redaction, signal state); HTTP the requests, answers and the
    // transport protocol; Transport the libcurl transport, the only user of CCurl; Shapes the
    // response shapes as data; Engine the pure steppers fed answers and time; Output the
    // presenter and the streams; Files the output file (a temporary file renamed into place, or
    // a FIFO written through, waits ended by the interruptions it is given); JobctlKit the
    // commands, which put the others together.
    .target(name: "JobctlSupport", dependencies: ["SystemCalls", "WireFormat"]),
    .target(name: "JobctlFiles", dependencies: ["JobctlSupport", "SystemCalls"]),
    .target(name: "JobctlHTTP", dependencies: ["JobctlSupport", "SystemCalls"]),
    .target(name: "JobctlTransport", dependencies: ["CCurl", "JobctlHTTP", "JobctlSupport", "SystemCalls"]),
    .target(name: "JobctlShapes", dependencies: ["JobctlHTTP", "JobctlSupport"]),
    .target(name: "JobctlEngine", dependencies: ["JobctlShapes", "JobctlHTTP", "JobctlSupport"]),
    .target(
      name: "JobctlOutput",
      dependencies: ["JobctlEngine", "JobctlShapes", "JobctlHTTP", "JobctlSupport", "SystemCalls"]),
    .target(
      name: "JobctlKit",
      dependencies: [
        "JobctlOutput", "JobctlEngine", "JobctlShapes", "JobctlTransport", "JobctlHTTP", "JobctlFiles",
        "JobctlSupport", "SystemCalls", "WireFormat",
      ]),
    // Release builds link the Swift runtime statically: a one-shot `status` then starts in about
    // 20 % less time and memory (no dynamic symbol lookups across the runtime's libraries).
    .executableTarget(
      name: "jobctl", dependencies: ["JobctlKit"],
      linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
    ),
    // A loopback HTTP/1.1 server for the tests and the simulator.
    .target(name: "LoopbackHTTP", dependencies: ["SystemCalls", "WireFormat"]),
    .executableTarget(name: "jobsim", dependencies: ["LoopbackHTTP", "SystemCalls"]),
    // Test doubles (in-memory sinks, fake time, the fake transport): a regular target that only
    // test targets depend on, so none of it is in the product.
    .target(
      name: "JobctlTestSupport",
      dependencies: [
        "JobctlKit", "JobctlOutput", "JobctlEngine", "JobctlShapes", "JobctlTransport", "JobctlHTTP", "JobctlFiles",
        "JobctlSupport",
      ]),
    .testTarget(
      name: "JobctlKitTests",
      dependencies: [
        "JobctlKit", "JobctlOutput", "JobctlEngine", "JobctlShapes", "JobctlTransport", "JobctlHTTP", "JobctlFiles",
        "JobctlSupport", "JobctlTestSupport",
      ]),
    // jobctl's JSON reader and shapes only, to check that the simulator's JSON agrees with the client's.
    .testTarget(
      name: "LoopbackHTTPTests", dependencies: ["LoopbackHTTP", "JobctlShapes", "JobctlSupport", "SystemCalls"]),
    .testTarget(
      name: "EndToEndTests",
      dependencies: ["jobctl", "jobsim", "LoopbackHTTP"]
    ),
  ]
)
