/// The parts of an absolute http(s) URL that jobctl reasons about: scheme, host, port, target.
///
/// Deliberately small: libcurl does the real parsing when sending; this is for deciding where
/// credentials may go and for resolving job references.
public struct URLParts: Sendable, Equatable {
  public let scheme: String
  public let host: String
  public let port: Int
  /// Path and query, starting with `/` (`/` when the URL has no path).
  public let target: String
  /// `scheme://host[:port]` as written (host lowercased).
  public let origin: String
  /// `user:password` as written before the `@`, still percent-encoded; nil when there is none.
  public let userinfo: String?

  /// Parses `http://` and `https://` URLs with a host; anything else (other schemes, spaces,
  /// control characters, an empty host, a bad port) is nil.
  public init?(_ url: String) {
    // Works on the bytes: this runs for every request, and every byte that matters is ASCII.
    let b = Array(url.utf8)
    guard !b.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else { return nil }
    func lower(_ x: UInt8) -> UInt8 { x >= 0x41 && x <= 0x5A ? x + 32 : x }
    func hasPrefix(_ p: StaticString) -> Bool {
      p.utf8CodeUnitCount <= b.count
        && (0..<p.utf8CodeUnitCount).allSatisfy { lower(b[$0]) == p.utf8Start[$0] }
    }
    let scheme: String
    let authorityStart: Int
    if hasPrefix("http://") {
      (scheme, authorityStart) = ("http", 7)
    } else if hasPrefix("https://") {
      (scheme, authorityStart) = ("https", 8)
    } else {
      return nil
    }
    let authorityEnd =
      b[authorityStart...].firstIndex(where: {
        $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#")
      })
      ?? b.count
    var hostStart = authorityStart
    if let at = b[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) { hostStart = at + 1 }
    var hostEnd = authorityEnd
    var portNumber = scheme == "https" ? 443 : 80
    func port(_ from: Int) -> Int? {
      let digits = b[from..<authorityEnd]
      guard (1...5).contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
      let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
      return (1...65535).contains(value) ? value : nil
    }
    if hostStart < authorityEnd, b[hostStart] == UInt8(ascii: "[") {
      guard let close = b[hostStart..<authorityEnd].firstIndex(of: UInt8(ascii: "]")) else { return nil }
      hostEnd = close + 1
      if hostEnd < authorityEnd {
        guard b[hostEnd] == UInt8(ascii: ":"), let p = port(hostEnd + 1) else { return nil }
        portNumber = p
      }
    } else if let colon = b[hostStart..<authorityEnd].lastIndex(of: UInt8(ascii: ":")) {
      hostEnd = colon
      if colon + 1 < authorityEnd {
        guard let p = port(colon + 1) else { return nil }
        portNumber = p
      }
    }
    guard hostEnd > hostStart else { return nil }
    // Outside brackets a host has no colon (`http://a:b:/` is not host `a:b`) and no brackets.
    if b[hostStart] != UInt8(ascii: "[") {
      guard !b[hostStart..<hostEnd].contains(where: { $0 == 0x3A || $0 == 0x5B || $0 == 0x5D }) else { return nil }
    }
    self.scheme = scheme
    self.userinfo =
      hostStart > authorityStart ? String(decoding: b[authorityStart..<(hostStart - 1)], as: UTF8.self) : nil
    self.host = String(decoding: b[hostStart..<hostEnd].map(lower), as: UTF8.self)
    self.port = portNumber
    let targetEnd = b[authorityEnd...].firstIndex(of: UInt8(ascii: "#")) ?? b.count
    let target = String(decoding: b[authorityEnd..<targetEnd], as: UTF8.self)
    // By byte: a `/` followed by a combining mark is not the Character "/".
    self.target = authorityEnd < targetEnd && b[authorityEnd] == UInt8(ascii: "/") ? target : "/" + target
    let defaultPort = scheme == "https" ? 443 : 80
    self.origin = "\(scheme)://\(host)" + (portNumber == defaultPort ? "" : ":\(portNumber)")
  }

  /// Host and port: what "the same host" means for credentials (a name is not its address).
  public var hostKey: String { "\(host):\(port)" }
}

/// Percent-encoding for values placed into a URL.
public enum PercentEncoding {
  /// `s` with every `%XX` escape decoded (as libcurl decodes a URL's user and password); a `%`
  /// not followed by two hex digits stays as it is.
  public static func decode(_ s: String) -> String {
    let b = Array(s.utf8)
    func hex(_ x: UInt8) -> UInt8? {
      switch x {
      case 0x30...0x39: return x - 0x30
      case 0x41...0x46: return x - 0x41 + 10
      case 0x61...0x66: return x - 0x61 + 10
      default: return nil
      }
    }
    var out: [UInt8] = []
    var i = 0
    while i < b.count {
      if b[i] == 0x25, i + 2 < b.count, let high = hex(b[i + 1]), let low = hex(b[i + 2]) {
        out.append(high << 4 | low)
        i += 3
      } else {
        out.append(b[i])
        i += 1
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Encodes everything but RFC 3986's unreserved characters, so the result is one path segment
  /// or one query value whatever it holds; `.` and `..` are encoded too, since as path segments
  /// they would be resolved away.
  public static func component(_ s: String) -> String {
    if s == "." || s == ".." { return String(repeating: "%2E", count: s.count) }
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for b in s.utf8 {
      switch b {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: "~"):
        out.unicodeScalars.append(Unicode.Scalar(b))
      default:
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        out.unicodeScalars.append("%")
        out.unicodeScalars.append(hex[Int(b >> 4)])
        out.unicodeScalars.append(hex[Int(b & 0xF)])
      }
    }
    return out
  }
}

/// Base64 (RFC 4648, with padding), as HTTP Basic authentication sends `user:password`.
public enum Base64 {
  public static func encode(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".unicodeScalars)
    var out = String.UnicodeScalarView()
    var i = 0
    while i < bytes.count {
      let chunk = bytes[i..<min(i + 3, bytes.count)]
      let n = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
      for k in 0..<4 {
        out.append(k <= chunk.count ? alphabet[Int((n >> (18 - 6 * UInt32(k))) & 0x3F)] : "=")
      }
      i += 3
    }
    return String(out)
  }
}
