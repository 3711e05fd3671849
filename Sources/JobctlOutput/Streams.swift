import JobctlSupport
import SystemCalls

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Somewhere text goes: a file descriptor in the program, a buffer in tests.
package protocol TextSink: AnyObject {
  func write(_ text: String)
  /// Raw bytes (a download sent to stdout).
  func writeBytes(_ bytes: [UInt8])
  /// Whether this is a terminal (decides `--progress auto`).
  var isTerminal: Bool { get }
  /// The first write that failed, if one did; later writes are dropped.
  var failure: WriteFailure? { get }
  /// Told each error said here, after its message: a test's sink keeps them, to compare causes
  /// rather than text.
  func told(_ error: JobctlError)
}

extension TextSink {
  package func told(_ error: JobctlError) {}
}

/// Why a write to a stream failed: the `errno` of `write(2)`, or a stream that was closed when
/// jobctl started (it writes to `/dev/null` since, which must not pass for success).
package struct WriteFailure: Equatable, Sendable {
  package let code: Int32
  package let closedAtStart: Bool

  package init(code: Int32, closedAtStart: Bool = false) {
    self.code = code
    self.closedAtStart = closedAtStart
  }

  /// The reader of a pipe went away (EPIPE; SIGPIPE is ignored): not an error once the command
  /// had its result (docs/behaviour.md "Output").
  package var readerGone: Bool { code == EPIPE && !closedAtStart }

  /// What went wrong, for the error line.
  package var reason: String {
    closedAtStart ? "it was closed when jobctl started" : SystemCall.errorText(code)
  }
}

/// Writes to a file descriptor with `write(2)`.
///
/// Never through C `stdio` globals, which are not concurrency-safe in Swift 6. The first failed
/// write (EPIPE from a reader that went away, ENOSPC, ...) is kept in `failure` and makes later
/// writes no-ops; the command's end turns it into its exit code (`Jobctl.run`).
package final class FileSink: TextSink {
  private let fd: Int32
  /// Set when `fd` was closed at start and now points at `/dev/null`: every write fails.
  private let closedAtStart: Bool
  package private(set) var failure: WriteFailure?
  package let isTerminal: Bool

  package init(fd: Int32, closedAtStart: Bool = false) {
    self.fd = fd
    self.closedAtStart = closedAtStart
    self.isTerminal = isatty(fd) == 1
  }

  package func write(_ text: String) { writeBytes(Array(text.utf8)) }

  package func writeBytes(_ bytes: [UInt8]) {
    guard failure == nil, !bytes.isEmpty else { return }
    guard !closedAtStart else {
      failure = WriteFailure(code: EBADF, closedAtStart: true)
      return
    }
    var offset = 0
    while offset < bytes.count {
      let n = SystemCall.retryingEINTR {
        bytes.withUnsafeBytes { buffer in
          Glibc.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
        }
      }
      if n < 0 {
        failure = WriteFailure(code: errno)
        return
      }
      offset += n
    }
  }
}

/// The standard streams a command uses.
///
/// Commands write to stderr through `Diagnostics`, which scrubs secrets.
package struct Streams {
  package var stdout: TextSink
  package var stderr: TextSink
  /// Reads standard input chunk by chunk to its end (see `BoundedInput.read`); injected for tests.
  package var readStdin: ((ArraySlice<UInt8>) -> Bool) -> Result<Void, BoundedInput.Failure>
  /// Makes waits notice stdout's reader going away (see `Signals.watchReader`); a no-op in tests.
  package var watchStdoutReader: () -> Void = {}

  package init(stdout: TextSink, stderr: TextSink, readStdin: @escaping () -> [UInt8] = { [] }) {
    self.stdout = stdout
    self.stderr = stderr
    self.readStdin = { consume in
      let bytes = readStdin()
      return consume(bytes[...]) ? .success(()) : .failure(.tooLarge)
    }
  }

  /// The process's descriptors 0, 1 and 2; `closedAtStart` names those that
  /// `openClosedStandardDescriptors` found closed.
  package static func standard(closedAtStart: Set<Int32> = []) -> Streams {
    var streams = Streams(
      stdout: FileSink(fd: 1, closedAtStart: closedAtStart.contains(1)), stderr: FileSink(fd: 2),
      readStdin: { [] })
    streams.readStdin = { BoundedInput.read(0, interruptions: ProcessSignals(), consume: $0) }
    streams.watchStdoutReader = { Signals.watchReader(of: 1) }
    return streams
  }

  /// Opens each of descriptors 0, 1 and 2 that is closed on `/dev/null`, and returns those.
  ///
  /// Run first, before any descriptor is made: a process started with `>&- 2>&-` (cron, some
  /// supervisors) would otherwise get its signal pipe as 1 and 2, write progress into it and
  /// spin, its wake-up descriptor always readable.
  package static func openClosedStandardDescriptors() -> Set<Int32> {
    var closed: Set<Int32> = []
    for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
      let null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
      guard null >= 0 else { continue }
      if null != fd {
        _ = dup2(null, fd)
        close(null)
      }
      closed.insert(fd)
    }
    return closed
  }

  /// Standard input whole, failing past `limit` bytes.
  package func readStdin(limit: Int) -> Result<[UInt8], BoundedInput.Failure> {
    var out: [UInt8] = []
    let result = readStdin { chunk in
      guard out.count + chunk.count <= limit else { return false }
      out += chunk
      return true
    }
    return result.map { out }
  }
}

/// Everything jobctl says on stderr: errors, warnings, progress and the `--verbose` trace.
///
/// Every line passes through here, and every known secret (the token, credential header values)
/// is replaced by `[redacted]` whatever path it took to get here.
package final class Diagnostics {
  private let sink: TextSink
  package let redactor: Redactor
  /// A live line is on screen (written without a newline); the next line clears it first.
  private var lineOpen = false
  /// Colours for the `error:` and `warning:` prefixes.
  package var terminal = Terminal(colors: false, unicode: false)
  /// Under GitHub Actions: no line written is a workflow command, but for `command`'s.
  package var actions = false

  package init(sink: TextSink, redactor: Redactor = Redactor()) {
    self.sink = sink
    self.redactor = redactor
  }

  package var isTerminal: Bool { sink.isTerminal }

  /// Values never to be shown (see `Redactor.add`).
  package func addSecret(_ value: String) { redactor.add(value) }

  /// Writes one line (a newline is added).
  package func line(_ text: String) {
    sink.write((lineOpen ? "\r\u{1B}[K" : "") + shown(text) + "\n")
    lineOpen = false
  }

  /// Writes one of jobctl's own workflow commands (an annotation), as it is but scrubbed.
  package func command(_ text: String) {
    sink.write((lineOpen ? "\r\u{1B}[K" : "") + scrub(text) + "\n")
    lineOpen = false
  }

  /// Writes text as it is (the live line's redraws), still scrubbed.
  package func raw(_ text: String) {
    sink.write(shown(text))
    lineOpen = !Text.endsWithNewline(text) && !text.hasSuffix("\u{1B}[K")
  }

  /// Scrubbed and, under GitHub Actions, with no workflow command in it.
  private func shown(_ text: String) -> String {
    actions ? GitHubActions.neutralized(scrub(text)) : scrub(text)
  }

  /// `text` with every known secret replaced by `[redacted]`.
  package func scrub(_ text: String) -> String { redactor.scrub(text) }

  package func error(_ message: String) { line("jobctl: \(terminal.paint("error:", .red)) \(message)") }

  /// Says `error`'s message, if it has one, and tells the sink which error it was.
  package func error(_ error: JobctlError) {
    if let message = error.message { self.error(message) }
    sink.told(error)
  }
  package func warning(_ message: String) { line("jobctl: \(terminal.paint("warning:", .yellow)) \(message)") }
}

/// stdout for commands that talk to a server, scrubbed of known secrets as text.
///
/// Answers are scrubbed as they arrive; this catches what comes from elsewhere, such as a job URL
/// from a `Location` header that holds the token. Raw bytes (the data of `jobctl output`) pass
/// through untouched.
package final class ScrubbingSink: TextSink {
  private let sink: TextSink
  private let redactor: Redactor

  package init(_ sink: TextSink, redactor: Redactor) {
    self.sink = sink
    self.redactor = redactor
  }

  package var isTerminal: Bool { sink.isTerminal }
  package var failure: WriteFailure? { sink.failure }
  package func write(_ text: String) { sink.write(Credentials.scrubShown(text, redactor.bytes)) }
  package func writeBytes(_ bytes: [UInt8]) { sink.writeBytes(bytes) }
}
