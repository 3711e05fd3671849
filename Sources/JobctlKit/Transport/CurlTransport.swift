import CCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Settings that hold for every request a transport sends.
public struct TransportOptions: Sendable {
  public var connectTimeout: Double = 10
  public var requestTimeout: Double = 30
  public var caFile: String?
  public var insecure = false
  /// The largest body read; a larger answer fails with `.tooLarge` without being held in memory.
  public var maxBodyBytes = 16 << 20
  public var maxRedirects = 10
  public var userAgent = "jobctl/\(Version.current)"
  /// Receives `--verbose` trace lines (already redacted); nil for no trace.
  public var trace: (@Sendable (String) -> Void)?

  public init() {}
}

/// Per-transfer state reached from libcurl's C callbacks through their userdata pointer.
private final class TransferState {
  var body: [UInt8] = []
  var headers: [HTTPHeader] = []
  var status = 0
  var limit: Int
  var overflow = false
  var stream: BodyStream?
  var streaming = false
  var sawBody = false
  let trace: (@Sendable (String) -> Void)?

  init(limit: Int, trace: (@Sendable (String) -> Void)?) {
    self.limit = limit
    self.trace = trace
  }

  func reset() {
    body.removeAll(keepingCapacity: true)
    headers.removeAll(keepingCapacity: true)
    status = 0
    overflow = false
    streaming = false
    sawBody = false
  }
}

/// HTTP over one libcurl easy handle driven by a multi handle.
///
/// The easy handle lives as long as the transport, so its connection stays open between polls
/// (one wait, one connection). The multi interface is used even for one transfer because
/// `curl_multi_poll` can also watch the signal pipe: Ctrl-C ends a request in flight at once.
/// Redirects are followed here rather than by libcurl, so credential headers are dropped
/// the moment a redirect leaves the host they were given for.
public final class CurlTransport: HTTPTransport {
  private let options: TransportOptions
  private let easy: UnsafeMutableRawPointer
  private let multi: UnsafeMutableRawPointer
  private let state: TransferState
  private let errorBuffer: UnsafeMutablePointer<CChar>

  /// Runs `curl_global_init` the first time a transport is made: before any thread, and only
  /// for commands that talk to a server.
  private static let globalInit: Bool = {
    curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
  }()

  public init(options: TransportOptions) throws(TransportFailure) {
    guard CurlTransport.globalInit, let easy = curl_easy_init(), let multi = curl_multi_init() else {
      throw TransportFailure(.badURL, "libcurl could not be initialised")
    }
    self.options = options
    self.easy = easy
    self.multi = multi
    self.state = TransferState(limit: options.maxBodyBytes, trace: options.trace)
    self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
    errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    configureOnce()
  }

  deinit {
    curl_multi_cleanup(multi)
    curl_easy_cleanup(easy)
    errorBuffer.deallocate()
  }

  private func configureOnce() {
    jc_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
    jc_setopt_ptr(easy, CURLOPT_ERRORBUFFER, errorBuffer)
    jc_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(options.connectTimeout))
    jc_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)
    jc_setopt_long(easy, CURLOPT_PATH_AS_IS, 1)
    jc_setopt_str(easy, CURLOPT_PROTOCOLS_STR, "http,https")
    jc_setopt_str(easy, CURLOPT_USERAGENT, options.userAgent)
    jc_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
    jc_setopt_off(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(options.maxBodyBytes))
    if let ca = options.caFile { jc_setopt_str(easy, CURLOPT_CAINFO, ca) }
    if options.insecure {
      jc_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0)
      jc_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0)
    }
    let userdata = Unmanaged.passUnretained(state).toOpaque()
    jc_setopt_ptr(easy, CURLOPT_WRITEDATA, userdata)
    jc_setopt_writefunction(easy) { ptr, size, count, userdata in
      guard let userdata else { return 0 }
      let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
      let n = size * count
      if !state.sawBody {
        state.sawBody = true
        if let stream = state.stream, (200..<300).contains(state.status) {
          state.streaming = true
          stream.answer(status: state.status)
        }
      }
      if state.streaming, let stream = state.stream {
        return stream.write(UnsafeRawBufferPointer(start: ptr, count: n)) ? n : 0
      }
      if state.body.count + n > state.limit {
        state.overflow = true
        return 0
      }
      if let ptr { state.body.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: n)) }
      return n
    }
    jc_setopt_ptr(easy, CURLOPT_HEADERDATA, userdata)
    jc_setopt_headerfunction(easy) { ptr, size, count, userdata in
      guard let userdata, let ptr else { return 0 }
      let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
      let n = size * count
      let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: n), as: UTF8.self)
      let trimmed = Text.trimmed(line)
      if trimmed.hasPrefix("HTTP/") {
        // A new response begins (after a 1xx): only the last one's headers count.
        state.headers.removeAll(keepingCapacity: true)
        let parts = trimmed.split(separator: " ", maxSplits: 2)
        state.status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
      } else if let colon = trimmed.firstIndex(of: ":") {
        let name = String(trimmed[..<colon])
        let value = Text.trimmed(trimmed[trimmed.index(after: colon)...])
        state.headers.append(HTTPHeader(name, String(value)))
      }
      return n
    }
    if options.trace != nil {
      jc_setopt_long(easy, CURLOPT_VERBOSE, 1)
      jc_setopt_ptr(easy, CURLOPT_DEBUGDATA, userdata)
      jc_setopt_debugfunction(easy) { _, type, data, size, userdata in
        guard let userdata, let data else { return 0 }
        let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
        let prefix: String
        switch type {
        case CURLINFO_TEXT: prefix = "* "
        case CURLINFO_HEADER_IN: prefix = "< "
        case CURLINFO_HEADER_OUT: prefix = "> "
        default: return 0
        }
        let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
          let shown = type == CURLINFO_TEXT ? String(line) : Credentials.redactHeaderLine(String(line))
          state.trace?(prefix + Text.oneLine(shown))
        }
        return 0
      }
    }
  }

  private func milliseconds(_ seconds: Double) -> Int {
    max(1, Int((seconds * 1000).rounded(.up)))
  }

  public func send(_ request: HTTPRequest) -> Result<HTTPResponse, TransportFailure> {
    var current = request
    guard var currentParts = URLParts(request.url) else {
      return .failure(TransportFailure(.badURL, "not an http(s) URL: \(Text.oneLine(request.url))"))
    }
    let credentialHost = request.credentialHost ?? currentParts.hostKey
    var visited: Set<String> = [request.url]
    for _ in 0...options.maxRedirects {
      if currentParts.hostKey != credentialHost {
        current.headers.removeAll(where: { Credentials.isCredentialHeader($0.name) })
      }
      let result = perform(current)
      guard case .success(let response) = result,
        [301, 302, 303, 307, 308].contains(response.status),
        let next = redirectURL()
      else { return result }
      guard let nextParts = URLParts(next) else {
        return .failure(TransportFailure(.redirect, "redirect to an unusable URL: \(Text.oneLine(next))"))
      }
      if currentParts.scheme == "https" && nextParts.scheme == "http" {
        return .failure(TransportFailure(.redirect, "refused a redirect from https to http (\(nextParts.origin))"))
      }
      guard visited.insert(next).inserted || response.status == 303 else {
        return .failure(TransportFailure(.redirect, "redirect loop at \(Text.oneLine(next))"))
      }
      if response.status == 303 || (current.method == "POST" && response.status != 307 && response.status != 308) {
        current.method = "GET"
        current.body = nil
      }
      current.url = next
      currentParts = nextParts
    }
    return .failure(TransportFailure(.redirect, "more than \(options.maxRedirects) redirects"))
  }

  private func redirectURL() -> String? {
    var ptr: UnsafeMutablePointer<CChar>?
    guard jc_getinfo_str(easy, CURLINFO_REDIRECT_URL, &ptr) == CURLE_OK, let ptr else { return nil }
    return String(cString: ptr)
  }

  private func perform(_ request: HTTPRequest) -> Result<HTTPResponse, TransportFailure> {
    state.reset()
    state.stream = request.stream
    request.stream?.begin()
    // A download's size is bounded by the disk, not by the job-document cap.
    jc_setopt_off(easy, CURLOPT_MAXFILESIZE_LARGE, request.stream == nil ? curl_off_t(options.maxBodyBytes) : 0)
    errorBuffer[0] = 0
    jc_setopt_str(easy, CURLOPT_URL, request.url)
    jc_setopt_long(easy, CURLOPT_TIMEOUT_MS, milliseconds(request.timeout ?? options.requestTimeout))
    jc_setopt_ptr(easy, CURLOPT_CUSTOMREQUEST, nil)
    jc_setopt_long(easy, CURLOPT_NOBODY, 0)
    switch (request.method, request.body) {
    case ("GET", nil):
      jc_setopt_long(easy, CURLOPT_HTTPGET, 1)
    case ("HEAD", _):
      jc_setopt_long(easy, CURLOPT_NOBODY, 1)
    default:
      let body = request.body ?? []
      jc_setopt_long(easy, CURLOPT_POST, 1)
      jc_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
      body.withUnsafeBufferPointer { buffer in
        // COPYPOSTFIELDS: libcurl keeps its own copy, so the Swift array may go away.
        _ = jc_setopt_ptr(
          easy, CURLOPT_COPYPOSTFIELDS,
          UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)))
      }
      if request.method != "POST" { jc_setopt_str(easy, CURLOPT_CUSTOMREQUEST, request.method) }
    }
    var list: UnsafeMutablePointer<curl_slist>?
    // An empty `Expect:` stops libcurl waiting for `100 Continue` before sending a body.
    for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
      list = curl_slist_append(list, line)
    }
    jc_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
    defer {
      jc_setopt_slist(easy, CURLOPT_HTTPHEADER, nil)
      curl_slist_free_all(list)
    }

    let code = run()
    if let signal = Signals.pending {
      return .failure(TransportFailure(.interrupted(signal: signal), "interrupted"))
    }
    guard code == CURLE_OK else { return .failure(failure(for: code)) }
    var status = 0
    jc_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
    return .success(HTTPResponse(status: status, headers: state.headers, body: state.body, url: request.url))
  }

  /// Drives the transfer to its end, waking for the signal pipe as well as the socket.
  private func run() -> CURLcode {
    curl_multi_add_handle(multi, easy)
    defer { curl_multi_remove_handle(multi, easy) }
    var running: Int32 = 1
    var extra = curl_waitfd(fd: Signals.wakeFD, events: Int16(CURL_WAIT_POLLIN), revents: 0)
    let extraCount: UInt32 = Signals.wakeFD >= 0 ? 1 : 0
    while true {
      let mc = curl_multi_perform(multi, &running)
      if mc != CURLM_OK { return CURLE_FAILED_INIT }
      if running == 0 { break }
      if Signals.pending != nil { return CURLE_ABORTED_BY_CALLBACK }
      curl_multi_poll(multi, &extra, extraCount, 1000, nil)
      if Signals.pending != nil { return CURLE_ABORTED_BY_CALLBACK }
    }
    var left: Int32 = 0
    var code = CURLE_OK
    while let message = curl_multi_info_read(multi, &left) {
      if message.pointee.msg == CURLMSG_DONE { code = message.pointee.data.result }
    }
    return code
  }

  private func failure(for code: CURLcode) -> TransportFailure {
    let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
    let text = Text.oneLine(detail)
    switch code {
    case CURLE_WRITE_ERROR where state.stream?.failed == true:
      return TransportFailure(.localWrite, "cannot write the output file: \(String(cString: strerror(errno)))")
    case CURLE_WRITE_ERROR where state.overflow, CURLE_FILESIZE_EXCEEDED:
      return TransportFailure(.tooLarge, "the answer is larger than \(options.maxBodyBytes >> 20) MiB")
    case CURLE_OPERATION_TIMEDOUT:
      return TransportFailure(.transient, text, timedOut: true)
    case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CACERT_BADFILE,
      CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE,
      CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_USE_SSL_FAILED:
      return TransportFailure(.tls, "TLS: \(text)")
    case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
      return TransportFailure(.badURL, text)
    case CURLE_PARTIAL_FILE:
      return TransportFailure(.transient, "truncated answer: \(text)")
    default:
      return TransportFailure(.transient, text)
    }
  }
}
