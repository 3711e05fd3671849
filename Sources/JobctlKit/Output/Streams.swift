import SystemCalls

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Somewhere text goes: a file descriptor in the program, a buffer in tests.
public protocol TextSink: AnyObject {
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
  public func told(_ error: JobctlError) {}
}

/// Why a write to a stream failed: the `errno` of `write(2)`, or a stream that was closed when
/// jobctl started (it writes to `/dev/null` since, which must not pass for success).
public struct WriteFailure: Equatable, Sendable {
  public let code: Int32
  public let closedAtStart: Bool

  public init(code: Int32, closedAtStart: Bool = false) {
    self.code = code
    self.closedAtStart = closedAtStart
  }

  /// The reader of a pipe went away (EPIPE; SIGPIPE is ignored): not an error once the command
  /// had its result (README "Output").
  public var readerGone: Bool { code == EPIPE && !closedAtStart }

  /// What went wrong, for the error line.
  public var reason: String {
    closedAtStart ? "it was closed when jobctl started" : SystemCall.errorText(code)
  }
}

/// Writes to a file descriptor with `write(2)`.
///
/// Never through C `stdio` globals, which are not concurrency-safe in Swift 6. The first failed
/// write (EPIPE from a reader that went away, ENOSPC, ...) is kept in `failure` and makes later
/// writes no-ops; the command's end turns it into its exit code (`Jobctl.run`).
public final class FileSink: TextSink {
  private let fd: Int32
  /// Set when `fd` was closed at start and now points at `/dev/null`: every write fails.
  private let closedAtStart: Bool
  public private(set) var failure: WriteFailure?
  public let isTerminal: Bool

  public init(fd: Int32, closedAtStart: Bool = false) {
    self.fd = fd
    self.closedAtStart = closedAtStart
    self.isTerminal = isatty(fd) == 1
  }

  public func write(_ text: String) { writeBytes(Array(text.utf8)) }

  public func writeBytes(_ bytes: [UInt8]) {
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
public struct Streams {
  public var stdout: TextSink
  public var stderr: TextSink
  /// Reads standard input chunk by chunk to its end (see `BoundedInput.read`); injected for tests.
  public var readStdin: ((ArraySlice<UInt8>) -> Bool) -> Result<Void, BoundedInput.Failure>
  /// Makes waits notice stdout's reader going away (see `Signals.watchReader`); a no-op in tests.
  public var watchStdoutReader: () -> Void = {}

  public init(stdout: TextSink, stderr: TextSink, readStdin: @escaping () -> [UInt8] = { [] }) {
    self.stdout = stdout
    self.stderr = stderr
    self.readStdin = { consume in
      let bytes = readStdin()
      return consume(bytes[...]) ? .success(()) : .failure(.tooLarge)
    }
  }

  /// The process's descriptors 0, 1 and 2; `closedAtStart` names those that
  /// `openClosedStandardDescriptors` found closed.
  public static func standard(closedAtStart: Set<Int32> = []) -> Streams {
    var streams = Streams(
      stdout: FileSink(fd: 1, closedAtStart: closedAtStart.contains(1)), stderr: FileSink(fd: 2),
      readStdin: { [] })
    streams.readStdin = { BoundedInput.read(0, consume: $0) }
    streams.watchStdoutReader = { Signals.watchReader(of: 1) }
    return streams
  }

  /// Opens each of descriptors 0, 1 and 2 that is closed on `/dev/null`, and returns those.
  ///
  /// Run first, before any descriptor is made: a process started with `>&- 2>&-` (cron, some
  /// supervisors) would otherwise get its signal pipe as 1 and 2, write progress into it and
  /// spin, its wake-up descriptor always readable.
  public static func openClosedStandardDescriptors() -> Set<Int32> {
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
  public func readStdin(limit: Int) -> Result<[UInt8], BoundedInput.Failure> {
    var out: [UInt8] = []
    let result = readStdin { chunk in
      guard out.count + chunk.count <= limit else { return false }
      out += chunk
      return true
    }
    return result.map { out }
  }
}

/// The secrets of one run (the token, credential header values), and their scrubbing.
///
/// One instance is shared by everything that writes (stderr, stdout, GITHUB_OUTPUT, the final
/// error line), so a value learnt anywhere is hidden everywhere.
public final class Redactor {
  /// The shortest value hidden: shorter ones would match ordinary text (a `2345` inside every
  /// number that holds it), and are not secrets worth the name.
  public static let minimumLength = 8
  /// The values scrubbed (trimmed, at least `minimumLength` bytes), longest first.
  public private(set) var secrets: [String] = []
  /// The same as UTF-8 bytes, which is how they are matched.
  public private(set) var bytes: [[UInt8]] = []

  public init() {}

  /// Values never to be shown; short ones are ignored (see `minimumLength`).
  public func add(_ value: String) {
    let v = Text.trimmed(value)
    if v.utf8.count >= Redactor.minimumLength, !secrets.contains(v) {
      secrets.append(v)
      // Longest first, so `Bearer TOKEN` goes whole before `TOKEN` is looked for.
      secrets.sort { $0.utf8.count > $1.utf8.count }
      bytes = secrets.map { Array($0.utf8) }
    }
  }

  /// `text` with every URL's userinfo and every known secret replaced by `[redacted]`; for
  /// messages, which may have been cut to length before they got here (`Text.oneLine` ends them
  /// with "..."), the start of a secret right before such a cut goes too, when it is
  /// `minimumLength` bytes or more.
  public func scrub(_ text: String) -> String {
    let scrubbed = Credentials.scrubShown(text, bytes)
    let ellipsis = Array("...".utf8)
    var clean = Array(scrubbed.utf8)
    guard Credentials.firstIndex(of: ellipsis, in: clean) != nil else { return scrubbed }
    for secret in bytes where secret.count > Redactor.minimumLength {
      for length in stride(from: secret.count - 1, through: Redactor.minimumLength, by: -1) {
        clean = Credentials.scrub(clean, [Array(secret[..<length]) + ellipsis])
      }
    }
    return String(decoding: clean, as: UTF8.self)
  }
}

/// Everything jobctl says on stderr: errors, warnings, progress and the `--verbose` trace.
///
/// Every line passes through here, and every known secret (the token, credential header values)
/// is replaced by `[redacted]` whatever path it took to get here.
public final class Diagnostics {
  private let sink: TextSink
  public let redactor: Redactor
  /// A live line is on screen (written without a newline); the next line clears it first.
  private var lineOpen = false
  /// Colours for the `error:` and `warning:` prefixes.
  public var terminal = Terminal(colors: false, unicode: false)
  /// Under GitHub Actions: no line written is a workflow command, but for `command`'s.
  public var actions = false

  public init(sink: TextSink, redactor: Redactor = Redactor()) {
    self.sink = sink
    self.redactor = redactor
  }

  public var isTerminal: Bool { sink.isTerminal }

  /// Values never to be shown (see `Redactor.add`).
  public func addSecret(_ value: String) { redactor.add(value) }

  /// Writes one line (a newline is added).
  public func line(_ text: String) {
    sink.write((lineOpen ? "\r\u{1B}[K" : "") + shown(text) + "\n")
    lineOpen = false
  }

  /// Writes one of jobctl's own workflow commands (an annotation), as it is but scrubbed.
  public func command(_ text: String) {
    sink.write((lineOpen ? "\r\u{1B}[K" : "") + scrub(text) + "\n")
    lineOpen = false
  }

  /// Writes text as it is (the live line's redraws), still scrubbed.
  public func raw(_ text: String) {
    sink.write(shown(text))
    lineOpen = !Text.endsWithNewline(text) && !text.hasSuffix("\u{1B}[K")
  }

  /// Scrubbed and, under GitHub Actions, with no workflow command in it.
  private func shown(_ text: String) -> String {
    actions ? GitHubActions.neutralized(scrub(text)) : scrub(text)
  }

  /// `text` with every known secret replaced by `[redacted]`.
  public func scrub(_ text: String) -> String { redactor.scrub(text) }

  public func error(_ message: String) { line("jobctl: \(terminal.paint("error:", .red)) \(message)") }

  /// Says `error`'s message, if it has one, and tells the sink which error it was.
  public func error(_ error: JobctlError) {
    if let message = error.message { self.error(message) }
    sink.told(error)
  }
  public func warning(_ message: String) { line("jobctl: \(terminal.paint("warning:", .yellow)) \(message)") }
}

/// stdout for commands that talk to a server, scrubbed of known secrets as text.
///
/// Answers are scrubbed as they arrive; this catches what comes from elsewhere, such as a job URL
/// from a `Location` header that holds the token. Raw bytes (the data of `jobctl output`) pass
/// through untouched.
public final class ScrubbingSink: TextSink {
  private let sink: TextSink
  private let redactor: Redactor

  public init(_ sink: TextSink, redactor: Redactor) {
    self.sink = sink
    self.redactor = redactor
  }

  public var isTerminal: Bool { sink.isTerminal }
  public var failure: WriteFailure? { sink.failure }
  public func write(_ text: String) { sink.write(Credentials.scrubShown(text, redactor.bytes)) }
  public func writeBytes(_ bytes: [UInt8]) { sink.writeBytes(bytes) }
}
