import LoopbackHTTP
import Testing

/// Slurm, Ray Jobs and Flower as the simulator answers them, on the manual clock.
@Suite struct ClusterAPISimulatorTests {
  private func jobState(_ json: SimJSON?) -> SimJSON? { json?["jobs"]?.items?.first?["job_state"] }

  @Test func slurmAnswersAStringUpToV39AndAListFromV40() throws {
    let h = SimulatorHarness()
    let submitted = h.send("POST", "/slurm/v0.0.38/job/submit", body: #"{"job":{"name":"hello"},"script":"x"}"#)
    #expect(submitted.status == 200)
    let id = String(Int(try #require(submitted.json?["job_id"]?.number)))
    #expect(submitted.json?["errors"]?.items?.isEmpty == true)
    #expect(jobState(h.get("/slurm/v0.0.38/job/\(id)").json)?.string == "PENDING")
    #expect(jobState(h.get("/slurm/v0.0.40/job/\(id)").json)?.items?.map(\.string) == ["PENDING"])
    h.at(3)
    #expect(jobState(h.get("/slurm/v0.0.39/job/\(id)").json)?.string == "RUNNING")
    h.at(5.5)
    #expect(jobState(h.get("/slurm/v0.0.38/job/\(id)").json)?.string == "COMPLETING")
    #expect(jobState(h.get("/slurm/v0.0.41/job/\(id)").json)?.items?.map(\.string) == ["COMPLETED", "COMPLETING"])
    h.at(7)
    let done = h.get("/slurm/v0.0.38/job/\(id)").json
    #expect(jobState(done)?.string == "COMPLETED")
    #expect(done?["jobs"]?.items?.first?["exit_code"]?.number == 0)
  }

  @Test func slurmFailuresCarryTheRawWaitStatusOrTheReturnCode() {
    let h = SimulatorHarness()
    h.at(0)
    _ = h.get("/slurm/v0.0.38/job/slurm-fail-1")
    h.at(7)
    let old = h.get("/slurm/v0.0.38/job/slurm-fail-1").json?["jobs"]?.items?.first
    #expect(old?["job_state"]?.string == "FAILED")
    #expect(old?["state_reason"]?.string == "NonZeroExitCode")
    #expect(old?["exit_code"]?.number == 768)
    let new = h.get("/slurm/v0.0.40/job/slurm-fail-1").json?["jobs"]?.items?.first
    #expect(new?["job_state"]?.items?.map(\.string) == ["FAILED"])
    #expect(new?["exit_code"]?["return_code"]?["number"]?.number == 3)
  }

  @Test func slurmUnknownJobsAre500With2017AndCancelIsDelete() {
    let h = SimulatorHarness()
    let unknown = h.get("/slurm/v0.0.38/job/4242")
    #expect(unknown.status == 500)
    #expect(unknown.json?["errors"]?.items?.first?["error_number"]?.number == 2017)
    #expect(unknown.json?["errors"]?.items?.first?["error"]?.string == "Invalid job id specified")
    #expect(h.send("DELETE", "/slurm/v0.0.40/job/4242").status == 500)
    #expect(h.get("/slurm/v9.9.9/job/slurm-1").status == 404)
    #expect(h.send("DELETE", "/slurm/v0.0.38/job/slurm-c1").status == 200)
    h.at(2)
    #expect(jobState(h.get("/slurm/v0.0.38/job/slurm-c1").json)?.string == "CANCELLED")
    // Cancelling a job that ended is an error of its own.
    #expect(
      h.send("DELETE", "/slurm/v0.0.38/job/slurm-c1").json?["errors"]?.items?.first?["error_number"]?.number == 2021)
  }

  @Test func rayJobsStartPollStopAndLog() throws {
    let h = SimulatorHarness()
    let started = h.send("POST", "/api/jobs/", body: #"{"entrypoint":"python train.py"}"#)
    #expect(started.status == 200)
    let id = try #require(started.json?["submission_id"]?.string)
    #expect(id.hasPrefix("raysubmit_"))
    #expect(started.json?["job_id"]?.string?.hasSuffix("000000") == true)
    #expect(h.get("/api/jobs/\(id)").json?["status"]?.string == "PENDING")
    h.at(2)
    #expect(h.get("/api/jobs/\(id)").json?["status"]?.string == "RUNNING")
    #expect(h.send("POST", "/api/jobs/\(id)/stop").json?["stopped"] == .bool(true))
    h.at(4)
    #expect(h.get("/api/jobs/\(id)").json?["status"]?.string == "STOPPED")
    #expect(h.send("POST", "/api/jobs/\(id)/stop").json?["stopped"] == .bool(false))
    #expect(h.get("/api/jobs/\(id)/logs").json?["logs"]?.string == "hello from \(id)\nworld\n")
    // Ray's errors are plain text; a submission id sent again is refused.
    let missing = h.get("/api/jobs/nosuch")
    #expect(missing.status == 404)
    #expect(String(decoding: missing.reply.body, as: UTF8.self) == "Job nosuch does not exist")
    #expect(h.send("POST", "/api/jobs/", body: #"{"entrypoint":"x","submission_id":"\#(id)"}"#).status == 500)
    #expect(h.send("POST", "/api/jobs/", body: "{}").status == 400)
  }

  @Test func flowerTasksStartPollAndRevoke() throws {
    let h = SimulatorHarness()
    let started = h.send("POST", "/api/task/async-apply/tasks.add", body: #"{"args":[1,2]}"#)
    #expect(started.json?["state"]?.string == "PENDING")
    let id = try #require(started.json?["task-id"]?.string)
    h.at(2)
    #expect(h.get("/api/task/result/\(id)").json?["state"]?.string == "STARTED")
    h.at(7)
    let done = h.get("/api/task/result/\(id)").json
    #expect(done?["state"]?.string == "SUCCESS")
    #expect(done?["result"]?.number == 42)
    // Any id Flower does not know is PENDING.
    #expect(h.get("/api/task/result/0000").json?["state"]?.string == "PENDING")
    #expect(h.send("POST", "/api/task/async-apply/tasks.nosuch").status == 404)
    // Without terminate=true a running task goes on; with it, the task is revoked.
    _ = h.get("/api/task/result/task-c1")
    h.at(9)
    _ = h.send("POST", "/api/task/revoke/task-c1")
    h.at(10)
    #expect(h.get("/api/task/result/task-c1").json?["state"]?.string == "STARTED")
    _ = h.send("POST", "/api/task/revoke/task-c1?terminate=true")
    h.at(12)
    #expect(h.get("/api/task/result/task-c1").json?["state"]?.string == "REVOKED")
    _ = h.get("/api/task/result/task-weird-1")
    h.at(14)
    #expect(h.get("/api/task/result/task-weird-1").json?["state"]?.string == "PROGRESS")
  }
}
