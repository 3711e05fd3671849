import SystemCalls

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads of descriptors jobctl does not control (standard input, a token, config or `--data`
/// file that is a pipe): bounded in size and in time, and ended at once by a signal.
///
/// A blocking `read(2)` or `open(2)` is restarted after the signal handler runs, so SIGINT,
/// SIGTERM and SIGHUP would never end it; anything but a regular file is therefore polled
/// together with the wake descriptors of the `Interruptions` it is given (the process's own,
/// `ProcessSignals`, or a test's) before each read.
package enum BoundedInput {
  package enum Failure: Error, Equatable {
    /// `consume` refused a chunk: a limit it keeps was passed.
    case tooLarge
    case signaled(Int32)
    /// The run's `--timeout` or `--until` passed.
    case deadline
    /// The pipe sent nothing to its end within `patience`.
    case patience(Double)
    case system(Int32)
  }

  /// How long a file that is a pipe (`--token-file <(vault read ...)`) is waited on.
  package static let pipePatience: Double = 60
  /// The most read from standard input for `explain` and `--data @-` (as an answer, 16 MiB).
  package static let stdinLimit = 16 << 20
  /// The longest line of job references `wait -` reads, and the most references it takes.
  package static let referenceLineLimit = 8192
  package static let referenceCountLimit = 1_000_000

  nonisolated(unsafe) private static var deadline: Double?

  /// Ends the waits on pipes `seconds` from now at the latest (the run's `--timeout`, `--until`).
  package static func limit(seconds: Double) {
    let d = now + max(0, seconds)
    deadline = min(deadline ?? d, d)
  }

  package static var now: Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  /// Reads `fd` to its end, handing each chunk to `consume`, which returns false to stop;
  /// `interruptions` end a wait on a descriptor that is not a regular file, as does the run's
  /// deadline (`limit(seconds:)`).
  package static func read(
    _ fd: Int32, patience: Double? = nil, interruptions: any Interruptions,
    consume: (ArraySlice<UInt8>) -> Bool
  ) -> Result<Void, Failure> {
    read(fd, patience: patience, deadline: deadline, interruptions: interruptions, consume: consume)
  }

  /// `read` with the deadline given (a time of `now`; nil: none) rather than the run's.
  package static func read(
    _ fd: Int32, patience: Double? = nil, deadline: Double?, interruptions: any Interruptions,
    consume: (ArraySlice<UInt8>) -> Bool
  ) -> Result<Void, Failure> {
    var info = stat()
    let regular = fstat(fd, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    let patienceEnd = patience.map { now + $0 }
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      if !regular {
        switch waitReadable(
          fd, patience: patience, until: patienceEnd, deadline: deadline, interruptions: interruptions)
        {
        case .failure(let failure): return .failure(failure)
        case .success(false): continue
        case .success(true): break
        }
      }
      let n = buffer.withUnsafeMutableBytes { readBytes(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR || errno == EAGAIN { continue }
        return .failure(.system(errno))
      }
      if n == 0 { return .success(()) }
      guard consume(buffer[0..<n]) else { return .failure(.tooLarge) }
    }
  }

  /// Waits up to a second for `fd` to be readable: true when it is, false to be asked again;
  /// an interruption, the run's deadline or the end of `patience` is a failure.
  private static func waitReadable(
    _ fd: Int32, patience: Double?, until patienceEnd: Double?, deadline: Double?, interruptions: any Interruptions
  ) -> Result<Bool, Failure> {
    if let s = interruptions.caught { return .failure(.signaled(s)) }
    let t = now
    if let deadline, t >= deadline { return .failure(.deadline) }
    if let patienceEnd, let patience, t >= patienceEnd { return .failure(.patience(patience)) }
    let end = [deadline, patienceEnd].compactMap { $0 }.min()
    let wait = end.map { Int32(max(1, min(1000, ($0 - t) * 1000 + 1))) } ?? 1000
    var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
    switch interruptions.poll(&fds, milliseconds: wait) {
    case .interrupted(let s): return .failure(.signaled(s))
    case .failed(let e): return .failure(.system(e))
    case .woken: return .success(fds[0].revents != 0)
    }
  }

  /// Reads `fd` whole, failing past `limit` bytes.
  package static func readAll(
    _ fd: Int32, limit: Int, patience: Double? = nil, interruptions: any Interruptions
  ) -> Result<[UInt8], Failure> {
    var out: [UInt8] = []
    let result = read(fd, patience: patience, interruptions: interruptions) { chunk in
      guard out.count + chunk.count <= limit else { return false }
      out += chunk
      return true
    }
    return result.map { out }
  }
}

/// `read(2)`, out of reach of `BoundedInput.read`'s name.
private func readBytes(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  read(fd, buffer, count)
}

extension BoundedInput.Failure {
  /// The error for a read of `what` that failed; `limit` names the limit `.tooLarge` passed.
  package func error(reading what: String, limit: String) -> JobctlError {
    switch self {
    case .tooLarge: return .usage(.inputTooLarge(what, limit: limit))
    case .signaled(let s): return .signaled(s)
    case .deadline: return .timedOut(.deadlineWhileReading(what))
    case .patience(let p): return .usage(.silentPipe(what, patience: Int(p)))
    case .system(let e): return .usage(.cannotReadInput(what, reason: SystemCall.errorText(e)))
    }
  }
}
