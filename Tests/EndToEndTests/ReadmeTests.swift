import Foundation
import LoopbackHTTP
import Testing

/// The repository root, found from this file's path.
private let root: String = {
  var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
  parts.removeLast(3)  // Tests/EndToEndTests/ReadmeTests.swift
  return parts.joined(separator: "/")
}()

/// The README's examples, and those of the docs it links to, do what they say.
@Suite struct ReadmeTests {
  /// The text of `file` (a path from the repository root).
  static func text(_ file: String) throws -> String {
    try String(contentsOfFile: root + "/" + file, encoding: .utf8)
  }

  /// The commands of the first `sh` block after `heading` in `file`: its lines, a line ending in
  /// `\` joined with the next.
  static func block(after heading: String, in file: String = "README.md") throws -> [String] {
    let readme = try text(file)
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

  /// The body of the first block fenced with `fence` (say "```text") after `heading` in `file`.
  static func fenced(_ fence: String, after heading: String, in file: String) throws -> String {
    let readme = try text(file)
    let start = try #require(readme.range(of: heading))
    let open = try #require(readme.range(of: fence + "\n", range: start.upperBound..<readme.endIndex))
    let close = try #require(readme.range(of: "```\n", range: open.upperBound..<readme.endIndex))
    return String(readme[open.upperBound..<close.lowerBound])
  }

  /// The step summary docs/ci.md shows is what `start --wait` writes, but for the duration, which
  /// is the run's own.
  @Test func theStepSummaryExampleIsWhatTheToolWrites() throws {
    let shown = try Self.fenced("```markdown", after: "The summary page then shows, for example", in: "docs/ci.md")
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

  /// The many-job step outputs docs/ci.md shows are what such a wait writes.
  @Test func theManyJobOutputsExampleIsWhatTheToolWrites() throws {
    let shown = try Self.fenced("```text", after: "A wait for several jobs (`jobctl wait J1 J2 ...`", in: "docs/ci.md")
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
  /// its comment names. An `export NAME=VALUE` line holds for the lines after it (but `PATH`,
  /// which the test sets), and so does `NAME=$(jobctl ...)`, whose command runs (and must exit 0)
  /// and whose output becomes NAME.
  static func run(_ lines: [String], against sim: Simulator, in folder: URL) throws -> Int {
    let port = try #require(sim.base.split(separator: ":").last)
    var prelude = ""
    var ran = 0
    for line in lines {
      let text = line.replacingOccurrences(of: "8089", with: String(port))
      if text.hasPrefix("export "), !text.hasPrefix("export PATH=") {
        prelude += text + "\n"
        continue
      }
      var command = text
      var capture: String?
      if let match = text.wholeMatch(of: /([A-Za-z_][A-Za-z0-9_]*)=\$\((jobctl .*?)\)\s*(#.*)?/) {
        capture = String(match.1)
        command = String(match.2)
      }
      guard command.hasPrefix("jobctl ") else { continue }
      let expected =
        command.range(of: "# exit ").flatMap { Int32(command[$0.upperBound...].prefix { $0.isNumber }) } ?? 0
      let r = try bash(prelude + command, in: folder)
      #expect(r.code == expected, "\(line)\n\(r.stderr)")
      if let capture {
        let value = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!value.isEmpty, "\(line) printed nothing")
        prelude += "\(capture)='\(value.replacingOccurrences(of: "'", with: #"'\''"#))'\n"
      }
      ran += 1
    }
    return ran
  }

  /// `script` run by bash in `folder`, with the built binaries first on PATH: its exit code and
  /// output.
  static func bash(_ script: String, in folder: URL) throws -> (code: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["--norc", "-c", script]
    process.currentDirectoryURL = folder
    process.environment = [
      "PATH": Binaries.folder + ":/usr/bin:/bin", "HOME": folder.path, "XDG_CONFIG_HOME": folder.path,
      "LANG": "C.UTF-8",
    ]
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Both pipes at once, so neither can fill while the other is read.
    nonisolated(unsafe) var stderr = Data()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { stderr = err.fileHandleForReading.readDataToEndOfFile() }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
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

  /// The README's tour, line by line, against a simulator of our own (on a free port, in place of
  /// the `jobsim --port 8089 ...` line), with `jobctl` on PATH as the block's first line puts it:
  /// each exits 0, or with the code its comment names.
  @Test func theTourRunsAsShown() throws {
    let lines = try Self.block(after: "## A tour on the simulator")
    #expect(lines.first?.hasPrefix("export PATH=\"$(swift build --show-bin-path):$PATH\"") == true)
    #expect(lines.contains { $0.hasPrefix("export JOBCTL_BASE_URL=http://127.0.0.1:8089") })
    let sim = try Simulator()
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let ran = try Self.run(lines, against: sim, in: folder)
    #expect(ran >= 12)
    let csv = try String(contentsOf: folder.appendingPathComponent("assignments.csv"), encoding: .utf8)
    #expect(csv.hasPrefix("paper,"))
  }

  /// The tour's `jobsim` line, run as written (but on a free port), writes nothing to the
  /// terminal's stderr while it answers, so the live line it shares the terminal with stays clean.
  @Test func theToursSimulatorKeepsTheTerminalQuiet() throws {
    let line = try #require(try Self.block(after: "## A tour on the simulator").first { $0.hasPrefix("jobsim ") })
    let words = try #require(line.split(separator: "#").first).split(separator: " ").map(String.init)
    #expect(words.last == "&")
    let arguments = words.dropFirst().dropLast().map { $0 == "8089" ? "0" : $0 }
    #expect(arguments.contains("--port"))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try Binaries.jobsim)
    process.arguments = Array(arguments)
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let said = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
    let base = try #require(said.range(of: "http://").map { said[$0.lowerBound...] })
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let r = try jobctl(["wait", "simple-q1", "--base-url", base, "--interval", "50ms", "-q"])
    kill(process.processIdentifier, SIGTERM)
    process.waitUntilExit()
    #expect(r.code == 0, "\(r.stderr)")
    let logged = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(logged.isEmpty, "jobsim wrote to stderr: \(logged)")
  }

  /// The README's sample of text output is what `jobctl wait` prints for that job.
  @Test func theTextOutputSampleIsWhatTheToolPrints() throws {
    let shown = try Self.fenced("```console", after: "The result goes to stdout", in: "README.md")
    let lines = shown.split(separator: "\n", omittingEmptySubsequences: false)
    let command = try #require(lines.first.flatMap { $0.hasPrefix("$ jobctl ") ? $0.dropFirst(2) : nil })
    let sim = try Simulator()
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let r = try Self.bash("export JOBCTL_BASE_URL=\(sim.base)\n" + command, in: folder)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == lines.dropFirst().joined(separator: "\n"))
  }

  /// The named-API walk-through of docs/simulator.md, against the simulator's imitations of
  /// those APIs.
  @Test func theNamedAPIWalkThroughRunsAsShown() throws {
    let lines = try Self.block(after: "public job APIs too, for the named shapes", in: "docs/simulator.md")
    let sim = try Simulator()
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    #expect(try Self.run(lines, against: sim, in: folder) >= 12)
  }
}
