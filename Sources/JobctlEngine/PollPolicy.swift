import JobctlShapes
import JobctlSupport

/// The timing rules of a wait (docs/behaviour.md "How `wait` behaves"), as plain values.
package struct PollPolicy: Sendable {
  /// Pause between polls of a running job; each pause is jittered by +-`jitter`.
  package var interval: Double = 2
  /// Ceiling for the backoff after failures.
  package var maxInterval: Double = 30
  package var jitter: Double = 0.1
  /// Consecutive failures that end the wait (exit 7, or 6 when the last was not a job document).
  package var maxErrors = 10
  /// Overall limit (exit 124).
  package var timeout: Double?
  /// `--until`: the same limit as a Unix time; the earlier of the two holds.
  package var until: Double?
  /// The monotonic time `timeout` counts from (the start of the process); nil: each run's start.
  package var startedAt: Double?
  /// Polls allowed (exit 124 when used up).
  package var maxAttempts: Int?
  /// No change for this long means stalled (exit 8).
  package var staleAfter: Double?
  /// `--slow-down`: each poll that shows no change lengthens the interval by half, up to
  /// `maxInterval`; a change brings it back.
  package var slowDown = false
  /// `status`: a running job is an answer (exit 9); trouble and rate limits are still retried.
  package var oneShot = false
  /// The shape's `retry-when` and `gone-when`, judged on every non-2xx answer of the run.
  package var answerRules = AnswerRules.none

  /// The `--timeout` of a `status` given none (docs/behaviour.md "Starting, cancelling, listing,
  /// fetching output").
  package static let statusTimeout: Double = 60

  package init() {}

  /// The pause before the next regular poll: `interval` +-`jitter`, grown by half for each of
  /// `unchanged` polls in a row that showed no change when `slowDown` is on.
  package func regularDelay(_ random: RandomSource, unchanged: Int = 0) -> Double {
    var base = interval
    if slowDown {
      for _ in 0..<min(unchanged, 64) where base < maxInterval { base *= 1.5 }
      base = max(interval, min(base, maxInterval))
    }
    return base * (1 - jitter + 2 * jitter * random.unit())
  }

  /// The pause after `failures` consecutive failures: exponential with full jitter, between
  /// `interval` and `min(maxInterval, interval * 2^failures)`.
  package func backoffDelay(failures: Int, _ random: RandomSource) -> Double {
    let ceiling = max(interval, min(maxInterval, interval * Double(1 << min(max(failures, 0), 30))))
    return interval + (ceiling - interval) * random.unit()
  }

  /// Where `timeout` and `until` end, in monotonic seconds (nil: no limit).
  package func deadline(runStart: Double, clock: Clock) -> Double? {
    let byTimeout = timeout.map { (startedAt ?? runStart) + $0 }
    let byUntil = until.map { clock.monotonic + ($0 - clock.wall) }
    switch (byTimeout, byUntil) {
    case (let t?, let u?): return min(t, u)
    case (let t?, nil): return t
    case (nil, let u?): return u
    case (nil, nil): return nil
    }
  }

  /// Where `timeout` ends, in monotonic seconds (nil: none).
  ///
  /// `until` is no monotonic deadline: it holds against the wall clock, which a suspend or an NTP step moves (`Scheduler.run`).
  package func timeoutDeadline(runStart: Double) -> Double? {
    timeout.map { (startedAt ?? runStart) + $0 }
  }

  /// True when `--until` is the limit that holds (it ends before `--timeout`).
  private func untilHolds(clock: Clock) -> Bool {
    guard let until else { return false }
    guard let timeout else { return true }
    return until - clock.wall < (startedAt.map { $0 + timeout - clock.monotonic } ?? timeout)
  }

  /// The limit that holds, as the user gave it: `--timeout 5s`, `--until 2026-12-01T20:00:00Z`.
  package func limitName(clock: Clock) -> String {
    if untilHolds(clock: clock), let until { return "--until \(HTTPDate.iso8601(until))" }
    return "--timeout " + (timeout.map(DurationText.format) ?? "")
  }

  /// Why a wait that ran out of time ended; `still` says how the job was.
  package func limitReached(clock: Clock, still: String) -> JobctlError.Cause {
    .timeLimit(until: untilHolds(clock: clock) ? until : nil, after: timeout, still: still)
  }
}
