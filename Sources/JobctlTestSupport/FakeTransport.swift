import JobctlEngine
import JobctlHTTP
import JobctlKit
import JobctlOutput
import JobctlShapes
import JobctlSupport
import JobctlTransport

/// The one fake transport: requests run "concurrently" in fake time, each taking `latency`, and
/// `poll` moves the fake clock as NIO's `EmbeddedEventLoop.advanceTime` does: to the first
/// answer due within the wait (returning every answer due then), or by the whole wait.
///
/// Answers come from `respond` (a script, per URL or shared, whose last entry repeats; or a
/// fake server). A wait with nothing in flight is a sleep, recorded in `sleeps`; a signal can
/// arrive on the Nth sleep or at a fake time.
package final class FakeTransport: HTTPTransport {
  package let clock: FakeClock
  package var respond: (HTTPRequest, _ now: Double) -> Result<HTTPResponse, TransportFailure>
  package var latency = 0.01
  package var signalAt: Double?
  package var signalOnSleep: (index: Int, signal: Int32)?
  package private(set) var requests: [HTTPRequest] = []
  package private(set) var requestTimes: [Double] = []
  package private(set) var sleeps: [Double] = []
  package private(set) var maxInFlight = 0
  package private(set) var abandoned: [Int] = []
  /// What the transport was last told to scrub (see `HTTPTransport.updateSecrets`).
  package private(set) var secrets: [String] = []
  private var pending: [(id: Int, at: Double, result: Result<HTTPResponse, TransportFailure>)] = []

  package init(clock: FakeClock, respond: @escaping (HTTPRequest, Double) -> Result<HTTPResponse, TransportFailure>) {
    self.clock = clock
    self.respond = respond
  }

  /// One script for every request, in order.
  package convenience init(clock: FakeClock, _ script: [Result<HTTPResponse, TransportFailure>]) {
    var served = 0
    self.init(clock: clock) { _, _ in
      served += 1
      return script[min(served - 1, script.count - 1)]
    }
  }

  /// A script per URL (404 for any other).
  package convenience init(clock: FakeClock, scripts: [String: [Result<HTTPResponse, TransportFailure>]]) {
    var served: [String: Int] = [:]
    self.init(clock: clock) { request, _ in
      let n = served[request.url, default: 0]
      served[request.url] = n + 1
      let script = scripts[request.url] ?? [answer(404, "{}")]
      return script[min(n, script.count - 1)]
    }
  }

  package var log: [(url: String, time: Double)] { zip(requests, requestTimes).map { ($0.url, $1) } }

  package func start(_ request: HTTPRequest, id: Int) {
    requests.append(request)
    requestTimes.append(clock.monotonic)
    let at = clock.monotonic + latency
    let result = respond(request, clock.monotonic)
    // Kept in order of arrival: the latency may vary, so insert where it belongs.
    var slot = pending.count
    while slot > 0 && pending[slot - 1].at > at { slot -= 1 }
    pending.insert((id, at, result), at: slot)
    maxInFlight = max(maxInFlight, pending.count)
  }

  package func poll(timeout: Double, watching: [WatchedDescriptor]) -> TransportEvents {
    let limit = clock.monotonic + timeout
    if pending.isEmpty {
      // To the nanosecond: a wait computed as `due - now` carries the rounding of both.
      sleeps.append((timeout * 1e9).rounded() / 1e9)
      if let s = signalOnSleep, s.index == sleeps.count { return TransportEvents(signal: s.signal) }
    }
    if let signalAt, signalAt <= limit, pending.first.map({ $0.at >= signalAt }) ?? true {
      clock.advance(max(0, signalAt - clock.monotonic))
      self.signalAt = nil
      return TransportEvents(signal: 2)
    }
    guard let first = pending.first?.at, first <= limit else {
      clock.advance(timeout)
      return TransportEvents()
    }
    clock.advance(max(0, first - clock.monotonic))
    var count = 0
    while count < pending.count && pending[count].at <= first { count += 1 }
    let done = pending[0..<count].map { (id: $0.id, result: $0.result) }
    pending.removeFirst(count)
    return TransportEvents(results: done)
  }

  package func updateSecrets(_ secrets: [String]) { self.secrets = secrets }

  package func abandon(_ id: Int) {
    abandoned.append(id)
    pending.removeAll { $0.id == id }
  }
}

/// A scripted answer: `status` with `body` as its bytes.
package func answer(_ status: Int = 200, _ body: String, headers: [HTTPHeader] = []) -> Result<
  HTTPResponse, TransportFailure
> {
  .success(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
}

/// A scripted failure: `code`, in libcurl's words `detail`.
package func failure(_ detail: String = "Connection refused", code: TransportFailure.Code = .network)
  -> Result<HTTPResponse, TransportFailure>
{
  .failure(TransportFailure(code, detail: detail))
}
