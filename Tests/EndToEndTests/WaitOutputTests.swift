import Foundation
import LoopbackHTTP
import Testing

private let csv = "paper,reviewer\n1,ada@example.org\n2,bob@example.org\n"
private let running = #"{"ok":true,"job":"hcj_1","status":"run","update_at":1795382398,"progress":"phase 1/7"}"#
private let done = #"{"ok":true,"job":"hcj_1","status":"done","update_at":1795382399,"output_mimetype":"text/csv"}"#
private let failed = #"{"ok":true,"job":"hcj_1","status":"failed","update_at":1795382399}"#

/// A HotCRP-like server: the job runs, then ends with `last`; its output is `csv`.
private func hotcrpServer(last: String = done) throws -> LoopbackServer {
  let server = try LoopbackServer()
  server.script("POST", "/api/autoassign", [.json(200, #"{"ok":true,"job":"hcj_1","status":"wait"}"#)])
  server.script("/api/job?job=hcj_1", [.json(202, running), .json(200, last)])
  server.script("/api/job?job=hcj_1&output=body", [.text(200, csv, contentType: "text/csv")])
  return server
}

private func options(_ server: LoopbackServer) -> [String] {
  ["--base-url", server.baseURL + "/api", "--dialect", "hotcrp", "--progress", "none"] + fast
}

/// One command from start to output (docs/behaviour.md "How `wait` behaves" and "Starting,
/// cancelling, listing, fetching output"): `wait -o` and `start --wait -o`.
@Suite struct WaitOutputTests {
  @Test func waitFetchesTheOutputOnceTheJobCompleted() throws {
    let server = try hotcrpServer()
    let dir = try scratch()
    let file = dir.appendingPathComponent("assignments.csv").path
    let r = try jobctl(["wait", "hcj_1", "-o", file, "--field", "status"] + options(server))
    #expect(r.code == 0)
    // The final document's field still goes to stdout; the output to FILE.
    #expect(r.stdout == "done\n")
    #expect(try String(contentsOfFile: file, encoding: .utf8) == csv)
    #expect(server.requests.map(\.target).last == "/api/job?job=hcj_1&output=body")
  }

  @Test func startWaitFetchesTheOutputAndTakesEveryWaitOption() throws {
    let server = try hotcrpServer()
    let dir = try scratch()
    let file = dir.appendingPathComponent("assignments.csv").path
    let r = try jobctl(
      ["start", "/autoassign", "--wait", "-o", file, "--cancel-on-interrupt", "--field", "job"] + options(server))
    #expect(r.code == 0)
    #expect(r.stdout == "hcj_1\n")
    #expect(try String(contentsOfFile: file, encoding: .utf8) == csv)
    #expect(server.requests.map(\.method) == ["POST", "GET", "GET", "GET"])
  }

  @Test func aJobThatDidNotCompleteHasNoOutputFetchedAndItsCodeStands() throws {
    let server = try hotcrpServer(last: failed)
    let dir = try scratch()
    let file = dir.appendingPathComponent("assignments.csv").path
    let r = try jobctl(["wait", "hcj_1", "-o", file] + options(server))
    #expect(r.code == 1)
    #expect(!server.requests.contains { $0.target.contains("output=") })
    #expect(!FileManager.default.fileExists(atPath: file))
  }

  @Test func theFetchDecidesTheExitCodeAndTheDocumentIsStillPrinted() throws {
    let server = try hotcrpServer()
    server.script(
      "/api/job?job=hcj_1&output=body",
      [.json(409, #"{"ok":true,"message_list":[{"status":2,"message":"<0>Failed job has no output"}]}"#)])
    let dir = try scratch()
    let file = dir.appendingPathComponent("assignments.csv").path
    let r = try jobctl(["wait", "hcj_1", "-o", file, "--field", "status"] + options(server))
    #expect(r.code == 6)
    #expect(r.stdout == "done\n")
    #expect(r.stderr == "jobctl: error: HTTP 409 Conflict: Failed job has no output\n")
    #expect(!FileManager.default.fileExists(atPath: file))
  }

  @Test func startWaitCancelsOnInterrupt() throws {
    let server = try LoopbackServer()
    server.script("POST", "/jobs", [.json(202, #"{"jobId":"s","status":"pending"}"#)])
    server.script("/jobs/s", [.doc(#"{"status":"running","stage":"a","progress":0.1}"#)])
    server.script("POST", "/jobs/s/cancel", [.json(202, #"{"accepted":true}"#)])
    let p = try RunningProcess([
      "start", "/jobs", "--wait", "--cancel-on-interrupt", "--base-url", server.baseURL, "--interval", "60s",
      "--progress", "none",
    ])
    #expect(server.waitForRequests(2))
    p.signal(SIGINT)
    let r = p.finish(limit: 20)
    #expect(r.code == 130)
    #expect(server.requests.last?.method == "POST")
    #expect(server.requests.last?.target == "/jobs/s/cancel")
  }

  @Test func misusesAreRefusedBeforeAnythingIsSent() throws {
    let server = try hotcrpServer()
    let dir = try scratch()
    let file = dir.appendingPathComponent("out.csv").path
    let cases: [([String], Int32, String)] = [
      (
        ["wait", "hcj_1", "-o", "-"], 2, "jobctl: error: wait -o needs a FILE: stdout carries the job's final document"
      ),
      (["wait", "hcj_1", "hcj_2", "-o", file], 2, "jobctl: error: -o fetches the output of one JOB only"),
      (["wait", "hcj_1", "--as", "json"], 2, "jobctl: error: --as and --continue go with -o FILE"),
      (["start", "/autoassign", "-o", file], 2, "jobctl: error: --output goes with --wait"),
      (["start", "/autoassign", "--cancel-on-interrupt"], 2, "jobctl: error: --cancel-on-interrupt goes with --wait"),
      (
        ["start", "/autoassign", "--wait", "-o", dir.appendingPathComponent("nope/out.csv").path], 10,
        "jobctl: error: cannot write \(dir.path)/nope/out.csv: the folder \(dir.path)/nope does not exist"
      ),
    ]
    for (arguments, code, message) in cases {
      let r = try jobctl(arguments + options(server))
      #expect(r.code == code, "\(arguments)")
      #expect(r.stderr == message + "\n", "\(arguments)")
    }
    #expect(server.requests.isEmpty)
  }
}
