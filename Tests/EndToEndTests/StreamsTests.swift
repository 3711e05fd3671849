import Foundation
import LoopbackHTTP
import Testing

private let running = #"{"jobId":"j1","status":"running","progress":0.5}"#
private let completed = #"{"jobId":"j1","status":"completed","result":{"address":"0xabc"}}"#

/// The standard streams of the real binary (docs/behaviour.md "Starting, cancelling, listing,
/// fetching output" and "Output", README "Exit codes"): a stdout that cannot be written, a reader
/// that goes away, descriptors closed at start, and what the server sends kept from driving the
/// terminal.
@Suite struct StreamsTests {
  @Test func aFullStdoutIsExitTenWithTheErrorOnStderr() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(completed)])
    server.script("/api/job?job=hcj_1", [.json(#"{"ok":true,"status":"done"}"#)])
    server.script("/api/job?job=hcj_1&output=body", [.text(200, "a,b\n1,2\n", contentType: "text/csv")])
    let status = try RunningProcess(["status", "j1", "--base-url", server.baseURL], redirections: ">/dev/full")
      .finish()
    #expect(status.code == 10, "stderr: \(status.stderr)")
    #expect(status.stderr.contains("jobctl: error: cannot write to stdout (No space left on device)"))
    let output = try RunningProcess(
      ["output", "hcj_1", "--base-url", server.baseURL + "/api", "--dialect", "hotcrp"], redirections: ">/dev/full"
    ).finish()
    #expect(output.code == 10, "stderr: \(output.stderr)")
    #expect(output.stderr.contains("jobctl: error: cannot write to stdout (No space left on device)"))
  }

  @Test func aStartWhoseIdCannotBeWrittenShowsItOnStderr() throws {
    let server = try LoopbackServer()
    server.script("POST", "/reports", [.json(202, #"{"jobId":"stg_7","status":"pending"}"#)])
    let full = try RunningProcess(["start", "/reports", "--base-url", server.baseURL], redirections: ">/dev/full")
      .finish()
    #expect(full.code == 10)
    #expect(
      full.stderr
        == "jobctl: error: cannot write the job id to stdout (No space left on device); the job was created: stg_7 (\(server.baseURL)/jobs/stg_7)\n"
    )
    // Closed, as cron leaves it: stdout is /dev/null by then, which must not pass for success.
    let closed = try RunningProcess(["start", "/reports", "--base-url", server.baseURL], redirections: ">&-")
      .finish()
    #expect(closed.code == 10)
    #expect(closed.stderr.contains("(it was closed when jobctl started); the job was created: stg_7"))
    #expect(server.requests.count == 2)
  }

  /// `wait --format ndjson | head -1`: the reader leaves after one line and the job never ends; the
  /// wait notices the hang-up while it sleeps, not at a next write that would never come.
  @Test func aReaderThatGoesAwayEndsTheWaitWith141() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(running)])
    let process = try RunningProcess(
      ["wait", "j1", "--base-url", server.baseURL, "--format", "ndjson", "--progress", "none", "--interval", "2s"],
      stdoutLines: 1)
    let r = process.finish(limit: 30)
    #expect(r.code == 141, "stderr: \(r.stderr)")
    #expect(r.stderr == "")
    #expect(r.stdout.hasPrefix(#"{"time":"#))
    // The job's state never changed, so nothing more was written: only the hang-up ended it.
    #expect(server.requests.count < 10)
  }

  @Test func aReaderGoneWhileSeveralJobsAreWaitedForEndsThemAll() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(running)])
    server.script("/jobs/j2", [.doc(running.replacingOccurrences(of: "j1", with: "j2"))])
    let r = try RunningProcess(
      [
        "wait", "j1", "j2", "--base-url", server.baseURL, "--format", "ndjson", "--progress", "none", "--interval",
        "2s",
      ],
      stdoutLines: 1
    ).finish(limit: 30)
    #expect(r.code == 141, "stderr: \(r.stderr)")
    #expect(r.stderr == "")
  }

  /// Started with stdout and stderr closed, jobctl puts `/dev/null` there before making its signal
  /// pipe, which would otherwise take descriptors 1 and 2, fill with progress and spin the wait.
  @Test func closedStandardStreamsAreOpenedOnDevNull() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(running)])
    let process = try RunningProcess(
      ["wait", "j1", "--base-url", server.baseURL, "--progress", "plain"] + fast, redirections: ">&- 2>&-")
    #expect(server.waitForRequests(2))
    let pid = process.process.processIdentifier
    for fd in [1, 2] {
      let target = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")
      #expect(target == "/dev/null", "fd \(fd) is \(target)")
    }
    server.script("/jobs/j1", [.doc(completed)])
    let r = process.finish(limit: 30)
    // The result went to /dev/null: a stdout closed at start is a failed write.
    #expect(r.code == 10)
  }

  @Test func whatTheServerSendsIsEscapedOnStderrAndInText() throws {
    let server = try LoopbackServer()
    server.script(
      "/jobs/j1",
      [
        .doc(
          #"{"jobId":"j1","status":"failed","error":"bad\nrow\u001b]0;pwned\u0007","result":{"note":"a\u001b[2Jb"}}"#)
      ])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--progress", "plain"])
    #expect(r.code == 1)
    #expect(r.stderr.contains(#"jobctl: error: job j1 failed: bad\nrow\x1b]0;pwned\x07"#), "stderr: \(r.stderr)")
    #expect(r.stdout.contains(#"result.note: a\x1b[2Jb"#))
    #expect(!(r.stdout + r.stderr).unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
  }

  @Test func anIdHoldingControlCharactersIsShownEscapedWithItsURL() throws {
    let server = try LoopbackServer()
    server.script("POST", "/reports", [.json(202, #"{"jobId":"j1\nrm -rf /","status":"pending"}"#)])
    let r = try jobctl(["start", "/reports", "--base-url", server.baseURL])
    #expect(r.code == 6)
    #expect(r.stdout == "")
    #expect(
      r.stderr
        == #"jobctl: error: the job id in the answer holds control characters; the job was created: j1\nrm -rf / (\#(server.baseURL)/jobs/j1%0Arm%20-rf%20%2F)"#
        + "\n")
  }

  @Test func aStartWhoseFieldIsMissingStillNamesTheJob() throws {
    let server = try LoopbackServer()
    server.script("POST", "/reports", [.json(202, #"{"jobId":"stg_9","status":"pending"}"#)])
    let r = try jobctl(["start", "/reports", "--field", "result.url", "--base-url", server.baseURL])
    #expect(r.code == 6)
    #expect(r.stdout == "")
    #expect(
      r.stderr
        == "jobctl: error: the answer to /reports has no field 'result.url'; the job was created: stg_9 (\(server.baseURL)/jobs/stg_9)\n"
    )
  }

  @Test func aFieldHoldingCRLFCannotForgeAStepOutput() throws {
    let server = try LoopbackServer()
    server.script("/jobs/k", [.doc(#"{"status":"completed","result":{"v":"a\r\nstatus=forged"}}"#)])
    let file = try scratch().appendingPathComponent("github_output").path
    let r = try jobctl(
      ["status", "k", "--field", "result.v", "--base-url", server.baseURL],
      env: ["GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": file])
    #expect(r.code == 0)
    let written = try String(contentsOfFile: file, encoding: .utf8)
    #expect(written.hasSuffix("field<<JOBCTL_EOF\na\r\nstatus=forged\nJOBCTL_EOF\n"), "GITHUB_OUTPUT: \(written)")
  }

  /// A finished HotCRP autoassign: 500 messages, half of them HTML, a few dozen informational.
  @Test func aFloodOfServerMessagesIsCutAndTheJSONKeepsThemAll() throws {
    let server = try LoopbackServer()
    var items: [String] = []
    for i in 0..<500 {
      switch i % 10 {
      case 0: items.append(#"{"status":-1,"message":"<0>Assigned reviewer \#(i)"}"#)
      case 1, 3, 5, 7, 9:
        items.append(
          #"{"status":1,"message":"<5><ul class=\"potentialconflict\"><li><em>Paper \#(i)</em> &amp; author &lt;x&gt;</li></ul>"}"#
        )
      default: items.append(#"{"status":1,"message":"<0>Plain warning \#(i)"}"#)
      }
    }
    items.append(#"{"status":2,"message":"<0>An error","field":"q"}"#)
    let doc =
      #"{"ok":true,"status":"done","exit_status":0,"update_at":1,"message_list":[\#(items.joined(separator: ","))]}"#
    server.script("/api/job?job=hcj_1", [.doc(doc)])
    let base = ["--base-url", server.baseURL + "/api", "--dialect", "hotcrp", "--progress", "none"]
    let r = try jobctl(["wait", "hcj_1"] + base, env: ["COLUMNS": "100"])
    #expect(r.code == 0)
    let lines = r.stderrLines
    #expect(lines.count == 6, "stderr: \(r.stderr)")
    #expect(lines.first == "jobctl: warning: job hcj_1: An error (q)")
    #expect(lines[1] == "jobctl: warning: job hcj_1: Paper 1 & author <x>")
    #expect(lines.last == "jobctl: warning: job hcj_1: and 446 more (see --json)")
    #expect(lines.allSatisfy { $0.count <= 100 })
    #expect(!r.stderr.contains("Assigned reviewer"))
    let json = try jobctl(["wait", "hcj_1", "--json"] + base)
    #expect(json.stdout == doc + "\n")
  }
}
