/// Something worth telling the user while a job is watched.
public enum PollEvent: Sendable, Equatable {
  /// The job's state, stage, phase or progress changed.
  case state(JobSnapshot, httpStatus: Int)
  /// A failed poll will be retried after `delay`.
  case retry(reason: String, delay: Double, failures: Int)
  /// The server asked to slow down; the next poll waits `delay`.
  case rateLimited(reason: String, delay: Double)
}

/// The rules of section 5 for one job, as a state machine fed with poll results.
///
/// It owns no clock, socket or sleep: the caller hands it each result and the current time, and
/// it answers when to poll next or how the wait ends. That keeps every rule (backoff, Retry-After,
/// max-errors, stale detection, terminal states) testable in microseconds.
public struct JobWatch {
  /// What to do after a poll.
  public enum Step: Equatable {
    /// Poll again after `delay`. `firm` delays come from `Retry-After` and may not be shortened.
    case pollAgain(after: Double, firm: Bool)
    /// The wait is over; nil means the job completed.
    case finish(JobctlError?)
  }

  public let label: String
  public let policy: PollPolicy
  /// The shape in use; with `auto`, nil until a document shows one.
  public private(set) var dialect: Dialect?
  private let detecting: Bool
  public private(set) var attempts = 0
  private var failures = 0
  private var rateLimits = 0
  private var lastActivity: String?
  private var lastActivityAt = 0.0
  private var lastDisplay: String?

  /// The last job document seen, verbatim, with what it says.
  public private(set) var lastBody: [UInt8]?
  public private(set) var lastDocument: JSON?
  public private(set) var lastSnapshot: JobSnapshot?

  /// `dialect` nil means `auto`.
  public init(label: String, dialect: Dialect?, policy: PollPolicy) {
    self.label = label
    self.dialect = dialect
    self.detecting = dialect == nil
    self.policy = policy
  }

  /// Takes one poll's result at monotonic time `now` (and Unix time `wall`, for HTTP dates).
  public mutating func absorb(
    _ result: Result<HTTPResponse, TransportFailure>, now: Double, wall: Double, random: RandomSource,
    report: (PollEvent) -> Void
  ) -> Step {
    attempts += 1
    let step: Step
    switch result {
    case .failure(let failure):
      step = absorbFailure(failure, random: random, report: report)
    case .success(let response):
      step = absorbResponse(response, now: now, wall: wall, random: random, report: report)
    }
    if case .pollAgain = step, let max = policy.maxAttempts, attempts >= max {
      return .finish(.timedOut("gave up after \(attempts) attempt\(attempts == 1 ? "" : "s"); \(stillText)"))
    }
    return step
  }

  /// "job X is still running (stage ...)" for timeout messages.
  public var stillText: String {
    guard let s = lastSnapshot else { return "job \(label) never answered with a job document" }
    var text = "job \(label) is still \(s.state.rawValue)"
    var details: [String] = []
    if let stage = s.stage { details.append("stage \(Text.oneLine(stage))") }
    if let phase = s.phase, !phase.isEmpty { details.append(phase) }
    if let p = s.progress { details.append(Text.percent(p)) }
    if !details.isEmpty { text += " (" + details.joined(separator: ", ") + ")" }
    return text
  }

  private mutating func absorbFailure(
    _ failure: TransportFailure, random: RandomSource, report: (PollEvent) -> Void
  ) -> Step {
    switch failure.kind {
    case .interrupted(let signal):
      return .finish(.interrupted(signal: signal))
    case .tls:
      return .finish(.unreachable("\(failure.message) (use --cacert FILE to trust a private CA)"))
    case .badURL:
      return .finish(.usage(failure.message))
    case .redirect:
      return .finish(.rejected(failure.message))
    case .tooLarge:
      return retry(reason: failure.message, final: JobctlError.rejected, firmDelay: nil, random: random, report: report)
    case .transient:
      return retry(
        reason: failure.message, final: JobctlError.unreachable, firmDelay: nil, random: random, report: report)
    }
  }

  private mutating func absorbResponse(
    _ response: HTTPResponse, now: Double, wall: Double, random: RandomSource, report: (PollEvent) -> Void
  ) -> Step {
    let retryAfter = response.header("Retry-After").flatMap { RetryAfter.delay($0, now: wall) }
    let status = response.status
    switch status {
    case 200..<300:
      break
    case _ where status == 429 || (status == 503 && retryAfter != nil):
      failures = 0
      rateLimits += 1
      let reason = Messages.forErrorAnswer(status: status, body: response.body)
      if policy.oneShot {
        let hint = retryAfter.map { "; retry after \(DurationText.format($0))" } ?? ""
        return .finish(.unreachable("rate limited: \(reason)\(hint)"))
      }
      let delay = retryAfter ?? policy.backoffDelay(failures: rateLimits, random)
      report(.rateLimited(reason: reason, delay: delay))
      return .pollAgain(after: delay, firm: retryAfter != nil)
    case 408, 500..<600:
      return retry(
        reason: Messages.forErrorAnswer(status: status, body: response.body), final: JobctlError.unreachable,
        firmDelay: retryAfter, random: random, report: report)
    case 401, 403:
      let hint = " (check the token: JOBCTL_TOKEN or --token-file)"
      return .finish(.authRefused(Messages.forErrorAnswer(status: status, body: response.body) + hint))
    case 404:
      return .finish(
        .notFound("job \(label) not found: \(Messages.forErrorAnswer(status: status, body: response.body))"))
    case 410:
      return .finish(.notFound("job \(label) expired: \(Messages.forErrorAnswer(status: status, body: response.body))"))
    default:
      return .finish(.rejected(Messages.forErrorAnswer(status: status, body: response.body)))
    }

    guard let (snapshot, document) = read(response.body) else {
      return retry(
        reason: "the answer (\(HTTPStatus.describe(status))) is not a job document\(detectionHint(response.body))",
        final: JobctlError.rejected, firmDelay: retryAfter, random: random, report: report)
    }
    failures = 0
    rateLimits = 0
    lastBody = response.body
    lastDocument = document
    lastSnapshot = snapshot
    if snapshot.displayKey != lastDisplay {
      lastDisplay = snapshot.displayKey
      report(.state(snapshot, httpStatus: status))
    }
    switch snapshot.state {
    case .completed:
      return .finish(nil)
    case .failed:
      return .finish(.jobFailed("job \(label) failed" + (snapshot.error.map { ": \($0)" } ?? "")))
    case .canceled:
      return .finish(.jobCanceled("job \(label) was canceled" + (snapshot.error.map { ": \($0)" } ?? "")))
    case .pending, .running:
      break
    }
    if policy.oneShot { return .finish(.stillRunning(stillText)) }
    if snapshot.activityKey != lastActivity {
      lastActivity = snapshot.activityKey
      lastActivityAt = now
    } else if let staleAfter = policy.staleAfter, now - lastActivityAt >= staleAfter {
      return .finish(
        .stalled("the job looks stalled: \(stillText) with no change for \(DurationText.format(now - lastActivityAt))"))
    }
    let delay = policy.regularDelay(random)
    if let retryAfter, retryAfter > delay { return .pollAgain(after: retryAfter, firm: true) }
    return .pollAgain(after: delay, firm: false)
  }

  /// A failure that counts towards `--max-errors`; `final` makes the error once they run out.
  private mutating func retry(
    reason: String, final: (String) -> JobctlError, firmDelay: Double?, random: RandomSource,
    report: (PollEvent) -> Void
  ) -> Step {
    failures += 1
    if policy.oneShot { return .finish(final(reason)) }
    if failures >= policy.maxErrors {
      return .finish(
        final("gave up after \(failures) consecutive failure\(failures == 1 ? "" : "s"); the last: \(reason)"))
    }
    let backoff = policy.backoffDelay(failures: failures, random)
    let delay = max(backoff, firmDelay ?? 0)
    report(.retry(reason: reason, delay: delay, failures: failures))
    return .pollAgain(after: delay, firm: firmDelay.map { $0 >= backoff } ?? false)
  }

  /// Parses a body and reads it with the fixed shape, or detects one under `auto`.
  ///
  /// Under `auto` the shape is chosen from the first document that identifies it; a document that
  /// the chosen shape cannot read sends detection round again (a staged job's first answer can
  /// look like the simple shape's `pending`).
  private mutating func read(_ body: [UInt8]) -> (JobSnapshot, JSON)? {
    guard let document = try? JSON.parse(body), document.isObject else { return nil }
    if let dialect, let snapshot = dialect.read(document) { return (snapshot, document) }
    guard detecting, let found = Dialects.detect(document), let snapshot = found.read(document) else {
      return nil
    }
    dialect = found
    return (snapshot, document)
  }

  private func detectionHint(_ body: [UInt8]) -> String {
    guard let document = try? JSON.parse(body) else { return " (not JSON)" }
    guard document.isObject else { return " (JSON, but not an object)" }
    if let dialect, let key = dialect.statusKey, let value = document[key] {
      return " (unknown \(key) \(Text.oneLine(value.serialized(), limit: 60)) for the \(dialect.name) shape)"
    }
    return detecting
      ? " (no known response shape fits; try --dialect)" : " (it does not fit the \(dialect?.name ?? "") shape)"
  }
}
