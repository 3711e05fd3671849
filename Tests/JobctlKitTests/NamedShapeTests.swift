import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

private func judge(_ name: String, _ text: String, status: Int = 200, headers: [HTTPHeader] = []) -> Judgement? {
  guard let dialect = Dialects.named(name) else {
    Issue.record("no shape \(name)")
    return nil
  }
  let document = try? JSON.parse(text)
  return dialect.judge(JobAnswer(document: document, status: status, headers: headers))
}

private func state(_ name: String, _ text: String, status: Int = 200) -> JobState? {
  guard case .state(let s, _)? = judge(name, text, status: status) else { return nil }
  return s.state
}

/// Every shape table, document by document; nil means "not understood" (exit 6).
@Suite struct NamedShapeTests {
  @Test(arguments: [
    (#"{"status":"queued","conclusion":null}"#, JobState?.some(.pending)),
    (#"{"status":"waiting"}"#, .pending), (#"{"status":"requested"}"#, .pending), (#"{"status":"pending"}"#, .pending),
    (#"{"status":"in_progress","conclusion":null}"#, .running),
    (#"{"status":"completed","conclusion":"success"}"#, .completed),
    (#"{"status":"completed","conclusion":"neutral"}"#, .completed),
    (#"{"status":"completed","conclusion":"skipped"}"#, .completed),
    (#"{"status":"completed","conclusion":"cancelled"}"#, .canceled),
    (#"{"status":"completed","conclusion":"failure"}"#, .failed),
    (#"{"status":"completed","conclusion":"timed_out"}"#, .failed),
    (#"{"status":"completed","conclusion":"startup_failure"}"#, .failed),
    (#"{"status":"completed","conclusion":"action_required"}"#, .failed),
    (#"{"status":"completed","conclusion":"stale"}"#, .failed),
    (#"{"status":"completed","conclusion":"something_new"}"#, nil), (#"{"status":"exotic"}"#, nil),
  ])
  func githubRun(_ text: String, _ expected: JobState?) {
    #expect(state("github-run", text) == expected)
  }

  @Test(arguments: [
    (#"{"name":"operations/1"}"#, JobState?.some(.running)), (#"{"name":"operations/1","done":false}"#, .running),
    (#"{"done":true,"response":{"x":1}}"#, .completed), (#"{"done":true}"#, .completed),
    (#"{"done":true,"error":{"code":1,"message":"CANCELLED"}}"#, .canceled),
    (#"{"done":true,"error":{"code":13,"message":"internal"}}"#, .failed),
  ])
  func googleOperation(_ text: String, _ expected: JobState?) {
    #expect(state("google-operation", text) == expected)
  }

  @Test func googleProgressAndErrorText() throws {
    guard case .state(let s, _)? = judge("google-operation", #"{"metadata":{"progressPercent":40}}"#) else {
      Issue.record("not judged")
      return
    }
    #expect(s.progress == 0.4)
    guard
      case .state(let f, let why)? = judge("google-operation", #"{"done":true,"error":{"code":5,"message":"gone"}}"#)
    else {
      Issue.record("not judged")
      return
    }
    #expect(f.error == "gone")
    #expect(why.description == "failed: done & error")
  }

  @Test(arguments: [
    (#"{"status":"Succeeded"}"#, 200, JobState?.some(.completed)), (#"{"status":"Failed"}"#, 200, .failed),
    (#"{"status":"Canceled"}"#, 200, .canceled), (#"{"status":"Cancelled"}"#, 200, .canceled),
    (#"{"status":"NotStarted"}"#, 200, .pending), (#"{"status":"Deleting","percentComplete":50}"#, 200, .running),
    // A Location's answers are http-202's to judge (the start switches); a status monitor's
    // conditions do not take them.
    ("", 202, nil), (#"{"id":"/resource/1","name":"r"}"#, 200, nil), ("", 204, nil),
  ])
  func azureOperation(_ text: String, _ status: Int, _ expected: JobState?) {
    #expect(state("azure-operation", text, status: status) == expected)
  }

  @Test(arguments: [
    ("", 202, JobState?.some(.running)), ("anything", 200, .completed), ("", 204, .completed),
    (#"{"x":1}"#, 201, .completed), ("", 203, nil),
  ])
  func http202(_ text: String, _ status: Int, _ expected: JobState?) {
    #expect(state("http-202", text, status: status) == expected)
  }

  @Test(arguments: [
    (#"{"status":"validating"}"#, JobState?.some(.pending)), (#"{"status":"in_progress"}"#, .running),
    (#"{"status":"finalizing"}"#, .running), (#"{"status":"cancelling"}"#, .running),
    (#"{"status":"completed"}"#, .completed), (#"{"status":"failed"}"#, .failed), (#"{"status":"expired"}"#, .failed),
    (#"{"status":"cancelled"}"#, .canceled), (#"{"status":"paused"}"#, nil),
  ])
  func openaiBatch(_ text: String, _ expected: JobState?) {
    #expect(state("openai-batch", text) == expected)
  }

  @Test func openaiProgressWarningsAndErrors() {
    let running = #"{"status":"in_progress","request_counts":{"total":8,"completed":2,"failed":0}}"#
    guard case .state(let r, _)? = judge("openai-batch", running) else {
      Issue.record("not judged")
      return
    }
    #expect(r.progress == 0.25)
    let partly =
      #"{"status":"completed","request_counts":{"total":2,"completed":2,"failed":1},"errors":{"data":[{"code":"x","message":"line 2 bad"}]}}"#
    guard case .state(let c, _)? = judge("openai-batch", partly) else {
      Issue.record("not judged")
      return
    }
    #expect(c.state == .completed)
    #expect(c.warnings == ["line 2 bad"])
    let clean = #"{"status":"completed","request_counts":{"failed":0},"errors":{"data":[{"message":"noise"}]}}"#
    guard case .state(let q, _)? = judge("openai-batch", clean) else {
      Issue.record("not judged")
      return
    }
    #expect(q.warnings.isEmpty)
    let failed = #"{"status":"failed","errors":{"data":[{"message":"a"},{"message":"b"}]}}"#
    guard case .state(let f, _)? = judge("openai-batch", failed) else {
      Issue.record("not judged")
      return
    }
    #expect(f.error == "a; b")
  }

  @Test(arguments: [
    (#"{"status":"starting"}"#, JobState?.some(.pending)), (#"{"status":"processing"}"#, .running),
    (#"{"status":"succeeded","output":"https://x/1.png"}"#, .completed),
    (#"{"status":"failed","error":"oom"}"#, .failed),
    (#"{"status":"canceled"}"#, .canceled), (#"{"status":"aborted"}"#, .canceled),
  ])
  func replicate(_ text: String, _ expected: JobState?) {
    #expect(state("replicate", text) == expected)
  }

  @Test(arguments: [
    (#"{"processing_status":"in_progress"}"#, JobState?.some(.running)),
    (#"{"processing_status":"canceling","cancel_initiated_at":"2026-01-01T00:00:00Z"}"#, .running),
    (#"{"processing_status":"ended","cancel_initiated_at":null}"#, .completed),
    (#"{"processing_status":"ended","cancel_initiated_at":"2026-01-01T00:00:00Z"}"#, .canceled),
    (#"{"processing_status":"weird"}"#, nil),
  ])
  func anthropicBatch(_ text: String, _ expected: JobState?) {
    #expect(state("anthropic-batch", text) == expected)
  }

  /// Slurm's `job_state`: a string up to 23.02 (v0.0.38, v0.0.39), a list of the base state and
  /// its flags from 23.11 (v0.0.40 on); a state the documentation does not list is not understood.
  @Test(arguments: [
    ("PENDING", JobState?.some(.pending)), ("CONFIGURING", .pending), ("RUNNING", .running), ("COMPLETING", .running),
    ("SUSPENDED", .running), ("COMPLETED", .completed), ("FAILED", .failed), ("TIMEOUT", .failed),
    ("NODE_FAIL", .failed), ("OUT_OF_MEMORY", .failed), ("BOOT_FAIL", .failed), ("DEADLINE", .failed),
    ("PREEMPTED", .failed), ("CANCELLED", .canceled), ("REQUEUED", nil), ("SPECIAL_EXIT", nil),
    ("completed", .completed),
  ])
  func slurmStates(_ name: String, _ expected: JobState?) {
    #expect(state("slurm", #"{"jobs":[{"job_state":"\#(name)","state_reason":"None","exit_code":0}]}"#) == expected)
    #expect(state("slurm", #"{"jobs":[{"job_state":["\#(name)"],"state_reason":"None"}]}"#) == expected)
  }

  @Test(arguments: [
    (#"["RUNNING","CONFIGURING"]"#, JobState?.some(.pending)), (#"["COMPLETED","COMPLETING"]"#, .completed),
    (#"["FAILED","COMPLETING"]"#, .failed), (#"["PENDING","REQUEUED"]"#, .pending), (#"[]"#, nil), ("null", nil),
  ])
  func slurmStateLists(_ list: String, _ expected: JobState?) {
    #expect(state("slurm", #"{"jobs":[{"job_state":\#(list)}]}"#) == expected)
  }

  /// A failed Slurm job's error is its reason and exit code, a number shown with its path; a
  /// completed one has no warning; an unknown or empty answer is not understood.
  @Test func slurmMessagesAndAnswersWithoutAJob() throws {
    let v38 = judge(
      "slurm", #"{"jobs":[{"job_state":"FAILED","state_reason":"NonZeroExitCode","exit_code":768}],"errors":[]}"#)
    guard case .state(let failed, _)? = v38 else {
      Issue.record("not judged")
      return
    }
    #expect(failed.error == "NonZeroExitCode; jobs.0.exit_code=768")
    #expect(failed.rawStatus == "FAILED")
    let v40 = judge(
      "slurm",
      #"{"jobs":[{"job_state":["TIMEOUT"],"state_reason":"TimeLimit","exit_code":{"status":["SIGNALED"],"return_code":{"set":true,"infinite":false,"number":0},"signal":{"name":"TERM"}}}]}"#
    )
    guard case .state(let timedOut, _)? = v40 else {
      Issue.record("not judged")
      return
    }
    #expect(timedOut.error == "TimeLimit; jobs.0.exit_code.return_code.number=0")
    guard
      case .state(let done, _)? = judge(
        "slurm", #"{"jobs":[{"job_state":"COMPLETED","state_reason":"None","exit_code":0}]}"#)
    else {
      Issue.record("not judged")
      return
    }
    #expect(done.warnings.isEmpty)
    guard case .notUnderstood(let why)? = judge("slurm", #"{"jobs":[{"job_state":"REQUEUED"}]}"#) else {
      Issue.record("judged")
      return
    }
    #expect(why == #"keys jobs; jobs.0.job_state "REQUEUED""#)
    guard case .notUnderstood? = judge("slurm", #"{"jobs":[],"errors":[]}"#) else {
      Issue.record("judged")
      return
    }
    let slurm = try #require(Dialects.named("slurm"))
    #expect(slurm.idempotentStart == false)
    #expect(slurm.cancel?.method == "DELETE")
    #expect(try slurm.jobsPath.expand(id: "42") == "/job/42")
  }

  @Test(arguments: [
    (#"{"status":"PENDING"}"#, JobState?.some(.pending)), (#"{"status":"RUNNING"}"#, .running),
    (#"{"status":"SUCCEEDED","message":"Job finished successfully."}"#, .completed),
    (#"{"status":"FAILED","message":"exit code 1","error_type":"JOB_ENTRYPOINT_COMMAND_ERROR"}"#, .failed),
    (#"{"status":"STOPPED"}"#, .canceled), (#"{"status":"ZOMBIE"}"#, nil), (#"{"job_id":"02000000"}"#, nil),
  ])
  func rayJob(_ text: String, _ expected: JobState?) {
    #expect(state("ray-job", text) == expected)
  }

  /// Ray: a failure's `message` is the error, a success's is no warning; the id is the
  /// submission id, the output the logs' text.
  @Test func rayMessagesIdAndOutput() throws {
    guard
      case .state(let failed, _)? = judge(
        "ray-job", #"{"status":"FAILED","message":"Job entrypoint command failed with exit code 1","error_type":"X"}"#)
    else {
      Issue.record("not judged")
      return
    }
    #expect(failed.error == "Job entrypoint command failed with exit code 1")
    guard
      case .state(let done, _)? = judge("ray-job", #"{"status":"SUCCEEDED","message":"Job finished successfully."}"#)
    else {
      Issue.record("not judged")
      return
    }
    #expect(done.warnings.isEmpty)
    let ray = try #require(Dialects.named("ray-job"))
    #expect(ray.idempotentStart == false)
    #expect(ray.idPaths.map(\.description) == ["submission_id"])
    #expect(ray.urlPaths.isEmpty)
    #expect(ray.outputPath?.description == "logs")
    #expect(try ray.outputURL?.expand(url: "http://h/api/jobs/raysubmit_1") == "http://h/api/jobs/raysubmit_1/logs")
    #expect(try ray.cancel?.template.expand(url: "http://h/api/jobs/r1") == "http://h/api/jobs/r1/stop")
  }

  @Test(arguments: [
    (#"{"task-id":"t","state":"PENDING"}"#, JobState?.some(.pending)), (#"{"state":"RECEIVED"}"#, .pending),
    (#"{"state":"STARTED"}"#, .running), (#"{"state":"RETRY"}"#, .running),
    (#"{"state":"SUCCESS","result":42}"#, .completed),
    (#"{"state":"FAILURE","result":"E()","traceback":"T"}"#, .failed),
    (#"{"state":"REVOKED"}"#, .canceled), (#"{"state":"PROGRESS"}"#, nil), (#"{"task-id":"t"}"#, nil),
  ])
  func celeryFlower(_ text: String, _ expected: JobState?) {
    #expect(state("celery-flower", text) == expected)
  }

  /// Flower: a failure shows the exception and its traceback; a success's result is no warning;
  /// a custom state is running only where the user names it (the flag replaces the whole list).
  @Test func flowerMessagesAndCustomStates() throws {
    guard
      case .state(let failed, _)? = judge(
        "celery-flower",
        #"{"state":"FAILURE","result":"ZeroDivisionError('division by zero')","traceback":"Traceback:\nZeroDivisionError"}"#
      )
    else {
      Issue.record("not judged")
      return
    }
    #expect(failed.error == #"ZeroDivisionError('division by zero'); Traceback:\nZeroDivisionError"#)
    guard case .state(let done, _)? = judge("celery-flower", #"{"state":"SUCCESS","result":"done"}"#) else {
      Issue.record("not judged")
      return
    }
    #expect(done.warnings.isEmpty)
    let flower = try #require(Dialects.named("celery-flower"))
    #expect(flower.idempotentStart == false)
    #expect(try flower.cancel?.template.expand(id: "a-b") == "/api/task/revoke/a-b?terminate=true")
    let custom = try Dialect(
      flower.shape.overlaid(
        with: ShapeDescription(name: "celery-flower", [.init("running-when", ["state=STARTED,RETRY,PROGRESS"])])))
    let answer = JobAnswer(document: try JSON.parse(#"{"state":"PROGRESS"}"#))
    guard case .state(let progress, _) = custom.judge(answer) else {
      Issue.record("not judged")
      return
    }
    #expect(progress.state == .running)
  }

  /// A message path at a number or a boolean shows it, named by its path.
  @Test func numbersAtMessagePathsAreShown() throws {
    let d = try Dialect(
      ShapeDescription(
        name: "t",
        [.init("completed-when", ["s=ok"]), .init("failed-when", ["s=bad"]), .init("message-path", ["code", "why"])]))
    guard case .state(let s, _) = d.judge(JobAnswer(document: try JSON.parse(#"{"s":"bad","code":-2.5,"why":true}"#)))
    else {
      Issue.record("not judged")
      return
    }
    #expect(s.error == "code=-2.5; why=true")
  }

  /// Update times: UNIX numbers, strings holding one, and RFC 3339 (`Z` or an offset, a fraction).
  @Test(arguments: [
    ("1795382400", Double?.some(1_795_382_400)), (#""1795382400.5""#, 1_795_382_400.5),
    (#""2026-12-01T20:00:00Z""#, 1_796_155_200), (#""2026-12-01T21:00:00.5+01:00""#, 1_796_155_200.5),
    (#""2026-12-01t20:00:00z""#, 1_796_155_200), (#""2026-12-01 20:00:00-00:30""#, 1_796_157_000),
    (#""@1795382400""#, nil), (#""2026-12-01""#, nil), (#""yesterday""#, nil), (#""nan""#, nil), ("1e400", nil),
    ("true", nil),
  ])
  func updateTimes(_ text: String, _ expected: Double?) throws {
    #expect(Dialect.updateTime(try JSON.parse(text)) == expected)
  }

  /// Every shape jobctl knows parses, and the names `--dialect` accepts are theirs.
  @Test(arguments: [
    (#"{"executionArn":"a","status":"RUNNING"}"#, JobState?.some(.running)),
    (#"{"status":"PENDING_REDRIVE","redriveCount":1}"#, .pending),
    (#"{"status":"SUCCEEDED","output":"{}"}"#, .completed), (#"{"status":"FAILED","error":"E","cause":"C"}"#, .failed),
    (#"{"status":"TIMED_OUT"}"#, .failed), (#"{"status":"ABORTED"}"#, .canceled), (#"{"status":"PAUSED"}"#, nil),
    (#"{"executionArn":"a"}"#, nil),
  ])
  func awsSFN(_ text: String, _ expected: JobState?) {
    #expect(state("aws-sfn", text) == expected)
  }

  @Test(arguments: ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "PAUSED"])
  func awsAthena(_ name: String) {
    let expected: [String: JobState] = [
      "QUEUED": .pending, "RUNNING": .running, "SUCCEEDED": .completed, "FAILED": .failed, "CANCELLED": .canceled,
    ]
    #expect(
      state("aws-athena", #"{"QueryExecution":{"QueryExecutionId":"q","Status":{"State":"\#(name)"}}}"#)
        == expected[name])
  }

  @Test(arguments: [
    "STARTING", "WAITING", "RUNNING", "STOPPING", "SUCCEEDED", "FAILED", "TIMEOUT", "ERROR", "STOPPED", "EXPIRED",
  ])
  func awsGlue(_ name: String) {
    let expected: [String: JobState] = [
      "STARTING": .pending, "WAITING": .pending, "RUNNING": .running, "STOPPING": .running, "SUCCEEDED": .completed,
      "FAILED": .failed, "TIMEOUT": .failed, "ERROR": .failed, "STOPPED": .canceled,
    ]
    #expect(state("aws-glue", #"{"JobRun":{"Id":"jr_1","JobName":"etl","JobRunState":"\#(name)"}}"#) == expected[name])
  }

  /// The AWS shapes' errors, requests and the answers they read as throttling or gone.
  @Test func awsMessagesRequestsAndErrorAnswers() throws {
    guard
      case .state(let failed, _)? = judge(
        "aws-sfn", #"{"status":"FAILED","error":"States.TaskFailed","cause":"it broke"}"#)
    else {
      Issue.record("not judged")
      return
    }
    #expect(failed.error == "States.TaskFailed; it broke")
    let reason = "SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved"
    guard
      case .state(let query, _)? = judge(
        "aws-athena",
        #"{"QueryExecution":{"Status":{"State":"FAILED","StateChangeReason":"\#(reason)","AthenaError":{"ErrorCategory":2,"ErrorMessage":"\#(reason)"}}}}"#
      )
    else {
      Issue.record("not judged")
      return
    }
    #expect(query.error == reason)
    guard
      case .state(let done, _)? = judge(
        "aws-athena", #"{"QueryExecution":{"Status":{"State":"SUCCEEDED","StateChangeReason":"fine"}}}"#)
    else {
      Issue.record("not judged")
      return
    }
    #expect(done.warnings.isEmpty)
    guard
      case .state(let run, _)? = judge(
        "aws-glue", #"{"JobRun":{"JobRunState":"TIMEOUT","ErrorMessage":"Job run timed out"}}"#)
    else {
      Issue.record("not judged")
      return
    }
    #expect(run.error == "Job run timed out")

    for (name, target, id, body) in [
      ("aws-sfn", "AWSStepFunctions.DescribeExecution", "executionArn", #"{"executionArn":"j-1"}"#),
      ("aws-athena", "AmazonAthena.GetQueryExecution", "QueryExecutionId", #"{"QueryExecutionId":"j-1"}"#),
      ("aws-glue", "AWSGlue.GetJobRun", "JobRunId", #"{"RunId":"j-1"}"#),
    ] {
      let shape = try #require(Dialects.named(name))
      #expect(shape.idempotentStart == false, "\(name)")
      #expect(shape.awsSigV4 == "aws:amz", "\(name)")
      #expect(shape.idPaths.map(\.description) == [id], "\(name)")
      let poll = try #require(shape.poll)
      #expect(poll.method == "POST")
      #expect(try poll.body?.expandText(.body, id: "j-1", url: nil, document: nil) == body, "\(name)")
      #expect(poll.headers.map(\.name) == ["X-Amz-Target"])
      #expect(poll.headers.first?.value.description == target)
      #expect(shape.cancel?.method == "POST")
      let throttled = HTTPResponse(
        status: 400, body: Array(#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.utf8))
      #expect(
        shape.answerRules.verdict(throttled, subject: "job j-1", retryAfter: nil)
          == .rateLimited(reason: "HTTP 400 Bad Request: ThrottlingException: Rate exceeded", retryAfter: nil),
        "\(name)")
      // A 400 that is no throttle is the HTTP rules' to judge.
      let invalid = HTTPResponse(status: 400, body: Array(#"{"__type":"InvalidArn","message":"bad"}"#.utf8))
      #expect(shape.answerRules.verdict(invalid, subject: "job j-1", retryAfter: nil) == nil, "\(name)")
    }
    let athenaThrottle = HTTPResponse(
      status: 400, body: Array(#"{"__type":"TooManyRequestsException","Message":"slow down"}"#.utf8))
    #expect(
      try #require(Dialects.named("aws-athena")).answerRules.verdict(athenaThrottle, subject: "s", retryAfter: 2)
        == .rateLimited(reason: "HTTP 400 Bad Request: TooManyRequestsException: slow down", retryAfter: 2))
    let missing = HTTPResponse(
      status: 400, body: Array(#"{"__type":"ExecutionDoesNotExist","message":"Execution Does Not Exist: 'a'"}"#.utf8))
    #expect(
      try #require(Dialects.named("aws-sfn")).answerRules.verdict(missing, subject: "job a", retryAfter: nil)
        == .end(
          .notFound(
            .gone(
              subject: "job a", answer: "HTTP 400 Bad Request: ExecutionDoesNotExist: Execution Does Not Exist: 'a'"))
        ))
    // Athena answers an unknown query with InvalidRequestException, as it answers any bad
    // request: not taken as gone.
    let unknownQuery = HTTPResponse(
      status: 400, body: Array(#"{"__type":"InvalidRequestException","Message":"QueryExecution q was not found"}"#.utf8)
    )
    #expect(
      try #require(Dialects.named("aws-athena")).answerRules.verdict(unknownQuery, subject: "job q", retryAfter: nil)
        == nil)
    let slurmGone = HTTPResponse(
      status: 500, body: Array(#"{"errors":[{"error_number":2017,"error":"Invalid job id specified"}]}"#.utf8))
    guard
      case .end(.notFound(.gone("job 7", let text)))? = try #require(Dialects.named("slurm")).answerRules.verdict(
        slurmGone, subject: "job 7", retryAfter: nil)
    else {
      Issue.record("slurm's 2017 is not gone")
      return
    }
    #expect(text.contains("Invalid job id specified"))
  }

  @Test func everyKnownShapeIsADescription() throws {
    for dialect in Dialects.known {
      let again = try Dialect(dialect.shape)
      #expect(again.completedWhen == dialect.completedWhen, "\(dialect.name)")
      #expect(!dialect.completedWhen.isEmpty, "\(dialect.name)")
    }
    #expect(
      Dialects.names == [
        "auto", "simple", "hotcrp", "staged", "progress", "github-run", "google-operation", "azure-operation",
        "http-202",
        "openai-batch", "replicate", "anthropic-batch", "slurm", "ray-job", "celery-flower", "aws-sfn",
        "aws-athena", "aws-glue",
      ])
  }

  /// The rule for a document that fits no condition: not understood with a pending or running
  /// condition, or when none of the condition paths is there; otherwise running.
  @Test func documentsThatFitNoCondition() throws {
    let lenient = try Dialect(
      ShapeDescription(name: "t", [.init("completed-when", ["state=DONE"]), .init("failed-when", ["state=ERR"])]))
    guard case .state(let s, let why) = lenient.judge(JobAnswer(document: try JSON.parse(#"{"state":"WORKING"}"#)))
    else {
      Issue.record("not judged")
      return
    }
    #expect(s.state == .running)
    #expect(why.description == "running: no condition holds")
    guard case .notUnderstood(let text) = lenient.judge(JobAnswer(document: try JSON.parse(#"{"other":1}"#))) else {
      Issue.record("judged")
      return
    }
    #expect(text == "keys other")
    let strict = try Dialect(
      ShapeDescription(name: "t", [.init("completed-when", ["state=DONE"]), .init("running-when", ["state=RUN"])]))
    guard case .notUnderstood(let why2) = strict.judge(JobAnswer(document: try JSON.parse(#"{"state":"WORKING"}"#)))
    else {
      Issue.record("judged")
      return
    }
    #expect(why2 == #"keys state; state "WORKING""#)
  }

  /// Canceled is tried before failed, failed before completed.
  @Test func conditionsAreTriedInOrder() throws {
    let d = try Dialect(
      ShapeDescription(
        name: "t",
        [
          .init("completed-when", ["x"]), .init("failed-when", ["x & y"]), .init("canceled-when", ["x & y & z"]),
        ]))
    func s(_ text: String) throws -> JobState? {
      guard case .state(let snap, _) = d.judge(JobAnswer(document: try JSON.parse(text))) else { return nil }
      return snap.state
    }
    #expect(try s(#"{"x":1}"#) == .completed)
    #expect(try s(#"{"x":1,"y":1}"#) == .failed)
    #expect(try s(#"{"x":1,"y":1,"z":1}"#) == .canceled)
  }

  /// The cause names the key and the shape; the problem is the shape parser's words.
  @Test(arguments: [
    ("completed-when", "status=", "'status=' has an empty value"),
    ("progress-path", "a / b / c", "'a / b / c' divides more than once"),
    ("jobs-path", "/jobs", "must contain {id} or {+id}"), ("cancel", "post {url}", "no HTTP method in capitals"),
    ("idempotent-start", "maybe", "takes true or false"), ("output-url", "{nope}", "known:"),
    ("output-path", "a..b", "'a..b' is not a path"),
  ])
  func malformedKeysAreUsageErrorsNamingThem(_ key: String, _ value: String, _ problem: String) {
    #expect {
      _ = try Dialect(ShapeDescription(name: "t", [.init("completed-when", ["done"]), .init(key, [value])]))
    } throws: { error in
      guard case .usage(.badShapeKey("", key, "t", let said)) = error as? JobctlError else { return false }
      return said.contains(problem)
    }
  }
}

/// `auto` and the false successes of issue 12, in fake time.
@Suite struct AutoShapeTests {
  /// `{"status":"completed","conclusion":"failure"}` exited 0 under auto, read as simple.
  @Test func aFailedGitHubRunIsNoSuccessUnderAuto() throws {
    let r = runJobctl(
      ["wait", "https://api.github.test/repos/o/r/actions/runs/1"],
      script: [answer(200, #"{"id":1,"status":"completed","conclusion":"failure"}"#)])
    #expect(r.code == 6)
    #expect(r.transport.requests.count == 1)
    let why = try #require(r.notAJobDocument, "\(r.errors)")
    #expect(why.contains("--dialect github-run"), "\(why)")
    #expect(why.contains(#"keys id, status, conclusion; status "completed""#), "\(why)")
    let named = runJobctl(
      ["wait", "https://api.github.test/repos/o/r/actions/runs/1", "--dialect", "github-run"],
      script: [answer(200, #"{"id":1,"status":"completed","conclusion":"failure"}"#)])
    #expect(named.code == 1)
    #expect(
      named.transport.requests.first?.headers.contains(HTTPHeader("Accept", "application/vnd.github+json")) == true)
    #expect(named.transport.requests.first?.headers.contains(HTTPHeader("X-GitHub-Api-Version", "2022-11-28")) == true)
    #expect(named.transport.requests.first?.headers.filter { $0.name == "Accept" }.count == 1)
  }

  @Test(arguments: [
    (#"{"status":"completed","done":true}"#, "google-operation"),
    (#"{"status":"completed","processing_status":"ended"}"#, "anthropic-batch"),
    (#"{"status":"completed","error":{"code":"E","message":"m"}}"#, "google-operation or azure-operation"),
  ])
  func verdictKeysAreNeverSimple(_ text: String, _ likely: String) {
    let r = runJobctl(["wait", "j1"], script: [answer(200, text)])
    #expect(r.code == 6, "\(r.stderr)")
    #expect(r.notAJobDocument?.contains("--dialect \(likely)") == true, "\(r.errors)")
  }

  /// A JSON answer no shape can use ends at the first poll (it was retried up to --max-errors).
  @Test func anUnknownShapeEndsAtTheFirstPoll() throws {
    let r = runJobctl(["wait", "j1", "--max-errors", "10"], script: [answer(200, #"{"state":"RUNNING","id":"j1"}"#)])
    #expect(r.code == 6)
    #expect(r.transport.requests.count == 1)
    #expect(r.transport.sleeps.isEmpty)
    let why = try #require(r.notAJobDocument, "\(r.errors)")
    #expect(why.contains("no known response shape fits (keys state, id)"), "\(why)")
    #expect(why.contains("--completed-when"), "\(why)")
  }
}
