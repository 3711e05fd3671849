import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// Runs one wait in fake time and returns the outcome with what the fakes saw.
private struct EngineRun {
  let outcome: WaitOutcome
  let transport: FakeTransport
  let events: [PollEvent]
  let clock: FakeClock
  let start: Double
}

private func wait(
  _ script: [Result<HTTPResponse, TransportFailure>], dialect: Dialect? = nil, random: Double = 0.5,
  signalOnSleep: (Int, Int32)? = nil, requestTimeout: Double = 30,
  policy configure: (inout PollPolicy) -> Void = { _ in }
) -> EngineRun {
  let clock = FakeClock()
  let start = clock.monotonic
  let transport = FakeTransport(clock: clock, script)
  transport.signalOnSleep = signalOnSleep.map { (index: $0.0, signal: $0.1) }
  var policy = PollPolicy()
  configure(&policy)
  var watch = JobWatch(
    label: "j1", request: HTTPRequest(url: "http://api.test/jobs/j1"), dialect: dialect, policy: policy)
  var events: [PollEvent] = []
  let scheduler = Scheduler(
    transport: transport, clock: clock, random: FixedRandom(random), requestTimeout: requestTimeout, maxPerHost: 4)
  let outcome = scheduler.wait(&watch) { events.append($0) }
  return EngineRun(outcome: outcome, transport: transport, events: events, clock: clock, start: start)
}

private let pending = answer(200, #"{"jobId":"j1","status":"pending"}"#)
private let completed = answer(200, #"{"jobId":"j1","status":"completed","result":{"address":"0x1"}}"#)
private let failedDoc = answer(200, #"{"jobId":"j1","status":"failed","error":"boom"}"#)

@Suite struct EngineTests {
  @Test func firstPollAtOnceThenEveryIntervalUntilTerminal() {
    let r = wait([pending, pending, completed])
    #expect(r.outcome.error == nil)
    #expect(r.outcome.exitCode == 0)
    #expect(r.transport.requestTimes.first == r.start)
    #expect(r.transport.sleeps == [2, 2])
    #expect(r.transport.requests.count == 3)
  }

  @Test func jitterStaysWithinTenPercent() {
    #expect(wait([pending, completed], random: 0).transport.sleeps == [1.8])
    let high = wait([pending, completed], random: 0.999_999).transport.sleeps[0]
    #expect(high > 2.19 && high < 2.2)
  }

  @Test func terminalStatesAreFinal() {
    let r = wait([failedDoc, completed])
    #expect(r.transport.requests.count == 1)
    #expect(r.outcome.error == .jobFailed(.failed(job: "j1", detail: "boom")))
    #expect(r.outcome.exitCode == 1)
    let c = wait([answer(200, #"{"status":"canceled"}"#)])
    #expect(c.outcome.exitCode == 3)
  }

  @Test func retryAfterSecondsOnARateLimitIsAMinimumAndNotAFailure() {
    let limited = answer(429, #"{"message":"slow down"}"#, headers: [HTTPHeader("Retry-After", "7")])
    let r = wait([pending, limited, limited, limited, completed]) { $0.maxErrors = 2 }
    #expect(r.outcome.exitCode == 0)
    #expect(r.transport.sleeps == [2, 7, 7, 7])
    #expect(r.events.contains(.rateLimited(reason: "HTTP 429 Too Many Requests: slow down", delay: 7)))
  }

  @Test func aZeroOrPastRetryAfterOnARateLimitStillWaitsAnInterval() {
    let zero = answer(429, "{}", headers: [HTTPHeader("Retry-After", "0")])
    let past = answer(503, "{}", headers: [HTTPHeader("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT")])
    let r = wait([zero, zero, past, completed]) { $0.maxErrors = 1 }
    #expect(r.outcome.exitCode == 0)
    #expect(r.transport.sleeps == [2, 2, 2])
  }

  @Test func retryAfterAsAnHTTPDateOn503() {
    // The fake wall clock reads 1795382398 (+0.01 s once the first request returns); the date
    // below is 1795382428, thirty seconds later.
    let r = wait([answer(503, "{}", headers: [HTTPHeader("Retry-After", "Sun, 22 Nov 2026 21:20:28 GMT")]), completed])
    #expect(r.outcome.exitCode == 0)
    #expect(abs(r.transport.sleeps[0] - 29.99) < 0.001)
    guard case .rateLimited(let reason, let delay)? = r.events.first else {
      Issue.record("expected a rate-limit event, got \(r.events)")
      return
    }
    #expect(reason == "HTTP 503 Service Unavailable")
    #expect(abs(delay - r.transport.sleeps[0]) < 1e-6)
  }

  @Test func retryAfterOnAnOrdinaryAnswerLengthensTheInterval() {
    let slow = answer(200, #"{"status":"pending"}"#, headers: [HTTPHeader("Retry-After", "5")])
    #expect(wait([slow, completed]).transport.sleeps == [5])
    let fast = answer(200, #"{"status":"pending"}"#, headers: [HTTPHeader("Retry-After", "1")])
    #expect(wait([fast, completed]).transport.sleeps == [2])
  }

  @Test func transientTroubleBacksOffExponentiallyUpToTheCap() {
    let r = wait([failure(), failure(), failure(), failure(), failure(), completed], random: 0.999_999) {
      $0.interval = 1
      $0.maxInterval = 5
    }
    #expect(r.outcome.exitCode == 0)
    let rounded = r.transport.sleeps.map { ($0 * 100).rounded() / 100 }
    #expect(rounded == [2, 4, 5, 5, 5])
    let low = wait([failure(), failure(), completed], random: 0) { $0.interval = 1 }
    #expect(low.transport.sleeps == [1, 1])
  }

  @Test func fiveHundredsAnd408AreRetried() {
    let r = wait([answer(502, "bad gateway"), answer(408, ""), answer(500, #"{"error":"oops"}"#), completed])
    #expect(r.outcome.exitCode == 0)
    #expect(r.transport.requests.count == 4)
    guard case .retry(let reason, _, let failures) = r.events[2] else {
      Issue.record("expected a retry event, got \(r.events[2])")
      return
    }
    #expect(reason == "HTTP 500 Internal Server Error: oops")
    #expect(failures == 3)
  }

  @Test func maxErrorsConsecutiveFailuresEndWithSevenNamingTheLastError() {
    let r = wait([failure("Failed to connect: Connection refused")]) { $0.maxErrors = 3 }
    #expect(r.outcome.exitCode == 7)
    #expect(r.transport.requests.count == 3)
    #expect(r.outcome.error?.message?.contains("3 consecutive failures") == true)
    #expect(r.outcome.error?.message?.contains("Connection refused") == true)
  }

  @Test func aSuccessResetsTheFailureCount() {
    let r = wait([failure(), failure(), pending, failure(), failure(), completed]) { $0.maxErrors = 3 }
    #expect(r.outcome.exitCode == 0)
  }

  /// A proxy's HTML page is retried; JSON that the shape cannot place ends at once (docs/shapes.md
  /// "Any job API").
  @Test func answersThatAreNotJobDocumentsAreRetriedThenExitSix() {
    let r = wait(
      [answer(200, "<html>maintenance</html>"), answer(200, #"{"status":"weird"}"#)], dialect: Dialects.simple
    ) {
      $0.maxErrors = 3
    }
    #expect(r.outcome.exitCode == 6)
    #expect(r.transport.requests.count == 2)
    #expect(r.outcome.error?.message?.contains("not a job document") == true)
    #expect(r.outcome.error?.message?.contains(#"status "weird""#) == true)
    let html = wait([answer(200, "<html>maintenance</html>")], dialect: Dialects.simple) { $0.maxErrors = 3 }
    #expect(html.outcome.exitCode == 6)
    #expect(html.transport.requests.count == 3)
    let recovered = wait([answer(200, "not json"), completed])
    #expect(recovered.outcome.exitCode == 0)
  }

  @Test(arguments: [(401, Int32(4)), (403, 4), (404, 5), (410, 5), (400, 6), (409, 6), (422, 6), (302, 6)])
  func clientErrorsEndAtOnce(_ status: Int, _ code: Int32) {
    let r = wait([answer(status, #"{"error":"no"}"#), completed])
    #expect(r.outcome.exitCode == code)
    #expect(r.transport.requests.count == 1)
  }

  @Test func tlsFailuresEndAtOnceWithSeven() {
    let r = wait([failure("certificate verify failed", code: .tlsVerification), completed])
    #expect(r.outcome.exitCode == 7)
    #expect(r.transport.requests.count == 1)
  }

  @Test func timeoutEndsAtTheDeadlineWith124() {
    let r = wait([pending]) { $0.timeout = 5 }
    #expect(r.outcome.exitCode == 124)
    #expect(abs(r.clock.monotonic - (r.start + 5)) < 0.001)
    #expect(r.outcome.error?.message?.contains("job j1 is still pending") == true)
  }

  @Test func aRetryAfterBeyondTheDeadlineEnds124AtOnce() {
    let r = wait([answer(429, "{}", headers: [HTTPHeader("Retry-After", "60")])]) { $0.timeout = 10 }
    #expect(r.outcome.exitCode == 124)
    #expect(r.transport.sleeps.isEmpty)
  }

  /// The message compares the Retry-After with the time left, not with the whole --timeout.
  @Test func aRetryAfterPastTheTimeLeftSaysHowMuchWasLeft() {
    let r = wait([pending, answer(429, "{}", headers: [HTTPHeader("Retry-After", "3")])]) { $0.timeout = 4 }
    #expect(r.outcome.exitCode == 124)
    guard
      case .timedOut(.naming(.retryAfterPastDeadline(let wait, false, let left, let limit, let still), _))? = r
        .outcome.error
    else {
      Issue.record("not a Retry-After past the deadline: \(String(describing: r.outcome.error))")
      return
    }
    #expect(wait == 3 && left < 3 && left > 0, "\(left)")
    #expect(limit == "--timeout 4s" && still == "job j1 is still pending")
  }

  @Test func requestsAreCutToTheTimeLeft() {
    let r = wait([pending, completed], requestTimeout: 30) { $0.timeout = 3 }
    #expect(r.transport.requests[0].timeout == 3)
    #expect(abs((r.transport.requests[1].timeout ?? 0) - 0.99) < 0.001)
  }

  @Test func aRequestTimingOutAtTheDeadlineIs124() {
    let clock = FakeClock()
    let transport = FakeTransport(clock: clock, [.failure(TransportFailure(.timedOut, detail: "timed out"))])
    transport.latency = 4
    var policy = PollPolicy()
    policy.timeout = 4
    var watch = JobWatch(label: "j1", request: HTTPRequest(url: "http://x/"), dialect: nil, policy: policy)
    let scheduler = Scheduler(
      transport: transport, clock: clock, random: FixedRandom(), requestTimeout: 30, maxPerHost: 4)
    let outcome = scheduler.wait(&watch) { _ in }
    #expect(outcome.exitCode == 124)
  }

  @Test func maxAttemptsEndsWith124() {
    let r = wait([pending]) { $0.maxAttempts = 3 }
    #expect(r.outcome.exitCode == 124)
    #expect(r.transport.requests.count == 3)
    #expect(r.transport.sleeps.count == 2)
  }

  @Test func staleAfterEndsWithEightWhenNothingChanges() {
    let running = answer(200, #"{"status":"running","stage":"a","progress":0.5}"#)
    let r = wait([running]) { $0.staleAfter = 5 }
    #expect(r.outcome.exitCode == 8)
    #expect(r.outcome.error?.message?.contains("stalled") == true)
    #expect(r.clock.monotonic - r.start >= 5)
    #expect(r.clock.monotonic - r.start < 9)
  }

  @Test func staleAfterIsResetByProgress() {
    var script: [Result<HTTPResponse, TransportFailure>] = (0..<10).map {
      answer(200, #"{"status":"running","stage":"a","progress":0.\#($0)}"#)
    }
    script.append(completed)
    #expect(wait(script) { $0.staleAfter = 3 }.outcome.exitCode == 0)
  }

  @Test func hotcrpStalenessFollowsUpdateAt() {
    let same = answer(
      202, #"{"ok":true,"status":"run","update_at":100,"progress":"phase changes but update_at does not"}"#)
    #expect(wait([same], dialect: Dialects.hotcrp) { $0.staleAfter = 4 }.outcome.exitCode == 8)
    // Update times on the fake clock (1795382398 onwards): each poll shows a newer one.
    let moving = (0..<6).map { answer(202, #"{"ok":true,"status":"run","update_at":\#(1_795_382_398 + 2 * $0)}"#) }
    #expect(
      wait(moving + [answer(200, #"{"ok":true,"status":"done","exit_status":0}"#)], dialect: Dialects.hotcrp) {
        $0.staleAfter = 4
      }.outcome.exitCode == 0)
  }

  /// The update time is judged on the server's clock: an hour-old `update_at` ends at the first
  /// poll whatever the local clock says, and a fresh one does not, however skewed the clocks.
  @Test func anUpdateTimeIsJudgedOnTheServersClock() {
    // The fake wall clock reads 1795382398; the server's Date is a day earlier.
    let date = HTTPHeader("Date", "Sat, 21 Nov 2026 21:19:58 GMT")  // 1795295998
    let old = answer(202, #"{"ok":true,"status":"run","update_at":1795292398}"#, headers: [date])
    let r = wait([old], dialect: Dialects.hotcrp) { $0.staleAfter = 600 }
    #expect(r.outcome.exitCode == 8)
    #expect(r.transport.requests.count == 1, "ends at the first poll")
    #expect(r.outcome.error?.message?.contains("no change for 1h") == true, "\(String(describing: r.outcome.error))")
    let fresh = answer(202, #"{"ok":true,"status":"run","update_at":1795295990}"#, headers: [date])
    let done = answer(200, #"{"ok":true,"status":"done","exit_status":0}"#)
    #expect(wait([fresh, fresh, done], dialect: Dialects.hotcrp) { $0.staleAfter = 600 }.outcome.exitCode == 0)
  }

  /// A described shape's `updated-path` may hold an RFC 3339 time; it is judged on the server's
  /// clock as a UNIX time is.
  @Test func anRFC3339UpdateTimeIsJudgedOnTheServersClock() throws {
    let shape = try Dialect(
      ShapeDescription(
        name: "t",
        [
          .init("completed-when", ["state=DONE"]), .init("running-when", ["state=RUN"]),
          .init("updated-path", ["meta.updated"]),
        ]))
    // The fake wall clock reads 1795382398; the server's Date is a day earlier (1795295998).
    let date = HTTPHeader("Date", "Sat, 21 Nov 2026 21:19:58 GMT")
    // An hour before the server's Date, with an offset and a fraction.
    let old = answer(200, #"{"state":"RUN","meta":{"updated":"2026-11-21T21:19:57.750+01:00"}}"#, headers: [date])
    let r = wait([old], dialect: shape) { $0.staleAfter = 600 }
    #expect(r.outcome.exitCode == 8)
    #expect(r.transport.requests.count == 1, "ends at the first poll")
    #expect(r.outcome.error?.message?.contains("no change for 1h") == true, "\(String(describing: r.outcome.error))")
    // Eight seconds before the server's Date: fresh, though a day behind the local clock.
    let fresh = answer(200, #"{"state":"RUN","meta":{"updated":"2026-11-21T21:19:50Z"}}"#, headers: [date])
    let done = answer(200, #"{"state":"DONE"}"#)
    #expect(wait([fresh, fresh, done], dialect: shape) { $0.staleAfter = 600 }.outcome.exitCode == 0)
  }

  /// An answer byte for byte the same as the last is read as the last was, but only by a shape
  /// that reads nothing else: one that reads a header or the HTTP status judges the same body
  /// with another head anew.
  @Test func theSameBodyWithAnotherHeadIsJudgedAnew() throws {
    let byHeader = try Dialect(
      ShapeDescription(
        name: "h",
        [.init("completed-when", ["state=DONE & @header:X-Final=yes"]), .init("running-when", ["state=DONE,RUN"])]))
    #expect(!byHeader.readsBodyOnly)
    let body = #"{"state":"DONE"}"#
    let final = HTTPHeader("X-Final", "yes")
    // At most five polls: read as the first, the third would never end the wait.
    let r = wait([answer(200, body), answer(200, body), answer(200, body, headers: [final])], dialect: byHeader) {
      $0.maxAttempts = 5
    }
    #expect(r.outcome.exitCode == 0)
    #expect(r.transport.requests.count == 3)
    let byStatus = try Dialect(
      ShapeDescription(
        name: "s", [.init("completed-when", ["@http=200 & state=DONE"]), .init("running-when", ["@http=202"])]))
    #expect(!byStatus.readsBodyOnly)
    let s = wait([answer(202, body), answer(202, body), answer(200, body)], dialect: byStatus) { $0.maxAttempts = 5 }
    #expect(s.outcome.exitCode == 0)
    #expect(s.transport.requests.count == 3)
    // A shape of the body alone reads a repeated answer as before, to the same end.
    #expect(Dialects.simple.readsBodyOnly)
    let p = wait([pending, pending, pending, completed], dialect: Dialects.simple)
    #expect(p.outcome.exitCode == 0)
    #expect(p.outcome.snapshot?.decidedBy?.description == "completed: status=completed")
    #expect(p.events.filter { if case .state = $0 { true } else { false } }.count == 2, "one line per change")
  }

  /// A phase that moves is activity, even while `update_at` stays where it was.
  @Test func aMovingPhaseIsActivity() {
    // update_at is the fake wall clock's start (1795382398) and never moves; the phase does.
    let script = (0..<8).map {
      answer(202, #"{"ok":true,"status":"run","update_at":1795382398,"progress":"step \#($0)"}"#)
    }
    let r = wait(script + [answer(200, #"{"ok":true,"status":"done","exit_status":0}"#)], dialect: Dialects.hotcrp) {
      $0.staleAfter = 3
    }
    #expect(r.outcome.exitCode == 0, "\(String(describing: r.outcome.error))")
    #expect(r.transport.requests.count == 9)
    // Once the phase stops moving too, the job is stalled.
    let stuck = (0..<8).map { _ in
      answer(202, #"{"ok":true,"status":"run","update_at":1795382398,"progress":"step 1"}"#)
    }
    #expect(wait(script.prefix(2) + stuck, dialect: Dialects.hotcrp) { $0.staleAfter = 3 }.outcome.exitCode == 8)
  }

  /// Staleness is judged only from polls: a rate-limit pause longer than --stale-after is no stall.
  @Test func aLongRateLimitPauseIsNoStall() {
    let running = answer(200, #"{"status":"running","stage":"a","progress":0.5}"#)
    let limited = answer(429, "{}", headers: [HTTPHeader("Retry-After", "30")])
    let r = wait([running, limited, running, running, completed]) { $0.staleAfter = 5 }
    #expect(r.outcome.exitCode == 0, "\(String(describing: r.outcome.error))")
    #expect(r.transport.requests.count == 5)
  }

  /// A backoff longer than --stale-after is no stall either: only the polls' own pauses count.
  @Test func aLongBackoffIsNoStall() {
    let running = answer(200, #"{"status":"running","stage":"a","progress":0.5}"#)
    let r = wait([running, failure(), failure(), failure(), failure(), running, running, completed], random: 1) {
      $0.staleAfter = 5
      $0.maxInterval = 30
    }
    #expect(r.outcome.exitCode == 0, "\(String(describing: r.outcome.error))")
    #expect(r.transport.sleeps.contains { $0 > 5 }, "a backoff longer than --stale-after: \(r.transport.sleeps)")
  }

  @Test func slowDownGrowsTheIntervalByHalfWhileNothingChanges() {
    let stage = { (s: String) in answer(200, #"{"status":"running","stage":"\#(s)"}"#) }
    let r = wait([stage("a"), stage("a"), stage("a"), stage("a"), stage("a"), stage("b"), stage("b"), completed]) {
      $0.slowDown = true
      $0.maxInterval = 6
    }
    #expect(r.outcome.exitCode == 0)
    #expect(r.transport.sleeps == [2, 3, 4.5, 6, 6, 2, 3])
    let off = wait([stage("a"), stage("a"), stage("a"), completed])
    #expect(off.transport.sleeps == [2, 2, 2])
  }

  @Test func aSignalDuringTheSleepEndsTheWait() {
    let r = wait([pending], signalOnSleep: (1, 2))
    #expect(r.outcome.exitCode == 130)
    let term = wait([pending], signalOnSleep: (2, 15))
    #expect(term.outcome.exitCode == 143)
    #expect(term.transport.requests.count == 2)
  }

  @Test func aSignalDuringARequestEndsTheWait() {
    let r = wait([.failure(TransportFailure(.interrupted(signal: 2))), completed])
    #expect(r.outcome.exitCode == 130)
    #expect(r.transport.requests.count == 1)
  }

  @Test func stateEventsComeOnlyOnChange() {
    let r = wait([pending, pending, answer(200, #"{"status":"running","stage":"b","progress":0.5}"#), completed])
    let states = r.events.compactMap { event -> JobState? in
      if case .state(let s, _) = event { return s.state }
      return nil
    }
    #expect(states == [.pending, .running, .completed])
  }

  @Test func autoRedetectsWhenALaterAnswerNeedsAnotherShape() {
    let r = wait([
      answer(200, #"{"jobId":"s","status":"pending"}"#),
      answer(200, #"{"jobId":"s","status":"running","stage":"x","progress":0.2}"#),
      answer(200, #"{"jobId":"s","status":"canceled","stage":"x","progress":0.2}"#),
    ])
    #expect(r.outcome.exitCode == 3)
    #expect(r.outcome.dialect?.name == "staged")
  }

  /// `status` (docs/behaviour.md "Starting, cancelling, listing, fetching output"): a running job
  /// is an answer, but trouble and rate limits are ridden out as a wait rides them out.
  @Test func oneShotReportsRunningJobsAndRidesOutTrouble() {
    func once(_ script: [Result<HTTPResponse, TransportFailure>]) -> EngineRun {
      wait(script) {
        $0.oneShot = true
        $0.maxErrors = 3
        $0.timeout = 60
      }
    }
    #expect(once([pending]).outcome.exitCode == 9)
    #expect(once([completed]).outcome.exitCode == 0)
    let blip = once([failure(), completed])
    #expect(blip.outcome.exitCode == 0)
    #expect(blip.transport.requests.count == 2)
    #expect(once([failure()]).outcome.exitCode == 7, "within --max-errors")
    let limited = once([answer(429, "{}", headers: [HTTPHeader("Retry-After", "54")]), pending])
    #expect(limited.outcome.exitCode == 9)
    #expect(limited.transport.sleeps == [54])
    let busy = once([answer(503, "{}", headers: [HTTPHeader("Retry-After", "3")]), completed])
    #expect(busy.outcome.exitCode == 0)
    #expect(once([answer(429, "{}", headers: [HTTPHeader("Retry-After", "90")])]).outcome.exitCode == 124)
    #expect(once([answer(200, "nope")]).outcome.exitCode == 6)
  }

  @Test func theLastDocumentIsKeptVerbatim() {
    let body = #"{"jobId":"j1",  "status":"completed", "n": 1.0}"#
    let r = wait([answer(200, body)])
    #expect(r.outcome.body == Array(body.utf8))
  }
}
