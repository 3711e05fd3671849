import JobctlSupport

/// Every shape jobctl knows, each one a description in the language of docs/shapes.md "Any job
/// API": the four built-in shapes `auto` chooses from, and the named public APIs.
///
/// Adding an API is adding a description here (and its tests); no engine or command code changes.
package enum Dialects {
  /// Vocdoni-style: `pending|completed|failed`, always HTTP 200, `error` or `errors`.
  static let simpleShape = ShapeDescription(
    name: "simple",
    [
      .init("completed-when", ["status=completed"]),
      .init("failed-when", ["status=failed"]),
      .init("pending-when", ["status=pending"]),
      .init("idempotent-start", ["true"]),
    ])

  /// HotCRP's `/job`: `wait|run|done|failed`, 202 while running, `update_at`, `message_list`;
  /// `done` with any `exit_status` but `0`, `"0"` and `false` (or none) failed, and so did an
  /// answer with `ok: false`.
  static let hotcrpShape = ShapeDescription(
    name: "hotcrp",
    [
      .init("completed-when", ["status=done"]),
      .init(
        "failed-when",
        [
          "status=failed", "ok=false,0", "status=done & exit_status!=0,false,null",
          #"status=done & exit_status="false","null""#,
        ]),
      .init("pending-when", ["status=wait"]),
      .init("running-when", ["status=run"]),
      .init("progress-path", ["progress"]),
      .init("updated-path", ["update_at"]),
      .init("id-path", ["job"]),
      .init("url-path", ["job_url"]),
      .init("jobs-path", ["/job?job={id}"]),
      .init("output-url", ["{url}&output={as}"]),
      .init("idempotent-start", ["true"]),
    ])

  /// Staged jobs: `running|completed|failed|canceled`, `progress` in [0, 1], `stage`.
  static let stagedShape = ShapeDescription(
    name: "staged",
    [
      .init("completed-when", ["status=completed"]),
      .init("failed-when", ["status=failed"]),
      .init("canceled-when", ["status=canceled,cancelled"]),
      .init("pending-when", ["status=pending,queued"]),
      .init("running-when", ["status=running"]),
      .init("progress-path", ["progress"]),
      .init("stage-path", ["stage"]),
      .init("idempotent-start", ["true"]),
    ])

  /// Bulk member imports: no status, `progress` 0..100, done at 100, failed with `errors`.
  static let progressShape = ShapeDescription(
    name: "progress",
    [
      .init("completed-when", ["progress>=100"]),
      .init("failed-when", ["progress>=100 & errors"]),
      .init("pending-when", ["progress<=0"]),
      .init("running-when", ["progress>0"]),
      .init("progress-path", ["progress / 100"]),
      .init("idempotent-start", ["true"]),
    ])

  /// GitHub Actions workflow runs (a JOB is the run's API URL).
  static let githubRun = ShapeDescription(
    name: "github-run",
    [
      .init("completed-when", ["status=completed & conclusion=success,neutral,skipped"]),
      .init(
        "failed-when", ["status=completed & conclusion=failure,timed_out,startup_failure,action_required,stale"]),
      .init("canceled-when", ["status=completed & conclusion=cancelled"]),
      .init("pending-when", ["status=queued,waiting,requested,pending"]),
      .init("running-when", ["status=in_progress"]),
      .init("id-path", ["id"]),
      .init("url-path", ["url"]),
      .init("idempotent-start", ["false"]),
      .init("shape-header", ["Accept: application/vnd.github+json", "X-GitHub-Api-Version: 2022-11-28"]),
    ])

  /// Google long-running operations: `done`, then `error` (code 1 is a cancel) or `response`.
  static let googleOperation = ShapeDescription(
    name: "google-operation",
    [
      .init("completed-when", ["done"]),
      .init("failed-when", ["done & error"]),
      .init("canceled-when", ["done & error.code=1"]),
      .init("running-when", ["!done"]),
      .init("progress-path", ["metadata.progressPercent / 100"]),
      .init("message-path", ["error.message"]),
      .init("id-path", ["name"]),
      .init("jobs-path", ["/{+id}"]),
      .init("cancel", ["POST {url}:cancel"]),
      .init("idempotent-start", ["true"]),
    ])

  /// Azure status monitors (`Azure-AsyncOperation`, `Operation-Location`); a `Location` alone is
  /// polled as `http-202`: it answers 202 while the work runs, then the result itself, which a
  /// status monitor's conditions would misread.
  static let azureOperation = ShapeDescription(
    name: "azure-operation",
    [
      .init("completed-when", ["status=Succeeded"]),
      .init("failed-when", ["status=Failed"]),
      .init("canceled-when", ["status=Canceled,Cancelled"]),
      .init("pending-when", ["status=NotStarted"]),
      .init("running-when", ["status"]),
      .init("progress-path", ["percentComplete / 100"]),
      .init("message-path", ["error.message"]),
      .init("id-path", ["none"]),
      .init(
        "url-path", ["@header:Azure-AsyncOperation", "@header:Operation-Location", "@header:Location as http-202"]),
      .init("cancel", ["none"]),
      .init("idempotent-start", ["true"]),
      // azure-core's final GET: PUT and PATCH the resource they were sent to, POST and DELETE the
      // start's `Location`, else the monitor's `resourceLocation`.
      .init("final-url", ["PUT,PATCH {start-url}", "POST,DELETE {start-header:Location}", "{+.resourceLocation}"]),
      // A resource answered at once (200 or 201, no monitor) whose provisioning already ended.
      .init(
        "start-completed-when",
        ["@http=200,201 & properties.provisioningState=Succeeded", "@http=200,201 & provisioningState=Succeeded"]),
      .init(
        "start-failed-when",
        ["@http=200,201 & properties.provisioningState=Failed", "@http=200,201 & provisioningState=Failed"]),
      .init(
        "start-canceled-when",
        [
          "@http=200,201 & properties.provisioningState=Canceled,Cancelled",
          "@http=200,201 & provisioningState=Canceled,Cancelled",
        ]),
    ])

  /// Any API that answers 202 while the work runs and the result once done.
  static let http202 = ShapeDescription(
    name: "http-202",
    [
      .init("completed-when", ["@http=200,201,204"]),
      .init("running-when", ["@http=202"]),
      .init("id-path", ["none"]),
      .init("url-path", ["@header:Location"]),
      .init("cancel", ["none"]),
      .init("idempotent-start", ["true"]),
    ])

  /// OpenAI batches.
  static let openaiBatch = ShapeDescription(
    name: "openai-batch",
    [
      .init("completed-when", ["status=completed"]),
      .init("failed-when", ["status=failed,expired"]),
      .init("canceled-when", ["status=cancelled"]),
      .init("pending-when", ["status=validating"]),
      .init("running-when", ["status=in_progress,finalizing,cancelling"]),
      .init("warn-when", ["request_counts.failed>0"]),
      .init("progress-path", ["request_counts.completed / request_counts.total"]),
      .init("message-path", ["errors.data.*.message"]),
      .init("id-path", ["id"]),
      .init("jobs-path", ["/batches/{id}"]),
      .init("output-url", ["/v1/files/{.output_file_id}/content"]),
      .init("idempotent-start", ["true"]),
    ])

  /// Replicate predictions.
  static let replicate = ShapeDescription(
    name: "replicate",
    [
      .init("completed-when", ["status=succeeded"]),
      .init("failed-when", ["status=failed"]),
      .init("canceled-when", ["status=canceled,aborted"]),
      .init("pending-when", ["status=starting"]),
      .init("running-when", ["status=processing"]),
      .init("message-path", ["error"]),
      .init("id-path", ["id"]),
      .init("url-path", ["urls.get", "@header:Location"]),
      .init("jobs-path", ["/predictions/{id}"]),
      .init("output-url", ["{+.output}"]),
      .init("idempotent-start", ["false"]),
    ])

  /// Anthropic message batches: `ended` is the only terminal status, canceled ones carry
  /// `cancel_initiated_at`.
  static let anthropicBatch = ShapeDescription(
    name: "anthropic-batch",
    [
      .init("completed-when", ["processing_status=ended"]),
      .init("canceled-when", ["processing_status=ended & cancel_initiated_at"]),
      .init("running-when", ["processing_status=in_progress,canceling"]),
      .init("warn-when", ["request_counts.errored>0", "request_counts.expired>0"]),
      .init("id-path", ["id"]),
      .init("jobs-path", ["/messages/batches/{id}"]),
      .init("output-url", ["{+.results_url}"]),
      .init("idempotent-start", ["false"]),
      .init("shape-header", ["anthropic-version: 2023-06-01"]),
    ])

  /// Slurm's REST API (`slurmrestd`), the API version in the base URL (`.../slurm/v0.0.38`).
  ///
  /// `job_state` is a string up to Slurm 23.02 and a list (a base state and flags such as
  /// `COMPLETING`) from 23.11, so every condition is written for both. A failed job's reason
  /// and exit code (v0.0.38's raw wait status, or v0.0.40's `return_code.number`) are its error.
  static let slurm = ShapeDescription(
    name: "slurm",
    [
      .init("completed-when", ["jobs.0.job_state=COMPLETED", "jobs.0.job_state.*=COMPLETED"]),
      .init(
        "failed-when",
        [
          "jobs.0.job_state=FAILED,TIMEOUT,NODE_FAIL,OUT_OF_MEMORY,BOOT_FAIL,DEADLINE,PREEMPTED",
          "jobs.0.job_state.*=FAILED,TIMEOUT,NODE_FAIL,OUT_OF_MEMORY,BOOT_FAIL,DEADLINE,PREEMPTED",
        ]),
      .init("canceled-when", ["jobs.0.job_state=CANCELLED", "jobs.0.job_state.*=CANCELLED"]),
      .init("pending-when", ["jobs.0.job_state=PENDING,CONFIGURING", "jobs.0.job_state.*=PENDING,CONFIGURING"]),
      .init(
        "running-when",
        ["jobs.0.job_state=RUNNING,COMPLETING,SUSPENDED", "jobs.0.job_state.*=RUNNING,COMPLETING,SUSPENDED"]),
      .init("warn-when", ["jobs.0.exit_code>0", "jobs.0.exit_code.return_code.number>0"]),
      .init("message-path", ["jobs.0.state_reason", "jobs.0.exit_code", "jobs.0.exit_code.return_code.number"]),
      .init("id-path", ["job_id"]),
      .init("url-path", ["none"]),
      .init("jobs-path", ["/job/{id}"]),
      .init("cancel", ["DELETE {url}"]),
      .init("idempotent-start", ["false"]),
      // Error 2017 only ever means a job Slurm does not know (never was, or purged after
      // MinJobAge); a job's own answer has `"errors": []`.
      .init("gone-when", ["errors.*.error_number=2017"]),
    ])

  /// Ray Jobs (the dashboard's REST API): a job is its `submission_id`; its output is its logs.
  static let rayJob = ShapeDescription(
    name: "ray-job",
    [
      .init("completed-when", ["status=SUCCEEDED"]),
      .init("failed-when", ["status=FAILED"]),
      .init("canceled-when", ["status=STOPPED"]),
      .init("pending-when", ["status=PENDING"]),
      .init("running-when", ["status=RUNNING"]),
      // A succeeded job's `message` ("Job finished successfully.") is no warning.
      .init("warn-when", ["error_type"]),
      .init("message-path", ["message"]),
      .init("id-path", ["submission_id"]),
      .init("url-path", ["none"]),
      .init("jobs-path", ["/api/jobs/{id}"]),
      .init("cancel", ["POST {url}/stop"]),
      // Ray answers a stop of a job that already ended `{"stopped": false}`.
      .init("cancel-accepted-when", ["stopped=true"]),
      .init("cancel-refused-when", ["!stopped"]),
      .init("output-url", ["{url}/logs"]),
      .init("output-path", ["logs"]),
      .init("idempotent-start", ["false"]),
    ])

  /// Celery tasks through Flower's REST API.
  ///
  /// A custom state a task sets is not understood unless
  /// the user names it (`--running-when state=STARTED,RETRY,PROGRESS`); Flower answers PENDING
  /// for any id it does not know.
  static let celeryFlower = ShapeDescription(
    name: "celery-flower",
    [
      .init("completed-when", ["state=SUCCESS"]),
      .init("failed-when", ["state=FAILURE"]),
      .init("canceled-when", ["state=REVOKED"]),
      .init("pending-when", ["state=PENDING,RECEIVED"]),
      .init("running-when", ["state=STARTED,RETRY"]),
      // A succeeded task's `result` is its result, not a warning.
      .init("warn-when", ["traceback"]),
      .init("message-path", ["result", "traceback"]),
      .init("id-path", ["task-id"]),
      .init("url-path", ["none"]),
      .init("jobs-path", ["/api/task/result/{id}"]),
      .init("cancel", ["POST /api/task/revoke/{id}?terminate=true"]),
      .init("idempotent-start", ["false"]),
    ])

  /// An AWS error code (`__type` of the JSON protocols) as a COND.
  ///
  /// HTTP 400 and any of `codes`, bare or after one of `namespaces` and `#`, as SDKs accept them (the Smithy shape id
  /// `com.amazonaws.glue#...`, a service's older one, common throttling's
  /// `com.amazon.coral.availability#`). COND has no "ends with", so each spelling is listed.
  static func awsError(_ codes: [String], namespaces: [String]) -> String {
    "@http=400 & __type=" + codes.flatMap { code in [code] + namespaces.map { "\($0)#\(code)" } }.joined(separator: ",")
  }

  /// Where common throttling comes from.
  static let coral = "com.amazon.coral.availability"
  /// Step Functions' error namespaces: its Smithy one, the one it sends from its SWF roots, and
  /// the one moto (an AWS-compatible server) sends.
  static let sfnNamespaces = ["com.amazonaws.sfn", "com.amazonaws.swf.base.model", "AWSStepFunctions"]

  /// AWS Step Functions executions, through the JSON protocol (`X-Amz-Target`), signed.
  ///
  /// `PENDING_REDRIVE` is an execution RedriveExecution has been accepted for: it runs again, so
  /// it is pending, not the failure it was. `aws-sigv4 = aws:amz` leaves region and service to
  /// libcurl, which reads them from the host (`states.us-east-1.amazonaws.com`). StartExecution
  /// ignores `Idempotency-Key` (it is idempotent only by the execution `name`, for STANDARD
  /// workflows), so a start is not sent again.
  static let awsSFN = ShapeDescription(
    name: "aws-sfn",
    [
      .init("completed-when", ["status=SUCCEEDED"]),
      .init("failed-when", ["status=FAILED,TIMED_OUT"]),
      .init("canceled-when", ["status=ABORTED"]),
      .init("pending-when", ["status=PENDING_REDRIVE"]),
      .init("running-when", ["status=RUNNING"]),
      // A succeeded execution has neither.
      .init("message-path", ["error", "cause"]),
      .init("id-path", ["executionArn"]),
      .init("url-path", ["none"]),
      .init("jobs-path", ["/{id}"]),
      .init("poll", ["POST /"]),
      .init("poll-data", [#"{"executionArn":"{id}"}"#]),
      .init("poll-header", ["X-Amz-Target: AWSStepFunctions.DescribeExecution"]),
      .init("cancel", ["POST /"]),
      .init("cancel-data", [#"{"executionArn":"{id}"}"#]),
      .init("cancel-header", ["X-Amz-Target: AWSStepFunctions.StopExecution"]),
      .init("start-header", ["X-Amz-Target: AWSStepFunctions.StartExecution"]),
      .init("idempotent-start", ["false"]),
      .init("shape-header", ["Content-Type: application/x-amz-json-1.0"]),
      .init("retry-when", [awsError(["ThrottlingException"], namespaces: sfnNamespaces + [coral])]),
      .init("gone-when", [awsError(["ExecutionDoesNotExist"], namespaces: sfnNamespaces)]),
      .init("aws-sigv4", ["aws:amz"]),
    ])

  /// Amazon Athena query executions (JSON protocol 1.1, `AmazonAthena.*`).
  ///
  /// A query Athena does not know is a 400 InvalidRequestException, the answer to any bad request
  /// too, so it is not taken as gone. StartQueryExecution's own idempotency token is
  /// `ClientRequestToken` in the body, not `Idempotency-Key`.
  static let awsAthena = ShapeDescription(
    name: "aws-athena",
    [
      .init("completed-when", ["QueryExecution.Status.State=SUCCEEDED"]),
      .init("failed-when", ["QueryExecution.Status.State=FAILED"]),
      .init("canceled-when", ["QueryExecution.Status.State=CANCELLED"]),
      .init("pending-when", ["QueryExecution.Status.State=QUEUED"]),
      .init("running-when", ["QueryExecution.Status.State=RUNNING"]),
      .init("warn-when", ["QueryExecution.Status.AthenaError"]),
      .init(
        "message-path", ["QueryExecution.Status.StateChangeReason", "QueryExecution.Status.AthenaError.ErrorMessage"]),
      .init("id-path", ["QueryExecutionId"]),
      .init("url-path", ["none"]),
      .init("jobs-path", ["/{id}"]),
      .init("poll", ["POST /"]),
      .init("poll-data", [#"{"QueryExecutionId":"{id}"}"#]),
      .init("poll-header", ["X-Amz-Target: AmazonAthena.GetQueryExecution"]),
      .init("cancel", ["POST /"]),
      .init("cancel-data", [#"{"QueryExecutionId":"{id}"}"#]),
      .init("cancel-header", ["X-Amz-Target: AmazonAthena.StopQueryExecution"]),
      .init("start-header", ["X-Amz-Target: AmazonAthena.StartQueryExecution"]),
      .init("idempotent-start", ["false"]),
      .init("shape-header", ["Content-Type: application/x-amz-json-1.1"]),
      .init(
        "retry-when",
        [awsError(["ThrottlingException", "TooManyRequestsException"], namespaces: ["com.amazonaws.athena", coral])]),
      .init("aws-sigv4", ["aws:amz"]),
    ])

  /// AWS Glue job runs (JSON protocol 1.1, `AWSGlue.*`).
  ///
  /// GetJobRun and BatchStopJobRun name the job as well as the run, and StartJobRun answers the
  /// run's id alone, so the job's name is the user's to give: `--poll-data` and `--cancel-data`
  /// (or a `[dialect aws-glue]` section) with `"JobName"`; the shape's own bodies name none, and
  /// Glue refuses them saying so. `EXPIRED` is in the API's list of states but not in Glue's
  /// documentation of what each means: not understood.
  static let awsGlue = ShapeDescription(
    name: "aws-glue",
    [
      .init("completed-when", ["JobRun.JobRunState=SUCCEEDED"]),
      .init("failed-when", ["JobRun.JobRunState=FAILED,TIMEOUT,ERROR"]),
      .init("canceled-when", ["JobRun.JobRunState=STOPPED"]),
      .init("pending-when", ["JobRun.JobRunState=STARTING,WAITING"]),
      .init("running-when", ["JobRun.JobRunState=RUNNING,STOPPING"]),
      .init("message-path", ["JobRun.ErrorMessage"]),
      .init("id-path", ["JobRunId"]),
      .init("url-path", ["none"]),
      .init("jobs-path", ["/{id}"]),
      .init("poll", ["POST /"]),
      .init("poll-data", [#"{"RunId":"{id}"}"#]),
      .init("poll-header", ["X-Amz-Target: AWSGlue.GetJobRun"]),
      .init("cancel", ["POST /"]),
      .init("cancel-data", [#"{"JobRunIds":["{id}"]}"#]),
      .init("cancel-header", ["X-Amz-Target: AWSGlue.BatchStopJobRun"]),
      .init("start-header", ["X-Amz-Target: AWSGlue.StartJobRun"]),
      .init("idempotent-start", ["false"]),
      .init("shape-header", ["Content-Type: application/x-amz-json-1.1"]),
      .init("retry-when", [awsError(["ThrottlingException"], namespaces: ["com.amazonaws.glue", coral])]),
      .init("gone-when", [awsError(["EntityNotFoundException"], namespaces: ["com.amazonaws.glue"])]),
      .init("aws-sigv4", ["aws:amz"]),
    ])

  /// A shape built from a description that is part of jobctl: its tests prove it parses.
  private static func built(_ description: ShapeDescription, detection: [String] = [], resultKeys: [String] = [])
    -> Dialect
  {
    do {
      return try Dialect(description, detection: detection, resultKeys: resultKeys)
    } catch {
      preconditionFailure("the built-in shape \(description.name) does not parse: \(error)")
    }
  }

  package static let simple = built(
    simpleShape,
    // A key a named API reads as its verdict is never taken for simple: a failed GitHub run says
    // `"status":"completed","conclusion":"failure"`.
    detection: ["status=pending,completed,failed"],
    resultKeys: ["type", "result"])

  package static let hotcrp = built(
    hotcrpShape, detection: ["status=wait,run,done", "update_at & status", "ok & status"],
    resultKeys: ["exit_status", "output_mimetype", "output_size", "output_at"])

  package static let staged = built(
    stagedShape,
    detection: [
      "status=running,canceled,cancelled,queued", "status & stage", "status & kind", "status & error.code",
      "status & error.message",
    ],
    resultKeys: ["kind", "result"])

  package static let progress = built(
    progressShape, detection: ["!status & progress>=0 & total>=0"], resultKeys: ["added", "total"])

  /// What holds under `auto` before a document shows a shape: the defaults, no conditions; a
  /// start's Azure status monitor is polled as `azure-operation`, which `auto` cannot detect.
  package static let autoShape = ShapeDescription(
    name: "auto",
    [
      .init(
        "url-path",
        [
          "locationUrl", "job_url", "@header:Azure-AsyncOperation as azure-operation",
          "@header:Operation-Location as azure-operation", "@header:Location",
        ]),
      .init("idempotent-start", ["true"]),
    ])

  package static let auto = built(autoShape)

  /// The named public APIs, in the order `help dialects` lists them.
  package static let named: [Dialect] = [
    built(githubRun, resultKeys: ["conclusion", "html_url"]),
    built(googleOperation, resultKeys: ["response"]),
    built(azureOperation, resultKeys: ["properties"]),
    built(http202),
    built(openaiBatch, resultKeys: ["output_file_id", "error_file_id", "request_counts"]),
    built(replicate, resultKeys: ["output"]),
    built(anthropicBatch, resultKeys: ["results_url", "request_counts"]),
    built(slurm),
    built(rayJob, resultKeys: ["message", "entrypoint"]),
    built(celeryFlower, resultKeys: ["result"]),
    built(awsSFN, resultKeys: ["output"]),
    built(awsAthena, resultKeys: ["QueryExecution"]),
    built(awsGlue, resultKeys: ["JobRun"]),
  ]

  /// The names of the built-in and named descriptions, for `url-path = PATH as SHAPE`; read
  /// while `named` is being built, so it cannot ask `named`.
  static let describedNames = [
    simpleShape, hotcrpShape, stagedShape, progressShape, githubRun, googleOperation, azureOperation, http202,
    openaiBatch, replicate, anthropicBatch, slurm, rayJob, celeryFlower, awsSFN, awsAthena, awsGlue,
  ].map(\.name)

  /// The shapes `auto` chooses from, in the order it tries them: the most distinctive first,
  /// `simple` last because its statuses are a subset of `staged`'s.
  package static let all: [Dialect] = [hotcrp, progress, staged, simple]

  /// Every shape by name: built-in, then named.
  package static let known: [Dialect] = [simple, hotcrp, staged, progress] + named

  /// The names `--dialect` accepts besides a config file's `[dialect NAME]` sections.
  package static let names = ["auto"] + known.map(\.name)

  package static func named(_ name: String) -> Dialect? {
    known.first(where: { $0.name == name })
  }

  /// The shape a document shows, or nil when none fits.
  ///
  /// A document that carries a key a named API reads as its verdict is never taken for a success:
  /// a failed GitHub run says `"status":"completed","conclusion":"failure"`.
  package static func detect(_ document: JSON) -> Dialect? {
    all.first { dialect in
      guard dialect.matches(document), let snapshot = dialect.read(document) else { return false }
      return snapshot.state != .completed || likelyNamedAPI(JobAnswer(document: document)) == nil
    }
  }

  /// The named API whose verdict key a document carries, if any.
  static func likelyNamedAPI(_ answer: JobAnswer) -> String? {
    verdictConditions.first { $0.condition.holds(answer) }?.dialect
  }

  private static let verdictConditions: [(condition: Condition, dialect: String)] = verdictKeys.compactMap { item in
    (try? Condition(parsing: item.condition)).map { ($0, item.dialect) }
  }

  /// Keys a named API reads as its verdict, and the shape that reads each.
  static let verdictKeys: [(condition: String, dialect: String)] = [
    ("conclusion", "github-run"), ("done", "google-operation"), ("processing_status", "anthropic-batch"),
    ("error.code", "google-operation or azure-operation"), ("error.message", "google-operation or azure-operation"),
    // Azure status monitors: statuses no built-in shape uses, and the monitor's own keys.
    ("status=NotStarted,InProgress,Succeeded", "azure-operation"), ("percentComplete", "azure-operation"),
    ("resourceLocation", "azure-operation"),
  ]

  /// Why `auto` cannot place a document: its keys and status, the likely `--dialect`, and how to
  /// describe the shape instead.
  package static func autoFailure(_ answer: JobAnswer) -> String {
    var text = "no known response shape fits (\(simple.unknownText(answer)))"
    if let likely = likelyNamedAPI(answer) {
      text += "; it looks like --dialect \(likely)"
    } else {
      text += "; name its shape with --dialect"
    }
    return text + ", or describe it with --completed-when and --failed-when (jobctl help dialects)"
  }
}
