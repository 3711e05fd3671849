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

  static func trimmed(_ s: Substring) -> Substring {
    var t = s
    // isNewline, because "\r\n" is one Character that equals neither "\r" nor "\n".
    while let f = t.first, f == " " || f == "\t" { t = t.dropFirst() }
    while let l = t.last, l == " " || l == "\t" || l.isNewline { t = t.dropLast() }
    return t
  }

  static func trimmed(_ s: String) -> String { String(trimmed(Substring(s))) }

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
