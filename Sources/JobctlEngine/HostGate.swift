import JobctlHTTP
import JobctlSupport

/// What stands between the jobs of one host and port and their next request: the cap on requests
/// in flight, a `Retry-After`, and the pace of the budget the server announces.
struct HostGate {
  let key: String
  var inFlight = 0
  /// No request before this (monotonic seconds): a `Retry-After`.
  var holdUntilTime = 0.0
  var budget = RequestBudget()
  /// Jobs that are due and wait for this host, in the order they fell due, with their requests.
  var waiting = IndexQueue<HTTPRequest>()
  var dirty = false
  /// The time of this host's entry in the wake heap, so it is pushed once.
  var wakeAt: Double?
  /// The budget's pace holds requests back, and a pause was announced for it.
  var pacing = false

  init(key: String) { self.key = key }

  /// When the next request may go: the latest of `Retry-After` and the budget's pace.
  var opensAt: Double { max(holdUntilTime, budget.nextAllowed) }

  mutating func holdUntil(_ time: Double) {
    holdUntilTime = max(holdUntilTime, time)
  }

  /// A request due at `due`, from a job polled every `interval`, went out at `now`.
  ///
  /// `interval` is only read while a slowdown is announced: every poll of every job passes here.
  mutating func sent(at now: Double, due: Double, interval: @autoclosure () -> Double) {
    budget.sent(at: now)
    // Requests go about on time again: the next slowdown is news.
    if pacing, now - due < RequestBudget.noticeable(interval()) / 2 { pacing = false }
  }

  /// The pause to announce when the budget's pace holds a request back noticeably.
  ///
  /// Noticeably: the request, due at `due` from a job polled every `interval`, waits past its
  /// due time by more than its interval and a second. Told once, until requests go about on time
  /// again, so a wait paced for an hour says so once rather than at every poll. A `Retry-After`
  /// and a spent budget are told where they arrive.
  mutating func pacingPause(due: Double, interval: @autoclosure () -> Double, now: Double) -> RequestBudget.Pause? {
    let opens = budget.nextAllowed
    guard !pacing, opens > holdUntilTime, let left = budget.remaining, left > 0,
      opens - due > RequestBudget.noticeable(interval())
    else { return nil }
    pacing = true
    let window = DurationText.format(max(0, budget.resetAt - now).rounded(.up))
    let requests = left == 1 ? "1 request" : "\(left) requests"
    return RequestBudget.Pause(
      reason: "keeping the server's request budget: \(requests) left for \(window)", delay: opens - now)
  }

  /// Reads an answer's budget headers; returns a pause worth announcing.
  mutating func absorb(_ response: HTTPResponse, now: Double, wall: Double) -> RequestBudget.Pause? {
    budget.absorb(response, now: now, wall: wall)
  }
}
