import Foundation
import Testing

/// The `jobsim` program on a free port, fast, stopped when the test ends.
final class Simulator {
  let process = Process()
  let base: String

  init(speed: Double = 20) throws {
    let out = Pipe()
    process.executableURL = URL(fileURLWithPath: try Binaries.jobsim)
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

  /// `jobctl start PATH --data DATA` with `flags`: the job it printed, once it exited 0.
  private func started(_ path: String, data: String, _ flags: [String]) throws -> String {
    let r = try jobctl(["start", path, "--data", data] + flags)
    #expect(r.code == 0, "\(r.stderr)")
    return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

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
    // Judged by one poll of the job: a failed job is exit 1, and its output is not asked for.
    #expect(failed.code == 1)
    #expect(failed.stderr.hasPrefix("jobctl: error: no output: job hcj_fail_o2 failed: "), "\(failed.stderr)")
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

  @Test func githubRunsEndAsTheirConclusionSays() throws {
    let sim = try Simulator()
    let run = sim.base + "/repos/o/r/actions/runs/run-t1"
    let ok = try jobctl(["wait", run, "--dialect", "github-run"] + fastPoll)
    #expect(ok.code == 0, "\(ok.stderr)")
    #expect(ok.stdout.contains("state: completed\nconclusion: success\n"), "\(ok.stdout)")
    let failed = try jobctl(
      ["wait", sim.base + "/repos/o/r/actions/runs/run-fail-t2", "--dialect", "github-run"] + fastPoll)
    #expect(failed.code == 1)
    // Under auto, the failed run is no success: it ends at once, naming the shape to use.
    let auto = try jobctl(["wait", sim.base + "/repos/o/r/actions/runs/run-fail-t2"] + fastPoll)
    #expect(auto.code == 6)
    #expect(auto.stderr.contains("--dialect github-run"), "\(auto.stderr)")
    let canceled = try jobctl(
      ["cancel", sim.base + "/repos/o/r/actions/runs/run-t3", "--dialect", "github-run", "--wait"] + fastPoll)
    #expect(canceled.code == 3, "\(canceled.stderr)")
  }

  @Test func googleOperationsArePolledByName() throws {
    let sim = try Simulator()
    let started = try jobctl(["start", "/operations", "--base-url", sim.base + "/v1", "--dialect", "google-operation"])
    #expect(started.code == 0, "\(started.stderr)")
    let name = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(name.hasPrefix("operations/op-"))
    let r = try jobctl(
      ["wait", name, "--base-url", sim.base + "/v1", "--dialect", "google-operation", "--json"] + fastPoll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.contains(#""transcript":"hello world""#))
    let failed = try jobctl(
      ["wait", "operations/op-fail-1", "--base-url", sim.base + "/v1", "--dialect", "google-operation"] + fastPoll)
    #expect(failed.code == 1)
    #expect(failed.stderr.contains("transcription failed"), "\(failed.stderr)")
  }

  /// Azure wants api-version on every request: the base URL's query goes on each one.
  @Test func azureStartsFollowAzureAsyncOperation() throws {
    let sim = try Simulator()
    let r = try jobctl(
      [
        "start", "/things/t1", "--method", "PUT", "--data", "{}", "--dialect", "azure-operation", "--wait",
        "--base-url", sim.base + "/azure/?api-version=2024-01-01",
      ] + fastPoll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.contains("state: completed\nstatus: Succeeded\nprogress: 100%\n"), "\(r.stdout)")
    let failed = try jobctl(
      [
        "start", "/things/fail", "--method", "PUT", "--data", "{}", "--dialect", "azure-operation", "--wait",
        "--base-url", sim.base + "/azure?api-version=2024-01-01",
      ] + fastPoll)
    #expect(failed.code == 1)
    #expect(failed.stderr.contains("quota exceeded"), "\(failed.stderr)")
  }

  /// A start answered with only `Location` is polled as http-202: 202 with no body until done,
  /// then the resource, whose own `status` ("Ready") is no operation's.
  @Test func azureStartsWithOnlyALocationArePolledAsHTTP202() throws {
    let sim = try Simulator()
    let r = try jobctl(
      [
        "start", "/things/location-t1", "--method", "PUT", "--data", "{}", "--dialect", "azure-operation", "--wait",
        "--json", "--base-url", sim.base + "/azure?api-version=2024-01-01", "--timeout", "10s",
      ] + fastPoll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.contains(#""status":"Ready""#), "\(r.stdout)")
    #expect(r.stderr.contains("/azure/results/azop-"), "\(r.stderr)")
    #expect(r.stderr.contains("?api-version=2024-01-01"), "\(r.stderr)")
  }

  @Test func http202ExportsEndWithTheirResult() throws {
    let sim = try Simulator()
    let r = try jobctl(
      ["start", "/exports", "--base-url", sim.base, "--dialect", "http-202", "--wait", "--json"] + fastPoll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("id,total\nexport-"))
  }

  @Test func openaiBatchesAndTheirOutput() throws {
    let sim = try Simulator()
    let base = ["--base-url", sim.base + "/v1", "--dialect", "openai-batch"]
    let id = try started("/batches", data: "{}", base)
    #expect(id.hasPrefix("batch_"), "\(id)")
    let r = try jobctl(["wait", id] + base + fastPoll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.contains("output_file_id: file-\(id)\n"))
    let output = try jobctl(["output", id] + base)
    #expect(output.code == 0, "\(output.stderr)")
    #expect(output.stdout.hasPrefix(#"{"custom_id":"request-1""#))
    let failed = try jobctl(["wait", "batch_fail_1"] + base + fastPoll)
    #expect(failed.code == 1)
    #expect(failed.stderr.contains("line 2 is not JSON"))
  }

  @Test func replicatePredictionsStartWaitAndOutput() throws {
    let sim = try Simulator()
    let base = ["--base-url", sim.base + "/v1", "--dialect", "replicate"]
    // The shape polls by id: start prints the prediction's id.
    let id = try started("/predictions", data: #"{"input":{"prompt":"an apple"}}"#, base)
    #expect(id.hasPrefix("pred-"), "\(id)")
    let r = try jobctl(["wait", id] + base + fastPoll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.contains("state: completed\nstatus: succeeded\n"), "\(r.stdout)")
    // The output is the first URL of `output`.
    let output = try jobctl(["output", id] + base)
    #expect(output.code == 0, "\(output.stderr)")
    #expect(output.stdout.hasPrefix("a red apple on a table (pred-"), "\(output.stdout)")
    // start --wait polls urls.get; a failed prediction's `error` is the reason.
    let failed = try jobctl(
      ["start", "/predictions", "--data", #"{"input":{"fail":true}}"#, "--wait", "-v"] + base + fastPoll)
    #expect(failed.code == 1)
    #expect(failed.stderr.contains("> GET /v1/predictions/pred-"), "\(failed.stderr)")
    #expect(failed.stderr.contains("CUDA out of memory"), "\(failed.stderr)")
    let aborted = try jobctl(["wait", "pred-abort-cancel-1"] + base + fastPoll)
    #expect(aborted.code == 3, "\(aborted.stderr)")
  }

  @Test func replicatePredictionsCancel() throws {
    let sim = try Simulator(speed: 4)
    let base = ["--base-url", sim.base + "/v1", "--dialect", "replicate"]
    let r = try jobctl(["cancel", "pred-c1", "--wait"] + base + fastPoll)
    #expect(r.code == 3, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("job: pred-c1\nstate: canceled\n"), "\(r.stdout)")
    // A prediction already finished is not canceled: the answer says so, exit 0.
    let done = try jobctl(["wait", "pred-d1"] + base + fastPoll)
    #expect(done.code == 0, "\(done.stderr)")
    let late = try jobctl(["cancel", "pred-d1"] + base)
    #expect(late.code == 0, "\(late.stderr)")
    #expect(late.stdout.contains("completed"), "\(late.stdout)")
  }

  @Test func anthropicBatchesNeedTheirHeaders() throws {
    let sim = try Simulator()
    let base = ["--base-url", sim.base + "/v1", "--dialect", "anthropic-batch"]
    // The shape sends anthropic-version; the key is the user's -H.
    let noKey = try jobctl(["status", "msgbatch_t0"] + base)
    #expect(noKey.code == 4, "\(noKey.stderr)")
    #expect(noKey.stderr.contains("x-api-key header is required"), "\(noKey.stderr)")
    let noVersion = try jobctl(
      [
        "status", "msgbatch_t0", "--base-url", sim.base + "/v1", "-H", "x-api-key: k", "--completed-when",
        "processing_status=ended",
        "--jobs-path", "/messages/batches/{id}",
      ])
    #expect(noVersion.code == 6, "\(noVersion.stderr)")
    #expect(noVersion.stderr.contains("anthropic-version: header is required"), "\(noVersion.stderr)")
  }

  @Test func anthropicBatchesStartWaitCancelAndResults() throws {
    let sim = try Simulator()
    let base = ["--base-url", sim.base + "/v1", "--dialect", "anthropic-batch", "-H", "x-api-key: sk-ant-test"]
    let id = try started("/messages/batches", data: #"{"requests":[]}"#, base)
    #expect(id.hasPrefix("msgbatch_"), "\(id)")
    let r = try jobctl(["wait", id] + base + fastPoll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.contains("state: completed\nstatus: ended\n"), "\(r.stdout)")
    #expect(!r.stderr.contains("sk-ant-test"))
    let results = try jobctl(["output", id] + base)
    #expect(results.code == 0, "\(results.stderr)")
    #expect(results.stdout.hasPrefix(#"{"custom_id":"request-1","result":{"type":"succeeded"}}"#), "\(results.stdout)")
    // Errored requests in an ended batch are warnings, not a failure.
    let errored = try jobctl(["wait", "msgbatch_fail_1"] + base + fastPoll)
    #expect(errored.code == 0, "\(errored.stderr)")
    #expect(errored.stderr.contains("warning: job msgbatch_fail_1: request_counts.errored = 1"), "\(errored.stderr)")
    // A cancel is accepted (`canceling`); the batch then ends with cancel_initiated_at: canceled.
    let canceled = try jobctl(["cancel", "msgbatch_c1", "--wait"] + base + fastPoll)
    #expect(canceled.code == 3, "\(canceled.stderr)")
    #expect(canceled.stdout.contains("state: canceled\n"), "\(canceled.stdout)")
  }

  /// A completed job whose warn-when holds always warns: with its messages, or, having none,
  /// with what the condition read.
  @Test func warnWhenThatHoldsAlwaysWarns() throws {
    let sim = try Simulator()
    let openai = ["--base-url", sim.base + "/v1", "--dialect", "openai-batch"]
    func warnings(_ text: String) -> [Substring] { text.split(separator: "\n").filter { $0.contains("warning") } }
    let partial = try jobctl(["wait", "batch_partial_1"] + openai + fastPoll)
    #expect(partial.code == 0, "\(partial.stderr)")
    #expect(warnings(partial.stderr) == ["jobctl: warning: job batch_partial_1: request_counts.failed = 2"])
    #expect(partial.stdout.contains("state: completed\n"), "\(partial.stdout)")
    // All requests succeeded: no warning.
    let clean = try jobctl(["wait", "batch_t1"] + openai + fastPoll)
    #expect(clean.code == 0 && warnings(clean.stderr).isEmpty, "\(clean.stderr)")
    let anthropic = ["--base-url", sim.base + "/v1", "--dialect", "anthropic-batch", "-H", "x-api-key: k"]
    let errored = try jobctl(["wait", "msgbatch_fail_1"] + anthropic + fastPoll)
    #expect(errored.code == 0, "\(errored.stderr)")
    #expect(warnings(errored.stderr) == ["jobctl: warning: job msgbatch_fail_1: request_counts.errored = 1"])
  }

  /// `help dialects` reads the config file --config names, and its --profile, as every command does.
  @Test func helpDialectsTakesConfigAndProfile() throws {
    let dir = try scratch()
    let config = dir.appendingPathComponent("config")
    try "[dialect mine]\ncompleted-when = state=done\n\n[profile p]\nbase-url = http://127.0.0.1:1\n".write(
      to: config, atomically: true, encoding: .utf8)
    let r = try jobctl(["help", "dialects", "mine", "--config", config.path, "--profile", "p"])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.contains("completed-when = state=done"), "\(r.stdout)")
    #expect(r.stderr == "")
    let missing = try jobctl(["help", "dialects", "--config", config.path, "--profile", "nope"])
    #expect(missing.code == 2, "\(missing.stderr)")
  }

  /// A shape described with flags only (as for AWS Step Functions) against the same API.
  @Test func aShapeDescribedWithFlags() throws {
    let sim = try Simulator()
    let r = try jobctl(
      [
        "wait", "batch_t9", "--base-url", sim.base + "/v1", "--jobs-path", "/batches/{id}", "--completed-when",
        "status=completed", "--failed-when", "status=failed,expired", "--running-when",
        "status=validating,in_progress,finalizing", "--progress-path",
        "request_counts.completed / request_counts.total", "-v",
      ] + fastPoll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stderr.contains("jobctl: job batch_t9: completed: status=completed"), "\(r.stderr)")
  }

  @Test func verboseWaitsOnSeveralJobsNameTheDecidingConditions() throws {
    let sim = try Simulator()
    let r = try jobctl(
      ["wait", "staged-v1", "staged-fail-v2", "--base-url", sim.base, "--dialect", "staged", "-v"] + fastPoll)
    #expect(r.code == 1)
    #expect(r.stderr.contains("jobctl: job staged-v1: completed: status=completed\n"), "\(r.stderr)")
    #expect(r.stderr.contains("jobctl: job staged-fail-v2: failed: status=failed\n"), "\(r.stderr)")
  }

  @Test func unknownJobsAreNotFound() throws {
    let sim = try Simulator()
    let r = try jobctl(["status", "nosuchjob", "--base-url", sim.base])
    #expect(r.code == 5)
    #expect(r.stderr == "jobctl: error: job nosuchjob not found: HTTP 404 Not Found: job not found (code 40026)\n")
  }
}
