import JobctlEngine
import JobctlHTTP
import JobctlOutput
import JobctlSupport
import JobctlTransport
import SystemCalls

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What commands use of the outside world, injected so tests run in process and in fake time.
package struct Services {
  package var streams: Streams
  package var clock: Clock
  package var random: RandomSource
  package var makeTransport: (TransportOptions) throws(TransportFailure) -> HTTPTransport
  package var readFile: (String) -> Result<[UInt8], FileError>
  /// A file's permission bits, or nil when it cannot be examined.
  package var fileMode: (String) -> UInt32? = Services.fileModeOnDisk
  package var fileExists: (String) -> Bool = { Services.fileModeOnDisk($0) != nil }
  /// Reads a file that must be a regular one (`~/.aws/credentials`): a FIFO or a device is
  /// refused rather than waited on.
  package var readRegularFile: (String) -> Result<[UInt8], FileError> = Services.readRegularFileFromDisk
  /// Appends text to a file (GITHUB_OUTPUT); false when it cannot.
  package var appendFile: (String, String) -> Bool = Services.appendToFile
  /// What ends a wait on a file (a FIFO without a reader): the process's signals, or a test's.
  package var interruptions: any Interruptions = ProcessSignals()
  /// The secrets of this run, shared by every writer (see `Redactor`).
  package var redactor = Redactor()
  /// The width of the terminal on stderr.
  package var stderrColumns: ([String: String]) -> Int = { Terminal.columns(fd: 2, environment: $0) }
  /// The width of the terminal on stdout, where help goes; nil when stdout is no terminal.
  package var stdoutColumns: () -> Int? = { Terminal.terminalColumns(fd: 1) }

  package init(
    streams: Streams, clock: Clock, random: RandomSource,
    makeTransport: @escaping (TransportOptions) throws(TransportFailure) -> HTTPTransport,
    readFile: @escaping (String) -> Result<[UInt8], FileError> = Services.readFileFromDisk
  ) {
    self.streams = streams
    self.clock = clock
    self.random = random
    self.makeTransport = makeTransport
    self.readFile = readFile
  }

  /// The real process: standard streams, system time, libcurl; `closedAtStart` as
  /// `Streams.standard` takes it.
  package static func system(closedAtStart: Set<Int32> = []) -> Services {
    let clock = SystemClock()
    return Services(
      streams: .standard(closedAtStart: closedAtStart), clock: clock, random: SystemRandom(),
      makeTransport: { (options: TransportOptions) throws(TransportFailure) -> HTTPTransport in
        try CurlTransport(options: options, clock: { clock.monotonic }, interruptions: ProcessSignals())
      })
  }

  /// Appends `text` to `path`; false when it cannot.
  ///
  /// Opened without waiting for a reader: a FIFO nobody reads (ENXIO) cannot be written, and
  /// must not hold jobctl up.
  package static func appendToFile(_ path: String, _ text: String) -> Bool {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0o644)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
  }

  package static func fileModeOnDisk(_ path: String) -> UInt32? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return UInt32(info.st_mode)
  }

  /// Reads a whole file (at most 1 MiB: tokens and certificates are small).
  ///
  /// Never blocks: opened without waiting for a writer, a pipe (`--token-file <(vault read ...)`)
  /// is read as `BoundedInput` reads, for at most `BoundedInput.pipePatience` and the run's
  /// `--timeout`, ended by a signal; sockets and devices (but `/dev/null`) are refused.
  package static func readFileFromDisk(_ path: String) -> Result<[UInt8], FileError> {
    var info = stat()
    guard stat(path, &info) == 0 else { return .failure(FileError(reason: SystemCall.errorText(errno))) }
    if let refused = refusedKind(info) { return .failure(FileError(reason: refused)) }
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    guard fd >= 0 else { return .failure(FileError(reason: SystemCall.errorText(errno))) }
    defer { close(fd) }
    guard fstat(fd, &info) == 0 else { return .failure(FileError(reason: SystemCall.errorText(errno))) }
    if let refused = refusedKind(info) { return .failure(FileError(reason: refused)) }
    guard info.st_mode & S_IFMT == S_IFIFO else {
      _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
      return readAll(fd)
    }
    switch BoundedInput.readAll(
      fd, limit: 1 << 20, patience: BoundedInput.pipePatience, interruptions: ProcessSignals())
    {
    case .success(let bytes): return .success(bytes)
    case .failure(.tooLarge): return .failure(FileError(reason: "larger than 1 MiB"))
    case .failure(.signaled(let s)): return .failure(FileError(reason: "interrupted", interruption: .signaled(s)))
    case .failure(.deadline):
      return .failure(
        FileError(
          reason: "a pipe that did not end in time",
          interruption: .timedOut(.deadlineWhileReading("the pipe \(Text.oneLine(path, limit: 200))"))))
    case .failure(.patience(let p)):
      return .failure(FileError(reason: "a pipe that sent nothing to its end within \(Int(p)) s"))
    case .failure(.system(let e)): return .failure(FileError(reason: SystemCall.errorText(e)))
    }
  }

  /// Why a file of this kind is not read (a socket, a device), or nil.
  static func refusedKind(_ info: stat) -> String? {
    switch info.st_mode & S_IFMT {
    case S_IFSOCK: return "a socket, not a file"
    case S_IFCHR, S_IFBLK:
      var null = stat()
      if info.st_mode & S_IFMT == S_IFCHR, stat("/dev/null", &null) == 0, null.st_rdev == info.st_rdev { return nil }
      return "a device, not a file"
    default: return nil
    }
  }

  /// Reads a whole regular file (at most 1 MiB).
  ///
  /// Opened without blocking, so a FIFO without a
  /// writer cannot hold jobctl up, and refused unless it is a regular file.
  package static func readRegularFileFromDisk(_ path: String) -> Result<[UInt8], FileError> {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    guard fd >= 0 else { return .failure(FileError(reason: SystemCall.errorText(errno))) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return .failure(FileError(reason: SystemCall.errorText(errno))) }
    guard info.st_mode & S_IFMT == S_IFREG else { return .failure(FileError(reason: "not a regular file")) }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    return readAll(fd)
  }

  /// Reads `fd` to its end, failing past 1 MiB.
  static func readAll(_ fd: Int32) -> Result<[UInt8], FileError> {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16384)
    while true {
      let n = SystemCall.retryingEINTR { buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
      if n < 0 {
        return .failure(FileError(reason: SystemCall.errorText(errno)))
      }
      if n == 0 { return .success(out) }
      out += buffer[0..<n]
      if out.count > 1 << 20 { return .failure(FileError(reason: "larger than 1 MiB")) }
    }
  }
}

extension Services {
  /// The run's stderr channel: its secrets hidden by the run's redactor, and kept from forming
  /// workflow commands under GitHub Actions.
  func diagnostics(_ environment: [String: String]) -> Diagnostics {
    let diagnostics = Diagnostics(sink: streams.stderr, redactor: redactor)
    diagnostics.actions = GitHubActions.running(in: environment)
    return diagnostics
  }
}
