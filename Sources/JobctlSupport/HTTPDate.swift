/// RFC 9110 dates and the `Retry-After` header, with calendar arithmetic done here so results
/// never depend on the machine's time zone.
package enum HTTPDate {
  private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

  /// The Unix time of an HTTP-date in any of the three forms RFC 9110 section 5.6.7 requires
  /// recipients to accept: IMF-fixdate, RFC 850 and asctime.
  package static func parse(_ text: String) -> Double? {
    // Tokens split on the separators the three forms use; the weekday is ignored.
    let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init)
    var day: Int?
    var month: Int?
    var year: Int?
    var clock: (Int, Int, Int)?
    for token in tokens {
      let lower = Text.lowercased(token)
      if token.contains(":") {
        let parts = token.split(separator: ":", omittingEmptySubsequences: false).compactMap { Int($0) }
        guard parts.count == 3, clock == nil else { return nil }
        clock = (parts[0], parts[1], parts[2])
      } else if let m = months.firstIndex(of: lower), month == nil {
        month = m + 1
      } else if let n = Int(token), token.allSatisfy(\.isASCII) {
        if day == nil, token.count <= 2 {
          day = n
        } else if year == nil {
          // RFC 850's two-digit years: RFC 9110 says to read ones more than 50 years ahead as past.
          year = token.count == 2 ? (n < 70 ? 2000 + n : 1900 + n) : n
        } else {
          return nil
        }
      } else if lower == "gmt" || lower == "utc" || isWeekday(lower) {
        continue
      } else {
        return nil
      }
    }
    guard let d = day, let m = month, let y = year, let (hh, mm, ss) = clock,
      (1...31).contains(d), (0...23).contains(hh), (0...59).contains(mm), (0...60).contains(ss),
      (1...9999).contains(y)  // beyond that the arithmetic could overflow, and no server means it
    else { return nil }
    let days = daysFromCivil(year: y, month: m, day: d)
    return Double(days * 86400 + hh * 3600 + mm * 60 + ss)
  }

  private static func isWeekday(_ s: String) -> Bool {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].contains(where: { s.hasPrefix($0) })
      && s.count <= 9
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
  }

  static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
    let z = z0 + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }

  /// `2026-11-23T12:00:01Z` for a Unix time.
  package static func iso8601(_ unixTime: Double) -> String {
    let t = Int(unixTime.rounded(.down))
    let days = t >= 0 ? t / 86400 : (t - 86399) / 86400
    let secs = t - days * 86400
    let (y, m, d) = civilFromDays(days)
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(y)-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60))Z"
  }
}

/// Points in time as `--until` takes them.
package enum Instant {
  /// The Unix time of an RFC 3339 time (`2026-12-01T20:00:00Z`, `2026-12-01T21:00:00.5+01:00`)
  /// or of `@UNIXTIME` (`@1795382400`, `@1795382400.25`); nil for anything else.
  package static func parse(_ text: String) -> Double? {
    if text.hasPrefix("@") {
      let digits = text.dropFirst()
      guard !digits.isEmpty, digits.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }),
        let value = Double(digits), value.isFinite
      else { return nil }
      return value
    }
    let b = Array(text.utf8)
    func number(_ range: Range<Int>) -> Int? {
      guard range.upperBound <= b.count, b[range].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
      return b[range].reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }
    guard b.count >= 20, b[4] == 0x2D, b[7] == 0x2D, [0x54, 0x74, 0x20].contains(b[10]), b[13] == 0x3A,
      b[16] == 0x3A, let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
      let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
      (1...12).contains(month), (1...31).contains(day), hour <= 23, minute <= 59, second <= 60
    else { return nil }
    var i = 19
    var fraction = 0.0
    if b[i] == 0x2E {
      let start = i + 1
      i = start
      while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
      guard i > start, let f = Double("0." + String(decoding: b[start..<i], as: UTF8.self)) else { return nil }
      fraction = f
    }
    guard i < b.count else { return nil }
    var offset = 0
    if b[i] == 0x5A || b[i] == 0x7A {
      guard i + 1 == b.count else { return nil }
    } else {
      guard b[i] == 0x2B || b[i] == 0x2D, i + 6 == b.count, b[i + 3] == 0x3A, let oh = number((i + 1)..<(i + 3)),
        let om = number((i + 4)..<(i + 6)), oh <= 23, om <= 59
      else { return nil }
      offset = (oh * 3600 + om * 60) * (b[i] == 0x2D ? -1 : 1)
    }
    let days = HTTPDate.daysFromCivil(year: year, month: month, day: day)
    return Double(days * 86400 + hour * 3600 + minute * 60 + second - offset) + fraction
  }
}

/// The `Retry-After` header: how long to wait before the next request to that host.
package enum RetryAfter {
  /// The longest wait honoured; larger values (a misconfigured server) are cut to this.
  package static let maximum: Double = 3600

  /// The delay in seconds for a header value, given the current Unix time.
  ///
  /// nil for a value that is neither delay-seconds nor an HTTP-date (negative, garbage).
  /// A date in the past means 0.
  package static func delay(_ value: String, now unixTime: Double) -> Double? {
    let text = Text.trimmed(value)
    if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
      // Digits only; a value too long for Int is simply very large.
      return min(Double(text) ?? maximum, maximum)
    }
    guard let date = HTTPDate.parse(text) else { return nil }
    return min(max(0, date - unixTime), maximum)
  }
}
