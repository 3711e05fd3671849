import SystemCalls

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where a job's output goes, decided before anything is sent (README "Starting, cancelling,
/// listing, fetching output").
///
/// A download always lands in a temporary file first, so a retried download never writes twice
/// and a failure never leaves a truncated FILE. A regular or new FILE gets its temporary file in
/// its own folder and is renamed into place, as `curl -o` would leave it: an existing file keeps
/// its mode (and, for root, its owner), a new one gets 0666 less the umask. Anything else that
/// exists (a device, a FIFO, a terminal) is opened and written, never replaced; so is a regular
/// file whose folder cannot take a temporary file. A symbolic link is followed, so it stays.
struct OutputFile {
  enum Kind: Equatable {
    /// stdout; `explicit` for `-o -`, which lets control characters reach a terminal.
    case stdout(explicit: Bool)
    /// Renamed over `path` (the end of any symbolic links) from a temporary file beside it.
    case replace
    /// Written to `path` directly, from a temporary file in TMPDIR.
    case direct
  }

  let kind: Kind
  /// FILE as given, for messages.
  let shown: String
  /// The file itself, symbolic links followed.
  let path: String
  let exists: Bool
  /// The mode a replaced or created file gets, and an existing file's owner.
  let mode: mode_t
  let owner: (uid: uid_t, gid: gid_t)?
  /// The size of the existing regular file.
  let size: Int

  /// Examines `-o FILE` (nil: stdout); a folder that does not exist, a directory, or a path that
  /// cannot be examined is exit 10.
  static func examine(_ file: String?) throws(JobctlError) -> OutputFile {
    guard let file, file != "-" else {
      return OutputFile(
        kind: .stdout(explicit: file == "-"), shown: "stdout", path: "", exists: true, mode: 0, owner: nil, size: 0)
    }
    let shown = Text.oneLine(file, limit: 200)
    var path = file
    for _ in 0..<40 {
      var info = stat()
      guard lstat(path, &info) == 0 else {
        let reason = errno
        guard reason == ENOENT else { throw .localWrite(.cannotWrite(shown, reason: SystemCall.errorText(reason))) }
        let folder = folder(of: path)
        var folderInfo = stat()
        guard stat(folder, &folderInfo) == 0, folderInfo.st_mode & S_IFMT == S_IFDIR else {
          throw .localWrite(.missingFolder(file: shown, folder: folder))
        }
        return OutputFile(
          kind: .replace, shown: shown, path: path, exists: false, mode: 0o666 & ~currentUmask, owner: nil, size: 0)
      }
      switch info.st_mode & S_IFMT {
      case S_IFLNK:
        guard let target = readLink(path) else {
          throw .localWrite(.cannotWrite(shown, reason: SystemCall.errorText(errno)))
        }
        path = target.hasPrefix("/") ? target : folder(of: path) + "/" + target
        continue
      case S_IFDIR:
        throw .localWrite(.cannotWrite(shown, reason: "it is a folder"))
      case S_IFREG:
        return OutputFile(
          kind: .replace, shown: shown, path: path, exists: true, mode: info.st_mode & 0o7777,
          owner: (info.st_uid, info.st_gid), size: Int(info.st_size))
      default:
        return OutputFile(kind: .direct, shown: shown, path: path, exists: true, mode: 0, owner: nil, size: 0)
      }
    }
    throw .localWrite(.cannotWrite(shown, reason: SystemCall.errorText(ELOOP)))
  }

  /// The temporary file the download goes to: beside a file to replace (in TMPDIR when that
  /// folder cannot take one and the file exists, which is then written directly).
  func temporary() throws(JobctlError) -> (TempFile, OutputFile) {
    guard kind == .replace else { return (try TempFile(in: nil, named: "jobctl-output", for: self), self) }
    let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? "output"
    do {
      return (try TempFile(in: OutputFile.folder(of: path), named: name, for: self), self)
    } catch {
      guard exists else { throw error }
      let direct = OutputFile(
        kind: .direct, shown: shown, path: path, exists: true, mode: mode, owner: owner, size: size)
      return (try TempFile(in: nil, named: "jobctl-output", for: direct), direct)
    }
  }

  /// The folder part of a path (`.` for a bare name, `/` for the root's entries).
  static func folder(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let folder = String(path[..<slash])
    return folder.isEmpty ? "/" : folder
  }

  /// The process's umask, read once (setting it back at once).
  static let currentUmask: mode_t = {
    let mask = umask(0o022)
    umask(mask)
    return mask
  }()

  private static func readLink(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink(path, &buffer, buffer.count - 1)
    guard n >= 0 else { return nil }
    return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}

/// The temporary file a download goes to, and how it reaches its destination.
final class TempFile {
  let path: String
  let fd: Int32
  private let destination: OutputFile
  private var done = false

  /// A new file `.NAME.jobctl-XXXXXX` in `folder` (nil: TMPDIR, else /tmp).
  init(in folder: String?, named name: String, for destination: OutputFile) throws(JobctlError) {
    let folder =
      folder ?? (getenv("TMPDIR").map { String(cString: $0) }).flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array("\(folder)/.\(name).jobctl-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
    guard fd >= 0 else {
      throw .localWrite(
        .cannotWrite(
          destination.shown,
          reason: "no temporary file in \(Text.oneLine(folder, limit: 200)): \(SystemCall.errorText(errno))"))
    }
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    self.fd = fd
    self.destination = destination
    self.path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  deinit { discard() }

  /// `.localWrite` naming the destination, for a failure with `errno` value `code`.
  func writeError(_ code: Int32) -> JobctlError {
    .localWrite(.cannotWrite(destination.shown, reason: SystemCall.errorText(code)))
  }

  func write(_ bytes: [UInt8]) throws(JobctlError) {
    guard bytes.withUnsafeBytes({ BodyStream.writeAll(fd, $0) }) else { throw writeError(errno) }
  }

  /// Copies an existing file's bytes in (the prefix `--continue` keeps); returns how many.
  func copyIn(from file: String) throws(JobctlError) -> Int {
    let source = open(file, O_RDONLY | O_CLOEXEC)
    guard source >= 0 else {
      throw .localWrite(.cannotReadBack(destination.shown, reason: SystemCall.errorText(errno)))
    }
    defer { close(source) }
    var total = 0
    var failure: Int32 = 0
    let ok = Self.pump(from: source, to: fd, count: &total, failure: &failure)
    guard ok else { throw .localWrite(.cannotCopy(destination.shown, reason: SystemCall.errorText(failure))) }
    return total
  }

  /// The first `limit` bytes, or nil when the file is larger (a job document is small).
  func contents(limit: Int) -> [UInt8]? {
    let size = lseek(fd, 0, SEEK_END)
    guard size >= 0, size <= limit else { return nil }
    var bytes = [UInt8](repeating: 0, count: Int(size))
    let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
    return n == size ? bytes : nil
  }

  /// Whether the file holds a control character that could drive a terminal: a byte below 0x20
  /// but tab, newline and carriage return, DEL, or a C1 control (U+0080 to U+009F) in UTF-8.
  func holdsControlBytes() -> Bool {
    var buffer = [UInt8](repeating: 0, count: 65536)
    var offset: off_t = 0
    var afterC2 = false
    while true {
      let n = SystemCall.retryingEINTR { buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) } }
      if n <= 0 { return false }
      for byte in buffer[0..<n] {
        if (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) || byte == 0x7F { return true }
        if afterC2 && (0x80...0x9F).contains(byte) { return true }
        afterC2 = byte == 0xC2
      }
      offset += off_t(n)
    }
  }

  /// Hands the finished download to its destination: renamed into place, written to the file
  /// directly, or copied to `stdout`.
  func commit(stdout: TextSink) throws(JobctlError) {
    guard !done else { return }
    defer { discard() }
    switch destination.kind {
    case .stdout:
      _ = lseek(fd, 0, SEEK_SET)
      var buffer = [UInt8](repeating: 0, count: 65536)
      while true {
        let n = SystemCall.retryingEINTR { buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
        if n <= 0 { return }
        stdout.writeBytes(Array(buffer[0..<n]))
      }
    case .replace:
      _ = fchmod(fd, destination.mode)
      if let owner = destination.owner, geteuid() == 0 { _ = fchown(fd, owner.uid, owner.gid) }
      guard fsync(fd) == 0 else { throw writeError(errno) }
      guard rename(path, destination.path) == 0 else { throw writeError(errno) }
      done = true
      close(fd)
    case .direct:
      let target = try openDirect()
      defer { close(target) }
      _ = lseek(fd, 0, SEEK_SET)
      var total = 0
      var failure: Int32 = 0
      guard Self.pump(from: fd, to: target, count: &total, failure: &failure) else { throw writeError(failure) }
    }
  }

  /// Opens the destination for writing in place; a FIFO without a reader is waited for, as
  /// `curl -o` does, but a signal ends the wait.
  ///
  /// A blocking `open(2)` of such a FIFO is restarted after the signal handler runs, so SIGINT
  /// and SIGTERM would never end it; this opens without blocking and sleeps on the signal pipe.
  private func openDirect() throws(JobctlError) -> Int32 {
    while true {
      let target = open(destination.path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NONBLOCK)
      if target >= 0 {
        _ = fcntl(target, F_SETFL, fcntl(target, F_GETFL) & ~O_NONBLOCK)
        return target
      }
      guard errno == ENXIO || errno == EINTR else { throw writeError(errno) }
      if let signal = Signals.pending { throw .signaled(signal) }
      var fds = Signals.wakeFDs.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
      _ = poll(&fds, nfds_t(fds.count), 100)
    }
  }

  func discard() {
    guard !done else { return }
    done = true
    close(fd)
    unlink(path)
  }

  /// Copies `source` to its end into `target`; false with `failure` set when a read or write failed.
  private static func pump(from source: Int32, to target: Int32, count: inout Int, failure: inout Int32) -> Bool {
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = SystemCall.retryingEINTR { buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) } }
      if n < 0 {
        failure = errno
        return false
      }
      if n == 0 { return true }
      guard buffer.withUnsafeBytes({ BodyStream.writeAll(target, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }) else {
        failure = errno
        return false
      }
      count += n
    }
  }
}
