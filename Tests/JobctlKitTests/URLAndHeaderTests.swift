import Glibc
import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

@Suite struct URLPartsTests {
  @Test func splitsSchemeHostPortAndTarget() throws {
    let u = try #require(URLParts("HTTPS://User:pw@API.Example.com:8443/v1/jobs/7?x=1#frag"))
    #expect(u.scheme == "https")
    #expect(u.host == "api.example.com")
    #expect(u.port == 8443)
    #expect(u.target == "/v1/jobs/7?x=1")
    #expect(u.origin == "https://api.example.com:8443")
    #expect(u.hostKey == "api.example.com:8443")
  }

  @Test func defaultsPortsAndTargets() throws {
    #expect(URLParts("http://h")?.hostKey == "h:80")
    #expect(URLParts("https://h")?.hostKey == "h:443")
    #expect(URLParts("http://h")?.target == "/")
    #expect(URLParts("http://h?q=1")?.target == "/?q=1")
    #expect(URLParts("http://h:80/x")?.origin == "http://h")
    #expect(URLParts("http://h:/x")?.port == 80)
  }

  @Test func bracketsIPv6Hosts() throws {
    let u = try #require(URLParts("http://[::1]:9000/jobs"))
    #expect(u.host == "[::1]")
    #expect(u.port == 9000)
    #expect(URLParts("http://[::1]/")?.port == 80)
    #expect(URLParts("http://[::1/") == nil)
    #expect(URLParts("http://[::1]x/") == nil)
  }

  @Test(arguments: [
    "ftp://h/x", "h/x", "http:/h", "http://", "http:///x", "http://h:0/", "http://h:65536/", "http://h:8o/",
    "http://h:+80/", "http://h x/", "http://h/\u{7F}", "http://h/a\tb", "http://user@:80/",
    // fuzz-url: a colon left in the host made a URL whose origin did not parse back.
    "HTTP://userHTT:P:/", "http://a:b:80/", "http://a]b/", "http://a[b/",
  ])
  func refusesWhatIsNotAnHTTPURL(_ text: String) {
    #expect(URLParts(text) == nil)
  }

  @Test func keepsNonASCIIHostsAndPathsAsWritten() throws {
    let u = try #require(URLParts("http://Bücher.example/é"))
    #expect(u.host == "bücher.example")
    #expect(u.target == "/é")
  }
}

@Suite struct ResponseHeadLineTests {
  func parse(_ text: String) -> ResponseHeadLine {
    Array(text.utf8).withUnsafeBytes { ResponseHeadLine.parse($0) }
  }

  @Test func statusLines() {
    #expect(parse("HTTP/1.1 202 Accepted\r\n") == .status(202))
    #expect(parse("HTTP/2 200\r\n") == .status(200))
    #expect(parse("HTTP/1.1 100 Continue\r\n") == .status(100))
    #expect(parse("HTTP/1.1 20 X\r\n") == .status(0))
    #expect(parse("HTTP/1.1 2000\r\n") == .status(0))
    #expect(parse("HTTP/1.1\r\n") == .status(0))
  }

  @Test func headersAreTrimmedAroundTheValue() {
    #expect(parse("Retry-After:  5 \r\n") == .header(HTTPHeader("Retry-After", "5")))
    #expect(parse("X-Empty:\r\n") == .header(HTTPHeader("X-Empty", "")))
    #expect(parse("Link: <a:b>; rel=next\r\n") == .header(HTTPHeader("Link", "<a:b>; rel=next")))
    #expect(parse("X-Bytes: caf\u{E9}\r\n") == .header(HTTPHeader("X-Bytes", "café")))
  }

  @Test func blankAndOtherLines() {
    #expect(parse("\r\n") == .other)
    #expect(parse("no colon here\r\n") == .other)
    #expect(parse("") == .other)
  }

  @Test func invalidUTF8BecomesReplacementCharacters() {
    let line: [UInt8] = Array("X: a".utf8) + [0xFF] + Array("b\r\n".utf8)
    let parsed = line.withUnsafeBytes { ResponseHeadLine.parse($0) }
    #expect(parsed == .header(HTTPHeader("X", "a\u{FFFD}b")))
  }
}

@Suite struct ScrubTests {
  func scrub(_ text: String, _ secrets: [String]) -> String {
    String(decoding: Credentials.scrub(Array(text.utf8), secrets.map { Array($0.utf8) }), as: UTF8.self)
  }

  @Test func everyOccurrenceAnywhereIsReplaced() {
    #expect(scrub("tok", ["tok"]) == "[redacted]")
    #expect(scrub("a tok b tok", ["tok"]) == "a [redacted] b [redacted]")
    #expect(scrub("toktok", ["tok"]) == "[redacted][redacted]")
    #expect(scrub("to", ["tok"]) == "to")
    #expect(scrub("tttok", ["tok"]) == "tt[redacted]")
    #expect(scrub("Bearer abc1234 / abc1234", ["Bearer abc1234", "abc1234"]) == "[redacted] / [redacted]")
    #expect(scrub("nothing here", ["tok", ""]) == "nothing here")
  }

  @Test func aRedactorScrubsLongestFirstAndIgnoresShortValues() {
    let r = Redactor()
    r.add("abcd1234")
    r.add("Bearer abcd1234")
    r.add("abcd123")
    #expect(r.secrets == ["Bearer abcd1234", "abcd1234"])
    #expect(
      r.scrub("Authorization: Bearer abcd1234, again abcd1234, ab") == "Authorization: [redacted], again [redacted], ab"
    )
  }
}

@Suite struct ScrubAnswerTests {
  func scrub(_ body: String, _ secrets: [String]) -> String {
    String(decoding: Credentials.scrubAnswer(Array(body.utf8), secrets.map { Array($0.utf8) }), as: UTF8.self)
  }

  @Test func decodedStringsAreScrubbedWhateverTheirEscapes() {
    let secret = "AbC/dEf+Gh"
    #expect(scrub(#"{"a":"x AbC\/dEf+Gh y"}"#, [secret]) == #"{"a":"x [redacted] y"}"#)
    #expect(scrub(#"{"a":"\u0041bC/dEf+Gh"}"#, [secret]) == #"{"a":"[redacted]"}"#)
    #expect(scrub(#"{"AbC/dEf+Gh":1}"#, [secret]) == #"{"[redacted]":1}"#)
  }

  @Test func numbersSyntaxAndUntouchedAnswersStayByteForByte() {
    let body = #"{"count": 712345, "ok": true, "none": null, "s": "\/x"}"#
    #expect(scrub(body, ["2345", "true", "null"]) == body)
    #expect(scrub(body, []) == body)
  }

  @Test func otherAnswersAreScrubbedAsText() {
    #expect(scrub("<html>bad token tok-12345</html>", ["tok-12345"]) == "<html>bad token [redacted]</html>")
  }

  @Test func aRedactorMatchesBytesNotCharacters() {
    let r = Redactor()
    r.add("tok-1234")
    // "4" followed by a combining acute accent is one Character, but the secret's bytes are there.
    #expect(r.scrub("tok-1234\u{301}") == "[redacted]\u{301}")
  }

  @Test func aTargetStartingWithACombiningMarkKeepsOneSlash() {
    #expect(URLParts("http://h/\u{301}x")?.target == "/\u{301}x")
  }
}

@Suite struct TruncatedSecretTests {
  @Test func theStartOfASecretRightBeforeACutIsScrubbedInMessages() {
    let r = Redactor()
    r.add("tok-0123456789abcdef")
    #expect(r.scrub("stage xxxx tok-0123456...") == "stage xxxx [redacted]")
    // Shorter than eight bytes, or not at a cut: left alone (ordinary text ends in "..." too).
    #expect(r.scrub("header: tok-012...") == "header: tok-012...")
    #expect(r.scrub("a tok-0123456 b") == "a tok-0123456 b")
    let demo = Redactor()
    demo.add("demo-key-12345")
    #expect(demo.scrub("Loading demo...") == "Loading demo...")
  }

  @Test func shortValuesAreNoSecrets() {
    let r = Redactor()
    for value in ["2345", "true", "null", "1234567"] { r.add(value) }
    #expect(r.secrets.isEmpty)
  }

  @Test func aTraceLineIsScrubbedBeforeItIsCut() {
    let token = "tok-0123456789abcdef"
    let line = "X-Echo: " + String(repeating: "x", count: 485) + token
    // Cut first, a piece of the token would show; scrubbed first, none does.
    #expect(Text.oneLine(line).contains("tok-01"))
    #expect(!Text.oneLine(Credentials.scrub(line, [Array(token.utf8)])).contains("tok-0"))
  }

  @Test func aNumberThatIsASecretBecomesARedactedString() {
    let body = Array(#"{"pin":48213377,"count":948213377,"s":"48213377"}"#.utf8)
    let scrubbed = String(decoding: Credentials.scrubAnswer(body, [Array("48213377".utf8)]), as: UTF8.self)
    #expect(scrubbed == #"{"pin":"[redacted]","count":948213377,"s":"[redacted]"}"#)
  }
}

@Suite struct RedactHeaderLineTests {
  @Test func credentialHeadersLoseTheirValue() {
    #expect(Credentials.redactHeaderLine("Authorization: Bearer x") == "Authorization: [redacted]")
    #expect(Credentials.redactHeaderLine("Accept: */*") == "Accept: */*")
  }

  /// The name ends at the first colon scalar, like `Text.splitHeader` everywhere else: a colon
  /// followed by a combining mark is one Character that is not ":".
  @Test func theNameEndsAtTheFirstColonScalar() {
    #expect(Credentials.redactHeaderLine("Set-Cookie:\u{301}session=abc") == "Set-Cookie: [redacted]")
  }
}

@Suite struct CurlOptionCheckTests {
  /// CURLE_UNKNOWN_OPTION, what a libcurl older than 7.85 answers for CURLOPT_PROTOCOLS_STR.
  let unknownOption: UInt32 = 48

  @Test func aRefusedSecurityOptionFailsClosedAsAUsageError() throws {
    let failure = try #require(
      CurlTransport.refusal(
        of: "CURLOPT_PROTOCOLS_STR", code: unknownOption, reason: "An unknown option was passed in to libcurl"))
    #expect(failure.code == .optionRefused(option: "CURLOPT_PROTOCOLS_STR"))
    #expect(failure.kind == .badURL)
    #expect(!failure.mayHaveBeenSent)
    #expect(failure.curlCode == unknownOption)
    #expect(failure.message.contains("CURLOPT_PROTOCOLS_STR"))
    #expect(failure.message.contains("An unknown option was passed in to libcurl"))
    #expect(failure.message.contains("nothing was sent"))
    guard case .end(.usage(let message)) = Verdict.of(failure) else {
      Issue.record("a refused option must end the command as a usage error, not be retried")
      return
    }
    #expect(message == .transport(failure.message))
  }

  @Test func anAcceptedOptionPasses() {
    #expect(CurlTransport.refusal(of: "CURLOPT_SSL_VERIFYPEER", code: 0, reason: "No error") == nil)
  }
}

@Suite struct TransportFailureCauseTests {
  @Test func theMessageKindAndResendingAreDerivedFromTheCode() {
    let full = TransportFailure(.localWrite, curlCode: 23, underlyingErrno: ENOSPC)
    #expect(full.message == String(cString: strerror(ENOSPC)))
    #expect(full.kind == .localWrite)
    let stalled = TransportFailure(.stalled(limit: 30))
    #expect(stalled.timedOut && stalled.kind == .transient && stalled.mayHaveBeenSent)
    #expect(stalled.message == "no data for 30s (--request-timeout)")
    let refused = TransportFailure(.notConnected, detail: "Failed to connect", curlCode: 7)
    #expect(!refused.mayHaveBeenSent && !refused.timedOut && refused.message == "Failed to connect")
    #expect(TransportFailure(.tlsVerification, detail: "bad cert").kind == .tls)
    #expect(TransportFailure(.redirectLoop(url: "http://u:p@h/x")).message == "redirect loop at http://[redacted]@h/x")
  }

  /// One request through the transport's one primitive: start it, poll until its result is in.
  func sendOnce(_ transport: CurlTransport, _ request: HTTPRequest) -> Result<HTTPResponse, TransportFailure> {
    transport.start(request, id: 1)
    for _ in 0..<1000 {
      if let done = transport.poll(timeout: 0.05, watching: []).results.first(where: { $0.id == 1 }) {
        return done.result
      }
    }
    return .failure(TransportFailure(.timedOut, detail: "no result after 50 s"))
  }

  @Test func aRefusedConnectionKeepsItsCurlCodeAndErrno() throws {
    // Port 1 on loopback has no listener: libcurl answers CURLE_COULDNT_CONNECT over ECONNREFUSED.
    let transport = try CurlTransport(
      options: TransportOptions(), clock: { SystemClock().monotonic }, interruptions: ProcessSignals())
    let result = sendOnce(transport, HTTPRequest(method: "GET", url: "http://127.0.0.1:1/jobs/1"))
    guard case .failure(let failure) = result else {
      Issue.record("a request to a closed port must fail")
      return
    }
    #expect(failure.code == .notConnected)
    #expect(failure.kind == .transient)
    #expect(!failure.mayHaveBeenSent)
    #expect(failure.curlCode == 7)
    #expect(failure.underlyingErrno == ECONNREFUSED)
  }

  @Test func aServerThatNeverAnswersTimesOutWithItsCurlCode() throws {
    // A listening socket nobody accepts on: the connection completes (backlog), no answer comes.
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var size = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, size) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &size) == 0
      }
    }
    try #require(bound)
    var options = TransportOptions()
    options.requestTimeout = 0.2
    let transport = try CurlTransport(
      options: options, clock: { SystemClock().monotonic }, interruptions: ProcessSignals())
    let port = UInt16(bigEndian: address.sin_port)
    guard case .failure(let failure) = sendOnce(transport, HTTPRequest(url: "http://127.0.0.1:\(port)/jobs/1")) else {
      Issue.record("a server that never answers must time out")
      return
    }
    #expect(failure.code == .timedOut)
    #expect(failure.timedOut)
    #expect(failure.curlCode == 28)  // CURLE_OPERATION_TIMEDOUT
  }
}

@Suite struct HeaderNameTests {
  /// Header names match without regard to ASCII case, and only whole: a name that is a prefix of
  /// another, or differs in one byte, is another header.
  @Test func namesMatchIgnoringASCIICaseOnly() {
    #expect(Text.equalsIgnoringCase("Content-Length", "content-LENGTH"))
    #expect(Text.equalsIgnoringCase("", ""))
    #expect(!Text.equalsIgnoringCase("Content-Length", "Content-Lengths"))
    #expect(!Text.equalsIgnoringCase("Content-Length", "Content-Lenhth"))
    #expect(!Text.equalsIgnoringCase("X-Key", "X-KEZ"))
    #expect(!Text.equalsIgnoringCase("É", "é"), "not ASCII: no case folding")
    let response = HTTPResponse(status: 200, headers: [HTTPHeader("retry-after", "5")])
    #expect(response.header("Retry-After") == "5")
    #expect(response.header("Retry-After2") == nil)
  }
}
