#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What ends a wait early: a signal, or the reader of stdout going away.
///
/// Handed in by whoever makes something that sleeps on descriptors (the transport's `poll`,
/// `BoundedInput`, the file layer's waits), so
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

/// How a wait of `Interruptions.poll` ended.
package enum PollEnd: Equatable {
  /// The time passed or one of the caller's descriptors is ready (see their `revents`).
  case woken
  /// A signal arrived, or the watched reader of stdout is gone.
  case interrupted(Int32)
  /// `poll(2)` failed with this `errno` (not EINTR).
  case failed(Int32)
}

extension Interruptions {
  /// Polls `fds` (their `revents` set on return) together with the wake descriptors, for at most
  /// `milliseconds` (-1: no limit).
  ///
  /// `caught` is asked before and after the wait, `pending` (which costs a `poll(2)`) only once a
  /// wake descriptor spoke: a wait that nothing interrupts stays cheap.
  package func poll(_ fds: inout [pollfd], milliseconds: Int32) -> PollEnd {
    if let s = caught { return .interrupted(s) }
    let own = fds.count
    var all = fds + wakeFDs.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    let r = pollDescriptors(&all, milliseconds)
    if r < 0 && errno != EINTR { return .failed(errno) }
    fds = Array(all[..<own])
    if let s = caught { return .interrupted(s) }
    if r > 0, all[own...].contains(where: { $0.revents != 0 }), let s = pending { return .interrupted(s) }
    return .woken
  }
}

/// `poll(2)`, out of reach of `Interruptions.poll`'s name.
private func pollDescriptors(_ fds: inout [pollfd], _ milliseconds: Int32) -> Int32 {
  poll(&fds, nfds_t(fds.count), milliseconds)
}
