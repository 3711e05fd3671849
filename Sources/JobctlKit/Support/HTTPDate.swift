/// RFC 9110 dates and the `Retry-After` header, with calendar arithmetic done here so results
/// never depend on the machine's time zone.
public enum HTTPDate {
  private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

  /// The Unix time of an HTTP-date in any of the three forms RFC 9110 section 5.6.7 requires
  /// recipients to accept: IMF-fixdate, RFC 850 and asctime.
  public static func parse(_ text: String) -> Double? {
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
  public static func iso8601(_ unixTime: Double) -> String {
    let t = Int(unixTime.rounded(.down))
    let days = t >= 0 ? t / 86400 : (t - 86399) / 86400
    let secs = t - days * 86400
    let (y, m, d) = civilFromDays(days)
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(y)-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60))Z"
  }
}

/// The `Retry-After` header: how long to wait before the next request to that host.
public enum RetryAfter {
  /// The longest wait honoured; larger values (a misconfigured server) are cut to this.
  public static let maximum: Double = 3600

  /// The delay in seconds for a header value, given the current Unix time.
  ///
  /// nil for a value that is neither delay-seconds nor an HTTP-date (negative, garbage).
  /// A date in the past means 0.
  public static func delay(_ value: String, now unixTime: Double) -> Double? {
    let text = Text.trimmed(value)
    if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
      // Digits only; a value too long for Int is simply very large.
      return min(Double(text) ?? maximum, maximum)
    }
    guard let date = HTTPDate.parse(text) else { return nil }
    return min(max(0, date - unixTime), maximum)
  }
}
