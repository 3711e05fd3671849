import Foundation
import LoopbackHTTP
import Testing

private let pendingDoc = #"{"jobId":"j1","status":"pending"}"#
private let completedDoc = #"{"jobId":"j1","status":"completed","result":{"address":"0xabc"}}"#

/// Signals, streams, redirects, the trace and the size cap, end to end.
@Suite struct TransportTests {
  @Test(arguments: [(Int32(2), Int32(130)), (Int32(15), Int32(143))])
  func aSignalDuringTheSleepEndsTheWaitPromptly(_ signal: Int32, _ code: Int32) throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(pendingDoc)])
    let p = try RunningProcess(["wait", "j1", "--base-url", server.baseURL, "--interval", "60s", "--progress", "none"])
    #expect(server.waitForRequests(1))
    let sent = Date()
    p.signal(signal)
    let r = p.finish(limit: 20)
    #expect(r.code == code)
    #expect(Date().timeIntervalSince(sent) < 5, "a 60 s sleep must end at once on a signal")
    #expect(server.requests.count == 1)
  }

  @Test func aSignalDuringARequestInFlightEndsTheWaitPromptly() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.fault(.hang)])
    let p = try RunningProcess(["wait", "j1", "--base-url", server.baseURL, "--request-timeout", "60s"])
    #expect(server.waitForRequests(1))
    let sent = Date()
    p.signal(SIGINT)
    let r = p.finish(limit: 20)
    #expect(r.code == 130)
    #expect(Date().timeIntervalSince(sent) < 5, "a hung request must be abandoned at once on Ctrl-C")
    #expect(
      r.stderr
        == "jobctl: interrupted; job j1 keeps running on the server: jobctl wait --base-url \(server.baseURL) j1\n")
  }

  /// A reader gone before the result: the wait ends at once, quietly, with 141 (the job never ends).
  @Test func aClosedStdoutEndsQuietly() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(#"{"jobId":"j1","status":"running"}"#)])
    let r = try RunningProcess(
      ["wait", "j1", "--base-url", server.baseURL, "--progress", "none", "--json"], closeStdout: true
    ).finish(limit: 30)
    #expect(r.code == 141)
    #expect(r.stderr == "")
  }

  @Test func verboseTracesRequestsWithSecretsRedacted() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.json(200, completedDoc, headers: [("Set-Cookie", "session=cookie-secret-1")])])
    let r = try jobctl(
      [
        "wait", "j1", "--base-url", server.baseURL, "-v", "-H", "X-Api-Key: key-secret-2", "-H",
        "Cookie: c=cookie-secret-3", "-H", "X-Trace: visible",
      ],
      env: ["JOBCTL_TOKEN": "token-secret-4"])
    #expect(r.code == 0)
    #expect(r.stderr.contains("> GET /jobs/j1 HTTP/1.1"))
    #expect(r.stderr.contains("> Authorization: [redacted]"))
    #expect(r.stderr.contains("> X-Api-Key: [redacted]"))
    #expect(r.stderr.contains("> Cookie: [redacted]"))
    #expect(r.stderr.contains("> X-Trace: visible"))
    #expect(r.stderr.contains("< HTTP/1.1 200"))
    #expect(r.stderr.contains("< Set-Cookie: [redacted]"))
    for secret in ["cookie-secret-1", "key-secret-2", "cookie-secret-3", "token-secret-4"] {
      #expect(!r.stderr.contains(secret))
      #expect(!r.stdout.contains(secret))
    }
    let sent = try #require(server.requests.first)
    #expect(sent.header("Authorization") == "Bearer token-secret-4")
    #expect(sent.header("X-Api-Key") == "key-secret-2")
  }

  @Test func redirectsToAnotherHostDropEveryCredential() throws {
    let origin = try LoopbackServer()
    let elsewhere = try LoopbackServer()
    origin.script("/jobs/j1", [Reply(status: 302, headers: [("Location", elsewhere.baseURL + "/moved/j1")])])
    elsewhere.script("/moved/j1", [.doc(completedDoc)])
    let r = try jobctl(
      ["wait", "j1", "--base-url", origin.baseURL, "-H", "X-Api-Key: k-1", "-H", "Cookie: a=b", "-H", "X-Plain: p"],
      env: ["JOBCTL_TOKEN": "t-1"])
    #expect(r.code == 0)
    #expect(origin.requests.first?.header("Authorization") == "Bearer t-1")
    let moved = try #require(elsewhere.requests.first)
    #expect(moved.header("Authorization") == nil)
    #expect(moved.header("X-Api-Key") == nil)
    #expect(moved.header("Cookie") == nil)
    #expect(moved.header("X-Plain") == "p")
  }

  @Test func anotherNameForTheSameAddressIsAnotherHost() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [Reply(status: 307, headers: [("Location", "http://localhost:\(server.port)/jobs/j2")])])
    server.script("/jobs/j2", [.doc(completedDoc)])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL], env: ["JOBCTL_TOKEN": "t-2"])
    #expect(r.code == 0)
    let log = server.requests
    try #require(log.count == 2)
    #expect(log[0].header("Authorization") == "Bearer t-2")
    #expect(log[1].header("Authorization") == nil)
  }

  @Test func redirectsOnTheSameHostKeepCredentials() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [Reply(status: 301, headers: [("Location", "/v2/jobs/j1")])])
    server.script("/v2/jobs/j1", [.doc(completedDoc)])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL], env: ["JOBCTL_TOKEN": "t-3"])
    #expect(r.code == 0)
    #expect(server.requests.last?.header("Authorization") == "Bearer t-3")
  }

  /// A request's time limit covers its redirects.
  ///
  /// Two hops of 600 ms do not fit in 1 s, however slow the machine (each alone would). The second
  /// hop gets only what the first left, and a chain already past the limit is not followed further.
  @Test(arguments: [false, true])
  func redirectsShareTheRequestTimeLimit(_ longChain: Bool) throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [Reply(status: 302, headers: [("Location", "/a")], delay: 0.6)])
    if longChain {
      server.script("/a", [Reply(status: 302, headers: [("Location", "/b")], delay: 0.6)])
      server.script("/b", [.doc(completedDoc)])
    } else {
      server.script("/a", [Reply.json(200, completedDoc, delay: 0.6)])
    }
    let r = try jobctl(
      ["wait", "j1", "--base-url", server.baseURL, "--request-timeout", "1s", "--max-errors", "1"])
    #expect(r.code == 7, "\(r.stderr)")
    #expect(r.stderr.contains("timed out"), "\(r.stderr)")
    #expect(!server.requests.contains { $0.path == "/b" })
  }

  @Test func redirectLoopsAreRefused() throws {
    let server = try LoopbackServer()
    server.script("/a", [Reply(status: 302, headers: [("Location", "/b")])])
    server.script("/b", [Reply(status: 302, headers: [("Location", "/a")])])
    let r = try jobctl(["wait", server.baseURL + "/a"])
    #expect(r.code == 6)
    #expect(r.stderr.contains("redirect loop"))
    #expect(server.requests.count == 2)
  }

  @Test func answersThatAreNotHTTPAreRetriedThenExitSix() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.fault(.raw(Array("HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\n{}".utf8)))])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--max-errors", "2"] + fast)
    #expect(r.code == 6)
    #expect(server.requests.count == 2)
    #expect(r.stderr.contains("is not HTTP"))
  }

  @Test func a303AfterAPostIsFollowedWithAGet() throws {
    let server = try LoopbackServer()
    server.script("POST", "/reports", [Reply(status: 303, headers: [("Location", "/reports/r1")])])
    server.script("/reports/r1", [.json(200, #"{"jobId":"r1","status":"pending"}"#)])
    let r = try jobctl(["start", "/reports", "--data", "{}", "--base-url", server.baseURL])
    #expect(r.code == 0)
    #expect(r.stdout == "r1\n")
    #expect(server.requests.map { "\($0.method) \($0.target)" } == ["POST /reports", "GET /reports/r1"])
    #expect(server.requests[1].body.isEmpty)
  }

  @Test func answersOverTheCapAreRefused() throws {
    let server = try LoopbackServer()
    let huge = "{\"status\":\"pending\",\"pad\":\"" + String(repeating: "x", count: 17 << 20) + "\"}"
    server.script("/jobs/j1", [.json(200, huge)])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--max-errors", "1"])
    #expect(r.code == 6)
    #expect(r.stderr.contains("larger than 16 MiB"))
  }

  @Test func insecureWarns() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(completedDoc)])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--insecure", "--progress", "none"])
    #expect(r.code == 0)
    #expect(r.stderr == "jobctl: warning: --insecure: TLS certificates are not verified\n")
  }

  /// Answers whose framing cannot be trusted fail at once as malformed (exit 6 once --max-errors
  /// run out), rather than waiting out the request timeout (exit 7); each is retried like other
  /// transient trouble.
  @Test(arguments: [
    (
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\nContent-Length: 100\r\n\r\n0123456789",
      "malformed answer: it has two different Content-Length headers (10 and 100)"
    ),
    (
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
      "malformed answer: it switched protocols (101 Switching Protocols) though nothing asked it to"
    ),
  ])
  func aMalformedAnswerFailsAtOnce(_ raw: String, _ message: String) throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.fault(.rawThenStall(Array(raw.utf8)))])
    let r = try jobctl(
      [
        "wait", "j1", "--base-url", server.baseURL, "--request-timeout", "20s", "--max-errors", "2", "--progress",
        "none",
      ]
        + fast)
    #expect(r.code == 6, "\(r.stderr)")
    #expect(r.stderr == "jobctl: error: gave up after 2 consecutive failures; the last: \(message)\n")
    #expect(server.requests.count == 2)
  }

  /// A response header over libcurl's limit, one line or many, is named as such (libcurl itself
  /// reports a line too long as "Out of memory").
  @Test(arguments: [1, 400])
  func anOversizedResponseHeaderIsNamed(_ lines: Int) throws {
    let server = try LoopbackServer()
    let size = 300_000 / lines
    let headers = (0..<lines).map { (name: "X-Big-\($0)", value: String(repeating: "x", count: size)) }
    server.script("/jobs/j1", [.json(200, completedDoc, headers: headers)])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--max-errors", "1", "--progress", "none"])
    #expect(r.code == 6, "\(r.stderr)")
    let reason =
      lines == 1
      ? "a response header line is larger than libcurl accepts (100 KB)" : "its response headers are larger than 100 KB"
    #expect(r.stderr == "jobctl: error: gave up after 1 consecutive failure; the last: malformed answer: \(reason)\n")
  }

  /// A compressed body that was not asked for is named, not reported as a JSON syntax error.
  @Test func anUnaskedForCompressedBodyIsNamed() throws {
    let server = try LoopbackServer()
    let gzip: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xAB, 0xAE, 0x05, 0x00]
    server.script(
      "/jobs/j1",
      [Reply(status: 200, headers: [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], body: gzip)])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--max-errors", "1", "--progress", "none"])
    #expect(r.code == 6, "\(r.stderr)")
    #expect(
      r.stderr
        == "jobctl: error: gave up after 1 consecutive failure; the last: malformed answer: its body is compressed (Content-Encoding: gzip) though none was asked for\n"
    )
    #expect(server.requests.first?.header("Accept-Encoding") == nil)
  }
}
