import SystemCalls
import WireFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One header, name and value as sent or received.
public struct HTTPHeader: Sendable, Equatable {
  public var name: String
  public var value: String
  public init(_ name: String, _ value: String) {
    self.name = name
    self.value = value
  }
}

/// One line of a response head as libcurl hands it over, line ending included.
public enum ResponseHeadLine: Sendable, Equatable {
  /// `HTTP/1.1 200 OK`: a response begins (after a 1xx, another one does); 0 when unreadable.
  case status(Int)
  case header(HTTPHeader)
  /// The blank line that ends a head, or a line that is neither.
  case other

  /// Reads the line's bytes directly: this runs for every header of every poll.
  public static func parse(_ line: UnsafeRawBufferPointer) -> ResponseHeadLine {
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
    var start = 0
    var end = line.count
    while start < end, isSpace(line[start]) { start += 1 }
    while end > start, isSpace(line[end - 1]) { end -= 1 }
    let http: [UInt8] = [0x48, 0x54, 0x54, 0x50, 0x2F]  // "HTTP/"
    if end - start >= http.count, http.indices.allSatisfy({ line[start + $0] == http[$0] }) {
      var i = start
      while i < end, line[i] != 0x20 { i += 1 }
      while i < end, line[i] == 0x20 { i += 1 }
      var code = 0
      var digits = 0
      while i < end, digits < 3, (0x30...0x39).contains(line[i]) {
        code = code * 10 + Int(line[i] - 0x30)
        digits += 1
        i += 1
      }
      return .status(digits == 3 && (i == end || line[i] == 0x20) ? code : 0)
    }
    guard let colon = (start..<end).first(where: { line[$0] == 0x3A }) else { return .other }
    var valueStart = colon + 1
    while valueStart < end, isSpace(line[valueStart]) { valueStart += 1 }
    let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<colon]), as: UTF8.self)
    let value = String(decoding: UnsafeRawBufferPointer(rebasing: line[valueStart..<end]), as: UTF8.self)
    return .header(HTTPHeader(name, value))
  }

  /// The same for a line given as text (tests, fuzzing).
  public init(_ line: String) {
    self = Array(line.utf8).withUnsafeBytes { ResponseHeadLine.parse($0) }
  }
}

/// A request as the engine and commands describe it, independent of libcurl.
public struct HTTPRequest {
  public var method: String
  public var url: String
  public var headers: [HTTPHeader]
  public var body: [UInt8]?
  /// The `host:port` the credential headers were given for; a redirect elsewhere drops them.
  public var credentialHost: String?
  /// Overall time limit for this request (connect included); nil uses the transport's default,
  /// or no limit when `stallTimeout` is set.
  public var timeout: Double?
  /// A download's limit: the request fails once no bytes arrived for this long, however long the
  /// whole transfer takes.
  public var stallTimeout: Double?
  /// Where a 2xx body goes instead of memory (downloads); nil keeps it in `HTTPResponse.body`.
  public var stream: BodyStream?
  /// The answer is data to hand over byte for byte (`jobctl output`): not scrubbed of secrets.
  public var verbatim = false

  public init(
    method: String = "GET", url: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil,
    credentialHost: String? = nil, timeout: Double? = nil
  ) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
    self.credentialHost = credentialHost
    self.timeout = timeout
  }

  /// The limit on the whole request: `timeout`, else `standard` unless a stall limit replaces it
  /// (nil: no limit).
  public func overallLimit(standard: Double) -> Double? {
    timeout ?? (stallTimeout == nil ? standard : nil)
  }
}

/// A file that receives a download as it arrives, so its size is not bounded by memory.
///
/// Each attempt starts from `keep` bytes (a `--continue` prefix, or what a transfer cut short
/// brought): a 206 answer is appended there, any other answer starts the file from zero, since
/// the server sent the whole body.
public final class BodyStream {
  public let fd: Int32
  public var keep: Int
  public private(set) var failed = false
  /// The `errno` of the write that failed.
  public private(set) var failure: Int32 = 0
  /// Bytes in the file now, and those written by the last attempt.
  public private(set) var size = 0
  public private(set) var received = 0
  /// The status and headers of the answer being written in the last attempt (0 before any body).
  public private(set) var status = 0
  public private(set) var headers: [HTTPHeader] = []

  public init(fd: Int32, keep: Int) {
    self.fd = fd
    self.keep = keep
  }

  /// Called as a transfer starts: back to the kept prefix.
  func begin() {
    _ = ftruncate(fd, off_t(keep))
    _ = lseek(fd, off_t(keep), SEEK_SET)
    size = keep
    received = 0
    failed = false
    status = 0
    headers = []
  }

  /// Called with the first body bytes of an answer.
  func answer(status: Int, headers: [HTTPHeader]) {
    self.status = status
    self.headers = headers
    if status != 206 && size > 0 {
      _ = ftruncate(fd, 0)
      _ = lseek(fd, 0, SEEK_SET)
      size = 0
    }
  }

  func write(_ buffer: UnsafeRawBufferPointer) -> Bool {
    guard BodyStream.writeAll(fd, buffer) else {
      failure = errno
      failed = true
      return false
    }
    size += buffer.count
    received += buffer.count
    return true
  }

  /// Writes all of `buffer` to `fd`, again after EINTR; false with `errno` set when it cannot.
  static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < buffer.count {
      let n = SystemCall.retryingEINTR {
        Glibc.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
      }
      if n < 0 { return false }
      offset += n
    }
    return true
  }
}

/// A `Content-Range` value: `bytes FIRST-LAST/TOTAL` (TOTAL `*` when unknown), or `bytes */TOTAL`
/// in a 416.
public struct ContentRange: Sendable, Equatable {
  /// The first and last byte sent; nil for `bytes */TOTAL`.
  public var first: Int?
  public var last: Int?
  public var total: Int?

  public init?(_ text: String) {
    let value = Text.trimmed(Substring(text))
    guard value.hasPrefix("bytes ") else { return nil }
    let spec = value.dropFirst(6)
    guard let slash = spec.firstIndex(of: "/") else { return nil }
    let range = spec[..<slash]
    let totalText = spec[spec.index(after: slash)...]
    if totalText == "*" {
      total = nil
    } else {
      guard let n = Int(totalText), n >= 0 else { return nil }
      total = n
    }
    if range == "*" {
      guard total != nil else { return nil }
      return
    }
    guard let dash = range.firstIndex(of: "-"), let a = Int(range[..<dash]),
      let b = Int(range[range.index(after: dash)...]), a >= 0, b >= a, total.map({ b < $0 }) ?? true
    else { return nil }
    first = a
    last = b
  }
}

/// A complete answer: status, headers of the final response, body, and the URL that gave it.
public struct HTTPResponse: Sendable {
  public var status: Int
  public var headers: [HTTPHeader]
  /// The body, with any secret the server echoed back replaced (see `Credentials.scrubAnswer`).
  public var body: [UInt8]
  public var url: String
  /// The body as it came, when scrubbing changed it: only for URLs the next request needs (a job
  /// URL or a next page signed with the token), never for display.
  public var unscrubbedBody: [UInt8]?

  /// The answer's document as the server sent it, when scrubbing changed it (nil otherwise, and
  /// then the body is as sent): for the URLs the next request needs, never for display.
  public func documentAsSent() -> JSON? {
    unscrubbedBody.flatMap { try? JSON.parse($0) }
  }

  public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = [], url: String = "") {
    self.status = status
    self.headers = headers
    self.body = body
    self.url = url
  }

  /// The first header with this name, compared case-insensitively.
  public func header(_ name: String) -> String? {
    headers.first(where: { Text.equalsIgnoringCase($0.name, name) })?.value
  }
}

/// Why no answer came back: a code, libcurl's words and the errno under it.
///
/// The message, the kind (how the engine treats it), whether the request may have reached the
/// server and whether it ran out of time are all derived from the code, as swift-subprocess's
/// `SubprocessError` derives its description from its `Code` and underlying error, so callers
/// and tests compare codes rather than text.
public struct TransportFailure: Error, Sendable, Equatable {
  /// How the engine treats a failure.
  public enum Kind: Sendable, Equatable {
    /// Connection refused, DNS failure, reset, timeout, truncated body: worth retrying.
    case transient
    /// The answer exceeded the size cap: treated like an answer that is not a job document.
    case tooLarge
    /// The answer was not HTTP (a bad status line): retried, then exit 6.
    case badAnswer
    /// TLS verification or handshake failure: retrying cannot help.
    case tls
    /// A redirect that may not be followed (loop, https to http, no target).
    case redirect
    /// The URL itself is unusable.
    case badURL
    /// A download could not be written locally (disk full, ...).
    case localWrite
    /// A signal arrived; the request was abandoned.
    case interrupted(signal: Int32)
  }

  /// What went wrong, with what its message needs beyond `detail` and `underlyingErrno`.
  public enum Code: Sendable, Equatable {
    /// No connection was made (the name did not resolve, the connection was refused): the
    /// request never reached the server.
    case notConnected
    /// Any other network failure libcurl describes (a reset, a send error).
    case network
    /// The request's time limit ran out.
    case timedOut
    /// A download received nothing for `limit` seconds.
    case stalled(limit: Double)
    /// The time limit of `limit` seconds ran out while redirects were followed.
    case redirectsTimedOut(limit: Double)
    /// The body ended before its announced length.
    case truncated
    /// The TLS handshake was cut short: another attempt may pass.
    case tlsHandshake
    /// A certificate failed verification or could not be used: no attempt can pass.
    case tlsVerification
    /// The server's answer is not HTTP.
    case notHTTP
    /// The answer was cut off as unusable, for `reason` (two lengths, an unasked-for 101, ...).
    case malformed(reason: String)
    /// A response header line larger than libcurl accepts.
    case headerLineTooLarge
    /// The body is larger than `limit` bytes.
    case tooLarge(limit: Int)
    /// A download could not be written locally; `underlyingErrno` says why.
    case localWrite
    /// A redirect to a URL that cannot be followed: `url` when jobctl read it, nil when libcurl
    /// refused it (its words are in `detail`).
    case unusableRedirect(url: String?)
    /// More than `limit` redirects.
    case tooManyRedirects(limit: Int)
    /// A redirect from https to http, towards `origin`.
    case insecureRedirect(origin: String)
    /// A redirect back to `url`, already visited.
    case redirectLoop(url: String)
    /// The request's URL is not http(s).
    case notHTTPURL(url: String)
    /// libcurl refused `option`, which the request may not go without.
    case optionRefused(option: String)
    /// The transport could not be set up (`detail` says what failed).
    case setupFailed
    /// A signal arrived; the request was abandoned.
    case interrupted(signal: Int32)
  }

  public var code: Code
  /// libcurl's own description (its error buffer, on one line), where the message quotes it.
  public var detail: String?
  /// The raw `CURLcode` libcurl ended with, when libcurl said no.
  public var curlCode: UInt32?
  /// The errno under it (a refused connection, a full disk), when the system gave one.
  public var underlyingErrno: Int32?

  public init(_ code: Code, detail: String? = nil, curlCode: UInt32? = nil, underlyingErrno: Int32? = nil) {
    self.code = code
    self.detail = detail
    self.curlCode = curlCode
    self.underlyingErrno = underlyingErrno.flatMap { $0 == 0 ? nil : $0 }
  }

  public var kind: Kind {
    switch code {
    case .notConnected, .network, .timedOut, .stalled, .redirectsTimedOut, .truncated, .tlsHandshake:
      return .transient
    case .tlsVerification: return .tls
    case .notHTTP, .malformed, .headerLineTooLarge: return .badAnswer
    case .tooLarge: return .tooLarge
    case .localWrite: return .localWrite
    case .unusableRedirect, .tooManyRedirects, .insecureRedirect, .redirectLoop: return .redirect
    case .notHTTPURL, .optionRefused, .setupFailed: return .badURL
    case .interrupted(let signal): return .interrupted(signal: signal)
    }
  }

  /// True when a time limit ran out (so the engine can tell its deadline apart).
  public var timedOut: Bool {
    switch code {
    case .timedOut, .stalled, .redirectsTimedOut: return true
    default: return false
    }
  }

  /// False when the request certainly never reached the server (no name, no connection, never
  /// started), so sending it again cannot do the work twice.
  public var mayHaveBeenSent: Bool {
    switch code {
    case .notConnected, .notHTTPURL, .optionRefused, .setupFailed: return false
    default: return true
    }
  }

  /// What the user reads, written from the code.
  public var message: String {
    let said = detail ?? ""
    switch code {
    case .notConnected, .network, .timedOut, .setupFailed: return said
    case .stalled(let limit): return "no data for \(DurationText.format(limit)) (--request-timeout)"
    case .redirectsTimedOut(let limit): return "timed out after \(DurationText.format(limit)) following redirects"
    case .truncated: return "truncated answer: \(said)"
    case .tlsHandshake, .tlsVerification: return "TLS: \(said)"
    case .notHTTP: return "the server's answer is not HTTP: \(said)"
    case .malformed(let reason): return "malformed answer: \(reason)"
    case .headerLineTooLarge:
      // What libcurl runs out of here is its buffer for one header line, not the machine's memory.
      return "malformed answer: a response header line is larger than libcurl accepts (100 KB)"
    case .tooLarge(let limit): return "the answer is larger than \(limit >> 20) MiB"
    case .localWrite: return SystemCall.errorText(underlyingErrno ?? 0)
    case .unusableRedirect(let url?): return "redirect to an unusable URL: \(Credentials.shownURL(url))"
    case .unusableRedirect(nil): return "a redirect to an unusable URL: \(said)"
    case .tooManyRedirects(let limit): return "more than \(limit) redirects"
    case .insecureRedirect(let origin): return "refused a redirect from https to http (\(origin))"
    case .redirectLoop(let url): return "redirect loop at \(Credentials.shownURL(url))"
    case .notHTTPURL(let url): return "not an http(s) URL: \(Credentials.shownURL(url))"
    case .optionRefused(let option):
      return "libcurl refused \(option) (\(said)): nothing was sent; use a libcurl that supports it"
    case .interrupted: return "interrupted"
    }
  }
}

/// A descriptor to watch while waiting for answers, besides the signal pipe (a closed stdout
/// pipe shows as POLLERR on its write end).
public struct WatchedDescriptor: Sendable, Equatable {
  public var fd: Int32
  /// `POLLIN`, `POLLOUT` or `POLLPRI` bits, as `poll(2)` takes them.
  public var events: Int16

  public init(fd: Int32, events: Int16) {
    self.fd = fd
    self.events = events
  }
}

/// What one wait of the transport brought: finished requests, a signal, ready descriptors.
public struct TransportEvents: Sendable {
  public var results: [(id: Int, result: Result<HTTPResponse, TransportFailure>)]
  /// SIGINT or SIGTERM, when one arrived.
  public var signal: Int32?
  /// The watched descriptors that became ready (or failed), with what `poll(2)` said of them.
  public var ready: [(fd: Int32, revents: Int16)]

  public init(
    results: [(id: Int, result: Result<HTTPResponse, TransportFailure>)] = [], signal: Int32? = nil,
    ready: [(fd: Int32, revents: Int16)] = []
  ) {
    self.results = results
    self.signal = signal
    self.ready = ready
  }
}

/// Sends requests, many at once; the scheduler is its only caller.
///
/// One primitive for one job or 100,000: `start` hands a request over, `poll` waits (this is where
/// jobctl sleeps, so a signal or a watched descriptor wakes it at once) and returns what finished.
public protocol HTTPTransport: AnyObject {
  /// Begins a request; its result comes back from `poll` under `id`.
  func start(_ request: HTTPRequest, id: Int)
  /// Waits up to `timeout` seconds for results, a signal or a watched descriptor, and returns
  /// what is ready.
  func poll(timeout: Double, watching: [WatchedDescriptor]) -> TransportEvents
  /// Drops a request whose answer nobody waits for any more (its job ended).
  func abandon(_ id: Int)
  /// Replaces the secrets scrubbed from answers and traces (`TransportOptions.secrets`), for a
  /// token read again from its file: a rotated token is hidden like the first.
  func updateSecrets(_ secrets: [String])
}

/// Which header values are secrets, and how they are shown.
public enum Credentials {
  /// `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`, and any name ending in
  /// `-Token` or `-Key` (case-insensitive), but not `Idempotency-Key`: that one must go with every
  /// retry and redirect of a start, to whatever host, or the start could run twice.
  public static func isCredentialHeader(_ name: String) -> Bool {
    let n = Text.lowercased(Text.trimmed(name))
    guard n != "idempotency-key" else { return false }
    return n == "authorization" || n == "proxy-authorization" || n == "cookie" || n == "set-cookie"
      || n.hasSuffix("-token") || n.hasSuffix("-key")
  }

  public static let redacted = "[redacted]"

  /// An answer's body with every secret replaced, without changing what it means.
  ///
  /// Applied to every answer as it arrives, so a server that echoes a credential back (in an
  /// error message, a stage, a result) cannot get it into any output, cut short or whole. In a
  /// JSON document only the decoded strings (keys and values) are scrubbed, whatever escapes the
  /// server used (`\/`, `\u0041`), and the document is written anew only when one changed;
  /// numbers and syntax are never touched. Any other body is scrubbed as text.
  public static func scrubAnswer(_ body: [UInt8], _ secrets: [[UInt8]]) -> [UInt8] {
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
  static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
    Text.firstIndex(of: needle, in: haystack, from: start)
  }

  /// `bytes` with every occurrence of each secret replaced by `[redacted]`.
  public static func scrub(_ bytes: [UInt8], _ secrets: [[UInt8]]) -> [UInt8] {
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
  public static func scrub(_ text: String, _ secrets: [[UInt8]]) -> String {
    guard !secrets.isEmpty else { return text }
    let bytes = Array(text.utf8)
    let clean = scrub(bytes, secrets)
    return clean == bytes ? text : String(decoding: clean, as: UTF8.self)
  }

  /// Text on its way out (stdout, stderr, the trace, GITHUB_OUTPUT): every URL's userinfo and
  /// presigned-URL secrets hidden, then every secret.
  public static func scrubShown(_ text: String, _ secrets: [[UInt8]]) -> String {
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
  public static func hidingSignedQuery(_ text: String) -> String {
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
  public static func hidingTracedCredentials(_ line: String) -> String {
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
  public static func hidingUserinfo(_ text: String) -> String {
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
  public static func shownURL(_ url: String, limit: Int = 500) -> String {
    Text.oneLine(hidingSignedQuery(hidingUserinfo(url)), limit: limit)
  }

  /// The values a URL's userinfo is known by, to scrub wherever they turn up: as written, decoded,
  /// the user and the password on their own, and as libcurl sends them (`Basic` and base64).
  public static func userinfoSecrets(_ userinfo: String) -> [String] {
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
  public static func basicCredentials(_ userinfo: String) -> String {
    let decoded = PercentEncoding.decode(userinfo)
    return "Basic " + Base64.encode(Array((decoded.contains(":") ? decoded : decoded + ":").utf8))
  }

  /// Secrets in the userinfo of a proxy setting (see `proxyUserinfo`).
  public static func proxySecrets(_ value: String) -> [String] {
    let b = Array(Text.trimmed(value).utf8)
    guard let info = proxyUserinfo(b) else { return [] }
    return userinfoSecrets(String(decoding: b[info], as: UTF8.self))
  }

  /// A `Name: value` header line with the value replaced when the header is a credential.
  public static func redactHeaderLine(_ line: String) -> String {
    guard let (name, _) = Text.splitHeader(Substring(line)) else { return line }
    return isCredentialHeader(name) ? "\(name): \(redacted)" : line
  }
}

/// How jobctl names a status code in messages.
public enum HTTPStatus {
  /// `HTTP 503 Service Unavailable`.
  public static func describe(_ code: Int) -> String {
    HTTPReason.phrase(code).map { "HTTP \(code) \($0)" } ?? "HTTP \(code)"
  }
}
