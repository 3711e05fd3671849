import Foundation
import LoopbackHTTP
import Testing

/// Secrets never reach output (docs/behaviour.md "Secrets"): every mode is run against a hostile
/// server that echoes every credential it receives back into its answers (job documents, stages,
/// error messages, headers, lists), and every byte jobctl writes is searched for them.
@Suite struct SecretsTests {
  static let token = "tok-0123456789abcdef"
  static let apiKey = "key-9876543210"
  static let cookie = "session=cookie-value-4567"
  static let secrets = [token, apiKey, cookie]

  /// Answers with the credentials it was sent, everywhere it can.
  static func hostileServer() throws -> LoopbackServer {
    let server = try LoopbackServer()
    let runPolls = Counter()
    server.setHandler { request in
      let echo = ["Authorization", "X-Api-Key", "Cookie", "Proxy-Authorization"].compactMap { request.header($0) }
        .joined(separator: " ")
      // X-Long puts the echo where a --verbose trace line is cut to length.
      let headers = [("X-Echo", echo), ("Set-Cookie", echo), ("X-Long", String(repeating: "x", count: 475) + echo)]
      switch (request.method, request.path) {
      case ("POST", "/jobs"):
        return .json(202, #"{"jobId":"j-ok","status":"pending","note":"\#(echo)"}"#, headers: headers)
      case ("GET", "/jobs"):
        return .json(200, #"[{"jobId":"j-ok","status":"completed","type":"\#(echo)"}]"#, headers: headers)
      case ("POST", "/jobs/j-run/cancel"):
        return .json(409, #"{"error":{"code":"NOPE","message":"cannot cancel for \#(echo)"}}"#, headers: headers)
      case (_, "/jobs/j-ok"):
        return .json(
          200, #"{"jobId":"j-ok","status":"completed","result":{"echo":"\#(echo)"}}"#, headers: headers)
      case (_, "/jobs/j-run"):
        // Running while the stage is fresh, then done: the stage carries the echo.
        let state = runPolls.next() < 3 ? #""running","stage":"\#(echo)","progress":0.5"# : #""completed""#
        return .json(200, #"{"jobId":"j-run","status":\#(state)}"#, headers: headers)
      case (_, "/jobs/j-fail"):
        return .json(200, #"{"jobId":"j-fail","status":"failed","error":"failed for \#(echo)"}"#, headers: headers)
      case (_, "/jobs/j-401"):
        return .json(401, #"{"error":"bad credentials \#(echo)"}"#, headers: headers)
      case (_, "/jobs/j-500"):
        return .json(500, #"{"error":"crashed on \#(echo)"}"#, headers: headers)
      default:
        return .json(404, #"{"error":"no such job, \#(echo)"}"#, headers: headers)
      }
    }
    return server
  }

  static let modes: [[String]] = [
    ["wait", "j-ok"], ["wait", "j-ok", "--json"], ["wait", "j-ok", "--format", "ndjson"],
    ["wait", "j-ok", "--field", "result.echo"],
    ["wait", "j-ok", "--verbose"], ["wait", "j-run", "--progress", "plain"], ["wait", "j-run", "--format", "ndjson"],
    ["wait", "j-run", "--verbose", "--json"], ["wait", "j-fail"], ["wait", "j-fail", "--json", "--verbose"],
    ["wait", "j-401"], ["wait", "j-401", "--format", "ndjson"], ["wait", "j-500", "--max-errors", "2"],
    ["wait", "j-missing"],
    ["wait", "j-ok", "j-run", "j-fail"], ["wait", "j-ok", "j-run", "j-fail", "--json"],
    ["wait", "j-ok", "j-fail", "--format", "ndjson"], ["status", "j-run"], ["status", "j-run", "--json"],
    ["start", "/jobs", "--data", "{}"], ["start", "/jobs", "--data", "{}", "--json"],
    ["start", "/jobs", "--data", "{}", "--wait"], ["list"], ["list", "--json"], ["cancel", "j-run"],
    ["cancel", "j-run", "--verbose"],
  ]

  @Test(arguments: modes)
  func noModeShowsACredential(_ arguments: [String]) throws {
    let server = try Self.hostileServer()
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-secrets-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let githubOutput = folder.appendingPathComponent("output").path
    #expect(FileManager.default.createFile(atPath: githubOutput, contents: Data()))
    let r = try jobctl(
      arguments + [
        "--base-url", server.baseURL, "-H", "X-Api-Key: \(Self.apiKey)", "-H", "Cookie: \(Self.cookie)",
      ] + (["wait", "start"].contains(arguments[0]) ? ["--interval", "50ms"] : []),
      env: [
        "JOBCTL_TOKEN": Self.token, "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": githubOutput,
      ])
    // Through FileHandle: FoundationEssentials' String(contentsOfFile:) leaks its buffer on an
    // empty file, which `make test-asan` reports.
    let written = String(
      decoding: FileHandle(forReadingAtPath: githubOutput)?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
    // The server did get the credentials, and did echo them back.
    #expect(server.requests.first?.header("Authorization") == "Bearer \(Self.token)")
    #expect(server.requests.first?.header("X-Api-Key") == Self.apiKey)
    for output in [r.stdout, r.stderr, written] {
      for secret in Self.secrets {
        #expect(!output.contains(secret), "\(arguments): \(output)")
        // Nor any recognisable piece of one.
        #expect(!output.contains(String(secret.prefix(10))), "\(arguments): \(output)")
      }
    }
    // Where the echo surfaces, it is marked as redacted, so this test saw the path it guards
    // (`start` without --json or --wait prints the id alone).
    if arguments != ["start", "/jobs", "--data", "{}"] {
      #expect((r.stdout + r.stderr + written).contains("[redacted]"), "\(arguments): \(r.stdout) \(r.stderr)")
    }
  }

  static let urlUser = "user-name-42"
  static let urlPassword = "pass-word-1234"
  static let proxyUser = "puser"
  static let proxyPassword = "ppass"

  /// The user and password of the base URL and of the proxy are credentials like the token: in
  /// every mode, against the same hostile server reached through a proxy that passes
  /// `Proxy-Authorization` on (so it is echoed too), none of them, nor their Basic forms, shows.
  @Test(arguments: modes)
  func noModeShowsAURLOrProxyCredential(_ arguments: [String]) throws {
    let server = try Self.hostileServer()
    let proxy = try LoopbackServer()
    proxy.forward(to: server)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-secrets-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let githubOutput = folder.appendingPathComponent("output").path
    #expect(FileManager.default.createFile(atPath: githubOutput, contents: Data()))
    let base = "http://\(Self.urlUser):\(Self.urlPassword)@127.0.0.1:\(server.port)"
    // A job given as a URL carries the userinfo itself (and names the job in messages and the
    // ::error annotation); the others get it from the base URL.
    var args = arguments
    if args.count > 1, args[0] == "wait", ["j-ok", "j-fail"].contains(args[1]) { args[1] = base + "/jobs/" + args[1] }
    let r = try jobctl(
      args + ["--base-url", base]
        + (["wait", "start"].contains(arguments[0]) ? ["--interval", "50ms"] : []),
      env: [
        "http_proxy": "http://\(Self.proxyUser):\(Self.proxyPassword)@127.0.0.1:\(proxy.port)", "NO_PROXY": "",
        "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": githubOutput,
      ])
    let written = String(
      decoding: FileHandle(forReadingAtPath: githubOutput)?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
    let basic = Data("\(Self.urlUser):\(Self.urlPassword)".utf8).base64EncodedString()
    let proxyBasic = Data("\(Self.proxyUser):\(Self.proxyPassword)".utf8).base64EncodedString()
    // Everything went through the proxy, with its credentials.
    #expect(!proxy.requests.isEmpty)
    #expect(proxy.requests.allSatisfy { $0.header("Proxy-Authorization") == "Basic \(proxyBasic)" })
    #expect(proxy.requests.allSatisfy { $0.target.hasPrefix("http://127.0.0.1:\(server.port)/") })
    for output in [r.stdout, r.stderr, written] {
      for secret in [Self.urlUser, Self.urlPassword, Self.proxyPassword, basic, proxyBasic, "\(Self.proxyUser):"] {
        #expect(!output.contains(secret), "\(arguments): \(output)")
      }
      #expect(!output.contains("'\(Self.proxyUser)'"), "\(arguments): \(output)")
    }
    if arguments != ["start", "/jobs", "--data", "{}"] {
      #expect((r.stdout + r.stderr + written).contains("[redacted]"), "\(arguments): \(r.stdout) \(r.stderr)")
    }
  }

  /// A proxy from the environment is used, with the credentials of its URL sent as
  /// `Proxy-Authorization` to the proxy alone; `--verbose` shows neither the password nor its
  /// Basic form, not even in libcurl's note of which variable it used (libcurl takes a proxy with
  /// or without its scheme).
  @Test(arguments: ["http://", ""])
  func aProxyFromTheEnvironmentGetsItsCredentialsAndNothingShowsThem(_ scheme: String) throws {
    let server = try LoopbackServer()
    server.script("/jobs/1", [.json(200, #"{"jobId":"1","status":"completed"}"#)])
    let proxy = try LoopbackServer()
    proxy.forward(to: server)
    let r = try jobctl(
      ["wait", "1", "--base-url", server.baseURL, "-v"],
      env: ["http_proxy": "\(scheme)puser:ppass@127.0.0.1:\(proxy.port)", "NO_PROXY": ""])
    #expect(r.code == 0, "\(r.stderr)")
    let seen = try #require(proxy.requests.first)
    #expect(seen.method == "GET")
    #expect(seen.target == "\(server.baseURL)/jobs/1")
    #expect(seen.header("Proxy-Authorization") == "Basic cHVzZXI6cHBhc3M=")
    #expect(server.requests.map(\.target) == ["/jobs/1"])
    for text in ["ppass", "cHVzZXI6cHBhc3M=", "puser:"] {
      #expect(!(r.stdout + r.stderr).contains(text), "\(r.stderr)")
    }
    #expect(r.stderr.contains("'\(scheme)[redacted]@127.0.0.1:\(proxy.port)'"), "\(r.stderr)")
    #expect(r.stderr.contains("> Proxy-Authorization: [redacted]"), "\(r.stderr)")
  }

  /// The user and password of a URL go to its origin alone (as Basic authentication): a
  /// redirect to another port leaves them behind, and the URL is shown with them hidden.
  @Test func urlCredentialsStayWithTheirOrigin() throws {
    let other = try LoopbackServer()
    other.script("/jobs/j1", [.json(200, #"{"jobId":"j1","status":"failed","error":"no"}"#)])
    let server = try LoopbackServer()
    server.script("/jobs/j1", [Reply(status: 302, headers: [("Location", other.baseURL + "/jobs/j1")])])
    let url = "http://alice:pw@127.0.0.1:\(server.port)/jobs/j1"
    let r = try jobctl(["wait", url, "--progress", "none"])
    #expect(r.code == 1, "\(r.stderr)")
    #expect(server.requests.first?.header("Authorization") == "Basic YWxpY2U6cHc=")
    #expect(other.requests.count == 1)
    #expect(other.requests.allSatisfy { $0.header("Authorization") == nil })
    // "pw" is too short to be a secret by value; in a URL it is hidden by its place.
    #expect(r.stderr.contains("http://[redacted]@127.0.0.1:\(server.port)/jobs/j1"), "\(r.stderr)")
    #expect(!r.stderr.contains("alice:pw"))
  }

  /// The user and password of the base URL authenticate every request to its host, those built
  /// from a path and from a job URL the server hands back included, and no other host.
  @Test func baseURLCredentialsGoWithEveryRequestToItsHost() throws {
    let other = try LoopbackServer()
    other.script("/jobs/j1", [.json(200, #"{"jobId":"j1","status":"completed"}"#)])
    let server = try LoopbackServer()
    server.script("POST", "/jobs", [.json(202, #"{"jobId":"j1","status":"pending","locationUrl":"/jobs/j1"}"#)])
    server.script(
      "/jobs/j1",
      [
        .json(200, #"{"jobId":"j1","status":"running"}"#),
        Reply(status: 302, headers: [("Location", other.baseURL + "/jobs/j1")]),
      ])
    let r = try jobctl(
      ["start", "/jobs", "--wait", "--base-url", "http://alice:pa%40ss-word@127.0.0.1:\(server.port)/", "-v"] + fast)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(server.requests.count == 3)
    #expect(server.requests.allSatisfy { $0.header("Authorization") == "Basic YWxpY2U6cGFAc3Mtd29yZA==" })
    #expect(other.requests.count == 1)
    #expect(other.requests.allSatisfy { $0.header("Authorization") == nil })
    for text in ["pa%40ss-word", "pa@ss-word", "YWxpY2U6cGFAc3Mtd29yZA==", "alice:"] {
      #expect(!(r.stdout + r.stderr).contains(text), "\(r.stderr)")
    }
  }

  /// A token with characters JSON encoders escape, echoed back escaped (`\/` as PHP writes it,
  /// `\u` escapes as some encoders write everything), inside a stage longer than any display
  /// limit, so that only scrubbing the decoded strings before anything is cut short hides it.
  @Test(arguments: [
    ["wait", "j1", "--progress", "plain"], ["wait", "j1", "--json"], ["wait", "j1", "--format", "ndjson"],
    ["status", "j1", "--json"], ["status", "j1"], ["wait", "j1", "--verbose", "--progress", "plain"],
    ["wait", "j1", "j2", "--progress", "plain"],
  ])
  func escapedEchoesAreScrubbedBeforeAnythingIsCut(_ arguments: [String]) throws {
    let token = "AbC/dEf+GhIjKlMnOp="
    let slashed = token.replacingOccurrences(of: "/", with: #"\/"#)
    let unicode = token.unicodeScalars.map { String(format: "\\u%04x", $0.value) }.joined()
    let server = try LoopbackServer()
    let polls = Counter()
    server.setHandler { request in
      let padding = String(repeating: "x", count: 110)
      if polls.next() < 2 {
        return .json(
          200,
          #"{"jobId":"j1","status":"running","progress":0.5,"stage":"\#(padding)Bearer \#(slashed)"}"#)
      }
      return .json(200, #"{"jobId":"j1","status":"failed","error":"\#(padding) \#(unicode)","note":"\#(slashed)"}"#)
    }
    let r = try jobctl(
      arguments + ["--base-url", server.baseURL] + (arguments[0] == "wait" ? ["--interval", "50ms"] : []),
      env: ["JOBCTL_TOKEN": token])
    #expect(server.requests.first?.header("Authorization") == "Bearer \(token)")
    for output in [r.stdout, r.stderr] {
      for text in [token, slashed, unicode, "AbC/dEf", #"AbC\/dEf"#, "GhIjKlMnOp", #"\u0041\u0062\u0043"#] {
        #expect(!output.contains(text), "\(arguments): \(output)")
      }
    }
    #expect((r.stdout + r.stderr).contains("[redacted]"), "\(arguments): \(r.stdout) \(r.stderr)")
  }

  /// Scrubbing never changes what an answer means: values under eight bytes are no secrets to
  /// hide, so a short key that is also a run of digits in a number, or a word of JSON syntax,
  /// leaves the document as it came.
  @Test func aCredentialThatLooksLikeDataBreaksNoAnswer() throws {
    let document = #"{"jobId":"num","status":"completed","result":{"count":712345,"ok":true,"none":null}}"#
    let server = try LoopbackServer()
    server.setHandler { _ in .json(200, document) }
    for key in ["2345", "true", "null"] {
      let r = try jobctl(
        ["wait", "num", "--base-url", server.baseURL, "-H", "X-Api-Key: \(key)", "--json"])
      #expect(r.code == 0, "\(key): \(r.stderr)")
      #expect(r.stdout == document + "\n", "\(key)")
    }
  }

  /// The data of `jobctl output` is handed over byte for byte, whatever it holds.
  @Test(arguments: ["body", "string"])
  func outputIsHandedOverByteForByte(_ kind: String) throws {
    let token = "tok-0123456789abcdef"
    let server = try LoopbackServer()
    server.script(
      "/api/job?job=hcj_1&output=body", [.text(200, "a,\(token)\n", contentType: "text/csv;charset=UTF-8")])
    server.script("/api/job?job=hcj_1", [.json(#"{"ok":true,"status":"done"}"#)])
    server.script("/api/job?job=hcj_1&output=string", [.json(200, #"{"ok":true,"output":"a,\#(token)\n"}"#)])
    let r = try jobctl(
      ["output", "hcj_1", "--as", kind, "--base-url", server.baseURL + "/api", "--dialect", "hotcrp"],
      env: ["JOBCTL_TOKEN": token])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == "a,\(token)\n")
    #expect(!r.stderr.contains(token))
  }

  /// A job URL signed with the token (in the answer's body or its Location header) is polled as
  /// the server gave it, and shown with the token redacted, on stdout and in GITHUB_OUTPUT too.
  @Test(arguments: ["body", "header"])
  func aSignedJobURLIsUsedButNeverShown(_ place: String) throws {
    let token = "tok-0123456789abcdef"
    let server = try LoopbackServer()
    let signed = "/jobs/j1?sig=\(token)"
    if place == "body" {
      server.script("POST", "/jobs", [.json(202, #"{"locationUrl":"\#(signed)"}"#)])
    } else {
      server.script("POST", "/jobs", [Reply(status: 202, headers: [("Location", signed)])])
    }
    server.script(signed, [.json(200, #"{"status":"completed","result":{"pin":"ok"}}"#)])
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-signed-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let githubOutput = folder.appendingPathComponent("output").path
    #expect(FileManager.default.createFile(atPath: githubOutput, contents: Data()))
    let env = ["JOBCTL_TOKEN": token, "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": githubOutput]
    let started = try jobctl(["start", "/jobs", "--data", "{}", "--base-url", server.baseURL], env: env)
    #expect(started.code == 0, "\(started.stderr)")
    #expect(started.stdout == "\(server.baseURL)/jobs/j1?sig=[redacted]\n")
    for format in ["text", "ndjson"] {
      let r = try jobctl(
        ["start", "/jobs", "--data", "{}", "--wait", "--format", format, "--base-url", server.baseURL] + fast,
        env: env)
      #expect(r.code == 0, "\(r.stderr)")
      #expect(r.stdout.contains("sig=[redacted]"), "\(r.stdout)")
      let written = String(
        decoding: FileHandle(forReadingAtPath: githubOutput)?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
      for output in [r.stdout, r.stderr, written] { #expect(!output.contains(token), "\(output)") }
    }
    // The signed URL itself was polled, token and all.
    #expect(server.requests.filter { $0.target == signed }.count == 2)
  }

  /// A key made of digits that the server sends back as a number is hidden too, and the answer
  /// stays valid JSON.
  @Test func aCredentialSentBackAsANumberIsRedacted() throws {
    let server = try LoopbackServer()
    server.setHandler { _ in .json(200, #"{"jobId":"j1","status":"completed","result":{"pin":48213377}}"#) }
    let base = ["wait", "j1", "--base-url", server.baseURL, "-H", "X-Api-Key: 48213377"]
    let json = try jobctl(base + ["--json"])
    #expect(json.stdout == #"{"jobId":"j1","status":"completed","result":{"pin":"[redacted]"}}"# + "\n")
    let field = try jobctl(base + ["--field", "result.pin"])
    #expect(field.stdout == "[redacted]\n")
  }
}

/// A thread-safe count, for handlers that answer by how often they were asked.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0

  /// The count before this call.
  func next() -> Int {
    lock.lock()
    defer { lock.unlock() }
    value += 1
    return value - 1
  }
}
