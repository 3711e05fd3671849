@testable import JobctlKit

/// Time that moves only when the code under test sleeps or a fake request takes time.
final class FakeClock: Clock {
  var monotonic: Double = 1000
  var wall: Double = 1_795_382_398
  func advance(_ seconds: Double) {
    monotonic += seconds
    wall += seconds
  }
}

/// Returns the same value every time (0.5 is the middle of every jitter window).
final class FixedRandom: RandomSource {
  var value: Double
  init(_ value: Double = 0.5) { self.value = value }
  func unit() -> Double { value }
}

/// The one fake transport: requests run "concurrently" in fake time, each taking `latency`, and
/// `poll` moves the fake clock as NIO's `EmbeddedEventLoop.advanceTime` does: to the first
/// answer due within the wait (returning every answer due then), or by the whole wait.
///
/// Answers come from `respond` (a script, per URL or shared, whose last entry repeats; or a
/// fake server). A wait with nothing in flight is a sleep, recorded in `sleeps`; a signal can
/// arrive on the Nth sleep or at a fake time.
final class FakeTransport: HTTPTransport {
  let clock: FakeClock
  var respond: (HTTPRequest, _ now: Double) -> Result<HTTPResponse, TransportFailure>
  var latency = 0.01
  var signalAt: Double?
  var signalOnSleep: (index: Int, signal: Int32)?
  private(set) var requests: [HTTPRequest] = []
  private(set) var requestTimes: [Double] = []
  private(set) var sleeps: [Double] = []
  private(set) var maxInFlight = 0
  private(set) var abandoned: [Int] = []
  /// What the transport was last told to scrub (see `HTTPTransport.updateSecrets`).
  private(set) var secrets: [String] = []
  private var pending: [(id: Int, at: Double, result: Result<HTTPResponse, TransportFailure>)] = []

  init(clock: FakeClock, respond: @escaping (HTTPRequest, Double) -> Result<HTTPResponse, TransportFailure>) {
    self.clock = clock
    self.respond = respond
  }

  /// One script for every request, in order.
  convenience init(clock: FakeClock, _ script: [Result<HTTPResponse, TransportFailure>]) {
    var served = 0
    self.init(clock: clock) { _, _ in
      served += 1
      return script[min(served - 1, script.count - 1)]
    }
  }

  /// A script per URL (404 for any other).
  convenience init(clock: FakeClock, scripts: [String: [Result<HTTPResponse, TransportFailure>]]) {
    var served: [String: Int] = [:]
    self.init(clock: clock) { request, _ in
      let n = served[request.url, default: 0]
      served[request.url] = n + 1
      let script = scripts[request.url] ?? [answer(404, "{}")]
      return script[min(n, script.count - 1)]
    }
  }

  var log: [(url: String, time: Double)] { zip(requests, requestTimes).map { ($0.url, $1) } }

  func start(_ request: HTTPRequest, id: Int) {
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

  func poll(timeout: Double, watching: [WatchedDescriptor]) -> TransportEvents {
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

  func updateSecrets(_ secrets: [String]) { self.secrets = secrets }

  func abandon(_ id: Int) {
    abandoned.append(id)
    pending.removeAll { $0.id == id }
  }
}

func answer(_ status: Int = 200, _ body: String, headers: [HTTPHeader] = []) -> Result<HTTPResponse, TransportFailure> {
  .success(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
}

func failure(_ message: String = "Connection refused", kind: TransportFailure.Kind = .transient)
  -> Result<HTTPResponse, TransportFailure>
{
  .failure(TransportFailure(kind, message))
}

/// Services over in-memory files (path to contents, and optional permission bits).
func fakeServices(
  files: [String: String] = [:], modes: [String: UInt32] = [:], transport: HTTPTransport? = nil,
  clock: FakeClock = FakeClock(), random: Double = 0.5, stdout: TextSink = BufferSink(),
  stderr: TextSink = BufferSink(),
  stdin: String = ""
) -> Services {
  var services = Services(
    streams: Streams(stdout: stdout, stderr: stderr, readStdin: { Array(stdin.utf8) }), clock: clock,
    random: FixedRandom(random),
    makeTransport: { (_: TransportOptions) throws(TransportFailure) -> HTTPTransport in
      guard let transport else { throw TransportFailure(.badURL, "no transport in this test") }
      return transport
    },
    readFile: { path in
      files[path].map { .success(Array($0.utf8)) } ?? .failure(FileError(reason: "No such file or directory"))
    })
  services.fileMode = { path in files[path] == nil ? nil : modes[path] ?? 0o100600 }
  services.fileExists = { files[$0] != nil }
  services.stdoutColumns = { nil }
  return services
}

/// A whole in-process jobctl run against a scripted transport.
struct Run {
  let code: Int32
  let stdout: String
  let stderr: String
  let transport: FakeTransport
}

func runJobctl(
  _ args: [String], env: [String: String] = ["JOBCTL_BASE_URL": "http://api.test"],
  script: [Result<HTTPResponse, TransportFailure>] = [], files: [String: String] = [:], modes: [String: UInt32] = [:],
  random: Double = 0.5, stdin: String = "", stderrIsTerminal: Bool = false
) -> Run {
  let clock = FakeClock()
  let transport = FakeTransport(clock: clock, script.isEmpty ? [answer(500, "{}")] : script)
  let out = BufferSink()
  let err = BufferSink(isTerminal: stderrIsTerminal)
  let services = fakeServices(
    files: files, modes: modes, transport: transport, clock: clock, random: random, stdout: out, stderr: err,
    stdin: stdin)
  let code = Jobctl.run(args, environment: env, services: services)
  return Run(code: code, stdout: out.text, stderr: err.text, transport: transport)
}
