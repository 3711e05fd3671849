import Foundation
import Testing

/// The repository root, found from this file's path.
private let root: String = {
  var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
  parts.removeLast(3)  // Tests/EndToEndTests/ReadmeTests.swift
  return parts.joined(separator: "/")
}()

/// The README's examples do what they say.
@Suite struct ReadmeTests {
  /// The lines of the first `sh` block after `heading`.
  static func block(after heading: String) throws -> [String] {
    let readme = try String(contentsOfFile: root + "/README.md", encoding: .utf8)
    let start = try #require(readme.range(of: heading))
    let open = try #require(readme.range(of: "```sh\n", range: start.upperBound..<readme.endIndex))
    let close = try #require(readme.range(of: "\n```", range: open.upperBound..<readme.endIndex))
    return readme[open.upperBound..<close.lowerBound].split(separator: "\n").map(String.init)
  }

  /// The simulator walk-through, line by line, against a simulator of our own (on a free port, in
  /// place of the `jobsim --port 8089 &` line), with `jobctl` on PATH as the block's first line
  /// puts it: each exits 0, or with the code its comment names.
  @Test func theSimulatorWalkThroughRunsAsShown() throws {
    let lines = try Self.block(after: "### Trying it without an API: the simulator")
    #expect(lines.first?.hasPrefix("export PATH=\"$(swift build --show-bin-path):$PATH\"") == true)
    #expect(lines.contains { $0.hasPrefix("jobsim --port 8089 &") })
    let sim = try Simulator()
    let port = try #require(sim.base.split(separator: ":").last)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-readme-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("jobctl"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    // Quick polls from the config file, so the lines stay as written.
    try Data("[default]\ninterval = 100ms\nprogress = none\n".utf8)
      .write(to: folder.appendingPathComponent("jobctl/config"))
    var ran = 0
    for line in lines where line.hasPrefix("jobctl ") {
      let command = line.replacingOccurrences(of: "8089", with: String(port))
      let expected = line.range(of: "# exit ").flatMap { Int32(line[$0.upperBound...].prefix { $0.isNumber }) } ?? 0
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/bin/bash")
      process.arguments = ["--norc", "-c", command]
      process.currentDirectoryURL = folder
      process.environment = [
        "PATH": Binaries.folder + ":/usr/bin:/bin", "HOME": folder.path, "XDG_CONFIG_HOME": folder.path,
        "LANG": "C.UTF-8",
      ]
      let err = Pipe()
      process.standardOutput = FileHandle.nullDevice
      process.standardError = err
      try process.run()
      let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      #expect(process.terminationStatus == expected, "\(line)\n\(stderr)")
      ran += 1
    }
    #expect(ran >= 8)
    let csv = try String(contentsOf: folder.appendingPathComponent("assignments.csv"), encoding: .utf8)
    #expect(csv.hasPrefix("paper,"))
  }
}
