import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// `cancel --wait` as an engine stepper, in fake time: the cancel is sent again before each poll
/// while the stage refuses it, and once accepted only the job is polled, to its end.
@Suite struct CancelAndWaitTests {
  static let pollURL = "http://api.test/jobs/j1"
  static let cancelURL = "http://api.test/jobs/j1/cancel"

  struct Run {
    let error: JobctlError?
    let transport: FakeTransport
    let watch: CancelAndWait
  }

  static func run(
    poll: [Result<HTTPResponse, TransportFailure>], cancel: [Result<HTTPResponse, TransportFailure>],
    policy configure: (inout PollPolicy) -> Void = { _ in }
  ) -> Run {
    let clock = FakeClock()
    let transport = FakeTransport(clock: clock, scripts: [pollURL: poll, cancelURL: cancel])
    var policy = PollPolicy()
    configure(&policy)
    var watch = CancelAndWait(
      job: "j1", poll: HTTPRequest(url: pollURL), cancel: HTTPRequest(method: "POST", url: cancelURL),
      dialect: nil, shape: Dialects.simple, policy: policy)
    let scheduler = Scheduler(
      transport: transport, clock: clock, random: FixedRandom(0.5), requestTimeout: 30, maxPerHost: 4)
    let error = scheduler.run(&watch) { _ in }
    return Run(error: error, transport: transport, watch: watch)
  }

  static let running = answer(200, #"{"jobId":"j1","status":"running"}"#)
  static let canceled = answer(200, #"{"jobId":"j1","status":"canceled"}"#)
  static let refused = answer(409, #"{"error":{"code":"CONFLICT","details":{"stage":"commit"}}}"#)
  static let accepted = answer(202, #"{"accepted":true}"#)

  @Test func aRefusedCancelIsSentAgainBeforeEachPollUntilAccepted() {
    let r = Self.run(poll: [Self.running, Self.running, Self.canceled], cancel: [Self.refused, Self.accepted])
    #expect(r.error == .jobCanceled(.canceled(job: "j1", detail: nil)))
    #expect(
      r.transport.requests.map(\.url) == [Self.cancelURL, Self.pollURL, Self.cancelURL, Self.pollURL, Self.pollURL])
    #expect(r.transport.requests.first?.method == "POST")
    // No wait between a cancel and its poll; the poll interval between polls.
    #expect(r.transport.sleeps == [2, 2])
  }

  @Test func anAcceptedCancelLeavesOnlyThePolls() {
    let r = Self.run(poll: [Self.running, Self.canceled], cancel: [Self.accepted])
    #expect(r.error == .jobCanceled(.canceled(job: "j1", detail: nil)))
    #expect(r.transport.requests.map(\.url) == [Self.cancelURL, Self.pollURL, Self.pollURL])
    #expect(!r.watch.stillText.contains("not accepted"))
  }

  @Test func anAPIWithoutCancelIsRejectedAtOnce() {
    let r = Self.run(poll: [Self.running], cancel: [answer(405, "{}")])
    #expect(r.error == .rejected(.noCancel(job: "j1")))
    #expect(r.transport.requests.count == 1)
  }

  @Test func aTimeoutWhileRefusedSaysTheCancelWasNotAccepted() {
    let r = Self.run(poll: [Self.running], cancel: [Self.refused]) { $0.timeout = 5 }
    let still = "job j1 is still running; the cancel was not accepted yet"
    #expect(r.error == .timedOut(.timeLimit(until: nil, after: 5, still: still)))
  }
}
