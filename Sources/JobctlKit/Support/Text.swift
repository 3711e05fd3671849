/// Small text helpers shared by the output and error paths.
enum Text {
  /// Server-provided text made safe for one log line: control characters (ESC, CR, LF, ...)
  /// become spaces or `?`, so a hostile answer cannot move the cursor or forge lines in a CI log.
  static func oneLine(_ s: String, limit: Int = 500) -> String {
    var out = String.UnicodeScalarView()
    var count = 0
    for scalar in s.unicodeScalars {
      if count >= limit {
        out.append(contentsOf: "...".unicodeScalars)
        break
      }
      switch scalar.value {
      case 0x09, 0x0A, 0x0D: out.append(" ")
      case 0..<0x20, 0x7F, 0x80..<0xA0, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: out.append("?")
      default: out.append(scalar)
      }
      count += 1
    }
    return String(out)
  }

  /// Without leading spaces and tabs, and trailing spaces, tabs and line breaks.
  ///
  /// By scalar, not Character: "\r\n" is one Character, and so is a space followed by a combining
  /// mark, which equals neither " " nor "\t" and would keep `Name: \u{301}x` from losing its space.
  static func trimmed(_ s: Substring) -> Substring {
    let scalars = s.unicodeScalars
    var start = scalars.startIndex
    var end = scalars.endIndex
    while start < end, scalars[start] == " " || scalars[start] == "\t" { scalars.formIndex(after: &start) }
    while start < end {
      let last = scalars[scalars.index(before: end)]
      guard last == " " || last == "\t" || Character(last).isNewline else { break }
      scalars.formIndex(before: &end)
    }
    return Substring(scalars[start..<end])
  }

  static func trimmed(_ s: String) -> String { String(trimmed(Substring(s))) }

  /// Whether `s` holds a CR or an LF, by scalar: `"\r\n"` is one Character, equal to neither.
  static func hasLineBreak(_ s: String) -> Bool {
    s.utf8.contains { $0 == 0x0A || $0 == 0x0D }
  }

  /// Whether `s` ends with an LF (a CRLF included), by byte: `"a\r\n".hasSuffix("\n")` is false.
  static func endsWithNewline(_ s: String) -> Bool { s.utf8.last == 0x0A }

  /// `Name: value` split at the first colon, found by scalar: as a Character, a colon followed by
  /// a combining mark is not ":", so a Character search would skip it and take a later one.
  static func splitHeader(_ line: Substring) -> (name: String, value: Substring)? {
    let scalars = line.unicodeScalars
    guard let colon = scalars.firstIndex(of: ":") else { return nil }
    return (String(scalars[..<colon]), Substring(scalars[scalars.index(after: colon)...]))
  }

  /// ASCII case-insensitive equality, for header names.
  static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
    a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { lower($0) == lower($1) }
  }

  static func lowercased(_ s: String) -> String {
    String(decoding: s.utf8.map(lower), as: UTF8.self)
  }

  private static func lower(_ b: UInt8) -> UInt8 {
    b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b + 32 : b
  }

  /// The percent form of a fraction: `45%`, `99.5%`.
  static func percent(_ fraction: Double) -> String {
    let p = (fraction * 1000).rounded() / 10
    return p == p.rounded() ? "\(Int(p))%" : "\(p)%"
  }
}
