import JobctlHTTP
import JobctlShapes
import JobctlSupport

/// What the server said to one cancel request, read by the general rules of docs/behaviour.md
/// "Starting, cancelling, listing, fetching output" and the shape's own cancel conditions.
package enum CancelAnswer {
  /// 2xx with `accepted` true (or no `accepted` at all).
  case accepted(HTTPResponse)
  /// 200 with `accepted: false`: the job is already terminal; `reason` says how.
  case alreadyTerminal(reason: String, HTTPResponse)
  /// 409: this stage cannot be canceled (`JOB_CANCEL_UNAVAILABLE`); retry later.
  case refused(stage: String?, code: String, HTTPResponse)
  /// 405 or 501: the API has no cancel.
  case unsupported(HTTPResponse)
  /// A 2xx that says no (`ok`, `stopped` in a form of false, an `error` member) or that is not
  /// JSON: exit 6 with the server's reason.
  case declined(reason: String, HTTPResponse)

  /// Reads a cancel answer by the general rules of docs/behaviour.md "Starting, cancelling,
  /// listing, fetching output"; nil for anything else.
  ///
  /// A 2xx is accepted unless it says `accepted: false` or is a job document the shape finds
  /// terminal already.
  package static func interpret(_ response: HTTPResponse, dialect: Dialect?, shape: Dialect? = nil) -> CancelAnswer? {
    let document = try? JSON.parse(response.body)
    // The shape's own word first: refused, then accepted.
    let answer = JobAnswer(response, document: document)
    if let refused = shape?.cancelRefused.first(where: { $0.holds(answer) }) {
      let said = declined(document) ?? document.flatMap { Messages.all(in: $0).first }.map { Text.oneLine($0) }
      return .declined(reason: said ?? "the answer fits cancel-refused-when \(refused)", response)
    }
    if shape?.cancelAccepted.contains(where: { $0.holds(answer) }) == true { return .accepted(response) }
    switch response.status {
    case 200..<300:
      let blank = response.body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
      if document == nil, !blank {
        let kind = response.header("Content-Type").map { " (\(Text.oneLine($0, limit: 60)))" } ?? ""
        return .declined(
          reason:
            "the answer\(kind) is not JSON, so it does not say the cancel was accepted: \(Text.oneLine(String(decoding: response.body.prefix(200), as: UTF8.self), limit: 120))",
          response)
      }
      if let reason = declined(document) { return .declined(reason: reason, response) }
      if let accepted = document?["accepted"], isFalse(accepted) {
        let reason =
          document?["reason"]?.stringValue ?? document.flatMap { Messages.all(in: $0).first } ?? "not accepted"
        return .alreadyTerminal(reason: Text.oneLine(reason), response)
      }
      if let document, document.isObject, document["accepted"] == nil,
        let shape = dialect ?? Dialects.detect(document),
        case .state(let snapshot, _) = shape.judge(JobAnswer(response, document: document)), snapshot.state.isTerminal
      {
        return .alreadyTerminal(reason: "the job is \(snapshot.state.rawValue) already", response)
      }
      return .accepted(response)
    case 409:
      let error = document?["error"]
      let details = error?["details"] ?? document?["details"]
      let stage = details?["stage"]?.stringValue ?? error?["stage"]?.stringValue
      let subcode = details?["subcode"]?.stringValue ?? error?["subcode"]?.stringValue
      return .refused(
        stage: stage.map { Text.oneLine($0) },
        code: Text.oneLine(subcode ?? Messages.forErrorAnswer(status: 409, body: response.body)), response)
    case 405, 501:
      return .unsupported(response)
    default:
      return nil
    }
  }

  /// Whether a JSON value is a form of false: `false`, a number equal to 0, or the strings
  /// `false`, `0`, `no` and `off` in any case.
  static func isFalse(_ value: JSON) -> Bool {
    switch value {
    case .bool(let b): return !b
    case .number(let text): return Double(text) == 0
    case .string(let text): return ["false", "0", "no", "off"].contains(Text.lowercased(text))
    default: return false
    }
  }

  /// The reason a 2xx cancel answer says no: `ok` or `stopped` in a form of false (HotCRP, Ray),
  /// or an `error` member that is not null, false or empty; nil otherwise.
  static func declined(_ document: JSON?) -> String? {
    guard let document, document.isObject else { return nil }
    let said = document["reason"]?.stringValue ?? document["message"]?.stringValue
    for key in ["ok", "stopped"] {
      if let value = document[key], isFalse(value) {
        let words = said ?? document["error"].flatMap { $0.stringValue ?? $0["message"]?.stringValue }
        return Text.oneLine(words.map { "\($0) (\(key): \(value.serialized()))" } ?? "\(key): \(value.serialized())")
      }
    }
    if let error = document["error"], error != .null, !isFalse(error), error != .string(""), error != .object([]) {
      return Text.oneLine(error.stringValue ?? error["message"]?.stringValue ?? error.serialized(), limit: 300)
    }
    return nil
  }

  /// What a cancel refused in this stage tells: retry later, or wait.
  package static func refusal(_ job: String, stage: String?, code: String) -> String {
    JobctlError.Cause.cancelRefused(job: job, stage: stage, code: code).message
  }
}

/// `cancel --wait`: cancel, and while the stage refuses, poll the job and cancel again at each
/// poll; once accepted (or the job ended), wait for the terminal state.
///
/// A stepper like `JobWatch`: fed answers and time, it sends nothing itself.
package struct CancelAndWait: PollStepper {
  /// The job's label, as messages name it.
  let job: String
  package private(set) var watch: JobWatch
  private let cancel: HTTPRequest
  private var retrier: Retrier
  private var cancelPending = true
  private let dialect: Dialect?
  private let shape: Dialect
  private var lastWasCancel = false

  /// `poll` reads the job, `cancel` asks for its cancel; both answers are read by `dialect`
  /// (nil: detected) and the cancel's also by `shape`'s own cancel rules.
  package init(
    job: String, poll: HTTPRequest, cancel: HTTPRequest, dialect: Dialect?, shape: Dialect, policy: PollPolicy
  ) {
    self.job = job
    watch = JobWatch(label: job, request: poll, dialect: dialect, policy: policy)
    self.cancel = cancel
    retrier = Retrier(policy: policy)
    self.dialect = dialect
    self.shape = shape
  }

  package var policy: PollPolicy { watch.policy }
  package var stillText: String { watch.stillText + (cancelPending ? "; the cancel was not accepted yet" : "") }

  package mutating func nextRequest() -> HTTPRequest {
    lastWasCancel = cancelPending && !lastWasCancel
    return lastWasCancel ? cancel : watch.request
  }

  package mutating func absorb(
    _ result: Result<HTTPResponse, TransportFailure>, now: Double, wall: Double, random: RandomSource,
    report: (PollEvent) -> Void
  ) -> PollStep {
    guard lastWasCancel else {
      return watch.absorb(result, now: now, wall: wall, random: random, report: report)
    }
    switch result {
    case .success(let response):
      // The shape's retry-when and gone-when come before any reading of the answer.
      let retryAfter = response.retryAfter(now: wall)
      if let verdict = retrier.policy.answerRules.verdict(
        response, subject: "job \(job)", retryAfter: retryAfter)
      {
        return retrier.handle(verdict, retryAfter: retryAfter, random: random, report: report)
      }
      switch CancelAnswer.interpret(response, dialect: dialect, shape: shape) {
      case .unsupported?:
        return .finish(.rejected(.noCancel(job: job)))
      case .declined(let reason, _)?:
        return .finish(.rejected(.cancelDeclined(job: job, reason: reason)))
      case .accepted?, .alreadyTerminal?:
        cancelPending = false
        retrier.succeeded()
        return .again(after: 0, firm: false)
      case .refused?:
        // Poll the job now; the cancel is tried again before the next poll.
        retrier.succeeded()
        return .again(after: 0, firm: false)
      case nil:
        let verdict = Verdict.of(response, subject: "job \(job)", retryAfter: retryAfter)
        return retrier.handle(
          verdict == .answered ? .end(.rejected(.cancelNotUnderstood(job: nil))) : verdict,
          retryAfter: retryAfter, random: random, report: report)
      }
    case .failure(let failure):
      return retrier.handle(.of(failure), retryAfter: nil, random: random, report: report)
    }
  }
}
