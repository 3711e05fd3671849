import JobctlSupport
import SystemCalls

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The temporary file a download goes to, and how it reaches its destination.
package final class TempFile {
  package let path: String
  package let fd: Int32
  private let destination: OutputFile
  private var done = false

  /// A new file `.NAME.jobctl-XXXXXX` in `folder` (nil: TMPDIR, else /tmp).
  package init(in folder: String?, named name: String, for destination: OutputFile) throws(JobctlError) {
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
  package func writeError(_ code: Int32) -> JobctlError {
    .localWrite(.cannotWrite(destination.shown, reason: SystemCall.errorText(code)))
  }

  package func write(_ bytes: [UInt8]) throws(JobctlError) {
    guard bytes.withUnsafeBytes({ SystemCall.writeAll(fd, $0) }) else { throw writeError(errno) }
  }

  /// Copies an existing file's bytes in (the prefix `--continue` keeps); returns how many.
  package func copyIn(from file: String) throws(JobctlError) -> Int {
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
  package func contents(limit: Int) -> [UInt8]? {
    let size = lseek(fd, 0, SEEK_END)
    guard size >= 0, size <= limit else { return nil }
    var bytes = [UInt8](repeating: 0, count: Int(size))
    let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
    return n == size ? bytes : nil
  }

  /// Whether the file holds a control character that could drive a terminal: a byte below 0x20
  /// but tab, newline and carriage return, DEL, or a C1 control (U+0080 to U+009F) in UTF-8.
  package func holdsControlBytes() -> Bool {
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
  /// directly (a wait on it ended by `interruptions`), or handed to `stdout` in chunks.
  package func commit(interruptions: any Interruptions, stdout: ([UInt8]) -> Void) throws(JobctlError) {
    guard !done else { return }
    defer { discard() }
    switch destination.kind {
    case .stdout:
      _ = lseek(fd, 0, SEEK_SET)
      var buffer = [UInt8](repeating: 0, count: 65536)
      while true {
        let n = SystemCall.retryingEINTR { buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
        if n <= 0 { return }
        stdout(Array(buffer[0..<n]))
      }
    case .replace:
      _ = fchmod(fd, destination.mode)
      if let owner = destination.owner, geteuid() == 0 { _ = fchown(fd, owner.uid, owner.gid) }
      guard fsync(fd) == 0 else { throw writeError(errno) }
      guard rename(path, destination.path) == 0 else { throw writeError(errno) }
      done = true
      close(fd)
    case .direct:
      try writeDirect(DescriptorWait(interruptions: interruptions))
    }
  }

  /// Writes the file in place, never replacing it: a FIFO without a reader, or one whose reader
  /// takes nothing, is waited for until `wait`'s interruptions end it.
  private func writeDirect(_ wait: DescriptorWait) throws(JobctlError) {
    let target: Int32
    do { target = try wait.openForWriting(destination.path) } catch { throw failure(error) }
    defer { close(target) }
    _ = lseek(fd, 0, SEEK_SET)
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = SystemCall.retryingEINTR { buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
      if n < 0 { throw writeError(errno) }
      if n == 0 { return }
      do { try wait.writeAll(target, buffer[0..<n]) } catch { throw failure(error) }
    }
  }

  private func failure(_ failure: DescriptorWait.Failure) -> JobctlError {
    switch failure {
    case .signaled(let signal): return .signaled(signal)
    case .system(let code): return writeError(code)
    }
  }

  package func discard() {
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
      guard buffer.withUnsafeBytes({ SystemCall.writeAll(target, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }) else {
        failure = errno
        return false
      }
      count += n
    }
  }
}
