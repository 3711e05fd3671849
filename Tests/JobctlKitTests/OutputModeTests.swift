import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

@Suite struct TerminalTests {
  @Test func colourDecision() {
    #expect(Terminal.colorEnabled(.auto, isTerminal: true, environment: [:]))
    #expect(!Terminal.colorEnabled(.auto, isTerminal: false, environment: [:]))
    #expect(!Terminal.colorEnabled(.auto, isTerminal: true, environment: ["NO_COLOR": "1"]))
    #expect(Terminal.colorEnabled(.auto, isTerminal: true, environment: ["NO_COLOR": ""]))
    #expect(Terminal.colorEnabled(.auto, isTerminal: false, environment: ["CLICOLOR_FORCE": "1"]))
    #expect(!Terminal.colorEnabled(.auto, isTerminal: false, environment: ["CLICOLOR_FORCE": "0"]))
    #expect(!Terminal.colorEnabled(.auto, isTerminal: true, environment: ["NO_COLOR": "1", "CLICOLOR_FORCE": "1"]))
    #expect(!Terminal.colorEnabled(.auto, isTerminal: true, environment: ["TERM": "dumb"]))
    #expect(Terminal.colorEnabled(.always, isTerminal: false, environment: ["NO_COLOR": "1"]))
    #expect(!Terminal.colorEnabled(.never, isTerminal: true, environment: ["CLICOLOR_FORCE": "1"]))
  }

  @Test func progressModeDecision() {
    #expect(Terminal.progressMode(.auto, isTerminal: true, environment: [:]) == .tty)
    #expect(Terminal.progressMode(.auto, isTerminal: false, environment: [:]) == .plain)
    #expect(Terminal.progressMode(.auto, isTerminal: true, environment: ["TERM": "dumb"]) == .plain)
    #expect(Terminal.progressMode(.tty, isTerminal: false, environment: [:]) == .tty)
    #expect(Terminal.progressMode(.none, isTerminal: true, environment: [:]) == .none)
  }

  @Test func unicodeFollowsTheLocale() {
    #expect(Terminal.unicode(environment: ["LANG": "en_US.UTF-8"]))
    #expect(!Terminal.unicode(environment: ["LANG": "C"]))
    #expect(!Terminal.unicode(environment: ["LC_ALL": "C", "LANG": "en_US.UTF-8"]))
    #expect(!Terminal.unicode(environment: [:]))
  }
}

@Suite struct EtaTests {
  @Test func estimatesFromTheRateOfProgress() throws {
    var eta = EtaEstimator()
    eta.record(0.1, at: 0)
    #expect(eta.remaining(now: 0) == nil)
    eta.record(0.3, at: 4)
    // 0.2 in 4 s is 0.05/s; 0.7 left is 14 s.
    let left = try #require(eta.remaining(now: 4))
    #expect(abs(left - 14) < 0.001)
  }

  @Test func noEstimateWithoutMeaningfulProgress() {
    var eta = EtaEstimator()
    eta.record(0.5, at: 0)
    eta.record(0.5, at: 10)
    #expect(eta.remaining(now: 10) == nil)
    var quick = EtaEstimator()
    quick.record(0.1, at: 0)
    quick.record(0.2, at: 1)
    #expect(quick.remaining(now: 1) == nil, "under two seconds of samples")
    var done = EtaEstimator()
    done.record(0.5, at: 0)
    done.record(1, at: 5)
    #expect(done.remaining(now: 5) == nil)
  }

  @Test func aStallLowersTheRate() throws {
    var eta = EtaEstimator()
    eta.record(0.2, at: 0)
    eta.record(0.4, at: 2)
    let early = try #require(eta.remaining(now: 2))
    let later = try #require(eta.remaining(now: 10))
    #expect(later > early)
  }

  @Test func progressGoingBackwardsStartsOver() {
    var eta = EtaEstimator()
    eta.record(0.5, at: 0)
    eta.record(0.9, at: 4)
    eta.record(0.1, at: 5)
    #expect(eta.remaining(now: 6) == nil)
  }
}

@Suite struct LiveLineTests {
  private let plain = Terminal(colors: false, unicode: false)
  private let fancy = Terminal(colors: false, unicode: true)

  private func snapshot(_ p: Double?, stage: String? = "processing") -> JobSnapshot {
    var s = JobSnapshot(state: .running)
    s.progress = p
    s.stage = stage
    return s
  }

  @Test func showsEverythingWhenThereIsRoom() {
    let line = ProgressReporter.liveLine(
      job: "j1", snapshot: snapshot(0.45), notice: nil, elapsed: 62, eta: 75, frame: 0, width: 119, terminal: plain)
    #expect(line == "| j1 running - processing - #########----------- 45% - 1m2s - ETA 1m15s")
  }

  @Test(arguments: [20, 30, 40, 60, 80, 120])
  func neverExceedsTheWidth(_ columns: Int) {
    let long = snapshot(0.5, stage: String(repeating: "very long stage name ", count: 8))
    for terminal in [plain, fancy] {
      let line = ProgressReporter.liveLine(
        job: "a-rather-long-job-identifier-1234567890", snapshot: long, notice: nil, elapsed: 3725, eta: 9999, frame: 3,
        width: columns - 1, terminal: terminal)
      #expect(line.count <= columns - 1, "\(line.count) > \(columns - 1): \(line)")
      #expect(!line.unicodeScalars.contains { $0.value < 0x20 })
    }
  }

  @Test func dropsTheEtaAndBarFirst() {
    let line = ProgressReporter.liveLine(
      job: "j1", snapshot: snapshot(0.45), notice: nil, elapsed: 5, eta: 20, frame: 1, width: 45, terminal: plain)
    #expect(line == "/ j1 running - processing - 45% - 5s")
  }

  /// HotCRP's phase text ends with what matters: at 40 columns its end and the elapsed time stay.
  @Test func aNarrowLineKeepsTheEndOfThePhaseAndTheElapsedTime() {
    var s = JobSnapshot(state: .running)
    s.phase = "Optimizing assignment for preferences and balance, phase 4/7 (7.8% better)"
    for terminal in [plain, fancy] {
      let line = ProgressReporter.liveLine(
        job: "hcj_GNKT", snapshot: s, notice: nil, elapsed: 95, eta: nil, frame: 0, width: 39, terminal: terminal)
      #expect(line.count <= 39, "\(line)")
      let sep = terminal.unicode ? " · " : " - "
      #expect(line.hasSuffix("4/7 (7.8% better)\(sep)1m35s"), "\(line)")
      #expect(line.hasPrefix(terminal.unicode ? "⠋ running · …" : "| running - ~"), "\(line)")
    }
  }

  @Test func coloursTheStateOnlyWhenAllowed() {
    let colored = ProgressReporter.liveLine(
      job: "j1", snapshot: snapshot(nil), notice: nil, elapsed: 1, eta: nil, frame: 0, width: 79,
      terminal: Terminal(colors: true, unicode: false))
    #expect(colored.contains("\u{1B}[36mrunning\u{1B}[0m"))
  }
}

@Suite struct GitHubActionsTests {
  final class Files: @unchecked Sendable {
    var written: [String: String] = [:]
  }

  @Test func annotationsForFailuresAndWarnings() {
    let gha = GitHubActions(environment: ["GITHUB_ACTIONS": "true"], append: { _, _ in true })
    #expect(
      gha.annotation(job: "j1", error: .jobFailed(.text("job j1 failed: 50% done, then: boom\nline2")), warnings: [])
        == "::error title=job j1 failed::job j1 failed: 50%25 done, then: boom%0Aline2")
    #expect(
      gha.annotation(job: "a,b", error: .timedOut(.text("timed out after 5s")), warnings: [])
        == "::error title=gave up waiting for job a%2Cb::timed out after 5s")
    #expect(
      gha.annotation(job: "j1", error: .stalled(.text("stalled")), warnings: [])?.hasPrefix(
        "::error title=job j1 looks stalled::") == true)
    #expect(
      gha.annotation(job: "j1", error: .jobCanceled(.text("c")), warnings: [])?.hasPrefix(
        "::error title=job j1 was canceled::") == true)
    #expect(
      gha.annotation(job: "j1", error: nil, warnings: ["row 3"])
        == "::warning title=job j1 completed with warnings::row 3")
    #expect(gha.annotation(job: "j1", error: nil, warnings: []) == nil)
    #expect(gha.annotation(job: "j1", error: .notFound(.text("x")), warnings: []) == nil)
    let off = GitHubActions(environment: [:], append: { _, _ in true })
    #expect(off.annotation(job: "j1", error: .jobFailed(.text("x")), warnings: []) == nil)
  }

  @Test func outputsAreAppendedForLaterSteps() {
    let files = Files()
    let gha = GitHubActions(environment: ["GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": "/out"]) { path, text in
      files.written[path, default: ""] += text
      return true
    }
    #expect(gha.writeOutputs(status: "completed", jobID: "j1", field: "0xab") == nil)
    #expect(gha.writeOutputs(status: "failed", jobID: "j2", field: "a\nb") == nil)
    #expect(
      files.written["/out"]
        == "status=completed\njob-id=j1\nfield=0xab\nstatus=failed\njob-id=j2\nfield<<JOBCTL_EOF\na\nb\nJOBCTL_EOF\n")
    // CRLF is one Character, a lone CR another: both take the heredoc form, and the delimiter is
    // found by bytes, so one followed by a combining mark still counts as present.
    files.written = [:]
    #expect(gha.writeOutputs(status: "completed", jobID: "j3", field: "x\r\nJOBCTL_EOF\u{301}") == nil)
    #expect(gha.writeOutputs(status: "completed", jobID: "j4", field: "x\ry") == nil)
    #expect(
      files.written["/out"]
        == "status=completed\njob-id=j3\nfield<<JOBCTL_EOF_\nx\r\nJOBCTL_EOF\u{301}\nJOBCTL_EOF_\n"
        + "status=completed\njob-id=j4\nfield<<JOBCTL_EOF\nx\ry\nJOBCTL_EOF\n")
    #expect(gha.data("a\r\nb%") == "a%0D%0Ab%25")
    #expect(gha.property("a\r\n:,") == "a%0D%0A%3A%2C")
  }

  @Test func theStepSummaryIsCutAndEscaped() {
    let ends = (1...50).map { i in
      GitHubActions.JobEnd(
        job: "j\(i)", state: i == 50 ? .failed : .completed, error: nil, warnings: [], duration: 1.5,
        detail: i == 50 ? "a|b\nc\u{1B}[2J" : "")
    }
    let text = GitHubActions.summary(ends, budget: 600)
    #expect(text.utf8.count <= 600)
    let rows = text.split(separator: "\n").filter { $0.hasPrefix("| j") }
    // Control characters shown escaped (`\n`, `\x1b`), their backslash escaped for Markdown.
    #expect(rows.first == #"| j50 | failed | 1.5s | a\|b\\nc\\x1b\[2J |"#)
    #expect(text.hasSuffix("\nand \(50 - rows.count) more\n\n"))
    #expect(rows.count > 3)
  }
}

@Suite struct EventStreamTests {
  @Test func ndjsonLinesCarryTheContractFields() throws {
    var s = JobSnapshot(state: .running)
    s.rawStatus = "running"
    s.progress = 0.25
    s.stage = "a"
    let line = NDJSON.event(.state(s, httpStatus: 200), job: "j1", time: 0)
    #expect(
      line
        == #"{"time":"1970-01-01T00:00:00Z","job":"j1","event":"state","state":"running","status":"running","progress":0.25,"stage":"a","http_status":200}"#
    )
    let retry = try JSON.parse(NDJSON.event(.retry(reason: "HTTP 503", delay: 2.5, failures: 1), job: "j1", time: 0))
    #expect(retry["event"] == .string("retry"))
    #expect(retry["delay"] == .number("2.5"))
    let limited = try JSON.parse(NDJSON.event(.rateLimited(reason: "HTTP 429", delay: 30), job: "j1", time: 0))
    #expect(limited["event"] == .string("rate_limited"))
  }

  @Test func aWaitInNDJSONEndsWithTheDocumentUnderJob() throws {
    let r = runJobctl(
      ["wait", "j1", "--format", "ndjson", "--progress", "none"],
      script: [answer(200, #"{"status":"pending"}"#), answer(200, #"{"status":"completed","result":{"a":1}}"#)])
    #expect(r.code == 0)
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 3)
    let done = try JSON.parse(lines[2])
    #expect(done["event"] == .string("done"))
    #expect(done["document"]?["result"]?["a"] == .number("1"))
    #expect(done["job"] == .string("j1"))
    #expect(done["ref"] == nil)
    #expect(done["exit_code"] == .number("0"))
    #expect(done["error"] == nil)
    #expect(try JSON.parse(lines[0])["state"] == .string("pending"))
  }
}

@Suite struct ProgressModeRunTests {
  @Test func onATerminalTheLiveLineIsRedrawnAndClearedBeforeTheResult() {
    let r = runJobctl(
      ["wait", "j1", "--interval", "1s"],
      env: ["JOBCTL_BASE_URL": "http://api.test", "TERM": "xterm", "LANG": "C.UTF-8", "NO_COLOR": "1"],
      script: [
        answer(200, #"{"status":"running","stage":"a","progress":0.2}"#),
        answer(200, #"{"status":"running","stage":"b","progress":0.6}"#), answer(200, #"{"status":"completed"}"#),
      ], stderrIsTerminal: true)
    #expect(r.code == 0)
    #expect(r.stderr.hasPrefix("\r\u{1B}[K"))
    #expect(r.stderr.contains("running · a · "))
    #expect(r.stderr.contains("running · b · "))
    #expect(r.stderr.hasSuffix("\r\u{1B}[K"), "the line is cleared before the result is printed")
    #expect(!r.stderr.contains("\n"))
    // Ticks every 100 ms while sleeping: the 1 s pauses are cut into slices.
    #expect(r.transport.sleeps.count >= 18)
  }

  @Test func plainModePrintsAHeartbeatAfterAMinuteWithoutChange() {
    let running = answer(200, #"{"status":"running","stage":"a","progress":0.2}"#)
    let r = runJobctl(
      ["wait", "j1", "--interval", "50s"], script: [running, running, running, answer(200, #"{"status":"completed"}"#)])
    #expect(r.code == 0)
    // Polls at 0, 50, 100 and 150 s; heartbeats at 60 and 120 s.
    let lines = r.stderr.split(separator: "\n")
    #expect(lines.count == 4)
    #expect(lines[1].hasSuffix("j1: still running, stage a, 20% (no change for 1m)"))
    #expect(lines[2].hasSuffix("j1: still running, stage a, 20% (no change for 2m)"))
    #expect(lines[3].hasSuffix("j1: completed"))
  }

  @Test func errorsAreColouredOnlyWhenAllowed() {
    let failed = answer(200, #"{"status":"failed","error":"x"}"#)
    let always = runJobctl(["wait", "j1", "--color", "always", "--progress", "none"], script: [failed])
    #expect(always.stderr == "jobctl: \u{1B}[31merror:\u{1B}[0m job j1 failed: x\n")
    let never = runJobctl(
      ["wait", "j1", "--color", "never", "--progress", "none"], script: [failed], stderrIsTerminal: true)
    #expect(never.stderr == "jobctl: error: job j1 failed: x\n")
  }
}
