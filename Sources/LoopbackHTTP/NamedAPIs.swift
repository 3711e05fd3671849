/// Jobs in the shapes of public job APIs, so jobctl's named shapes can be tried without them.
///
/// GitHub Actions runs, Google operations, Azure status monitors, an HTTP 202
/// export and OpenAI batches. Each job runs for `runsFor` timeline seconds; an id holding `fail`
/// fails, one holding `cancel` ends canceled.
enum NamedAPITimelines {
  static let runsFor = 6.0

  /// How far along a job is: not started (the first second), running with a fraction, or done.
  enum Phase: Equatable {
    case waiting
    case running(Double)
    case done
  }

  static func phase(_ job: SimulatedJob, at time: Double) -> Phase {
    if let cancelAt = job.cancelAt, time >= cancelAt { return .done }
    if time < 1 { return .waiting }
    if time < runsFor { return .running((time - 1) / (runsFor - 1)) }
    return .done
  }

  static func percent(_ fraction: Double) -> Int { Int((fraction * 100).rounded(.down)) }

  static func canceled(_ job: SimulatedJob) -> Bool { job.cancelAt != nil || job.id.contains("cancel") }

  // MARK: GitHub Actions

  static func githubRun(_ job: SimulatedJob, at time: Double, baseURL: String, path: String) -> SimJSON {
    let status: String
    var conclusion = SimJSON.null
    switch phase(job, at: time) {
    case .waiting: status = "queued"
    case .running: status = "in_progress"
    case .done:
      status = "completed"
      conclusion = .string(canceled(job) ? "cancelled" : job.fails ? "failure" : "success")
    }
    return .obj(
      ("id", .number(String(job.sequence))), ("name", .string("CI")), ("status", .string(status)),
      ("conclusion", conclusion), ("url", .string(baseURL + path)),
      ("html_url", .string("https://github.example/o/r/actions/runs/\(job.sequence)")))
  }

  // MARK: Google operations

  static func googleOperation(_ job: SimulatedJob, at time: Double) -> SimJSON {
    let name = SimJSON.string("operations/\(job.id)")
    switch phase(job, at: time) {
    case .waiting:
      return .obj(("name", name), ("metadata", .obj(("progressPercent", .int(0)))))
    case .running(let f):
      return .obj(("name", name), ("metadata", .obj(("progressPercent", .int(percent(f))))), ("done", .bool(false)))
    case .done:
      if canceled(job) {
        return .obj(
          ("name", name), ("done", .bool(true)), ("error", .obj(("code", .int(1)), ("message", .string("CANCELLED")))))
      }
      if job.fails {
        return .obj(
          ("name", name), ("done", .bool(true)),
          ("error", .obj(("code", .int(13)), ("message", .string("transcription failed")))))
      }
      return .obj(
        ("name", name), ("done", .bool(true)), ("response", .obj(("transcript", .string("hello world")))))
    }
  }

  // MARK: Azure

  static func azureOperation(_ job: SimulatedJob, at time: Double) -> SimJSON {
    var fields: [(String, SimJSON)] = [("id", .string("/operations/\(job.id)"))]
    switch phase(job, at: time) {
    case .waiting: fields.append(("status", .string("NotStarted")))
    case .running(let f):
      fields.append(("status", .string("Provisioning")))
      fields.append(("percentComplete", .int(percent(f))))
    case .done:
      if canceled(job) {
        fields.append(("status", .string("Canceled")))
      } else if job.fails {
        fields.append(("status", .string("Failed")))
        fields.append(("error", .obj(("code", .string("QuotaExceeded")), ("message", .string("quota exceeded")))))
      } else {
        fields.append(("status", .string("Succeeded")))
        fields.append(("percentComplete", .int(100)))
      }
    }
    return .object(fields.map { SimJSON.Field($0.0, $0.1) })
  }

  /// Azure answers 400 to a request without `api-version`.
  static func missingAPIVersion() -> Reply {
    .json(
      400,
      SimJSON.obj(
        (
          "error",
          .obj(("code", .string("MissingApiVersionParameter")), ("message", .string("api-version is required")))
        )
      ).text)
  }

  // MARK: OpenAI batches

  static let batchRequests = 4

  static func openaiBatch(_ job: SimulatedJob, at time: Double) -> SimJSON {
    var status: String
    var completed = 0
    var fields: [(String, SimJSON)] = [("id", .string(job.id)), ("object", .string("batch"))]
    switch phase(job, at: time) {
    case .waiting: status = "validating"
    case .running(let f):
      status = f < 0.8 ? "in_progress" : "finalizing"
      completed = min(batchRequests, Int((f * Double(batchRequests)).rounded(.down)))
      if job.cancelAt != nil { status = "cancelling" }
    case .done:
      completed = batchRequests
      if canceled(job) {
        status = "cancelled"
      } else if job.fails {
        status = "failed"
        fields.append(
          (
            "errors",
            .obj(
              ("data", .array([.obj(("code", .string("invalid_json")), ("message", .string("line 2 is not JSON")))])))
          ))
      } else {
        status = "completed"
        fields.append(("output_file_id", .string("file-\(job.id)")))
      }
    }
    fields.insert(("status", .string(status)), at: 2)
    fields.append(
      ("request_counts", .obj(("total", .int(batchRequests)), ("completed", .int(completed)), ("failed", .int(0)))))
    return .object(fields.map { SimJSON.Field($0.0, $0.1) })
  }

  /// A finished batch's output file: one JSON line per request.
  static func batchOutput(_ id: String) -> [UInt8] {
    var text = ""
    for n in 1...batchRequests { text += #"{"custom_id":"request-\#(n)","response":{"status_code":200}}"# + "\n" }
    return Array(text.utf8)
  }
}
