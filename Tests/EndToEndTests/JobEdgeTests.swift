import Foundation
import LoopbackHTTP
import Testing

/// Issue 21 items 4-6: `output` only of a completed job, and what a start or a cancel says when
/// the answer is not the success it looks like.
@Suite struct OutputStateTests {
  /// The job's document at `/jobs/j1` (and `/api/...` for the named shapes), the output anywhere
  /// else; the output must never be asked for.
  private func server(_ document: String) throws -> LoopbackServer {
    let server = try LoopbackServer()
    server.setHandler { request in
      if request.path.hasSuffix("/logs") || request.path.contains("/content") || request.path.hasSuffix("/output") {
        return .json(#"{"logs": "partial\n"}"#)
      }
      return .doc(document)
    }
    return server
  }

  @Test(arguments: [
    // (shape, job, document, exit)
    ("celery-flower", "t1", #"{"task-id":"t1","state":"FAILURE","result":"ZeroDivisionError()"}"#, Int32(1)),
    ("celery-flower", "t1", #"{"task-id":"t1","state":"REVOKED","result":null}"#, 3),
    ("celery-flower", "t1", #"{"task-id":"t1","state":"STARTED","result":null}"#, 9),
    ("ray-job", "r1", #"{"submission_id":"r1","status":"FAILED","message":"exit 1"}"#, 1),
    ("ray-job", "r1", #"{"submission_id":"r1","status":"STOPPED"}"#, 3),
    ("ray-job", "r1", #"{"submission_id":"r1","status":"RUNNING"}"#, 9),
    ("staged", "j1", #"{"id":"j1","status":"failed","error":{"message":"boom"}}"#, 1),
    ("staged", "j1", #"{"id":"j1","status":"canceled"}"#, 3),
    ("staged", "j1", #"{"id":"j1","status":"running","progress":0.5}"#, 9),
    ("openai-batch", "b1", #"{"id":"b1","status":"failed","output_file_id":"f1"}"#, 1),
    ("openai-batch", "b1", #"{"id":"b1","status":"cancelled","output_file_id":"f1"}"#, 3),
    ("openai-batch", "b1", #"{"id":"b1","status":"in_progress","output_file_id":"f1"}"#, 9),
  ])
  func outputOfAJobNotCompletedFetchesNothing(_ shape: String, _ job: String, _ document: String, _ code: Int32)
    throws
  {
    let server = try server(document)
    let folder = try scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("out").path
    // Celery and staged jobs have no output URL of their own: the job's URL and a path under it.
    let own = ["ray-job", "openai-batch"].contains(shape)
    let url = own ? [] : ["--output-url", shape == "staged" ? "{url}/output" : "{url}"]
    let r = try jobctl(["output", job, "-o", file, "--dialect", shape, "--base-url", server.baseURL] + url)
    #expect(r.code == code, "\(r.stderr)")
    #expect(r.stdout.isEmpty, "\(r.stdout)")
    #expect(r.stderr.contains("jobctl: error:"), "\(r.stderr)")
    #expect(r.stderr.contains(job), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: file))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    // One poll; the output itself never asked for.
    #expect(server.requests.count == 1, "\(server.requests.map(\.target))")
    #expect(server.requests.allSatisfy { !$0.path.hasSuffix("/output") })
  }

  @Test func outputOfACompletedJobIsFetchedAfterOnePoll() throws {
    let server = try server(#"{"submission_id":"r1","status":"SUCCEEDED"}"#)
    let r = try jobctl(["output", "r1", "--dialect", "ray-job", "--base-url", server.baseURL])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == "partial\n")
    #expect(server.requests.map(\.target) == ["/api/jobs/r1", "/api/jobs/r1/logs"])
  }
}

/// A start that may have made a job says so, with the Idempotency-Key to send it again with.
@Suite struct UnconfirmedStartTests {
  @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
  func aStartInterruptedWhileItsRequestIsOutNamesTheKey(_ signal: Int32) throws {
    for format in ["text", "ndjson"] {
      let server = try LoopbackServer()
      // The server holds the answer: the job is made, its id not yet sent.
      server.script("POST", "/jobs", [.json(202, #"{"jobId":"j1","status":"pending"}"#, delay: 30)])
      let p = try RunningProcess(["start", "/jobs", "--data", "{}", "--base-url", server.baseURL, "--format", format])
      #expect(server.waitForRequests(1))
      p.signal(signal)
      let r = p.finish(limit: 20)
      let key = try #require(server.requests.first?.header("Idempotency-Key"))
      #expect(r.code == 128 + signal, "\(r.stderr)")
      #expect(r.stderr.contains("may have created a job"), "\(r.stderr)")
      #expect(r.stderr.contains("--idempotency-key \(key)"), "\(r.stderr)")
      #expect(server.requests.count == 1)
      if format == "ndjson" {
        let line = try #require(r.stdout.split(separator: "\n").first)
        let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(event["event"] as? String == "start_unconfirmed")
        #expect(event["idempotency_key"] as? String == key)
        #expect(event["job"] as? String == "/jobs")
      } else {
        #expect(r.stdout.isEmpty, "\(r.stdout)")
      }
    }
  }

  @Test(arguments: [
    (500, #"{"error":"Job with submission_id raysubmit_1 already exists."}"#),
    (409, #"{"error":"a job with this key already exists"}"#),
  ])
  func aResendAnsweredAlreadyExistsStopsAtOnce(_ status: Int, _ body: String) throws {
    let server = try LoopbackServer()
    server.script("POST", "/jobs", [.json(500, #"{"error":"internal"}"#), .json(status, body)])
    let r = try jobctl(
      ["start", "/jobs", "--data", "{}", "--base-url", server.baseURL, "--dialect", "staged", "--max-errors", "20"]
        + fast)
    let keys = server.requests.map { $0.header("Idempotency-Key") }
    #expect(r.code == 6, "\(r.stderr)")
    #expect(r.stdout.isEmpty)
    #expect(keys.count == 2, "\(server.requests.map(\.target))")
    #expect(Set(keys).count == 1)
    let key = try #require(keys.first ?? nil)
    #expect(r.stderr.contains("already exists"), "\(r.stderr)")
    #expect(r.stderr.contains("the first attempt may have created the job"), "\(r.stderr)")
    #expect(r.stderr.contains("--idempotency-key \(key)"), "\(r.stderr)")
  }
}

/// A 2xx cancel answer is read before it counts as accepted.
@Suite struct CancelAnswerTests {
  @Test(arguments: [
    (#"{"error": "cannot cancel"}"#, "staged", "cannot cancel"),
    (#"{"stopped": false}"#, "ray-job", "stopped: false"),
    (#"{"ok": false, "message_list": []}"#, "hotcrp", "ok: false"),
    (#"{"ok": "no"}"#, "staged", #"ok: "no""#),
    (#"{"stopped": 0}"#, "staged", "stopped: 0"),
    ("<html><body>Sign in</body></html>", "staged", "is not JSON"),
  ])
  func aRefusingAnswerIsExitSixWithItsReason(_ body: String, _ shape: String, _ reason: String) throws {
    let server = try LoopbackServer()
    server.setHandler { request in
      guard request.method == "POST" else { return .doc(#"{"status":"running"}"#) }
      return body.hasPrefix("<") ? .text(200, body, contentType: "text/html") : .json(body)
    }
    let r = try jobctl(["cancel", "j1", "--base-url", server.baseURL, "--dialect", shape])
    #expect(r.code == 6, "\(r.stderr)")
    #expect(r.stdout.contains("cancel: refused\n"), "\(r.stdout)")
    #expect(!r.stdout.contains("cancel: accepted"), "\(r.stdout)")
    #expect(r.stderr.contains("jobctl: error: the cancel of job j1 was refused: "), "\(r.stderr)")
    #expect(r.stderr.contains(reason), "\(r.stderr)")
    #expect(server.requests.filter { $0.method == "POST" }.count == 1)
  }

  @Test(arguments: [#"{"accepted": true}"#, "{}", "", #"{"stopped": true}"#, #"{"ok": true, "error": null}"#])
  func anAcceptingAnswerIsExitZero(_ body: String) throws {
    let server = try LoopbackServer()
    server.script("POST", "/jobs/j1/cancel", [.json(202, body)])
    let r = try jobctl(["cancel", "j1", "--base-url", server.baseURL, "--dialect", "staged"])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == "job: j1\ncancel: accepted\n")
  }

  @Test(arguments: [404, 405])
  func aMissingCancelRouteOnALiveJobIsNoSuchCancel(_ status: Int) throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(#"{"id":"j1","status":"running"}"#)])
    server.script("POST", "/jobs/j1/cancel", [.json(status, #"{"error":"no route"}"#)])
    let r = try jobctl(["cancel", "j1", "--base-url", server.baseURL, "--dialect", "staged"])
    #expect(r.code == 6, "\(r.stderr)")
    #expect(r.stderr.contains("this API has no such cancel"), "\(r.stderr)")
    #expect(!r.stderr.contains("not found"), "\(r.stderr)")
    // A job that is gone is still exit 5.
    let gone = try jobctl(["cancel", "j2", "--base-url", server.baseURL, "--dialect", "staged"])
    #expect(gone.code == 5, "\(gone.stderr)")
  }
}

extension CancelAnswerTests {
  @Test func theShapeSaysHowItsCancelAnswers() throws {
    let server = try LoopbackServer()
    server.script("POST", "/jobs/j1/cancel", [.text(200, "<html>Cancelled</html>", contentType: "text/html")])
    server.script("POST", "/jobs/j2/cancel", [.json(#"{"state":"busy","message":"try later"}"#)])
    let base = ["--base-url", server.baseURL, "--dialect", "staged"]
    let page = try jobctl(["cancel", "j1", "--cancel-accepted-when", "@http=200"] + base)
    #expect(page.code == 0, "\(page.stderr)")
    #expect(page.stdout == "job: j1\ncancel: accepted\n")
    let busy = try jobctl(["cancel", "j2", "--cancel-refused-when", "state=busy"] + base)
    #expect(busy.code == 6, "\(busy.stderr)")
    #expect(busy.stderr == "jobctl: error: the cancel of job j2 was refused: try later\n", "\(busy.stderr)")
    // Without the shape's word, the same answer is accepted (nothing in it says no).
    let plain = try jobctl(["cancel", "j2"] + base)
    #expect(plain.code == 0, "\(plain.stderr)")
  }
}
