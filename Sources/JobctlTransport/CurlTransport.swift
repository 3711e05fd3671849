import CCurl
import JobctlHTTP
import JobctlSupport
import SystemCalls

/// Settings that hold for every request a transport sends.
package struct TransportOptions {
  package var connectTimeout: Double = 10
  package var requestTimeout: Double = 30
  package var caFile: String?
  /// The TLS client certificate (`--cert`) and its key (`--key`, when not in the same file), PEM.
  package var certFile: String?
  package var keyFile: String?
  package var insecure = false
  /// The largest body read; a larger answer fails with `.tooLarge` without being held in memory.
  package var maxBodyBytes = 16 << 20
  package var maxRedirects = 10
  package var userAgent = "jobctl/\(Version.current)"
  /// Receives `--verbose` trace lines (already redacted); nil for no trace.
  ///
  /// Called from inside `poll`, on the one thread jobctl runs on: not `@Sendable`, so it may
  /// write to `Diagnostics`, which has no lock because nothing else could reach it at once.
  package var trace: ((String) -> Void)?
  /// Connections kept open to one host at most (`--max-connections`); HTTP/2 multiplexes over them.
  package var maxHostConnections = 4
  /// Credential values to scrub from every answer's body (see `Credentials.scrubAnswer`).
  package var secrets: [String] = []
  /// Signs every request sent to its credentials' origin (`--aws-sigv4`).
  ///
  /// AWS Signature Version 4, computed by libcurl. Nil: nothing is signed.
  package var signing: AWSSigning?
  /// Every connection goes through this UNIX socket (`--unix-socket`); URLs still name the host.
  package var unixSocket: String?

  package init() {}
}

/// AWS Signature Version 4 signing as libcurl does it (CURLOPT_AWS_SIGV4).
///
/// The provider, region and service (`aws:amz:us-east-1:states`), and the key pair. A session token goes as the
/// `X-Amz-Security-Token` header, which libcurl signs with the other headers given to it.
package struct AWSSigning: Sendable, Equatable {
  package var provider: String
  package var accessKey: String
  package var secretKey: String

  package init(provider: String, accessKey: String, secretKey: String) {
    self.provider = provider
    self.accessKey = accessKey
    self.secretKey = secretKey
  }
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
  /// Why the answer was cut off as malformed (two lengths, an unasked-for 101, ...), if it was.
  var malformed: String?
  /// Bytes of the current response head so far.
  var headBytes = 0
  /// A download's stall limit, and when its last bytes (head or body) came (monotonic seconds).
  var stallLimit: Double?
  var lastActivity = 0.0
  let trace: ((String) -> Void)?
  /// Scrubbed from trace lines before they are cut to length (UTF-8).
  var secrets: [[UInt8]]
  /// libcurl signs this transfer: the `Authorization` and `X-Amz-Date` it sends are kept in
  /// `signedHeaders`, to be sent again with the same request (see `EasyHandle.signature`).
  var capturing = false
  var signedHeaders: [HTTPHeader] = []
  /// Monotonic seconds, from the transport's maker: the C callbacks reach it through the state.
  let now: () -> Double

  init(limit: Int, trace: ((String) -> Void)?, secrets: [[UInt8]], now: @escaping () -> Double) {
    self.limit = limit
    self.trace = trace
    self.secrets = secrets
    self.now = now
  }

  func reset() {
    capturing = false
    signedHeaders.removeAll()
    body.removeAll(keepingCapacity: true)
    headers.removeAll(keepingCapacity: true)
    status = 0
    overflow = false
    streaming = false
    sawBody = false
    malformed = nil
    headBytes = 0
  }

  /// The largest response head read: libcurl's own limit for one header line.
  static let headLimit = 100 << 10

  /// Why a response head line makes the answer unusable, checked as it arrives: a server that
  /// sends one of these would otherwise leave the transfer waiting for the request timeout.
  func malformation(_ line: ResponseHeadLine, size: Int) -> String? {
    headBytes += size
    if headBytes > TransferState.headLimit {
      return "its response headers are larger than \(TransferState.headLimit >> 10) KB"
    }
    switch line {
    case .status(101):
      return "it switched protocols (101 Switching Protocols) though nothing asked it to"
    case .header(let header) where Text.equalsIgnoringCase(header.name, "Content-Length"):
      let value = Text.trimmed(header.value)
      if let earlier = headers.first(where: { Text.equalsIgnoringCase($0.name, "Content-Length") }),
        Text.trimmed(earlier.value) != value
      {
        let both = "\(Text.oneLine(earlier.value, limit: 20)) and \(Text.oneLine(value, limit: 20))"
        return "it has two different Content-Length headers (\(both))"
      }
      return nil
    default:
      return nil
    }
  }

  /// Why the body that begins cannot be read: jobctl asks for no compression, so an encoded body
  /// would only fail later as "not JSON".
  func bodyMalformation() -> String? {
    guard let coding = headers.last(where: { Text.equalsIgnoringCase($0.name, "Content-Encoding") }),
      !Text.equalsIgnoringCase(Text.trimmed(coding.value), "identity"), !Text.trimmed(coding.value).isEmpty
    else { return nil }
    let name = Text.oneLine(coding.value, limit: 40)
    return "its body is compressed (Content-Encoding: \(name)) though none was asked for"
  }

  /// Takes body bytes as libcurl hands them over; returns how many, fewer to end the transfer.
  ///
  /// Into memory, or into the stream for a 2xx download.
  func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
    if stallLimit != nil { lastActivity = now() }
    if !sawBody {
      sawBody = true
      if let reason = bodyMalformation() {
        malformed = reason
        return 0
      }
      if let stream, (200..<300).contains(status) {
        streaming = true
        stream.answer(status: status, headers: headers)
      }
    }
    if streaming, let stream {
      return stream.write(bytes) ? bytes.count : 0
    }
    if body.count + bytes.count > limit {
      overflow = true
      return 0
    }
    body.append(contentsOf: bytes)
    return bytes.count
  }

  /// Takes one line of a response head, line ending included; returns its size, or 0 to end a
  /// malformed answer at once.
  func receiveHeadLine(_ bytes: UnsafeRawBufferPointer) -> Int {
    if stallLimit != nil { lastActivity = now() }
    let line = ResponseHeadLine.parse(bytes)
    if case .status = line { headBytes = 0 }
    if let reason = malformation(line, size: bytes.count) {
      malformed = reason
      return 0
    }
    switch line {
    case .status(let code):
      // A new response begins (after a 1xx): only the last one's headers count.
      headers.removeAll(keepingCapacity: true)
      status = code
    case .header(let header):
      headers.append(header)
    case .other:
      break
    }
    return bytes.count
  }

  /// One piece of libcurl's `--verbose` output: the signing headers it sent are kept (when
  /// `capturing`), and the trace gets its lines with every credential hidden.
  ///
  /// Nothing is decoded for a type neither needs: a signed transfer is verbose for its headers
  /// alone, and its body passes here too.
  func debug(_ type: curl_infotype, _ bytes: UnsafeRawBufferPointer) {
    func lines() -> [Substring] {
      String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
    }
    if capturing, type == CURLINFO_HEADER_OUT {
      for line in lines() {
        guard let (name, value) = Text.splitHeader(line),
          Text.equalsIgnoringCase(name, "Authorization") || Text.equalsIgnoringCase(name, "X-Amz-Date")
        else { continue }
        signedHeaders.append(HTTPHeader(String(name), String(Text.trimmed(value))))
      }
    }
    guard let trace else { return }
    let prefix: String
    switch type {
    case CURLINFO_TEXT: prefix = "* "
    case CURLINFO_HEADER_IN: prefix = "< "
    case CURLINFO_HEADER_OUT: prefix = "> "
    default: return
    }
    for line in lines() {
      let shown =
        type == CURLINFO_TEXT
        ? Credentials.hidingTracedCredentials(String(line)) : Credentials.redactHeaderLine(String(line))
      // Scrubbed before it is cut: a secret echoed at the end of a long header is hidden whole.
      trace(prefix + Text.oneLine(Credentials.scrubShown(shown, secrets)))
    }
  }
}

/// One libcurl easy handle with its callbacks' state, reused transfer after transfer.
private final class EasyHandle {
  let easy: UnsafeMutableRawPointer
  let state: TransferState
  let errorBuffer: UnsafeMutablePointer<CChar>
  private var headerList: UnsafeMutablePointer<curl_slist>?
  /// The headers `headerList` was made from: a wait sends the same ones at every poll, and the
  /// list is made again only when they change.
  private var listedHeaders: [HTTPHeader]?

  /// Makes a handle with every per-transport option set; throws when libcurl refuses one the
  /// request's safety rests on, so nothing is ever sent without it.
  init(options: TransportOptions, now: @escaping () -> Double) throws(TransportFailure) {
    guard let easy = curl_easy_init() else {
      throw TransportFailure(.setupFailed, detail: "libcurl could not make a handle")
    }
    self.easy = easy
    self.state = TransferState(
      limit: options.maxBodyBytes, trace: options.trace, secrets: options.secrets.map { Array($0.utf8) }, now: now)
    self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
    errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    try configure(options)
  }

  deinit {
    curl_easy_cleanup(easy)
    // Header lists are freed after the handle that pointed at them.
    curl_slist_free_all(headerList)
    errorBuffer.deallocate()
  }

  /// Sets every per-transport option, and the callbacks that read each answer into `state`.
  private func configure(_ options: TransportOptions) throws(TransportFailure) {
    try setRequiredOptions(options)
    try setTLSOptions(options)
    if options.signing != nil { jc_setopt_long(easy, CURLOPT_EXPECT_100_TIMEOUT_MS, 0) }
    if let socket = options.unixSocket {
      try CurlTransport.require("CURLOPT_UNIX_SOCKET_PATH", jc_setopt_str(easy, CURLOPT_UNIX_SOCKET_PATH, socket))
    }
    setCallbacks(traced: options.trace != nil, signing: options.signing != nil)
  }

  /// The options every request goes with.
  ///
  /// Without these the request could reach another protocol, a redirect target, a netrc
  /// password, or raise SIGPIPE: each is required, not hoped for.
  private func setRequiredOptions(_ options: TransportOptions) throws(TransportFailure) {
    try CurlTransport.require("CURLOPT_NOSIGNAL", jc_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
    jc_setopt_ptr(easy, CURLOPT_ERRORBUFFER, errorBuffer)
    jc_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(options.connectTimeout))
    try CurlTransport.require("CURLOPT_FOLLOWLOCATION", jc_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0))
    jc_setopt_long(easy, CURLOPT_PATH_AS_IS, 1)
    try CurlTransport.require("CURLOPT_PROTOCOLS_STR", jc_setopt_str(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
    try CurlTransport.require(
      "CURLOPT_REDIR_PROTOCOLS_STR", jc_setopt_str(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
    try CurlTransport.require("CURLOPT_NETRC", jc_setopt_long(easy, CURLOPT_NETRC, Int(CURL_NETRC_IGNORED.rawValue)))
    jc_setopt_str(easy, CURLOPT_USERAGENT, options.userAgent)
    jc_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
  }

  /// The CA bundle, the client certificate and key, and verification of the peer: required too,
  /// since an unverified peer must never be talked to by mistake.
  private func setTLSOptions(_ options: TransportOptions) throws(TransportFailure) {
    if let ca = options.caFile { try CurlTransport.require("CURLOPT_CAINFO", jc_setopt_str(easy, CURLOPT_CAINFO, ca)) }
    if let cert = options.certFile {
      try CurlTransport.require("CURLOPT_SSLCERTTYPE", jc_setopt_str(easy, CURLOPT_SSLCERTTYPE, "PEM"))
      try CurlTransport.require("CURLOPT_SSLCERT", jc_setopt_str(easy, CURLOPT_SSLCERT, cert))
    }
    if let key = options.keyFile {
      try CurlTransport.require("CURLOPT_SSLKEYTYPE", jc_setopt_str(easy, CURLOPT_SSLKEYTYPE, "PEM"))
      try CurlTransport.require("CURLOPT_SSLKEY", jc_setopt_str(easy, CURLOPT_SSLKEY, key))
    }
    try CurlTransport.require(
      "CURLOPT_SSL_VERIFYPEER", jc_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, options.insecure ? 0 : 1))
    try CurlTransport.require(
      "CURLOPT_SSL_VERIFYHOST", jc_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, options.insecure ? 0 : 2))
  }

  /// Hands libcurl's body, head and (when traced or signing) debug output to `state`.
  ///
  /// C function pointers capture nothing: each finds the state through its userdata pointer.
  private func setCallbacks(traced: Bool, signing: Bool) {
    let userdata = Unmanaged.passUnretained(state).toOpaque()
    jc_setopt_ptr(easy, CURLOPT_WRITEDATA, userdata)
    jc_setopt_writefunction(easy) { ptr, size, count, userdata in
      guard let userdata, let ptr else { return 0 }
      let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
      return state.receiveBody(UnsafeRawBufferPointer(start: ptr, count: size * count))
    }
    jc_setopt_ptr(easy, CURLOPT_HEADERDATA, userdata)
    jc_setopt_headerfunction(easy) { ptr, size, count, userdata in
      guard let userdata, let ptr else { return 0 }
      let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
      return state.receiveHeadLine(UnsafeRawBufferPointer(start: ptr, count: size * count))
    }
    guard traced || signing else { return }
    // Signing alone turns VERBOSE on for the transfers whose signed headers are kept.
    jc_setopt_long(easy, CURLOPT_VERBOSE, traced ? 1 : 0)
    jc_setopt_ptr(easy, CURLOPT_DEBUGDATA, userdata)
    jc_setopt_debugfunction(easy) { _, type, data, size, userdata in
      guard let userdata, let data else { return 0 }
      let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
      state.debug(type, UnsafeRawBufferPointer(start: data, count: size))
      return 0
    }
  }

  /// Sets up the next transfer on this handle; throws when libcurl refuses its URL or headers,
  /// which would otherwise send the previous request's.
  func prepare(_ request: HTTPRequest, options: TransportOptions, signed: Bool) throws(TransportFailure) {
    state.reset()
    reusedSignature = false
    signing = nil
    var headers = request.headers
    if options.signing != nil { headers += try prepareSigning(request, options: options, signed: signed) }
    state.stream = request.stream
    state.stallLimit = request.stallTimeout
    state.lastActivity = state.now()
    request.stream?.begin()
    // A download's size is bounded by the disk, not by the job-document cap.
    jc_setopt_off(easy, CURLOPT_MAXFILESIZE_LARGE, request.stream == nil ? curl_off_t(options.maxBodyBytes) : 0)
    errorBuffer[0] = 0
    try CurlTransport.require("CURLOPT_URL", jc_setopt_str(easy, CURLOPT_URL, request.url))
    // Over TLS, wait for a connection that is being set up to say (by ALPN) whether it multiplexes
    // rather than opening one more. Plain http is HTTP/1.1, where the answer only comes with the
    // first status line: a first request that hangs would hold back every other one to the host.
    let https = request.url.utf8.prefix(6).elementsEqual("https:".utf8) { $0 | 0x20 == $1 }
    jc_setopt_long(easy, CURLOPT_PIPEWAIT, https ? 1 : 0)
    // 0: no limit on the whole transfer (a download under a stall limit).
    jc_setopt_long(
      easy, CURLOPT_TIMEOUT_MS, request.overallLimit(standard: options.requestTimeout).map(milliseconds) ?? 0)
    setMethod(request)
    try setHeaders(headers, signing: options.signing != nil)
  }

  /// Has libcurl sign this transfer when `signed`, unless the same request goes again with the
  /// signature libcurl made for it a moment ago (a poll): returns that signature's headers.
  private func prepareSigning(
    _ request: HTTPRequest, options: TransportOptions, signed: Bool
  ) throws(TransportFailure) -> [HTTPHeader] {
    let key = SignedRequest(request)
    var signHere = signed
    var kept: [HTTPHeader] = []
    if signed, let signature, signature.request == key, signature.until > state.now() {
      kept = signature.headers
      signHere = false
      reusedSignature = true
    }
    if signedLast != signHere { try sign(signHere ? options.signing : nil) }
    if signHere { signing = key }
    state.capturing = signHere
    if options.trace == nil { jc_setopt_long(easy, CURLOPT_VERBOSE, signHere ? 1 : 0) }
    return kept
  }

  /// The method, and the body for a method that sends one.
  private func setMethod(_ request: HTTPRequest) {
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
  }

  /// The request's header list, made again only when the headers changed; `signing` keeps the
  /// empty `Expect:` out of it.
  private func setHeaders(_ headers: [HTTPHeader], signing: Bool) throws(TransportFailure) {
    guard headerList == nil || listedHeaders != headers else { return }
    var list: UnsafeMutablePointer<curl_slist>?
    // An empty `Expect:` stops libcurl waiting for `100 Continue` before sending a body. Not
    // when signing: libcurl (7.88) signs every header of the list, that one too, which is
    // never sent, so no server could check the signature; EXPECT_100_TIMEOUT_MS 0 does it.
    let expect = signing ? [] : ["Expect:"]
    for line in headers.map({ $0.name + ": " + $0.value }) + expect {
      list = curl_slist_append(list, line)
    }
    let set = jc_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
    curl_slist_free_all(headerList)
    headerList = list
    // Only a list libcurl took may be reused without setting it again.
    listedHeaders = set == CURLE_OK ? headers : nil
    try CurlTransport.require("CURLOPT_HTTPHEADER", set)
  }

  /// Whether the last transfer was signed (nil before the first): the signing options are set
  /// only when that changes, not at every poll.
  private var signedLast: Bool?

  /// What a signature covers: the request as sent, but for the headers libcurl adds.
  struct SignedRequest: Equatable {
    let method: String
    let url: String
    let headers: [HTTPHeader]
    let body: [UInt8]?

    init(_ request: HTTPRequest) {
      (method, url, headers, body) = (request.method, request.url, request.headers, request.body)
    }
  }

  /// How long a signature libcurl made is sent again with the same request: AWS takes a signed
  /// request for 15 minutes from its `X-Amz-Date`, and signing anew costs libcurl more than all
  /// the rest of a poll (figures: docs/performance.md).
  static let signatureReuse = 60.0

  /// The last signature libcurl made on this handle, with the request it signed and until when
  /// it is sent again (monotonic seconds).
  private var signature: (request: SignedRequest, headers: [HTTPHeader], until: Double)?
  /// The request this transfer has libcurl sign, nil when it does not.
  private var signing: SignedRequest?
  /// This transfer carries a kept signature: a 401 or 403 to it is retried freshly signed.
  private(set) var reusedSignature = false

  /// Keeps the signature libcurl just sent, unless the server refused it.
  private func keepSignature(status: Int) {
    guard let request = signing else { return }
    signing = nil
    // What libcurl added: an X-Amz-Date given with -H is in the request already.
    let kept = state.signedHeaders.filter { added in
      !request.headers.contains { Text.equalsIgnoringCase($0.name, added.name) }
    }
    guard status != 401, status != 403,
      kept.filter({ Text.equalsIgnoringCase($0.name, "Authorization") }).count == 1
    else {
      signature = nil
      return
    }
    signature = (request, kept, state.now() + EasyHandle.signatureReuse)
  }

  /// Drops the kept signature (the server refused it).
  func forgetSignature() { signature = nil }

  /// Turns AWS signing on with `signing`'s keys, or off (nil): then no user name or password is
  /// left on the handle, and no authentication of any kind is sent.
  private func sign(_ signing: AWSSigning?) throws(TransportFailure) {
    signedLast = nil
    if let signing {
      try CurlTransport.require("CURLOPT_USERNAME", jc_setopt_str(easy, CURLOPT_USERNAME, signing.accessKey))
      try CurlTransport.require("CURLOPT_PASSWORD", jc_setopt_str(easy, CURLOPT_PASSWORD, signing.secretKey))
      try CurlTransport.require("CURLOPT_AWS_SIGV4", jc_setopt_str(easy, CURLOPT_AWS_SIGV4, signing.provider))
    } else {
      // CURLAUTH_NONE (a macro Swift does not import).
      try CurlTransport.require("CURLOPT_HTTPAUTH", jc_setopt_long(easy, CURLOPT_HTTPAUTH, 0))
      try CurlTransport.require("CURLOPT_AWS_SIGV4", jc_setopt_str(easy, CURLOPT_AWS_SIGV4, nil))
      try CurlTransport.require("CURLOPT_USERNAME", jc_setopt_str(easy, CURLOPT_USERNAME, nil))
      try CurlTransport.require("CURLOPT_PASSWORD", jc_setopt_str(easy, CURLOPT_PASSWORD, nil))
    }
    signedLast = signing != nil
  }

  /// The outcome of the transfer that just ended with `code`.
  func result(_ code: CURLcode, url: String, options: TransportOptions) -> Result<HTTPResponse, TransportFailure> {
    guard code == CURLE_OK else { return .failure(failure(for: code, options: options)) }
    var status = 0
    jc_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
    keepSignature(status: status)
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

  /// The failure for `code`, keeping the code, libcurl's words and the errno under it.
  private func failure(for code: CURLcode, options: TransportOptions) -> TransportFailure {
    var failure = TransportFailure(classify(code, options: options), curlCode: code.rawValue)
    if failure.code == .localWrite {
      failure.underlyingErrno = state.stream?.failure
    } else {
      let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
      failure.detail = Text.oneLine(detail)
      var osErrno = 0
      jc_getinfo_long(easy, CURLINFO_OS_ERRNO, &osErrno)
      failure.underlyingErrno = osErrno == 0 ? nil : Int32(truncatingIfNeeded: osErrno)
      // libcurl names the URL's host and port, which no connection went to.
      if let socket = options.unixSocket, failure.code == .notConnected {
        let reason = failure.underlyingErrno.map { ": \(SystemCall.errorText($0))" } ?? ""
        failure.detail =
          "cannot connect to the UNIX socket \(Text.oneLine(socket, limit: 200))\(reason) (--unix-socket)"
      }
    }
    return failure
  }

  private func classify(_ code: CURLcode, options: TransportOptions) -> TransportFailure.Code {
    if let reason = state.malformed, code == CURLE_WRITE_ERROR { return .malformed(reason: reason) }
    if code == CURLE_OUT_OF_MEMORY || jc_is_too_large(code) != 0 { return .headerLineTooLarge }
    switch code {
    case CURLE_WRITE_ERROR where state.stream?.failed == true:
      return .localWrite
    case CURLE_WRITE_ERROR where state.overflow, CURLE_FILESIZE_EXCEEDED:
      return .tooLarge(limit: options.maxBodyBytes)
    case CURLE_OPERATION_TIMEDOUT:
      return .timedOut
    case CURLE_UNSUPPORTED_PROTOCOL, CURLE_WEIRD_SERVER_REPLY:
      // URLs are checked before anything is sent: these mean the server answered nonsense.
      return .notHTTP
    case CURLE_URL_MALFORMAT:
      return .unusableRedirect(url: nil)
    case CURLE_SSL_CONNECT_ERROR:
      // A handshake cut short can pass; a certificate that fails verification cannot.
      return .tlsHandshake
    case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
      CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE,
      CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_USE_SSL_FAILED:
      return .tlsVerification
    case CURLE_PARTIAL_FILE:
      return .truncated
    case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
      return .notConnected
    default:
      return .network
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
/// used even for one transfer because `curl_multi_poll` can also watch the signal pipe (the
/// `Interruptions` it is given): Ctrl-C ends a request in flight at once. Redirects are followed here rather than by libcurl, by the
/// rules of `RedirectState`, so credential headers are dropped the moment a redirect leaves the
/// host they were given for.
package final class CurlTransport: HTTPTransport {
  private var options: TransportOptions
  private let multi: UnsafeMutableRawPointer
  private var idle: [EasyHandle] = []
  private var handles: [EasyHandle] = []

  /// A transfer in flight, with where its redirect chain has been.
  private struct Transfer {
    let id: Int
    let handle: EasyHandle
    /// The request of this hop, credential headers included (`launch` drops them away from home).
    var request: HTTPRequest
    var redirect: RedirectState
  }

  /// Throws when libcurl refused an option the request may not go without.
  static func require(_ option: String, _ code: CURLcode) throws(TransportFailure) {
    if let failure = refusal(of: option, code: code.rawValue, reason: String(cString: curl_easy_strerror(code))) {
      throw failure
    }
  }

  /// The failure for libcurl's answer `code` (a raw `CURLcode`) to setting `option`, nil for
  /// `CURLE_OK`: a usage error that names the option, since no retry makes this libcurl accept it.
  package static func refusal(of option: String, code: UInt32, reason: String) -> TransportFailure? {
    guard code != CURLE_OK.rawValue else { return nil }
    return TransportFailure(.optionRefused(option: option), detail: Text.oneLine(reason), curlCode: code)
  }

  private var active: [UnsafeMutableRawPointer: Transfer] = [:]
  /// The transfers under a stall limit (some may have ended): looked at on every wake-up, so a
  /// wait on many jobs does not pay for them.
  private var stalling: Set<UnsafeMutableRawPointer> = []
  private var ready: [(id: Int, result: Result<HTTPResponse, TransportFailure>)] = []

  /// Runs `curl_global_init` the first time a transport is made: before any thread, and only
  /// for commands that talk to a server.
  private static let globalInit: Bool = {
    curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
  }()

  /// `options.secrets` as UTF-8, converted once.
  private var secrets: [[UInt8]]
  /// The last URL started and its `host:port`: a wait on one job starts the same URL at every
  /// poll, and parsing it each time was a cost worth saving (docs/performance.md).
  private var lastHost: (url: String, key: String)?
  /// What `poll` hands `curl_multi_poll` besides libcurl's own sockets, kept between calls.
  private var waitFDs: [curl_waitfd] = []
  /// Monotonic seconds: request and stall limits, kept signatures, how long `poll` waits.
  private let now: () -> Double
  /// What ends a `poll` early (a signal, stdout's reader gone).
  private let interruptions: any Interruptions

  /// A transport reading the time from `clock` (monotonic seconds: the run's `Clock.monotonic`)
  /// and ended early by `interruptions`; throws when libcurl cannot be set up.
  package init(
    options: TransportOptions, clock: @escaping () -> Double, interruptions: any Interruptions
  ) throws(TransportFailure) {
    guard CurlTransport.globalInit, let multi = curl_multi_init() else {
      throw TransportFailure(.setupFailed, detail: "libcurl could not be initialised")
    }
    self.options = options
    self.now = clock
    self.interruptions = interruptions
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

  package func updateSecrets(_ secrets: [String]) {
    options.secrets = secrets
    self.secrets = secrets.map { Array($0.utf8) }
    // Handles made later take them from `options`.
    for handle in handles { handle.state.secrets = self.secrets }
  }

  package func start(_ request: HTTPRequest, id: Int) {
    let hostKey: String
    if let last = lastHost, last.url == request.url {
      hostKey = last.key
    } else {
      guard let parts = URLParts(request.url) else {
        ready.append(
          (id, .failure(TransportFailure(.notHTTPURL(url: request.url)))))
        return
      }
      hostKey = parts.hostKey
      lastHost = (request.url, hostKey)
    }
    let handle: EasyHandle
    if let reused = idle.popLast() {
      handle = reused
    } else {
      do throws(TransportFailure) {
        handle = try EasyHandle(options: options, now: now)
      } catch {
        ready.append((id, .failure(error)))
        return
      }
      handles.append(handle)
    }
    let redirect = RedirectState(
      url: request.url, credentialHost: request.credentialHost ?? hostKey, maxRedirects: options.maxRedirects,
      timeLimit: request.overallLimit(standard: options.requestTimeout), now: now())
    launch(Transfer(id: id, handle: handle, request: request, redirect: redirect), hostKey: hostKey)
  }

  /// `hostKey` is that of the transfer's URL when the caller has it already parsed.
  private func launch(_ transfer: Transfer, hostKey: String? = nil) {
    let (request, home) = transfer.redirect.outgoing(
      transfer.request, hostKey: hostKey ?? URLParts(transfer.request.url)?.hostKey)
    let signed = options.signing != nil && transfer.redirect.signs(request.url, home: home)
    do throws(TransportFailure) {
      try transfer.handle.prepare(request, options: options, signed: signed)
    } catch {
      finish(transfer, .failure(error))
      return
    }
    active[transfer.handle.easy] = transfer
    if request.stallTimeout != nil { stalling.insert(transfer.handle.easy) }
    curl_multi_add_handle(multi, transfer.handle.easy)
  }

  package func abandon(_ id: Int) {
    for (key, transfer) in active where transfer.id == id {
      curl_multi_remove_handle(multi, transfer.handle.easy)
      transfer.handle.release()
      idle.append(transfer.handle)
      active[key] = nil
    }
  }

  package func poll(timeout: Double, watching: [WatchedDescriptor]) -> TransportEvents {
    waitFDs.removeAll(keepingCapacity: true)
    for watched in watching { waitFDs.append(curl_waitfd(fd: watched.fd, events: watched.events, revents: 0)) }
    for fd in interruptions.wakeFDs { waitFDs.append(curl_waitfd(fd: fd, events: Int16(CURL_WAIT_POLLIN), revents: 0)) }
    let end = now() + max(0, timeout)
    while true {
      // Performed even with nothing in flight: libcurl may still have connections to close,
      // whose sockets wake `curl_multi_poll` until they are moved along.
      var running: Int32 = 0
      curl_multi_perform(multi, &running)
      collect()
      let anyReady = waitFDs.prefix(watching.count).contains { $0.revents != 0 }
      if !self.ready.isEmpty || anyReady {
        let ready =
          anyReady ? zip(watching, waitFDs).compactMap { $1.revents != 0 ? (fd: $0.fd, revents: $1.revents) : nil } : []
        defer { self.ready.removeAll() }
        return TransportEvents(results: self.ready, ready: ready)
      }
      // The reader of stdout is asked after (it costs a poll(2)) only when a wake descriptor
      // spoke: its hang-up wakes `curl_multi_poll` below like a signal does.
      let woken = waitFDs[watching.count...].contains { $0.revents != 0 }
      if let signal = woken ? interruptions.pending : interruptions.caught { return TransportEvents(signal: signal) }
      let time = now()
      let stall = endStalled(now: time)
      if !self.ready.isEmpty { continue }
      let left = min(end, stall) - time
      if end - time <= 0 { return TransportEvents() }
      for i in waitFDs.indices { waitFDs[i].revents = 0 }
      curl_multi_poll(
        multi, &waitFDs, UInt32(waitFDs.count), Int32(min(max(left, 0) * 1000, 1000).rounded(.up)), nil)
    }
  }

  /// Fails the downloads that received nothing for their stall limit; returns when the next one
  /// is due (infinity when none is watched).
  ///
  /// Checked here rather than with CURLOPT_LOW_SPEED_TIME, which counts whole seconds.
  private func endStalled(now: Double) -> Double {
    var next = Double.infinity
    for easy in stalling {
      guard let transfer = active[easy], let limit = transfer.handle.state.stallLimit else {
        stalling.remove(easy)
        continue
      }
      let due = transfer.handle.state.lastActivity + limit
      guard due <= now else {
        next = min(next, due)
        continue
      }
      active[easy] = nil
      stalling.remove(easy)
      curl_multi_remove_handle(multi, easy)
      finish(transfer, .failure(TransportFailure(.stalled(limit: limit))))
    }
    return next
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
      // A kept signature refused: the same request once more, signed anew by libcurl.
      if transfer.handle.reusedSignature, case .success(let response) = result,
        response.status == 401 || response.status == 403
      {
        transfer.handle.forgetSignature()
        launch(transfer)
        continue
      }
      if case .success(let response) = result, RedirectState.isRedirect(response.status),
        let target = transfer.handle.redirectURL
      {
        do throws(TransportFailure) {
          transfer.request = try transfer.redirect.follow(
            transfer.request, status: response.status, to: target, now: now())
        } catch {
          finish(transfer, .failure(error))
          continue
        }
        launch(transfer)
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
}
