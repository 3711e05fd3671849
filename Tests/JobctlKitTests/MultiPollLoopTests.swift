import Testing

@testable import JobctlKit

/// Runs requests "concurrently" in fake time: each takes `latency`, answers come from a script
/// per URL (the last entry repeats).
final class FakeConcurrentTransport: ConcurrentTransport {
  let clock: FakeClock
  var scripts: [String: [Result<HTTPResponse, TransportFailure>]]
  var latency = 0.05
  var signalAt: Double?
  private var served: [String: Int] = [:]
  private var pending: [(id: Int, at: Double, result: Result<HTTPResponse, TransportFailure>, url: String)] = []
  private(set) var log: [(url: String, time: Double)] = []
  private(set) var maxInFlight = 0

  init(clock: FakeClock, _ scripts: [String: [Result<HTTPResponse, TransportFailure>]]) {
    self.clock = clock
    self.scripts = scripts
  }

  func start(_ request: HTTPRequest, id: Int) {
    log.append((request.url, clock.monotonic))
    let n = served[request.url, default: 0]
    served[request.url] = n + 1
    let script = scripts[request.url] ?? [answer(404, "{}")]
    pending.append((id, clock.monotonic + latency, script[min(n, script.count - 1)], request.url))
    maxInFlight = max(maxInFlight, pending.count)
  }

  func poll(timeout: Double) -> (results: [(id: Int, result: Result<HTTPResponse, TransportFailure>)], signal: Int32?) {
    let limit = clock.monotonic + timeout
    if let signalAt, signalAt <= limit {
      clock.advance(max(0, signalAt - clock.monotonic))
      return ([], 2)
    }
    guard let first = pending.map(\.at).min(), first <= limit else {
      clock.advance(timeout)
      return ([], nil)
    }
    clock.advance(max(0, first - clock.monotonic))
    let done = pending.filter { $0.at <= first }
    pending.removeAll { $0.at <= first }
    return (done.map { ($0.id, $0.result) }, nil)
  }
}

@Suite struct MultiPollLoopTests {
  private let pending = answer(200, #"{"status":"pending"}"#)
  private let completed = answer(200, #"{"status":"completed"}"#)
  private let failed = answer(200, #"{"status":"failed","error":"x"}"#)

  private func run(
    _ scripts: [String: [Result<HTTPResponse, TransportFailure>]], jobs: [String], mode: MultiPollLoop.Mode = .all,
    maxPerHost: Int = 4, signalAt: Double? = nil, policy configure: (inout PollPolicy) -> Void = { _ in }
  ) -> (outcomes: [WaitOutcome?], transport: FakeConcurrentTransport, clock: FakeClock, start: Double) {
    let clock = FakeClock()
    let start = clock.monotonic
    let transport = FakeConcurrentTransport(clock: clock, scripts)
    transport.signalAt = signalAt.map { start + $0 }
    var policy = PollPolicy()
    configure(&policy)
    let watches = jobs.map { JobWatch(label: $0, request: HTTPRequest(url: $0), dialect: nil, policy: policy) }
    let loop = MultiPollLoop(
      transport: transport, clock: clock, random: FixedRandom(), requestTimeout: 30, maxPerHost: maxPerHost)
    let outcomes = loop.run(watches, mode: mode, report: { _, _ in })
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
}

extension WaitOutcome {
  var isEmpty: Bool { body == nil }
}
