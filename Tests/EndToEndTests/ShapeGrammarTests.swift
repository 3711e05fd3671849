import LoopbackHTTP
import Testing

/// Every rule of the shape grammar (COND, EXPR, TEMPLATE), as the real `jobctl` reads it from its
/// flags against a loopback server: what it exits with, prints, and sends.
@Suite struct ShapeGrammarTests {
  /// `wait j1` on a server answering `replies` in turn, with `flags` describing the shape.
  private func waitOn(_ replies: [Reply], _ flags: [String]) throws -> (ProcessResult, LoopbackServer) {
    let server = try LoopbackServer()
    server.script("/jobs/j1", replies)
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "-v", "--progress", "plain"] + flags + fast)
    return (r, server)
  }

  private func targets(_ server: LoopbackServer) -> [String] { server.requests.map { "\($0.method) \($0.target)" } }

  @Test func aBarePathHoldsWhenSetAndABangPathWhenNot() throws {
    let (r, server) = try waitOn(
      [.doc(#"{"busy":true}"#), .doc(#"{"busy":false}"#)], ["--completed-when", "!busy", "--running-when", "busy"])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("job: j1\nstate: completed\n"), "\(r.stdout)")
    #expect(r.stderr.contains("jobctl: job j1: running: busy\n"), "\(r.stderr)")
    #expect(r.stderr.contains("jobctl: job j1: completed: !busy\n"), "\(r.stderr)")
    #expect(targets(server) == ["GET /jobs/j1", "GET /jobs/j1"])
  }

  /// A JSON string value may hold `,` and `&`; bare values compare without regard to case.
  @Test func quotedValuesHoldCommasAndAmpersands() throws {
    let (r, server) = try waitOn(
      [.doc(#"{"state":"WORKING"}"#), .doc(#"{"state":"done, really & truly"}"#)],
      ["--completed-when", #"state="done, really & truly""#, "--running-when", "state=working"])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stderr.contains("jobctl: job j1: running: state=working\n"), "\(r.stderr)")
    #expect(r.stderr.contains(#"jobctl: job j1: completed: state="done, really & truly""#), "\(r.stderr)")
    #expect(server.requests.count == 2)
  }

  /// `*` holds when one item holds; as a message path, each item is a message.
  @Test func aStarIsAnyItem() throws {
    let (r, server) = try waitOn(
      [
        .doc(#"{"done":false,"steps":[{"result":"ok"}]}"#),
        .doc(
          #"{"done":true,"steps":[{"result":"ok","message":"built"},{"result":"error","message":"tests broke"}]}"#),
      ],
      [
        "--completed-when", "done", "--failed-when", "done & steps.*.result=error", "--message-path",
        "steps.*.message",
      ])
    #expect(r.code == 1, "\(r.stderr)")
    #expect(r.stderr.contains("jobctl: job j1: running: no condition holds\n"), "\(r.stderr)")
    #expect(r.stderr.contains("jobctl: job j1: failed: done & steps.*.result=error\n"), "\(r.stderr)")
    #expect(r.stderr.contains("jobctl: error: job j1 failed: built; tests broke"), "\(r.stderr)")
    #expect(server.requests.count == 2)
  }

  /// `["a.b"]` names a key holding a dot, not the path a → b.
  @Test func bracketsNameAKeyWithADot() throws {
    let (r, _) = try waitOn(
      [.doc(#"{"job.state":"run","job":{"state":"done"}}"#), .doc(#"{"job.state":"done","job":{"state":"run"}}"#)],
      ["--completed-when", #"["job.state"]=done"#, "--running-when", #"["job.state"]=run"#])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stderr.contains(#"jobctl: job j1: running: ["job.state"]=run"#), "\(r.stderr)")
  }

  /// A shape that reads only `@http` takes any body as the result.
  @Test func atHTTPIsTheStatusCode() throws {
    let (r, server) = try waitOn(
      [Reply(status: 202), .text(200, "id,total\n7,42\n", contentType: "text/csv")],
      ["--completed-when", "@http=200,201", "--running-when", "@http=202", "--json"])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == "id,total\n7,42\n")
    #expect(r.stderr.contains("jobctl: job j1: running: @http=202\n"), "\(r.stderr)")
    #expect(server.requests.count == 2)
  }

  /// A status code a condition names is answered by the condition, not the HTTP rules (a 409
  /// would otherwise be exit 6).
  @Test func aStatusCodeAConditionNamesIsNotJudgedByTheHTTPRules() throws {
    let (r, server) = try waitOn(
      [.doc(#"{"s":"run"}"#), .doc(#"{"message":"the run broke"}"#, status: 409)],
      ["--completed-when", "s=ok", "--running-when", "s=run", "--failed-when", "@http=409"])
    #expect(r.code == 1, "\(r.stderr)")
    #expect(r.stderr.contains("jobctl: job j1: failed: @http=409\n"), "\(r.stderr)")
    #expect(r.stderr.contains("the run broke"), "\(r.stderr)")
    #expect(server.requests.count == 2)
  }

  @Test func atHeaderIsAResponseHeader() throws {
    let (r, server) = try waitOn(
      [.doc("{}", headers: [("X-Job-State", "running")]), .doc("{}", headers: [("X-Job-State", "Done")])],
      ["--completed-when", "@header:x-job-state=done", "--running-when", "@header:X-Job-State=running"])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stderr.contains("jobctl: job j1: completed: @header:x-job-state=done\n"), "\(r.stderr)")
    #expect(server.requests.count == 2)
  }

  /// Numbers compare numerically (`1e2` is 100); `>` compares numbers only, and in a failed-when
  /// the string "3" is a doubt that counts as failure (FailureJudgementTests).
  @Test func numbersCompareNumerically() throws {
    let (r, server) = try waitOn(
      [.doc(#"{"percent":5,"errors":null}"#), .doc(#"{"percent":1e2,"errors":0}"#)],
      ["--completed-when", "percent=100", "--failed-when", "errors>0", "--running-when", "percent<100"])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stderr.contains("jobctl: job j1: running: percent<100\n"), "\(r.stderr)")
    #expect(r.stderr.contains("jobctl: job j1: completed: percent=100\n"), "\(r.stderr)")
    #expect(server.requests.count == 2)
    // A bare number also matches a string of the same text.
    let (s, _) = try waitOn([.doc(#"{"exit_status":"0"}"#)], ["--completed-when", "exit_status=0"])
    #expect(s.code == 0, "\(s.stderr)")
  }

  /// `=` takes a list (any one matches); `!=` holds when the value is there and matches none.
  @Test func listsAfterEqualsAndNotEquals() throws {
    let flags = ["--completed-when", "state=done,finished", "--failed-when", "state!=done,finished,running"]
    let (r, _) = try waitOn([.doc(#"{"state":"running"}"#), .doc(#"{"state":"FINISHED"}"#)], flags)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stderr.contains("jobctl: job j1: completed: state=done,finished\n"), "\(r.stderr)")
    let (f, _) = try waitOn([.doc(#"{"state":"running"}"#), .doc(#"{"state":"exploded"}"#)], flags)
    #expect(f.code == 1, "\(f.stderr)")
    #expect(f.stderr.contains("jobctl: job j1: failed: state!=done,finished,running\n"), "\(f.stderr)")
    // Absent is not `!=`: a document without `state` names none of the paths, so it is not understood.
    let (n, server) = try waitOn([.doc(#"{"other":1}"#)], flags)
    #expect(n.code == 6, "\(n.stderr)")
    #expect(n.stderr.contains("keys other"), "\(n.stderr)")
    #expect(server.requests.count == 1, "not understood ends at once")
  }

  /// EXPR: `PATH / PATH` and `PATH / NUMBER`, shown as the job's progress.
  @Test func progressExpressions() throws {
    let (r, _) = try waitOn(
      [.doc(#"{"s":"run","c":{"done":1,"total":4}}"#), .doc(#"{"s":"ok","c":{"done":4,"total":4}}"#)],
      ["--completed-when", "s=ok", "--running-when", "s=run", "--progress-path", "c.done / c.total"])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stderr.contains("j1: running, 25%"), "\(r.stderr)")
    let (p, _) = try waitOn(
      [.doc(#"{"s":"run","pct":40}"#), .doc(#"{"s":"ok","pct":100}"#)],
      ["--completed-when", "s=ok", "--running-when", "s=run", "--progress-path", "pct / 100"])
    #expect(p.code == 0, "\(p.stderr)")
    #expect(p.stderr.contains("j1: running, 40%"), "\(p.stderr)")
  }

  /// An RFC 3339 update time is judged on the server's clock (its `Date`), not the local one.
  @Test func anRFC3339UpdateTimeIsJudgedOnTheServersClock() throws {
    let date = ("Date", "Sun, 01 Mar 2026 12:00:00 GMT")
    let flags = [
      "--completed-when", "s=ok", "--running-when", "s=run", "--updated-path", "updated", "--stale-after", "10m",
    ]
    // Five seconds before the server's Date: fresh, though months behind the local clock.
    let (fresh, _) = try waitOn(
      [.doc(#"{"s":"run","updated":"2026-03-01T12:59:55+01:00"}"#, headers: [date]), .doc(#"{"s":"ok"}"#)], flags)
    #expect(fresh.code == 0, "\(fresh.stderr)")
    // An hour before it: stalled at the first poll.
    let (old, server) = try waitOn([.doc(#"{"s":"run","updated":"2026-03-01T11:00:00.5Z"}"#, headers: [date])], flags)
    #expect(old.code == 8, "\(old.stderr)")
    #expect(old.stderr.contains("the job looks stalled"), "\(old.stderr)")
    #expect(server.requests.count == 1)
  }

  /// TEMPLATE: `{.PATH}` encoded as one segment, `{+.PATH}` kept, `{url}:cancel` before the base
  /// URL's query, a method of one's own, and an absent value meaning nothing to fetch.
  @Test func templatesForOutputAndCancel() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(#"{"s":"ok","file":"f/1","path":"/blobs/a/b.txt"}"#)])
    server.script("/files/f%2F1/content", [.text(200, "encoded\n")])
    server.script("/blobs/a/b.txt", [.text(200, "kept\n")])
    server.script("POST", "/jobs/j1:cancel?v=1", [.doc("{}")])
    server.script("DELETE", "/jobs/j1?v=1", [Reply(status: 204)])
    let base = ["--base-url", server.baseURL + "/?v=1", "--completed-when", "s=ok"]
    let encoded = try jobctl(["output", "j1", "--output-url", "/files/{.file}/content"] + base)
    #expect(encoded.code == 0, "\(encoded.stderr)")
    #expect(encoded.stdout == "encoded\n")
    let kept = try jobctl(["output", "j1", "--output-url", "{+.path}"] + base)
    #expect(kept.code == 0, "\(kept.stderr)")
    #expect(kept.stdout == "kept\n")
    let nothing = try jobctl(["output", "j1", "--output-url", "/files/{.missing}"] + base)
    #expect(nothing.code == 0, "\(nothing.stderr)")
    #expect(nothing.stdout.isEmpty)
    let colon = try jobctl(["cancel", "j1", "--cancel", "POST {url}:cancel"] + base)
    #expect(colon.code == 0, "\(colon.stderr)")
    let delete = try jobctl(["cancel", "j1", "--cancel", "DELETE {url}"] + base)
    #expect(delete.code == 0, "\(delete.stderr)")
    #expect(
      targets(server) == [
        "GET /jobs/j1?v=1", "GET /files/f%2F1/content", "GET /jobs/j1?v=1", "GET /blobs/a/b.txt", "GET /jobs/j1?v=1",
        "POST /jobs/j1:cancel?v=1", "DELETE /jobs/j1?v=1",
      ])
  }

  /// A malformed COND, EXPR or TEMPLATE is exit 2 naming the flag, and nothing is sent.
  @Test(arguments: [
    (["--completed-when", "s=ok & "], "--completed-when: an empty term"),
    (["--completed-when", "s=ok", "--failed-when", "s<ok"], "--failed-when: 's<ok': < compares with one number"),
    (["--completed-when", #"s="unterminated"#], "--completed-when:"),
    (["--completed-when", "@status=1"], "--completed-when: '@status' is neither @http nor @header:NAME"),
    (["--completed-when", "s=ok", "--progress-path", "a / 0"], "--progress-path: 'a / 0' divides by 0"),
    (["--completed-when", "s=ok", "--output-url", "/x/{nosuch}"], "--output-url:"),
    (["--completed-when", "s=ok", "--cancel", "post {url}"], "--cancel: 'post' is no HTTP method in capitals"),
    (["--completed-when", "s=ok", "--jobs-path", "/jobs/{url}"], "--jobs-path:"),
  ])
  func malformedDescriptionsAreUsageErrors(_ flags: [String], _ message: String) throws {
    let server = try LoopbackServer()
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL] + flags)
    #expect(r.code == 2, "\(r.stderr)")
    #expect(r.stderr.hasPrefix("jobctl: error: " + message), "\(r.stderr)")
    #expect(r.stdout.isEmpty)
    #expect(server.requests.isEmpty)
  }
}

/// The failures issue 12 named, against the real binary: each test fails without its fix.
@Suite struct ShapeFailureRegressionTests {
  /// A JSON answer no shape can use was retried with backoff up to --max-errors (minutes); it
  /// now ends at the first poll with exit 6, naming its keys and what to do.
  @Test func anUnknownShapeEndsAtTheFirstPoll() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(#"{"state":"RUNNING","id":"j1"}"#)])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--progress", "none"] + fast)
    #expect(r.code == 6, "\(r.stderr)")
    #expect(r.stdout.isEmpty)
    #expect(r.stderr.contains("no known response shape fits (keys state, id)"), "\(r.stderr)")
    #expect(r.stderr.contains("--completed-when"), "\(r.stderr)")
    #expect(server.requests.count == 1)
  }

  /// `--base-url 'http://h/x/?v=1'` made wait ask for `/x//jobs/ID` and start for `/x/jobs`, both
  /// without `?v=1`: every command now builds its URL the one way.
  @Test func aBaseURLWithAPathAndAQueryServesEveryCommand() throws {
    let server = try LoopbackServer()
    server.script("POST", "/x/jobs?v=1", [.doc(#"{"jobId":"j1","status":"pending"}"#, status: 202)])
    server.script("/x/jobs/j1?v=1", [.doc(#"{"jobId":"j1","status":"completed"}"#)])
    server.script("POST", "/x/jobs/j1/cancel?v=1", [.doc(#"{"accepted":true}"#, status: 202)])
    server.script("/x/jobs?page=1&v=1", [.doc(#"{"jobs":[{"jobId":"j1","status":"completed"}]}"#)])
    let base = ["--base-url", server.baseURL + "/x/?v=1", "--dialect", "simple"]
    let start = try jobctl(["start", "/jobs", "--data", "{}"] + base)
    #expect(start.code == 0, "\(start.stderr)")
    #expect(start.stdout == "j1\n")
    let wait = try jobctl(["wait", "j1"] + base)
    #expect(wait.code == 0, "\(wait.stderr)")
    let cancel = try jobctl(["cancel", "j1"] + base)
    #expect(cancel.code == 0, "\(cancel.stderr)")
    let list = try jobctl(["list", "--page", "1"] + base)
    #expect(list.code == 0, "\(list.stderr)")
    #expect(
      server.requests.map { "\($0.method) \($0.target)" } == [
        "POST /x/jobs?v=1", "GET /x/jobs/j1?v=1", "POST /x/jobs/j1/cancel?v=1", "GET /x/jobs?page=1&v=1",
      ])
  }
}
