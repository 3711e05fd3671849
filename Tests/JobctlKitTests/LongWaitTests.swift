import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// `--until`, `--slow-down` and the token file read again (docs/behaviour.md "Secrets" and "How
/// `wait` behaves").
@Suite struct LongWaitTests {
  @Test func instantsAsUntilTakesThem() {
    #expect(Instant.parse("2026-12-01T20:00:00Z") == 1_796_155_200)
    #expect(Instant.parse("2026-12-01t20:00:00z") == 1_796_155_200)
    #expect(Instant.parse("2026-12-01T21:00:00.5+01:00") == 1_796_155_200.5)
    #expect(Instant.parse("2026-12-01T15:30:00-04:30") == 1_796_155_200)
    #expect(Instant.parse("@1796155200") == 1_796_155_200)
    #expect(Instant.parse("@1796155200.25") == 1_796_155_200.25)
    for bad in [
      "2026-12-01T20:00:00", "2026-12-01", "@", "@-5", "@1e9", "2026-13-01T20:00:00Z", "tomorrow",
      "2026-12-01T20:00:00+0100", "2026-12-01T20:00:00.Z",
    ] {
      #expect(Instant.parse(bad) == nil, "\(bad)")
    }
  }

  @Test func anUntilAlreadyPastIs124BeforeAnythingIsSent() throws {
    // The fake wall clock reads 2026-11-22T21:19:58Z.
    let r = runJobctl(
      ["wait", "j1", "--until", "2026-11-22T21:19:00Z"], script: [answer(200, #"{"status":"pending"}"#)])
    #expect(r.code == 124)
    #expect(r.transport.requests.isEmpty)
    let until = try #require(Instant.parse("2026-11-22T21:19:00Z"))
    #expect(r.errors == [.timedOut(.untilPassed(origin: "--until", until: until))])
    let start = runJobctl(["start", "/jobs", "--wait", "--until", "@1795382000"], script: [answer(202, "{}")])
    #expect(start.code == 124)
    #expect(start.transport.requests.isEmpty, "a start --wait creates nothing")
    #expect(runJobctl(["wait", "j1", "--until", "soon"]).code == 2)
  }

  /// `--until` holds for every command that waits or retries: past, nothing is sent.
  @Test func anUntilAlreadyPastHoldsForEveryCommand() {
    for command in [["status", "j1"], ["cancel", "j1"], ["list"], ["output", "j1"], ["start", "/jobs"]] {
      let r = runJobctl(command + ["--until", "@1795382000"], script: [answer(200, #"{"status":"completed"}"#)])
      #expect(r.code == 124, "\(command): \(r.stderr)")
      #expect(r.transport.requests.isEmpty, "\(command)")
      #expect(r.errors == [.timedOut(.untilPassed(origin: "--until", until: 1_795_382_000))], "\(command)")
    }
  }

  /// A `status` whose Retry-After would pass `--until` ends with 124 at once.
  @Test func aRetryAfterPastTheUntilEndsAStatusAtOnce() {
    let limited = answer(429, "{}", headers: [HTTPHeader("Retry-After", "30")])
    let r = runJobctl(["status", "j1", "--until", "2026-11-22T21:20:08Z"], script: [limited])
    #expect(r.code == 124, "\(r.stderr)")
    #expect(r.transport.requests.count == 1)
    #expect(r.transport.sleeps.isEmpty, "no wait for what cannot be used")
  }

  @Test func untilEndsTheWaitAndNamesTheJobAndItsURL() throws {
    let pending = answer(200, #"{"status":"pending"}"#)
    let r = runJobctl(["wait", "j1", "--until", "2026-11-22T21:20:08Z", "--progress", "none"], script: [pending])
    #expect(r.code == 124)
    let until = try #require(Instant.parse("2026-11-22T21:20:08Z"))
    let limit = JobctlError.Cause.timeLimit(until: until, after: nil, still: "job j1 is still pending")
    #expect(r.errors == [.timedOut(.naming(limit, whereabouts: "job j1 is at http://api.test/jobs/j1"))])
    #expect(r.transport.requestTimes.last.map { $0 - 1000 < 10 } == true)
    // The earlier of --timeout and --until holds.
    let both = runJobctl(
      ["wait", "j1", "--until", "2026-11-22T21:20:08Z", "--timeout", "3s", "--progress", "none"], script: [pending])
    #expect(both.code == 124)
    let three = JobctlError.Cause.timeLimit(until: nil, after: 3, still: "job j1 is still pending")
    #expect(both.errors == [.timedOut(.naming(three, whereabouts: "job j1 is at http://api.test/jobs/j1"))])
  }

  @Test func untilIsAConfigKey() {
    let r = runJobctl(
      ["wait", "j1", "--config", "/c", "--progress", "none"],
      script: [answer(200, #"{"status":"pending"}"#)], files: ["/c": "[default]\nuntil = @1795382403\n"])
    #expect(r.code == 124)
    let limit = JobctlError.Cause.timeLimit(until: 1_795_382_403, after: nil, still: "job j1 is still pending")
    #expect(r.errors == [.timedOut(.naming(limit, whereabouts: "job j1 is at http://api.test/jobs/j1"))])
  }

  @Test func slowDownIsAFlagAndAConfigKey() {
    let same = answer(200, #"{"status":"running","stage":"a"}"#)
    let r = runJobctl(
      ["wait", "j1", "--slow-down", "--max-interval", "5s", "--progress", "none"],
      script: [same, same, same, same, answer(200, #"{"status":"completed"}"#)])
    #expect(r.code == 0)
    #expect(r.transport.sleeps == [2, 3, 4.5, 5])
    let config = runJobctl(
      ["wait", "j1", "--config", "/c", "--progress", "none"],
      script: [same, same, answer(200, #"{"status":"completed"}"#)], files: ["/c": "[default]\nslow-down = true\n"])
    #expect(config.transport.sleeps == [2, 3])
  }

  /// A rotated token file: read again before the retry after a 401, and when it changes.
  @Test func aRotatedTokenFileIsReadAgain() {
    final class File { var text = "old-token-1234\n" }
    let file = File()
    let clock = FakeClock()
    var served = 0
    let transport = FakeTransport(clock: clock) { request, _ in
      served += 1
      let auth = request.headers.first(where: { $0.name == "Authorization" })?.value
      if served == 1 {
        file.text = "new-token-5678\n"
        return answer(401, #"{"message":"token expired"}"#)
      }
      guard auth == "Bearer new-token-5678" else { return answer(401, "{}") }
      return served < 3
        ? answer(200, #"{"status":"pending","stage":"as new-token-5678"}"#)
        : answer(200, #"{"status":"completed","result":{"by":"new-token-5678"}}"#)
    }
    let out = BufferSink()
    let err = BufferSink()
    var services = fakeServices(transport: transport, clock: clock, stdout: out, stderr: err)
    services.readFile = { path in path == "/t" ? .success(Array(file.text.utf8)) : .failure(FileError(reason: "none")) }
    services.fileMode = { _ in 0o100600 }
    let code = Jobctl.run(
      ["wait", "j1", "--token-file", "/t", "--progress", "plain", "--verbose"],
      environment: ["JOBCTL_BASE_URL": "http://api.test"], services: services)
    #expect(code == 0, "\(err.text)")
    #expect(served == 3)
    // The token read again is a secret like the first: the transport scrubs answers of it, and
    // nothing written shows it.
    #expect(transport.secrets.contains("new-token-5678") && transport.secrets.contains("Bearer new-token-5678"))
    #expect(transport.secrets.contains("old-token-1234"))
    #expect(!out.text.contains("new-token-5678") && out.text.contains("result.by: [redacted]"), "\(out.text)")
    #expect(!err.text.contains("new-token-5678") && err.text.contains("as [redacted]"), "\(err.text)")
    #expect(transport.requests[1].headers.contains(HTTPHeader("Authorization", "Bearer new-token-5678")))
    #expect(transport.requestTimes[1] == transport.requestTimes[0] + transport.latency, "sent again at once")

    // A file that did not change: the 401 stands.
    let unchanged = runJobctl(
      ["wait", "j1", "--token-file", "/t"], script: [answer(401, "{}")], files: ["/t": "same-token-1234"])
    #expect(unchanged.code == 4)
    #expect(unchanged.transport.requests.count == 1)
  }

  /// A token file changed during a wait is used from the next poll on (looked at once a second).
  @Test func aChangedTokenFileIsUsedForTheNextPoll() {
    final class File { var text = "first-token-1234" }
    let file = File()
    let clock = FakeClock()
    var served = 0
    let transport = FakeTransport(clock: clock) { _, _ in
      served += 1
      if served == 1 { file.text = "second-token-5678" }
      return served < 3 ? answer(200, #"{"status":"pending"}"#) : answer(200, #"{"status":"completed"}"#)
    }
    var services = fakeServices(transport: transport, clock: clock)
    services.readFile = { _ in .success(Array(file.text.utf8)) }
    services.fileMode = { _ in 0o100600 }
    let code = Jobctl.run(
      ["wait", "j1", "--token-file", "/t", "--progress", "none"],
      environment: ["JOBCTL_BASE_URL": "http://api.test"], services: services)
    #expect(code == 0)
    let auths = transport.requests.map { $0.headers.first(where: { $0.name == "Authorization" })?.value }
    #expect(auths == ["Bearer first-token-1234", "Bearer second-token-5678", "Bearer second-token-5678"])
  }
}
