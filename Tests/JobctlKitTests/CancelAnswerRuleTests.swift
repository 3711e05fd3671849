import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// The general rules that read a 2xx cancel answer (docs/behaviour.md "Starting, cancelling,
/// listing, fetching output").
@Suite struct CancelAnswerRuleTests {
  private func answer(_ body: String, status: Int = 200) -> HTTPResponse {
    HTTPResponse(status: status, headers: [], body: Array(body.utf8))
  }

  @Test(arguments: [
    ("false", true), ("0", true), ("0.0", true), (#""false""#, true), (#""0""#, true), (#""No""#, true),
    (#""off""#, true), ("true", false), ("1", false), (#""yes""#, false), ("null", false), (#""""#, false),
    ("[]", false),
  ])
  func formsOfFalse(_ text: String, _ isFalse: Bool) throws {
    #expect(CancelAnswer.isFalse(try JSON.parse(Array(text.utf8))) == isFalse)
  }

  @Test(arguments: [
    #"{"ok": false}"#, #"{"stopped": "false"}"#, #"{"error": "cannot cancel"}"#, #"{"error": {"message": "no"}}"#,
    "<html></html>", "not json",
  ])
  func refusals(_ body: String) {
    guard case .declined? = CancelAnswer.interpret(answer(body), dialect: nil) else {
      Issue.record("\(body) was not refused")
      return
    }
  }

  @Test(arguments: [
    "", "{}", #"{"accepted": true}"#, #"{"ok": true}"#, #"{"stopped": true}"#, #"{"error": null}"#,
    #"{"error": false}"#, #"{"error": ""}"#,
  ])
  func acceptances(_ body: String) {
    guard case .accepted? = CancelAnswer.interpret(answer(body, status: 202), dialect: nil) else {
      Issue.record("\(body) was not accepted")
      return
    }
  }

  @Test(arguments: [#"{"accepted": false}"#, #"{"accepted": "false"}"#, #"{"accepted": 0}"#])
  func acceptedFalseMeansTheJobEnded(_ body: String) {
    guard case .alreadyTerminal? = CancelAnswer.interpret(answer(body), dialect: nil) else {
      Issue.record("\(body) was not read as not accepted")
      return
    }
  }

  @Test func rayRefusesAStopOfAnEndedJob() throws {
    let ray = try #require(Dialects.named("ray-job"))
    guard
      case .declined(let reason, _)? = CancelAnswer.interpret(answer(#"{"stopped": false}"#), dialect: ray, shape: ray)
    else {
      Issue.record("not refused")
      return
    }
    #expect(reason == "stopped: false")
    guard case .accepted? = CancelAnswer.interpret(answer(#"{"stopped": true}"#), dialect: ray, shape: ray) else {
      Issue.record("not accepted")
      return
    }
  }
}
