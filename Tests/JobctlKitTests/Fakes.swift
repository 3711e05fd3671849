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

/// Records every sleep and advances the fake clock by it; can deliver a signal on the Nth sleep.
final class FakeSleeper: Sleeper {
  let clock: FakeClock
  var sleeps: [Double] = []
  var signalOnSleep: (index: Int, signal: Int32)?
  init(clock: FakeClock) { self.clock = clock }
  func sleep(_ seconds: Double) -> Int32? {
    sleeps.append(seconds)
    if let s = signalOnSleep, s.index == sleeps.count { return s.signal }
    clock.advance(seconds)
    return nil
  }
}

/// Returns the same value every time (0.5 is the middle of every jitter window).
final class FixedRandom: RandomSource {
  var value: Double
  init(_ value: Double = 0.5) { self.value = value }
  func unit() -> Double { value }
}

/// Answers requests from a script; the last entry repeats.
///
/// Each request takes `latency` seconds of fake time.
final class ScriptedTransport: HTTPTransport {
  var script: [Result<HTTPResponse, TransportFailure>]
  var requests: [HTTPRequest] = []
  var requestTimes: [Double] = []
  let clock: FakeClock
  var latency = 0.01
  init(clock: FakeClock, _ script: [Result<HTTPResponse, TransportFailure>]) {
    self.clock = clock
    self.script = script
  }
  func send(_ request: HTTPRequest) -> Result<HTTPResponse, TransportFailure> {
    requests.append(request)
    requestTimes.append(clock.monotonic)
    clock.advance(latency)
    let index = min(requests.count - 1, script.count - 1)
    return script[index]
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
    sleeper: FakeSleeper(clock: clock), random: FixedRandom(random),
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
  let transport: ScriptedTransport
  let sleeper: FakeSleeper
}

func runJobctl(
  _ args: [String], env: [String: String] = ["JOBCTL_BASE_URL": "http://api.test"],
  script: [Result<HTTPResponse, TransportFailure>] = [], files: [String: String] = [:], modes: [String: UInt32] = [:],
  random: Double = 0.5, stdin: String = "", stderrIsTerminal: Bool = false
) -> Run {
  let clock = FakeClock()
  let transport = ScriptedTransport(clock: clock, script.isEmpty ? [answer(500, "{}")] : script)
  let out = BufferSink()
  let err = BufferSink(isTerminal: stderrIsTerminal)
  let services = fakeServices(
    files: files, modes: modes, transport: transport, clock: clock, random: random, stdout: out, stderr: err,
    stdin: stdin)
  let code = Jobctl.run(args, environment: env, services: services)
  // swift-format-ignore: NeverForceUnwrap
  let sleeper = services.sleeper as! FakeSleeper
  return Run(code: code, stdout: out.text, stderr: err.text, transport: transport, sleeper: sleeper)
}
