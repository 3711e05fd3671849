import Glibc
import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// The transport reads the time and the interruptions it is given, not the process's own: a
/// clock that runs ahead ends its wait, a pipe of the test's interrupts it.
@Suite struct TransportInjectionTests {
  /// Interruptions a test controls: its own descriptors, and what it says arrived.
  final class TestInterruptions: Interruptions {
    var wakeFDs: [Int32] = []
    var caughtSignal: Int32?
    var pendingSignal: Int32?
    var caughtAsked = 0
    var pendingAsked = 0

    var caught: Int32? {
      caughtAsked += 1
      return caughtSignal
    }

    var pending: Int32? {
      pendingAsked += 1
      return pendingSignal ?? caughtSignal
    }
  }

  /// A poll of an hour ends once the given clock says the hour is over, however little real time
  /// passed; with nothing woken, the costly `pending` is never asked.
  @Test func aPollWaitsByTheGivenClock() throws {
    var reads = 0
    let interruptions = TestInterruptions()
    interruptions.pendingSignal = SIGPIPE
    let transport = try CurlTransport(
      options: TransportOptions(),
      clock: {
        reads += 1
        return Double(reads) * 10_000
      }, interruptions: interruptions)
    let real = SystemClock()
    let started = real.monotonic
    let events = transport.poll(timeout: 3600, watching: [])
    #expect(real.monotonic - started < 60, "the hour was measured on the real clock")
    #expect(events.results.isEmpty && events.signal == nil && events.ready.isEmpty)
    #expect(reads >= 2)
    #expect(interruptions.caughtAsked >= 1)
    #expect(interruptions.pendingAsked == 0)
  }

  @Test func aCaughtSignalEndsAPollAtOnce() throws {
    let interruptions = TestInterruptions()
    interruptions.caughtSignal = SIGINT
    let transport = try CurlTransport(
      options: TransportOptions(), clock: { SystemClock().monotonic }, interruptions: interruptions)
    let events = transport.poll(timeout: 3600, watching: [])
    #expect(events.signal == SIGINT)
    #expect(events.results.isEmpty)
  }

  /// A wake descriptor that becomes readable ends the wait, and only then is `pending` asked
  /// (for stdout's reader gone, which no flag records).
  @Test func aWakeDescriptorEndsAPollWithThePendingInterruption() throws {
    var fds: [Int32] = [-1, -1]
    try #require(pipe(&fds) == 0)
    defer { for fd in fds { close(fd) } }
    var byte: UInt8 = 1
    try #require(write(fds[1], &byte, 1) == 1)
    let interruptions = TestInterruptions()
    interruptions.wakeFDs = [fds[0]]
    interruptions.pendingSignal = SIGPIPE
    let transport = try CurlTransport(
      options: TransportOptions(), clock: { SystemClock().monotonic }, interruptions: interruptions)
    let events = transport.poll(timeout: 3600, watching: [])
    #expect(events.signal == SIGPIPE)
    #expect(interruptions.pendingAsked == 1)
  }
}
