import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

@Suite struct ArgumentParserTests {
  @Test func optionsMayComeBeforeOrAfterTheCommandAndItsArguments() throws {
    let a = try ArgumentParser.parse(["--base-url", "http://h", "wait", "j1", "--interval=1s", "-q"])
    #expect(a.command.name == "wait")
    #expect(a.arguments == ["j1"])
    #expect(a.value(.baseURL) == "http://h")
    #expect(a.value(.interval) == "1s")
    #expect(a.has(.quiet))
    let b = try ArgumentParser.parse(["wait", "--timeout", "5m", "j1"])
    #expect(b.arguments == ["j1"])
    #expect(b.value(.timeout) == "5m")
  }

  @Test func doubleDashEndsOptions() throws {
    let a = try ArgumentParser.parse(["wait", "--", "--weird-id"])
    #expect(a.arguments == ["--weird-id"])
  }

  @Test func shortOptionsBundleAndTakeAttachedValues() throws {
    let a = try ArgumentParser.parse(["wait", "-qv", "-HX-A: 1", "-H", "X-B: 2", "j"])
    #expect(a.has(.quiet) && a.has(.verbose))
    #expect(a.all(.header) == ["X-A: 1", "X-B: 2"])
  }

  @Test func laterValuesOverrideEarlierOnes() throws {
    let a = try ArgumentParser.parse(["wait", "j", "--interval", "1", "--interval", "3"])
    #expect(a.value(.interval) == "3")
  }

  @Test(
    arguments: [
      (["wait", "j", "--bogus"], .unknownOption("--bogus", hint: "", help: "jobctl wait --help")),
      (["wait", "j", "-Z"], .unknownOption("-Z", hint: "", help: "jobctl wait --help")),
      (["status", "j", "--any"], .notForCommand("--any", command: "status")),
      (["wait", "j", "--interval"], .needsValue("--interval", value: "D")),
      (["wait"], .missingArguments(command: "wait", arguments: "JOB...")),
      (["status", "a", "b"], .extraArgument(command: "status", arguments: "JOB", extra: "b")),
      (["frobnicate"], .unknownCommand(name: "frobnicate", hint: "", commands: CommandTable.commands.map(\.name))),
      (["wait", "j", "--quiet=yes"], .takesNoValue("--quiet")),
    ] as [([String], JobctlError.Cause)])
  func usageErrors(_ args: [String], _ cause: JobctlError.Cause) {
    #expect(throws: JobctlError.usage(cause)) { try ArgumentParser.parse(args) }
  }

  @Test func helpAndVersionRouting() throws {
    #expect(try ArgumentParser.parse([]).command.name == "help")
    #expect(try ArgumentParser.parse(["--version"]).command.name == "version")
    let h = try ArgumentParser.parse(["wait", "--help"])
    #expect(h.command.name == "help")
    #expect(h.arguments == ["wait"])
    #expect(try ArgumentParser.parse(["-h"]).command.name == "help")
  }
}

@Suite struct SettingsTests {
  private func settings(_ args: [String], env: [String: String] = [:], files: [String: String] = [:])
    throws(JobctlError) -> Settings
  {
    let invocation = try ArgumentParser.parse(["wait", "j"] + args)
    return try Settings.resolve(invocation, environment: env, services: fakeServices(files: files))
  }

  @Test func flagsBeatTheEnvironment() throws {
    let s = try settings(
      ["--base-url", "http://flag"], env: ["JOBCTL_BASE_URL": "http://env", "JOBCTL_DIALECT": "hotcrp"])
    #expect(s.baseURL?.host == "flag")
    #expect(s.dialect?.name == "hotcrp")
    #expect(s.jobsPath == "/job?job={id}")
    let t = try settings([], env: ["JOBCTL_BASE_URL": "http://env"])
    #expect(t.baseURL?.host == "env")
    #expect(t.dialect == nil)
    #expect(t.jobsPath == "/jobs/{id}")
  }

  @Test func tokenComesFromAFileOrTheEnvironmentAndIsSentAsBearer() throws {
    let s = try settings(["--token-file", "/t"], env: ["JOBCTL_TOKEN": "envtoken"], files: ["/t": "filetoken\n"])
    #expect(s.token == "filetoken")
    #expect(s.requestHeaders.contains(HTTPHeader("Authorization", "Bearer filetoken")))
    #expect(try settings([], env: ["JOBCTL_TOKEN": "envtoken"]).token == "envtoken")
    #expect(s.secrets.contains("filetoken"))
  }

  @Test(
    arguments: [
      (["--base-url", "ftp://x"], .badBaseURL(origin: "--base-url", shown: "ftp://x")),
      (["--header", "X-A: 1\r\nInjected: yes"], .headerLineBreak),
      (["--header", "NoColon"], .headerWithoutColon(origin: "-H")),
      (["--header", "Bad Name: v"], .badHeaderName("Bad Name")),
      (["--interval", "-1s"], .notADuration(origin: "--interval", value: "-1s")),
      (["--interval", "0"], .notPositive(origin: "--interval")),
      (["--timeout", "2 s"], .notADuration(origin: "--timeout", value: "2 s")),
      (["--max-errors", "0"], .notAWholeNumber(origin: "--max-errors", lowest: 1, value: "0")),
      (["--max-attempts", "x"], .notAWholeNumber(origin: "--max-attempts", lowest: 1, value: "x")),
      (
        ["--jobs-path", "/jobs/"],
        .badShapeKey(
          origin: "--jobs-path", key: "jobs-path", shape: "command-line",
          problem: "'/jobs/' must contain {id} or {+id}, as in /jobs/{id}")
      ),
      (
        ["--token-file", "/missing"],
        .cannotRead("the token file", path: "/missing", reason: "No such file or directory")
      ),
      (
        ["--cacert", "/missing"],
        .cannotRead("the CA file", path: "/missing", origin: "--cacert", reason: "No such file or directory")
      ),
      (["--field", "a..b"], .notAFieldPath(origin: "--field", value: "a..b")),
    ] as [([String], JobctlError.Cause)])
  func badInputIsAUsageError(_ args: [String], _ cause: JobctlError.Cause) {
    #expect(throws: JobctlError.usage(cause)) { try settings(args) }
  }

  @Test func aTokenFileWithWindowsLineEndingsIsTrimmed() throws {
    #expect(try settings(["--token-file", "/t"], files: ["/t": "abc123\r\n"]).token == "abc123")
  }

  @Test func anEmptyTokenIsRefused() {
    #expect(throws: JobctlError.self) { try settings(["--token-file", "/t"], files: ["/t": "\n"]) }
  }
}

@Suite struct JobReferenceTests {
  private func resolve(_ ref: String, base: String? = "http://api.test/v1/", path: String? = nil) throws(JobctlError)
    -> JobReference
  {
    var args = ["wait", ref]
    if let base { args += ["--base-url", base] }
    if let path { args += ["--jobs-path", path] }
    let s = try Settings.resolve(try ArgumentParser.parse(args), environment: [:], services: fakeServices())
    return try JobReference.resolve(ref, settings: s)
  }

  @Test(arguments: [
    ("abc123", "http://api.test/v1/jobs/abc123"),
    ("a/b", "http://api.test/v1/jobs/a%2Fb"),
    ("a?x=1#f", "http://api.test/v1/jobs/a%3Fx%3D1%23f"),
    ("100%", "http://api.test/v1/jobs/100%25"),
    ("with space", "http://api.test/v1/jobs/with%20space"),
    (".", "http://api.test/v1/jobs/%2E"),
    ("..", "http://api.test/v1/jobs/%2E%2E"),
    ("a.b", "http://api.test/v1/jobs/a.b"),
    ("é", "http://api.test/v1/jobs/%C3%A9"),
    ("x\ny", "http://api.test/v1/jobs/x%0Ay"),
  ])
  func idsAreEncodedAsOneSegment(_ id: String, _ url: String) throws {
    #expect(try resolve(id).url == url)
  }

  @Test func idsGoIntoQueryTemplatesToo() throws {
    #expect(
      try resolve("hcj_1&x=2", base: "https://h.test/api", path: "/job?job={id}").url
        == "https://h.test/api/job?job=hcj_1%26x%3D2")
  }

  @Test func urlsAndPaths() throws {
    let u = try resolve("https://other.test:8443/jobs/9")
    #expect(u.url == "https://other.test:8443/jobs/9")
    #expect(u.credentialHost == "api.test:80")
    let noBase = try resolve("https://other.test/jobs/9", base: nil)
    #expect(noBase.credentialHost == "other.test:443")
    #expect(try resolve("/organizations/o/members/job/7").url == "http://api.test/v1/organizations/o/members/job/7")
  }

  /// A `/path` is read under the base URL, as the PATH of `start` and `list` is (README
  /// "Addressing a job"): prefix kept, the base's query added unless the path sets it.
  @Test(arguments: [
    ("/things/t", "https://h.test/azure?api-version=1", "https://h.test/azure/things/t?api-version=1"),
    ("/things/t?api-version=2", "https://h.test/azure?api-version=1", "https://h.test/azure/things/t?api-version=2"),
    ("/api/job?job=7", "https://h.test/conf/", "https://h.test/conf/api/job?job=7"),
    ("/jobs/7", "https://h.test", "https://h.test/jobs/7"),
    // A path that already starts with the prefix (a relative `locationUrl`) gets it once.
    ("/azure/things/t", "https://h.test/azure?api-version=1", "https://h.test/azure/things/t?api-version=1"),
    ("/conf/api/job?job=7", "https://h.test/conf/", "https://h.test/conf/api/job?job=7"),
    ("/conf", "https://h.test/conf/", "https://h.test/conf"),
    // Only a whole segment counts: `/conference` is not under `/conf`.
    ("/conference/j", "https://h.test/conf", "https://h.test/conf/conference/j"),
  ])
  func pathsAreReadUnderTheBaseURL(_ path: String, _ base: String, _ url: String) throws {
    let reference = try resolve(path, base: base)
    #expect(reference.url == url)
    #expect(reference.label == path)
    #expect(reference.url == (try StartCommand.startURL(path, settings: settings(base))).url)
  }

  @Test func aPathThatWouldNameAHostIsRefused() throws {
    #expect(throws: JobctlError.usage(.unusablePath("//other.test/jobs/7"))) { try resolve("//other.test/jobs/7") }
    #expect(throws: JobctlError.self) {
      try StartCommand.startURL("//other.test/jobs", settings: settings("http://h/"))
    }
  }

  @Test func jobReferencesOnStdinAreChecked() {
    #expect(runJobctl(["wait", "-"], stdin: "").errors == [.usage(.noReferences)])
    #expect(runJobctl(["wait", "-", "-"], stdin: "a\n").errors == [.usage(.stdinTwice)])
    #expect(runJobctl(["wait", "a", "b", "--all", "--any"]).errors == [.usage(.exclusive("--all", "--any"))])
    #expect(runJobctl(["wait", "a", "b", "-o", "f"]).errors == [.usage(.outputOfManyJobs)])
  }

  @Test func aReferenceWithoutABaseURLOrThatIsEmptyIsRefused() {
    #expect(throws: JobctlError.usage(.noBaseURL(job: "j1"))) { try resolve("j1", base: nil) }
    #expect(throws: JobctlError.usage(.emptyReference)) { try resolve("") }
    #expect(throws: JobctlError.usage(.unusableURL(shown: "http://h/a b"))) { try resolve("http://h/a b") }
  }

  private func settings(_ base: String) throws -> Settings {
    try Settings.resolve(
      try ArgumentParser.parse(["wait", "x", "--base-url", base]), environment: [:], services: fakeServices())
  }

  @Test func anIdWithoutABaseURLIsAUsageError() {
    #expect(throws: JobctlError.self) { try resolve("abc", base: nil) }
    #expect(throws: JobctlError.self) { try resolve("http://bad host/x") }
    #expect(throws: JobctlError.self) { try resolve("") }
  }
}

@Suite struct RedactionTests {
  @Test(arguments: ["Authorization", "authorization", "Cookie", "X-Api-Token", "X-API-KEY", "Proxy-Authorization"])
  func credentialHeaders(_ name: String) {
    #expect(Credentials.isCredentialHeader(name))
    #expect(Credentials.redactHeaderLine("\(name): s3cret") == "\(name): [redacted]")
  }

  @Test(arguments: [
    ("http://u:p@h/x", "http://[redacted]@h/x"),
    ("see 'https://a%40b:c@d@h:1/p?q=x@y' and http://h/x@y", "see 'https://[redacted]@h:1/p?q=x@y' and http://h/x@y"),
    (#"{"url":"http://user:pass@h"}"#, #"{"url":"http://[redacted]@h"}"#),
    ("socks5://u:p@[::1]:1080", "socks5://[redacted]@[::1]:1080"),
    ("no url here, a@b", "no url here, a@b"), ("http://@h/", "http://@h/"), ("http://h/", "http://h/"),
  ])
  func urlUserinfoIsHiddenByItsPlace(_ text: String, _ shown: String) {
    #expect(Credentials.hidingUserinfo(text) == shown)
  }

  @Test func urlUserinfoIsKnownInEveryForm() throws {
    #expect(URLParts("http://us%65r:p%40ss@h:8/x")?.userinfo == "us%65r:p%40ss")
    #expect(URLParts("http://h:8/x")?.userinfo == nil)
    #expect(URLParts("http://us%65r:p%40ss@h:8/x")?.hostKey == "h:8")
    let secrets = Credentials.userinfoSecrets("us%65r:p%40ss")
    for value in ["us%65r:p%40ss", "user:p@ss", "dXNlcjpwQHNz", "Basic dXNlcjpwQHNz", "p@ss", "p%40ss", "user"] {
      #expect(secrets.contains(value), "\(value)")
    }
    #expect(Credentials.proxySecrets("puser:ppass@proxy:3128").contains("cHVzZXI6cHBhc3M="))
    #expect(Credentials.proxySecrets("http://proxy:3128").isEmpty)
    #expect(Credentials.basicCredentials("bob") == "Basic Ym9iOg==")
    #expect(
      [Base64.encode([]), Base64.encode(Array("f".utf8)), Base64.encode(Array("fo".utf8))] == ["", "Zg==", "Zm8="])
    #expect(
      Credentials.hidingTracedCredentials("Proxy auth using Basic with user 'puser'")
        == "Proxy auth using Basic with user '[redacted]'")
    #expect(
      Credentials.hidingTracedCredentials("Uses proxy env variable http_proxy == 'pu:pp@127.0.0.1:3128'")
        == "Uses proxy env variable http_proxy == '[redacted]@127.0.0.1:3128'")
    #expect(
      Credentials.hidingTracedCredentials("Uses proxy env variable NO_PROXY == '127.0.0.1'")
        == "Uses proxy env variable NO_PROXY == '127.0.0.1'")
  }

  @Test func ordinaryHeadersAreShown() {
    #expect(!Credentials.isCredentialHeader("Accept"))
    #expect(!Credentials.isCredentialHeader("X-Keyboard"))
    #expect(!Credentials.isCredentialHeader("Idempotency-Key"))
    #expect(!Credentials.isCredentialHeader("idempotency-key "))
    #expect(Credentials.redactHeaderLine("Accept: application/json") == "Accept: application/json")
  }

  @Test func diagnosticsScrubEveryKnownSecret() {
    let sink = BufferSink()
    let d = Diagnostics(sink: sink)
    d.addSecret("tok-123456")
    d.error("server said tok-123456 twice: tok-123456")
    #expect(sink.text == "jobctl: error: server said [redacted] twice: [redacted]\n")
  }
}

@Suite struct InProcessRunTests {
  private let done = answer(
    200, #"{"jobId":"j1","type":"org_members","status":"completed","result":{"address":"0xab","added":3}}"#)

  @Test func textOutputShowsStateAndResult() {
    let r = runJobctl(["wait", "j1", "--progress", "none"], script: [done])
    #expect(r.code == 0)
    #expect(r.stdout == "job: j1\nstate: completed\ntype: org_members\nresult.address: 0xab\nresult.added: 3\n")
    #expect(r.stderr == "")
  }

  @Test func jsonOutputIsTheLastAnswerVerbatim() {
    let body = #"{"jobId":"j1",   "status":"failed","error":"boom"}"#
    let r = runJobctl(["wait", "j1", "--json", "-q"], script: [answer(200, body)])
    #expect(r.code == 1)
    #expect(r.stdout == body + "\n")
    #expect(r.errors == [.jobFailed(.failed(job: "j1", detail: "boom"))])
    #expect(r.stderr.split(separator: "\n").count == 1, "one line, the error: \(r.stderr)")
  }

  @Test func jsonOfManyJobsIsOneArrayWrittenInPiecesByteForByte() {
    // 300 documents of about 400 bytes: past the 64 KiB piece, so the array spans writes. One
    // body for all, since the fake answers the requests in the order they go out, not by job.
    let body = #"{"jobId":"j","status":"completed","pad":""# + String(repeating: "x", count: 360) + #""}"#
    let bodies = Array(repeating: body, count: 300)
    let refs = (0..<300).map { "j\($0)" }.joined(separator: "\n")
    let r = runJobctl(
      ["wait", "-", "--json", "-q"], script: bodies.map { answer(200, $0) }, stdin: refs)
    #expect(r.code == 0)
    #expect(r.stdout == "[" + bodies.joined(separator: ",") + "]\n")
  }

  @Test func fieldPrintsStringsRawAndOtherValuesAsJSON() {
    #expect(runJobctl(["wait", "j1", "--field", "result.address"], script: [done]).stdout == "0xab\n")
    #expect(
      runJobctl(["wait", "j1", "--field", "result"], script: [done]).stdout == #"{"address":"0xab","added":3}"# + "\n")
    let missing = runJobctl(["wait", "j1", "--field", "result.nope", "--progress", "none"], script: [done])
    #expect(missing.code == 6)
    #expect(missing.stdout == "")
    #expect(
      missing.stderr
        == "jobctl: error: the final document of job j1 has no field 'result.nope'; result has: address, added\n")
  }

  @Test func plainProgressLinesGoToStderr() {
    let r = runJobctl(
      ["wait", "j1"],
      script: [answer(200, #"{"status":"running","stage":"processing","progress":0.45}"#), answer(500, "{}"), done])
    #expect(r.code == 0)
    let lines = r.stderr.split(separator: "\n")
    #expect(lines.count == 3)
    #expect(lines[0].hasSuffix("j1: running, stage processing, 45%"))
    #expect(lines[0].hasPrefix("[2026-11-22T"))
    #expect(lines[1].contains("HTTP 500 Internal Server Error; retrying in"))
    #expect(lines[2].hasSuffix("j1: completed"))
    #expect(!r.stderr.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }))
  }

  @Test func statusExitsNineForARunningJob() {
    let r = runJobctl(["status", "j1"], script: [answer(200, #"{"status":"pending"}"#)])
    #expect(r.code == 9)
    #expect(r.stdout == "job: j1\nstate: pending\n")
    #expect(r.stderr == "")
  }

  @Test func warningsOfACompletedJobGoToStderr() {
    let r = runJobctl(
      ["wait", "j1", "--progress", "none"], script: [answer(200, #"{"status":"completed","errors":["row 3: bad"]}"#)])
    #expect(r.code == 0)
    #expect(r.stderr == "jobctl: warning: job j1: row 3: bad\n")
  }

  @Test func theTokenAndCredentialHeadersAreSentButNeverShown() {
    let r = runJobctl(
      ["wait", "j1", "-H", "X-Api-Key: key-999999", "--token-file", "/tok"],
      script: [answer(401, #"{"error":"bad token tok-777777 key-999999"}"#)],
      files: ["/tok": "tok-777777\n"])
    #expect(r.code == 4)
    let sent = r.transport.requests[0].headers
    #expect(sent.contains(HTTPHeader("Authorization", "Bearer tok-777777")))
    #expect(sent.contains(HTTPHeader("X-Api-Key", "key-999999")))
    #expect(!r.stderr.contains("tok-777777"))
    #expect(!r.stderr.contains("key-999999"))
    #expect(r.stderr.contains("[redacted]"))
  }

  @Test func serverKeysCannotForgeOutputLines() {
    let r = runJobctl(
      ["wait", "j1", "--progress", "none"],
      script: [answer(200, #"{"status":"completed","result":{"ok\nstate: failed\u001b[31m":1}}"#)])
    #expect(r.stdout == #"job: j1\#nstate: completed\#nresult.ok\nstate: failed\x1b[31m: 1\#n"#)
  }

  @Test func aMalformedHeaderIsNotEchoed() {
    let r = runJobctl(["wait", "j1", "-H", "Authorization Bearer supersecret123"])
    #expect(r.code == 2)
    #expect(!r.stderr.contains("supersecret123"))
  }

  @Test func anExplicitAuthorizationHeaderReplacesTheToken() {
    let r = runJobctl(
      ["wait", "j1", "-H", "Authorization: Basic abcd1234"],
      env: ["JOBCTL_BASE_URL": "http://api.test", "JOBCTL_TOKEN": "t-9999"],
      script: [answer(200, #"{"status":"completed"}"#)])
    #expect(
      r.transport.requests[0].headers.filter { $0.name == "Authorization" } == [
        HTTPHeader("Authorization", "Basic abcd1234")
      ])
  }

  @Test func usageErrorsSendNothing() {
    let r = runJobctl(["wait", "j1", "-H", "X: a\nb"])
    #expect(r.code == 2)
    #expect(r.transport.requests.isEmpty)
    #expect(r.errors == [.usage(.headerLineBreak)])
  }

  @Test func helpAndVersionPrintOnStdout() {
    #expect(runJobctl(["--version"]).stdout.hasPrefix("jobctl \(Version.current)\ncommit: "))
    let h = runJobctl(["help", "exit-codes"])
    #expect(h.code == 0)
    for (code, _) in exitCodeTable { #expect(h.stdout.contains("  \(code) ")) }
    let w = runJobctl(["wait", "--help"])
    for option in CommandTable.command("wait")!.options { #expect(w.stdout.contains("--\(option.long)")) }
  }
}
