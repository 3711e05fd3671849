import Foundation
import Testing

/// The `jobsim` program on a free port, fast, stopped when the test ends.
final class Simulator {
  let process = Process()
  let base: String

  init(speed: Double = 20) throws {
    let out = Pipe()
    process.executableURL = URL(fileURLWithPath: Binaries.jobsim)
    process.arguments = ["--port", "0", "--speed", String(speed), "--quiet"]
    process.standardOutput = out
    try process.run()
    let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
    guard let range = line.range(of: "http://") else {
      kill(process.processIdentifier, SIGKILL)
      throw CocoaError(.fileReadUnknown)
    }
    base = String(line[range.lowerBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  deinit {
    // SIGKILL: a child started from a test thread inherits that thread's blocked SIGINT/SIGTERM.
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }
}

/// `jobctl wait` against the simulator: every shape reads well as text and as JSON.
@Suite struct SimulatorTests {
  private let fastPoll = ["--interval", "50ms", "--progress", "plain"]

  @Test func stagedJobsShowStagesAndProgress() throws {
    let sim = try Simulator()
    let r = try jobctl(["wait", "staged-t1", "--base-url", sim.base] + fastPoll)
    #expect(r.code == 0)
    #expect(r.stdout.hasPrefix("job: staged-t1\nstate: completed\nstage: done\nprogress: 100%\n"))
    #expect(r.stdout.contains("result.url: /reports/staged-t1.pdf\n"))
    #expect(r.stderr.contains("staged-t1: running, stage processing, "))
    #expect(r.stderrLines.last?.hasSuffix("staged-t1: completed, stage done, 100%") == true)
  }

  @Test func failingStagedJobsExitOneWithTheReason() throws {
    let sim = try Simulator()
    let r = try jobctl(["wait", "staged-fail-1", "--base-url", sim.base, "--json"] + fastPoll)
    #expect(r.code == 1)
    #expect(r.stdout.contains(#""status":"failed""#))
    #expect(r.stderr.contains("jobctl: error: job staged-fail-1 failed: template render failed (RENDER_FAILED)"))
  }

  @Test func hotcrpJobsShowTheirPhases() throws {
    let sim = try Simulator()
    let r = try jobctl(["wait", "hcj_t1", "--base-url", sim.base + "/api", "--dialect", "hotcrp"] + fastPoll)
    #expect(r.code == 0)
    #expect(r.stdout.hasPrefix("job: hcj_t1\nstate: completed\nstatus: done\n"))
    #expect(r.stdout.contains("output_mimetype: text/csv\n"))
    #expect(r.stderr.contains("hcj_t1: running, Optimizing assignment for preferences and balance, phase "))
    let failed = try jobctl(["wait", "hcj_fail_t2", "--base-url", sim.base + "/api", "--dialect", "hotcrp"] + fastPoll)
    #expect(failed.code == 1)
    #expect(failed.stderr.contains("failed: Assignment failed: no eligible reviewers"))
  }

  @Test func hotcrpOutputIsFetchedOnceDoneAndNotBefore() throws {
    let sim = try Simulator()
    let hotcrp = ["--base-url", sim.base + "/api", "--dialect", "hotcrp"]
    let early = try jobctl(["output", "hcj_o1"] + hotcrp)
    #expect(early.code == 9)
    #expect(early.stdout == "")
    #expect(early.stderr == "jobctl: error: job hcj_o1 is still pending: it has no output yet\n")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-sim-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let file = dir.appendingPathComponent("assignments.csv")
    let waited = try jobctl(["wait", "hcj_o1", "-o", file.path, "-q"] + hotcrp + fastPoll)
    #expect(waited.code == 0)
    let fetched = try jobctl(["output", "hcj_o1"] + hotcrp)
    #expect(fetched.code == 0)
    #expect(try String(contentsOf: file, encoding: .utf8) == fetched.stdout)
    #expect(fetched.stdout.hasPrefix("paper,"))
    _ = try jobctl(["wait", "hcj_fail_o2", "-q"] + hotcrp + fastPoll)
    let failed = try jobctl(["output", "hcj_fail_o2"] + hotcrp)
    #expect(failed.code == 6)
    #expect(failed.stderr == "jobctl: error: HTTP 409 Conflict: Failed job has no output\n")
  }

  @Test func simpleJobsAreScriptable() throws {
    let sim = try Simulator()
    let r = try jobctl([
      "wait", "simple-t1", "--base-url", sim.base, "--field", "result.address", "-q", "--interval", "50ms",
    ])
    #expect(r.code == 0)
    #expect(r.stdout.hasPrefix("0x"))
    #expect(r.stdout.count == 43)
    #expect(r.stderr == "")
    let warned = try jobctl([
      "wait", "simple-warn-t2", "--base-url", sim.base, "--interval", "50ms", "--progress", "none",
    ])
    #expect(warned.code == 0)
    #expect(
      warned.stderr
        == "jobctl: warning: job simple-warn-t2: row 3: invalid email\njobctl: warning: job simple-warn-t2: row 9: duplicate member\n"
    )
  }

  @Test func importsAreTerminalAtOneHundred() throws {
    let sim = try Simulator()
    let ok = try jobctl(
      ["wait", "/organizations/acme/members/job/import-t1", "--base-url", sim.base, "--dialect", "progress"] + fastPoll)
    #expect(ok.code == 0)
    #expect(ok.stdout.contains("state: completed\nprogress: 100%\n"))
    let failed = try jobctl(
      ["wait", "/organizations/acme/members/job/import-fail-t2", "--base-url", sim.base] + fastPoll)
    #expect(failed.code == 1)
    #expect(failed.stdout.contains("error: row 12: invalid email\n"))
  }

  @Test func unknownJobsAreNotFound() throws {
    let sim = try Simulator()
    let r = try jobctl(["status", "nosuchjob", "--base-url", sim.base])
    #expect(r.code == 5)
    #expect(r.stderr == "jobctl: error: job nosuchjob not found: HTTP 404 Not Found: job not found (code 40026)\n")
  }
}
