import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// Many jobs on one scheduler, in fake time.
@Suite struct SchedulerTests {
  private let pending = answer(200, #"{"status":"pending"}"#)
  private let completed = answer(200, #"{"status":"completed"}"#)
  private let failed = answer(200, #"{"status":"failed","error":"x"}"#)

  private func run(
    _ scripts: [String: [Result<HTTPResponse, TransportFailure>]], jobs: [String], mode: Scheduler.Mode = .all,
    maxPerHost: Int = 4, signalAt: Double? = nil, policies: [PollPolicy]? = nil,
    policy configure: (inout PollPolicy) -> Void = { _ in }
  ) -> (outcomes: [WaitOutcome?], transport: FakeTransport, clock: FakeClock, start: Double) {
    let clock = FakeClock()
    let start = clock.monotonic
    let transport = FakeTransport(clock: clock, scripts: scripts)
    transport.latency = 0.05
    transport.signalAt = signalAt.map { start + $0 }
    var policy = PollPolicy()
    configure(&policy)
    var watches = jobs.enumerated().map { i, url in
      JobWatch(label: url, request: HTTPRequest(url: url), dialect: nil, policy: policies?[i] ?? policy)
    }
    let scheduler = Scheduler(
      transport: transport, clock: clock, random: FixedRandom(), requestTimeout: 30, maxPerHost: maxPerHost)
    let results = scheduler.run(&watches, mode: mode, report: { _, _ in })
    let outcomes = zip(results, watches).map { result, watch in result.map { WaitOutcome(error: $0, watch: watch) } }
    return (outcomes, transport, clock, start)
  }

  @Test func eachJobKeepsItsOwnSchedule() {
    let r = run(
      ["http://h/a": [pending, completed], "http://h/b": [pending, pending, pending, failed]],
      jobs: ["http://h/a", "http://h/b"])
    #expect(r.outcomes.map { $0?.exitCode } == [0, 1])
    #expect(r.transport.log.filter { $0.url == "http://h/a" }.count == 2)
    #expect(r.transport.log.filter { $0.url == "http://h/b" }.count == 4)
    // Both first polls at once, then one interval (2 s) apart per job.
    let b = r.transport.log.filter { $0.url == "http://h/b" }.map { $0.time - r.start }
    #expect(b.first == 0)
    #expect(abs(b[1] - 2.05) < 0.001)
  }

  @Test func requestsToOneHostAreCapped() {
    let jobs = (1...20).map { "http://h/\($0)" }
    let r = run(Dictionary(uniqueKeysWithValues: jobs.map { ($0, [completed]) }), jobs: jobs, maxPerHost: 3)
    #expect(r.outcomes.allSatisfy { $0?.exitCode == 0 })
    #expect(r.transport.maxInFlight == 3)
  }

  @Test func aRetryAfterHoldsBackEveryJobOnThatHost() {
    let limited = answer(429, "{}", headers: [HTTPHeader("Retry-After", "10")])
    let r = run(
      [
        "http://h/a": [limited, completed], "http://h/b": [pending, completed], "http://other/c": [pending, completed],
      ],
      jobs: ["http://h/a", "http://h/b", "http://other/c"])
    #expect(r.outcomes.map { $0?.exitCode } == [0, 0, 0])
    let secondB = r.transport.log.filter { $0.url == "http://h/b" }[1].time - r.start
    let secondC = r.transport.log.filter { $0.url == "http://other/c" }[1].time - r.start
    #expect(secondB >= 10, "b waits for the host's Retry-After")
    #expect(secondC < 3, "another host is not held back")
  }

  @Test func anyEndsAtTheFirstJobToFinish() {
    let r = run(
      ["http://h/a": [pending], "http://h/b": [pending, failed]], jobs: ["http://h/a", "http://h/b"], mode: .any)
    #expect(r.outcomes[0] == nil)
    #expect(r.outcomes[1]?.exitCode == 1)
  }

  @Test func theDeadlineEndsEveryUnfinishedJob() {
    let r = run(["http://h/a": [pending], "http://h/b": [completed]], jobs: ["http://h/a", "http://h/b"]) {
      $0.timeout = 5
    }
    #expect(r.outcomes.map { $0?.exitCode } == [124, 0])
    #expect(abs(r.clock.monotonic - (r.start + 5)) < 0.01)
  }

  @Test func aSignalEndsEverything() {
    let r = run(["http://h/a": [pending], "http://h/b": [pending]], jobs: ["http://h/a", "http://h/b"], signalAt: 3)
    #expect(r.outcomes.map { $0?.exitCode } == [130, 130])
  }

  /// Each job keeps its own deadline: the one with a short --timeout ends at it, the other goes on.
  @Test func eachJobHasItsOwnDeadline() {
    var patient = PollPolicy()
    patient.timeout = nil
    var hasty = PollPolicy()
    hasty.timeout = 5
    let r = run(
      ["http://h/a": [pending, pending, pending, pending, completed], "http://h/b": [pending]],
      jobs: ["http://h/a", "http://h/b"], policies: [patient, hasty])
    #expect(r.outcomes.map { $0?.exitCode } == [0, 124])
    let bPolls = r.transport.log.filter { $0.url == "http://h/b" }.map { $0.time - r.start }
    #expect(bPolls.allSatisfy { $0 < 5 })
    #expect(r.clock.monotonic - r.start > 8, "a is polled to its end, past b's deadline")
  }

  @Test func tenThousandJobsArePolledTwiceEach() {
    let jobs = (0..<10_000).map { "http://h/\($0)" }
    var served: [String: Int] = [:]
    let clock = FakeClock()
    let transport = FakeTransport(clock: clock) { request, _ in
      served[request.url, default: 0] += 1
      return served[request.url] == 1 ? answer(200, #"{"status":"pending"}"#) : answer(200, #"{"status":"completed"}"#)
    }
    var watches = jobs.map { JobWatch(label: $0, request: HTTPRequest(url: $0), dialect: nil, policy: PollPolicy()) }
    let scheduler = Scheduler(
      transport: transport, clock: clock, random: FixedRandom(), requestTimeout: 30, maxPerHost: 64)
    var order: [Int] = []
    let results = scheduler.run(&watches, report: { _, _ in }, finished: { i, _, _ in order.append(i) })
    #expect(results.allSatisfy { $0 == .some(nil) })
    #expect(transport.requests.count == 20_000)
    #expect(order.count == 10_000)
    #expect(transport.maxInFlight == 64)
  }

  /// A run after another on the same scheduler (the cancels after a signal) starts afresh.
  @Test func aSecondRunOnTheSameSchedulerIsIndependent() {
    let clock = FakeClock()
    let transport = FakeTransport(
      clock: clock, scripts: ["http://h/a": [pending], "http://h/a/cancel": [answer(202, "{}")]])
    transport.signalAt = clock.monotonic + 3
    let scheduler = Scheduler(
      transport: transport, clock: clock, random: FixedRandom(), requestTimeout: 30, maxPerHost: 1)
    var watches = [JobWatch(label: "a", request: HTTPRequest(url: "http://h/a"), dialect: nil, policy: PollPolicy())]
    #expect(scheduler.run(&watches, report: { _, _ in }) == [.some(.interrupted(signal: 2))])
    var cancels = [
      RequestWatch(request: HTTPRequest(method: "POST", url: "http://h/a/cancel"), subject: "a", policy: PollPolicy())
    ]
    #expect(scheduler.run(&cancels, report: { _, _ in }) == [.some(nil)])
    #expect(cancels[0].response?.status == 202)
  }
}

/// `wait JOB...` in process: the many-jobs path, its live line and its cancels, in fake time.
@Suite struct ManyJobsInProcessTests {
  private func run(
    _ args: [String], scripts: [String: [Result<HTTPResponse, TransportFailure>]], signalAt: Double? = nil,
    terminal: Bool = false
  ) -> (code: Int32, stdout: String, stderr: String, transport: FakeTransport, clock: FakeClock) {
    let clock = FakeClock()
    let transport = FakeTransport(clock: clock, scripts: scripts)
    transport.signalAt = signalAt.map { clock.monotonic + $0 }
    let out = BufferSink()
    let err = BufferSink(isTerminal: terminal)
    let services = fakeServices(transport: transport, clock: clock, stdout: out, stderr: err)
    let code = Jobctl.run(args, environment: ["JOBCTL_BASE_URL": "http://api.test", "LANG": "C"], services: services)
    return (code, out.text, err.text, transport, clock)
  }

  private let pending = answer(200, #"{"status":"pending"}"#)
  private let completed = answer(200, #"{"status":"completed"}"#)

  @Test func theAggregateLiveLineCountsTheJobs() {
    let r = run(
      ["wait", "a", "b", "c", "--progress", "tty"],
      scripts: [
        "http://api.test/jobs/a": [completed], "http://api.test/jobs/b": [pending, completed],
        "http://api.test/jobs/c": [pending, pending, answer(200, #"{"status":"failed","error":"x"}"#)],
      ], terminal: true)
    #expect(r.code == 1)
    #expect(r.stderr.contains("1/3 ended - 2 pending"), "\(r.stderr)")
    #expect(r.stderr.contains("2/3 ended - 1 pending"), "\(r.stderr)")
    #expect(r.stderr.contains("3/3 ended - 1 failed"), "\(r.stderr)")
    #expect(r.stdout.contains("c    failed     1"))
  }

  /// Every cancel goes out at once after the signal, not one after the other.
  @Test func cancelsOnInterruptGoOutTogether() {
    var scripts: [String: [Result<HTTPResponse, TransportFailure>]] = [:]
    let ids = (1...8).map { "j\($0)" }
    for id in ids {
      scripts["http://api.test/jobs/\(id)"] = [pending]
      scripts["http://api.test/jobs/\(id)/cancel"] = [answer(202, #"{"accepted":true}"#)]
    }
    let r = run(
      ["wait"] + ids + ["--cancel-on-interrupt", "--progress", "none", "--max-connections", "8"], scripts: scripts,
      signalAt: 3)
    #expect(r.code == 130)
    let cancels = r.transport.log.filter { $0.url.hasSuffix("/cancel") }
    #expect(cancels.count == 8)
    #expect(Set(cancels.map(\.time)).count == 1, "all sent in the same instant: \(cancels.map(\.time))")
    #expect(r.stderr.components(separatedBy: "accepted").count == 9)
  }

  /// A cancel that does not answer within the grace period is given up, the wait ends 130.
  @Test func cancelsEndWithinTheGracePeriod() {
    let clock = FakeClock()
    var cancelsSent = 0
    let transport = FakeTransport(clock: clock) { request, _ in
      if request.url.hasSuffix("/cancel") {
        cancelsSent += 1
        return .failure(TransportFailure(.timedOut, detail: "timed out"))
      }
      return answer(200, #"{"status":"pending"}"#)
    }
    let r = waitOnTwoAndInterrupt(transport, clock: clock)
    #expect(r.code == 130)
    #expect(cancelsSent >= 2)
    #expect(r.took <= 3 + 5 + 0.1, "within one grace period of the signal")
    #expect(r.stderr.contains("cancel of job a failed"))
  }
}

/// `wait a b --cancel-on-interrupt` in process, with SIGINT 3 s in: its exit code, stderr, and
/// how long it took in fake time.
private func waitOnTwoAndInterrupt(_ transport: FakeTransport, clock: FakeClock) -> (
  code: Int32, stderr: String, took: Double
) {
  transport.signalAt = clock.monotonic + 3
  let err = BufferSink()
  let services = fakeServices(transport: transport, clock: clock, stderr: err)
  let started = clock.monotonic
  let code = Jobctl.run(
    ["wait", "a", "b", "--cancel-on-interrupt", "--progress", "none"],
    environment: ["JOBCTL_BASE_URL": "http://api.test"], services: services)
  return (code, err.text, clock.monotonic - started)
}

extension ManyJobsInProcessTests {
  /// A second signal while the cancels are out ends them at once, not at the grace period's end.
  @Test func aSecondSignalEndsTheCancelsAtOnce() {
    final class Box { weak var transport: FakeTransport? }
    let box = Box()
    let clock = FakeClock()
    let transport = FakeTransport(clock: clock) { request, now in
      guard request.url.hasSuffix("/cancel") else { return answer(200, #"{"status":"pending"}"#) }
      // The second signal comes half a second into the cancels, which take 2 s to answer.
      box.transport?.signalAt = now + 0.5
      return answer(202, #"{"accepted":true}"#)
    }
    box.transport = transport
    transport.latency = 2
    let r = waitOnTwoAndInterrupt(transport, clock: clock)
    #expect(r.code == 130)
    #expect(transport.requests.filter { $0.url.hasSuffix("/cancel") }.count == 2, "both cancels went out")
    #expect(abs(r.took - 3.5) < 0.01, "ended at the second signal")
    #expect(!r.stderr.contains("accepted"), "\(r.stderr)")
  }

  /// `status` rides out a 503 with Retry-After as it rides out a 429.
  @Test func statusRidesOutAn503WithRetryAfter() {
    let busy = answer(503, #"{"error":"busy"}"#, headers: [HTTPHeader("Retry-After", "5")])
    let r = runJobctl(
      ["status", "j1", "--max-errors", "1"], script: [busy, busy, answer(200, #"{"status":"failed"}"#)])
    #expect(r.code == 1, "\(r.stderr)")
    #expect(r.transport.requests.count == 3)
    let times = r.transport.requestTimes
    #expect(zip(times.dropFirst(), times).allSatisfy { $0 - $1 >= 5 }, "\(times)")
  }
}

/// `status` rides out rate limits within --max-errors and a --timeout of 60 s by default.
@Suite struct StatusCommandTests {
  @Test func aRateLimitIsNotAnAnswer() {
    let limited = answer(429, #"{"message":"slow down"}"#, headers: [HTTPHeader("Retry-After", "54")])
    let r = runJobctl(["status", "j1"], script: [limited, answer(200, #"{"status":"running"}"#)])
    #expect(r.code == 9, "\(r.stderr)")
    #expect(r.transport.requests.count == 2)
    #expect(abs(r.transport.sleeps.reduce(0, +) - 54) < 0.001)
  }

  @Test func theDefaultTimeoutIsAMinute() {
    let limited = answer(429, "{}", headers: [HTTPHeader("Retry-After", "61")])
    let r = runJobctl(["status", "j1"], script: [limited])
    #expect(r.code == 124)
    guard case .timedOut(.naming(.retryAfterPastDeadline(61, false, _, "--timeout 1m", _), _))? = r.error else {
      Issue.record("not a Retry-After past the default --timeout: \(r.errors)")
      return
    }
    #expect(r.transport.requests.count == 1)
    let longer = runJobctl(
      ["status", "j1", "--timeout", "2m"], script: [limited, answer(200, #"{"status":"completed"}"#)])
    #expect(longer.code == 0)
  }

  @Test func maxErrorsStillEndsIt() {
    let r = runJobctl(["status", "j1", "--max-errors", "2"], script: [answer(502, "bad gateway")])
    #expect(r.code == 7)
    #expect(r.transport.requests.count == 2)
  }
}
