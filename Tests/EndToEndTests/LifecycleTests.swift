import Foundation
import LoopbackHTTP
import Testing

private let stagedAccepted = #"{"jobId":"stg_1","kind":"report","status":"pending","locationUrl":"/jobs/stg_1"}"#
private let stagedDone =
  #"{"jobId":"stg_1","kind":"report","status":"completed","progress":1,"stage":"done","result":{"pages":3}}"#

/// `start`, `cancel`, `list` and `output` end to end (docs/behaviour.md "Starting, cancelling,
/// listing, fetching output").
@Suite struct StartTests {
  @Test func startPostsJSONWithAnIdempotencyKeyAndPrintsTheId() throws {
    let server = try LoopbackServer()
    server.script("POST", "/reports", [.json(202, stagedAccepted)])
    let r = try jobctl(
      ["start", "/reports", "--data", #"{"q":3}"#, "--base-url", server.baseURL], env: ["JOBCTL_TOKEN": "tok-5"])
    #expect(r.code == 0)
    #expect(r.stdout == "stg_1\n")
    let post = try #require(server.requests.first)
    #expect(post.method == "POST")
    #expect(post.bodyText == #"{"q":3}"#)
    #expect(post.header("Content-Type") == "application/json")
    #expect(post.header("Authorization") == "Bearer tok-5")
    let key = try #require(post.header("Idempotency-Key"))
    #expect(
      key.range(
        of: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", options: .regularExpression) != nil
    )
  }

  @Test func aResetFirstConnectionIsRetriedWithTheSameKeyAndMakesOneJob() throws {
    // The server creates the job on the first POST, then the connection drops before the answer
    // arrives; the retry carries the same key, so the server hands back that job.
    let server = try LoopbackServer()
    let jobs = JobsByKey()
    server.setHandler { request in
      guard request.method == "POST", let key = request.header("Idempotency-Key") else { return .json(400, "{}") }
      let (id, isNew) = jobs.job(for: key)
      if isNew { return .fault(.resetBeforeStatus) }
      return .json(202, #"{"jobId":"\#(id)","status":"pending"}"#)
    }
    let r = try jobctl(
      ["start", "/reports", "--data", "{}", "--base-url", server.baseURL, "--progress", "plain"] + fast)
    #expect(r.code == 0)
    #expect(r.stdout == "job-1\n")
    let posts = server.requests.filter { $0.method == "POST" }
    #expect(posts.count == 2)
    #expect(posts[0].header("Idempotency-Key") == posts[1].header("Idempotency-Key"))
    #expect(jobs.count == 1)
    #expect(r.stderr.contains("retrying in"))
  }

  @Test func rateLimitsAndServerErrorsAreRetriedWithTheSameKey() throws {
    let server = try LoopbackServer()
    server.script(
      "POST", "/reports",
      [
        .json(503, "{}", headers: [("Retry-After", "0")]), .json(500, "{}"), .json(202, stagedAccepted),
      ])
    let r = try jobctl(["start", "/reports", "--base-url", server.baseURL, "--idempotency-key", "my-key-1"] + fast)
    #expect(r.code == 0)
    #expect(server.requests.count == 3)
    #expect(server.requests.allSatisfy { $0.header("Idempotency-Key") == "my-key-1" })
  }

  /// The Idempotency-Key is no credential: a start redirected to another origin, which fails
  /// twice before it accepts, carries the same key and body in every POST, while the token stays
  /// with the host it was given for.
  @Test func theKeyFollowsARedirectToAnotherOriginAndItsRetries() throws {
    let other = try LoopbackServer()
    other.script("POST", "/reports", [.json(503, "{}"), .json(503, "{}"), .json(202, stagedAccepted)])
    let server = try LoopbackServer()
    server.script("POST", "/reports", [Reply(status: 307, headers: [("Location", other.baseURL + "/reports")])])
    let r = try jobctl(
      ["start", "/reports", "--data", #"{"q":3}"#, "--base-url", server.baseURL, "--progress", "none"] + fast,
      env: ["JOBCTL_TOKEN": "tok-0123456789"])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == "stg_1\n")
    #expect(other.requests.count == 3)
    let posts = server.requests + other.requests
    let key = try #require(posts.first?.header("Idempotency-Key"))
    for post in posts {
      #expect(post.method == "POST")
      #expect(post.header("Idempotency-Key") == key)
      #expect(post.bodyText == #"{"q":3}"#)
    }
    #expect(server.requests.allSatisfy { $0.header("Authorization") == "Bearer tok-0123456789" })
    #expect(other.requests.allSatisfy { $0.header("Authorization") == nil })
  }

  @Test func formsAreURLEncoded() throws {
    let server = try LoopbackServer()
    server.script("POST", "/api/autoassign", [.json(202, #"{"ok":true,"job":"hcj_A","job_url":"/api/job?job=hcj_A"}"#)])
    let r = try jobctl([
      "start", "/api/autoassign", "--form", "autoassigner=review", "--form", "q=all & more", "--base-url",
      server.baseURL,
    ])
    #expect(r.code == 0)
    #expect(r.stdout == "hcj_A\n")
    let post = try #require(server.requests.first)
    #expect(post.header("Content-Type") == "application/x-www-form-urlencoded")
    #expect(post.bodyText == "autoassigner=review&q=all%20%26%20more")
  }

  @Test func dataComesFromAFileOrStdin() throws {
    let server = try LoopbackServer()
    server.script("POST", "/reports", [.json(202, stagedAccepted)])
    let dir = try scratch()
    let file = dir.appendingPathComponent("body.json")
    try Data(#"{"from":"file"}"#.utf8).write(to: file)
    #expect(try jobctl(["start", "/reports", "--data", "@" + file.path, "--base-url", server.baseURL]).code == 0)
    #expect(server.requests.last?.bodyText == #"{"from":"file"}"#)
    #expect(
      try jobctl(["start", "/reports", "--data", "@-", "--base-url", server.baseURL], stdin: "plain=text").code == 0)
    #expect(server.requests.last?.bodyText == "plain=text")
    #expect(server.requests.last?.header("Content-Type") == "application/x-www-form-urlencoded")
    let missing = try jobctl(["start", "/reports", "--data", "@/nonexistent/x", "--base-url", server.baseURL])
    #expect(missing.code == 2)
    #expect(server.requests.count == 2)
  }

  @Test func startWaitFollowsTheJobURL() throws {
    let server = try LoopbackServer()
    server.script(
      "POST", "/reports",
      [.json(202, #"{"jobId":"stg_1","status":"pending"}"#, headers: [("Location", "/v2/jobs/stg_1")])])
    server.script(
      "/v2/jobs/stg_1", [.doc(#"{"jobId":"stg_1","status":"running","stage":"a","progress":0.5}"#), .doc(stagedDone)])
    let r = try jobctl(["start", "/reports", "--wait", "--base-url", server.baseURL, "--progress", "plain"] + fast)
    #expect(r.code == 0)
    #expect(r.stdout.hasPrefix("job: stg_1\nstate: completed\n"))
    #expect(r.stderrLines.first?.hasSuffix("stg_1: started (HTTP 202 Accepted)") == true)
    #expect(server.requests.map(\.target) == ["/reports", "/v2/jobs/stg_1", "/v2/jobs/stg_1"])
    #expect(server.connectionCount == 1)
  }

  @Test func anAnswerThatIsAlreadyTerminalIsTheResult() throws {
    let server = try LoopbackServer()
    server.script(
      "POST", "/api/autoassign", [.json(200, #"{"ok":true,"status":"done","exit_status":0,"update_at":1}"#)])
    server.script(
      "POST", "/api/fail",
      [
        .json(
          200, #"{"ok":true,"status":"failed","message_list":[{"status":2,"field":"q","message":"<0>No submissions"}]}"#
        )
      ])
    let ok = try jobctl(["start", "/api/autoassign", "--form", "q=none", "--base-url", server.baseURL, "--json"])
    #expect(ok.code == 0)
    #expect(ok.stdout == #"{"ok":true,"status":"done","exit_status":0,"update_at":1}"# + "\n")
    let failed = try jobctl(["start", "/api/fail", "--base-url", server.baseURL])
    #expect(failed.code == 1)
    #expect(failed.stderr.contains("failed: No submissions (q)"))
    #expect(server.requests.count == 2)
  }

  @Test func aReusedKeyWithAnotherBodyIsExitSix() throws {
    let server = try LoopbackServer()
    server.script(
      "POST", "/reports",
      [
        .json(
          409, #"{"error":{"code":"IDEMPOTENCY_CONFLICT","message":"Idempotency-Key reused with a different body"}}"#)
      ])
    let r = try jobctl(["start", "/reports", "--data", "{}", "--base-url", server.baseURL])
    #expect(r.code == 6)
    #expect(
      r.stderr
        == "jobctl: error: HTTP 409 Conflict: Idempotency-Key reused with a different body (IDEMPOTENCY_CONFLICT)\n")
    #expect(server.requests.count == 1)
  }

  @Test func startPrintsTheWholeAnswerWithJSON() throws {
    let server = try LoopbackServer()
    server.script("POST", "/reports", [.json(202, stagedAccepted)])
    let r = try jobctl(["start", "/reports", "--json", "--base-url", server.baseURL])
    #expect(r.stdout == stagedAccepted + "\n")
  }
}

/// Jobs created by a fake server, one per Idempotency-Key.
final class JobsByKey: @unchecked Sendable {
  private let lock = NSLock()
  private var ids: [String: String] = [:]

  /// The job for `key`, and whether this call created it.
  func job(for key: String) -> (String, Bool) {
    lock.lock()
    defer { lock.unlock() }
    if let id = ids[key] { return (id, false) }
    let id = "job-\(ids.count + 1)"
    ids[key] = id
    return (id, true)
  }

  var count: Int {
    lock.lock()
    defer { lock.unlock() }
    return ids.count
  }
}

@Suite struct CancelTests {
  @Test func acceptedAlreadyTerminalAndRefused() throws {
    let server = try LoopbackServer()
    server.script("POST", "/jobs/a/cancel", [.json(202, #"{"accepted":true}"#)])
    server.script("POST", "/jobs/b/cancel", [.json(200, #"{"accepted":false,"reason":"ALREADY_COMPLETED"}"#)])
    server.script(
      "POST", "/jobs/c/cancel",
      [
        .json(
          409,
          #"{"error":{"code":"CONFLICT","message":"not now","details":{"subcode":"JOB_CANCEL_UNAVAILABLE","stage":"finalizing"}}}"#
        )
      ])
    let a = try jobctl(["cancel", "a", "--base-url", server.baseURL])
    #expect(a.code == 0)
    #expect(a.stdout == "job: a\ncancel: accepted\n")
    let b = try jobctl(["cancel", "b", "--base-url", server.baseURL])
    #expect(b.code == 0)
    #expect(b.stdout.contains("reason: ALREADY_COMPLETED\n"))
    let c = try jobctl(["cancel", "c", "--base-url", server.baseURL])
    #expect(c.code == 6)
    #expect(c.stderr.contains("job c cannot be canceled in stage finalizing (JOB_CANCEL_UNAVAILABLE)"))
    #expect(server.requests.map(\.method) == ["POST", "POST", "POST"])
  }

  @Test func cancelWaitRetriesARefusedCancelAtEachPoll() throws {
    let server = try LoopbackServer()
    let refused = Reply.json(409, #"{"error":{"code":"CONFLICT","details":{"subcode":"JOB_CANCEL_UNAVAILABLE"}}}"#)
    server.script("POST", "/jobs/s/cancel", [refused, refused, .json(202, #"{"accepted":true}"#)])
    server.script(
      "/jobs/s",
      [
        .doc(#"{"status":"running","stage":"upload","progress":0.3}"#),
        .doc(#"{"status":"running","stage":"upload","progress":0.3}"#),
        .doc(#"{"status":"canceled","stage":"upload","progress":0.3}"#),
      ])
    let r = try jobctl(["cancel", "s", "--wait", "--base-url", server.baseURL, "--progress", "none"] + fast)
    #expect(r.code == 3)
    #expect(
      server.requests.map { "\($0.method) \($0.target)" } == [
        "POST /jobs/s/cancel", "GET /jobs/s", "POST /jobs/s/cancel", "GET /jobs/s", "POST /jobs/s/cancel",
        "GET /jobs/s",
      ])
    #expect(r.stdout.contains("state: canceled\n"))
    // The cancel that was asked for is the outcome, not an error (exit 3 still says how it ended).
    #expect(r.stderr == "jobctl: job s was canceled\n")
  }

  /// The cancels of many jobs go out together on SIGTERM, not one after the other.
  @Test func cancelsOnInterruptGoOutConcurrently() throws {
    let server = try LoopbackServer()
    let ids = (1...5).map { "c\($0)" }
    for id in ids {
      server.script("/jobs/\(id)", [.doc(#"{"status":"running","stage":"a","progress":0.1}"#)])
      server.script("POST", "/jobs/\(id)/cancel", [.json(202, #"{"accepted":true}"#, delay: 1.5)])
    }
    let p = try RunningProcess(
      ["wait"] + ids + [
        "--cancel-on-interrupt", "--base-url", server.baseURL, "--interval", "60s", "--progress", "none",
        "--max-connections", "8",
      ])
    #expect(server.waitForRequests(5))
    p.signal(SIGTERM)
    let r = p.finish(limit: 20)
    #expect(r.code == 143)
    let cancels = server.requests.filter { $0.method == "POST" }
    #expect(cancels.count == 5)
    let times = cancels.map(\.time)
    // Each cancel takes 1.5 s to answer: one after the other, they would arrive 1.5 s apart.
    #expect((times.max() ?? 0) - (times.min() ?? 0) < 1, "\(times)")
    #expect(r.stderr.components(separatedBy: "accepted").count == 6, "\(r.stderr)")
  }

  @Test func anUntilAlreadyPastSendsNothing() throws {
    let server = try LoopbackServer()
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--until", "2020-01-01T00:00:00Z"])
    #expect(r.code == 124)
    #expect(server.requests.isEmpty)
    #expect(r.stderr.contains("--until 2020-01-01T00:00:00Z has already passed"))
  }

  /// Ctrl-C without --cancel-on-interrupt: the job keeps running, and the line says how to wait
  /// again, with where and how to poll (the base URL's userinfo and -H headers stay out).
  @Test func anInterruptedWaitSaysHowToResume() throws {
    let server = try LoopbackServer()
    server.script("/jobs/s", [.doc(#"{"status":"running","stage":"a","progress":0.1}"#)])
    let base = server.baseURL.replacingOccurrences(of: "http://", with: "http://user:pw@")
    let p = try RunningProcess([
      "wait", "s", "--base-url", base, "--dialect", "staged", "-H", "X-Key: sekrit", "--interval", "60s",
      "--progress", "none",
    ])
    #expect(server.waitForRequests(1))
    p.signal(SIGINT)
    let r = p.finish(limit: 20)
    #expect(r.code == 130)
    #expect(r.stdout == "")
    #expect(
      r.stderr
        == "jobctl: interrupted; job s keeps running on the server: jobctl wait --base-url '\(server.baseURL.replacingOccurrences(of: "http://", with: "http://[redacted]@"))' --dialect staged s\n"
    )
    #expect(!r.stderr.contains("pw") && !r.stderr.contains("sekrit"))
    #expect(server.requests.allSatisfy { $0.method == "GET" })
  }

  /// Several jobs: how many keep running (those not ended), and one command for all of them.
  @Test func anInterruptedWaitOnSeveralJobsNamesTheOpenOnes() throws {
    let server = try LoopbackServer()
    server.script("/jobs/a", [.doc(#"{"status":"running"}"#)])
    server.script("/jobs/b", [.doc(#"{"status":"completed"}"#)])
    server.script("/jobs/c", [.doc(#"{"status":"running"}"#)])
    let p = try RunningProcess(["wait", "a", "b", "c", "--base-url", server.baseURL, "--interval", "60s", "-v"])
    #expect(server.waitForRequests(3))
    #expect(p.waitForStderr(containing: "job b: completed"))
    p.signal(SIGTERM)
    let r = p.finish(limit: 20)
    #expect(r.code == 143)
    #expect(
      r.stderr.hasSuffix(
        "jobctl: interrupted; 2 jobs keep running on the server: jobctl wait --base-url \(server.baseURL) a c\n"),
      "\(r.stderr)")
  }

  /// start --wait: the job id is known once started, and the line names it.
  @Test func anInterruptedStartWaitNamesTheStartedJob() throws {
    let server = try LoopbackServer()
    server.script("POST", "/jobs", [.json(202, #"{"jobId":"n1","status":"running"}"#)])
    server.script("/jobs/n1", [.doc(#"{"jobId":"n1","status":"running"}"#)])
    let p = try RunningProcess([
      "start", "/jobs", "--wait", "--base-url", server.baseURL, "--interval", "60s", "--progress", "none",
    ])
    // The start's POST and the first poll: the job is known.
    #expect(server.waitForRequests(2))
    p.signal(SIGINT)
    let r = p.finish(limit: 20)
    #expect(r.code == 130)
    #expect(
      r.stderr.hasSuffix(
        "jobctl: interrupted; job n1 keeps running on the server: jobctl wait --base-url \(server.baseURL) n1\n"),
      "\(r.stderr)")
  }

  /// SIGHUP (a closed terminal or SSH session) is handled as SIGTERM: the cancel goes out too.
  @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
  func waitCancelsOnInterruptWhenAsked(_ signal: Int32) throws {
    let server = try LoopbackServer()
    server.script("/jobs/s", [.doc(#"{"status":"running","stage":"a","progress":0.1}"#)])
    server.script("POST", "/jobs/s/cancel", [.json(202, #"{"accepted":true}"#)])
    let p = try RunningProcess([
      "wait", "s", "--cancel-on-interrupt", "--base-url", server.baseURL, "--interval", "60s", "--progress", "none",
    ])
    #expect(server.waitForRequests(1))
    p.signal(signal)
    let r = p.finish(limit: 20)
    #expect(r.code == 128 + signal)
    #expect(server.requests.last?.method == "POST")
    #expect(server.requests.last?.target == "/jobs/s/cancel")
    #expect(r.stderr == "jobctl: cancel of job s accepted\njobctl: interrupted\n")
  }
}

@Suite struct ListTests {
  private func page(_ n: Int, of last: Int) -> Reply {
    let next = n < last ? "\(n + 1)" : "null"
    return .json(
      200,
      #"{"jobs":[{"jobId":"j\#(n)a","type":"org_members","status":"completed"},{"jobId":"j\#(n)b","type":"census","status":"running","progress":0.5}],"pagination":{"currentPage":\#(n),"nextPage":\#(next),"lastPage":\#(last),"totalItems":\#(last * 2)}}"#
    )
  }

  @Test func oneOrAllPagesAsATableOrJSON() throws {
    let server = try LoopbackServer()
    server.script("/jobs?page=1&limit=2&type=org_members&orgAddress=0xab", [page(1, of: 3)])
    server.script("/jobs?page=2&limit=2&type=org_members&orgAddress=0xab", [page(2, of: 3)])
    server.script("/jobs?page=3&limit=2&type=org_members&orgAddress=0xab", [page(3, of: 3)])
    let base = [
      "--base-url", server.baseURL, "--page", "1", "--limit", "2", "--type", "org_members", "--query",
      "orgAddress=0xab",
    ]
    let one = try jobctl(["list"] + base)
    #expect(one.code == 0)
    #expect(
      one.stdout == """
        ID   TYPE         STATUS     PROGRESS
        j1a  org_members  completed  -
        j1b  census       running    50%

        """)
    let all = try jobctl(["list", "--all", "--json"] + base)
    #expect(all.code == 0)
    let ids = (try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]])?.compactMap {
      $0["jobId"] as? String
    }
    #expect(ids == ["j1a", "j1b", "j2a", "j2b", "j3a", "j3b"])
    #expect(server.requests.count == 4)
  }

  @Test func linkHeadersAndBareArrays() throws {
    let server = try LoopbackServer()
    server.script(
      "/tasks",
      [.json(200, #"[{"id":"t1","status":"pending"}]"#, headers: [("Link", "</tasks?cursor=2>; rel=\"next\"")])])
    server.script("/tasks?cursor=2", [.json(200, #"[{"id":"t2","status":"completed"}]"#)])
    let r = try jobctl(["list", "/tasks", "--all", "--base-url", server.baseURL, "--field", "1.id"])
    #expect(r.code == 0)
    #expect(r.stdout == "t2\n")
  }
}

@Suite struct OutputTests {
  private let csv = (1...300).map { "\($0),row \($0)" }.joined(separator: "\n") + "\n"

  /// A server whose HotCRP jobs hcj_1 and hcj_2 are done: `output` polls the job first.
  private func doneJobs() throws -> LoopbackServer {
    let server = try LoopbackServer()
    for id in ["hcj_1", "hcj_2"] {
      server.script("/api/job?job=\(id)", [.json(#"{"ok":true,"status":"done","exit_status":0}"#)])
    }
    return server
  }

  @Test func outputGoesToStdoutOrAtomicallyToAFile() throws {
    let server = try doneJobs()
    server.script("/api/job?job=hcj_1&output=body", [.text(200, csv, contentType: "text/csv;charset=UTF-8")])
    let base = ["--base-url", server.baseURL + "/api", "--dialect", "hotcrp"]
    let r = try jobctl(["output", "hcj_1"] + base)
    #expect(r.code == 0)
    #expect(r.stdout == csv)
    let dir = try scratch()
    let file = dir.appendingPathComponent("out.csv").path
    let f = try jobctl(["output", "hcj_1", "-o", file] + base)
    #expect(f.code == 0)
    #expect(f.stdout == "")
    #expect(try String(contentsOfFile: file, encoding: .utf8) == csv)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.csv"])
  }

  @Test func aConflictLeavesTheFileUntouchedAndNoContentIsANote() throws {
    let server = try doneJobs()
    server.script(
      "/api/job?job=hcj_1&output=json",
      [.json(409, #"{"ok":false,"message_list":[{"status":2,"message":"<0>Output format conflict"}]}"#)])
    server.script("/api/job?job=hcj_2&output=body", [Reply(status: 204)])
    let dir = try scratch()
    let file = dir.appendingPathComponent("keep.txt")
    try Data("precious".utf8).write(to: file)
    let base = ["--base-url", server.baseURL + "/api", "--dialect", "hotcrp"]
    let conflict = try jobctl(["output", "hcj_1", "--as", "json", "-o", file.path] + base)
    #expect(conflict.code == 6)
    #expect(conflict.stderr == "jobctl: error: HTTP 409 Conflict: Output format conflict\n")
    #expect(try String(contentsOf: file, encoding: .utf8) == "precious")
    let empty = try jobctl(["output", "hcj_2", "-o", dir.appendingPathComponent("none").path] + base)
    #expect(empty.code == 0)
    #expect(empty.stderr == "jobctl: job hcj_2 has no output (HTTP 204)\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["keep.txt"])
  }

  @Test func continueResumesWithARangeRequest() throws {
    let server = try doneJobs()
    let bytes = Array(csv.utf8)
    server.script(
      "/api/job?job=hcj_1&output=body",
      [
        Reply(
          status: 206, headers: [("Content-Range", "bytes 100-\(bytes.count - 1)/\(bytes.count)")],
          body: Array(bytes[100...]))
      ])
    let dir = try scratch()
    let file = dir.appendingPathComponent("part.csv")
    try Data(bytes[0..<100]).write(to: file)
    let r = try jobctl([
      "output", "hcj_1", "-o", file.path, "--continue", "--base-url", server.baseURL + "/api", "--dialect", "hotcrp",
    ])
    #expect(r.code == 0)
    #expect(server.requests.map(\.target) == ["/api/job?job=hcj_1", "/api/job?job=hcj_1&output=body"])
    #expect(server.requests.last?.header("Range") == "bytes=100-")
    #expect(try Data(contentsOf: file) == Data(bytes))
  }

  @Test func aBrokenDownloadIsRetriedAndAFailedOneLeavesNoTrace() throws {
    let server = try doneJobs()
    let body = Array(csv.utf8)
    server.script("/api/job?job=hcj_1&output=body", [Reply(body: body, fault: .resetInBody), .text(200, csv)])
    server.script("/api/job?job=hcj_2&output=body", [Reply(body: body, fault: .shortBody)])
    let dir = try scratch()
    let base = ["--base-url", server.baseURL + "/api", "--dialect", "hotcrp"] + fast
    let ok = try jobctl(["output", "hcj_1", "-o", dir.appendingPathComponent("a.csv").path] + base)
    #expect(ok.code == 0)
    #expect(try String(contentsOf: dir.appendingPathComponent("a.csv"), encoding: .utf8) == csv)
    #expect(server.requests.filter { $0.query.hasPrefix("job=hcj_1&output") }.count == 2)
    let broken = try jobctl(
      ["output", "hcj_2", "-o", dir.appendingPathComponent("b.csv").path, "--max-errors", "2"] + base)
    #expect(broken.code == 7)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["a.csv"])
  }
}
