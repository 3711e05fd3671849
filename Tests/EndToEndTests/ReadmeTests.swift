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
  /// The commands of the first `sh` block after `heading`: its lines, a line ending in `\` joined
  /// with the next.
  static func block(after heading: String) throws -> [String] {
    let readme = try String(contentsOfFile: root + "/README.md", encoding: .utf8)
    let start = try #require(readme.range(of: heading))
    let open = try #require(readme.range(of: "```sh\n", range: start.upperBound..<readme.endIndex))
    let close = try #require(readme.range(of: "\n```", range: open.upperBound..<readme.endIndex))
    var commands: [String] = []
    var continued = false
    for line in readme[open.upperBound..<close.lowerBound].split(separator: "\n").map(String.init) {
      if continued, let last = commands.popLast() {
        commands.append(last + " " + line.trimmingCharacters(in: .whitespaces))
      } else {
        commands.append(line)
      }
      continued = line.hasSuffix("\\")
      if continued, let last = commands.popLast() { commands.append(String(last.dropLast())) }
    }
    return commands
  }

  /// Runs each `jobctl` line of `lines` through bash against `sim`, and returns how many ran.
  ///
  /// Each runs in `folder` (quick polls from its config file) and must exit 0, or with the code
  /// its comment names.
  static func run(_ lines: [String], against sim: Simulator, in folder: URL) throws -> Int {
    let port = try #require(sim.base.split(separator: ":").last)
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
    return ran
  }

  /// A scratch folder whose config file asks for quick polls, so the lines stay as written.
  static func folder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-readme-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("jobctl"), withIntermediateDirectories: true)
    try Data("[default]\ninterval = 100ms\nprogress = none\n".utf8)
      .write(to: folder.appendingPathComponent("jobctl/config"))
    return folder
  }

  /// The simulator walk-through, line by line, against a simulator of our own (on a free port, in
  /// place of the `jobsim --port 8089 &` line), with `jobctl` on PATH as the block's first line
  /// puts it: each exits 0, or with the code its comment names.
  @Test func theSimulatorWalkThroughRunsAsShown() throws {
    let lines = try Self.block(after: "### Trying it without an API: the simulator")
    #expect(lines.first?.hasPrefix("export PATH=\"$(swift build --show-bin-path):$PATH\"") == true)
    #expect(lines.contains { $0.hasPrefix("jobsim --port 8089 &") })
    let sim = try Simulator()
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let ran = try Self.run(lines, against: sim, in: folder)
    #expect(ran >= 8)
    let csv = try String(contentsOf: folder.appendingPathComponent("assignments.csv"), encoding: .utf8)
    #expect(csv.hasPrefix("paper,"))
  }

  /// The named-API walk-through, against the simulator's imitations of those APIs.
  @Test func theNamedAPIWalkThroughRunsAsShown() throws {
    let lines = try Self.block(after: "public job APIs too, for the named shapes")
    let sim = try Simulator()
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    #expect(try Self.run(lines, against: sim, in: folder) >= 5)
  }
}
