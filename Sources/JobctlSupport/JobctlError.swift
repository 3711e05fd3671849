#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Every way a jobctl command can end other than success, each mapped to one exit code.
///
/// Each case ends with a row of the exit-code table (README "Exit codes", `jobctl help
/// exit-codes`): `ending`; the rows' codes and meanings are written once, in `Ending`.
package enum JobctlError: Error, Sendable, Equatable {
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
  package static func signaled(_ signal: Int32) -> JobctlError {
    signal == SIGPIPE ? .readerGone : .interrupted(signal: signal)
  }

  /// The exit code: the ending's, or 128 + the signal for one a signal ended (SIGTERM 143 has no
  /// row of its own: the SIGINT row names it).
  package var exitCode: Int32 {
    if case .interrupted(let signal) = self { return 128 + signal }
    return ending.code
  }

  /// The row of the exit-code table this error ends with.
  package var ending: Ending {
    switch self {
    case .usage: return .usage
    case .jobFailed: return .jobFailed
    case .jobCanceled: return .jobCanceled
    case .authRefused: return .authRefused
    case .notFound: return .notFound
    case .rejected: return .rejected
    case .unreachable: return .unreachable
    case .stalled: return .stalled
    case .stillRunning: return .stillRunning
    case .localWrite: return .localWrite
    case .timedOut: return .timedOut
    case .readerGone: return .readerGone
    case .interrupted(let signal): return signal == SIGHUP ? .hangup : .interrupted
    }
  }

  /// The same error with `prefix` before its message (where it has one).
  package func prefixed(_ prefix: String) -> JobctlError {
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
  package var message: String? {
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

extension JobctlError {
  /// Every way a command ends, success included: the rows of the exit-code table.
  ///
  /// Each says its code and meaning here, and only here; in code order, as the table lists them.
  package enum Ending: CaseIterable, Sendable {
    case success, jobFailed, usage, jobCanceled, authRefused, notFound, rejected, unreachable, stalled
    case stillRunning, localWrite, timedOut, hangup, interrupted, readerGone

    package var code: Int32 {
      switch self {
      case .success: return 0
      case .jobFailed: return 1
      case .usage: return 2
      case .jobCanceled: return 3
      case .authRefused: return 4
      case .notFound: return 5
      case .rejected: return 6
      case .unreachable: return 7
      case .stalled: return 8
      case .stillRunning: return 9
      case .localWrite: return 10
      case .timedOut: return 124
      case .hangup: return 128 + SIGHUP
      case .interrupted: return 128 + SIGINT
      case .readerGone: return 128 + SIGPIPE
      }
    }

    package var meaning: String {
      switch self {
      case .success: return "the job completed (or the command succeeded)"
      case .jobFailed: return "the job failed"
      case .usage: return "usage or configuration error; nothing was sent"
      case .jobCanceled: return "the job was canceled"
      case .authRefused: return "authentication or permission refused (401, 403)"
      case .notFound: return "job not found or expired (404, 410)"
      case .rejected:
        return
          "request rejected or answer not understood (other 4xx, 409, not a job document, a missing --field)"
      case .unreachable:
        return
          "the server stayed unreachable or failing (network errors or 5xx beyond --max-errors, TLS failure)"
      case .stalled: return "the job looks stalled (--stale-after)"
      case .stillRunning: return "the job is still pending or running (status, and output of an unfinished job)"
      case .localWrite:
        return "a local file or stream could not be written (disk full, closed stdout, -o into a missing folder)"
      case .timedOut: return "--timeout, --until or --max-attempts ran out"
      case .hangup: return "ended by SIGHUP (a closed terminal), handled as SIGTERM"
      case .interrupted: return "interrupted (SIGINT); 143 for SIGTERM"
      case .readerGone: return "the reader of stdout went away (| head -1) before the result was decided"
      }
    }

    /// The meaning of `code`, for an ending told by its code alone (an ndjson `done` line).
    package static func meaning(of code: Int32) -> String? {
      allCases.first { $0.code == code }?.meaning
    }
  }
}

/// The exit-code table as `jobctl help exit-codes` and the manual print it: made from the endings.
package let exitCodeTable: [(code: Int32, meaning: String)] = JobctlError.Ending.allCases.map { ($0.code, $0.meaning) }
