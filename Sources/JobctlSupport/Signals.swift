import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// SIGINT/SIGTERM/SIGHUP turned into something a poll loop can wait on: a flag plus a self-pipe.
///
/// The handler only stores the signal number and writes one byte, both async-signal-safe. The
/// pipe's read end is handed to `poll()` and `curl_multi_poll()` as an extra descriptor, so a
/// sleep or a request in flight wakes at once. Installed from library code: a closure handler in
/// top-level `main.swift` would be main-actor isolated, which traps in Swift 6.
///
/// The reader of stdout going away counts as SIGPIPE (which is ignored, so it never arrives):
/// once `watchReader(of:)` is called, the pipe's hang-up wakes the same polls and `pending` says
/// SIGPIPE, so a wait ends at once rather than at its next write.
package enum Signals {
  private static let received = Atomic<Int32>(0)
  nonisolated(unsafe) private static var pipeFDs: (read: Int32, write: Int32) = (-1, -1)
  /// The pipe on stdout whose reader is watched; -1 when none is.
  nonisolated(unsafe) private static var readerFD: Int32 = -1

  /// The descriptor that becomes readable once a signal arrived; -1 before `install()`.
  package static var wakeFD: Int32 { pipeFDs.read }

  /// The descriptors a sleep or a request in flight also polls (for `POLLIN`), to end early: the
  /// signal pipe, and the watched stdout pipe (its write end never becomes readable, but reports
  /// POLLERR once its reader is gone, whatever the events asked).
  package static var wakeFDs: [Int32] { [pipeFDs.read, readerFD].filter { $0 >= 0 } }

  /// The signal that arrived (SIGINT, SIGTERM or SIGHUP), or nil; the reader of stdout is not asked.
  package static var caught: Int32? {
    let s = received.load(ordering: .relaxed)
    return s != 0 ? s : nil
  }

  /// The signal that arrived (SIGINT or SIGTERM), SIGPIPE when the watched reader is gone, or
  /// nil.
  package static var pending: Int32? {
    if let s = caught { return s }
    guard readerFD >= 0 else { return nil }
    var fd = pollfd(fd: readerFD, events: 0, revents: 0)
    guard poll(&fd, 1, 0) == 1, fd.revents & Int16(POLLERR | POLLHUP) != 0 else { return nil }
    return SIGPIPE
  }

  /// Watches `fd` for its reader going away, when it is a pipe (a file or terminal has none).
  package static func watchReader(of fd: Int32) {
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFIFO else { return }
    readerFD = fd
  }

  /// Forgets a signal that was handled, so one more request can be sent (the cancel of
  /// `--cancel-on-interrupt`); a second signal interrupts again.
  package static func reset() {
    received.store(0, ordering: .relaxed)
    guard pipeFDs.read >= 0 else { return }
    var buffer = [UInt8](repeating: 0, count: 64)
    while read(pipeFDs.read, &buffer, buffer.count) > 0 {}
  }

  /// Installs the handlers and ignores SIGPIPE.
  ///
  /// libcurl runs with NOSIGNAL, and a closed stdout must end jobctl quietly rather than kill it.
  /// Call once, before any thread starts.
  package static func install() {
    guard pipeFDs.read < 0 else { return }
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { return }
    for fd in fds {
      _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
      _ = fcntl(fd, F_SETFL, O_NONBLOCK)
    }
    pipeFDs = (fds[0], fds[1])
    _ = received.load(ordering: .relaxed)  // initialise the global before a handler can touch it
    signal(SIGPIPE, SIG_IGN)
    let handler: @convention(c) (Int32) -> Void = { sig in
      Signals.received.store(sig, ordering: .relaxed)
      var byte: UInt8 = 1
      _ = write(Signals.pipeFDs.write, &byte, 1)
    }
    signal(SIGINT, handler)
    signal(SIGTERM, handler)
    // SIGHUP (a closed terminal or SSH session) is handled as SIGTERM (exit 129), unless the run
    // was started with it ignored (`nohup`), which it respects.
    if let previous = signal(SIGHUP, handler), unsafeBitCast(previous, to: Int.self) == 1 {  // SIG_IGN
      signal(SIGHUP, SIG_IGN)
    }
    // A parent may have started us with these blocked (a thread pool's mask survives exec):
    // unblock them, or Ctrl-C would stay pending forever.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    sigaddset(&set, SIGHUP)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
  }
}
