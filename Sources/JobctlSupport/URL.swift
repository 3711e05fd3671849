/// The parts of an absolute http(s) URL that jobctl reasons about: scheme, host, port, target.
///
/// Deliberately small: libcurl does the real parsing when sending; this is for deciding where
/// credentials may go and for resolving job references.
package struct URLParts: Sendable, Equatable {
  package let scheme: String
  package let host: String
  package let port: Int
  /// Path and query, starting with `/` (`/` when the URL has no path).
  package let target: String
  /// `scheme://host[:port]` as written (host lowercased).
  package let origin: String
  /// `user:password` as written before the `@`, still percent-encoded; nil when there is none.
  package let userinfo: String?

  /// Parses `http://` and `https://` URLs with a host; anything else (other schemes, spaces,
  /// control characters, an empty host, a bad port) is nil.
  package init?(_ url: String) {
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
  package var hostKey: String { "\(host):\(port)" }
}

/// Percent-encoding for values placed into a URL.
package enum PercentEncoding {
  /// `s` with every `%XX` escape decoded (as libcurl decodes a URL's user and password); a `%`
  /// not followed by two hex digits stays as it is.
  package static func decode(_ s: String) -> String {
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
  package static func component(_ s: String) -> String {
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

extension PercentEncoding {
  /// `component`, but keeping `/`, for an id placed as a path (`{+id}`).
  ///
  /// An id such as `projects/p/operations/42` keeps its slashes; nil when a segment is `.` or `..`, which would be resolved away.
  package static func keepingSlashes(_ s: String) -> String? {
    let segments = s.split(separator: "/", omittingEmptySubsequences: false)
    guard !segments.contains(where: { $0 == "." || $0 == ".." }) else { return nil }
    return segments.map { component(String($0)) }.joined(separator: "/")
  }
}

extension URLParts {
  /// `url` split at its first `?` (a `#` and what follows is dropped): the part before, and the
  /// query without its `?` (nil when there is none).
  package static func splitQuery(_ url: String) -> (String, String?) {
    let s = url.unicodeScalars
    let end = s.firstIndex(of: "#") ?? s.endIndex
    guard let q = s[..<end].firstIndex(of: "?") else { return (String(s[..<end]), nil) }
    return (String(s[..<q]), String(s[s.index(after: q)..<end]))
  }

  /// BASE_URL + PATH, as README "Addressing a job" says.
  ///
  /// The base's path prefix is kept with exactly one `/` before PATH, and the base's query goes
  /// after PATH's own (`https://h/v2/?api-version=1` + `/jobs?x=1` is
  /// `https://h/v2/jobs?x=1&api-version=1`), but for the parameters PATH sets itself
  /// (`/jobs?api-version=2` keeps its own). Every URL jobctl builds from the base URL comes from
  /// here.
  package static func joining(base: String, path: String) -> String {
    var (prefix, baseQuery) = splitQuery(base)
    while prefix.hasSuffix("/") { prefix.removeLast() }
    var (own, ownQuery) = splitQuery(path)
    if !own.hasPrefix("/") { own = "/" + own }
    var query = ownQuery ?? ""
    if var added = baseQuery, !added.isEmpty {
      if !query.isEmpty {
        func name(_ item: Substring) -> Substring { item[..<(item.firstIndex(of: "=") ?? item.endIndex)] }
        let named = Set(query.split(separator: "&").map(name))
        added = added.split(separator: "&").filter { !named.contains(name($0)) }.joined(separator: "&")
      }
      if !added.isEmpty { query += query.isEmpty ? added : "&" + added }
    }
    return prefix + own + (query.isEmpty ? "" : "?" + query)
  }

  /// Resolves a reference found in an answer against the URL that answered (RFC 3986, 5.2).
  ///
  /// A `Location` or a `locationUrl` such as `operations/42` or `../jobs/7`. `base` is an absolute URL; a reference with a scheme is returned as it is.
  package static func resolving(_ reference: String, against base: String) -> String {
    let r = reference.unicodeScalars
    if let colon = r.firstIndex(of: ":"), let first = r.first, first.properties.isAlphabetic,
      r[..<colon].allSatisfy({
        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0))
      })
    {
      return reference
    }
    let b = base.unicodeScalars
    guard let schemeEnd = b.firstIndex(of: ":") else { return reference }
    let scheme = String(b[..<schemeEnd])
    var rest = b[b.index(after: schemeEnd)...]
    var authority = ""
    if rest.starts(with: "//".unicodeScalars) {
      rest = rest.dropFirst(2)
      let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
      authority = String(rest[..<end])
      rest = rest[end...]
    }
    let (basePath, baseQuery) = splitQuery(String(rest))
    if reference.hasPrefix("//") { return scheme + ":" + reference }
    var (refPath, refQuery) = splitQuery(reference)
    let fragment = r.firstIndex(of: "#").map { String(r[$0...]) } ?? ""
    let path: String
    if refPath.isEmpty {
      path = basePath
      if refQuery == nil { refQuery = baseQuery }
    } else if refPath.hasPrefix("/") {
      path = removingDotSegments(refPath)
    } else if basePath.isEmpty {
      path = removingDotSegments("/" + refPath)
    } else {
      let dir = basePath.unicodeScalars.lastIndex(of: "/").map { String(basePath.unicodeScalars[...$0]) } ?? ""
      path = removingDotSegments(dir + refPath)
    }
    return scheme + "://" + authority + path + (refQuery.map { "?" + $0 } ?? "") + fragment
  }

  /// RFC 3986 section 5.2.4 for an absolute path: `.` and `..` segments resolved away.
  static func removingDotSegments(_ path: String) -> String {
    let segments = path.split(separator: "/", omittingEmptySubsequences: false)
    var out: [Substring] = []
    for (i, segment) in segments.enumerated() {
      let last = i == segments.count - 1
      if segment == "." || segment == ".." {
        if segment == "..", out.count > 1 { out.removeLast() }
        if last { out.append("") }
        continue
      }
      out.append(segment)
    }
    let joined = out.joined(separator: "/")
    return joined.hasPrefix("/") ? joined : "/" + joined
  }
}

/// Base64 (RFC 4648, with padding), as HTTP Basic authentication sends `user:password`.
package enum Base64 {
  package static func encode(_ bytes: [UInt8]) -> String {
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
