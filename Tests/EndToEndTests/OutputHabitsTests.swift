import Foundation
import LoopbackHTTP
import Testing

/// `-o` is curl's (a file), not kubectl's format: `-o json` with no file of that name is a usage
/// error pointing at `--json`; and `output` asks for output only where the shape says it is
/// (docs/behaviour.md "Starting, cancelling, listing, fetching output").
@Suite struct OutputHabitsTests {
  private let doneJob = #"{"ok":true,"status":"done","exit_status":0,"update_at":1795382398}"#

  /// Runs jobctl in `folder`, where `-o NAME` lands.
  private func run(in folder: URL, _ arguments: [String]) throws -> (code: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try Binaries.jobctl)
    process.arguments = arguments
    process.currentDirectoryURL = folder
    process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8"].merging(
      Sanitizers.environment
    ) { $1 }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
  }

  @Test(arguments: ["json", "yaml", "wide", "name", "jsonpath", "JSON"])
  func aFormatNameAfterDashOIsAUsageError(_ word: String) throws {
    let server = try LoopbackServer()
    server.setHandler { _ in .json(200, self.doneJob) }
    let folder = try scratch()
    let r = try run(in: folder, ["wait", "hcj_1", "-o", word, "--base-url", server.baseURL, "--dialect", "hotcrp"])
    #expect(r.code == 2, "\(r.stderr)")
    #expect(r.stdout == "")
    #expect(
      r.stderr
        == "jobctl: error: -o takes a FILE, as curl's does; for \(word) output use --json or --format (or -o ./\(word) for a file of that name)\n"
    )
    #expect(server.requests.isEmpty)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
  }

  @Test func aPathOrAFileThatExistsIsAFile() throws {
    let server = try LoopbackServer()
    server.script("/api/job?job=hcj_1", [.json(doneJob), .json(doneJob)])
    let csv = Reply(status: 200, headers: [("Content-Type", "text/csv")], body: Array("a,b\n".utf8))
    server.script("/api/job?job=hcj_1&output=body", [csv, csv])
    let folder = try scratch()
    let args = ["--base-url", server.baseURL + "/api", "--dialect", "hotcrp"]
    let dotted = try run(in: folder, ["output", "hcj_1", "-o", "./json"] + args)
    #expect(dotted.code == 0, "\(dotted.stderr)")
    #expect(try String(contentsOf: folder.appendingPathComponent("json"), encoding: .utf8) == "a,b\n")
    // Now a file named json exists: -o json replaces it.
    let existing = try run(in: folder, ["output", "hcj_1", "-o", "json"] + args)
    #expect(existing.code == 0, "\(existing.stderr)")
    #expect(try String(contentsOf: folder.appendingPathComponent("json"), encoding: .utf8) == "a,b\n")
  }

  /// With `auto`, the shape the job was read as says where its output is: HotCRP's output=.
  @Test func autoFetchesWhereTheDetectedShapeSays() throws {
    let server = try LoopbackServer()
    server.script("/api/job?job=hcj_1", [.json(doneJob), .json(doneJob)])
    let csv = Reply(status: 200, headers: [("Content-Type", "text/csv")], body: Array("a,b\n".utf8))
    server.script("/api/job?job=hcj_1&output=body", [csv, csv])
    let folder = try scratch()
    let args = ["--base-url", server.baseURL + "/api", "--dialect", "auto", "--jobs-path", "/job?job={id}"]
    for command in ["wait", "output"] {
      let file = folder.appendingPathComponent("\(command).csv")
      let r = try run(in: folder, [command, "hcj_1", "-o", file.path] + args)
      #expect(r.code == 0, "\(command): \(r.stderr)")
      #expect(try String(contentsOf: file, encoding: .utf8) == "a,b\n", "\(command)")
    }
  }

  @Test func aShapeWithoutAnOutputLocationSaysSo() throws {
    let server = try LoopbackServer()
    server.setHandler { _ in .json(200, #"{"status":"completed"}"#) }
    for shape in ["staged", "simple"] {
      let r = try jobctl(["output", "j1", "--base-url", server.baseURL, "--dialect", shape])
      #expect(r.code == 6, "\(shape): \(r.stderr)")
      #expect(r.stdout == "")
      #expect(
        r.stderr
          == "jobctl: error: the \(shape) shape has no output location; give one with --output-url TEMPLATE (jobctl help dialects)\n"
      )
    }
    // No request asks for HotCRP's output=.
    #expect(!server.requests.contains { $0.target.contains("output=") }, "\(server.requests.map(\.target))")
    let given = try jobctl([
      "output", "j1", "--base-url", server.baseURL, "--dialect", "staged", "--output-url", "{url}/result",
    ])
    #expect(given.code == 0, "\(given.stderr)")
    #expect(server.requests.last?.target == "/jobs/j1/result")
  }
}
