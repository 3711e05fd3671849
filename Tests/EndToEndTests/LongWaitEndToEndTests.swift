import Foundation
import LoopbackHTTP
import Testing

/// Long waits against a real loopback server (docs/behaviour.md "Secrets" and "How `wait`
/// behaves"): staleness on the server's clock, a token file read again, `--until`, and an announced
/// request budget.
@Suite struct LongWaitEndToEndTests {
  /// A HotCRP job whose `update_at` is an hour older than the server's `Date` ends at the first
  /// poll, whatever the local clock says, naming the job and its URL.
  @Test func anHourOldUpdateTimeIsStaleAtTheFirstPoll() throws {
    let server = try LoopbackServer()
    // Date is 1795382428; the update an hour before it.
    let date = ("Date", "Sun, 22 Nov 2026 21:20:28 GMT")
    server.script(
      "/job?job=h1", [.json(202, #"{"ok":true,"status":"run","update_at":1795378828}"#, headers: [date])])
    let r = try jobctl(
      ["wait", "h1", "--base-url", server.baseURL, "--dialect", "hotcrp", "--stale-after", "10m", "--progress", "none"]
        + fast)
    #expect(r.code == 8, "\(r.stderr)")
    #expect(server.requests.count == 1, "ends at the first poll")
    #expect(r.stderr.hasPrefix("jobctl: error: the job looks stalled: job h1 is still running"), "\(r.stderr)")
    #expect(r.stderr.contains("no change for 1h"), "\(r.stderr)")
    #expect(r.stderr.contains("job h1 is at \(server.baseURL)/job?job=h1"), "\(r.stderr)")
  }

  /// A phase text that changes every poll is activity, though `update_at` stays where it was.
  @Test func aPhaseThatMovesIsNoStall() throws {
    let server = try LoopbackServer()
    let updated = Date().timeIntervalSince1970
    let polls = Counter()
    server.setHandler { _ in
      let n = polls.next()
      guard n < 40 else { return .json(#"{"ok":true,"status":"done","exit_status":0}"#) }
      return .json(202, #"{"ok":true,"status":"run","update_at":\#(updated),"progress":"step \#(n)"}"#)
    }
    let r = try jobctl(
      [
        "wait", "h1", "--base-url", server.baseURL, "--dialect", "hotcrp", "--stale-after", "1500ms", "--progress",
        "none",
      ]
        + fast)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(server.requests.count == 41)
    // Forty polls at least 45 ms apart: the update time (as old as the process at the first) was
    // older than --stale-after well before the end.
    #expect((server.requests.last?.time ?? 0) - (server.requests.first?.time ?? 0) > 1.8)
  }

  /// Before the retry after a 401 the token file is read again; the rotated token is then a
  /// secret like the first: echoed back (escaped as PHP writes `/`, and in a header), it shows
  /// nowhere, `--verbose` included.
  @Test func aRotatedTokenIsReadAgainAfterA401AndNeverShown() throws {
    let dir = try scratch()
    let file = dir.appendingPathComponent("token")
    let old = "old-token-0123456789"
    let new = "new/token-9876543210"
    try Data((old + "\n").utf8).write(to: file)
    let server = try LoopbackServer()
    server.setHandler { request in
      let auth = request.header("Authorization") ?? ""
      let escaped = auth.replacingOccurrences(of: "/", with: #"\/"#)
      let echo = [("X-Echo", auth)]
      if auth == "Bearer \(old)" {
        try? Data((new + "\n").utf8).write(to: file)
        return .json(401, #"{"error":"token expired: \#(escaped)"}"#, headers: echo)
      }
      guard auth == "Bearer \(new)" else { return .json(401, #"{"error":"bad token"}"#, headers: echo) }
      return .json(#"{"status":"completed","result":{"echo":"\#(escaped)"}}"#, headers: echo)
    }
    for mode in [["--json", "--verbose"], ["--format", "ndjson", "--verbose"], ["--field", "result.echo"]] {
      let r = try jobctl(
        ["wait", "j1", "--base-url", server.baseURL, "--token-file", file.path, "--progress", "plain"] + mode + fast)
      #expect(r.code == 0, "\(mode): \(r.stderr)")
      for secret in [old, new, #"new\/token-9876543210"#] {
        #expect(!r.stdout.contains(secret), "\(mode): stdout shows \(secret): \(r.stdout)")
        #expect(!r.stderr.contains(secret), "\(mode): stderr shows \(secret): \(r.stderr)")
      }
      #expect(r.stdout.contains("[redacted]"), "\(mode): \(r.stdout)")
      try Data((old + "\n").utf8).write(to: file)
    }
    let seen = server.requests.map { $0.header("Authorization") ?? "" }
    #expect(seen == Array(repeating: ["Bearer \(old)", "Bearer \(new)"], count: 3).flatMap { $0 })
  }

  /// A token file rewritten during a wait is used from a later poll on, without a 401.
  @Test func aTokenFileRewrittenMidWaitIsUsed() throws {
    let dir = try scratch()
    let file = dir.appendingPathComponent("token")
    let first = "first-token-0123456789"
    let second = "second-token-9876543210"
    try Data(first.utf8).write(to: file)
    let server = try LoopbackServer()
    let polls = Counter()
    server.setHandler { request in
      if polls.next() == 0 { try? Data(second.utf8).write(to: file) }
      guard request.header("Authorization") == "Bearer \(second)" else { return .json(#"{"status":"pending"}"#) }
      return .json(#"{"status":"completed","result":{"by":"\#(second)"}}"#)
    }
    let r = try jobctl(
      ["wait", "j1", "--base-url", server.baseURL, "--token-file", file.path, "--timeout", "20s", "--progress", "none"]
        + fast)
    #expect(r.code == 0, "\(r.stderr)")
    let seen = server.requests.map { $0.header("Authorization") }
    #expect(seen.first == "Bearer \(first)")
    #expect(seen.last == "Bearer \(second)")
    #expect(!seen.contains { $0 != "Bearer \(first)" && $0 != "Bearer \(second)" })
    #expect(!r.stdout.contains(second) && r.stdout.contains("result.by: [redacted]"), "\(r.stdout)")
  }

  /// A `--until` already past ends `start --wait` with 124 before anything is created.
  @Test func anUntilAlreadyPastCreatesNothing() throws {
    let server = try LoopbackServer()
    let r = try jobctl([
      "start", "/jobs", "--data", "{}", "--wait", "--base-url", server.baseURL, "--until", "@1600000000",
    ])
    #expect(r.code == 124)
    #expect(server.requests.isEmpty)
    #expect(r.stderr.contains("--until 2020-09-13T12:26:40Z has already passed"), "\(r.stderr)")
  }

  /// A near `--until` ends the wait at that time with 124, naming the job and its URL.
  @Test func aNearUntilEndsTheWait() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.json(#"{"status":"pending"}"#)])
    let until = Int(Date().timeIntervalSince1970) + 2
    let r = try jobctl(
      ["wait", "j1", "--base-url", server.baseURL, "--until", "@\(until)", "--progress", "none"] + fast)
    #expect(r.code == 124, "\(r.stderr)")
    #expect(r.stderr.hasPrefix("jobctl: error: timed out: --until "), "\(r.stderr)")
    #expect(
      r.stderr.hasSuffix("has passed; job j1 is still pending; job j1 is at \(server.baseURL)/jobs/j1\n"), "\(r.stderr)"
    )
    #expect(server.requests.count >= 2)
    #expect(Date().timeIntervalSince1970 >= Double(until) - 0.01)
  }

  /// Jobs under a budget the server announces (3 requests a 2 s window, more jobs than that)
  /// earn no 429: the wait spreads its polls over the windows, and says so on plain lines, a
  /// few for the run rather than one a poll.
  @Test func anAnnouncedBudgetEarnsNo429() throws {
    let server = try LoopbackServer()
    let budget = WindowBudget(quota: 3, window: 2)
    let polls = PathCounter()
    server.setHandler { request in
      let (left, reset, allowed) = budget.take()
      let fields = [("X-RateLimit-Remaining", "\(left)"), ("X-RateLimit-Reset", reset)]
      guard allowed else { return .json(429, "{}", headers: fields + [("Retry-After", reset)]) }
      // Each job completes at its second poll.
      let done = polls.next(request.path) >= 2
      return .json(#"{"status":"\#(done ? "completed" : "pending")"}"#, headers: fields)
    }
    let jobs = (1...4).map { "j\($0)" }
    let r = try jobctl(
      ["wait"] + jobs + [
        "--base-url", server.baseURL, "--progress", "plain", "--timeout", "30s", "--max-connections", "3",
      ] + fast)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(budget.refused == 0, "no 429 earned: \(r.stderr)")
    #expect(server.requests.count == 8)
    #expect(!r.stderr.contains("429"), "\(r.stderr)")
    let announced = r.stderrLines.filter { $0.contains("rate limited (") }
    #expect(announced.contains { $0.contains("keeping the server's request budget: ") }, "\(r.stderr)")
    #expect(announced.count <= 4, "\(r.stderr)")
  }
}

/// A fixed-window request budget, as a server keeps one: `quota` requests a `window` seconds.
final class WindowBudget: @unchecked Sendable {
  private let lock = NSLock()
  private let quota: Int
  private let window: Double
  private var start = -Double.infinity
  private var used = 0
  private(set) var refused = 0

  init(quota: Int, window: Double) {
    self.quota = quota
    self.window = window
  }

  /// Counts one request: what is left, the seconds to the reset (rounded up), and whether it
  /// was within the budget.
  func take() -> (left: Int, reset: String, allowed: Bool) {
    lock.lock()
    defer { lock.unlock() }
    let now = LoopbackServer.monotonicNow()
    if now >= start + window {
      start = now
      used = 0
    }
    used += 1
    let allowed = used <= quota
    if !allowed { refused += 1 }
    return (max(0, quota - used), String(Int((start + window - now).rounded(.up))), allowed)
  }
}
