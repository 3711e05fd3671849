import Foundation
import LoopbackHTTP
import Testing

/// One row of the fault matrix (README "Addressing a job", "Secrets" and "How `wait` behaves").
///
/// Each row is a server that misbehaves in one way, scripted for `GET /jobs/j1`, and what
/// `jobctl wait j1` must make of it. Every broken answer that carries a body carries a real,
/// completed job document, so only the fault can fail a row.
struct FaultRow: CustomTestStringConvertible, Sendable {
  let name: String
  let replies: [Reply]
  var arguments: [String] = []
  let code: Int32
  /// Text stderr must contain.
  let message: String
  /// Requests the server must have seen (nil: not checked).
  var requests: Int?

  var testDescription: String { name }
}

private let pending = #"{"jobId":"j1","status":"pending"}"#
private let done = #"{"jobId":"j1","status":"completed","result":{"address":"0xab"}}"#
private let broken = Array(done.utf8)

private func after(_ status: Int, _ retryAfter: String) -> Reply {
  .json(status, #"{"error":"busy"}"#, headers: [("Retry-After", retryAfter)])
}

private let rows: [FaultRow] = [
  // Connections that break.
  FaultRow(
    name: "reset before the status line", replies: [Reply(body: broken, fault: .resetBeforeStatus), .doc(done)],
    code: 0, message: "retrying in", requests: 2),
  FaultRow(
    name: "reset inside the headers", replies: [Reply(body: broken, fault: .resetInHeaders), .doc(done)], code: 0,
    message: "retrying in", requests: 2),
  FaultRow(
    name: "reset inside the body", replies: [Reply(body: broken, fault: .resetInBody), .doc(done)], code: 0,
    message: "retrying in", requests: 2),
  FaultRow(
    name: "a body shorter than its Content-Length", replies: [Reply(body: broken, fault: .shortBody), .doc(done)],
    code: 0, message: "retrying in", requests: 2),
  FaultRow(
    name: "headers that never finish, once", replies: [Reply(body: broken, fault: .stallInHeaders), .doc(done)],
    arguments: ["--request-timeout", "300ms"], code: 0, message: "timed out", requests: 2),
  FaultRow(
    name: "headers that never finish, ever", replies: [Reply(body: broken, fault: .stallInHeaders)],
    arguments: ["--request-timeout", "200ms", "--max-errors", "2"], code: 7, message: "timed out", requests: 2),
  FaultRow(
    name: "no answer at all", replies: [Reply(body: broken, fault: .hang)],
    arguments: ["--request-timeout", "200ms", "--max-errors", "2"], code: 7, message: "timed out", requests: 2),
  // Storms.
  FaultRow(
    name: "a 5xx storm that passes",
    replies: [
      .json(500, "{}"), .json(502, "<html>"), .json(503, "{}"), .json(504, "{}"), .json(500, "{}"), .doc(done),
    ],
    code: 0, message: "HTTP 504", requests: 6),
  FaultRow(
    name: "a 5xx storm that does not pass", replies: [.json(500, #"{"error":"database down"}"#)],
    arguments: ["--max-errors", "3"], code: 7, message: "HTTP 500 Internal Server Error: database down", requests: 3),
  FaultRow(
    name: "a 429 storm is never counted as failures",
    replies: Array(repeating: after(429, "0"), count: 6) + [.doc(done)], arguments: ["--max-errors", "2"], code: 0,
    message: "rate limited", requests: 7),
  FaultRow(
    name: "a 429 storm that outlasts --timeout", replies: [after(429, "0")], arguments: ["--timeout", "500ms"],
    code: 124, message: "timed out", requests: nil),
  // Retry-After values that make no sense.
  FaultRow(
    name: "Retry-After negative", replies: [after(503, "-5"), .doc(done)], code: 0, message: "retrying in",
    requests: 2),
  FaultRow(
    name: "Retry-After garbage", replies: [after(503, "soon"), .doc(done)], code: 0, message: "retrying in",
    requests: 2),
  FaultRow(
    name: "Retry-After in the past", replies: [after(429, "Sun, 06 Nov 1994 08:49:37 GMT"), .doc(done)], code: 0,
    message: "rate limited", requests: 2),
  FaultRow(
    name: "Retry-After absurdly large, with --timeout", replies: [after(429, "99999999999999999999999"), .doc(done)],
    arguments: ["--timeout", "1h"], code: 124,
    message: "timed out: the server asks to wait 1h, the most jobctl honours (Retry-After) but only",
    requests: 1),
  // Answers that are not job documents.
  FaultRow(
    name: "an answer over the size cap", replies: [.json(200, bigDocument(64 << 20))],
    arguments: ["--max-errors", "1"], code: 6, message: "larger than 16 MiB", requests: 1),
  FaultRow(
    name: "deeply nested JSON",
    replies: [
      .json(
        200,
        #"{"jobId":"j1","status":"completed","result":"# + String(repeating: "[", count: 100_000)
          + String(repeating: "]", count: 100_000) + "}")
    ],
    arguments: ["--max-errors", "1"], code: 6, message: "not JSON: nested deeper than 256 levels", requests: 1),
  FaultRow(
    name: "invalid UTF-8",
    replies: [
      Reply(status: 200, body: Array(#"{"jobId":"j1","status":"compl"#.utf8) + [0xFF] + Array(#"eted"}"#.utf8))
    ],
    arguments: ["--max-errors", "1"], code: 6, message: "not JSON: invalid UTF-8 in a string", requests: 1),
  FaultRow(
    name: "a JSON array, not an object", replies: [.json(200, "[1,2,3]")], arguments: ["--max-errors", "1"],
    code: 6, message: "not a job document", requests: 1),
  FaultRow(
    name: "a bare JSON string", replies: [.json(200, #""completed""#)], arguments: ["--max-errors", "1"], code: 6,
    message: "not a job document (JSON, but not an object)", requests: 1),
  FaultRow(
    // Not retried: an empty success says no more when asked again (no --max-errors needed).
    name: "an empty body", replies: [.json(200, "")], arguments: [], code: 6,
    message: "not a job document (an empty body;", requests: 1),
  FaultRow(
    name: "duplicate keys: the last one counts",
    replies: [.json(200, #"{"jobId":"j1","status":"completed","status":"pending"}"#), .doc(done)], code: 0,
    message: "j1: pending", requests: 2),
  FaultRow(
    name: "a number where the state belongs", replies: [.json(200, #"{"jobId":"j1","status":42}"#)],
    arguments: ["--max-errors", "1"], code: 6, message: "not a job document", requests: 1),
  FaultRow(
    name: "a state nobody defined", replies: [.json(200, #"{"jobId":"j1","status":"exploded"}"#)],
    arguments: ["--max-errors", "1"], code: 6, message: "no known response shape fits", requests: 1),
  // Redirects that go nowhere.
  FaultRow(
    name: "a redirect loop", replies: [Reply(status: 302, headers: [("Location", "/jobs/j1")])], code: 6,
    message: "redirect loop", requests: 1),
  FaultRow(
    name: "a redirect to a URL that is not http(s)",
    replies: [Reply(status: 302, headers: [("Location", "ftp://127.0.0.1/jobs/j1")])], code: 6,
    message: "redirect to an unusable URL", requests: 1),
]

/// A pending job document of about `size` bytes.
private func bigDocument(_ size: Int) -> String {
  #"{"jobId":"j1","status":"pending","pad":""# + String(repeating: "x", count: size) + #""}"#
}

@Suite struct FaultMatrixTests {
  @Test(arguments: rows)
  func row(_ row: FaultRow) throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", row.replies)
    let r = try jobctl(
      ["wait", "j1", "--base-url", server.baseURL, "--progress", "plain"] + fast + row.arguments, limit: 30)
    #expect(r.code == row.code, "stderr: \(r.stderr)")
    #expect(r.stderr.contains(row.message), "stderr: \(r.stderr)")
    if row.code == 0 {
      #expect(r.stdout == "job: j1\nstate: completed\nresult.address: 0xab\n")
    } else {
      #expect(r.stdout == "")
      #expect(r.stderrLines.last?.hasPrefix("jobctl: error: ") == true, "stderr: \(r.stderr)")
    }
    if let count = row.requests { #expect(server.requests.count == count) }
    // Whatever the server sent, what reaches a log is one line per message, without control bytes.
    #expect(!r.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
  }

  /// The server goes away in the middle of a wait and comes back on the same port.
  @Test func aServerThatDiesAndComesBackOnTheSamePort() throws {
    let first = try LoopbackServer()
    first.script("/jobs/j1", [.doc(pending)])
    let port = first.port
    let process = try RunningProcess(
      ["wait", "j1", "--base-url", first.baseURL, "--progress", "plain"] + fast + ["--max-errors", "100"])
    #expect(first.waitForRequests(2))
    first.stop()
    // jobctl has noticed: the connection is gone and nothing listens.
    #expect(process.waitForStderr(containing: "retrying in"))
    // The port was just freed; another test's client socket could take it in the gap, so binding
    // is retried briefly rather than trusted to work the first time.
    var bound: LoopbackServer?
    for _ in 0..<200 where bound == nil {
      bound = try? LoopbackServer(port: port)
      if bound == nil { usleep(10_000) }
    }
    let second = try #require(bound)
    second.script("/jobs/j1", [.doc(done)])
    let r = process.finish()
    #expect(r.code == 0, "stderr: \(r.stderr)")
    #expect(r.stdout == "job: j1\nstate: completed\nresult.address: 0xab\n")
    #expect(second.requests.count == 1)
    #expect(r.stderr.contains("127.0.0.1"))
  }
}
