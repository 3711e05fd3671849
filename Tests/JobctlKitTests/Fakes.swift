import JobctlTestSupport

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

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
      guard let transport else { throw TransportFailure(.setupFailed, detail: "no transport in this test") }
      return transport
    },
    readFile: { path in
      files[path].map { .success(Array($0.utf8)) } ?? .failure(FileError(reason: "No such file or directory"))
    })
  services.fileMode = { path in files[path] == nil ? nil : modes[path] ?? 0o100600 }
  services.fileExists = { files[$0] != nil }
  services.readRegularFile = services.readFile
  services.stdoutColumns = { nil }
  return services
}

/// A whole in-process jobctl run against a scripted transport.
struct Run {
  let code: Int32
  let stdout: String
  let stderr: String
  let transport: FakeTransport
  /// The errors said on stderr, as data.
  var errors: [JobctlError] = []
  /// The last of them: the one the run ended with.
  var error: JobctlError? { errors.last }
  /// Why the answer was no job document, in the shape layer's words, when the run ended so.
  var notAJobDocument: String? {
    guard case .rejected(.notAJobDocument(_, let why))? = error else { return nil }
    return why
  }
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
  return Run(code: code, stdout: out.text, stderr: err.text, transport: transport, errors: err.errors)
}

extension WaitOutcome {
  /// The exit code the presenter gives this outcome (the engine makes none).
  var exitCode: Int32 { Presenter.exitCode(of: self) }
}
