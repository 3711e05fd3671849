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
public struct HTTPRequest: Sendable {
  public var method: String
  public var url: String
  public var headers: [HTTPHeader]
  public var body: [UInt8]?
  /// The `host:port` the credential headers were given for; a redirect elsewhere drops them.
  public var credentialHost: String?
  /// Overall time limit for this request (connect included); nil uses the transport's default.
  public var timeout: Double?
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
}

/// A file that receives a download as it arrives, so its size is not bounded by memory.
///
/// Each attempt starts from `keep` bytes (a `--continue` prefix); a 200 answer to a range
/// request starts from zero, since the server sent the whole body.
public final class BodyStream: @unchecked Sendable {
  public let fd: Int32
  public let keep: Int
  public private(set) var failed = false

  public init(fd: Int32, keep: Int) {
    self.fd = fd
    self.keep = keep
  }

  /// Called as a transfer starts: back to the kept prefix.
  func begin() {
    _ = ftruncate(fd, off_t(keep))
    _ = lseek(fd, off_t(keep), SEEK_SET)
    failed = false
  }

  /// Called with the first body bytes of an answer.
  func answer(status: Int) {
    if status == 200 && keep > 0 {
      _ = ftruncate(fd, 0)
      _ = lseek(fd, 0, SEEK_SET)
    }
  }

  func write(_ buffer: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < buffer.count {
      let n = Glibc.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        failed = true
        return false
      }
      offset += n
    }
    return true
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

/// Why no answer came back.
public struct TransportFailure: Error, Sendable, Equatable {
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

  public var kind: Kind
  public var message: String
  /// True when the per-request time limit ran out (so the engine can tell its deadline apart).
  public var timedOut: Bool

  public init(_ kind: Kind, _ message: String, timedOut: Bool = false) {
    self.kind = kind
    self.message = message
    self.timedOut = timedOut
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
}

/// Which header values are secrets, and how they are shown.
public enum Credentials {
  /// `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`, and any name ending in
  /// `-Token` or `-Key` (case-insensitive).
  public static func isCredentialHeader(_ name: String) -> Bool {
    let n = Text.lowercased(Text.trimmed(name))
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
    guard let first = needle.first else { return start }
    var i = start
    while i + needle.count <= haystack.count {
      if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
      i += 1
    }
    return nil
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

  /// A `Name: value` header line with the value replaced when the header is a credential.
  public static func redactHeaderLine(_ line: String) -> String {
    guard let (name, _) = Text.splitHeader(Substring(line)) else { return line }
    return isCredentialHeader(name) ? "\(name): \(redacted)" : line
  }
}

/// Reason phrases for the status codes jobctl names in messages.
public enum HTTPStatus {
  public static func reason(_ code: Int) -> String {
    switch code {
    case 200: return "OK"
    case 201: return "Created"
    case 202: return "Accepted"
    case 204: return "No Content"
    case 206: return "Partial Content"
    case 301: return "Moved Permanently"
    case 302: return "Found"
    case 303: return "See Other"
    case 304: return "Not Modified"
    case 307: return "Temporary Redirect"
    case 308: return "Permanent Redirect"
    case 400: return "Bad Request"
    case 401: return "Unauthorized"
    case 403: return "Forbidden"
    case 404: return "Not Found"
    case 405: return "Method Not Allowed"
    case 408: return "Request Timeout"
    case 409: return "Conflict"
    case 410: return "Gone"
    case 413: return "Content Too Large"
    case 415: return "Unsupported Media Type"
    case 416: return "Range Not Satisfiable"
    case 422: return "Unprocessable Content"
    case 429: return "Too Many Requests"
    case 500: return "Internal Server Error"
    case 501: return "Not Implemented"
    case 502: return "Bad Gateway"
    case 503: return "Service Unavailable"
    case 504: return "Gateway Timeout"
    default: return ""
    }
  }

  /// `HTTP 503 Service Unavailable`.
  public static func describe(_ code: Int) -> String {
    let r = reason(code)
    return r.isEmpty ? "HTTP \(code)" : "HTTP \(code) \(r)"
  }
}
