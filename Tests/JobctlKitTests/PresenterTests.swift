import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// The presenter in-process: each result's forms, and the exit code it alone decides.
@Suite struct PresenterTests {
  struct Printed {
    let code: Int32
    let stdout: String
    let stderr: String
    /// The errors said on stderr, as data.
    let errors: [JobctlError]
  }

  static func present(_ result: CommandResult, _ configure: (inout OutputSettings) -> Void = { _ in }) -> Printed {
    var settings = OutputSettings()
    configure(&settings)
    let out = BufferSink()
    let err = BufferSink()
    let presenter = Presenter(settings: settings, stdout: out, diagnostics: Diagnostics(sink: err))
    let code = presenter.present(result)
    return Printed(code: code, stdout: out.text, stderr: err.text, errors: err.errors)
  }

  static let created = CreatedJob(
    target: "/jobs", body: Array(#"{"jobId":"j1","url":"http://x/jobs/j1"}"#.utf8),
    document: .object([("jobId", .string("j1")), ("url", .string("http://x/jobs/j1"))]), id: "j1",
    url: "http://x/jobs/j1", namedByURL: false)

  @Test func aCreatedJobInEveryForm() throws {
    #expect(Self.present(.created(Self.created)).stdout == "j1\n")
    #expect(
      Self.present(.created(Self.created)) { $0.format = .json }.stdout == #"{"jobId":"j1","url":"http://x/jobs/j1"}"#
        + "\n")
    #expect(Self.present(.created(Self.created)) { $0.field = JSONPath("url") }.stdout == "http://x/jobs/j1\n")
    let missing = Self.present(.created(Self.created)) { $0.field = JSONPath("nope") }
    #expect(missing.code == 6)
    #expect(missing.stdout.isEmpty)
    let field = JobctlError.Cause.missingField(
      in: "the answer to /jobs", path: try #require(JSONPath("nope")), there: "")
    #expect(missing.errors == [.rejected(.jobWasCreated(field, job: "j1 (http://x/jobs/j1)"))])
  }

  @Test func aCreatedJobWhoseIdDrivesTheTerminalIsNamedNotPrinted() {
    let job = CreatedJob(
      target: "/jobs", body: [], document: nil, id: "j\u{1B}[2J", url: "http://x/jobs/1", namedByURL: false)
    let r = Self.present(.created(job))
    #expect(r.code == 6)
    #expect(r.stdout.isEmpty)
    #expect(r.errors == [.rejected(.jobWasCreated(.idHasControlCharacters, job: #"j\x1b[2J (http://x/jobs/1)"#))])
  }

  @Test func aListingPrintsIdsWithQuietAndRejectsJobsWithoutOne() {
    let listing = Listing(
      jobs: [.object([("id", .string("a"))]), .object([("status", .string("running"))])], shape: Dialects.simple,
      dialect: nil)
    let r = Self.present(.listing(listing)) { $0.quiet = true }
    #expect(r.stdout == "a\n")
    #expect(r.code == 6)
    #expect(r.errors == [.rejected(.idsMissing(count: 1, of: 2))])
    let lines = Self.present(.listing(listing)) { $0.field = JSONPath("*.id") }
    #expect(lines.code == 0)
    #expect(lines.stdout == "a\n")
  }

  @Test func anExplanationEndsWithTheCodeOfItsState() {
    for (state, code) in [(JobState.completed, 0), (.failed, 1), (.canceled, 3), (.running, 9), (.pending, 9)] {
      let e = Explanation(
        snapshot: JobSnapshot(state: state), decidedBy: "\(state.rawValue): status=x", shape: "simple")
      let r = Self.present(.explanation(e))
      #expect(r.code == Int32(code))
      #expect(r.stdout.hasPrefix("\(state.rawValue): status=x\ndialect: simple\n"))
    }
  }

  @Test func aCancelRefusedIsRejectedAfterItsAnswerIsShown() {
    let response = HTTPResponse(status: 409, body: Array("{}".utf8))
    let r = Self.present(.cancel(CancelReply(job: "j1", answer: .refused(stage: "commit", code: "X", response))))
    #expect(r.stdout == "job: j1\ncancel: refused\n")
    #expect(r.code == 6)
    #expect(r.errors == [.rejected(.cancelRefused(job: "j1", stage: "commit", code: "X"))])
    let quiet = Self.present(.cancel(CancelReply(job: "j1", answer: .accepted(response)))) { $0.quiet = true }
    #expect(quiet.stdout.isEmpty && quiet.code == 0)
  }

  @Test func aFetchNoteIsQuietWithQ() {
    #expect(Self.present(.fetched(FetchedOutput(note: "jobctl: nothing"))).stderr == "jobctl: nothing\n")
    #expect(Self.present(.fetched(FetchedOutput(note: "jobctl: nothing"))) { $0.quiet = true }.stderr.isEmpty)
  }

  @Test func aJobThatCompletedWithoutTheFieldIsRejectedEvenWhenItsOutputWasFetched() throws {
    var snapshot = JobSnapshot(state: .completed)
    snapshot.id = "j1"
    let outcome = WaitOutcome(error: nil, body: Array(#"{"status":"done"}"#.utf8), snapshot: snapshot, dialect: nil)
    let end = JobEnd(outcome: outcome, job: "j1", fetched: .success(FetchedOutput()))
    let r = Self.present(.job(end)) { $0.field = JSONPath("result") }
    #expect(r.code == 6)
    let path = try #require(JSONPath("result"))
    let there = path.whatIsThere(in: .object([("status", .string("done"))]))
    #expect(r.errors == [.rejected(.missingField(in: "the final document of job j1", path: path, there: there))])
    let failedFetch = JobEnd(outcome: outcome, job: "j1", fetched: .failure(.localWrite(.text("cannot write f"))))
    #expect(Self.present(.job(failedFetch)).code == 10)
  }

  /// A format made here, outside Output: the presenter prints every result in it, and a wait for
  /// several jobs streams its lines, with nothing else told of it.
  static let compact = OutputSettings.Format(
    "compact", summary: "one compact document a line",
    result: { forms, presenter in
      presenter.stdout.write((forms.document() ?? .null).serialized() + "\n")
      return nil
    },
    fieldValuesOneALine: false, fieldLine: { $0?.serialized() ?? "-" },
    jobs: { forms, presenter in presenter.stdout.write("\(forms.count) jobs\n") },
    eventLine: { event, job, _ in
      guard case .done(_, let code) = event else { return "\(job) news" }
      return "\(job) done \(code)"
    })

  @Test func aFormatOfItsOwnPrintsEveryResult() {
    #expect(
      Self.present(.created(Self.created)) { $0.format = Self.compact }.stdout
        == #"{"jobId":"j1","url":"http://x/jobs/j1"}"# + "\n")
    let listing = Listing(jobs: [.object([("id", .string("a"))])], shape: Dialects.simple, dialect: nil)
    #expect(Self.present(.listing(listing)) { $0.format = Self.compact }.stdout == #"[{"id":"a"}]"# + "\n")

    var settings = OutputSettings()
    settings.format = Self.compact
    #expect(settings.streamsEvents)
    let out = BufferSink()
    let presenter = Presenter(settings: settings, stdout: out, diagnostics: Diagnostics(sink: BufferSink()))
    let outcomes = [
      WaitOutcome(error: nil, body: Array("{}".utf8), snapshot: JobSnapshot(state: .completed), dialect: nil),
      WaitOutcome(
        error: .jobFailed(.failed(job: "b", detail: nil)), body: [], snapshot: JobSnapshot(state: .failed), dialect: nil
      ),
    ]
    for (outcome, job) in zip(outcomes, ["a", "b"]) { presenter.ended(outcome, job: job) }
    let ends = JobEnds(count: 2, outcome: { outcomes[$0] }, label: { ["a", "b"][$0] }, firstFinished: nil)
    #expect(presenter.present(.jobs(ends)) == 1)
    #expect(out.text == "a done 0\nb done 1\n2 jobs\n")

    settings.field = JSONPath("id")
    let lines = BufferSink()
    let byField = Presenter(settings: settings, stdout: lines, diagnostics: Diagnostics(sink: BufferSink()))
    _ = byField.present(.jobs(ends))
    #expect(lines.text == "-\n-\n")
  }

  @Test func formatsAreNamedOnceForTheOptionAndItsHelp() {
    #expect(OutputSettings.Format.allCases.map(\.rawValue) == ["text", "json", "ndjson"])
    #expect(OutputSettings.Format(rawValue: "ndjson") == .ndjson)
    #expect(OutputSettings.Format(rawValue: "compact") == nil)
    #expect(OptionKey.format.spec.help == OutputSettings.Format.help)
    #expect(
      OutputSettings.Format.help
        == "Output format: text (default), json (the last answer verbatim) or ndjson (one event per line).")
  }

  @Test func anUnconfirmedStartNamesItsKeyInEventsAndOnStderr() {
    let start = UnconfirmedStart(
      error: .timedOut(.timeLimit(until: nil, after: 5, still: "no answer yet")), job: "/jobs", key: "k-1",
      reason: "timed out after 5s")
    let ndjson = Self.present(.unconfirmedStart(start)) { $0.format = .ndjson }
    #expect(ndjson.code == 124)
    let event = try? JSON.parse(Array(ndjson.stdout.utf8))
    #expect(event?["event"] == .string("start_unconfirmed"))
    #expect(event?["idempotency_key"] == .string("k-1"))
    #expect(ndjson.stderr.contains("resend it with --idempotency-key k-1"))
    #expect(ndjson.stderr.hasSuffix("timed out after 5s; no answer yet\n"))
    #expect(ndjson.errors == [start.error])
    let text = Self.present(.unconfirmedStart(start))
    #expect(text.stdout.isEmpty && text.code == 124)
    let refused = JobctlError.Cause.resentAndRefused(
      subject: "POST /jobs", answer: "HTTP 409 Conflict", idempotencyKey: "k-1")
    let known = UnconfirmedStart(error: .rejected(refused), job: "/jobs", key: "k-1", reason: "")
    #expect(known.saysKey)
    let told = Self.present(.unconfirmedStart(known))
    #expect(told.code == 6)
    #expect(!told.stderr.contains("resend it"))
    #expect(told.errors == [.rejected(refused)])
  }

  @Test func aStartAnswerNamingNoJobGoesToStdoutAsItCame() {
    let noJob = JobctlError.Cause.namesNoJob(target: "/jobs", status: 200, places: "id", found: "keys ok")
    let answer = UnnamedJob(body: Array(#"{"ok":true}"#.utf8), cause: noJob)
    for format in OutputSettings.Format.allCases {
      let r = Self.present(.unnamedJob(answer)) { $0.format = format }
      #expect(r.stdout == #"{"ok":true}"# + "\n")
      #expect(r.code == 6)
      #expect(r.errors == [.rejected(.answerOnStdout(noJob, lost: nil))])
    }
    let empty = Self.present(.unnamedJob(UnnamedJob(body: [], cause: noJob)))
    #expect(empty.stdout.isEmpty && empty.code == 6)
    #expect(empty.errors == [.rejected(noJob)])
    #expect(empty.stderr == "jobctl: error: \(noJob.message)\n")
  }

  @Test func theExitCodeOfAnOutcomeIsThePresenters() {
    let done = WaitOutcome(error: nil, body: [], snapshot: JobSnapshot(state: .completed), dialect: nil)
    #expect(Presenter.exitCode(of: done) == 0)
    var cut = done
    cut.error = .interrupted(signal: 15)
    #expect(Presenter.exitCode(of: cut) == 143)
    cut.error = .stillRunning(.unfinished(still: "job j1 is running"))
    #expect(Presenter.exitCode(of: cut) == 9)
  }
}
