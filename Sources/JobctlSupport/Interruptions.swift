/// What ends a wait early: a signal, or the reader of stdout going away.
///
/// Handed in by whoever makes something that sleeps on descriptors (the transport's `poll`), so
/// that it reads no process-wide state of its own and a test can interrupt it with a pipe of its
/// own instead of a signal.
package protocol Interruptions {
  /// Descriptors to poll for `POLLIN` beside one's own: one becomes ready (or reports an error)
  /// when an interruption arrives.
  var wakeFDs: [Int32] { get }
  /// The signal that arrived, or nil: cheap, asked at every wake-up.
  var caught: Int32? { get }
  /// `caught`, or SIGPIPE when the watched reader of stdout is gone: costs a `poll(2)`, so it is
  /// asked only once a wake descriptor spoke.
  var pending: Int32? { get }
}

/// The process's own interruptions, as `Signals` receives them.
package struct ProcessSignals: Interruptions {
  package init() {}

  package var wakeFDs: [Int32] { Signals.wakeFDs }
  package var caught: Int32? { Signals.caught }
  package var pending: Int32? { Signals.pending }
}
