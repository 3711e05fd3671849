import Foundation
import LoopbackHTTP
import Testing

/// `aws-sfn`, `aws-athena` and `aws-glue` against moto's server mode with its signature checks
/// on (every request signed by libcurl, refused by moto when wrong): start, wait, failure,
/// cancel, gone, as docs/real-servers.md says.
///
/// moto runs one Step Functions execution per server process, so each test that starts one has
/// a server of its own.
@Suite(.serialized) struct MotoNamedShapeTests {
  static func keys(_ moto: MotoServer) -> [String: String] {
    ["AWS_ACCESS_KEY_ID": moto.accessKey, "AWS_SECRET_ACCESS_KEY": moto.secretKey]
  }

  static func sfn(_ moto: MotoServer) -> [String] {
    ["--dialect", "aws-sfn", "--aws-sigv4", "aws:amz:us-east-1:states", "--base-url", moto.endpoint] + fast
  }

  /// Turns moto's state-machine execution on and makes a machine (boto3 with the user's keys, a
  /// test tool); its ARN.
  static func machine(_ moto: MotoServer, name: String, definition: String) throws -> String {
    let script = """
      import boto3, json, sys, urllib.request
      port, key, secret, name, definition = sys.argv[1:6]
      endpoint = "http://127.0.0.1:" + port
      urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/config", method="POST",
          data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
          headers={"Content-Type": "application/json"})).read()
      sfn = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
                         aws_access_key_id=key, aws_secret_access_key=secret)
      print(sfn.create_state_machine(name=name, definition=definition,
                                     roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"])
      """
    return try MotoServer.runPython(
      script, arguments: ["\(moto.port)", moto.accessKey, moto.secretKey, name, definition]
    ).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  static let waitThenSucceed =
    #"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"Next":"P"},"P":{"Type":"Pass","Next":"S"},"S":{"Type":"Succeed"}}}"#
  static let waitThenFail =
    #"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"Next":"F"},"F":{"Type":"Fail","Error":"Boom","Cause":"it broke"}}}"#
  static let waitLong = #"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":300,"End":true}}}"#

  @Test func sfnStartPrintsTheExecutionArnAndWaitEndsAtSucceeded() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let machine = try Self.machine(moto, name: "ok", definition: Self.waitThenSucceed)
    let start = try jobctl(
      ["start", "/", "--data", #"{"stateMachineArn":"\#(machine)","name":"run-1"}"#] + Self.sfn(moto),
      env: Self.keys(moto))
    #expect(start.code == 0, "\(start.stderr)\n\(moto.tail())")
    let arn = "arn:aws:states:us-east-1:123456789012:execution:ok:run-1"
    #expect(start.stdout == arn + "\n")
    #expect(start.stderr.isEmpty, "\(start.stderr)")

    let wait = try jobctl(["wait", arn, "-v", "--progress", "none"] + Self.sfn(moto), env: Self.keys(moto))
    #expect(wait.code == 0, "\(wait.stderr)\n\(moto.tail())")
    #expect(wait.stdout.hasPrefix("job: \(arn)\nstate: completed\nstatus: SUCCEEDED\n"), "\(wait.stdout)")
    #expect(wait.stderr.contains("> X-Amz-Target: AWSStepFunctions.DescribeExecution"))
    #expect(wait.stderr.contains("> Authorization: [redacted]"))
    #expect(!wait.stderr.contains(moto.secretKey) && !wait.stdout.contains(moto.secretKey))

    // An execution moto does not know: AWS's 400 ExecutionDoesNotExist, gone, in its words.
    let unknown = "arn:aws:states:us-east-1:123456789012:execution:ok:nope"
    let gone = try jobctl(["wait", unknown] + Self.sfn(moto), env: Self.keys(moto))
    #expect(gone.code == 5, "\(gone.stderr)")
    #expect(gone.stdout.isEmpty)
    #expect(
      gone.stderr
        == "jobctl: error: job \(unknown) is gone: HTTP 400 Bad Request: ExecutionDoesNotExist: Execution Does Not Exist: '\(unknown)'\n"
    )
  }

  @Test func sfnStartWaitOfAFailStateIsExit1WithErrorAndCause() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let machine = try Self.machine(moto, name: "bad", definition: Self.waitThenFail)
    let r = try jobctl(
      ["start", "/", "--wait", "--progress", "none", "--data", #"{"stateMachineArn":"\#(machine)","name":"run-2"}"#]
        + Self.sfn(moto), env: Self.keys(moto))
    #expect(r.code == 1, "\(r.stderr)\n\(moto.tail())")
    let arn = "arn:aws:states:us-east-1:123456789012:execution:bad:run-2"
    #expect(r.stdout.hasPrefix("job: \(arn)\nstate: failed\nstatus: FAILED\n"), "\(r.stdout)")
    #expect(r.stderr.contains("Boom") && r.stderr.contains("it broke"), "\(r.stderr)")
  }

  @Test func sfnCancelStopsTheExecution() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let machine = try Self.machine(moto, name: "long", definition: Self.waitLong)
    let start = try jobctl(
      ["start", "/", "--data", #"{"stateMachineArn":"\#(machine)","name":"run-3"}"#] + Self.sfn(moto),
      env: Self.keys(moto))
    #expect(start.code == 0, "\(start.stderr)\n\(moto.tail())")
    let arn = start.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let cancel = try jobctl(["cancel", arn, "--wait", "--progress", "none"] + Self.sfn(moto), env: Self.keys(moto))
    #expect(cancel.code == 3, "\(cancel.stderr)\n\(moto.tail())")
    #expect(cancel.stdout.contains("state: canceled\nstatus: ABORTED\n"), "\(cancel.stdout)")
  }

  static func athena(_ moto: MotoServer) -> [String] {
    ["--dialect", "aws-athena", "--aws-sigv4", "aws:amz:us-east-1:athena", "--base-url", moto.endpoint] + fast
  }

  @Test func athenaStartWaitAndCancel() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let query = #"{"QueryString":"SELECT 1","ResultConfiguration":{"OutputLocation":"s3://results/"},"#
    let start = try jobctl(
      ["start", "/", "--data", query + #""ClientRequestToken":"token-0123456789abcdef0123456789ab"}"#]
        + Self.athena(moto), env: Self.keys(moto))
    #expect(start.code == 0, "\(start.stderr)\n\(moto.tail())")
    let id = start.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(!id.isEmpty && !id.contains(" "), "\(start.stdout)")
    let wait = try jobctl(["wait", id, "--progress", "none"] + Self.athena(moto), env: Self.keys(moto))
    #expect(wait.code == 0, "\(wait.stderr)\n\(moto.tail())")
    #expect(wait.stdout.hasPrefix("job: \(id)\nstate: completed\nstatus: SUCCEEDED\n"), "\(wait.stdout)")

    let second = try jobctl(
      ["start", "/", "--data", query + #""ClientRequestToken":"token-fedcba9876543210fedcba98765"}"#]
        + Self.athena(moto), env: Self.keys(moto))
    #expect(second.code == 0, "\(second.stderr)")
    let other = second.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(other != id)
    let cancel = try jobctl(
      ["cancel", other, "--wait", "--progress", "none"] + Self.athena(moto), env: Self.keys(moto))
    #expect(cancel.code == 3, "\(cancel.stderr)\n\(moto.tail())")
    #expect(cancel.stdout.contains("state: canceled\nstatus: CANCELLED\n"), "\(cancel.stdout)")
  }

  static func glue(_ moto: MotoServer, job: String = "etl") -> [String] {
    [
      "--dialect", "aws-glue", "--aws-sigv4", "aws:amz:us-east-1:glue", "--base-url", moto.endpoint,
      "--poll-data", #"{"JobName":"\#(job)","RunId":"{id}"}"#,
    ] + fast
  }

  @Test func glueStartWaitAndAnUnknownRun() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let script = """
      import boto3, sys
      glue = boto3.client("glue", endpoint_url="http://127.0.0.1:" + sys.argv[1], region_name="us-east-1",
                          aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
      glue.create_job(Name="etl", Role="r", Command={"Name": "glueetl", "ScriptLocation": "s3://b/etl.py"})
      """
    _ = try MotoServer.runPython(script, arguments: ["\(moto.port)", moto.accessKey, moto.secretKey])
    let r = try jobctl(
      ["start", "/", "--wait", "--progress", "none", "--data", #"{"JobName":"etl"}"#] + Self.glue(moto),
      env: Self.keys(moto))
    #expect(r.code == 0, "\(r.stderr)\n\(moto.tail())")
    #expect(r.stdout.hasPrefix("job: jr_"), "\(r.stdout)")
    #expect(r.stdout.contains("\nstate: completed\nstatus: SUCCEEDED\n"), "\(r.stdout)")

    let gone = try jobctl(["wait", "jr_nope"] + Self.glue(moto), env: Self.keys(moto))
    #expect(gone.code == 5, "\(gone.stderr)")
    #expect(
      gone.stderr
        == "jobctl: error: job jr_nope is gone: HTTP 400 Bad Request: EntityNotFoundException: Job run jr_nope not found.\n"
    )
  }
}

/// The AWS shapes against the loopback server answering as each API's reference shows, for what
/// moto cannot do (a throttle on demand, Glue's BatchStopJobRun, failures of Athena and Glue).
@Suite struct AWSShapeLoopbackTests {
  static let keys = [
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE12", "AWS_SECRET_ACCESS_KEY": "secret/key+0123456789abcdef",
  ]

  /// Answers `POST /` by `X-Amz-Target`: each target's replies in turn, the last one repeated.
  static func awsJSON(_ answers: [String: [Reply]]) throws -> LoopbackServer {
    let server = try LoopbackServer()
    let lock = NSLock()
    nonisolated(unsafe) var served: [String: Int] = [:]
    server.setHandler { request in
      guard request.method == "POST", request.path == "/" else { return .json(404, #"{"message":"no route"}"#) }
      let target = request.header("X-Amz-Target") ?? ""
      guard let replies = answers[target], !replies.isEmpty else {
        return .json(400, #"{"__type":"UnknownOperationException","message":"\#(target)"}"#)
      }
      lock.lock()
      let n = served[target, default: 0]
      served[target] = n + 1
      lock.unlock()
      return replies[min(n, replies.count - 1)]
    }
    return server
  }

  static let arn = "arn:aws:states:us-east-1:123456789012:execution:m:run-1"

  /// Two throttles (one with Retry-After, one without, two spellings of `__type`), then the
  /// answer: waited out, never counted toward --max-errors 1, exit 0.
  @Test func sfnThrottlesAreWaitedOutAndNotCountedAsErrors() throws {
    let server = try Self.awsJSON([
      "AWSStepFunctions.StartExecution": [.json(200, #"{"executionArn":"\#(Self.arn)","startDate":1.7e9}"#)],
      "AWSStepFunctions.DescribeExecution": [
        .json(
          400, #"{"__type":"com.amazonaws.swf.base.model#ThrottlingException","message":"Rate exceeded"}"#,
          headers: [("Retry-After", "1")]),
        .json(400, #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#),
        .json(200, #"{"executionArn":"\#(Self.arn)","status":"RUNNING"}"#),
        .json(200, #"{"executionArn":"\#(Self.arn)","status":"SUCCEEDED","output":"{}"}"#),
      ],
    ])
    let r = try jobctl(
      [
        "start", "/", "--wait", "--dialect", "aws-sfn", "--aws-sigv4", "aws:amz:us-east-1:states", "--base-url",
        server.baseURL, "--data", #"{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:m"}"#,
        "--max-errors", "1", "--progress", "plain",
      ] + fast, env: Self.keys)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("job: \(Self.arn)\nstate: completed\nstatus: SUCCEEDED\n"), "\(r.stdout)")
    #expect(r.stderr.contains("rate limited (HTTP 400 Bad Request: ThrottlingException: Rate exceeded)"), "\(r.stderr)")
    let log = server.requests
    #expect(log.count == 5)
    #expect(
      log.map { $0.header("X-Amz-Target") ?? "" }
        == ["AWSStepFunctions.StartExecution"] + Array(repeating: "AWSStepFunctions.DescribeExecution", count: 4))
    #expect(log[1].bodyText == #"{"executionArn":"\#(Self.arn)"}"#)
    #expect(log.allSatisfy { ($0.header("Authorization") ?? "").contains("/us-east-1/states/aws4_request") })
    #expect(log.allSatisfy { $0.header("Content-Type") == "application/x-amz-json-1.0" })
    // Retry-After: 1 honoured.
    #expect(log[2].time - log[1].time >= 0.95)
  }

  /// `aws-sigv4 = aws:amz` leaves region and service to libcurl, which reads them from an AWS
  /// host name; a host that names neither is refused before anything is sent.
  @Test func aHostThatNamesNoRegionNeedsThemGiven() throws {
    let server = try Self.awsJSON([:])
    let r = try jobctl(["wait", Self.arn, "--dialect", "aws-sfn", "--base-url", server.baseURL], env: Self.keys)
    #expect(r.code == 2, "\(r.stderr)")
    #expect(r.stderr.contains("--aws-sigv4 aws:amz:REGION:SERVICE"), "\(r.stderr)")
    #expect(server.requests.isEmpty)
  }

  static let athena = ["--dialect", "aws-athena", "--aws-sigv4", "aws:amz:us-east-1:athena"] + fast

  @Test func athenaFailureShowsTheReason() throws {
    let reason = "SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved"
    let server = try Self.awsJSON([
      "AmazonAthena.GetQueryExecution": [
        .json(200, #"{"QueryExecution":{"QueryExecutionId":"q-1","Status":{"State":"QUEUED"}}}"#),
        .json(200, #"{"QueryExecution":{"QueryExecutionId":"q-1","Status":{"State":"RUNNING"}}}"#),
        .json(
          200,
          #"{"QueryExecution":{"QueryExecutionId":"q-1","Status":{"State":"FAILED","StateChangeReason":"\#(reason)","AthenaError":{"ErrorCategory":2,"ErrorType":1006,"Retryable":false,"ErrorMessage":"\#(reason)"}}}}"#
        ),
      ]
    ])
    let r = try jobctl(
      ["wait", "q-1", "--base-url", server.baseURL, "--progress", "none"] + Self.athena, env: Self.keys)
    #expect(r.code == 1, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("job: q-1\nstate: failed\nstatus: FAILED\n"), "\(r.stdout)")
    // The same words in both places are shown once.
    #expect(r.stderr.components(separatedBy: reason).count == 2, "\(r.stderr)")
    #expect(server.requests.count == 3)
    #expect(server.requests.allSatisfy { $0.bodyText == #"{"QueryExecutionId":"q-1"}"# })
    #expect(server.requests.allSatisfy { $0.header("Content-Type") == "application/x-amz-json-1.1" })
  }

  static func glue(_ server: LoopbackServer) -> [String] {
    [
      "--dialect", "aws-glue", "--aws-sigv4", "aws:amz:us-east-1:glue", "--base-url", server.baseURL,
      "--poll-data", #"{"JobName":"etl","RunId":"{id}"}"#, "--cancel-data", #"{"JobName":"etl","JobRunIds":["{id}"]}"#,
      "--progress", "none",
    ] + fast
  }

  static func run(_ state: String, _ extra: String = "") -> Reply {
    .json(200, #"{"JobRun":{"Id":"jr_1","JobName":"etl","Attempt":0,"JobRunState":"\#(state)"\#(extra)}}"#)
  }

  @Test func glueStartWaitsThroughItsStatesAndFailsWithTheErrorMessage() throws {
    let server = try Self.awsJSON([
      "AWSGlue.StartJobRun": [.json(200, #"{"JobRunId":"jr_1"}"#)],
      "AWSGlue.GetJobRun": [
        Self.run("STARTING"), Self.run("WAITING"), Self.run("RUNNING"),
        Self.run("FAILED", #","ErrorMessage":"Command failed with exit code 1""#),
      ],
    ])
    let r = try jobctl(["start", "/", "--wait", "--data", #"{"JobName":"etl"}"#] + Self.glue(server), env: Self.keys)
    #expect(r.code == 1, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("job: jr_1\nstate: failed\nstatus: FAILED\n"), "\(r.stdout)")
    #expect(r.stderr.contains("Command failed with exit code 1"), "\(r.stderr)")
    let log = server.requests
    #expect(log.count == 5)
    #expect(log[0].header("X-Amz-Target") == "AWSGlue.StartJobRun")
    #expect(log[0].bodyText == #"{"JobName":"etl"}"#)
    #expect(log.dropFirst().allSatisfy { $0.bodyText == #"{"JobName":"etl","RunId":"jr_1"}"# })
    #expect(log.allSatisfy { $0.header("Content-Type") == "application/x-amz-json-1.1" })
  }

  @Test func glueCancelIsBatchStopJobRun() throws {
    let server = try Self.awsJSON([
      "AWSGlue.BatchStopJobRun": [
        .json(200, #"{"SuccessfulSubmissions":[{"JobName":"etl","JobRunId":"jr_1"}],"Errors":[]}"#)
      ],
      "AWSGlue.GetJobRun": [Self.run("STOPPING"), Self.run("STOPPED")],
    ])
    let r = try jobctl(["cancel", "jr_1", "--wait"] + Self.glue(server), env: Self.keys)
    #expect(r.code == 3, "\(r.stderr)")
    #expect(r.stdout.contains("state: canceled\nstatus: STOPPED\n"), "\(r.stdout)")
    let stop = try #require(server.requests.first)
    #expect(stop.header("X-Amz-Target") == "AWSGlue.BatchStopJobRun")
    #expect(stop.bodyText == #"{"JobName":"etl","JobRunIds":["jr_1"]}"#)
  }

  /// EXPIRED is in GetJobRun's list of states, but Glue's documentation of job run states does
  /// not say what it means: not understood (exit 6), never a success.
  @Test func aGlueStateNotDocumentedIsNotUnderstood() throws {
    let server = try Self.awsJSON(["AWSGlue.GetJobRun": [Self.run("RUNNING"), Self.run("EXPIRED")]])
    let r = try jobctl(["wait", "jr_1"] + Self.glue(server), env: Self.keys)
    #expect(r.code == 6, "\(r.stderr)")
    #expect(r.stderr.contains("EXPIRED"), "\(r.stderr)")
    #expect(server.requests.count == 2)
  }
}

/// Slurm's answer for a job it does not know (HTTP 500, error 2017) ends `slurm` at once.
@Suite struct SlurmGoneTests {
  @Test(arguments: ["v0.0.38", "v0.0.40"])
  func anUnknownJobIsGoneAtTheFirstAnswer(_ version: String) throws {
    let sim = try LoggedSimulator()
    let r = try jobctl(
      ["wait", "999999", "--dialect", "slurm", "--base-url", sim.base + "/slurm/" + version] + fast)
    #expect(r.code == 5, "\(r.stderr)")
    #expect(r.stdout.isEmpty)
    #expect(r.stderr.hasPrefix("jobctl: error: job 999999 is gone: HTTP 500 Internal Server Error: "), "\(r.stderr)")
    #expect(r.stderr.contains("Invalid job id specified"), "\(r.stderr)")
    #expect(sim.seen == ["GET /slurm/\(version)/job/999999"])
  }
}
