import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One in-process run with the stdout given, for the stream rules (docs/behaviour.md "Starting,
/// cancelling, listing, fetching output" and "Output").
private func run(
  _ args: [String], stdout: BufferSink, script: [Result<HTTPResponse, TransportFailure>],
  env: [String: String] = ["JOBCTL_BASE_URL": "http://api.test"], signalOnSleep: (Int, Int32)? = nil,
  columns: Int = 80
) -> (code: Int32, stderr: String, requests: Int, errors: [JobctlError]) {
  let clock = FakeClock()
  let transport = FakeTransport(clock: clock, script)
  let err = BufferSink()
  var services = fakeServices(transport: transport, clock: clock, stdout: stdout, stderr: err)
  services.stderrColumns = { _ in columns }
  if let signalOnSleep {
    transport.signalOnSleep = (index: signalOnSleep.0, signal: signalOnSleep.1)
  }
  let code = Jobctl.run(args, environment: env, services: services)
  return (code, err.text, transport.requests.count, err.errors)
}

private let completed = #"{"jobId":"j1","status":"completed","result":{"address":"0xabc"}}"#
private let failedDoc = #"{"jobId":"j1","status":"failed","error":"boom"}"#
private let running = #"{"jobId":"j1","status":"running"}"#

@Suite struct StdoutFailureTests {
  @Test func aResultThatCannotBeWrittenIsExitTen() {
    let r = run(
      ["status", "j1"], stdout: BufferSink(failure: WriteFailure(code: ENOSPC)), script: [answer(200, completed)])
    #expect(r.code == 10)
    #expect(r.errors == [.localWrite(.resultNotWritten(reason: "No space left on device"))])
  }

  @Test func aStdoutClosedAtStartFailsEveryWrite() {
    let r = run(
      ["wait", "j1", "--json"], stdout: BufferSink(failure: WriteFailure(code: EBADF, closedAtStart: true)),
      script: [answer(200, completed)])
    #expect(r.code == 10)
    #expect(r.errors == [.localWrite(.resultNotWritten(reason: "it was closed when jobctl started"))])
  }

  @Test func aStartedJobIsNeverLost() {
    let r = run(
      ["start", "/reports"], stdout: BufferSink(failure: WriteFailure(code: EPIPE)),
      script: [answer(202, #"{"jobId":"r9","status":"pending"}"#)])
    #expect(r.code == 10)
    #expect(
      r.stderr
        == "jobctl: error: cannot write the job id to stdout (Broken pipe); the job was created: r9 (http://api.test/jobs/r9)\n"
    )
  }

  /// The reader went away after the job ended: the job's own code stands, quietly.
  @Test func aReaderGoneAfterTheResultKeepsTheJobsCode() {
    let r = run(
      ["wait", "j1", "--progress", "none"], stdout: BufferSink(failure: WriteFailure(code: EPIPE)),
      script: [answer(200, failedDoc)])
    #expect(r.code == 1)
    #expect(r.errors == [.jobFailed(.failed(job: "j1", detail: "boom"))])
    #expect(r.stderr.split(separator: "\n").count == 1, "nothing but the job's error: \(r.stderr)")
  }

  /// The poll loops see the reader's hang-up as SIGPIPE: the wait ends with 141 and says nothing.
  @Test func aReaderGoneDuringTheWaitIs141AndQuiet() {
    let r = run(
      ["wait", "j1", "--progress", "none"], stdout: BufferSink(), script: [answer(200, running)],
      signalOnSleep: (2, SIGPIPE))
    #expect(r.code == 141)
    #expect(r.requests == 2)
    #expect(r.stderr == "")
    #expect(JobctlError.signaled(SIGPIPE) == .readerGone)
    #expect(JobctlError.signaled(SIGINT) == .interrupted(signal: SIGINT))
    #expect(Verdict.of(TransportFailure(.interrupted(signal: SIGPIPE))) == .end(.readerGone))
  }

  @Test func aFileSinkKeepsItsFirstFailure() throws {
    let full = open("/dev/full", O_WRONLY)
    try #require(full >= 0)
    defer { close(full) }
    let sink = FileSink(fd: full)
    sink.write("a")
    #expect(sink.failure == WriteFailure(code: ENOSPC))
    let null = open("/dev/null", O_WRONLY)
    defer { close(null) }
    let closed = FileSink(fd: null, closedAtStart: true)
    #expect(closed.failure == nil)
    closed.write("")
    #expect(closed.failure == nil)
    closed.write("id\n")
    #expect(closed.failure == WriteFailure(code: EBADF, closedAtStart: true))
  }
}

@Suite struct EscapingTests {
  @Test func controlCharactersAreShownEscaped() {
    #expect(Text.oneLine("a\nb\r\tc\u{1B}[31m\u{7F}\u{85}\u{202E}d") == #"a\nb\r\tc\x1b[31m\x7f\x85\u202ed"#)
    #expect(Text.oneLine("\r\n") == #"\r\n"#)
    #expect(Text.oneLine("été ✓") == "été ✓")
    #expect(Text.oneLine("abcdef", limit: 3) == "abc...")
    #expect(Text.hasControlCharacters("a\u{1B}") && !Text.hasControlCharacters("plain text"))
  }

  /// A script capturing `--field` gets the value as sent; a terminal never gets its escapes.
  @Test func fieldIsRawUnlessStdoutIsATerminal() {
    let doc = #"{"jobId":"j1","status":"completed","result":{"note":"a\u001b[2Jb\nc"}}"#
    let pipe = BufferSink()
    #expect(run(["wait", "j1", "--field", "result.note"], stdout: pipe, script: [answer(200, doc)]).code == 0)
    #expect(pipe.text == "a\u{1B}[2Jb\nc\n")
    let terminal = BufferSink(isTerminal: true)
    #expect(run(["wait", "j1", "--field", "result.note"], stdout: terminal, script: [answer(200, doc)]).code == 0)
    #expect(terminal.text == #"a\x1b[2Jb\nc"# + "\n")
    let start = BufferSink(isTerminal: true)
    let started = run(
      ["start", "/r", "--field", "note"], stdout: start,
      script: [answer(202, #"{"jobId":"j1","status":"pending","note":"x\u001b[8m"}"#)])
    #expect(started.code == 0)
    #expect(start.text == #"x\x1b[8m"# + "\n")
  }

  @Test func aStartIdWithControlCharactersIsExitSix() {
    let out = BufferSink()
    let r = run(["start", "/r"], stdout: out, script: [answer(202, #"{"jobId":"a\u001b[2J","status":"pending"}"#)])
    #expect(r.code == 6)
    #expect(out.text == "")
    let named = #"a\x1b[2J (http://api.test/jobs/a%1B%5B2J)"#
    #expect(r.errors == [.rejected(.jobWasCreated(.idHasControlCharacters, job: named))])
  }
}

@Suite struct MessageFloodTests {
  @Test func htmlMessagesAreShownAsText() {
    #expect(
      Messages.clean("<5>A <b>bold</b>&nbsp;&amp; &lt;safe&gt; &quot;q&quot; &#39;s&#39; &#233;&#xE9; &bogus;")
        == #"A bold & <safe> "q" 's' éé &bogus;"#)
    #expect(Messages.clean("<5><ul><li>one</li><li>two</li></ul>") == "one two")
    #expect(Messages.clean("<0>1 < 2 <b>kept</b>") == "1 < 2 <b>kept</b>")
    #expect(Messages.clean("<5>&#27;[31m") == #"\x1b[31m"#)
    #expect(Messages.clean("<5>" + String(repeating: "<", count: 100_000)).hasPrefix("<<<"))
  }

  @Test func errorsComeFirstAndInformationalItemsAreLeftOut() throws {
    let doc = try JSON.parse(
      Array(
        #"{"message_list":[{"status":-1,"message":"<0>info"},{"status":0,"message":"<0>plain"},{"status":1,"message":"<0>warn"},{"status":3,"message":"<0>stop"},{"status":2,"message":"<0>err","field":"f"}]}"#
          .utf8))
    #expect(Messages.all(in: doc) == ["stop", "err (f)", "warn", "plain"])
  }

  @Test func aConflictJoinsAFewMessagesNotAll() {
    let items = (1...300).map { #"{"status":2,"message":"<0>problem \#($0)"}"# }.joined(separator: ",")
    let body = #"{"ok":true,"message_list":[\#(items)]}"#
    let message = Messages.forErrorAnswer(status: 409, body: Array(body.utf8))
    #expect(
      message
        == "HTTP 409 Conflict: problem 1; problem 2; problem 3; problem 4; problem 5; and 295 more (see --json)")
  }

  @Test func aCompletedJobShowsAFewWarningLinesCutToTheWidth() {
    let items = (1...40).map {
      #"{"status":1,"message":"<5><p>warning \#($0) \#(String(repeating: "x", count: 200))</p>"}"#
    }
    let doc =
      #"{"ok":true,"status":"done","exit_status":0,"update_at":1,"message_list":[\#(items.joined(separator: ","))]}"#
    let out = BufferSink()
    let r = run(
      ["wait", "hcj_1", "--progress", "none"], stdout: out, script: [answer(200, doc)],
      env: ["JOBCTL_BASE_URL": "http://api.test/api", "JOBCTL_DIALECT": "hotcrp"], columns: 60)
    #expect(r.code == 0)
    let lines = r.stderr.split(separator: "\n")
    #expect(lines.count == 6)
    #expect(lines.allSatisfy { $0.count <= 60 })
    #expect(lines[0].hasPrefix("jobctl: warning: job hcj_1: warning 1 xxx"))
    #expect(lines[0].hasSuffix("..."))
    #expect(lines[5] == "jobctl: warning: job hcj_1: and 35 more (see --json)")
    // The annotation in GitHub Actions is as short.
    let actions = run(
      ["wait", "hcj_1", "--progress", "none", "-q"], stdout: BufferSink(), script: [answer(200, doc)],
      env: ["JOBCTL_BASE_URL": "http://api.test/api", "JOBCTL_DIALECT": "hotcrp", "GITHUB_ACTIONS": "true"])
    #expect(actions.stderr.hasPrefix("::warning title=job hcj_1 completed with warnings::warning 1 x"))
    #expect(actions.stderr.hasSuffix("%0Aand 35 more (see --json)\n"))
    #expect(!actions.stderr.contains("warning 6 "))
  }
}
