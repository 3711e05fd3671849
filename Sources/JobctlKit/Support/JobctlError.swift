#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Every way a jobctl command can end other than success, each mapped to one exit code.
///
/// The exit-code table (README "Exit codes", `jobctl help exit-codes`) lives in `exitCode`, and
/// only there.
public enum JobctlError: Error, Sendable, Equatable {
  /// Bad command line or configuration; nothing was sent.
  case usage(String)
  /// The job ended failed.
  case jobFailed(String)
  /// The job ended canceled.
  case jobCanceled(String)
  /// 401 or 403.
  case authRefused(String)
  /// 404 or 410.
  case notFound(String)
  /// Another 4xx, an answer that is not a job document, a missing `--field`.
  case rejected(String)
  /// Network errors or 5xx beyond `--max-errors`, TLS failures.
  case unreachable(String)
  /// `--stale-after` passed without change.
  case stalled(String)
  /// The job is still pending or running: `status` says so by the document it prints (the
  /// message is not shown), `output` by the message (`shown`).
  case stillRunning(String, shown: Bool = false)
  /// A local file or stream could not be written (disk full, a closed stdout, `-o` into a missing
  /// folder), or standard input could not be read after something was sent; the message names
  /// what was lost.
  case localWrite(String)
  /// `--timeout`, `--until` or `--max-attempts` ran out.
  case timedOut(String)
  /// The reader of stdout went away (`| head -1`) before the command had its result; quiet.
  case readerGone
  /// A signal ended the command (SIGINT 130, SIGTERM 143, SIGHUP 129).
  case interrupted(signal: Int32)

  /// The error for a wait that `signal` cut short: SIGPIPE, which jobctl ignores, stands for the
  /// reader of stdout going away (see `Signals.pending`).
  public static func signaled(_ signal: Int32) -> JobctlError {
    signal == SIGPIPE ? .readerGone : .interrupted(signal: signal)
  }

  public var exitCode: Int32 {
    switch self {
    case .usage: return 2
    case .jobFailed: return 1
    case .jobCanceled: return 3
    case .authRefused: return 4
    case .notFound: return 5
    case .rejected: return 6
    case .unreachable: return 7
    case .stalled: return 8
    case .stillRunning: return 9
    case .localWrite: return 10
    case .timedOut: return 124
    case .readerGone: return 141
    case .interrupted(let signal): return 128 + signal
    }
  }

  /// The same error with `prefix` before its message (where it has one).
  public func prefixed(_ prefix: String) -> JobctlError {
    switch self {
    case .usage(let m): return .usage(prefix + m)
    case .jobFailed(let m): return .jobFailed(prefix + m)
    case .jobCanceled(let m): return .jobCanceled(prefix + m)
    case .authRefused(let m): return .authRefused(prefix + m)
    case .notFound(let m): return .notFound(prefix + m)
    case .rejected(let m): return .rejected(prefix + m)
    case .unreachable(let m): return .unreachable(prefix + m)
    case .stalled(let m): return .stalled(prefix + m)
    case .localWrite(let m): return .localWrite(prefix + m)
    case .timedOut(let m): return .timedOut(prefix + m)
    case .stillRunning(let m, let shown): return .stillRunning(prefix + m, shown: shown)
    case .interrupted, .readerGone: return self
    }
  }

  /// The text after `jobctl: error: `, or nil where the exit code says it all.
  public var message: String? {
    switch self {
    case .usage(let m), .jobFailed(let m), .jobCanceled(let m), .authRefused(let m), .notFound(let m),
      .rejected(let m), .unreachable(let m), .stalled(let m), .localWrite(let m), .timedOut(let m):
      return m
    case .stillRunning(let m, let shown):
      return shown ? m : nil
    case .interrupted, .readerGone:
      return nil
    }
  }
}

/// The exit-code table as `jobctl help exit-codes` prints it.
public let exitCodeTable: [(code: Int32, meaning: String)] = [
  (0, "the job completed (or the command succeeded)"),
  (1, "the job failed"),
  (2, "usage or configuration error; nothing was sent"),
  (3, "the job was canceled"),
  (4, "authentication or permission refused (401, 403)"),
  (5, "job not found or expired (404, 410)"),
  (6, "request rejected or answer not understood (other 4xx, 409, not a job document, a missing --field)"),
  (7, "the server stayed unreachable or failing (network errors or 5xx beyond --max-errors, TLS failure)"),
  (8, "the job looks stalled (--stale-after)"),
  (9, "the job is still pending or running (status, and output of an unfinished job)"),
  (10, "a local file or stream could not be written (disk full, closed stdout, -o into a missing folder)"),
  (124, "--timeout, --until or --max-attempts ran out"),
  (129, "ended by SIGHUP (a closed terminal), handled as SIGTERM"),
  (130, "interrupted (SIGINT); 143 for SIGTERM"),
  (141, "the reader of stdout went away (| head -1) before the result was decided"),
]
