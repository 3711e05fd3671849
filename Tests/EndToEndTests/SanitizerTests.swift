import Foundation
import LoopbackHTTP
import Testing

/// The transport's C memory paths, walked end to end so that `make test-asan` (AddressSanitizer and
/// LeakSanitizer in every jobctl it spawns) has them to look at: an easy handle reused with another
/// body and header list, and a redirected POST whose body libcurl copies again.
@Suite struct SanitizerTests {
  /// Under `make test-asan` the end-to-end tests must run the ASan-built jobctl: a plain one
  /// beside an ASan test bundle would pass every test and check nothing.
  @Test(.enabled(if: Sanitizers.environment["ASAN_OPTIONS"] != nil))
  func theEndToEndTestsRunTheSanitizedBinary() throws {
    #expect(Binaries.folder.contains("/.build-asan/"))
    let r = try jobctl(["version"], env: ["ASAN_OPTIONS": "help=1"])
    #expect(r.stderr.contains("Available flags for AddressSanitizer"))
  }

  @Test func aRedirectedPostSendsItsWholeBodyAgainThenPollsWithoutOne() throws {
    let server = try LoopbackServer()
    // NUL bytes and more than one read's worth: a copy sized by strlen, or a pointer to a Swift
    // array that is gone, would send something else.
    let body = "{\"pad\":\"" + String(repeating: "x", count: 70_000) + "\",\"nul\":\"\\u0000\"}"
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-body-\(UUID().uuidString)")
    var bytes = Array(body.utf8)
    bytes.insert(0, at: 10)
    try Data(bytes).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    server.script("POST", "/reports", [Reply(status: 307, headers: [("Location", "/v2/reports")])])
    server.script(
      "POST", "/v2/reports",
      [.json(202, #"{"jobId":"stg_9","kind":"report","status":"pending","locationUrl":"/jobs/stg_9"}"#)])
    server.script(
      "/jobs/stg_9",
      [
        .doc(#"{"jobId":"stg_9","kind":"report","status":"running","stage":"a"}"#),
        .doc(#"{"jobId":"stg_9","kind":"report","status":"completed","stage":"done"}"#),
      ])
    let r = try jobctl(
      [
        "start", "/reports", "--data", "@" + file.path, "--wait", "--base-url", server.baseURL, "-H",
        "X-First: 1", "--progress", "none",
      ] + fast)
    #expect(r.code == 0)
    let log = server.requests
    try #require(log.count == 4)
    #expect(
      log.map { "\($0.method) \($0.target)" } == [
        "POST /reports", "POST /v2/reports", "GET /jobs/stg_9", "GET /jobs/stg_9",
      ])
    #expect(log[0].body == bytes)
    #expect(log[1].body == bytes)
    #expect(log[1].header("X-First") == "1")
    #expect(log[2].body.isEmpty && log[3].body.isEmpty)
    #expect(log[2].header("Content-Length") == nil)
  }
}
