import JobctlTestSupport
import Testing

@testable import JobctlKit

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
}
