import Foundation
import LoopbackHTTP
import Testing

/// Polls described as data and the verdicts a shape gives error answers, against the loopback
/// server answering as Step Functions' JSON protocol and slurmrestd answer.
@Suite struct PollRequestEndToEndTests {
  /// A Step Functions-like shape, as a `[dialect sfn]` section would give it.
  private let sfn = [
    "--jobs-path", "/{id}", "--poll", "POST /", "--poll-data", #"{"executionArn":"{id}"}"#, "--poll-header",
    "X-Amz-Target: AWSStepFunctions.DescribeExecution", "--start-header",
    "X-Amz-Target: AWSStepFunctions.StartExecution", "--cancel", "POST /", "--cancel-data",
    #"{"executionArn":"{id}"}"#, "--cancel-header", "X-Amz-Target: AWSStepFunctions.StopExecution",
    "--shape-header", "Content-Type: application/x-amz-json-1.0", "--id-path", "executionArn", "--url-path", "none",
    "--completed-when", "status=SUCCEEDED", "--failed-when", "status=FAILED,TIMED_OUT", "--canceled-when",
    "status=ABORTED", "--running-when", "status=RUNNING", "--message-path", "cause", "--retry-when",
    "@http=400 & __type=ThrottlingException,com.amazonaws.swf.base.model#ThrottlingException", "--gone-when",
    "@http=400 & __type=ExecutionDoesNotExist,com.amazonaws.swf.base.model#ExecutionDoesNotExist",
  ]

  private static let arn = #"arn:aws:states:us-east-1:1:execution:sm:run-"1"\x"#

  /// Answers `POST /` by its `X-Amz-Target`, as Step Functions does: one throttle, then two
  /// RUNNING answers before the execution ends with `final`.
  private static func stepFunctions(final: String) throws -> LoopbackServer {
    let server = try LoopbackServer()
    let describes = Counter()
    server.setHandler { request in
      guard request.method == "POST", request.path == "/" else { return .json(404, #"{"message":"no route"}"#) }
      let arnJSON = #""arn:aws:states:us-east-1:1:execution:sm:run-\"1\"\\x""#
      switch request.header("X-Amz-Target") {
      case "AWSStepFunctions.StartExecution":
        return .json(200, #"{"executionArn":\#(arnJSON),"startDate":1.7e9}"#)
      case "AWSStepFunctions.DescribeExecution":
        // The body must name the execution, escaped as JSON.
        guard
          let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: String],
          body["executionArn"] == arn
        else {
          return .json(400, #"{"__type":"com.amazonaws.swf.base.model#InvalidArn","message":"bad body"}"#)
        }
        switch describes.next() {
        case 0:
          return .json(
            400, #"{"__type":"com.amazonaws.swf.base.model#ThrottlingException","message":"Rate exceeded"}"#,
            headers: [("Retry-After", "1")])
        case 1, 2: return .json(200, #"{"executionArn":\#(arnJSON),"status":"RUNNING"}"#)
        default: return .json(200, final)
        }
      case "AWSStepFunctions.StopExecution":
        return .json(200, #"{"stopDate":1.7e9}"#)
      default:
        return .json(400, #"{"__type":"UnknownOperationException"}"#)
      }
    }
    return server
  }

  @Test func startWaitPostsEachPollWithItsBodyAndHeaderAndRidesOutAThrottle() throws {
    let server = try Self.stepFunctions(final: #"{"status":"SUCCEEDED","output":"{\"n\":1}"}"#)
    let r = try jobctl(
      [
        "start", "/", "--wait", "--data", #"{"stateMachineArn":"sm"}"#, "--base-url", server.baseURL, "--max-errors",
        "1", "--progress", "plain",
      ] + sfn + fast)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.contains("state: completed"), "\(r.stdout)")
    #expect(
      r.stderr.contains("rate limited (HTTP 400 Bad Request: ThrottlingException: Rate exceeded); next poll in 1s"),
      "\(r.stderr)")
    let log = server.requests
    #expect(log.count == 5)
    #expect(log.allSatisfy { $0.method == "POST" && $0.target == "/" })
    #expect(
      log.map { $0.header("X-Amz-Target") ?? "" } == ["AWSStepFunctions.StartExecution"]
        + Array(
          repeating: "AWSStepFunctions.DescribeExecution", count: 4))
    for request in log {
      #expect(
        request.headers.filter { $0.name.lowercased() == "content-type" }.map(\.value) == [
          "application/x-amz-json-1.0"
        ])
    }
    #expect(log[0].bodyText == #"{"stateMachineArn":"sm"}"#)
    #expect(log[1].bodyText == #"{"executionArn":"arn:aws:states:us-east-1:1:execution:sm:run-\"1\"\\x"}"#)
    // Retry-After: 1 honoured after the throttle, though --max-errors is 1.
    #expect(log[2].time - log[1].time >= 0.95)
  }

  @Test func aFailedExecutionAndACancelThatStopsIt() throws {
    let failed = try Self.stepFunctions(final: #"{"status":"FAILED","cause":"States.TaskFailed: boom"}"#)
    let r = try jobctl(["wait", Self.arn, "--base-url", failed.baseURL, "--progress", "none"] + sfn + fast)
    #expect(r.code == 1, "\(r.stderr)")
    #expect(r.stderr.contains("States.TaskFailed: boom"), "\(r.stderr)")
    let aborted = try Self.stepFunctions(final: #"{"status":"ABORTED"}"#)
    let c = try jobctl(
      ["cancel", Self.arn, "--base-url", aborted.baseURL, "--wait", "--progress", "none"] + sfn + fast)
    #expect(c.code == 3, "\(c.stderr)")
    let stop = aborted.requests[0]
    #expect(stop.header("X-Amz-Target") == "AWSStepFunctions.StopExecution")
    #expect(stop.bodyText == #"{"executionArn":"arn:aws:states:us-east-1:1:execution:sm:run-\"1\"\\x"}"#)
    #expect(
      aborted.requests.dropFirst().allSatisfy { $0.header("X-Amz-Target") == "AWSStepFunctions.DescribeExecution" })
  }

  @Test func aMissingExecutionIsGoneWithAWSsWords() throws {
    let server = try LoopbackServer()
    server.script(
      "POST", "/",
      [
        .json(
          400,
          #"{"__type":"com.amazonaws.swf.base.model#ExecutionDoesNotExist","message":"Execution Does Not Exist: 'arn:x'"}"#
        )
      ])
    let r = try jobctl(["wait", "arn:x", "--base-url", server.baseURL] + sfn + fast)
    #expect(r.code == 5)
    #expect(r.stdout.isEmpty)
    #expect(
      r.stderr
        == "jobctl: error: job arn:x is gone: HTTP 400 Bad Request: ExecutionDoesNotExist: Execution Does Not Exist: 'arn:x'\n"
    )
    #expect(server.requests.count == 1)
  }

  private let slurm = [
    "--jobs-path", "/slurm/v0.0.38/job/{id}", "--completed-when", "jobs.*.job_state=COMPLETED", "--running-when",
    "jobs.*.job_state=RUNNING",
  ]
  private let invalidJob = Reply.json(
    500, #"{"meta":{},"errors":[{"error_number":2017,"error":"Invalid job id specified","source":"_handle_job_get"}]}"#)

  @Test func slurmsForgottenJobIsGoneWithGoneWhenAndRetriedWithout() throws {
    let server = try LoopbackServer()
    server.script("/slurm/v0.0.38/job/42", [invalidJob, invalidJob, invalidJob])
    let gone = try jobctl(
      ["wait", "42", "--base-url", server.baseURL, "--gone-when", "errors.*.error_number=2017"] + slurm + fast)
    #expect(gone.code == 5)
    #expect(
      gone.stderr == "jobctl: error: job 42 is gone: HTTP 500 Internal Server Error: Invalid job id specified (2017)\n")
    #expect(server.requests.count == 1)
    let retried = try jobctl(
      ["wait", "42", "--base-url", server.baseURL, "--max-errors", "2", "--progress", "none"] + slurm + fast)
    #expect(retried.code == 7)
    #expect(server.requests.count == 3)
    #expect(
      retried.stderr.hasPrefix(
        "jobctl: error: gave up after 2 consecutive failures; the last: HTTP 500 Internal Server Error: Invalid job id specified (2017)"
      ), "\(retried.stderr)")
  }

  @Test func anHTMLPageAndPlainTextAreShownAsTheirWords() throws {
    let server = try LoopbackServer()
    let page = """
      <html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n\
      <hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n
      """
    server.script("/jobs/j1", [.text(502, page, contentType: "text/html")])
    let html = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--max-errors", "1"] + fast)
    #expect(html.code == 7)
    #expect(
      html.stderr.hasPrefix(
        "jobctl: error: gave up after 1 consecutive failure; the last: HTTP 502 Bad Gateway: 502 Bad Gateway nginx/1.22.1;"
      ),
      "\(html.stderr)")
    server.script("/jobs/j2", [.text(401, "token expired\n")])
    let text = try jobctl(["wait", "j2", "--base-url", server.baseURL] + fast)
    #expect(text.code == 4)
    #expect(
      text.stderr
        == "jobctl: error: HTTP 401 Unauthorized: token expired (check the token: JOBCTL_TOKEN or --token-file)\n")
    server.script("/jobs/j3", [.text(400, "bad \u{1B}[31mthing")])
    let escaped = try jobctl(["wait", "j3", "--base-url", server.baseURL] + fast)
    #expect(escaped.code == 6)
    #expect(!escaped.stderr.unicodeScalars.contains("\u{1B}"))
    #expect(escaped.stderr.contains("HTTP 400 Bad Request: bad "))
  }

  @Test func aWaitCannotReadAStartAnswerItDoesNotHave() throws {
    let server = try LoopbackServer()
    let r = try jobctl(
      ["wait", "arn:1", "--base-url", server.baseURL] + sfn + ["--poll-data", #"{"executionArn":"{.executionArn}"}"#])
    #expect(r.code == 2)
    #expect(r.stderr.contains("use {id}"), "\(r.stderr)")
    #expect(server.requests.isEmpty)
  }

  @Test func aShapesOwnCredentialHeaderNeverReachesOutput() throws {
    let server = try LoopbackServer()
    server.setHandler { request in
      let key = request.header("X-Api-Key") ?? "none"
      return .json(200, #"{"status":"SUCCEEDED","seen":"\#(key)"}"#, headers: [("X-Echo", key)])
    }
    let r = try jobctl(
      ["wait", "arn:1", "--base-url", server.baseURL, "-v", "--json"] + sfn + [
        "--poll-header", "X-Api-Key: poll-secret-31415", "--cancel-header", "X-Api-Key: cancel-secret-27182",
      ])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(server.requests.first?.header("X-Api-Key") == "poll-secret-31415")
    #expect(!r.stdout.contains("poll-secret-31415") && !r.stderr.contains("poll-secret-31415"))
    #expect(r.stdout.contains("[redacted]"), "\(r.stdout)")
  }
}
