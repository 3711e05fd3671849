/// Job systems people run on their own machines, answering as their REST APIs do: Slurm's
/// `slurmrestd`, Ray Jobs (the dashboard's API) and Celery through Flower.
///
/// Each job runs on the timeline of `NamedAPITimelines.phase`; an id (or, for a started job, a job
/// name, entrypoint or task name) holding `fail` fails, one holding `cancel` ends canceled, and
/// one holding `weird` reaches a state the API's documentation does not list.
enum ClusterTimelines {
  // MARK: Slurm

  /// The REST API version of a `/slurm/VERSION/...` path (`v0.0.38` is 38), when slurmrestd
  /// serves it: 23.11 and later answer `job_state` as a list (v0.0.40 on).
  static func slurmVersion(_ text: String) -> Int? {
    guard text.hasPrefix("v0.0."), let minor = Int(text.dropFirst("v0.0.".count)), (36...42).contains(minor) else {
      return nil
    }
    return minor
  }

  static func slurmMeta(_ version: Int) -> SimJSON {
    .obj(
      (
        "plugin", .obj(("type", .string("openapi/v0.0.\(version)")), ("name", .string("Slurm OpenAPI v0.0.\(version)")))
      ),
      (
        "Slurm",
        .obj(
          (
            "version",
            .obj(("major", .int(version >= 40 ? 23 : 22)), ("micro", .int(8)), ("minor", .int(version >= 40 ? 11 : 5)))
          ),
          ("release", .string(version >= 40 ? "23.11.8" : "22.05.8")))
      ))
  }

  /// `{"meta", "errors", "warnings"}` and `extra`: every slurmrestd answer.
  static func slurmAnswer(_ version: Int, errors: [SimJSON] = [], _ extra: (String, SimJSON)...) -> SimJSON {
    .object(
      [.init("meta", slurmMeta(version)), .init("errors", .array(errors)), .init("warnings", .array([]))]
        + extra.map { SimJSON.Field($0.0, $0.1) })
  }

  /// One slurmrestd error: v0.0.38 names `error` and `error_number`; later versions add
  /// `description` and `source`.
  static func slurmError(_ version: Int, _ number: Int, _ text: String, source: String) -> SimJSON {
    guard version >= 39 else { return .obj(("error", .string(text)), ("error_number", .int(number))) }
    return .obj(
      ("description", .string(text)), ("error_number", .int(number)), ("error", .string(text)),
      ("source", .string(source)))
  }

  /// An unknown or purged job: HTTP 500, error 2017.
  static func slurmInvalidJob(_ version: Int, _ id: String) -> Reply {
    .json(
      500,
      slurmAnswer(
        version, errors: [slurmError(version, 2017, "Invalid job id specified", source: "_handle_job_get")],
        ("jobs", .array([]))
      ).text)
  }

  /// `GET /slurm/VERSION/job/ID`: `{"jobs": [{...}]}`, `job_state` a string (up to v0.0.39) or a
  /// list of the base state and its flags (v0.0.40 on), `exit_code` the raw wait status
  /// (v0.0.38: 768 for exit 3) or an object.
  static func slurmJob(_ job: SimulatedJob, at time: Double, version: Int, numericID: Int) -> SimJSON {
    let list = version >= 40
    var state: [String]
    var reason = "None"
    var returnCode = 0
    switch NamedAPITimelines.phase(job, at: time) {
    case .waiting:
      state = ["PENDING"]
      reason = "Priority"
    case .running(let f):
      state = ["RUNNING"]
      if f >= 0.8 && job.cancelAt == nil {
        // The epilog: a string says COMPLETING, a list the state it will end in and the flag.
        state =
          list
          ? [job.fails ? "FAILED" : job.id.contains("weird") ? "SPECIAL_EXIT" : "COMPLETED", "COMPLETING"]
          : ["COMPLETING"]
        if job.fails {
          reason = "NonZeroExitCode"
          returnCode = 3
        }
      }
    case .done:
      if NamedAPITimelines.canceled(job) {
        state = ["CANCELLED"]
      } else if job.id.contains("weird") {
        state = ["SPECIAL_EXIT"]
      } else if job.fails {
        state = ["FAILED"]
        reason = "NonZeroExitCode"
        returnCode = 3
      } else {
        state = ["COMPLETED"]
      }
    }
    let exitCode: SimJSON
    if version >= 40 {
      func number(_ n: Int, set: Bool = true) -> SimJSON {
        .obj(("set", .bool(set)), ("infinite", .bool(false)), ("number", .int(n)))
      }
      exitCode = .obj(
        ("status", .array([.string(returnCode == 0 ? "SUCCESS" : "ERROR")])), ("return_code", number(returnCode)),
        ("signal", .obj(("id", number(0, set: false)), ("name", .string("")))))
    } else {
      exitCode = .int(returnCode << 8)
    }
    let record = SimJSON.obj(
      ("job_id", .int(numericID)), ("name", .string(job.type)), ("partition", .string("debug")),
      ("job_state", list ? .array(state.map(SimJSON.string)) : .string(state[0])), ("state_reason", .string(reason)),
      ("exit_code", exitCode), ("user_name", .string("jobctl")))
    return slurmAnswer(version, ("jobs", .array([record])))
  }

  // MARK: Ray Jobs

  static func rayJob(_ job: SimulatedJob, at time: Double, entrypoint: String) -> SimJSON {
    var status: String
    var message: String
    var errorType = SimJSON.null
    var endTime = SimJSON.null
    switch NamedAPITimelines.phase(job, at: time) {
    case .waiting:
      status = "PENDING"
      message = "Job has not started yet. It may be waiting for the runtime environment to be set up."
    case .running:
      status = "RUNNING"
      message = "Job is currently running."
    case .done:
      endTime = .int(1_764_547_206_000)
      if NamedAPITimelines.canceled(job) {
        status = "STOPPED"
        message = "Job was intentionally stopped."
      } else if job.id.contains("weird") {
        status = "ZOMBIE"
        message = "Job is in a state this server made up."
      } else if job.fails {
        status = "FAILED"
        message =
          "Job entrypoint command failed with exit code 1, last available logs (truncated to 20,000 chars):\nValueError: boom\n"
        errorType = .string("JOB_ENTRYPOINT_COMMAND_ERROR")
      } else {
        status = "SUCCEEDED"
        message = "Job finished successfully."
      }
    }
    return .obj(
      ("type", .string("SUBMISSION")), ("job_id", .string(rayJobID(job.sequence))),
      ("submission_id", .string(job.id)), ("driver_info", .null), ("status", .string(status)),
      ("entrypoint", .string(entrypoint)), ("message", .string(message)), ("error_type", errorType),
      ("start_time", .int(1_764_547_200_000)), ("end_time", endTime), ("metadata", .obj()), ("runtime_env", .obj()),
      ("driver_agent_http_address", .string("http://127.0.0.1:52365")), ("driver_node_id", .string("f00d")))
  }

  /// Ray's job ids are hex numbers such as `02000000`.
  static func rayJobID(_ sequence: Int) -> String {
    let hex = String(sequence, radix: 16)
    return String(repeating: "0", count: max(0, 2 - hex.count)) + hex + "000000"
  }

  /// What the job printed so far.
  static func rayLogs(_ job: SimulatedJob, at time: Double) -> String {
    switch NamedAPITimelines.phase(job, at: time) {
    case .waiting: return ""
    case .running: return "hello from \(job.id)\n"
    case .done:
      if job.fails && !NamedAPITimelines.canceled(job) {
        return
          "hello from \(job.id)\nTraceback (most recent call last):\n  File \"main.py\", line 3\nValueError: boom\n"
      }
      return "hello from \(job.id)\nworld\n"
    }
  }

  // MARK: Celery through Flower

  static func flowerResult(_ job: SimulatedJob, at time: Double) -> SimJSON {
    var fields: [(String, SimJSON)] = [("task-id", .string(job.id))]
    switch NamedAPITimelines.phase(job, at: time) {
    case .waiting:
      fields.append(("state", .string(time < 0.5 ? "PENDING" : "RECEIVED")))
    case .running(let f):
      // A task may set a state of its own (`self.update_state(state="PROGRESS")`).
      fields.append(("state", .string(job.id.contains("weird") ? "PROGRESS" : f < 0.5 ? "STARTED" : "RETRY")))
    case .done:
      if NamedAPITimelines.canceled(job) {
        fields.append(("state", .string("REVOKED")))
        fields.append(("result", .string("TaskRevokedError('terminated')")))
      } else if job.fails {
        fields.append(("state", .string("FAILURE")))
        fields.append(("result", .string("ZeroDivisionError('division by zero')")))
        fields.append(
          (
            "traceback",
            .string(
              "Traceback (most recent call last):\n  File \"tasks.py\", line 9, in divide\n    return x / y\nZeroDivisionError: division by zero\n"
            )
          ))
      } else {
        fields.append(("state", .string("SUCCESS")))
        fields.append(("result", .int(42)))
      }
    }
    return .object(fields.map { SimJSON.Field($0.0, $0.1) })
  }
}

extension SimulatorState {
  /// Slurm, Ray Jobs and Flower routes; nil for any other path.
  mutating func clusterRoutes(_ parts: [String], _ context: Context) -> Reply? {
    if parts.count >= 2, parts[0] == "slurm" { return slurmRoutes(parts, context) }
    if parts.count >= 2, parts[0] == "api", parts[1] == "jobs" { return rayRoutes(parts, context) }
    if parts.count >= 3, parts[0] == "api", parts[1] == "task" { return flowerRoutes(parts, context) }
    return nil
  }

  /// slurmrestd: submit, job, cancel; an unknown job is HTTP 500 with error 2017.
  private mutating func slurmRoutes(_ parts: [String], _ context: Context) -> Reply {
    guard let version = ClusterTimelines.slurmVersion(parts[1]) else {
      return .text(404, "Unable find requested URL", contentType: "text/plain")
    }
    if context.matches("POST", "slurm", nil, "job", "submit") {
      let name = SimJSON.parse(context.request.body)?["job"]?["name"].flatMap {
        if case .string(let s) = $0 { return s } else { return nil }
      }
      let id = String(1000 + nextSequence + 1)
      var job = create(.slurm, id: id, type: name ?? "batch", context)
      job.fails = name?.contains("fail") == true
      jobs[id] = job
      return .json(
        200,
        ClusterTimelines.slurmAnswer(
          version, ("job_id", .int(Int(id) ?? 0)), ("step_id", .string("batch")), ("job_submit_user_msg", .string(""))
        ).text)
    }
    guard parts.count == 4, parts[2] == "job" else { return .text(404, "Unable find requested URL") }
    let found = job(parts[3], shapes: [.slurm], context)
    if context.matches("GET", "slurm", nil, "job", nil) {
      guard let job = found else { return ClusterTimelines.slurmInvalidJob(version, parts[3]) }
      return .json(
        200,
        ClusterTimelines.slurmJob(
          job, at: context.elapsed(job), version: version, numericID: Int(job.id) ?? job.sequence
        )
        .text)
    }
    if context.matches("DELETE", "slurm", nil, "job", nil) {
      guard var job = found else { return ClusterTimelines.slurmInvalidJob(version, parts[3]) }
      let time = context.elapsed(job)
      guard NamedAPITimelines.phase(job, at: time) != .done else {
        return .json(
          500,
          ClusterTimelines.slurmAnswer(
            version,
            errors: [
              ClusterTimelines.slurmError(
                version, 2021, "Job/step already completing or completed", source: "_handle_job_delete")
            ]
          ).text)
      }
      if job.cancelAt == nil { job.cancelAt = time + 1 }
      jobs[job.id] = job
      return .json(200, ClusterTimelines.slurmAnswer(version).text)
    }
    return .text(405, "Method Not Allowed")
  }

  /// Ray Jobs: `POST /api/jobs/`, `GET /api/jobs/ID`, `POST /api/jobs/ID/stop`,
  /// `GET /api/jobs/ID/logs`; errors are plain text, as Ray's dashboard answers them.
  private mutating func rayRoutes(_ parts: [String], _ context: Context) -> Reply? {
    if context.matches("POST", "api", "jobs", "") {
      guard case .object? = SimJSON.parse(context.request.body),
        case .string(let entrypoint)? = SimJSON.parse(context.request.body)?["entrypoint"]
      else {
        return .text(400, "Failed to parse request body: entrypoint is required")
      }
      var id = "raysubmit_" + random.hex(16)
      if case .string(let asked)? = SimJSON.parse(context.request.body)?["submission_id"] {
        // Ray ignores Idempotency-Key; a submission id sent again is refused.
        guard jobs[asked] == nil else { return .text(500, "Job with submission_id \(asked) already exists.") }
        id = asked
      }
      var job = create(.rayJob, id: id, type: entrypoint, context)
      job.fails = entrypoint.contains("fail")
      jobs[id] = job
      return .json(
        200,
        SimJSON.obj(("job_id", .string(ClusterTimelines.rayJobID(job.sequence))), ("submission_id", .string(id))).text)
    }
    guard parts.count >= 3, !parts[2].isEmpty else { return nil }
    guard let job = job(parts[2], shapes: [.rayJob], context) else {
      return .text(404, "Job \(parts[2]) does not exist")
    }
    let time = context.elapsed(job)
    if context.matches("GET", "api", "jobs", nil) {
      return .json(200, ClusterTimelines.rayJob(job, at: time, entrypoint: job.type).text)
    }
    if context.matches("POST", "api", "jobs", nil, "stop") {
      guard NamedAPITimelines.phase(job, at: time) != .done else { return .json(200, #"{"stopped": false}"#) }
      var stopped = job
      if stopped.cancelAt == nil { stopped.cancelAt = time + 1 }
      jobs[job.id] = stopped
      return .json(200, #"{"stopped": true}"#)
    }
    if context.matches("GET", "api", "jobs", nil, "logs") {
      return .json(200, SimJSON.obj(("logs", .string(ClusterTimelines.rayLogs(job, at: time)))).text)
    }
    return nil
  }

  /// Flower: `POST /api/task/async-apply/NAME`, `GET /api/task/result/ID` (PENDING for any id it
  /// does not know), `POST /api/task/revoke/ID?terminate=true`.
  private mutating func flowerRoutes(_ parts: [String], _ context: Context) -> Reply? {
    if context.matches("POST", "api", "task", "async-apply", nil) {
      guard !parts[3].contains("nosuch") else {
        // Flower's own error pages are empty; the status says it.
        return Reply(status: 404)
      }
      let hex = random.hex(32)
      let chars = Array(hex)
      let id = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
      var job = create(.celeryFlower, id: id, type: parts[3], context)
      job.fails = parts[3].contains("fail")
      jobs[id] = job
      return .json(200, SimJSON.obj(("task-id", .string(id)), ("state", .string("PENDING"))).text)
    }
    if context.matches("GET", "api", "task", "result", nil) {
      guard let job = job(parts[3], shapes: [.celeryFlower], context) else {
        // Celery cannot tell a task it never saw from one waiting in the queue.
        return .json(200, SimJSON.obj(("task-id", .string(parts[3])), ("state", .string("PENDING"))).text)
      }
      return .json(200, ClusterTimelines.flowerResult(job, at: context.elapsed(job)).text)
    }
    if context.matches("POST", "api", "task", "revoke", nil) {
      if var job = job(parts[3], shapes: [.celeryFlower], context) {
        let time = context.elapsed(job)
        // Without terminate=true a task already running goes on.
        let terminate = context.request.queryValue("terminate") == "true"
        let phase = NamedAPITimelines.phase(job, at: time)
        if job.cancelAt == nil, phase == .waiting || (terminate && phase != .done) {
          job.cancelAt = time + 1
          jobs[job.id] = job
        }
      }
      return .json(200, SimJSON.obj(("message", .string("Revoked '\(parts[3])'"))).text)
    }
    return nil
  }
}
