import Glibc

/// SIGINT and SIGTERM, blocked in every thread and collected synchronously with `sigwait`.
///
/// Waiting for the signal on the main thread avoids async-signal-safety concerns altogether:
/// no handler runs, so the server can be stopped with ordinary locks and syscalls.
struct TerminationSignals {
  private var set = sigset_t()

  /// Blocks SIGINT and SIGTERM in the calling thread and in every thread it starts afterwards.
  static func block() -> TerminationSignals {
    var signals = TerminationSignals()
    sigemptyset(&signals.set)
    sigaddset(&signals.set, SIGINT)
    sigaddset(&signals.set, SIGTERM)
    pthread_sigmask(SIG_BLOCK, &signals.set, nil)
    return signals
  }

  /// Waits for SIGINT or SIGTERM and returns which one came.
  func wait() -> Int32 {
    var set = set
    var received: Int32 = 0
    while sigwait(&set, &received) != 0 {}
    return received
  }
}
