import Dispatch
import JobctlSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Interruptions a test sends, as `Signals` receives the process's: a pipe of its own whose read
/// end is the wake descriptor, written to by `interrupt`, from any thread.
///
/// It counts how often `caught` and `pending` were asked, so a test can check that a wait nothing
/// interrupted never paid for `pending`.
package final class FakeInterruptions: Interruptions, Sendable {
  private let readFD: Int32
  private let writeFD: Int32
  private let caughtSignal = Atomic<Int32>(0)
  private let pendingSignal = Atomic<Int32>(0)
  private let caughtCount = Atomic<Int>(0)
  private let pendingCount = Atomic<Int>(0)

  /// A fake with its own pipe (nil when no pipe can be made).
  package init?() {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { return nil }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    readFD = fds[0]
    writeFD = fds[1]
  }

  deinit {
    close(readFD)
    close(writeFD)
  }

  package var wakeFDs: [Int32] { [readFD] }

  package var caught: Int32? {
    caughtCount.add(1, ordering: .relaxed)
    let s = caughtSignal.load(ordering: .acquiring)
    return s != 0 ? s : nil
  }

  package var pending: Int32? {
    pendingCount.add(1, ordering: .relaxed)
    let s = pendingSignal.load(ordering: .acquiring)
    return s != 0 ? s : caught
  }

  /// How often `caught` and `pending` were asked.
  package var caughtAsked: Int { caughtCount.load(ordering: .relaxed) }
  package var pendingAsked: Int { pendingCount.load(ordering: .relaxed) }

  /// Delivers `signal` as a handler would: recorded for `caught`, or, when `onlyPending`, for
  /// `pending` alone (the reader of stdout gone, which no flag records); then the pipe wakes.
  package func interrupt(_ signal: Int32, onlyPending: Bool = false) {
    if onlyPending {
      pendingSignal.store(signal, ordering: .releasing)
    } else {
      caughtSignal.store(signal, ordering: .releasing)
    }
    var byte: UInt8 = 1
    _ = write(writeFD, &byte, 1)
  }

  /// `interrupt(signal)` from another thread once `seconds` passed.
  package func interrupt(_ signal: Int32, after seconds: Double) {
    DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { self.interrupt(signal) }
  }
}
