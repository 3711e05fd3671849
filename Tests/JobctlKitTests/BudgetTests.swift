import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// Request budgets (docs/behaviour.md "How `wait` behaves"): the fields, the policy, and many jobs
/// under a fake server's budget, all in fake time.
@Suite struct BudgetTests {
  private func read(_ headers: [(String, String)], wall: Double = 1_795_382_398) -> BudgetAnnouncement? {
    BudgetAnnouncement.read(headers.map { HTTPHeader($0.0, $0.1) }, wall: wall)
  }

  /// Only names that may announce a budget are searched (every answer is read); the rest are
  /// passed over, and a budget among other headers is still found.
  @Test(arguments: [
    ("RateLimit", true), ("ratelimit-policy", true), ("X-RateLimit-Remaining", true),
    ("x-ratelimit-reset-requests", true), ("Date", false), ("X-Rate", false), ("XRateLimit", false),
    ("rateli", false), ("Content-Type", false), ("", false), ("X-", false), ("RATELIMIT", true),
  ])
  func namesThatMayAnnounceABudget(_ name: String, _ may: Bool) {
    #expect(BudgetAnnouncement.mayAnnounce(name) == may)
  }

  @Test func aBudgetAmongOtherHeadersIsFoundAndNoneWithoutOne() {
    #expect(read([("Content-Type", "application/json"), ("Date", "Mon, 01 Jan 2024 00:00:00 GMT")]) == nil)
    #expect(
      read([("Content-Type", "application/json"), ("X-RateLimit-Remaining", "4"), ("X-RateLimit-Reset", "20")])
        == BudgetAnnouncement(remaining: 4, reset: 20))
  }

  @Test func theDraftsStructuredFields() {
    #expect(read([("RateLimit", #""default";r=50;t=30"#)]) == BudgetAnnouncement(remaining: 50, reset: 30))
    // Of several policies, the one with the least left holds, across field lines too.
    #expect(
      read([("RateLimit", #""minute";r=5;t=10, "hour";r=2;t=600"#), ("ratelimit", #""day";r=40;t=9000"#)])
        == BudgetAnnouncement(remaining: 2, reset: 600))
    // Only request quotas count: a policy in bytes is no request budget.
    #expect(
      read([
        ("RateLimit", #""bytes";r=0;t=5, "default";r=9;t=30"#),
        ("RateLimit-Policy", #""bytes";q=1000;w=60;qu="content-bytes", "default";q=100;w=60"#),
      ]) == BudgetAnnouncement(remaining: 9, reset: 30))
    // The older dictionary form.
    #expect(read([("RateLimit", "limit=100, remaining=7, reset=12")]) == BudgetAnnouncement(remaining: 7, reset: 12))
    #expect(read([("RateLimit", "garbage;;=,")]) == nil)
  }

  @Test func rateLimitWinsOverTheXFields() {
    let both = [
      ("X-RateLimit-Remaining", "1"), ("X-RateLimit-Reset", "5"), ("RateLimit", #""default";r=40;t=20"#),
    ]
    #expect(read(both) == BudgetAnnouncement(remaining: 40, reset: 20))
  }

  @Test func anEpochResetIsJudgedOnTheServersClock() {
    // Date is 1795382428; the reset a minute after it, whatever the local clock says.
    let headers = [
      ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "1795382488"), ("Date", "Sun, 22 Nov 2026 21:20:28 GMT"),
    ]
    #expect(read(headers, wall: 1_795_000_000) == BudgetAnnouncement(remaining: 0, reset: 60))
    // Without a Date, the local clock.
    #expect(
      read([("X-RateLimit-Remaining", "3"), ("X-RateLimit-Reset", "1795382488")], wall: 1_795_382_478)
        == BudgetAnnouncement(remaining: 3, reset: 10))
    // A small reset is seconds from now.
    #expect(
      read([("x-ratelimit-remaining", "3"), ("x-ratelimit-reset", "42")]) == BudgetAnnouncement(remaining: 3, reset: 42)
    )
    // Never more than an hour.
    #expect(read([("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "99999")])?.reset == 3600)
  }

  @Test func openAIsDurations() {
    func reset(_ text: String) -> Double? {
      read([("x-ratelimit-remaining-requests", "4"), ("x-ratelimit-reset-requests", text)])?.reset
    }
    #expect(reset("6s") == 6)
    #expect(reset("1m30s") == 90)
    #expect(reset("12ms") == 0.012)
    #expect(reset("soon") == nil)
  }

  @Test func thePaceSpreadsWhatIsLeftOverTheTimeToTheReset() {
    var budget = RequestBudget()
    #expect(budget.nextAllowed == 0, "no budget announced: no gate")
    #expect(budget.absorb(BudgetAnnouncement(remaining: 10, reset: 20), now: 100) == nil)
    budget.sent(at: 100)
    #expect(abs(budget.nextAllowed - (100 + 20.0 / 9)) < 1e-9)
    // Spent: nothing until the reset, and the pause is announced once.
    let pause = budget.absorb(BudgetAnnouncement(remaining: 0, reset: 30), now: 101)
    #expect(pause?.delay == 30)
    #expect(budget.nextAllowed == 131)
    #expect(budget.absorb(BudgetAnnouncement(remaining: 0, reset: 29.5), now: 101.5) == nil)
    // After the reset the old window says nothing.
    budget.sent(at: 131)
    #expect(budget.nextAllowed == 0)
  }

  /// Whole-second `t` values tell one window's reset up to a second apart: the pace spreads what
  /// is left over the earliest, and a spent budget waits for the latest.
  @Test func thePaceTakesTheEarliestResetAndASpentBudgetTheLatest() {
    var budget = RequestBudget()
    _ = budget.absorb(BudgetAnnouncement(remaining: 10, reset: 20), now: 100)
    _ = budget.absorb(BudgetAnnouncement(remaining: 9, reset: 20), now: 100.5)
    #expect(budget.paceUntil == 120)
    #expect(budget.resetAt == 120.5)
    budget.sent(at: 100.5)
    #expect(abs(budget.nextAllowed - (100.5 + 19.5 / 8)) < 1e-9)
    _ = budget.absorb(BudgetAnnouncement(remaining: 0, reset: 20), now: 101)
    #expect(budget.nextAllowed == 121, "spent: nothing before the latest reset told")
  }

  /// An earliest reset that passed while the window goes on (an answer of the next window taken
  /// for this one, a second on) no longer paces: what is left is spread up to the latest, not
  /// sent back to back.
  @Test func anEarliestResetThatPassedGivesWayToTheLatest() {
    var budget = RequestBudget()
    _ = budget.absorb(BudgetAnnouncement(remaining: 9, reset: 1), now: 100.2)
    _ = budget.absorb(BudgetAnnouncement(remaining: 9, reset: 1), now: 101.05)
    #expect(budget.resetAt == 102.05)
    #expect(budget.paceUntil == 101.2, "not passed yet")
    budget.sent(at: 101.3)
    #expect(abs(budget.nextAllowed - (101.3 + 0.75 / 8)) < 1e-9, "spread up to the latest reset")
    _ = budget.absorb(BudgetAnnouncement(remaining: 7, reset: 1), now: 101.4)
    #expect(budget.paceUntil == 102.4, "an answer after the earliest reset starts it again")
  }

  /// Answers to requests sent together arrive in any order: within one window an older answer
  /// saying more is left does not undo a newer one; the next window's first answer does.
  @Test func withinAWindowWhatIsLeftOnlyGoesDown() {
    var budget = RequestBudget()
    _ = budget.absorb(BudgetAnnouncement(remaining: 0, reset: 2), now: 100)
    #expect(budget.absorb(BudgetAnnouncement(remaining: 2, reset: 2), now: 100.01) == nil)
    #expect(budget.remaining == 0)
    #expect(budget.nextAllowed == 102.01, "nothing before the reset")
    // The next window, two seconds on.
    _ = budget.absorb(BudgetAnnouncement(remaining: 2, reset: 2), now: 102.5)
    #expect(budget.remaining == 2)
  }

  /// GitHub's primary rate limit: a 403 saying the budget is spent is waited out, not exit 4.
  @Test func aForbiddenThatSaysTheBudgetIsSpentIsARateLimit() {
    let clock = FakeClock()
    let spent = answer(
      403, #"{"message":"API rate limit exceeded"}"#,
      headers: [HTTPHeader("X-RateLimit-Remaining", "0"), HTTPHeader("X-RateLimit-Reset", "\(Int(clock.wall) + 10)")])
    let transport = FakeTransport(clock: clock, [spent, answer(200, #"{"status":"completed"}"#)])
    let scheduler = Scheduler(
      transport: transport, clock: clock, random: FixedRandom(), requestTimeout: 30, maxPerHost: 4)
    var watch = JobWatch(label: "j", request: HTTPRequest(url: "http://h/j"), dialect: nil, policy: PollPolicy())
    var events: [PollEvent] = []
    let outcome = scheduler.wait(&watch) { events.append($0) }
    #expect(outcome.exitCode == 0)
    #expect(transport.requests.count == 2)
    #expect(transport.requestTimes[1] - transport.requestTimes[0] >= 9.9)
    #expect(events.contains { if case .rateLimited = $0 { true } else { false } })
    let forbidden = Verdict.of(HTTPResponse(status: 403), subject: "j", retryAfter: nil)
    #expect(forbidden == .end(.authRefused(.credentialsRefused(answer: "HTTP 403 Forbidden"))))
  }

  /// GitHub's secondary rate limit: a 403 with `Retry-After` is waited out too.
  @Test func aForbiddenWithRetryAfterIsARateLimit() {
    let clock = FakeClock()
    let slowDown = answer(
      403, #"{"message":"You have exceeded a secondary rate limit"}"#, headers: [HTTPHeader("Retry-After", "20")])
    let transport = FakeTransport(clock: clock, [slowDown, answer(200, #"{"status":"completed"}"#)])
    let scheduler = Scheduler(
      transport: transport, clock: clock, random: FixedRandom(), requestTimeout: 30, maxPerHost: 4)
    var watch = JobWatch(label: "j", request: HTTPRequest(url: "http://h/j"), dialect: nil, policy: PollPolicy())
    #expect(scheduler.wait(&watch) { _ in }.exitCode == 0)
    #expect(transport.requests.count == 2)
    #expect(transport.requestTimes[1] - transport.requestTimes[0] >= 20)
  }

  /// What a run of `jobs` jobs (three polls each, `--interval 1s`) did against a fake server
  /// allowing `quota` requests a `window`, announcing what is left on every answer and answering
  /// 429 beyond it.
  private struct BudgetRun {
    var results: [JobctlError??]
    var requests: Int
    var tooMany: Int
    var total: Double
    var pauses: [String]
  }

  private func underBudget(quota: Int, window: Double, jobs: Int, maxPerHost: Int = 4) -> BudgetRun {
    let clock = FakeClock()
    var windowStart = -Double.infinity
    var used = 0
    var tooMany = 0
    var polls: [String: Int] = [:]
    let transport = FakeTransport(clock: clock) { request, now in
      if now >= windowStart + window {
        windowStart = now
        used = 0
      }
      used += 1
      let left = max(0, quota - used)
      let t = Int((windowStart + window - now).rounded(.up))
      let fields = [HTTPHeader("RateLimit", #""default";r=\#(left);t=\#(t)"#)]
      guard used <= quota else {
        tooMany += 1
        return answer(429, "{}", headers: fields + [HTTPHeader("Retry-After", "\(t)")])
      }
      polls[request.url, default: 0] += 1
      let status = polls[request.url, default: 0] >= 3 ? "completed" : "pending"
      return answer(200, #"{"status":"\#(status)"}"#, headers: fields)
    }
    var policy = PollPolicy()
    policy.interval = 1
    var watches = (0..<jobs).map {
      JobWatch(label: "j\($0)", request: HTTPRequest(url: "http://h/j\($0)"), dialect: nil, policy: policy)
    }
    let scheduler = Scheduler(
      transport: transport, clock: clock, random: FixedRandom(), requestTimeout: 30, maxPerHost: maxPerHost)
    let start = clock.monotonic
    var pauses: [String] = []
    let results = scheduler.run(&watches) { _, event in
      if case .rateLimited(let reason, _) = event { pauses.append(reason) }
    }
    return BudgetRun(
      results: results, requests: transport.requests.count, tooMany: tooMany, total: clock.monotonic - start,
      pauses: pauses)
  }

  /// 20 jobs of three polls each under 30 requests a 30 s window.
  @Test func manyJobsKeepTheServersBudget() {
    let r = underBudget(quota: 30, window: 30, jobs: 20)
    #expect(r.results.allSatisfy { $0 == .some(nil) })
    #expect(r.tooMany == 0, "no 429 earned")
    #expect(r.requests == 60)
    // 60 requests at 30 a 30 s: the budget allows them in just over 30 s; at its pace (one every
    // t / r seconds) they take about twice the window. Within 20 % of that.
    #expect(r.total >= 30)
    #expect(r.total <= 60 * 1.2, "took \(r.total) s")
  }

  /// A server that rounds `t` up, as most do: at its pace the run takes what the budget allows
  /// (60 requests at 20 a 5 s window, the first at once: 14.75 s), within the 20 %
  /// docs/performance.md sets as the budget run's target, and earns no 429 past the first
  /// window's burst before anything was announced.
  @Test func aPacedRunTakesWhatTheBudgetAllows() {
    let r = underBudget(quota: 20, window: 5, jobs: 20, maxPerHost: 1)
    #expect(r.results.allSatisfy { $0 == .some(nil) })
    #expect(r.tooMany == 0)
    #expect(r.requests == 60)
    let bound = 59.0 / (20.0 / 5)
    #expect(r.total >= bound * 0.95, "took \(r.total) s")
    #expect(r.total <= bound * 1.2, "took \(r.total) s against \(bound) s")
  }

  /// A window smaller than the connection cap: after its reset nothing is known of the next one,
  /// so one request goes first and the rest wait for what its answer announces.
  @Test func aNewWindowIsNotOverrunBeforeItIsAnnounced() {
    let r = underBudget(quota: 2, window: 5, jobs: 6, maxPerHost: 4)
    #expect(r.results.allSatisfy { $0 == .some(nil) })
    // Only the first four requests, sent before anything was announced, overran it.
    #expect(r.tooMany == 2, "429s earned after the first window")
    #expect(r.requests == 18 + 2)
  }

  /// A pace that holds polls back well past their interval is told once a slowdown, not at
  /// every poll; a budget that holds nothing back is not told at all.
  @Test func aPacingPauseIsAnnouncedOncePerSlowdown() {
    let r = underBudget(quota: 30, window: 30, jobs: 20)
    let pacing = r.pauses.filter { $0.hasPrefix("keeping the server's request budget: ") }
    #expect(!pacing.isEmpty)
    // A slowdown at most per window (the first is free of it, the budget not yet known).
    #expect(pacing.count <= Int(r.total / 30) + 1, "\(r.pauses)")
    #expect(pacing.first?.hasSuffix(" left for 30s") == true, "\(pacing)")
    let roomy = underBudget(quota: 1000, window: 30, jobs: 20)
    #expect(roomy.pauses.isEmpty, "\(roomy.pauses)")
    #expect(roomy.tooMany == 0)
  }
}
