/// Parsing and printing of durations as the command line takes them.
package enum DurationText {
  /// The longest duration accepted (a year), so arithmetic on deadlines never overflows.
  package static let maximum: Double = 365 * 24 * 3600

  /// Seconds for `250ms`, `2s`, `1m30s`, `1h`, or a bare number of seconds (`2`, `0.5`).
  ///
  /// Units must come largest first and at most once; signs, exponents, spaces and values above
  /// `maximum` are refused (nil).
  package static func parse(_ text: String) -> Double? {
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty else { return nil }
    if let plain = decimal(bytes[...]) { return plain <= maximum ? plain : nil }
    let units: [(name: String, seconds: Double)] = [("h", 3600), ("m", 60), ("s", 1), ("ms", 0.001)]
    var total = 0.0
    var i = 0
    var lastUnit = -1
    while i < bytes.count {
      let numberStart = i
      while i < bytes.count, isDecimalByte(bytes[i]) { i += 1 }
      guard i > numberStart, let value = decimal(bytes[numberStart..<i]) else { return nil }
      let unitStart = i
      while i < bytes.count, bytes[i] >= UInt8(ascii: "a"), bytes[i] <= UInt8(ascii: "z") { i += 1 }
      let unit = String(decoding: bytes[unitStart..<i], as: UTF8.self)
      guard let index = units.firstIndex(where: { $0.name == unit }), index > lastUnit else { return nil }
      lastUnit = index
      total += value * units[index].seconds
    }
    return total <= maximum ? total : nil
  }

  private static func isDecimalByte(_ b: UInt8) -> Bool {
    (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: ".")
  }

  /// Digits with at most one decimal point, nothing else.
  private static func decimal(_ bytes: ArraySlice<UInt8>) -> Double? {
    guard !bytes.isEmpty, bytes.allSatisfy(isDecimalByte),
      bytes.filter({ $0 == UInt8(ascii: ".") }).count <= 1,
      bytes.contains(where: { $0 != UInt8(ascii: ".") })
    else { return nil }
    return Double(String(decoding: bytes, as: UTF8.self))
  }

  /// A short human form: `250ms`, `2s`, `1.5s`, `1m30s`, `2h5m`.
  package static func format(_ seconds: Double) -> String {
    if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
    if seconds < 60 {
      let tenths = (seconds * 10).rounded() / 10
      return tenths == tenths.rounded() ? "\(Int(tenths))s" : "\(tenths)s"
    }
    let whole = Int(seconds.rounded())
    let h = whole / 3600
    let m = (whole % 3600) / 60
    let s = whole % 60
    if h > 0 { return m > 0 ? "\(h)h\(m)m" : "\(h)h" }
    return s > 0 ? "\(m)m\(s)s" : "\(m)m"
  }
}
