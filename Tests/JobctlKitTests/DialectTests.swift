import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

private func read(_ dialect: Dialect, _ text: String) -> JobSnapshot? {
  guard let document = try? JSON.parse(text) else {
    Issue.record("test document is not JSON: \(text)")
    return nil
  }
  return dialect.read(document)
}

@Suite struct DialectTests {
  @Test func simpleShape() throws {
    let pending = try #require(read(Dialects.simple, #"{"jobId":"a1","type":"org_members","status":"pending"}"#))
    #expect(pending.state == .pending)
    #expect(pending.id == "a1")
    let done = try #require(read(Dialects.simple, #"{"jobId":"a1","status":"completed","result":{"address":"0x1"}}"#))
    #expect(done.state == .completed)
    #expect(done.warnings.isEmpty)
    let failed = try #require(read(Dialects.simple, #"{"jobId":"a1","status":"failed","error":"not enough funds"}"#))
    #expect(failed.state == .failed)
    #expect(failed.error == "not enough funds")
  }

  @Test func simpleCompletedWithErrorsCompletesWithWarnings() throws {
    let s = try #require(
      read(Dialects.simple, #"{"status":"completed","errors":["row 3: invalid email","row 9: duplicate"]}"#))
    #expect(s.state == .completed)
    #expect(s.warnings == ["row 3: invalid email", "row 9: duplicate"])
    #expect(s.error == nil)
  }

  @Test func hotcrpShape() throws {
    let run = try #require(
      read(Dialects.hotcrp, #"{"ok":true,"status":"run","update_at":1795382398,"progress":"Initializing"}"#))
    #expect(run.state == .running)
    #expect(run.phase == "Initializing")
    #expect(run.updatedAt == 1_795_382_398)
    #expect(read(Dialects.hotcrp, #"{"ok":true,"status":"wait"}"#)?.state == .pending)
    let done = try #require(
      read(
        Dialects.hotcrp,
        #"{"ok":true,"status":"done","update_at":"1795382405","exit_status":0,"output_mimetype":"text/csv","output_size":153762,"output_at":"1795382405"}"#
      ))
    #expect(done.state == .completed)
    #expect(done.updatedAt == 1_795_382_405)
  }

  @Test func hotcrpDoneWithNonZeroExitStatusIsAFailure() throws {
    let s = try #require(
      read(
        Dialects.hotcrp,
        #"{"ok":true,"status":"done","exit_status":1,"message_list":[{"status":1,"message":"<0>Just a note"},{"status":2,"field":null,"message":"<0>Assignment failed"}]}"#
      ))
    #expect(s.state == .failed)
    #expect(s.error == "Assignment failed; Just a note")
  }

  @Test func stagedShape() throws {
    let s = try #require(
      read(Dialects.staged, #"{"jobId":"s1","status":"running","progress":0.45,"stage":"processing"}"#))
    #expect(s.state == .running)
    #expect(s.progress == 0.45)
    #expect(s.stage == "processing")
    let f = try #require(
      read(
        Dialects.staged,
        #"{"status":"failed","error":{"code":"RENDER_FAILED","message":"template render failed","data":{"page":7}}}"#))
    #expect(f.state == .failed)
    #expect(f.error == "template render failed (RENDER_FAILED)")
    #expect(read(Dialects.staged, #"{"status":"canceled"}"#)?.state == .canceled)
    #expect(read(Dialects.staged, #"{"status":"queued"}"#)?.state == .pending)
  }

  @Test func progressShapeIsTerminalAtOneHundred() throws {
    #expect(read(Dialects.progress, #"{"added":0,"total":40,"progress":0,"errors":[]}"#)?.state == .pending)
    let mid = try #require(read(Dialects.progress, #"{"added":20,"total":40,"progress":50,"errors":[]}"#))
    #expect(mid.state == .running)
    #expect(mid.progress == 0.5)
    #expect(read(Dialects.progress, #"{"added":40,"total":40,"progress":100,"errors":[]}"#)?.state == .completed)
    let failed = try #require(
      read(Dialects.progress, #"{"added":39,"total":40,"progress":100,"errors":["row 12: invalid email"]}"#))
    #expect(failed.state == .failed)
    #expect(failed.error == "row 12: invalid email")
  }

  @Test func unknownStatusesAndNonObjectsAreNotJobDocuments() {
    #expect(read(Dialects.simple, #"{"status":"exploded"}"#) == nil)
    #expect(read(Dialects.staged, #"{"nostatus":1}"#) == nil)
    #expect(read(Dialects.simple, #"["status"]"#) == nil)
    #expect(read(Dialects.progress, #"{"total":3}"#) == nil)
  }

  @Test(arguments: [
    (#"{"ok":true,"status":"run","update_at":1}"#, "hotcrp"),
    (#"{"ok":true,"status":"failed","message_list":[]}"#, "hotcrp"),
    (#"{"added":1,"total":40,"progress":3,"errors":[]}"#, "progress"),
    (#"{"jobId":"x","status":"running","progress":0.1,"stage":"validating"}"#, "staged"),
    (#"{"jobId":"x","kind":"report","status":"pending"}"#, "staged"),
    (#"{"status":"failed","error":{"code":"E","message":"m"}}"#, "staged"),
    (#"{"jobId":"x","type":"t","status":"pending"}"#, "simple"),
    (#"{"jobId":"x","status":"failed","error":"boom"}"#, "simple"),
  ])
  func autoDetection(_ text: String, _ expected: String) {
    #expect(Dialects.detect((try? JSON.parse(text)) ?? .null)?.name == expected)
  }

  /// Activity is any change of status, stage, phase, progress or update time: a phase that
  /// moves while `update_at` stays is activity too.
  @Test func activityIsAnyChangeOfWhatTheJobShows() throws {
    let a = try #require(read(Dialects.hotcrp, #"{"status":"run","update_at":5,"progress":"x"}"#))
    let b = try #require(read(Dialects.hotcrp, #"{"status":"run","update_at":5,"progress":"y"}"#))
    let c = try #require(read(Dialects.hotcrp, #"{"status":"run","update_at":6,"progress":"y"}"#))
    #expect(!b.sameActivity(as: a))
    #expect(!c.sameActivity(as: b))
    #expect(c.sameActivity(as: c))
    #expect(!b.sameDisplay(as: a))
    #expect(c.sameDisplay(as: b), "an update time alone is not worth a progress line")
  }
}

@Suite struct MessageTests {
  @Test(arguments: [
    (404, #"{"error":"job not found","code":40026}"#, "HTTP 404 Not Found: job not found (code 40026)"),
    (
      409, #"{"error":{"code":"IDEMPOTENCY_CONFLICT","message":"key reused","data":null}}"#,
      "HTTP 409 Conflict: key reused (IDEMPOTENCY_CONFLICT)"
    ),
    (400, #"{"message":"bad input"}"#, "HTTP 400 Bad Request: bad input"),
    (
      400, #"{"ok":false,"message_list":[{"status":2,"field":"job","message":"<0>Parameter missing"}]}"#,
      "HTTP 400 Bad Request: Parameter missing (job)"
    ),
    (502, "<html>Bad gateway</html>", "HTTP 502 Bad Gateway: Bad gateway"),
    (500, #"{"error":"line1\nline2\u001b[31m"}"#, #"HTTP 500 Internal Server Error: line1\nline2\x1b[31m"#),
  ])
  func errorAnswersShowTheMostSpecificMessage(_ status: Int, _ body: String, _ expected: String) {
    #expect(Messages.forErrorAnswer(status: status, body: Array(body.utf8)) == expected)
  }
}
