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
  /// Connections kept open to one host at most (`--max-connections`); HTTP/2 multiplexes over them.
  public var maxHostConnections = 4
  /// Credential values to scrub from every answer's body (see `Credentials.scrubAnswer`).
  public var secrets: [String] = []

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
  /// Scrubbed from trace lines before they are cut to length (UTF-8).
  let secrets: [[UInt8]]

  init(limit: Int, trace: (@Sendable (String) -> Void)?, secrets: [[UInt8]]) {
    self.limit = limit
    self.trace = trace
    self.secrets = secrets
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

/// One libcurl easy handle with its callbacks' state, reused transfer after transfer.
private final class EasyHandle {
  let easy: UnsafeMutableRawPointer
  let state: TransferState
  let errorBuffer: UnsafeMutablePointer<CChar>
  private var headerList: UnsafeMutablePointer<curl_slist>?

  init?(options: TransportOptions) {
    guard let easy = curl_easy_init() else { return nil }
    self.easy = easy
    self.state = TransferState(
      limit: options.maxBodyBytes, trace: options.trace, secrets: options.secrets.map { Array($0.utf8) })
    self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
    errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    configure(options)
  }

  deinit {
    curl_easy_cleanup(easy)
    // Header lists are freed after the handle that pointed at them.
    curl_slist_free_all(headerList)
    errorBuffer.deallocate()
  }

  private func configure(_ options: TransportOptions) {
    jc_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
    jc_setopt_ptr(easy, CURLOPT_ERRORBUFFER, errorBuffer)
    jc_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(options.connectTimeout))
    jc_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)
    jc_setopt_long(easy, CURLOPT_PATH_AS_IS, 1)
    jc_setopt_str(easy, CURLOPT_PROTOCOLS_STR, "http,https")
    jc_setopt_str(easy, CURLOPT_USERAGENT, options.userAgent)
    jc_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
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
      switch ResponseHeadLine.parse(UnsafeRawBufferPointer(start: ptr, count: n)) {
      case .status(let code):
        // A new response begins (after a 1xx): only the last one's headers count.
        state.headers.removeAll(keepingCapacity: true)
        state.status = code
      case .header(let header):
        state.headers.append(header)
      case .other:
        break
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
          // Scrubbed before it is cut: a secret echoed at the end of a long header is hidden whole.
          state.trace?(prefix + Text.oneLine(Credentials.scrub(shown, state.secrets)))
        }
        return 0
      }
    }
  }

  /// Sets up the next transfer on this handle.
  func prepare(_ request: HTTPRequest, options: TransportOptions) {
    state.reset()
    state.stream = request.stream
    request.stream?.begin()
    // A download's size is bounded by the disk, not by the job-document cap.
    jc_setopt_off(easy, CURLOPT_MAXFILESIZE_LARGE, request.stream == nil ? curl_off_t(options.maxBodyBytes) : 0)
    errorBuffer[0] = 0
    jc_setopt_str(easy, CURLOPT_URL, request.url)
    // Over TLS, wait for a connection that is being set up to say (by ALPN) whether it multiplexes
    // rather than opening one more. Plain http is HTTP/1.1, where the answer only comes with the
    // first status line: a first request that hangs would hold back every other one to the host.
    let https = request.url.utf8.prefix(6).map { $0 | 0x20 }.elementsEqual("https:".utf8)
    jc_setopt_long(easy, CURLOPT_PIPEWAIT, https ? 1 : 0)
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
    curl_slist_free_all(headerList)
    headerList = list
  }

  /// The outcome of the transfer that just ended with `code`.
  func result(_ code: CURLcode, url: String, options: TransportOptions) -> Result<HTTPResponse, TransportFailure> {
    guard code == CURLE_OK else { return .failure(failure(for: code, options: options)) }
    var status = 0
    jc_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
    return .success(HTTPResponse(status: status, headers: state.headers, body: state.body, url: url))
  }

  /// Where a 3xx answer points (libcurl resolves a relative Location).
  var redirectURL: String? {
    var ptr: UnsafeMutablePointer<CChar>?
    guard jc_getinfo_str(easy, CURLINFO_REDIRECT_URL, &ptr) == CURLE_OK, let ptr else { return nil }
    return String(cString: ptr)
  }

  /// Drops the body buffer so an idle handle holds no answer in memory.
  func release() {
    state.body = []
    state.headers = []
    state.stream = nil
  }

  private func failure(for code: CURLcode, options: TransportOptions) -> TransportFailure {
    let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
    let text = Text.oneLine(detail)
    switch code {
    case CURLE_WRITE_ERROR where state.stream?.failed == true:
      return TransportFailure(.localWrite, "cannot write the output file: \(String(cString: strerror(errno)))")
    case CURLE_WRITE_ERROR where state.overflow, CURLE_FILESIZE_EXCEEDED:
      return TransportFailure(.tooLarge, "the answer is larger than \(options.maxBodyBytes >> 20) MiB")
    case CURLE_OPERATION_TIMEDOUT:
      return TransportFailure(.transient, text, timedOut: true)
    case CURLE_UNSUPPORTED_PROTOCOL, CURLE_WEIRD_SERVER_REPLY:
      // URLs are checked before anything is sent: these mean the server answered nonsense.
      return TransportFailure(.badAnswer, "the server's answer is not HTTP: \(text)")
    case CURLE_URL_MALFORMAT:
      return TransportFailure(.redirect, "a redirect to an unusable URL: \(text)")
    case CURLE_SSL_CONNECT_ERROR:
      // A handshake cut short can pass; a certificate that fails verification cannot.
      return TransportFailure(.transient, "TLS: \(text)")
    case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
      CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE,
      CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_USE_SSL_FAILED:
      return TransportFailure(.tls, "TLS: \(text)")
    case CURLE_PARTIAL_FILE:
      return TransportFailure(.transient, "truncated answer: \(text)")
    default:
      return TransportFailure(.transient, text)
    }
  }
}

private func milliseconds(_ seconds: Double) -> Int {
  max(1, Int((seconds * 1000).rounded(.up)))
}

/// HTTP over libcurl: easy handles driven by one multi handle.
///
/// Handles and their connections live as long as the transport, so a wait keeps its connection
/// open between polls (one wait, one connection), and many waits share a per-host pool capped at
/// `maxHostConnections` (HTTP/2 multiplexes when the server offers it). The multi interface is
/// used even for one transfer because `curl_multi_poll` can also watch the signal pipe: Ctrl-C
/// ends a request in flight at once. Redirects are followed here rather than by libcurl, so
/// credential headers are dropped the moment a redirect leaves the host they were given for.
public final class CurlTransport: HTTPTransport {
  private let options: TransportOptions
  private let multi: UnsafeMutableRawPointer
  private var idle: [EasyHandle] = []
  private var handles: [EasyHandle] = []

  /// A transfer in flight, with where its redirect chain has been.
  private struct Transfer {
    let id: Int
    let handle: EasyHandle
    var request: HTTPRequest
    let credentialHost: String
    var visited: Set<String>
    var redirects: Int
    /// The request's time limit, and when the whole chain must be done (monotonic seconds):
    /// redirects share the limit rather than each getting it anew.
    let limit: Double
    let deadline: Double
  }

  private static func monotonicNow() -> Double {
    var clock = timespec()
    clock_gettime(CLOCK_MONOTONIC, &clock)
    return Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9
  }
  private var active: [UnsafeMutableRawPointer: Transfer] = [:]
  private var ready: [(id: Int, result: Result<HTTPResponse, TransportFailure>)] = []

  /// Runs `curl_global_init` the first time a transport is made: before any thread, and only
  /// for commands that talk to a server.
  private static let globalInit: Bool = {
    curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
  }()

  /// `options.secrets` as UTF-8, converted once.
  private let secrets: [[UInt8]]

  public init(options: TransportOptions) throws(TransportFailure) {
    guard CurlTransport.globalInit, let multi = curl_multi_init() else {
      throw TransportFailure(.badURL, "libcurl could not be initialised")
    }
    self.options = options
    self.secrets = options.secrets.map { Array($0.utf8) }
    self.multi = multi
    jc_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, options.maxHostConnections))
    jc_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
  }

  deinit {
    // Easy handles leave the multi handle before either is cleaned up.
    for transfer in active.values { curl_multi_remove_handle(multi, transfer.handle.easy) }
    active.removeAll()
    idle.removeAll()
    handles.removeAll()
    curl_multi_cleanup(multi)
  }

  public func start(_ request: HTTPRequest, id: Int) {
    guard let parts = URLParts(request.url) else {
      ready.append((id, .failure(TransportFailure(.badURL, "not an http(s) URL: \(Text.oneLine(request.url))"))))
      return
    }
    guard let handle = idle.popLast() ?? EasyHandle(options: options) else {
      ready.append((id, .failure(TransportFailure(.badURL, "libcurl could not make a handle"))))
      return
    }
    if !handles.contains(where: { $0 === handle }) { handles.append(handle) }
    let transfer = Transfer(
      id: id, handle: handle, request: request, credentialHost: request.credentialHost ?? parts.hostKey,
      visited: [request.url], redirects: 0, limit: request.timeout ?? options.requestTimeout,
      deadline: CurlTransport.monotonicNow() + (request.timeout ?? options.requestTimeout))
    launch(transfer, hostKey: parts.hostKey)
  }

  /// `hostKey` is that of the transfer's URL when the caller has it already parsed.
  private func launch(_ transfer: Transfer, hostKey: String? = nil) {
    var request = transfer.request
    if (hostKey ?? URLParts(request.url)?.hostKey) != transfer.credentialHost {
      request.headers.removeAll(where: { Credentials.isCredentialHeader($0.name) })
    }
    transfer.handle.prepare(request, options: options)
    active[transfer.handle.easy] = transfer
    curl_multi_add_handle(multi, transfer.handle.easy)
  }

  public func abandon(_ id: Int) {
    for (key, transfer) in active where transfer.id == id {
      curl_multi_remove_handle(multi, transfer.handle.easy)
      transfer.handle.release()
      idle.append(transfer.handle)
      active[key] = nil
    }
  }

  public func poll(timeout: Double, watching: [WatchedDescriptor]) -> TransportEvents {
    var extra = watching.map { curl_waitfd(fd: $0.fd, events: $0.events, revents: 0) }
    if Signals.wakeFD >= 0 {
      extra.append(curl_waitfd(fd: Signals.wakeFD, events: Int16(CURL_WAIT_POLLIN), revents: 0))
    }
    let end = CurlTransport.monotonicNow() + max(0, timeout)
    while true {
      var running: Int32 = 0
      curl_multi_perform(multi, &running)
      collect()
      let ready = zip(watching, extra).compactMap { $1.revents != 0 ? (fd: $0.fd, revents: $1.revents) : nil }
      if !self.ready.isEmpty || !ready.isEmpty {
        defer { self.ready.removeAll() }
        return TransportEvents(results: self.ready, ready: ready)
      }
      if let signal = Signals.pending { return TransportEvents(signal: signal) }
      let left = end - CurlTransport.monotonicNow()
      if left <= 0 { return TransportEvents() }
      for i in extra.indices { extra[i].revents = 0 }
      curl_multi_poll(multi, &extra, UInt32(extra.count), Int32(min(left * 1000, 1000).rounded(.up)), nil)
    }
  }

  /// Takes finished transfers off the multi handle, following redirects.
  private func collect() {
    var left: Int32 = 0
    while let message = curl_multi_info_read(multi, &left) {
      guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
      let code = message.pointee.data.result
      guard var transfer = active.removeValue(forKey: easy) else { continue }
      curl_multi_remove_handle(multi, easy)
      let result = transfer.handle.result(code, url: transfer.request.url, options: options)
      if case .success(let response) = result, [301, 302, 303, 307, 308].contains(response.status),
        let next = transfer.handle.redirectURL
      {
        switch follow(&transfer, to: next, status: response.status) {
        case .some(let failure):
          finish(transfer, .failure(failure))
        case .none:
          launch(transfer)
        }
        continue
      }
      finish(transfer, result)
    }
  }

  private func finish(_ transfer: Transfer, _ result: Result<HTTPResponse, TransportFailure>) {
    var result = result
    // Secrets echoed back leave the answer's body here; what comes from headers (a Location with
    // the token) is scrubbed where it is written: the --verbose trace, stdout, GITHUB_OUTPUT.
    if !options.secrets.isEmpty, !transfer.request.verbatim, case .success(var response) = result {
      let scrubbed = Credentials.scrubAnswer(response.body, secrets)
      if scrubbed != response.body {
        response.unscrubbedBody = response.body
        response.body = scrubbed
        result = .success(response)
      }
    }
    ready.append((transfer.id, result))
    transfer.handle.release()
    idle.append(transfer.handle)
  }

  /// Moves a transfer to its redirect target, or says why it may not go there.
  private func follow(_ transfer: inout Transfer, to next: String, status: Int) -> TransportFailure? {
    guard transfer.redirects < options.maxRedirects else {
      return TransportFailure(.redirect, "more than \(options.maxRedirects) redirects")
    }
    guard let nextParts = URLParts(next) else {
      return TransportFailure(.redirect, "redirect to an unusable URL: \(Text.oneLine(next))")
    }
    if URLParts(transfer.request.url)?.scheme == "https" && nextParts.scheme == "http" {
      return TransportFailure(.redirect, "refused a redirect from https to http (\(nextParts.origin))")
    }
    guard transfer.visited.insert(next).inserted || status == 303 else {
      return TransportFailure(.redirect, "redirect loop at \(Text.oneLine(next))")
    }
    let left = transfer.deadline - CurlTransport.monotonicNow()
    guard left > 0.001 else {
      let limit = DurationText.format(transfer.limit)
      return TransportFailure(.transient, "timed out after \(limit) following redirects", timedOut: true)
    }
    transfer.request.timeout = left
    if status == 303 || (transfer.request.method == "POST" && status != 307 && status != 308) {
      transfer.request.method = "GET"
      transfer.request.body = nil
    }
    transfer.request.url = next
    transfer.redirects += 1
    return nil
  }
}
