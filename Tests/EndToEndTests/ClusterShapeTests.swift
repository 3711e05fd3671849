import Foundation
import LoopbackHTTP
import Testing

/// The simulator served in the test process, so a test can read what the server saw.
final class LoggedSimulator {
  let server: LoopbackServer
  let simulator: JobSimulator

  init(speed: Double = 20) throws {
    server = try LoopbackServer()
    let simulator = JobSimulator(baseURL: server.baseURL, speed: speed)
    self.simulator = simulator
    server.setHandler { simulator.handle($0) }
  }

  var base: String { server.baseURL }

  /// `METHOD TARGET` of every request so far.
  var seen: [String] { server.requests.map { "\($0.method) \($0.target)" } }
}

/// `slurm`, `ray-job` and `celery-flower` against the simulator's imitations of slurmrestd, Ray
/// Jobs and Flower: start, wait, failure, cancel and a state the API does not list.
@Suite struct ClusterShapeTests {
  private let fastPoll = ["--interval", "50ms", "--progress", "plain"]

  // MARK: Slurm

  @Test func slurmStartAndWaitWithAStringState() throws {
    let sim = try LoggedSimulator()
    let base = ["--base-url", sim.base + "/slurm/v0.0.38", "--dialect", "slurm"]
    let start = try jobctl(
      ["start", "/job/submit", "--data", ##"{"job":{"name":"hello"},"script":"#!/bin/sh"}"##] + base)
    #expect(start.code == 0, "\(start.stderr)")
    let id = start.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(Int(id) != nil, "\(id)")
    let r = try jobctl(["wait", id] + base + fastPoll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("job: \(id)\nstate: completed\nstatus: COMPLETED\n"), "\(r.stdout)")
    #expect(sim.seen.first == "POST /slurm/v0.0.38/job/submit")
    #expect(sim.seen.dropFirst().allSatisfy { $0 == "GET /slurm/v0.0.38/job/\(id)" }, "\(sim.seen)")
  }

  @Test func slurmWaitsWithAListState() throws {
    let sim = try LoggedSimulator()
    let r = try jobctl(
      ["start", "/job/submit", "--data", #"{"job":{"name":"x"}}"#, "--wait", "--base-url", sim.base + "/slurm/v0.0.40"]
        + ["--dialect", "slurm"] + fastPoll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.contains("state: completed\n"), "\(r.stdout)")
  }

  @Test(arguments: [
    ("v0.0.38", "NonZeroExitCode; jobs.0.exit_code=768"),
    ("v0.0.40", "NonZeroExitCode; jobs.0.exit_code.return_code.number=3"),
  ])
  func slurmFailuresShowTheReasonAndExitCode(_ version: String, _ message: String) throws {
    let sim = try LoggedSimulator()
    let r = try jobctl(
      ["wait", "slurm-fail-1", "--base-url", "\(sim.base)/slurm/\(version)", "--dialect", "slurm"] + fastPoll)
    #expect(r.code == 1, "\(r.stderr)")
    #expect(r.stderr.contains("jobctl: error: job slurm-fail-1 failed: \(message)"), "\(r.stderr)")
    // A start failing the same way: the job's name holds `fail`.
    let started = try jobctl(
      ["start", "/job/submit", "--data", #"{"job":{"name":"will-fail"}}"#, "--wait"]
        + ["--base-url", "\(sim.base)/slurm/\(version)", "--dialect", "slurm"] + fastPoll)
    #expect(started.code == 1, "\(started.stderr)")
    #expect(started.stderr.contains(message), "\(started.stderr)")
  }

  @Test(arguments: ["v0.0.38", "v0.0.40"])
  func slurmCancelIsADelete(_ version: String) throws {
    let sim = try LoggedSimulator(speed: 4)
    let r = try jobctl(
      ["cancel", "slurm-c1", "--wait", "--base-url", "\(sim.base)/slurm/\(version)", "--dialect", "slurm"] + fastPoll)
    #expect(r.code == 3, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("job: slurm-c1\nstate: canceled\n"), "\(r.stdout)")
    #expect(sim.seen.filter { !$0.hasPrefix("GET ") } == ["DELETE /slurm/\(version)/job/slurm-c1"], "\(sim.seen)")
  }

  @Test(arguments: [
    ("v0.0.38", #"jobs.0.job_state "SPECIAL_EXIT""#), ("v0.0.40", #"jobs.0.job_state ["SPECIAL_EXIT"]"#),
  ])
  func slurmStatesNotListedAreNotUnderstood(_ version: String, _ shown: String) throws {
    let sim = try LoggedSimulator()
    let r = try jobctl(
      ["wait", "slurm-weird-1", "--base-url", "\(sim.base)/slurm/\(version)", "--dialect", "slurm"] + fastPoll)
    #expect(r.code == 6, "\(r.stderr)")
    #expect(!r.stdout.contains("completed"), "\(r.stdout)")
    #expect(r.stderr.contains(shown), "\(r.stderr)")
  }

  // MARK: Ray Jobs

  @Test func rayJobsStartWaitAndPrintTheirLogs() throws {
    let sim = try LoggedSimulator()
    let base = ["--base-url", sim.base, "--dialect", "ray-job"]
    let start = try jobctl(["start", "/api/jobs/", "--data", #"{"entrypoint":"python train.py"}"#] + base)
    #expect(start.code == 0, "\(start.stderr)")
    let id = start.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(id.hasPrefix("raysubmit_"), "\(id)")
    let r = try jobctl(["wait", id] + base + fastPoll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("job: \(id)\nstate: completed\nstatus: SUCCEEDED\n"), "\(r.stdout)")
    // "Job finished successfully." is no warning.
    #expect(!r.stderr.contains("warning"), "\(r.stderr)")
    let output = try jobctl(["output", id] + base)
    #expect(output.code == 0, "\(output.stderr)")
    #expect(output.stdout == "hello from \(id)\nworld\n")
    #expect(sim.seen.last == "GET /api/jobs/\(id)/logs")
    // --continue cannot resume an output taken from a JSON answer.
    let folder = try scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    let resumed = try jobctl(["output", id, "-o", folder.appendingPathComponent("log").path, "--continue"] + base)
    #expect(resumed.code == 2, "\(resumed.stderr)")
    #expect(resumed.stderr.contains("output-path"), "\(resumed.stderr)")
  }

  @Test func rayFailuresShowTheMessage() throws {
    let sim = try LoggedSimulator()
    let r = try jobctl(
      ["start", "/api/jobs/", "--data", #"{"entrypoint":"python fail.py"}"#, "--wait", "--base-url", sim.base]
        + ["--dialect", "ray-job"] + fastPoll)
    #expect(r.code == 1, "\(r.stderr)")
    #expect(r.stderr.contains("failed: Job entrypoint command failed with exit code 1"), "\(r.stderr)")
  }

  @Test func rayCancelStopsTheJob() throws {
    let sim = try LoggedSimulator(speed: 4)
    let r = try jobctl(["cancel", "raysubmit_c1", "--wait", "--base-url", sim.base, "--dialect", "ray-job"] + fastPoll)
    #expect(r.code == 3, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("job: raysubmit_c1\nstate: canceled\nstatus: STOPPED\n"), "\(r.stdout)")
    #expect(sim.seen.filter { !$0.hasPrefix("GET ") } == ["POST /api/jobs/raysubmit_c1/stop"], "\(sim.seen)")
  }

  @Test func rayStatesNotListedAreNotUnderstood() throws {
    let sim = try LoggedSimulator()
    let r = try jobctl(["wait", "raysubmit_weird_1", "--base-url", sim.base, "--dialect", "ray-job"] + fastPoll)
    #expect(r.code == 6, "\(r.stderr)")
    #expect(r.stderr.contains(#"status "ZOMBIE""#), "\(r.stderr)")
  }

  // MARK: Celery through Flower

  @Test func flowerTasksStartAndWaitForTheirResult() throws {
    let sim = try LoggedSimulator()
    let base = ["--base-url", sim.base, "--dialect", "celery-flower"]
    let start = try jobctl(["start", "/api/task/async-apply/tasks.add", "--data", #"{"args":[1,2]}"#] + base)
    #expect(start.code == 0, "\(start.stderr)")
    let id = start.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(id.count == 36, "\(id)")
    let r = try jobctl(["wait", id] + base + fastPoll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == "job: \(id)\nstate: completed\nstatus: SUCCESS\nresult: 42\n", "\(r.stdout)")
    #expect(sim.seen.first == "POST /api/task/async-apply/tasks.add")
    #expect(sim.seen.dropFirst().allSatisfy { $0 == "GET /api/task/result/\(id)" }, "\(sim.seen)")
  }

  @Test func flowerFailuresShowTheException() throws {
    let sim = try LoggedSimulator()
    let r = try jobctl(
      ["start", "/api/task/async-apply/tasks.fail", "--data", "{}", "--wait", "--base-url", sim.base]
        + ["--dialect", "celery-flower"] + fastPoll)
    #expect(r.code == 1, "\(r.stderr)")
    #expect(r.stderr.contains("failed: ZeroDivisionError('division by zero'); Traceback"), "\(r.stderr)")
  }

  @Test func flowerCancelRevokesAndTerminates() throws {
    let sim = try LoggedSimulator(speed: 4)
    let r = try jobctl(
      ["cancel", "task-c1", "--wait", "--base-url", sim.base, "--dialect", "celery-flower"] + fastPoll)
    #expect(r.code == 3, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("job: task-c1\nstate: canceled\nstatus: REVOKED\n"), "\(r.stdout)")
    #expect(
      sim.seen.filter { !$0.hasPrefix("GET ") } == ["POST /api/task/revoke/task-c1?terminate=true"], "\(sim.seen)")
  }

  /// A state the task sets itself is not understood, until the user names it.
  @Test func flowerCustomStatesNeedTheUsersWord() throws {
    let sim = try LoggedSimulator()
    let base = ["--base-url", sim.base, "--dialect", "celery-flower"]
    let r = try jobctl(["wait", "task-weird-1"] + base + fastPoll)
    #expect(r.code == 6, "\(r.stderr)")
    #expect(r.stderr.contains(#"state "PROGRESS""#), "\(r.stderr)")
    let named = try jobctl(
      ["wait", "task-weird-2", "--running-when", "state=STARTED,RETRY,PROGRESS"] + base + fastPoll)
    #expect(named.code == 0, "\(named.stderr)")
    #expect(named.stdout.contains("state: completed\n"), "\(named.stdout)")
  }
}
