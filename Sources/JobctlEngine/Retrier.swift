import JobctlHTTP
import JobctlShapes
import JobctlSupport

/// Something worth telling the user while a job is watched or a request retried.
package enum PollEvent: Sendable, Equatable {
  /// The job's state, stage, phase or progress changed.
  case state(JobSnapshot, httpStatus: Int)
  /// A failed request will be retried after `delay`.
  case retry(reason: String, delay: Double, failures: Int)
  /// The server asked to slow down; the next request waits `delay`.
  case rateLimited(reason: String, delay: Double)
}

/// What to do after a request.
package enum PollStep: Equatable {
  /// Send the next request after `delay`. `firm` delays come from `Retry-After` and may not be
  /// shortened.
  case again(after: Double, firm: Bool)
  /// Done; nil means success (the job completed, the request was answered).
  case finish(JobctlError?)
}

/// How one answer or failure counts, before any job document is read (docs/behaviour.md "How `wait`
/// behaves").
package enum Verdict: Equatable {
  /// A 2xx answer: the caller reads it.
  case answered
  /// 429, or 503 with `Retry-After`: wait, never a failure.
  case rateLimited(reason: String, retryAfter: Double?)
  /// Worth retrying; `giveUp` is the error once `--max-errors` run out.
  case transient(reason: String, giveUp: GiveUp)
  /// Ends at once.
  case end(JobctlError)

  /// Classifies a transport failure.
  package static func of(_ failure: TransportFailure) -> Verdict {
    switch failure.kind {
    case .interrupted(let signal): return .end(.signaled(signal))
    case .tls: return .end(.unreachable(.untrustedServer(failure.message)))
    case .badURL: return .end(.usage(.transport(failure.message)))
    case .redirect: return .end(.rejected(.transport(failure.message)))
    case .localWrite: return .end(.localWrite(.transport(failure.message)))
    case .tooLarge, .badAnswer: return .transient(reason: failure.message, giveUp: .rejected)
    case .transient: return .transient(reason: failure.message, giveUp: .unreachable)
    }
  }

  /// Classifies an answer by its status.
  ///
  /// `subject` names what was asked for in not-found messages (`job 42`); `retryAfter` is the
  /// answer's parsed `Retry-After`.
  package static func of(
    _ response: HTTPResponse, subject: String, retryAfter: Double?, rules: AnswerRules = .none, gone: Bool = true
  ) -> Verdict {
    if let verdict = rules.verdict(response, subject: subject, retryAfter: retryAfter, gone: gone) { return verdict }
    let status = response.status
    let message = { Messages.forErrorAnswer(status: status, body: response.body) }
    switch status {
    case 200..<300:
      return .answered
    case 429:
      return .rateLimited(reason: message(), retryAfter: retryAfter)
    case 503 where retryAfter != nil:
      return .rateLimited(reason: message(), retryAfter: retryAfter)
    case 408, 500..<600:
      return .transient(reason: message(), giveUp: .unreachable)
    case 403 where retryAfter != nil || response.saysBudgetIsSpent:
      // GitHub's primary rate limit: a 403 that says the budget is spent is waited out.
      return .rateLimited(reason: message(), retryAfter: retryAfter)
    case 401, 403:
      return .end(.authRefused(.credentialsRefused(answer: message())))
    case 404:
      return .end(.notFound(.missing(subject: subject, answer: message())))
    case 410:
      return .end(.notFound(.expired(subject: subject, answer: message())))
    default:
      return .end(.rejected(.errorAnswer(message())))
    }
  }
}

/// What a non-2xx answer means by a shape's `retry-when` and `gone-when` (the rules are data
/// of the shape; judging them is the engine's).
extension AnswerRules {
  /// What a non-2xx answer means by these rules.
  ///
  /// nil when no rule holds (or it is a 2xx, read as the request's own answer). `gone` false: a request that names no job (start, list)
  /// cannot find it gone, so `gone-when` is not judged.
  package func verdict(_ response: HTTPResponse, subject: String, retryAfter: Double?, gone: Bool = true) -> Verdict? {
    guard !(200..<300).contains(response.status), !retryWhen.isEmpty || (gone && !goneWhen.isEmpty) else {
      return nil
    }
    let answer = JobAnswer(response, document: try? JSON.parse(response.body))
    let message = { Messages.forErrorAnswer(status: response.status, body: response.body) }
    if gone, goneWhen.contains(where: { $0.holds(answer) }) {
      return .end(.notFound(.gone(subject: subject, answer: message())))
    }
    if retryWhen.contains(where: { $0.holds(answer) }) {
      return .rateLimited(reason: message(), retryAfter: retryAfter)
    }
    return nil
  }
}

/// The error a retried failure ends in once `--max-errors` run out: only its kind is known when
/// the failure is judged; the message is written when the retries end.
package enum GiveUp: Sendable, Equatable {
  /// Exit 7: the server stayed unreachable or failing.
  case unreachable
  /// Exit 6: the answers were never understood.
  case rejected

  package func error(_ message: JobctlError.Cause) -> JobctlError {
    switch self {
    case .unreachable: return .unreachable(message)
    case .rejected: return .rejected(message)
    }
  }
}

/// Counts failures and rate limits and turns them into delays: the retry rules shared by every
/// request jobctl repeats (polls, starts, cancels, list pages, output downloads).
package struct Retrier {
  private let sharedPolicy: Shared<PollPolicy>
  package var policy: PollPolicy { sharedPolicy.value }
  package private(set) var failures = 0
  private var rateLimits = 0
  /// Requests judged so far, for `--max-attempts`.
  package private(set) var attempts = 0

  package init(policy: PollPolicy) { self.init(policy: Shared(policy)) }

  package init(policy: Shared<PollPolicy>) { self.sharedPolicy = policy }

  /// Counts one request and applies `--max-attempts` to the step it led to: nil when the
  /// attempts ran out (then `ranOut` says how the wait ends).
  ///
  /// The message is made apart, only when it is needed: what the job showed last is text made
  /// from its snapshot, too dear to make at every poll.
  package mutating func counted(_ step: PollStep) -> PollStep? {
    attempts += 1
    if case .again = step, let max = policy.maxAttempts, attempts >= max { return nil }
    return step
  }

  /// How a wait whose attempts ran out ends; `stillText` says what the job showed last.
  package func ranOut(_ stillText: String) -> PollStep {
    .finish(.timedOut(.attemptsRanOut(attempts: attempts, still: stillText)))
  }

  /// A good answer: the failure streak is over.
  package mutating func succeeded() {
    failures = 0
    rateLimits = 0
  }

  /// A failure that counts towards `--max-errors`; `firmDelay` is a `Retry-After` to honour.
  package mutating func failed(
    reason: String, giveUp: GiveUp, firmDelay: Double?, random: RandomSource, report: (PollEvent) -> Void
  ) -> PollStep {
    failures += 1
    if failures >= policy.maxErrors {
      return .finish(giveUp.error(.failuresRanOut(failures: failures, last: reason)))
    }
    let backoff = policy.backoffDelay(failures: failures, random)
    let delay = max(backoff, firmDelay ?? 0)
    report(.retry(reason: reason, delay: delay, failures: failures))
    return .again(after: delay, firm: firmDelay.map { $0 >= backoff } ?? false)
  }

  /// A rate limit: wait as asked (or back off), never counted as a failure.
  package mutating func rateLimited(
    reason: String, retryAfter: Double?, random: RandomSource, report: (PollEvent) -> Void
  ) -> PollStep {
    failures = 0
    rateLimits += 1
    // Retry-After is a minimum, but never below the regular interval: `Retry-After: 0` on a 429
    // must not turn into a tight loop.
    let delay = retryAfter.map { max($0, policy.interval) } ?? policy.backoffDelay(failures: rateLimits, random)
    report(.rateLimited(reason: reason, delay: delay))
    return .again(after: delay, firm: retryAfter != nil)
  }

  /// Applies a verdict other than `.answered`.
  package mutating func handle(
    _ verdict: Verdict, retryAfter: Double?, random: RandomSource, report: (PollEvent) -> Void
  ) -> PollStep {
    switch verdict {
    case .answered:
      succeeded()
      return .finish(nil)
    case .rateLimited(let reason, let after):
      return rateLimited(reason: reason, retryAfter: after, random: random, report: report)
    case .transient(let reason, let giveUp):
      return failed(reason: reason, giveUp: giveUp, firmDelay: retryAfter, random: random, report: report)
    case .end(let error):
      return .finish(error)
    }
  }
}

extension HTTPResponse {
  /// The answer's `Retry-After` as a delay in seconds (nil when absent or unreadable); for a
  /// rate limit (429, 403, 503) without one, the time until a spent budget resets.
  func retryAfter(now unixTime: Double) -> Double? {
    if let delay = header("Retry-After").flatMap({ RetryAfter.delay($0, now: unixTime) }) { return delay }
    guard status == 429 || status == 403 || status == 503,
      let budget = BudgetAnnouncement.read(headers, wall: unixTime), budget.remaining == 0
    else { return nil }
    return budget.reset
  }

  /// `X-RateLimit-Remaining: 0` (or any announced budget at 0): the answer is a rate limit.
  var saysBudgetIsSpent: Bool {
    if header("X-RateLimit-Remaining").map({ Text.trimmed($0) }) == "0" { return true }
    return BudgetAnnouncement.read(headers, wall: 0)?.remaining == 0
  }
}

extension JobctlError {
  /// A `Retry-After` that reaches past `--timeout`: the wait ends at once (124) rather than
  /// sleeping into a deadline it cannot meet.
  static func retryAfterPastDeadline(_ delay: Double, left: Double, limit: String, _ still: String) -> JobctlError {
    .timedOut(
      .retryAfterPastDeadline(wait: delay, capped: delay >= RetryAfter.maximum, left: left, limit: limit, still: still)
    )
  }
}

/// Anything the poll loop can drive: it names each request and judges each result.
package protocol PollStepper {
  var policy: PollPolicy { get }
  /// Why the wait is not over, for timeout messages.
  var stillText: String { get }
  /// What a message that gives up adds so the job can be found again (the job and its URL).
  var whereabouts: String? { get }
  /// The request to send next.
  mutating func nextRequest() -> HTTPRequest
  /// Judges one result at monotonic time `now` (and Unix time `wall`, for HTTP dates).
  mutating func absorb(
    _ result: Result<HTTPResponse, TransportFailure>, now: Double, wall: Double, random: RandomSource,
    report: (PollEvent) -> Void
  ) -> PollStep
}

/// One request repeated until it is answered (2xx), with the retry rules of a wait.
package struct RequestWatch: PollStepper {
  package let request: HTTPRequest
  package let subject: String
  private let alsoAccept: Set<Int>
  private let resendable: Bool
  /// Whether `gone-when` is judged: not for a request that names no job (start, list).
  private let judgesGone: Bool
  private var retrier: Retrier
  /// The 2xx answer, or the last answer seen.
  package private(set) var response: HTTPResponse?
  /// Whether a request may have reached the server: one was answered, failed once it was out,
  /// or is out now (the run ended while it was: a signal, `--timeout`).
  package var mayHaveReachedServer: Bool { reached || outNow }
  private var reached = false
  private var outNow = false

  package var policy: PollPolicy { retrier.policy }
  package var stillText: String { "\(subject) was not answered" }

  /// `resendable` false: a request that may have reached the server is not sent again (a start
  /// where the API ignores `Idempotency-Key`); only failures before it went out, 429 and 503 are.
  package init(
    request: HTTPRequest, subject: String, policy: PollPolicy, alsoAccept: Set<Int> = [], resendable: Bool = true,
    judgesGone: Bool = true
  ) {
    self.request = request
    self.subject = subject
    self.alsoAccept = alsoAccept
    self.resendable = resendable
    self.judgesGone = judgesGone
    self.retrier = Retrier(policy: policy)
  }

  package mutating func nextRequest() -> HTTPRequest {
    outNow = true
    return request
  }

  /// The request's `Idempotency-Key`: it is a start.
  package var idempotencyKey: String? {
    request.headers.first { Text.equalsIgnoringCase($0.name, "Idempotency-Key") }?.value
  }

  package mutating func absorb(
    _ result: Result<HTTPResponse, TransportFailure>, now: Double, wall: Double, random: RandomSource,
    report: (PollEvent) -> Void
  ) -> PollStep {
    let verdict: Verdict
    var retryAfter: Double?
    switch result {
    case .failure(let failure):
      outNow = false
      reached = reached || failure.mayHaveBeenSent
      verdict = .of(failure)
      if !resendable, failure.mayHaveBeenSent, case .transient(let reason, _) = verdict {
        return .finish(.unreachable(Self.mayHaveBeenCreated(subject, reason, request: request)))
      }
    case .success(let answer):
      outNow = false
      let resent = reached
      reached = true
      response = answer
      retryAfter = answer.retryAfter(now: wall)
      let rules = policy.answerRules
      let ruled = rules.verdict(answer, subject: subject, retryAfter: retryAfter, gone: judgesGone)
      // A start sent again after an attempt that may have reached the server, answered "already
      // exists" (a 409, or any error answer saying so that the shape's retry-when does not place,
      // such as Ray's 500): the first attempt made the job. Sending it again would only spend
      // the error budget.
      if resent, let key = idempotencyKey, ruled == nil, answer.status >= 400,
        answer.status == 409 || Self.saysAlreadyExists(answer.body)
      {
        let said = Messages.forErrorAnswer(status: answer.status, body: answer.body)
        return .finish(.rejected(.resentAndRefused(subject: subject, answer: said, idempotencyKey: key)))
      }
      verdict =
        ruled
        ?? (alsoAccept.contains(answer.status) ? .answered : .of(answer, subject: subject, retryAfter: retryAfter))
      if !resendable, answer.status != 503, case .transient(let reason, _) = verdict {
        return .finish(.unreachable(Self.mayHaveBeenCreated(subject, reason, request: request)))
      }
    }
    let step = retrier.handle(verdict, retryAfter: retryAfter, random: random, report: report)
    return retrier.counted(step) ?? retrier.ranOut(stillText)
  }

  /// Whether an error answer says the thing already exists ("already exists", "already
  /// existed"), in any case.
  static func saysAlreadyExists(_ body: [UInt8]) -> Bool {
    Text.lowercased(String(decoding: body.prefix(64 * 1024), as: UTF8.self)).contains("already exist")
  }

  static func mayHaveBeenCreated(_ subject: String, _ reason: String, request: HTTPRequest) -> JobctlError.Cause {
    let key = request.headers.first { Text.equalsIgnoringCase($0.name, "Idempotency-Key") }
    return .startMayHaveBeenMade(subject: subject, reason: reason, idempotencyKey: key?.value)
  }
}
