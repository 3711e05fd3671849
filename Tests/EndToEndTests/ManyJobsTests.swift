import Foundation
import LoopbackHTTP
import Testing

/// `wait JOB...` end to end (docs/behaviour.md "How `wait` behaves"): concurrency, shared
/// connections, exit codes.
@Suite struct ManyJobsTests {
  private func doc(_ status: String, _ id: String) -> Reply { .json(200, #"{"jobId":"\#(id)","status":"\#(status)"}"#) }

  @Test func mixedOutcomesGiveTheHighestExitCodeAndATable() throws {
    let server = try LoopbackServer()
    server.script("/jobs/a", [doc("pending", "a"), doc("completed", "a")])
    server.script("/jobs/b", [doc("pending", "b"), doc("pending", "b"), doc("failed", "b")])
    server.script("/jobs/c", [.json(200, #"{"jobId":"c","status":"canceled","stage":"x"}"#)])
    let r = try jobctl(["wait", "a", "b", "c", "--base-url", server.baseURL, "--progress", "none"] + fast)
    #expect(r.code == 3)
    #expect(
      r.stdout == """
        JOB  STATE      EXIT  DETAIL
        a    completed  0     completed
        b    failed     1     job b failed
        c    canceled   3     job c was canceled

        """)
    #expect(r.stderr.contains("jobctl: error: job b failed\n"))
    #expect(r.stderr.contains("jobctl: error: job c was canceled\n"))
    let json = try jobctl(["wait", "a", "c", "--base-url", server.baseURL, "--json"] + fast)
    let ids = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])?.compactMap {
      $0["jobId"] as? String
    }
    #expect(ids == ["a", "c"], "one array, in argument order")
  }

  /// With --all the exit code is the worst outcome, whichever job ended first.
  @Test func theWorstOutcomeWinsEvenWhenItEndsLast() throws {
    let server = try LoopbackServer()
    server.script("/jobs/quick", [doc("completed", "quick")])
    server.script("/jobs/late", [doc("pending", "late"), doc("pending", "late"), doc("failed", "late")])
    let r = try jobctl(["wait", "quick", "late", "--base-url", server.baseURL, "--progress", "none"] + fast)
    #expect(r.code == 1, "\(r.stdout)\(r.stderr)")
    server.script("/jobs/never", [doc("pending", "never")])
    let timedOut = try jobctl(
      ["wait", "quick", "never", "--base-url", server.baseURL, "--progress", "none", "--timeout", "300ms"] + fast)
    #expect(timedOut.code == 124, "\(timedOut.stderr)")
  }

  @Test func anyStopsAtTheFirstJobToEnd() throws {
    let server = try LoopbackServer()
    server.script("/jobs/slow", [doc("pending", "slow")])
    server.script("/jobs/quick", [doc("pending", "quick"), doc("failed", "quick")])
    let r = try jobctl(["wait", "slow", "quick", "--any", "--base-url", server.baseURL, "--progress", "none"] + fast)
    #expect(r.code == 1)
    #expect(r.stdout.contains("slow   -       -     not waited for (--any)"))
    #expect(r.stdout.contains("quick  failed  1"))
  }

  @Test func referencesComeFromStdin() throws {
    let server = try LoopbackServer()
    server.setHandler { request in
      let id = String(request.path.dropFirst("/jobs/".count))
      return .json(200, #"{"jobId":"\#(id)","status":"completed","result":{"n":"\#(id)"}}"#)
    }
    let r = try jobctl(
      ["wait", "-", "--base-url", server.baseURL, "--field", "result.n"], stdin: "j1\n\n# a comment\nj2\n  j3  \n")
    #expect(r.code == 0)
    #expect(r.stdout == "j1\nj2\nj3\n")
    #expect(Set(server.requests.map(\.target)) == ["/jobs/j1", "/jobs/j2", "/jobs/j3"])
  }

  /// With several jobs, `--field` prints each raw value on its own line, in job order (one line
  /// of JSON each with --json).
  ///
  /// A string holding a newline cannot make two lines (it is escaped); a missing value is an
  /// empty line (null with --json) and exit 6; -q keeps them, as they are the results asked for.
  @Test func fieldOfSeveralJobsIsOneLineEach() throws {
    let server = try LoopbackServer()
    server.script("/jobs/a", [.json(200, #"{"status":"completed","result":{"n":"x\ny"}}"#)])
    server.script("/jobs/b", [.json(200, #"{"status":"completed","result":{"n":{"k":1}}}"#)])
    server.script("/jobs/c", [.json(200, #"{"status":"completed","result":{}}"#)])
    let r = try jobctl(["wait", "a", "b", "c", "--base-url", server.baseURL, "--field", "result.n", "-q"])
    #expect(r.code == 6)
    #expect(r.stdout == "x\\ny\n{\"k\":1}\n\n")
    #expect(
      r.stderr == "jobctl: error: the final document of job c has no field 'result.n'; result is an empty object\n")
    let json = try jobctl(["wait", "a", "b", "c", "--base-url", server.baseURL, "--field", "result.n", "--json", "-q"])
    #expect(json.code == 6)
    #expect(json.stdout == "\"x\\ny\"\n{\"k\":1}\nnull\n")
  }

  /// `list -q` prints ids only, one a line, and `wait -` reads them: a pipeline without jq.
  @Test func listQuietFeedsWait() throws {
    let server = try LoopbackServer()
    server.script(
      "/jobs", [.json(200, #"{"jobs":[{"jobId":"r1","status":"running"},{"jobId":"r2","status":"completed"}]}"#)])
    server.script("/jobs/r1", [doc("completed", "r1")])
    server.script("/jobs/r2", [doc("completed", "r2")])
    let ids = try jobctl(["list", "-q", "--base-url", server.baseURL])
    #expect(ids.code == 0, "\(ids.stderr)")
    #expect(ids.stdout == "r1\nr2\n")
    #expect(ids.stderr == "")
    let r = try jobctl(["wait", "-", "--base-url", server.baseURL, "--field", "jobId"], stdin: ids.stdout)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == "r1\nr2\n")
    // --field through a `*`: one value a line; --json keeps the array.
    let field = try jobctl(["list", "--base-url", server.baseURL, "--field", "*.jobId"])
    #expect(field.code == 0, "\(field.stderr)")
    #expect(field.stdout == "r1\nr2\n")
    let array = try jobctl(["list", "--base-url", server.baseURL, "--field", "*.jobId", "--json"])
    #expect(array.stdout == "[\"r1\",\"r2\"]\n")
  }

  @Test func connectionsToAHostAreCappedAndShared() throws {
    let server = try LoopbackServer()
    let polls = PathCounter()
    server.setHandler { request in
      // Each job answers pending twice, then completed; every answer takes a little while, so
      // many requests are outstanding at once.
      let status = polls.next(request.path) >= 3 ? "completed" : "pending"
      return .json(200, #"{"status":"\#(status)"}"#, delay: 0.02)
    }
    let ids = (1...30).map { "job\($0)" }
    let r = try jobctl(
      ["wait"] + ids + ["--base-url", server.baseURL, "--max-connections", "2", "--progress", "none"] + fast)
    #expect(r.code == 0)
    #expect(server.connectionCount <= 2, "at most --max-connections connections to the host")
    #expect(server.requests.count == 90, "three polls for each of the 30 jobs")
    #expect(Set(server.requests.map(\.path)).count == 30)
  }

  @Test func aHungRequestHoldsBackNoOtherJobOnItsHost() throws {
    // The hung request is the first on the host, so its connection never shows a status line; over
    // plain http no other transfer may wait on it to learn whether it multiplexes. `--any` then
    // ends with that transfer still on the multi handle, which the transport must take off first.
    let server = try LoopbackServer()
    server.script("/jobs/hung", [.fault(.hang)])
    server.script(
      "/jobs/quick",
      [.doc(#"{"jobId":"quick","status":"pending"}"#), .doc(#"{"jobId":"quick","status":"completed"}"#)])
    let args = ["wait", "hung", "quick", "--any", "--base-url", server.baseURL, "--progress", "none"]
    let r = try jobctl(args + ["--request-timeout", "60s"] + fast, limit: 30)
    #expect(r.code == 0)
    #expect(r.elapsed < 20, "the hung request must be dropped, not waited for")
    #expect(r.stdout.contains("quick  completed"))
  }

  @Test func aRateLimitHoldsBackTheWholeHost() throws {
    let server = try LoopbackServer()
    server.script("/jobs/a", [.json(429, "{}", headers: [("Retry-After", "1")]), doc("completed", "a")])
    server.script("/jobs/b", [doc("pending", "b"), doc("completed", "b")])
    let r = try jobctl(
      ["wait", "a", "b", "--base-url", server.baseURL, "--max-connections", "1", "--progress", "none"] + fast)
    #expect(r.code == 0)
    let log = server.requests
    let limitedAt = try #require(log.first(where: { $0.target == "/jobs/a" })?.time)
    let after = log.filter { $0.time > limitedAt + 0.001 }
    #expect(after.allSatisfy { $0.time - limitedAt >= 0.95 }, "no request to the host before Retry-After passed")
  }

  @Test func ndjsonTagsEveryEventWithItsJob() throws {
    let server = try LoopbackServer()
    server.script("/jobs/a", [doc("pending", "a"), doc("completed", "a")])
    server.script("/jobs/b", [doc("failed", "b")])
    let r = try jobctl(
      ["wait", "a", "b", "--base-url", server.baseURL, "--format", "ndjson", "--progress", "none"] + fast)
    #expect(r.code == 1)
    let lines = r.stdout.split(separator: "\n").compactMap {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
    let done = lines.filter { $0["event"] as? String == "done" }
    #expect(Set(done.compactMap { $0["job"] as? String }) == ["a", "b"])
    #expect(lines.allSatisfy { $0["job"] is String && $0["ref"] == nil })
    #expect(lines.last?["event"] as? String == "done")
    // The done line: the exit code, the error when it is not 0, and the last answer.
    let b = try #require(done.first { $0["job"] as? String == "b" })
    #expect(b["exit_code"] as? Int == 1)
    #expect(b["error"] as? String == "job b failed")
    #expect((b["document"] as? [String: Any])?["status"] as? String == "failed")
    let a = try #require(done.first { $0["job"] as? String == "a" })
    #expect(a["exit_code"] as? Int == 0 && a["error"] == nil)
  }
}

/// Counts requests per path, for handlers that answer by how often a job was polled.
final class PathCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var counts: [String: Int] = [:]

  func next(_ path: String) -> Int {
    lock.lock()
    defer { lock.unlock() }
    counts[path, default: 0] += 1
    return counts[path, default: 0]
  }
}
