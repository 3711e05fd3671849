import Foundation
import LoopbackHTTP
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

  /// The step summary the Actions section shows is what `start --wait` writes, but for the
  /// duration, which is the run's own.
  @Test func theStepSummaryExampleIsWhatTheToolWrites() throws {
    let readme = try String(contentsOfFile: root + "/README.md", encoding: .utf8)
    let start = try #require(readme.range(of: "The summary page then shows, for example"))
    let open = try #require(readme.range(of: "```markdown\n", range: start.upperBound..<readme.endIndex))
    let close = try #require(readme.range(of: "```\n", range: open.upperBound..<readme.endIndex))
    let shown = String(readme[open.upperBound..<close.lowerBound])
    let server = try LoopbackServer()
    server.script("POST", "/reports", [.json(202, #"{"jobId":"r-42","status":"running"}"#)])
    server.script("/jobs/r-42", [.json(200, #"{"jobId":"r-42","status":"completed","result":{"url":"u"}}"#)])
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let summary = folder.appendingPathComponent("summary")
    let r = try jobctl(
      ["start", "/reports", "--base-url", server.baseURL, "--wait", "--field", "result.url", "--interval", "50ms"],
      env: ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary.path])
    #expect(r.code == 0, "\(r.stderr)")
    let written = String(decoding: (try? Data(contentsOf: summary)) ?? Data(), as: UTF8.self)
    // The duration cell (third) of each job row, whatever the time.
    func timeless(_ text: String) -> String {
      text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
        var cells = line.components(separatedBy: " | ")
        guard line.hasPrefix("| "), !line.hasPrefix("| Job "), !line.hasPrefix("| --- "), cells.count == 4 else {
          return String(line)
        }
        cells[2] = "D"
        return cells.joined(separator: " | ")
      }.joined(separator: "\n")
    }
    #expect(timeless(written) == timeless(shown), "\(written)")
  }

  /// The many-job step outputs the Actions section shows are what such a wait writes.
  @Test func theManyJobOutputsExampleIsWhatTheToolWrites() throws {
    let readme = try String(contentsOfFile: root + "/README.md", encoding: .utf8)
    let start = try #require(readme.range(of: "A wait for several jobs (`jobctl wait J1 J2 ...`"))
    let open = try #require(readme.range(of: "```text\n", range: start.upperBound..<readme.endIndex))
    let close = try #require(readme.range(of: "```\n", range: open.upperBound..<readme.endIndex))
    let shown = String(readme[open.upperBound..<close.lowerBound])
    let server = try LoopbackServer()
    server.script("/jobs/ok", [.json(200, #"{"status":"completed"}"#)])
    server.script("/jobs/bad", [.json(200, #"{"status":"failed","error":"no"}"#)])
    server.script("/jobs/slow", [.json(200, #"{"status":"pending"}"#)])
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let output = folder.appendingPathComponent("output")
    let r = try jobctl(
      ["wait", "ok", "bad", "slow", "--base-url", server.baseURL, "--timeout", "1s", "--interval", "50ms"],
      env: ["GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": output.path])
    #expect(r.code == 124, "\(r.stderr)")
    #expect(String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self) == shown)
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
