import Foundation
import LoopbackHTTP
import Testing

/// `--aws-sigv4` against moto's server mode, which checks every signature with its own code
/// (docs/options.md "Signed requests and local sockets"): libcurl signs, no code of ours computes a
/// signature.
@Suite(.serialized) struct MotoSigningTests {
  static let region = ["--aws-sigv4", "aws:amz:us-east-1:states"]

  /// Step Functions' CreateStateMachine, a JSON-protocol call, as `jobctl start`.
  static func createStateMachine(_ moto: MotoServer, name: String, extra: [String] = []) -> [String] {
    let definition = #"{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}"#
    let body = #"{"name":"\#(name)","definition":"\#(definition)","roleArn":"arn:aws:iam::123456789012:role/r"}"#
    return [
      "start", "/", "--base-url", moto.endpoint, "-H", "X-Amz-Target: AWSStepFunctions.CreateStateMachine",
      "-H", "Content-Type: application/x-amz-json-1.0", "--data", body, "--id-path", "stateMachineArn",
    ] + region + extra
  }

  static func arn(_ name: String) -> String { "arn:aws:states:us-east-1:123456789012:stateMachine:\(name)\n" }

  @Test func signedRequestIsAcceptedAndAWrongSecretRefused() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let keys = ["AWS_ACCESS_KEY_ID": moto.accessKey, "AWS_SECRET_ACCESS_KEY": moto.secretKey]
    let ok = try jobctl(Self.createStateMachine(moto, name: "signed"), env: keys)
    #expect(ok.code == 0, "\(ok.stderr)\n\(moto.tail())")
    #expect(ok.stdout == Self.arn("signed"))

    var wrong = keys
    wrong["AWS_SECRET_ACCESS_KEY"] = String(moto.secretKey.reversed())
    let refused = try jobctl(Self.createStateMachine(moto, name: "refused") + ["-v"], env: wrong)
    #expect(refused.code == 4, "\(refused.stderr)")
    #expect(refused.stderr.contains("HTTP 403"))
    #expect(refused.stdout.isEmpty)
    #expect(!refused.stderr.contains(moto.secretKey) && !refused.stderr.contains(wrong["AWS_SECRET_ACCESS_KEY"] ?? ""))
    // Nothing of the refused one was made: the signed list holds the first machine, and no second.
    let list =
      [
        "start", "/", "--base-url", moto.endpoint, "-H", "X-Amz-Target: AWSStepFunctions.ListStateMachines", "-H",
        "Content-Type: application/x-amz-json-1.0", "--data", "{}",
      ] + Self.region
    let first = try jobctl(list + ["--id-path", "stateMachines.0.name"], env: keys)
    #expect(first.code == 0, "\(first.stderr)")
    #expect(first.stdout == "signed\n")
    let second = try jobctl(list + ["--id-path", "stateMachines.1.name"], env: keys)
    #expect(second.code == 6, "\(second.stderr)")
  }

  @Test func keysComeFromTheCredentialsFile() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let home = try scratch()
    defer { try? FileManager.default.removeItem(at: home) }
    try FileManager.default.createDirectory(
      at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
    let file = """
      # written by a test
      [default]
      aws_access_key_id = \(moto.accessKey)
      aws_secret_access_key = \(moto.secretKey)

      [other]
      aws_access_key_id = AKIAOTHEROTHEROTHER1
      aws_secret_access_key = not-the-secret-key-at-all
      """
    try file.write(to: home.appendingPathComponent(".aws/credentials"), atomically: true, encoding: .utf8)
    let fromHome = try jobctl(Self.createStateMachine(moto, name: "home"), env: ["HOME": home.path])
    #expect(fromHome.code == 0, "\(fromHome.stderr)")
    #expect(fromHome.stdout == Self.arn("home"))

    // AWS_PROFILE picks a section; that one's keys are wrong, so moto refuses them.
    let other = try jobctl(
      Self.createStateMachine(moto, name: "other"), env: ["HOME": home.path, "AWS_PROFILE": "other"])
    #expect(other.code == 4, "\(other.stderr)")

    // AWS_SHARED_CREDENTIALS_FILE names another file, as the AWS CLI reads it.
    let elsewhere = home.appendingPathComponent("ci-credentials")
    let section = "[ci]\nAWS_ACCESS_KEY_ID=\(moto.accessKey)\naws_secret_access_key=\(moto.secretKey)\n"
    try section.write(to: elsewhere, atomically: true, encoding: .utf8)
    let named = try jobctl(
      Self.createStateMachine(moto, name: "named"),
      env: ["HOME": home.path, "AWS_SHARED_CREDENTIALS_FILE": elsewhere.path, "AWS_PROFILE": "ci"])
    #expect(named.code == 0, "\(named.stderr)")
    #expect(named.stdout == Self.arn("named"))
  }

  /// A session token goes as X-Amz-Security-Token, signed (moto checks it), and neither it nor
  /// the secret key shows anywhere, --verbose included.
  @Test func sessionTokenIsSentSignedAndNeverShown() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let session = try moto.sessionCredentials()
    let env = [
      "AWS_ACCESS_KEY_ID": session.accessKey, "AWS_SECRET_ACCESS_KEY": session.secretKey,
      "AWS_SESSION_TOKEN": session.token,
    ]
    let result = try jobctl(Self.createStateMachine(moto, name: "session", extra: ["-v", "--json"]), env: env)
    #expect(result.code == 0, "\(result.stderr)")
    #expect(result.stdout.contains("stateMachine:session"))
    #expect(result.stderr.contains("> X-Amz-Security-Token: [redacted]"))
    #expect(result.stderr.contains("> Authorization: [redacted]"))
    for secret in [session.secretKey, session.token, String(session.token.prefix(20))] {
      #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret))
    }
    // Without the token the same keys are refused: it was sent, and it counted.
    var noToken = env
    noToken["AWS_SESSION_TOKEN"] = nil
    let refused = try jobctl(Self.createStateMachine(moto, name: "no-token", extra: ["-v"]), env: noToken)
    #expect(refused.code == 4, "\(refused.stderr)")
    #expect(!refused.stderr.contains(session.secretKey))
  }
}

/// `--aws-sigv4` against the loopback server: what is sent where, and what is refused before
/// anything is sent.
@Suite struct SigningRulesTests {
  static let keys = [
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE12", "AWS_SECRET_ACCESS_KEY": "secret/key+0123456789abcdef",
  ]

  @Test func missingKeysAreAUsageErrorAndNothingIsSent() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(#"{"jobId":"j1","status":"completed"}"#)])
    let home = try scratch()
    defer { try? FileManager.default.removeItem(at: home) }
    let result = try jobctl(
      ["status", "j1", "--base-url", server.baseURL, "--aws-sigv4", "aws:amz:us-east-1:states"],
      env: ["HOME": home.path])
    #expect(result.code == 2)
    #expect(result.stderr.contains("AWS_ACCESS_KEY_ID") && result.stderr.contains("aws configure export-credentials"))
    #expect(result.stderr.contains("nothing was sent"))
    #expect(server.requests.isEmpty)

    let half = try jobctl(
      ["status", "j1", "--base-url", server.baseURL, "--aws-sigv4", "aws:amz:us-east-1:states"],
      env: ["HOME": home.path, "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE12"])
    #expect(half.code == 2)
    #expect(half.stderr.contains("AWS_SECRET_ACCESS_KEY is not set"))
    #expect(server.requests.isEmpty)
  }

  @Test func aCredentialsFileThatIsAFIFOIsRefusedNotWaitedOn() throws {
    let home = try scratch()
    defer { try? FileManager.default.removeItem(at: home) }
    let fifo = home.appendingPathComponent("credentials").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let result = try jobctl(
      ["status", "j1", "--base-url", "http://127.0.0.1:9", "--aws-sigv4", "aws:amz:us-east-1:states"],
      env: ["HOME": home.path, "AWS_SHARED_CREDENTIALS_FILE": fifo], limit: 20)
    #expect(result.code == 2)
    #expect(result.stderr.contains("not a regular file"))
  }

  @Test func aBadSigV4ValueIsAUsageError() throws {
    let result = try jobctl(
      ["status", "j1", "--base-url", "http://127.0.0.1:9", "--aws-sigv4", "aws:amz:us east 1:states"], env: Self.keys)
    #expect(result.code == 2)
    #expect(result.stderr.contains("region"))
  }

  @Test func aTokenBesideSigningIsAUsageError() throws {
    var env = Self.keys
    env["JOBCTL_TOKEN"] = "tok-0123456789abcdef"
    let result = try jobctl(
      ["status", "j1", "--base-url", "http://127.0.0.1:9", "--aws-sigv4", "aws:amz:us-east-1:states"], env: env)
    #expect(result.code == 2)
    #expect(result.stderr.contains("Authorization header of its own"))
  }

  /// Signed at the credentials' origin; a redirect to another port is followed unsigned.
  ///
  /// Without the session token either. A shape's `aws-sigv4` key signs as the flag does.
  @Test func aRedirectElsewhereIsFollowedUnsigned() throws {
    let other = try LoopbackServer()
    other.script("/jobs/j1", [.doc(#"{"jobId":"j1","status":"completed"}"#)])
    let home = try LoopbackServer()
    home.script("/jobs/j1", [Reply.json(307, "{}", headers: [("Location", other.baseURL + "/jobs/j1")])])
    let folder = try scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    let config = folder.appendingPathComponent("config")
    try """
    [dialect signed]
    completed-when = status=completed
    aws-sigv4 = aws:amz:us-east-1:execute-api
    """.write(to: config, atomically: true, encoding: .utf8)
    var env = Self.keys
    env["AWS_SESSION_TOKEN"] = "session-token-0123456789"
    let result = try jobctl(
      ["status", "j1", "--base-url", home.baseURL, "--config", config.path, "--dialect", "signed"], env: env)
    #expect(result.code == 0, "\(result.stderr)")
    let signed = try #require(home.requests.first)
    let authorization = signed.header("Authorization") ?? ""
    #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEEXAMPLE12/"))
    #expect(authorization.contains("/us-east-1/execute-api/aws4_request"))
    #expect(authorization.contains("x-amz-security-token"))
    #expect(signed.header("X-Amz-Date") != nil)
    #expect(signed.header("X-Amz-Security-Token") == "session-token-0123456789")
    let followed = try #require(other.requests.first)
    #expect(followed.header("Authorization") == nil)
    #expect(followed.header("X-Amz-Date") == nil)
    #expect(followed.header("X-Amz-Security-Token") == nil)
  }
}

/// A poll sent again within a minute goes with the signature libcurl made for it; a refusal of
/// a kept signature is answered by signing anew.
@Suite struct SignatureReuseTests {
  static let arguments = ["--aws-sigv4", "aws:amz:us-east-1:execute-api"] + fast

  @Test func pollsReuseLibcurlsSignature() throws {
    let server = try LoopbackServer()
    let running = Reply.doc(#"{"jobId":"j1","status":"running"}"#)
    server.script("/jobs/j1", [running, running, running, .doc(#"{"jobId":"j1","status":"completed"}"#)])
    let result = try jobctl(
      ["wait", "j1", "--base-url", server.baseURL, "-v"] + Self.arguments, env: SigningRulesTests.keys)
    #expect(result.code == 0, "\(result.stderr)")
    let requests = server.requests
    #expect(requests.count == 4)
    // libcurl signed once (it says so for each request it signs).
    #expect(result.stderr.components(separatedBy: "Server auth using AWS_SIGV4").count == 2, "\(result.stderr)")
    #expect(result.stderr.components(separatedBy: "> Authorization: [redacted]").count == 5)
    let first = try #require(requests.first)
    let authorization = try #require(first.header("Authorization"))
    #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEEXAMPLE12/"))
    for request in requests {
      #expect(request.header("Authorization") == authorization)
      #expect(request.header("X-Amz-Date") == first.header("X-Amz-Date"))
      #expect(request.headers.filter { $0.name.lowercased() == "authorization" }.count == 1)
    }
  }

  @Test func aRefusedKeptSignatureIsSignedAnew() throws {
    let server = try LoopbackServer()
    server.script(
      "/jobs/j1",
      [
        .doc(#"{"jobId":"j1","status":"running"}"#), .json(403, #"{"message":"Signature expired"}"#),
        .doc(#"{"jobId":"j1","status":"completed"}"#),
      ])
    let result = try jobctl(["wait", "j1", "--base-url", server.baseURL] + Self.arguments, env: SigningRulesTests.keys)
    #expect(result.code == 0, "\(result.stderr)")
    #expect(server.requests.count == 3)
    #expect(server.requests.allSatisfy { ($0.header("Authorization") ?? "").hasPrefix("AWS4-HMAC-SHA256 ") })

    // A refusal of a fresh signature is the server's answer: exit 4.
    let refusing = try LoopbackServer()
    refusing.script("/jobs/j1", [.json(403, #"{"message":"The security token included in the request is invalid."}"#)])
    let refused = try jobctl(
      ["wait", "j1", "--base-url", refusing.baseURL] + Self.arguments, env: SigningRulesTests.keys)
    #expect(refused.code == 4)
    #expect(refusing.requests.count == 1)
  }
}

/// Presigned URLs (in job documents, headers, messages) show without their secrets.
@Suite struct PresignedURLTests {
  static let signature = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
  static let token = "IQoJb3JpZ2luX2VjEPresignedSessionToken"
  static let credential = "AKIAPRESIGNED1234567%2F20261205%2Fus-east-1%2Fs3%2Faws4_request"
  static let url =
    "https://bucket.s3.amazonaws.com/out.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=\(credential)&X-Amz-Date=20261205T000000Z&X-Amz-Expires=3600&x-amz-security-token=\(token)&X-Amz-SignedHeaders=host&X-Amz-Signature=\(signature)"

  @Test(arguments: [
    ["wait", "j1"], ["wait", "j1", "--json"], ["wait", "j1", "--field", "result.url"],
    ["wait", "j1", "--format", "ndjson"], ["wait", "j1", "-v"], ["wait", "j-fail"], ["wait", "j-fail", "--json"],
    ["start", "/jobs", "--data", "{}"], ["start", "/jobs", "--data", "{}", "-v", "--json"],
  ])
  func presignedSecretsNeverShow(_ arguments: [String]) throws {
    let server = try LoopbackServer()
    let url = Self.url
    server.script(
      "/jobs/j1", [.doc(#"{"jobId":"j1","status":"completed","result":{"url":"\#(url)"}}"#, headers: [("Link", url)])])
    server.script("/jobs/j-fail", [.doc(#"{"jobId":"j-fail","status":"failed","error":"see \#(url)"}"#)])
    server.script(
      "POST", "/jobs", [Reply.json(202, #"{"jobId":"j1","status":"pending"}"#, headers: [("Location", url)])])
    let result = try jobctl(arguments + ["--base-url", server.baseURL])
    #expect(result.code == (arguments.contains("j-fail") ? 1 : 0), "\(result.stderr)")
    for secret in [Self.signature, Self.token, Self.credential, "AKIAPRESIGNED1234567"] {
      #expect(!result.stdout.contains(secret), "stdout: \(result.stdout)")
      #expect(!result.stderr.contains(secret), "stderr: \(result.stderr)")
    }
    let shown = result.stdout + result.stderr
    #expect(shown.contains("X-Amz-Signature=[redacted]") || arguments.first == "start" && !arguments.contains("-v"))
  }
}

/// `--unix-socket`: every request goes through the socket; the URL names host and path.
@Suite struct UnixSocketTests {
  @Test func requestsGoThroughTheSocket() throws {
    let folder = try scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("api.sock").path
    let server = try LoopbackServer(unixSocket: path)
    server.script(
      "/v1/jobs/j1", [.doc(#"{"jobId":"j1","status":"running"}"#), .doc(#"{"jobId":"j1","status":"completed"}"#)])
    let result = try jobctl(["wait", "j1", "--base-url", "http://slurm.invalid/v1", "--unix-socket", path] + fast)
    #expect(result.code == 0, "\(result.stderr)")
    #expect(server.requests.count == 2)
    #expect(server.requests.first?.header("Host") == "slurm.invalid")

    // The config file's key does the same.
    let config = folder.appendingPathComponent("config")
    try "[default]\nunix-socket = \(path)\n".write(to: config, atomically: true, encoding: .utf8)
    let configured = try jobctl(["status", "j1", "--base-url", "http://slurm.invalid/v1", "--config", config.path])
    #expect(configured.code == 0, "\(configured.stderr)")
    #expect(server.requests.count == 3)
  }

  @Test func aMissingSocketIsExit7NamingIt() throws {
    let folder = try scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("gone.sock").path
    let result = try jobctl(["status", "j1", "--base-url", "http://localhost", "--unix-socket", path])
    #expect(result.code == 7)
    #expect(result.stderr.contains(path) && result.stderr.contains("does not exist"))

    // A socket nobody listens on: refused, named, exit 7.
    let server = try LoopbackServer(unixSocket: path)
    server.stop()
    let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(listener) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
    }
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    #expect(bound == 0)
    let refused = try jobctl(
      ["status", "j1", "--base-url", "http://localhost", "--unix-socket", path, "--max-errors", "1"])
    #expect(refused.code == 7)
    #expect(refused.stderr.contains("cannot connect to the UNIX socket \(path)"))
  }
}

/// `-H Content-Type` and `-H Accept` replace jobctl's own, whatever their case: one of each.
@Suite struct ReplacedHeaderTests {
  @Test func givenContentTypeAndAcceptReplaceJobctls() throws {
    let server = try LoopbackServer()
    server.script("POST", "/jobs", [Reply.json(202, #"{"jobId":"j1","status":"pending"}"#)])
    let result = try jobctl([
      "start", "/jobs", "--base-url", server.baseURL, "--data", "{}", "-H", "content-type: application/x-amz-json-1.0",
      "-H", "ACCEPT: application/vnd.api+json",
    ])
    #expect(result.code == 0, "\(result.stderr)")
    let request = try #require(server.requests.first)
    let types = request.headers.filter { $0.name.lowercased() == "content-type" }.map(\.value)
    let accepts = request.headers.filter { $0.name.lowercased() == "accept" }.map(\.value)
    #expect(types == ["application/x-amz-json-1.0"])
    #expect(accepts == ["application/vnd.api+json"])

    let plain = try jobctl(["start", "/jobs", "--base-url", server.baseURL, "--data", "{}"])
    #expect(plain.code == 0)
    let own = try #require(server.requests.last)
    #expect(own.headers.filter { $0.name.lowercased() == "content-type" }.map(\.value) == ["application/json"])
    #expect(own.headers.filter { $0.name.lowercased() == "accept" }.map(\.value) == ["application/json"])
  }
}
