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
/// together with the signal pipe before each read.
public enum BoundedInput {
  public enum Failure: Error, Equatable {
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
  public static let pipePatience: Double = 60
  /// The most read from standard input for `explain` and `--data @-` (as an answer, 16 MiB).
  public static let stdinLimit = 16 << 20
  /// The longest line of job references `wait -` reads, and the most references it takes.
  public static let referenceLineLimit = 8192
  public static let referenceCountLimit = 1_000_000

  nonisolated(unsafe) private static var deadline: Double?

  /// Ends the waits on pipes `seconds` from now at the latest (the run's `--timeout`, `--until`).
  public static func limit(seconds: Double) {
    let d = now + max(0, seconds)
    deadline = min(deadline ?? d, d)
  }

  static var now: Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  /// Reads `fd` to its end, handing each chunk to `consume`, which returns false to stop.
  public static func read(
    _ fd: Int32, patience: Double? = nil, consume: (ArraySlice<UInt8>) -> Bool
  ) -> Result<Void, Failure> {
    var info = stat()
    let regular = fstat(fd, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    let patienceEnd = patience.map { now + $0 }
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      if !regular {
        if let s = Signals.caught { return .failure(.signaled(s)) }
        let t = now
        if let deadline, t >= deadline { return .failure(.deadline) }
        if let patienceEnd, let patience, t >= patienceEnd { return .failure(.patience(patience)) }
        let end = [deadline, patienceEnd].compactMap { $0 }.min()
        let wait = end.map { Int32(max(1, min(1000, ($0 - t) * 1000 + 1))) } ?? 1000
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        if Signals.wakeFD >= 0 { fds.append(pollfd(fd: Signals.wakeFD, events: Int16(POLLIN), revents: 0)) }
        let r = poll(&fds, nfds_t(fds.count), wait)
        if r < 0 && errno != EINTR { return .failure(.system(errno)) }
        if let s = Signals.caught { return .failure(.signaled(s)) }
        guard r > 0, fds[0].revents != 0 else { continue }
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

  /// Reads `fd` whole, failing past `limit` bytes.
  public static func readAll(_ fd: Int32, limit: Int, patience: Double? = nil) -> Result<[UInt8], Failure> {
    var out: [UInt8] = []
    let result = read(fd, patience: patience) { chunk in
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
  func error(reading what: String, limit: String) -> JobctlError {
    switch self {
    case .tooLarge: return .usage(.inputTooLarge(what, limit: limit))
    case .signaled(let s): return .signaled(s)
    case .deadline: return .timedOut(.deadlineWhileReading(what))
    case .patience(let p): return .usage(.silentPipe(what, patience: Int(p)))
    case .system(let e): return .usage(.cannotReadInput(what, reason: SystemCall.errorText(e)))
    }
  }
}
