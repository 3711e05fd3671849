/// Jobs in the shapes of public job APIs, so jobctl's named shapes can be tried without them.
///
/// GitHub Actions runs, Google operations, Azure status monitors (and `Location` polling), an
/// HTTP 202 export, OpenAI batches, Replicate predictions and Anthropic message batches. Each job runs for `runsFor` timeline seconds; an id holding `fail`
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

  /// What a `Location` poll answers once done: the resource itself, whose own `status` is no
  /// operation's (a status monitor's conditions would read it as still running).
  static func azureResource(_ job: SimulatedJob) -> SimJSON {
    .obj(
      ("id", .string("/azure/things/\(job.id)")), ("status", .string("Ready")),
      ("properties", .obj(("provisioningState", .string("Succeeded")))))
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
    // A batch named "partial" completes with two of its requests failed.
    let failed = status == "completed" && job.id.contains("partial") ? 2 : 0
    fields.append(
      (
        "request_counts",
        .obj(("total", .int(batchRequests)), ("completed", .int(completed - failed)), ("failed", .int(failed)))
      ))
    return .object(fields.map { SimJSON.Field($0.0, $0.1) })
  }

  /// A finished batch's output file: one JSON line per request.
  static func batchOutput(_ id: String) -> [UInt8] {
    var text = ""
    for n in 1...batchRequests { text += #"{"custom_id":"request-\#(n)","response":{"status_code":200}}"# + "\n" }
    return Array(text.utf8)
  }

  // MARK: Replicate predictions

  static func replicatePrediction(_ job: SimulatedJob, at time: Double, baseURL: String) -> SimJSON {
    let url = "\(baseURL)/v1/predictions/\(job.id)"
    var status: String
    var output = SimJSON.null
    var error = SimJSON.null
    var logs = ""
    switch phase(job, at: time) {
    case .waiting: status = "starting"
    case .running(let f):
      status = "processing"
      logs = "step \(percent(f))%"
    case .done:
      if canceled(job) {
        status = job.id.contains("abort") ? "aborted" : "canceled"
      } else if job.fails {
        status = "failed"
        error = .string("CUDA out of memory")
      } else {
        status = "succeeded"
        output = .array([.string("\(baseURL)/delivery/\(job.id)/out-0.txt")])
      }
    }
    return .obj(
      ("id", .string(job.id)), ("model", .string("acme/painter")), ("status", .string(status)), ("output", output),
      ("error", error), ("logs", .string(logs)),
      ("urls", .obj(("get", .string(url)), ("cancel", .string(url + "/cancel")))))
  }

  /// A succeeded prediction's first output file.
  static func predictionOutput(_ id: String) -> [UInt8] { Array("a red apple on a table (\(id))\n".utf8) }

  // MARK: Anthropic message batches

  static func anthropicBatch(_ job: SimulatedJob, at time: Double, baseURL: String) -> SimJSON {
    let total = batchRequests
    var status = "in_progress"
    var processing = total
    var succeeded = 0
    var errored = 0
    var canceledCount = 0
    var endedAt = SimJSON.null
    var resultsURL = SimJSON.null
    switch phase(job, at: time) {
    case .waiting: break
    case .running(let f):
      succeeded = min(total - 1, Int((f * Double(total)).rounded(.down)))
      processing = total - succeeded
      if job.cancelAt != nil { status = "canceling" }
    case .done:
      status = "ended"
      processing = 0
      endedAt = .string("2026-01-01T00:00:06Z")
      resultsURL = .string("\(baseURL)/v1/messages/batches/\(job.id)/results")
      if canceled(job) {
        succeeded = 1
        canceledCount = total - 1
      } else if job.fails {
        succeeded = total - 1
        errored = 1
      } else {
        succeeded = total
      }
    }
    return .obj(
      ("id", .string(job.id)), ("type", .string("message_batch")), ("processing_status", .string(status)),
      (
        "request_counts",
        .obj(
          ("processing", .int(processing)), ("succeeded", .int(succeeded)), ("errored", .int(errored)),
          ("canceled", .int(canceledCount)), ("expired", .int(0)))
      ),
      ("ended_at", endedAt), ("created_at", .string("2026-01-01T00:00:00Z")),
      ("cancel_initiated_at", job.cancelAt == nil ? .null : .string("2026-01-01T00:00:02Z")),
      ("results_url", resultsURL))
  }

  /// An ended batch's results: one JSON line per request.
  static func anthropicResults(_ job: SimulatedJob) -> [UInt8] {
    var text = ""
    for n in 1...batchRequests {
      let type = job.fails && n == batchRequests ? "errored" : canceled(job) && n > 1 ? "canceled" : "succeeded"
      text += #"{"custom_id":"request-\#(n)","result":{"type":"\#(type)"}}"# + "\n"
    }
    return Array(text.utf8)
  }

  /// Anthropic's answer to a request without `anthropic-version` (400) or `x-api-key` (401).
  static func anthropicHeadersMissing(_ request: Request) -> Reply? {
    func refusal(_ status: Int, _ type: String, _ message: String) -> Reply {
      .json(
        status,
        SimJSON.obj(
          ("type", .string("error")), ("error", .obj(("type", .string(type)), ("message", .string(message))))
        ).text)
    }
    guard request.header("anthropic-version") == "2023-06-01" else {
      return refusal(400, "invalid_request_error", "anthropic-version: header is required (2023-06-01)")
    }
    guard let key = request.header("x-api-key"), !key.isEmpty else {
      return refusal(401, "authentication_error", "x-api-key header is required")
    }
    return nil
  }
}
