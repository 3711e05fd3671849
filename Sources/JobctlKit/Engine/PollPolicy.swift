/// The timing rules of a wait (contract section 5), as plain values.
public struct PollPolicy: Sendable {
  /// Pause between polls of a running job; each pause is jittered by +-`jitter`.
  public var interval: Double = 2
  /// Ceiling for the backoff after failures.
  public var maxInterval: Double = 30
  public var jitter: Double = 0.1
  /// Consecutive failures that end the wait (exit 7, or 6 when the last was not a job document).
  public var maxErrors = 10
  /// Overall limit (exit 124).
  public var timeout: Double?
  /// Polls allowed (exit 124 when used up).
  public var maxAttempts: Int?
  /// No change for this long means stalled (exit 8).
  public var staleAfter: Double?
  /// `status`: one poll, no retries, a running job is an answer.
  public var oneShot = false

  public init() {}

  /// The pause before the next regular poll: `interval` +-`jitter`.
  public func regularDelay(_ random: RandomSource) -> Double {
    interval * (1 - jitter + 2 * jitter * random.unit())
  }

  /// The pause after `failures` consecutive failures: exponential with full jitter, between
  /// `interval` and `min(maxInterval, interval * 2^failures)`.
  public func backoffDelay(failures: Int, _ random: RandomSource) -> Double {
    let ceiling = max(interval, min(maxInterval, interval * Double(1 << min(max(failures, 0), 30))))
    return interval + (ceiling - interval) * random.unit()
  }
}
