import Foundation
import LoopbackHTTP
import Testing

/// Bad input from the user (README "Addressing a job", "Secrets" and "Exit codes"): each row is a
/// clear usage error (exit 2) before anything is sent.
struct BadInputRow: CustomTestStringConvertible, Sendable {
  let arguments: [String]
  /// Text the one-line error must contain.
  let message: String
  var environment: [String: String] = [:]

  var testDescription: String { arguments.joined(separator: " ").debugDescription }
}

private let badInputs: [BadInputRow] = [
  // Durations.
  BadInputRow(arguments: ["wait", "j1", "--interval", "-1s"], message: "--interval"),
  BadInputRow(arguments: ["wait", "j1", "--timeout", "1e999"], message: "--timeout"),
  BadInputRow(arguments: ["wait", "j1", "--interval", "2 s"], message: "--interval"),
  BadInputRow(arguments: ["wait", "j1", "--interval", ""], message: "--interval"),
  BadInputRow(arguments: ["wait", "j1", "--interval", "nan"], message: "--interval"),
  BadInputRow(arguments: ["wait", "j1", "--interval", "inf"], message: "--interval"),
  BadInputRow(arguments: ["wait", "j1", "--interval", "0"], message: "--interval must be more than zero"),
  BadInputRow(arguments: ["wait", "j1", "--timeout", "10x"], message: "--timeout"),
  BadInputRow(arguments: ["wait", "j1", "--request-timeout", "1.5.5s"], message: "--request-timeout"),
  BadInputRow(arguments: ["wait", "j1"], message: "JOBCTL_DIALECT", environment: ["JOBCTL_DIALECT": "soap"]),
  BadInputRow(arguments: ["wait", "j1"], message: "JOBCTL_BASE_URL", environment: ["JOBCTL_BASE_URL": "gopher://x"]),
  // Numbers.
  BadInputRow(arguments: ["wait", "j1", "--max-errors", "-3"], message: "--max-errors"),
  BadInputRow(arguments: ["wait", "j1", "--max-attempts", "99999999999999999999999"], message: "--max-attempts"),
  // Headers that could split or forge a request.
  BadInputRow(arguments: ["wait", "j1", "-H", "X-Evil: a\r\nInjected: 1"], message: "CR or LF"),
  BadInputRow(arguments: ["wait", "j1", "-H", "X-Evil: a\nInjected: 1"], message: "CR or LF"),
  BadInputRow(arguments: ["wait", "j1", "-H", "X-Evil: a\r"], message: "CR or LF"),
  BadInputRow(arguments: ["wait", "j1", "-H", "Authorization Bearer s3cret"], message: "'Name: value'"),
  BadInputRow(arguments: ["wait", "j1", "-H", "Bad Name: v"], message: "header name"),
  BadInputRow(arguments: ["wait", "j1", "-H", ": no name"], message: "header name"),
  // URLs.
  BadInputRow(arguments: ["wait", "j1", "--base-url", "ftp://127.0.0.1/"], message: "--base-url"),
  BadInputRow(arguments: ["wait", "j1", "--base-url", "http://"], message: "--base-url"),
  BadInputRow(arguments: ["wait", "j1", "--base-url", "not a url"], message: "--base-url"),
  BadInputRow(arguments: ["wait", "j1", "--base-url", "http://127.0.0.1:99999/"], message: "--base-url"),
  BadInputRow(arguments: ["wait", "j1", "--base-url", "http://127.0.0.1/a b"], message: "--base-url"),
  BadInputRow(arguments: ["wait", "http://[::1/jobs/1"], message: "http://[::1/jobs/1"),
  BadInputRow(arguments: ["wait", "https://"], message: "https://"),
  // Ids that are no id.
  BadInputRow(arguments: ["wait", ""], message: "empty"),
  BadInputRow(arguments: ["status"], message: "JOB"),
  // Everything else.
  BadInputRow(arguments: ["wait", "j1", "--dialect", "soap"], message: "--dialect"),
  BadInputRow(arguments: ["wait", "j1", "--nope"], message: "--nope"),
  BadInputRow(arguments: ["frobnicate"], message: "frobnicate"),
  BadInputRow(arguments: ["wait", "j1", "--token-file", "/nonexistent/token"], message: "cannot read the token file"),
]

@Suite struct BadInputTests {
  @Test(arguments: badInputs)
  func isAUsageErrorAndSendsNothing(_ row: BadInputRow) throws {
    let server = try LoopbackServer()
    server.setHandler { _ in .json(200, #"{"jobId":"j1","status":"completed"}"#) }
    var arguments = row.arguments
    if !arguments.contains("--base-url") && row.environment["JOBCTL_BASE_URL"] == nil {
      arguments += ["--base-url", server.baseURL]
    }
    let r = try jobctl(arguments, env: row.environment)
    #expect(r.code == 2, "stderr: \(r.stderr)")
    #expect(r.stdout == "")
    #expect(r.stderr.hasPrefix("jobctl: error: "), "stderr: \(r.stderr)")
    #expect(r.stderr.contains(row.message), "stderr: \(r.stderr)")
    // One line, no control characters: CR, LF and ESC from the input are never echoed raw.
    #expect(r.stderr.hasSuffix("\n"))
    #expect(!r.stderr.dropLast().unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    #expect(!r.stderr.contains("s3cret"))
    #expect(server.requests.isEmpty)
  }

  /// A token file is used whatever its mode (secret mounts are 0444 or 0644); `--verbose` notes
  /// one that others can read, and an unreadable one is refused before anything is sent.
  @Test func aTokenFileIsUsedWhateverItsMode() throws {
    let server = try LoopbackServer()
    server.setHandler { _ in .json(200, #"{"jobId":"j1","status":"completed"}"#) }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-token-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(FileManager.default.createFile(atPath: path, contents: Data("s3cret-token\n".utf8)))
    let note = "* the token file \(path) can be read by others"
    var sent = 0
    for (mode, code) in [(0o644, Int32(0)), (0o444, Int32(0)), (0o640, Int32(0)), (0o600, Int32(0)), (0o000, Int32(2))]
    {
      #expect(chmod(path, mode_t(mode)) == 0)
      let base = ["wait", "j1", "--base-url", server.baseURL, "--token-file", path, "--progress", "none"]
      let r = try jobctl(base)
      // Root reads any file, so an unreadable file only fails for other users.
      if mode == 0o000 && getuid() == 0 {
        sent += 1
        continue
      }
      #expect(r.code == code, "mode \(String(mode, radix: 8)): \(r.stderr)")
      #expect(!r.stderr.contains("s3cret-token"))
      if mode == 0o000 {
        #expect(r.stderr.contains("cannot read the token file"))
        continue
      }
      sent += 1
      #expect(r.stderr == "", "mode \(String(mode, radix: 8)): \(r.stderr)")
      let verbose = try jobctl(base + ["--verbose"])
      sent += 1
      #expect(verbose.code == 0)
      #expect(
        verbose.stderr.contains(note + " (mode \(String(mode, radix: 8)))") == (mode != 0o600), "\(verbose.stderr)")
      #expect(!verbose.stderr.contains("s3cret-token"))
    }
    #expect(server.requests.count == sent)
    #expect(server.requests.allSatisfy { $0.header("Authorization") == "Bearer s3cret-token" })
  }

  /// Ids are data, never syntax: whatever they hold is percent-encoded into one path segment.
  @Test(arguments: [
    (".", "/jobs/%2E"), ("..", "/jobs/%2E%2E"), ("a/b", "/jobs/a%2Fb"), ("a?b=1", "/jobs/a%3Fb%3D1"),
    ("a#b", "/jobs/a%23b"), ("50%", "/jobs/50%25"), ("two words", "/jobs/two%20words"),
    ("ünï", "/jobs/%C3%BCn%C3%AF"), ("../../admin", "/jobs/..%2F..%2Fadmin"),
    (String(repeating: "x", count: 5000), "/jobs/" + String(repeating: "x", count: 5000)),
  ])
  func idsAreEncodedIntoOneSegment(_ id: String, _ target: String) throws {
    let server = try LoopbackServer()
    server.setHandler { _ in .json(200, #"{"jobId":"j1","status":"completed"}"#) }
    let r = try jobctl(["wait", id, "--base-url", server.baseURL + "/", "--progress", "none"])
    #expect(r.code == 0, "stderr: \(r.stderr)")
    #expect(server.requests.map(\.target) == [target])
  }

  @Test func aHotCRPIdGoesIntoTheQueryEncoded() throws {
    let server = try LoopbackServer()
    server.setHandler { _ in .json(200, #"{"ok":true,"status":"done"}"#) }
    let r = try jobctl(["wait", "a&b=c d", "--base-url", server.baseURL + "/api", "--dialect", "hotcrp"])
    #expect(r.code == 0, "stderr: \(r.stderr)")
    #expect(server.requests.map(\.target) == ["/api/job?job=a%26b%3Dc%20d"])
  }
}
