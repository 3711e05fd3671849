import FuzzSupport

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// A `Retry-After` value (delay-seconds or an HTTP-date in any of its three forms).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRetryAfter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  guard let text = fuzzText(fuzzBytes(data, size)) else { return 0 }
  let response = HTTPResponse(status: 503, headers: [HTTPHeader("retry-after", text)])
  // The epoch, a time near now, and the far future: a date can lie on either side of each.
  for now in [0, 1_800_000_000, 250_000_000_000.5] {
    guard let delay = response.retryAfter(now: now) else { continue }
    check(delay.isFinite, "Retry-After '\(text)' gave \(delay)")
    check(delay >= 0 && delay <= RetryAfter.maximum, "Retry-After '\(text)' gave \(delay) s at \(now)")
  }

  guard let time = HTTPDate.parse(text) else { return 0 }
  check(time.isFinite && time == time.rounded(), "HTTP-date '\(text)' gave \(time)")
  let earliest = Double(HTTPDate.daysFromCivil(year: 1, month: 1, day: 1) * 86400)
  let latest = Double(HTTPDate.daysFromCivil(year: 10000, month: 2, day: 1) * 86400)
  check(time >= earliest && time < latest, "HTTP-date '\(text)' gave \(time), outside years 1 to 9999")

  // The same instant written as an IMF-fixdate reads back to the same time (unless a leap
  // second on 9999-12-31 carried it into year 10000, which no form can write).
  guard time < latest - 31 * 86400 else { return 0 }
  let fixdate = imfFixdate(time)
  check(HTTPDate.parse(fixdate) == time, "'\(text)' is \(time), but its IMF-fixdate '\(fixdate)' is not")
  return 0
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` for a Unix time, from jobctl's own calendar arithmetic.
private func imfFixdate(_ time: Double) -> String {
  let t = Int(time)
  let days = t >= 0 ? t / 86400 : (t - 86399) / 86400
  let secs = t - days * 86400
  let (y, m, d) = HTTPDate.civilFromDays(days)
  let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
  let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
  func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return String(repeating: "0", count: max(0, width - s.count)) + s
  }
  let weekday = weekdays[((days % 7) + 7) % 7]
  let clock = "\(pad(secs / 3600, 2)):\(pad(secs % 3600 / 60, 2)):\(pad(secs % 60, 2))"
  return "\(weekday), \(pad(d, 2)) \(months[m - 1]) \(pad(y, 4)) \(clock) GMT"
}
