import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// `--until` holds against the wall clock (docs/behaviour.md "How `wait` behaves"): a suspend or an
/// NTP step that moves the wall, and not the monotonic clock, ends the wait within one poll.
@Suite struct WallClockTests {
  /// Runs `wait j1` polled every 2 s; the wall jumps `jump` seconds at the third request.
  private func waitWithWallJump(
    _ args: [String], jump: Double
  ) -> (code: Int32, stderr: String, times: [Double], errors: [JobctlError]) {
    let clock = FakeClock()
    var count = 0
    let transport = FakeTransport(clock: clock) { _, _ in
      count += 1
      if count == 3 { clock.wall += jump }
      return answer(200, #"{"status":"pending"}"#)
    }
    let err = BufferSink()
    let services = fakeServices(transport: transport, clock: clock, stderr: err)
    let code = Jobctl.run(
      ["wait", "j1", "--interval", "2s", "--progress", "none"] + args,
      environment: ["JOBCTL_BASE_URL": "http://api.test"],
      services: services)
    return (code, err.text, transport.requestTimes, err.errors)
  }

  /// A wall clock jump past the --until ends the wait within one poll.
  ///
  /// The fake wall starts at 2026-11-22T21:19:58Z; --until is an hour later. After a jump of
  /// two hours at the third poll (4 s in), the wait ends within one poll, not an hour later.
  @Test func aWallClockJumpPastTheUntilEndsTheWaitWithinOnePoll() {
    let r = waitWithWallJump(["--until", "2026-11-22T22:19:58Z"], jump: 7200)
    #expect(r.code == 124, "\(r.stderr)")
    guard case .timedOut(.naming(.timeLimit(let until, _, _), _))? = r.errors.last else {
      Issue.record("not a wait that --until ended: \(r.errors)")
      return
    }
    #expect(until == Instant.parse("2026-11-22T22:19:58Z"))
    #expect(r.times.count <= 4, "\(r.times)")
    #expect((r.times.last ?? 0) - 1000 < 10, "\(r.times)")
  }

  /// A wall clock stepped back keeps the wait going until the wall reaches the --until.
  @Test func aWallClockStepBackDoesNotEndTheWaitEarly() {
    let r = waitWithWallJump(["--until", "2026-11-22T21:20:18Z"], jump: -30)
    #expect(r.code == 124, "\(r.stderr)")
    // 20 s by the wall at the start, 30 s taken back at 4 s in: about 50 s of polling.
    #expect((r.times.last ?? 0) - 1000 > 40, "\(r.times)")
  }
}
