#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The C library's calls made the way every caller needs them, written once.
enum SystemCall {
  /// Runs `call` again while it fails with EINTR; returns its last result, `errno` set when negative.
  ///
  /// A signal (Ctrl-C, SIGWINCH) arriving during a read or write is not a failure of the file.
  static func retryingEINTR(_ call: () -> Int) -> Int {
    while true {
      let result = call()
      if result >= 0 || errno != EINTR { return result }
    }
  }

  /// The C library's text for the errno value `code` ("No space left on device").
  static func errorText(_ code: Int32) -> String {
    String(cString: strerror(code))
  }
}
