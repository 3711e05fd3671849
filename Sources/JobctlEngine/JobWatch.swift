import JobctlHTTP
import JobctlShapes
import JobctlSupport

/// The rules of section 5 for one job, as a state machine fed with poll results.
///
/// It owns no clock, socket or sleep: the caller hands it each result and the current time, and
/// it answers when to poll next or how the wait ends. That keeps every rule (backoff, Retry-After,
/// max-errors, stale detection, terminal states) testable in microseconds.
package struct JobWatch: PollStepper {
  package let label: String
  /// The request's fixed parts, shared by every job of a wait; the URL and the host its
  /// credentials are for are this job's own.
  private let template: Shared<HTTPRequest>
  private let url: String
  private let credentialHost: String?
  package var request: HTTPRequest {
    var request = template.value
    request.url = url
    request.credentialHost = credentialHost
    return request
  }
  /// The shape in use; with `auto`, nil until a document shows one.
  package private(set) var dialect: Dialect?
  private let detecting: Bool
  private var retrier: Retrier
  package var attempts: Int { retrier.attempts }
  /// Quiet time on the poll timeline since the last change seen: between two polls, at most the
  /// pause this watch asked for counts, so a rate limit or backoff longer than `--stale-after`
  /// is no stall.
  private var quietFor = 0.0
  private var lastPollAt: Double?
  private var lastPause = 0.0
  /// A change was seen after the first document (the first one says nothing of activity).
  private var sawChange = false
  /// Polls in a row that showed no change, for `--slow-down`.
  private var unchanged = 0

  /// The last job document seen, verbatim, with what it says.
  ///
  /// Kept as bytes alone (`WaitOutcome.document` parses them again where a value is read): with
  /// the parsed document beside them, 100,000 jobs held each document twice.
  package private(set) var lastBody: [UInt8]?
  package private(set) var lastSnapshot: JobSnapshot?

  package var policy: PollPolicy { retrier.policy }

  /// `dialect` nil means `auto`.
  package init(label: String, request: HTTPRequest, dialect: Dialect?, policy: PollPolicy) {
    self.init(
      label: label, url: request.url, credentialHost: request.credentialHost, template: Shared(request),
      dialect: dialect, policy: Shared(policy))
  }

  /// One of many jobs: `template` and `policy` are shared by all of them.
  package init(
    label: String, url: String, credentialHost: String?, template: Shared<HTTPRequest>, dialect: Dialect?,
    policy: Shared<PollPolicy>
  ) {
    self.label = label
    self.template = template
    self.url = url
    self.credentialHost = credentialHost
    self.dialect = dialect
    self.detecting = dialect == nil
    self.retrier = Retrier(policy: policy)
  }

  package mutating func nextRequest() -> HTTPRequest { request }

  package mutating func absorb(
    _ result: Result<HTTPResponse, TransportFailure>, now: Double, wall: Double, random: RandomSource,
    report: (PollEvent) -> Void
  ) -> PollStep {
    let step: PollStep
    switch result {
    case .failure(let failure):
      step = retrier.handle(.of(failure), retryAfter: nil, random: random, report: report)
    case .success(let response):
      step = absorbResponse(response, now: now, wall: wall, random: random, report: report)
    }
    return retrier.counted(step) ?? retrier.ranOut(stillText)
  }

  /// "job X is still running (stage ...)" for timeout messages.
  package var stillText: String {
    guard let s = lastSnapshot else { return "job \(label) never answered with a job document" }
    var text = "job \(label) is still \(s.state.rawValue)"
    var details: [String] = []
    if let stage = s.stage { details.append("stage \(Text.oneLine(stage))") }
    if let phase = s.phase, !phase.isEmpty { details.append(phase) }
    if let p = s.progress { details.append(Text.percent(p)) }
    if !details.isEmpty { text += " (" + details.joined(separator: ", ") + ")" }
    return text
  }

  /// Reads a job document that came from somewhere else (a start answer), as if polled; nil when
  /// it fits none of the shape's conditions (then the first poll decides).
  ///
  /// `documentOnly`: the job is polled at another URL than the one that answered, so only a
  /// condition that reads the document may decide; the status and headers of the start answer say
  /// nothing of that URL (an `http-202` start answered 201 is not done).
  package mutating func adopt(
    _ response: HTTPResponse, now: Double, documentOnly: Bool = false, report: (PollEvent) -> Void
  ) -> PollStep? {
    guard case .judged(let snapshot) = read(response) else { return nil }
    if documentOnly, snapshot.decidedBy?.condition?.readsDocument != true { return nil }
    return absorbDocument(
      snapshot, response: response, now: now, wall: nil, retryAfter: nil, random: nil, report: report)
  }

  private mutating func absorbResponse(
    _ response: HTTPResponse, now: Double, wall: Double, random: RandomSource, report: (PollEvent) -> Void
  ) -> PollStep {
    let retryAfter = response.retryAfter(now: wall)
    // A status that a condition names is the shape's to judge (`--failed-when @http=409`).
    let named = dialect?.namedStatuses.contains(response.status) ?? false
    // The shape's retry-when and gone-when first; a 2xx (nearly every poll) skips them unread.
    let ruled =
      (200..<300).contains(response.status)
      ? nil : policy.answerRules.verdict(response, subject: "job \(label)", retryAfter: retryAfter)
    let verdict = ruled ?? (named ? .answered : Verdict.of(response, subject: "job \(label)", retryAfter: retryAfter))
    guard verdict == .answered else {
      return retrier.handle(verdict, retryAfter: retryAfter, random: random, report: report)
    }
    var answer: String { "the answer (\(HTTPStatus.describe(response.status)))" }
    switch read(response) {
    case .judged(let snapshot):
      return absorbDocument(
        snapshot, response: response, now: now, wall: wall, retryAfter: retryAfter, random: random,
        report: report)
    case .unreadable(let why):
      let reason = JobctlError.Cause.notAJobDocument(answer: answer, why: why).message
      return retrier.failed(
        reason: reason, giveUp: .rejected, firmDelay: retryAfter, random: random, report: report)
    case .notUnderstood(let why):
      // JSON that no condition can place: waiting longer would not help (docs/shapes.md "Any job
      // API").
      return .finish(.rejected(.notAJobDocument(answer: answer, why: why)))
    }
  }

  private mutating func absorbDocument(
    _ snapshot: JobSnapshot, response: HTTPResponse, now: Double, wall: Double?,
    retryAfter: Double?, random: RandomSource?, report: (PollEvent) -> Void
  ) -> PollStep {
    retrier.succeeded()
    lastBody = response.body
    // The snapshot before this one is what activity and the progress line are judged against.
    let previous = lastSnapshot
    lastSnapshot = snapshot
    if previous.map({ !snapshot.sameDisplay(as: $0) }) ?? true {
      report(.state(snapshot, httpStatus: response.status))
    }
    if snapshot.state.isTerminal { return .finish(Self.ending(snapshot, label: label)) }
    if policy.oneShot { return .finish(.stillRunning(.unfinished(still: stillText))) }
    if let quiet = stall(snapshot, previous: previous, response: response, now: now, wall: wall) {
      return .finish(.stalled(.looksStalled(still: stillText, quiet: quiet)))
    }
    let delay = random.map { policy.regularDelay($0, unchanged: unchanged) } ?? 0
    lastPause = delay
    if let retryAfter, retryAfter > delay { return .again(after: retryAfter, firm: true) }
    return .again(after: delay, firm: false)
  }

  /// How a job in a terminal state ends: nil once completed, else its failure or cancel.
  package static func ending(_ snapshot: JobSnapshot, label: String) -> JobctlError? {
    switch snapshot.state {
    case .failed: return .jobFailed(.failed(job: label, detail: snapshot.error))
    case .canceled: return .jobCanceled(.canceled(job: label, detail: snapshot.error))
    case .completed, .pending, .running: return nil
    }
  }

  /// Follows activity for `--stale-after` and `--slow-down`; returns how long the job has been
  /// quiet when that makes it stalled.
  ///
  /// An update time is judged on the server's clock (its `Date` minus the update time; the local
  /// clock without a `Date`), so a job already silent for longer than `--stale-after` ends at
  /// the first poll. Any other change is judged on the poll timeline.
  ///
  /// `previous` is the snapshot of the poll before; every one that did not end the wait came
  /// through here.
  private mutating func stall(
    _ snapshot: JobSnapshot, previous: JobSnapshot?, response: HTTPResponse, now: Double, wall: Double?
  ) -> Double? {
    let gap = lastPollAt.map { min(now - $0, max(lastPause, policy.interval)) } ?? 0
    lastPollAt = now
    if let previous, !snapshot.sameActivity(as: previous) {
      sawChange = true
      quietFor = 0
      unchanged = 0
    } else if previous != nil {
      quietFor += gap
      unchanged += 1
    }
    guard let staleAfter = policy.staleAfter else { return nil }
    if let updatedAt = snapshot.updatedAt, let wall {
      let serverNow = response.header("Date").flatMap(HTTPDate.parse) ?? wall
      let serverQuiet = serverNow - updatedAt
      guard serverQuiet >= staleAfter else { return nil }
      if !sawChange { return serverQuiet }
      return quietFor >= staleAfter ? min(serverQuiet, quietFor) : nil
    }
    return quietFor >= staleAfter ? quietFor : nil
  }

  /// What one answer says, before the wait's rules apply.
  private enum Reading {
    /// A job document, or any body for a shape that takes one.
    case judged(JobSnapshot)
    /// Not JSON: perhaps a proxy's page; worth another poll.
    case unreadable(String)
    /// JSON that no condition places: the wait ends at once.
    case notUnderstood(String)
  }

  /// Judges an answer with the fixed shape, or detects one under `auto`.
  ///
  /// Under `auto` the shape is chosen from the first document that identifies it; a document that
  /// the chosen shape cannot read sends detection round again (a staged job's first answer can
  /// look like the simple shape's `pending`).
  private mutating func read(_ response: HTTPResponse) -> Reading {
    // The same bytes as the last answer judged, to a shape that reads nothing but the body, say
    // the same: a job polled while it waits mostly answers alike, and parsing and judging it
    // again was a large share of a poll (docs/performance.md).
    if let dialect, dialect.readsBodyOnly, let lastSnapshot, let lastBody, response.body == lastBody {
      return .judged(lastSnapshot)
    }
    var parsed: JSON?
    var problem = ""
    var blank = false
    do {
      parsed = try JSON.parse(response.body)
    } catch {
      blank = response.body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
      problem = blank ? "an empty body" : "not JSON: \(error.reason) at byte \(error.offset)"
    }
    let answer = JobAnswer(response, document: parsed)
    func decided(_ judgement: Judgement) -> Reading {
      switch judgement {
      case .state(var snapshot, let why):
        snapshot.decidedBy = why
        return .judged(snapshot)
      case .notUnderstood(let why):
        return .notUnderstood(why)
      }
    }
    if let dialect, !dialect.readsDocument { return decided(dialect.judge(answer)) }
    guard let document = parsed else {
      if let dialect, let judgement = dialect.judgeWithoutDocument(answer) { return decided(judgement) }
      // A success with nothing in it says no more when asked again: not understood, at once.
      guard blank else { return .unreadable(problem) }
      guard let dialect, !detecting else {
        return .notUnderstood(
          "an empty body; an API that answers 202 with no body until the work is done is --dialect http-202 (Azure: --dialect azure-operation)"
        )
      }
      return .notUnderstood("an empty body, where the \(dialect.name) shape needs a job document")
    }
    guard document.isObject else { return .notUnderstood("JSON, but not an object") }
    if let dialect {
      let judgement = dialect.judge(answer)
      if case .state = judgement { return decided(judgement) }
      if case .notUnderstood(let why) = judgement, !detecting {
        return .notUnderstood("it fits none of the \(dialect.name) shape's conditions: \(why)")
      }
    }
    guard let found = Dialects.detect(document) else { return .notUnderstood(Dialects.autoFailure(answer)) }
    dialect = found
    return decided(found.judge(answer))
  }
}
