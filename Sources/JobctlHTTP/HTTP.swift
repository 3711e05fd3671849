import JobctlSupport
import SystemCalls

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One header, name and value as sent or received.
package struct HTTPHeader: Sendable, Equatable {
  package var name: String
  package var value: String
  @inlinable package init(_ name: String, _ value: String) {
    self.name = name
    self.value = value
  }
}

/// One line of a response head as libcurl hands it over, line ending included.
package enum ResponseHeadLine: Sendable, Equatable {
  /// `HTTP/1.1 200 OK`: a response begins (after a 1xx, another one does); 0 when unreadable.
  case status(Int)
  case header(HTTPHeader)
  /// The blank line that ends a head, or a line that is neither.
  case other

  /// Reads the line's bytes directly: this runs for every header of every poll.
  @inlinable package static func parse(_ line: UnsafeRawBufferPointer) -> ResponseHeadLine {
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
  package init(_ line: String) {
    self = Array(line.utf8).withUnsafeBytes { ResponseHeadLine.parse($0) }
  }
}

/// A request as the engine and commands describe it, independent of libcurl.
package struct HTTPRequest {
  package var method: String
  package var url: String
  package var headers: [HTTPHeader]
  package var body: [UInt8]?
  /// The `host:port` the credential headers were given for; a redirect elsewhere drops them.
  package var credentialHost: String?
  /// Overall time limit for this request (connect included); nil uses the transport's default,
  /// or no limit when `stallTimeout` is set.
  package var timeout: Double?
  /// A download's limit: the request fails once no bytes arrived for this long, however long the
  /// whole transfer takes.
  package var stallTimeout: Double?
  /// Where a 2xx body goes instead of memory (downloads); nil keeps it in `HTTPResponse.body`.
  package var stream: BodyStream?
  /// The answer is data to hand over byte for byte (`jobctl output`): not scrubbed of secrets.
  package var verbatim = false

  package init(
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
  package func overallLimit(standard: Double) -> Double? {
    timeout ?? (stallTimeout == nil ? standard : nil)
  }
}

/// A file that receives a download as it arrives, so its size is not bounded by memory.
///
/// Each attempt starts from `keep` bytes (a `--continue` prefix, or what a transfer cut short
/// brought): a 206 answer is appended there, any other answer starts the file from zero, since
/// the server sent the whole body.
package final class BodyStream {
  package let fd: Int32
  package var keep: Int
  package private(set) var failed = false
  /// The `errno` of the write that failed.
  package private(set) var failure: Int32 = 0
  /// Bytes in the file now, and those written by the last attempt.
  package private(set) var size = 0
  package private(set) var received = 0
  /// The status and headers of the answer being written in the last attempt (0 before any body).
  package private(set) var status = 0
  package private(set) var headers: [HTTPHeader] = []

  package init(fd: Int32, keep: Int) {
    self.fd = fd
    self.keep = keep
  }

  /// Called as a transfer starts: back to the kept prefix.
  package func begin() {
    _ = ftruncate(fd, off_t(keep))
    _ = lseek(fd, off_t(keep), SEEK_SET)
    size = keep
    received = 0
    failed = false
    status = 0
    headers = []
  }

  /// Called with the first body bytes of an answer.
  package func answer(status: Int, headers: [HTTPHeader]) {
    self.status = status
    self.headers = headers
    if status != 206 && size > 0 {
      _ = ftruncate(fd, 0)
      _ = lseek(fd, 0, SEEK_SET)
      size = 0
    }
  }

  package func write(_ buffer: UnsafeRawBufferPointer) -> Bool {
    guard SystemCall.writeAll(fd, buffer) else {
      failure = errno
      failed = true
      return false
    }
    size += buffer.count
    received += buffer.count
    return true
  }
}

/// A complete answer: status, headers of the final response, body, and the URL that gave it.
package struct HTTPResponse: Sendable {
  package var status: Int
  package var headers: [HTTPHeader]
  /// The body, with any secret the server echoed back replaced (see `Credentials.scrubAnswer`).
  package var body: [UInt8]
  package var url: String
  /// The body as it came, when scrubbing changed it: only for URLs the next request needs (a job
  /// URL or a next page signed with the token), never for display.
  package var unscrubbedBody: [UInt8]?

  /// The answer's document as the server sent it, when scrubbing changed it (nil otherwise, and
  /// then the body is as sent): for the URLs the next request needs, never for display.
  package func documentAsSent() -> JSON? {
    unscrubbedBody.flatMap { try? JSON.parse($0) }
  }

  package init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = [], url: String = "") {
    self.status = status
    self.headers = headers
    self.body = body
    self.url = url
  }

  /// The first header with this name, compared case-insensitively.
  @inlinable package func header(_ name: String) -> String? {
    headers.first(where: { Text.equalsIgnoringCase($0.name, name) })?.value
  }
}

/// Why no answer came back: a code, libcurl's words and the errno under it.
///
/// The message, the kind (how the engine treats it), whether the request may have reached the
/// server and whether it ran out of time are all derived from the code, as swift-subprocess's
/// `SubprocessError` derives its description from its `Code` and underlying error, so callers
/// and tests compare codes rather than text.
package struct TransportFailure: Error, Sendable, Equatable {
  /// How the engine treats a failure.
  package enum Kind: Sendable, Equatable {
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
  package enum Code: Sendable, Equatable {
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

  package var code: Code
  /// libcurl's own description (its error buffer, on one line), where the message quotes it.
  package var detail: String?
  /// The raw `CURLcode` libcurl ended with, when libcurl said no.
  package var curlCode: UInt32?
  /// The errno under it (a refused connection, a full disk), when the system gave one.
  package var underlyingErrno: Int32?

  package init(_ code: Code, detail: String? = nil, curlCode: UInt32? = nil, underlyingErrno: Int32? = nil) {
    self.code = code
    self.detail = detail
    self.curlCode = curlCode
    self.underlyingErrno = underlyingErrno.flatMap { $0 == 0 ? nil : $0 }
  }

  package var kind: Kind {
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
  package var timedOut: Bool {
    switch code {
    case .timedOut, .stalled, .redirectsTimedOut: return true
    default: return false
    }
  }

  /// False when the request certainly never reached the server (no name, no connection, never
  /// started), so sending it again cannot do the work twice.
  package var mayHaveBeenSent: Bool {
    switch code {
    case .notConnected, .notHTTPURL, .optionRefused, .setupFailed: return false
    default: return true
    }
  }

  /// What the user reads, written from the code.
  package var message: String {
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
package struct WatchedDescriptor: Sendable, Equatable {
  package var fd: Int32
  /// `POLLIN`, `POLLOUT` or `POLLPRI` bits, as `poll(2)` takes them.
  package var events: Int16

  package init(fd: Int32, events: Int16) {
    self.fd = fd
    self.events = events
  }
}

/// What one wait of the transport brought: finished requests, a signal, ready descriptors.
package struct TransportEvents: Sendable {
  package var results: [(id: Int, result: Result<HTTPResponse, TransportFailure>)]
  /// SIGINT or SIGTERM, when one arrived.
  package var signal: Int32?
  /// The watched descriptors that became ready (or failed), with what `poll(2)` said of them.
  package var ready: [(fd: Int32, revents: Int16)]

  package init(
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
package protocol HTTPTransport: AnyObject {
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
