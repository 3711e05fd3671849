import Glibc

/// A pthread mutex paired with a condition variable whose timed waits use CLOCK_MONOTONIC.
///
/// Every blocking wait in the server goes through one of these so that `stop()` can wake it with
/// a single broadcast; the monotonic clock keeps timeouts honest when the wall clock jumps.
/// Sendable because it is the lock: its pointers never change, and pthreads guard what they hold.
final class ConditionLock: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>
  private let condition: UnsafeMutablePointer<pthread_cond_t>

  init() {
    mutex = .allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    pthread_mutex_init(mutex, nil)
    condition = .allocate(capacity: 1)
    condition.initialize(to: pthread_cond_t())
    var attributes = pthread_condattr_t()
    pthread_condattr_init(&attributes)
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
    pthread_cond_init(condition, &attributes)
    pthread_condattr_destroy(&attributes)
  }

  deinit {
    pthread_cond_destroy(condition)
    pthread_mutex_destroy(mutex)
    condition.deallocate()
    mutex.deallocate()
  }

  /// Runs `body` with the mutex held.
  func withLock<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body()
  }

  /// Waits, with the mutex held by the caller, until signalled or `deadline` (monotonic seconds).
  ///
  /// Returns false once the deadline has passed; spurious wake-ups return true, so callers loop
  /// on their own predicate.
  func wait(until deadline: Double) -> Bool {
    if deadline <= monotonicSeconds() { return false }
    let clamped = min(deadline, monotonicSeconds() + 86_400 * 365)
    let whole = clamped.rounded(.down)
    var spec = timespec(tv_sec: Int(whole), tv_nsec: Int((clamped - whole) * 1_000_000_000))
    return pthread_cond_timedwait(condition, mutex, &spec) != ETIMEDOUT
  }

  /// Wakes every waiter; call with the mutex held so no wake-up is lost.
  func broadcast() {
    pthread_cond_broadcast(condition)
  }
}

/// Seconds on CLOCK_MONOTONIC, the time base of `Request.time` and of every server timeout.
func monotonicSeconds() -> Double {
  var now = timespec()
  clock_gettime(CLOCK_MONOTONIC, &now)
  return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
}
