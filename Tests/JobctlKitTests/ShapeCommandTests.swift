import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// The commands read a shape's conventions, not keys of their own: where a start finds its job,
/// whether it may be sent again, how cancel asks, where output and list look.
@Suite struct ShapeCommandTests {
  private let refused = failure("Failed to connect: Connection refused")

  private func notSent() -> Result<HTTPResponse, TransportFailure> {
    .failure(TransportFailure(.notConnected, detail: "Could not connect"))
  }

  @Test func aStartThatMayHaveRunIsNotSentAgainWhereTheAPIIgnoresIdempotencyKey() {
    let created = answer(201, #"{"id":"p1","status":"starting","urls":{"get":"https://r.test/v1/predictions/p1"}}"#)
    let reset = runJobctl(
      ["start", "/predictions", "--dialect", "replicate"], script: [failure("Connection reset"), created])
    #expect(reset.code == 7)
    #expect(reset.transport.requests.count == 1)
    guard case .unreachable(.startMayHaveBeenMade("POST /predictions", "Connection reset", _))? = reset.error else {
      Issue.record("not a start that may have made the job: \(reset.errors)")
      return
    }
    let fiveHundred = runJobctl(
      ["start", "/predictions", "--dialect", "replicate"], script: [answer(502, "{}"), created])
    #expect(fiveHundred.code == 7)
    #expect(fiveHundred.transport.requests.count == 1)
    let beforeSending = runJobctl(["start", "/predictions", "--dialect", "replicate"], script: [notSent(), created])
    #expect(beforeSending.code == 0, "\(beforeSending.stderr)")
    #expect(beforeSending.transport.requests.count == 2)
    #expect(beforeSending.stdout == "p1\n")
    let busy = runJobctl(["start", "/predictions", "--dialect", "replicate"], script: [answer(503, "{}"), created])
    #expect(busy.code == 0)
    // The built-in shapes honour Idempotency-Key: the same start is sent again.
    let staged = runJobctl(["start", "/jobs"], script: [failure("Connection reset"), answer(202, #"{"jobId":"j1"}"#)])
    #expect(staged.code == 0)
    #expect(staged.transport.requests.count == 2)
    #expect(staged.stdout == "j1\n")
  }

  @Test func startFindsTheJobWhereTheShapeSays() {
    let azure = runJobctl(
      ["start", "/things/t", "--method", "PUT", "--dialect", "azure-operation"],
      script: [
        answer(
          201, #"{"id":"/things/t"}"#,
          headers: [
            HTTPHeader("Location", "https://api.test/loc/1"), HTTPHeader("Azure-AsyncOperation", "operations/op1?v=1"),
          ])
      ])
    #expect(azure.code == 0, "\(azure.stderr)")
    // A relative URL is resolved against the URL that answered (RFC 3986).
    #expect(azure.stdout == "http://api.test/things/operations/op1?v=1\n")
    let custom = runJobctl(
      ["start", "/x", "--completed-when", "s=ok", "--id-path", "data.name", "--url-path", "@header:X-Job"],
      script: [answer(202, #"{"data":{"name":"n1"}}"#)])
    #expect(custom.stdout == "n1\n")
  }

  /// Azure's start with only `Location` is polled as http-202: 202 until done, then the result,
  /// whose own `status` the status monitor's conditions would take for running.
  @Test func anAzureStartWithOnlyALocationIsPolledAsHTTP202() {
    let r = runJobctl(
      // --timeout: read as a status monitor, the result's "Ready" would be running forever.
      ["start", "/things/t", "--method", "PUT", "--dialect", "azure-operation", "--wait", "--json", "--timeout", "1m"],
      script: [
        answer(201, "", headers: [HTTPHeader("Location", "/results/1?api-version=1")]), answer(202, ""),
        answer(200, #"{"id":"/things/t","status":"Ready"}"#),
      ])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(
      r.transport.requests.map(\.url) == [
        "http://api.test/things/t", "http://api.test/results/1?api-version=1",
        "http://api.test/results/1?api-version=1",
      ])
    #expect(r.stdout == #"{"id":"/things/t","status":"Ready"}"# + "\n")
    // With a status monitor besides, the monitor is polled by the status monitor's rules.
    let monitor = runJobctl(
      ["start", "/things/t", "--method", "PUT", "--dialect", "azure-operation", "--wait"],
      script: [
        answer(
          201, "",
          headers: [HTTPHeader("Location", "/results/1"), HTTPHeader("Operation-Location", "/operations/1")]),
        answer(200, #"{"status":"Failed","error":{"code":"E","message":"quota"}}"#),
      ])
    #expect(monitor.code == 1, "\(monitor.stderr)")
    #expect(monitor.transport.requests.last?.url == "http://api.test/operations/1")
  }

  /// `url-path = PATH as SHAPE` names a built-in or named shape; anything else is exit 2.
  @Test func aURLPathPolledAsAnUnknownShapeIsAUsageError() {
    let r = runJobctl(["start", "/x", "--completed-when", "s=ok", "--url-path", "@header:Location as nosuch"])
    #expect(r.code == 2)
    guard case .usage(.badShapeKey("--url-path", "url-path", _, let problem))? = r.error else {
      Issue.record("not a bad --url-path: \(r.errors)")
      return
    }
    #expect(problem.hasPrefix("'@header:Location as nosuch': nosuch is no built-in or named shape"), "\(problem)")
    #expect(r.transport.requests.isEmpty)
  }

  @Test func cancelAsksAsTheShapeSays() {
    let google = runJobctl(
      ["cancel", "projects/p/operations/7", "--dialect", "google-operation", "--base-url", "http://api.test/v1?key=k"],
      script: [answer(200, "{}")])
    #expect(google.code == 0, "\(google.stderr)")
    #expect(google.transport.requests.first?.url == "http://api.test/v1/projects/p/operations/7:cancel?key=k")
    #expect(google.transport.requests.first?.method == "POST")
    let none = runJobctl(["cancel", "https://api.test/op/1", "--dialect", "azure-operation"])
    #expect(none.code == 6)
    #expect(none.errors == [.rejected(.shapeHasNoCancel(job: "https://api.test/op/1", shape: "azure-operation"))])
    #expect(none.transport.requests.isEmpty)
    let delete = runJobctl(
      ["cancel", "j1", "--completed-when", "s=ok", "--cancel", "DELETE {url}"], script: [answer(204, "")])
    #expect(delete.code == 0)
    #expect(delete.transport.requests.first?.method == "DELETE")
    #expect(delete.transport.requests.first?.url == "http://api.test/jobs/j1")
  }

  /// A cancel URL that the job's document names (Replicate's `urls.cancel`): the job is polled once.
  @Test func aCancelTemplateThatReadsTheDocumentPollsFirst() {
    let r = runJobctl(
      ["cancel", "p1", "--dialect", "replicate", "--cancel", "POST {+.urls.cancel}"],
      script: [
        answer(200, #"{"id":"p1","status":"processing","urls":{"cancel":"https://r.test/v1/predictions/p1/cancel"}}"#),
        answer(200, #"{"id":"p1","status":"canceled"}"#),
      ])
    #expect(
      r.transport.requests.map(\.url) == ["http://api.test/predictions/p1", "https://r.test/v1/predictions/p1/cancel"])
    #expect(r.transport.requests.last?.method == "POST")
    #expect(r.code == 0, "\(r.stderr)")
  }

  @Test(
    arguments: [
      (
        409, #"{"message":"run is completed"}"#,
        .rejected(.cancelRefused(job: "j1", stage: nil, code: "HTTP 409 Conflict: run is completed"))
      ),
      (405, "", .rejected(.noSuchCancel(job: "j1", status: 405))),
      (501, "{}", .rejected(.noSuchCancel(job: "j1", status: 501))),
    ] as [(Int, String, JobctlError)])
  func cancelAnswersByTheGeneralRules(_ status: Int, _ body: String, _ error: JobctlError) {
    let r = runJobctl(["cancel", "j1"], script: [answer(status, body)])
    #expect(r.code == 6)
    #expect(r.errors == [error])
    #expect(r.transport.requests.count == 1)
  }

  @Test func aCancelAnsweredByATerminalJobDocumentWasNotAccepted() {
    let r = runJobctl(
      ["cancel", "https://api.test/batches/b1", "--dialect", "openai-batch"],
      script: [answer(200, #"{"id":"b1","status":"completed"}"#)])
    #expect(r.code == 0)
    #expect(r.stdout.contains("cancel: not accepted"))
    #expect(r.stderr.contains("the job is completed already"), "\(r.stderr)")
  }

  @Test func outputFetchesTheShapesOutputURL() {
    let r = runJobctl(
      ["output", "b1", "--dialect", "openai-batch", "--base-url", "http://api.test/v1"],
      script: [answer(200, #"{"id":"b1","status":"completed","output_file_id":"file-9"}"#), answer(200, "line 1\n")])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(
      r.transport.requests.map(\.url) == ["http://api.test/v1/batches/b1", "http://api.test/v1/files/file-9/content"])
    let nothing = runJobctl(
      ["output", "b1", "--dialect", "openai-batch"], script: [answer(200, #"{"id":"b1","status":"completed"}"#)])
    #expect(nothing.code == 0)
    #expect(nothing.stderr.contains("has no output to fetch"))
    #expect(nothing.transport.requests.count == 1)
    // A failed batch has no output, whatever its document names.
    let failed = runJobctl(
      ["output", "b1", "--dialect", "openai-batch"],
      script: [answer(200, #"{"id":"b1","status":"failed","output_file_id":"file-9"}"#)])
    #expect(failed.code == 1)
    guard case .jobFailed(.within("no output: ", .failed("b1", nil)))? = failed.error else {
      Issue.record("not a failed job b1: \(failed.errors)")
      return
    }
    #expect(failed.transport.requests.count == 1)
    let hotcrp = runJobctl(
      ["output", "hcj_1", "--dialect", "hotcrp", "--as", "string"],
      script: [answer(200, #"{"ok":true,"status":"done"}"#), answer(200, #"{"ok":true,"output":"x"}"#)])
    #expect(hotcrp.transport.requests.last?.url == "http://api.test/job?job=hcj_1&output=string")
  }

  @Test func listReadsTheShapesListPathAndIDs() {
    let r = runJobctl(
      ["list", "/batches", "--dialect", "openai-batch", "--list-path", "data"],
      script: [answer(200, #"{"data":[{"id":"b1","status":"in_progress"}]}"#)])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.contains("b1"))
    #expect(r.stdout.contains("in_progress"))
    let anthropic = runJobctl(
      ["list", "/messages/batches", "--dialect", "anthropic-batch", "--list-path", "data"],
      script: [answer(200, #"{"data":[{"id":"mb1","processing_status":"ended"}]}"#)])
    #expect(anthropic.stdout.contains("mb1"))
    #expect(anthropic.stdout.contains("ended"), "the shape's status path: \(anthropic.stdout)")
  }
}
