import JobctlSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Opening and writing a file that may block (a FIFO, a terminal), ended by the `Interruptions`
/// it is given rather than by process-wide signal state.
///
/// A blocking `open(2)` or `write(2)` is restarted after the signal handler runs, so SIGINT and
/// SIGTERM would never end it; these open and write without blocking and sleep on the wake
/// descriptors between tries.
package struct DescriptorWait {
  package enum Failure: Error, Equatable {
    /// A signal arrived, or the watched reader of stdout is gone.
    case signaled(Int32)
    /// The `errno` of the call that failed.
    case system(Int32)
  }

  /// How often a FIFO without a reader is tried again: nothing wakes a poll when a reader comes.
  static let openRetryMilliseconds: Int32 = 100

  package let interruptions: any Interruptions

  package init(interruptions: any Interruptions) {
    self.interruptions = interruptions
  }

  /// Opens `path` for writing, truncated, and non-blocking (write it with `writeAll`).
  ///
  /// A FIFO without a reader is waited for, as `curl -o` does, until a reader comes or an
  /// interruption arrives.
  package func openForWriting(_ path: String) throws(Failure) -> Int32 {
    while true {
      let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
      if fd >= 0 { return fd }
      let code = errno
      guard code == ENXIO || code == EINTR else { throw .system(code) }
      var none: [pollfd] = []
      try check(interruptions.poll(&none, milliseconds: Self.openRetryMilliseconds))
    }
  }

  /// Writes all of `buffer` to `fd`; while the reader of a FIFO or terminal takes nothing
  /// (EAGAIN), waits for room or an interruption.
  package func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) throws(Failure) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
      if n >= 0 {
        offset += n
        continue
      }
      let code = errno
      guard code == EAGAIN || code == EWOULDBLOCK || code == EINTR else { throw .system(code) }
      var fds = [pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)]
      try check(interruptions.poll(&fds, milliseconds: 1000))
    }
  }

  private func check(_ end: PollEnd) throws(Failure) {
    switch end {
    case .woken: return
    case .interrupted(let signal): throw .signaled(signal)
    case .failed(let code): throw .system(code)
    }
  }
}
