import FuzzSupport

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// A duration as `--interval`, `--timeout` or a config file value gives it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDuration(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  guard let text = fuzzText(fuzzBytes(data, size)) else { return 0 }
  guard let seconds = DurationText.parse(text) else { return 0 }
  check(seconds.isFinite, "'\(text)' parsed to \(seconds)")
  check(seconds >= 0 && seconds <= DurationText.maximum, "'\(text)' parsed to \(seconds), outside [0, a year]")

  // What jobctl prints for a duration parses back to about the same duration: to the
  // millisecond under a second, the tenth under a minute, the second under an hour, and the
  // minute above (the short form leaves seconds out once there are hours).
  let shown = DurationText.format(seconds)
  guard let back = DurationText.parse(shown) else {
    check(false, "'\(text)' (\(seconds) s) prints as '\(shown)', which does not parse")
    return 0
  }
  let tolerance = seconds < 1 ? 0.0005 : seconds < 60 ? 0.05 : seconds < 3600 ? 0.5 : 60
  check(abs(back - seconds) <= tolerance + 1e-9, "'\(text)' is \(seconds) s, printed '\(shown)', read back \(back) s")
  return 0
}
