import Foundation
import LoopbackHTTP
import Testing

private let pendingDoc = #"{"jobId":"j1","type":"org_members","status":"pending"}"#
private let completedDoc =
  #"{"jobId":"j1","type":"org_members","status":"completed","result":{"address":"0xabc","added":3}}"#

/// `jobctl wait` against a real loopback server: exit code, stdout, stderr and what the server saw.
@Suite struct WaitTests {
  @Test func aCompletedJobPrintsItsResultOverOneConnection() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(pendingDoc), .doc(pendingDoc), .doc(completedDoc)])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--progress", "plain"] + fast)
    #expect(r.code == 0)
    #expect(r.stdout == "job: j1\nstate: completed\ntype: org_members\nresult.address: 0xabc\nresult.added: 3\n")
    #expect(r.stderrLines.count == 2)
    #expect(r.stderrLines.first?.hasSuffix("j1: pending") == true)
    #expect(r.stderrLines.last?.hasSuffix("j1: completed") == true)
    let log = server.requests
    #expect(log.count == 3)
    #expect(log.allSatisfy { $0.method == "GET" && $0.target == "/jobs/j1" })
    #expect(Set(log.map(\.connectionID)).count == 1)
    #expect(server.connectionCount == 1)
    #expect(log[0].header("Accept") == "application/json")
    #expect(log[0].header("User-Agent")?.hasPrefix("jobctl/") == true)
  }

  @Test func jsonPrintsTheLastAnswerVerbatimEvenForAFailedJob() throws {
    let server = try LoopbackServer()
    let failed = #"{"jobId":"j1",  "status":"failed", "error":"census creation failed"}"#
    server.script("/jobs/j1", [.doc(pendingDoc), .doc(failed)])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--json", "--progress", "none"] + fast)
    #expect(r.code == 1)
    #expect(r.stdout == failed + "\n")
    #expect(r.stderr == "jobctl: error: job j1 failed: census creation failed\n")
  }

  @Test func aCanceledStagedJobExitsThree() throws {
    let server = try LoopbackServer()
    server.script(
      "/jobs/s1",
      [
        .doc(#"{"jobId":"s1","kind":"report","status":"running","progress":0.2,"stage":"processing"}"#),
        .doc(#"{"jobId":"s1","kind":"report","status":"canceled","progress":0.2,"stage":"processing"}"#),
      ])
    let r = try jobctl(["wait", "s1", "--base-url", server.baseURL, "--progress", "plain"] + fast)
    #expect(r.code == 3)
    #expect(r.stdout.contains("state: canceled\n"))
    #expect(r.stderrLines.first?.hasSuffix("s1: running, stage processing, 20%") == true)
    #expect(r.stderr.contains("jobctl: error: job s1 was canceled"))
  }

  @Test func fieldPrintsOneValueForScripts() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(completedDoc)])
    let r = try jobctl(["wait", "j1", "--field", "result.address", "--base-url", server.baseURL])
    #expect(r.code == 0)
    #expect(r.stdout == "0xabc\n")
    let missing = try jobctl(["wait", "j1", "--field", "result.nope", "--base-url", server.baseURL, "-q"])
    #expect(missing.code == 6)
    #expect(missing.stdout == "")
    #expect(
      missing.stderr
        == "jobctl: error: the final document of job j1 has no field 'result.nope'; result has: address, added\n")
  }

  @Test func unauthorizedExitsFourAndNeverShowsTheToken() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.json(401, #"{"error":"invalid token s3cr3t-token-value"}"#)])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL], env: ["JOBCTL_TOKEN": "s3cr3t-token-value"])
    #expect(r.code == 4)
    #expect(server.requests.first?.header("Authorization") == "Bearer s3cr3t-token-value")
    #expect(!r.stderr.contains("s3cr3t-token-value"))
    #expect(r.stderr.contains("jobctl: error: HTTP 401 Unauthorized: invalid token [redacted]"))
    #expect(server.requests.count == 1)
  }

  @Test func notFoundAndExpiredExitFive() throws {
    let server = try LoopbackServer()
    server.script("/jobs/gone", [.json(404, #"{"error":"job not found","code":40026}"#)])
    server.script(
      "/api/job?job=hcj_old",
      [.json(410, #"{"ok":false,"message_list":[{"status":2,"field":"job","message":"<0>Job expired"}]}"#)])
    let r = try jobctl(["wait", "gone", "--base-url", server.baseURL])
    #expect(r.code == 5)
    #expect(r.stderr == "jobctl: error: job gone not found: HTTP 404 Not Found: job not found (code 40026)\n")
    let h = try jobctl(["wait", "hcj_old", "--base-url", server.baseURL + "/api", "--dialect", "hotcrp"])
    #expect(h.code == 5)
    #expect(h.stderr == "jobctl: error: job hcj_old expired: HTTP 410 Gone: Job expired (job)\n")
    #expect(server.requests.last?.target == "/api/job?job=hcj_old")
  }

  @Test func otherClientErrorsExitSixWithTheServersMessage() throws {
    let server = try LoopbackServer()
    server.script(
      "/api/job",
      [.json(400, #"{"ok":false,"message_list":[{"status":2,"field":"job","message":"<0>Parameter missing"}]}"#)])
    let r = try jobctl(["wait", server.baseURL + "/api/job"])
    #expect(r.code == 6)
    #expect(r.stderr == "jobctl: error: HTTP 400 Bad Request: Parameter missing (job)\n")
  }

  @Test func answersThatAreNotJobDocumentsEndWithSix() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.text(200, "<html>maintenance</html>", contentType: "text/html")])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--max-errors", "3", "--progress", "plain"] + fast)
    #expect(r.code == 6)
    #expect(server.requests.count == 3)
    #expect(
      r.stderr.contains(
        "jobctl: error: gave up after 3 consecutive failures; the last: the answer (HTTP 200 OK) is not a job document (not JSON: unexpected character at byte 0)"
      ))
  }

  @Test func anUnreachableServerExitsSevenNamingTheError() throws {
    let server = try LoopbackServer()
    let url = server.baseURL
    server.stop()
    let r = try jobctl(["wait", "j1", "--base-url", url, "--max-errors", "3", "--progress", "plain"] + fast)
    #expect(r.code == 7)
    #expect(r.stderrLines.filter { $0.contains("retrying in") }.count == 2)
    #expect(r.stderr.contains("jobctl: error: gave up after 3 consecutive failures; the last: "))
    #expect(r.stderr.contains("Connection refused") || r.stderr.contains("connect"))
  }

  @Test func fiveHundredsAreRiddenOut() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.json(503, #"{"message":"overloaded"}"#), .json(502, "{}"), .doc(completedDoc)])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--progress", "plain"] + fast)
    #expect(r.code == 0)
    #expect(server.requests.count == 3)
    #expect(r.stderrLines[0].contains("HTTP 503 Service Unavailable: overloaded; retrying in"))
    #expect(r.stderrLines[1].contains("HTTP 502 Bad Gateway; retrying in"))
  }

  @Test func retryAfterOnARateLimitIsHonoured() throws {
    let server = try LoopbackServer()
    server.script(
      "/jobs/j1", [.json(429, #"{"message":"slow down"}"#, headers: [("Retry-After", "1")]), .doc(completedDoc)])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--max-errors", "1", "--progress", "plain"] + fast)
    #expect(r.code == 0)
    let log = server.requests
    #expect(log.count == 2)
    #expect(log[1].time - log[0].time >= 0.95)
    #expect(r.stderrLines[0].contains("rate limited (HTTP 429 Too Many Requests: slow down); next poll in 1s"))
  }

  @Test func timeoutEndsWith124() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(pendingDoc)])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--timeout", "400ms", "--progress", "none"] + fast)
    #expect(r.code == 124)
    #expect(
      r.stderr
        == "jobctl: error: timed out after 400ms; job j1 is still pending; job j1 is at \(server.baseURL)/jobs/j1\n")
    #expect(server.requests.count >= 2)
  }

  @Test func aRetryAfterBeyondTheTimeoutEnds124AtOnce() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.json(503, "{}", headers: [("Retry-After", "3600")])])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--timeout", "20s"])
    #expect(r.code == 124)
    #expect(server.requests.count == 1)
    #expect(r.elapsed < 10)
  }

  /// An announced budget is kept: a spent one holds the next poll until its reset, announced
  /// on a plain line, and a 403 that says so is no refusal.
  @Test func aSpentBudgetIsWaitedOutAndAnnounced() throws {
    let server = try LoopbackServer()
    server.script(
      "/jobs/j1",
      [
        .json(200, pendingDoc, headers: [("RateLimit", #""default";r=0;t=1"#)]),
        .json(
          403, #"{"message":"API rate limit exceeded"}"#,
          headers: [("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "1")]),
        .doc(#"{"jobId":"j1","status":"completed"}"#),
      ])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--progress", "plain"] + fast)
    #expect(r.code == 0, "\(r.stderr)")
    let times = server.requests.map(\.time)
    #expect(times.count == 3)
    #expect(times[1] - times[0] >= 0.95, "the second poll waits for the reset")
    #expect(times[2] - times[1] >= 0.95, "the 403 is waited out")
    #expect(r.stderr.contains("rate limited (the server's request budget is spent until it resets)"), "\(r.stderr)")
  }

  /// `status` rides out a 429 (docs/behaviour.md "Starting, cancelling, listing, fetching output"):
  /// the answer after it is the answer.
  @Test func statusRidesOutARateLimit() throws {
    let server = try LoopbackServer()
    server.script(
      "/jobs/j1", [.json(429, #"{"message":"slow down"}"#, headers: [("Retry-After", "1")]), .doc(pendingDoc)])
    let r = try jobctl(["status", "j1", "--base-url", server.baseURL])
    #expect(r.code == 9, "\(r.stderr)")
    #expect(server.requests.count == 2)
    #expect(r.stdout.contains("pending"))
  }

  @Test func maxAttemptsEndsWith124() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(pendingDoc)])
    let r = try jobctl(
      ["wait", "j1", "--base-url", server.baseURL, "--max-attempts", "2", "--progress", "none"] + fast)
    #expect(r.code == 124)
    #expect(server.requests.count == 2)
    #expect(
      r.stderr
        == "jobctl: error: gave up after 2 attempts; job j1 is still pending; job j1 is at \(server.baseURL)/jobs/j1\n")
  }

  @Test func aJobWithoutChangeLooksStalled() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(#"{"status":"running","stage":"processing","progress":0.5}"#)])
    let r = try jobctl(
      ["wait", "j1", "--base-url", server.baseURL, "--stale-after", "300ms", "--progress", "none"] + fast)
    #expect(r.code == 8)
    #expect(r.stderr.hasPrefix("jobctl: error: the job looks stalled: job j1 is still running (stage processing, 50%)"))
  }

  @Test func resetsTruncationAndSlowAnswersAreRetried() throws {
    let server = try LoopbackServer()
    server.script(
      "/jobs/j1",
      [
        // Each broken answer carries a real job document, so only the fault can make it fail.
        Reply(body: Array(completedDoc.utf8), fault: .resetBeforeStatus),
        Reply(body: Array(completedDoc.utf8), fault: .resetInBody),
        Reply(body: Array(completedDoc.utf8), fault: .shortBody), Reply.json(200, completedDoc, delay: 5),
        .doc(completedDoc),
      ])
    let r = try jobctl(
      ["wait", "j1", "--base-url", server.baseURL, "--request-timeout", "500ms", "--progress", "plain"] + fast)
    #expect(r.code == 0)
    #expect(server.requests.count == 5)
    #expect(r.stderrLines.filter { $0.contains("retrying in") }.count == 4)
    #expect(r.stderrLines.last?.hasSuffix("j1: completed") == true)
  }

  @Test func idsCannotChangeTheRequestTarget() throws {
    let server = try LoopbackServer()
    server.setHandler { _ in .doc(completedDoc) }
    for (id, target) in [("a/b?c#d", "/jobs/a%2Fb%3Fc%23d"), ("..", "/jobs/%2E%2E"), ("50% off", "/jobs/50%25%20off")] {
      let r = try jobctl(["wait", id, "--base-url", server.baseURL + "/"])
      #expect(r.code == 0)
      #expect(server.requests.last?.target == target)
    }
  }

  @Test func jobsGivenAsURLsOrPaths() throws {
    let server = try LoopbackServer()
    server.script("/organizations/o1/members/job/7", [.doc(#"{"added":40,"total":40,"progress":100,"errors":[]}"#)])
    let byURL = try jobctl(["wait", server.baseURL + "/organizations/o1/members/job/7"])
    #expect(byURL.code == 0)
    #expect(
      byURL.stdout
        == "job: \(server.baseURL)/organizations/o1/members/job/7\nstate: completed\nprogress: 100%\nadded: 40\ntotal: 40\n"
    )
    // A path is read under the base URL, its path prefix kept (README "Addressing a job").
    server.script(
      "/api/v1/organizations/o1/members/job/7", [.doc(#"{"added":40,"total":40,"progress":100,"errors":[]}"#)])
    let byPath = try jobctl(["wait", "/organizations/o1/members/job/7", "--base-url", server.baseURL + "/api/v1"])
    #expect(byPath.code == 0)
    #expect(
      server.requests.map(\.target) == ["/organizations/o1/members/job/7", "/api/v1/organizations/o1/members/job/7"])
  }

  @Test func statusPollsOnceAndExitsNineWhileRunning() throws {
    let server = try LoopbackServer()
    server.script(
      "/jobs/j1", [.doc(#"{"jobId":"j1","status":"running","stage":"validating","progress":0.1}"#), .doc(completedDoc)])
    let r = try jobctl(["status", "j1", "--base-url", server.baseURL])
    #expect(r.code == 9)
    #expect(r.stdout == "job: j1\nstate: running\nstage: validating\nprogress: 10%\n")
    #expect(r.stderr == "")
    #expect(server.requests.count == 1)
    let done = try jobctl(["status", "j1", "--base-url", server.baseURL, "--json"])
    #expect(done.code == 0)
    #expect(done.stdout == completedDoc + "\n")
  }

  @Test func usageErrorsSendNothing() throws {
    let server = try LoopbackServer()
    for args in [
      ["wait", "j1", "-H", "X-Evil: a\r\nInjected: 1"], ["wait", "j1", "--interval", "-1s"], ["wait", "j1", "--nope"],
      ["wait", "j1", "--timeout", "1e999"], ["wait", "j1", "--dialect", "soap"],
    ] {
      let r = try jobctl(args + ["--base-url", server.baseURL])
      #expect(r.code == 2, "\(args)")
      #expect(r.stderr.hasPrefix("jobctl: error: "), "\(args)")
      #expect(r.stdout == "")
    }
    let noBase = try jobctl(["wait", "j1"])
    #expect(noBase.code == 2)
    #expect(noBase.stderr.contains("set --base-url or JOBCTL_BASE_URL"))
    #expect(server.requests.isEmpty)
  }

  @Test func helpVersionAndExitCodes() throws {
    let v = try jobctl(["--version"])
    #expect(v.code == 0)
    #expect(v.stdout.hasPrefix("jobctl "))
    let h = try jobctl(["help", "exit-codes"])
    #expect(h.code == 0)
    #expect(h.stdout.contains("124  --timeout, --until or --max-attempts ran out"))
    #expect(h.stdout.contains("10   a local file or stream could not be written"))
    let w = try jobctl(["wait", "--help"])
    #expect(w.code == 0)
    #expect(w.stdout.contains("--stale-after D"))
  }

  @Test func environmentVariablesConfigureAndFlagsOverrideThem() throws {
    let server = try LoopbackServer()
    server.script("/api/job?job=hcj_1", [.json(200, #"{"ok":true,"status":"done","exit_status":0,"update_at":1}"#)])
    let r = try jobctl(
      ["wait", "hcj_1"], env: ["JOBCTL_BASE_URL": server.baseURL + "/api", "JOBCTL_DIALECT": "hotcrp"])
    #expect(r.code == 0)
    #expect(r.stdout.contains("status: done"))
    let other = try LoopbackServer()
    other.script("/jobs/hcj_1", [.doc(completedDoc)])
    let flag = try jobctl(
      ["wait", "hcj_1", "--base-url", other.baseURL, "--dialect", "auto"],
      env: ["JOBCTL_BASE_URL": server.baseURL, "JOBCTL_DIALECT": "hotcrp"])
    #expect(flag.code == 0)
    #expect(other.requests.count == 1)
  }
}

/// `-q` silences progress, notes and warnings, never the results asked for (docs/behaviour.md
/// "Output").
@Suite struct QuietTests {
  @Test func quietKeepsTheResultsAskedFor() throws {
    let server = try LoopbackServer()
    server.script("POST", "/jobs", [.json(202, #"{"jobId":"j1"}"#)])
    let done = #"{"jobId":"j1","status":"completed","result":{"address":"0xabc"}}"#
    server.script("/jobs/j1", [.doc(done)])
    let base = ["--base-url", server.baseURL, "-q"]
    let started = try jobctl(["start", "/jobs", "--data", "{}"] + base)
    #expect(started.stdout == "j1\n" && started.stderr.isEmpty)
    let field = try jobctl(["wait", "j1", "--field", "result.address", "--progress", "plain"] + base)
    #expect(field.stdout == "0xabc\n" && field.stderr.isEmpty)
    let json = try jobctl(["wait", "j1", "--json", "--progress", "plain"] + base)
    #expect(json.stdout == done + "\n" && json.stderr.isEmpty)
    let events = try jobctl(["wait", "j1", "--format", "ndjson", "--progress", "plain"] + base)
    let lines = events.stdout.split(separator: "\n")
    #expect(lines.count == 2 && events.stderr.isEmpty)
    #expect(lines.last?.contains(#""event":"done""#) == true)
  }
}

/// Line ends are found by byte: `"\r\n"` is one Swift Character, which `hasSuffix("\n")` misses.
@Suite struct LineEndTests {
  @Test func anAnswerEndingInCRLFIsPrintedAsItCame() throws {
    let server = try LoopbackServer()
    let body = "{\"jobId\":\"j1\",\"status\":\"completed\"}\r\n"
    server.script("/jobs/j1", [.doc(body)])
    let r = try jobctl(["wait", "j1", "--json", "--base-url", server.baseURL])
    #expect(r.code == 0)
    #expect(Array(r.stdout.utf8) == Array(body.utf8))
  }
}
