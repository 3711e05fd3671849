/// Which header values are secrets, and how they are shown.
///
/// Here rather than in Transport: the transport scrubs answers with it as they arrive, and every
/// writer above it (the `--verbose` trace, messages, stdout, GITHUB_OUTPUT) hides what it shows
/// with it, so no layer needs the transport to keep a secret.
package enum Credentials {
  /// `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`, and any name ending in
  /// `-Token` or `-Key` (case-insensitive), but not `Idempotency-Key`: that one must go with every
  /// retry and redirect of a start, to whatever host, or the start could run twice.
  package static func isCredentialHeader(_ name: String) -> Bool {
    let n = Text.lowercased(Text.trimmed(name))
    guard n != "idempotency-key" else { return false }
    return n == "authorization" || n == "proxy-authorization" || n == "cookie" || n == "set-cookie"
      || n.hasSuffix("-token") || n.hasSuffix("-key")
  }

  package static let redacted = "[redacted]"

  /// An answer's body with every secret replaced, without changing what it means.
  ///
  /// Applied to every answer as it arrives, so a server that echoes a credential back (in an
  /// error message, a stage, a result) cannot get it into any output, cut short or whole. In a
  /// JSON document only the decoded strings (keys and values) are scrubbed, whatever escapes the
  /// server used (`\/`, `\u0041`), and the document is written anew only when one changed;
  /// numbers and syntax are never touched. Any other body is scrubbed as text.
  package static func scrubAnswer(_ body: [UInt8], _ secrets: [[UInt8]]) -> [UInt8] {
    guard !secrets.isEmpty, !body.isEmpty else { return body }
    // The usual answer holds none of them: without a `\u` escape, a secret in a JSON string
    // shows at least its longest run of bytes that JSON never escapes.
    let unicodeEscape: [UInt8] = [0x5C, 0x75]
    guard
      firstIndex(of: unicodeEscape, in: body) != nil
        || secrets.contains(where: { firstIndex(of: unescapedRun($0), in: body) != nil })
    else {
      return body
    }
    guard let document = try? JSON.parse(body) else { return scrub(body, secrets) }
    let scrubbed = redacting(document, secrets)
    return scrubbed == document ? body : Array(scrubbed.serialized().utf8)
  }

  /// `document` with every string (keys too) scrubbed, and a number that is a secret (a key made
  /// of digits) turned into the string `[redacted]`: the document stays valid JSON.
  static func redacting(_ document: JSON, _ secrets: [[UInt8]]) -> JSON {
    switch document {
    case .string(let text): return .string(scrub(text, secrets))
    case .number(let text): return secrets.contains(Array(text.utf8)) ? .string(redacted) : document
    case .array(let items): return .array(items.map { redacting($0, secrets) })
    case .object(let members):
      return .object(members.map { (key: scrub($0.key, secrets), value: redacting($0.value, secrets)) })
    case .null, .bool: return document
    }
  }

  /// The longest run of `secret` without `"`, `\`, `/` or a control byte: what any JSON encoder
  /// leaves as it is (empty when there is none, which makes every answer worth a look).
  static func unescapedRun(_ secret: [UInt8]) -> [UInt8] {
    secret.split(whereSeparator: { $0 == 0x22 || $0 == 0x5C || $0 == 0x2F || $0 < 0x20 })
      .max(by: { $0.count < $1.count }).map(Array.init) ?? []
  }

  /// Where `needle` first occurs in `haystack` at or after `start` (an empty needle at `start`).
  package static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
    Text.firstIndex(of: needle, in: haystack, from: start)
  }

  /// `bytes` with every occurrence of each secret replaced by `[redacted]`.
  package static func scrub(_ bytes: [UInt8], _ secrets: [[UInt8]]) -> [UInt8] {
    var out = bytes
    for secret in secrets where !secret.isEmpty {
      guard var match = firstIndex(of: secret, in: out) else { continue }
      var result: [UInt8] = []
      result.reserveCapacity(out.count)
      var copied = 0
      while true {
        result.append(contentsOf: out[copied..<match])
        result.append(contentsOf: redacted.utf8)
        copied = match + secret.count
        guard let next = firstIndex(of: secret, in: out, from: copied) else { break }
        match = next
      }
      result.append(contentsOf: out[copied...])
      out = result
    }
    return out
  }

  /// `text` with every occurrence of each secret replaced, matched by bytes, not Characters: a
  /// secret followed by a combining mark is still the secret.
  package static func scrub(_ text: String, _ secrets: [[UInt8]]) -> String {
    guard !secrets.isEmpty else { return text }
    let bytes = Array(text.utf8)
    let clean = scrub(bytes, secrets)
    return clean == bytes ? text : String(decoding: clean, as: UTF8.self)
  }

  /// Text on its way out (stdout, stderr, the trace, GITHUB_OUTPUT): every URL's userinfo and
  /// presigned-URL secrets hidden, then every secret.
  package static func scrubShown(_ text: String, _ secrets: [[UInt8]]) -> String {
    scrub(hidingSignedQuery(hidingUserinfo(text)), secrets)
  }

  /// The query parameters of a presigned AWS URL that are secrets: with them anyone may send
  /// the request it signs (the signature and session token), or learn who signed it.
  static let signedQueryNames: [[UInt8]] = ["x-amz-signature=", "x-amz-credential=", "x-amz-security-token="].map {
    Array($0.utf8)
  }

  /// `text` with the secrets of every presigned URL it holds replaced.
  ///
  /// The value of each `X-Amz-Signature`, `X-Amz-Credential` and `X-Amz-Security-Token` query
  /// parameter (any case, after `?` or `&`), in any URL: a presigned URL in a job document, a `Location` header, a message. The value ends at
  /// `&`, `#`, a space, a quote, an angle bracket or a backslash, as a URL's authority does.
  package static func hidingSignedQuery(_ text: String) -> String {
    let b = Array(text.utf8)
    // Most text holds no "-amz-" at all: one pass to find out.
    let marker: [UInt8] = Array("-amz-".utf8)
    var candidate = false
    var i = 0
    while i + marker.count <= b.count {
      if b[i] == 0x2D, (1..<marker.count).allSatisfy({ b[i + $0] | 0x20 == marker[$0] }) {
        candidate = true
        break
      }
      i += 1
    }
    guard candidate else { return text }
    func endsValue(_ x: UInt8) -> Bool { x <= 0x20 || x == 0x7F || "&#\"'<>\\".utf8.contains(x) }
    var out: [UInt8] = []
    var copied = 0
    i = 1
    while i < b.count {
      guard b[i - 1] == 0x3F || b[i - 1] == 0x26,
        let name = signedQueryNames.first(where: { name in
          i + name.count <= b.count && (0..<name.count).allSatisfy { b[i + $0] | 0x20 == name[$0] | 0x20 }
        })
      else {
        i += 1
        continue
      }
      let start = i + name.count
      var end = start
      while end < b.count, !endsValue(b[end]) { end += 1 }
      out += b[copied..<start]
      out += redacted.utf8
      copied = end
      i = max(end, i + 1)
    }
    guard copied > 0 else { return text }
    out += b[copied...]
    return String(decoding: out, as: UTF8.self)
  }

  /// A libcurl `--verbose` text line with the credentials it reports hidden: the user name
  /// (`Server auth using Basic with user 'NAME'`, the same for a proxy), and the userinfo of the
  /// proxy variable it used (`Uses proxy env variable http_proxy == 'user:pass@proxy:3128'`),
  /// which may come without a scheme and so escape `hidingUserinfo`.
  package static func hidingTracedCredentials(_ line: String) -> String {
    let b = Array(line.utf8)
    for marker in [" with user '", "Uses proxy env variable "].map({ Array($0.utf8) }) {
      guard let at = firstIndex(of: marker, in: b) else { continue }
      var start = at + marker.count
      if marker.last != 0x27 {
        guard let quote = b[start...].firstIndex(of: 0x27) else { return line }
        start = quote + 1
      }
      let end = b[start...].firstIndex(of: 0x27) ?? b.count
      let shown: [UInt8]
      if marker.last == 0x27 {
        shown = Array(redacted.utf8)
      } else if let info = proxyUserinfo(Array(b[start..<end])) {
        shown = Array(b[start..<(start + info.lowerBound)]) + redacted.utf8 + b[(start + info.upperBound)..<end]
      } else {
        return line
      }
      return String(decoding: b[..<start] + shown + b[end...], as: UTF8.self)
    }
    return line
  }

  /// Where the userinfo of a proxy setting is: libcurl takes one with or without a scheme
  /// (`http://user:pass@proxy:3128`, `user:pass@proxy:3128`).
  static func proxyUserinfo(_ b: [UInt8]) -> Range<Int>? {
    let start = firstIndex(of: Array("://".utf8), in: b).map { $0 + 3 } ?? 0
    let end = b[start...].firstIndex(where: { $0 == 0x2F || $0 == 0x3F || $0 == 0x23 }) ?? b.count
    guard let at = b[start..<end].lastIndex(of: 0x40), at > start else { return nil }
    return start..<at
  }

  /// `text` with the user and password of every URL in it replaced: `https://[redacted]@host/`.
  ///
  /// By structure, not by value, so a password too short to be a secret by `Redactor`'s rule, or
  /// one nobody registered (a Location header's), is hidden too. A URL's authority ends at the
  /// first `/`, `?`, `#`, `\\`, space, quote or angle bracket; its userinfo is what comes before
  /// the last `@`.
  package static func hidingUserinfo(_ text: String) -> String {
    let b = Array(text.utf8)
    let separator: [UInt8] = [0x3A, 0x2F, 0x2F]  // "://"
    guard var i = firstIndex(of: separator, in: b) else { return text }
    func endsAuthority(_ x: UInt8) -> Bool {
      x <= 0x20 || x == 0x7F || "/?#\"'<>\\".utf8.contains(x)
    }
    var out: [UInt8] = []
    var copied = 0
    while true {
      let start = i + separator.count
      var end = start
      while end < b.count, !endsAuthority(b[end]) { end += 1 }
      if let at = b[start..<end].lastIndex(of: 0x40), at > start {
        out += b[copied..<start]
        out += redacted.utf8
        copied = at
      }
      guard let next = firstIndex(of: separator, in: b, from: max(end, start)) else { break }
      i = next
    }
    guard copied > 0 else { return text }
    out += b[copied...]
    return String(decoding: out, as: UTF8.self)
  }

  /// A URL as jobctl shows it: userinfo hidden, on one line, cut to `limit`.
  package static func shownURL(_ url: String, limit: Int = 500) -> String {
    Text.oneLine(hidingSignedQuery(hidingUserinfo(url)), limit: limit)
  }

  /// The values a URL's userinfo is known by, to scrub wherever they turn up: as written, decoded,
  /// the user and the password on their own, and as libcurl sends them (`Basic` and base64).
  package static func userinfoSecrets(_ userinfo: String) -> [String] {
    let decoded = PercentEncoding.decode(userinfo)
    let basic = basicCredentials(userinfo)
    var values = [userinfo, decoded, String(basic.dropFirst("Basic ".count)), basic]
    for part in [userinfo, decoded] {
      if let colon = part.firstIndex(of: ":") {
        values += [String(part[..<colon]), String(part[part.index(after: colon)...])]
      }
    }
    return values
  }

  /// `Basic ...` for a URL's userinfo, as libcurl sends it: decoded, and `user:` when there is
  /// no password.
  package static func basicCredentials(_ userinfo: String) -> String {
    let decoded = PercentEncoding.decode(userinfo)
    return "Basic " + Base64.encode(Array((decoded.contains(":") ? decoded : decoded + ":").utf8))
  }

  /// Secrets in the userinfo of a proxy setting (see `proxyUserinfo`).
  package static func proxySecrets(_ value: String) -> [String] {
    let b = Array(Text.trimmed(value).utf8)
    guard let info = proxyUserinfo(b) else { return [] }
    return userinfoSecrets(String(decoding: b[info], as: UTF8.self))
  }

  /// A `Name: value` header line with the value replaced when the header is a credential.
  package static func redactHeaderLine(_ line: String) -> String {
    guard let (name, _) = Text.splitHeader(Substring(line)) else { return line }
    return isCredentialHeader(name) ? "\(name): \(redacted)" : line
  }
}

/// The secrets of one run (the token, credential header values), and their scrubbing.
///
/// One instance is shared by everything that writes (stderr, stdout, GITHUB_OUTPUT, the final
/// error line), so a value learnt anywhere is hidden everywhere.
package final class Redactor {
  /// The shortest value hidden: shorter ones would match ordinary text (a `2345` inside every
  /// number that holds it), and are not secrets worth the name.
  package static let minimumLength = 8
  /// The values scrubbed (trimmed, at least `minimumLength` bytes), longest first.
  package private(set) var secrets: [String] = []
  /// The same as UTF-8 bytes, which is how they are matched.
  package private(set) var bytes: [[UInt8]] = []

  package init() {}

  /// Values never to be shown; short ones are ignored (see `minimumLength`).
  package func add(_ value: String) {
    let v = Text.trimmed(value)
    if v.utf8.count >= Redactor.minimumLength, !secrets.contains(v) {
      secrets.append(v)
      // Longest first, so `Bearer TOKEN` goes whole before `TOKEN` is looked for.
      secrets.sort { $0.utf8.count > $1.utf8.count }
      bytes = secrets.map { Array($0.utf8) }
    }
  }

  /// `text` with every URL's userinfo and every known secret replaced by `[redacted]`; for
  /// messages, which may have been cut to length before they got here (`Text.oneLine` ends them
  /// with "..."), the start of a secret right before such a cut goes too, when it is
  /// `minimumLength` bytes or more.
  package func scrub(_ text: String) -> String {
    let scrubbed = Credentials.scrubShown(text, bytes)
    let ellipsis = Array("...".utf8)
    var clean = Array(scrubbed.utf8)
    guard Credentials.firstIndex(of: ellipsis, in: clean) != nil else { return scrubbed }
    for secret in bytes where secret.count > Redactor.minimumLength {
      for length in stride(from: secret.count - 1, through: Redactor.minimumLength, by: -1) {
        clean = Credentials.scrub(clean, [Array(secret[..<length]) + ellipsis])
      }
    }
    return String(decoding: clean, as: UTF8.self)
  }
}
