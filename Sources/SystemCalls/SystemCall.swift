#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The C library's calls made the way every caller needs them, written once.
///
/// Its own module so that the client (JobctlKit) and the test server (LoopbackHTTP) share it
/// without the server depending on the client it is there to test.
public enum SystemCall {
  /// Runs `call` again while it fails with EINTR; returns its last result, `errno` set when negative.
  ///
  /// A signal (Ctrl-C, SIGWINCH) arriving during a read or write is not a failure of the file.
  @inlinable
  public static func retryingEINTR<Result: BinaryInteger>(_ call: () -> Result) -> Result {
    while true {
      let result = call()
      if result >= 0 || errno != EINTR { return result }
    }
  }

  /// Writes all of `buffer` to `fd`, again after EINTR; false with `errno` set when it cannot.
  public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < buffer.count {
      let n = retryingEINTR { write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset) }
      if n < 0 { return false }
      offset += n
    }
    return true
  }

  /// The C library's text for the errno value `code` ("No space left on device").
  public static func errorText(_ code: Int32) -> String {
    String(cString: strerror(code))
  }
}
