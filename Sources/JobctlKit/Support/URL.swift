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

  /// Parses `http://` and `https://` URLs with a host; anything else (other schemes, spaces,
  /// control characters, an empty host, a bad port) is nil.
  public init?(_ url: String) {
    guard !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else { return nil }
    let lower = Text.lowercased(url)
    let scheme: String
    if lower.hasPrefix("http://") {
      scheme = "http"
    } else if lower.hasPrefix("https://") {
      scheme = "https"
    } else {
      return nil
    }
    let rest = url.dropFirst(scheme.count + 3)
    let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
    var authority = rest[..<authorityEnd]
    if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
    var hostPart = authority
    var portNumber = scheme == "https" ? 443 : 80
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]") else { return nil }
      hostPart = authority[...close]
      let after = authority[authority.index(after: close)...]
      if !after.isEmpty {
        guard after.hasPrefix(":"), let p = Int(after.dropFirst()), (1...65535).contains(p) else { return nil }
        portNumber = p
      }
    } else if let colon = authority.lastIndex(of: ":") {
      hostPart = authority[..<colon]
      let portText = authority[authority.index(after: colon)...]
      if !portText.isEmpty {
        guard portText.allSatisfy(\.isASCII), let p = Int(portText), (1...65535).contains(p) else { return nil }
        portNumber = p
      }
    }
    guard !hostPart.isEmpty else { return nil }
    self.scheme = scheme
    self.host = Text.lowercased(String(hostPart))
    self.port = portNumber
    var target = String(rest[authorityEnd...])
    if let hash = target.firstIndex(of: "#") { target = String(target[..<hash]) }
    if !target.hasPrefix("/") { target = "/" + target }
    self.target = target
    let defaultPort = scheme == "https" ? 443 : 80
    self.origin = "\(scheme)://\(host)" + (portNumber == defaultPort ? "" : ":\(portNumber)")
  }

  /// Host and port: what "the same host" means for credentials (a name is not its address).
  public var hostKey: String { "\(host):\(port)" }
}

/// Percent-encoding for values placed into a URL.
public enum PercentEncoding {
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
