import Foundation
import LoopbackHTTP
import Testing

/// One rule for a `/path` (README "Addressing a job"): every command reads it under the base URL,
/// the base's path prefix kept and its query (Azure's `api-version`) added unless the path sets
/// it; and what `start` and `list` print is polled by `wait` where they said.
@Suite struct JobReferenceRuleTests {
  private let done = #"{"jobId":"j1","status":"completed"}"#
  private let fast = ["--interval", "10ms", "--progress", "none"]

  /// A base URL with a path prefix and a query every request must carry.
  private func base(_ server: LoopbackServer) -> String { server.baseURL + "/pre?api-version=1" }

  @Test func waitStatusAndCancelReadAPathUnderTheBaseURL() throws {
    let server = try LoopbackServer()
    server.script("/pre/jobs/j1", [.doc(done)])
    server.script("POST", "/pre/jobs/j1/cancel", [.json(202, #"{"accepted":true}"#)])
    let wait = try jobctl(["wait", "/jobs/j1", "--base-url", base(server)] + fast)
    #expect(wait.code == 0, "\(wait.stderr)")
    let status = try jobctl(["status", "/jobs/j1", "--base-url", base(server)])
    #expect(status.code == 0, "\(status.stderr)")
    let cancel = try jobctl(["cancel", "/jobs/j1", "--base-url", base(server)])
    #expect(cancel.code == 0, "\(cancel.stderr)")
    #expect(cancel.stdout == "job: /jobs/j1\ncancel: accepted\n")
    #expect(
      server.requests.map { "\($0.method) \($0.target)" } == [
        "GET /pre/jobs/j1?api-version=1", "GET /pre/jobs/j1?api-version=1", "POST /pre/jobs/j1/cancel?api-version=1",
      ])
  }

  @Test func aParameterThePathSetsIsNotAddedAgain() throws {
    let server = try LoopbackServer()
    server.script("/pre/jobs/j1", [.doc(done)])
    let r = try jobctl(["status", "/jobs/j1?api-version=2", "--base-url", base(server)])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(server.requests.map(\.target) == ["/pre/jobs/j1?api-version=2"])
  }

  /// A relative `locationUrl` copied from a server's answer already carries the prefix: it is
  /// not given it twice, and the base URL's query still goes on.
  @Test func aPathThatAlreadyCarriesThePrefixGetsItOnce() throws {
    let server = try LoopbackServer()
    server.script("/pre/exports/e1", [.doc(done)])
    let r = try jobctl(["wait", "/pre/exports/e1", "--base-url", base(server)] + fast)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(server.requests.map(\.target) == ["/pre/exports/e1?api-version=1"])
  }

  /// HotCRP under a conference's folder: the path names the API below it.
  @Test func aPathKeepsTheBaseURLsFolder() throws {
    let server = try LoopbackServer()
    server.script("/conf/api/job?job=j1", [.doc(done)])
    let r = try jobctl(["wait", "/api/job?job=j1", "--base-url", server.baseURL + "/conf/"] + fast)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(server.requests.map(\.target) == ["/conf/api/job?job=j1"])
  }

  /// What `start` prints (an id, or the job's URL when the answer names no id) is polled by
  /// `wait` where `start --wait` polls it.
  @Test func whatStartPrintsWaitPollsTheSame() throws {
    let server = try LoopbackServer()
    server.script("POST", "/pre/jobs", [.json(202, #"{"jobId":"j1"}"#)])
    server.script("POST", "/pre/exports", [.json(202, #"{"locationUrl":"/pre/exports/e1?api-version=1"}"#)])
    server.script("/pre/jobs/j1", [.doc(done)])
    server.script("/pre/exports/e1", [.doc(#"{"status":"completed"}"#)])
    let started = try jobctl(["start", "/jobs", "--base-url", base(server)])
    #expect(started.code == 0, "\(started.stderr)")
    #expect(started.stdout == "j1\n")
    let byID = try jobctl(["wait", "j1", "--base-url", base(server)] + fast)
    #expect(byID.code == 0, "\(byID.stderr)")
    let exported = try jobctl(["start", "/exports", "--base-url", base(server)])
    #expect(exported.code == 0, "\(exported.stderr)")
    #expect(exported.stdout == server.baseURL + "/pre/exports/e1?api-version=1\n")
    let byURL = try jobctl(["wait", String(exported.stdout.dropLast()), "--base-url", base(server)] + fast)
    #expect(byURL.code == 0, "\(byURL.stderr)")
    let waited = try jobctl(["start", "/jobs", "--wait", "--base-url", base(server)] + fast)
    #expect(waited.code == 0, "\(waited.stderr)")
    #expect(
      server.requests.map { "\($0.method) \($0.target)" } == [
        "POST /pre/jobs?api-version=1", "GET /pre/jobs/j1?api-version=1", "POST /pre/exports?api-version=1",
        "GET /pre/exports/e1?api-version=1", "POST /pre/jobs?api-version=1", "GET /pre/jobs/j1?api-version=1",
      ])
  }

  /// `list PATH` and `list -q`'s ids, then `wait -` over them: every request under the base URL.
  @Test func whatListPrintsWaitPollsUnderTheBaseURL() throws {
    let server = try LoopbackServer()
    server.script(
      "/pre/jobs", [.doc(#"{"jobs":[{"jobId":"j1","status":"completed"},{"jobId":"j2","status":"completed"}]}"#)])
    server.script("/pre/jobs/j1", [.doc(done)])
    server.script("/pre/jobs/j2", [.doc(#"{"jobId":"j2","status":"completed"}"#)])
    let listed = try jobctl(["list", "/jobs", "-q", "--limit", "5", "--base-url", base(server)])
    #expect(listed.code == 0, "\(listed.stderr)")
    #expect(listed.stdout == "j1\nj2\n")
    let waited = try jobctl(["wait", "-", "--base-url", base(server)] + fast, stdin: listed.stdout)
    #expect(waited.code == 0, "\(waited.stderr)")
    #expect(server.requests.first?.target == "/pre/jobs?limit=5&api-version=1")
    #expect(
      Set(server.requests.dropFirst().map(\.target)) == ["/pre/jobs/j1?api-version=1", "/pre/jobs/j2?api-version=1"])
  }

  @Test func aPathStartingWithTwoSlashesIsRefusedByEveryCommand() throws {
    let server = try LoopbackServer()
    for args in [
      ["wait", "//h/jobs/j1"], ["status", "//h/jobs/j1"], ["cancel", "//h/jobs/j1"], ["start", "//h/jobs"],
    ] {
      let r = try jobctl(args + ["--base-url", base(server)])
      #expect(r.code == 2, "\(args)")
      #expect(r.stderr.contains("is not a usable path"), "\(args): \(r.stderr)")
    }
    #expect(server.requests.isEmpty)
  }
}
