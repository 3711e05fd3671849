import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// Polls described as data (`poll`, `poll-data`, `poll-header`, `start-header`, `cancel-header`,
/// `cancel-data`) and the verdicts a shape gives error answers (`retry-when`, `gone-when`), in
/// fake time.
@Suite struct PollRequestTests {
  /// A shape that polls as AWS Step Functions does: `POST /` with a JSON body and `X-Amz-Target`.
  private let stepFunctions = [
    "--jobs-path", "/{id}", "--poll", "POST /", "--poll-data", #"{"executionArn":"{id}"}"#, "--poll-header",
    "X-Amz-Target: AWSStepFunctions.DescribeExecution", "--start-header",
    "X-Amz-Target: AWSStepFunctions.StartExecution",
    "--cancel", "POST /", "--cancel-data", #"{"executionArn":"{id}"}"#, "--cancel-header",
    "X-Amz-Target: AWSStepFunctions.StopExecution", "--shape-header", "Content-Type: application/x-amz-json-1.0",
    "--id-path", "executionArn", "--url-path", "none", "--completed-when", "status=SUCCEEDED", "--failed-when",
    "status=FAILED,TIMED_OUT", "--canceled-when", "status=ABORTED", "--running-when", "status=RUNNING",
    "--retry-when",
    "@http=400 & __type=ThrottlingException,com.amazonaws.swf.base.model#ThrottlingException", "--gone-when",
    "@http=400 & __type=ExecutionDoesNotExist,com.amazonaws.swf.base.model#ExecutionDoesNotExist",
  ]

  private func header(_ request: HTTPRequest, _ name: String) -> [String] {
    request.headers.filter { Text.equalsIgnoringCase($0.name, name) }.map(\.value)
  }

  // MARK: templates

  @Test func aValueInsideAJSONStringIsEscapedAndOneOutsideIsJSON() throws {
    let template = try URLTemplate(
      parsing: #"{"arn":"{id}","url":"{url}","n":{.count},"s":{.name},"o":{.obj},"bare":{id},"q\"":{id}}"#,
      allowing: [.id, .url, .value], literalBraces: true)
    let document = try JSON.parse(#"{"count":3,"name":"x\"y","obj":{"a":[1,true]}}"#)
    let id = #"a"b\c"#
    let text = try template.expandText(.body, id: id, url: "http://h/p?q=1", document: document)
    let parsed = try JSON.parse(text)
    #expect(parsed["arn"] == .string(id))
    #expect(parsed["url"] == .string("http://h/p?q=1"))
    #expect(parsed["n"] == .number("3"))
    #expect(parsed["s"] == .string(#"x"y"#))
    #expect(parsed["o"]?["a"] == .array([.number("1"), .bool(true)]))
    #expect(parsed["bare"] == .string(id))
    // A `"` escaped inside a literal string does not end it: the value after that string is outside.
    #expect(parsed[#"q""#] == .string(id))
    // A value absent from the document is an error, not a request about nothing.
    #expect(throws: ShapeSyntaxError.self) {
      try URLTemplate(parsing: #"{"a":{.missing}}"#, allowing: [.value], literalBraces: true).expandText(
        .body, id: nil, url: nil, document: document)
    }
    // A header value holding a control character is refused.
    #expect(throws: ShapeSyntaxError.self) {
      try URLTemplate(parsing: "{id}", allowing: [.id]).expandText(.header, id: "a\r\nX: y", url: nil, document: nil)
    }
  }

  // MARK: the requests

  @Test func everyPollIsThePostTheShapeDescribes() {
    let running = answer(200, #"{"executionArn":"arn:sfn:1","status":"RUNNING"}"#)
    let done = answer(200, #"{"executionArn":"arn:sfn:1","status":"SUCCEEDED","output":"{}"}"#)
    let r = runJobctl(["wait", #"arn:sfn:"quoted"\1"#, "--interval", "1"] + stepFunctions, script: [running, done])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.transport.requests.count == 2)
    for request in r.transport.requests {
      #expect(request.method == "POST")
      #expect(request.url == "http://api.test/")
      let body = (try? JSON.parse(request.body ?? [])) ?? .null
      #expect(body["executionArn"] == .string(#"arn:sfn:"quoted"\1"#))
      #expect(header(request, "X-Amz-Target") == ["AWSStepFunctions.DescribeExecution"])
      #expect(header(request, "Content-Type") == ["application/x-amz-json-1.0"])
    }
  }

  @Test func aPollBodyGoesAsJSONUnlessAHeaderNamesItsType() {
    let done = answer(200, #"{"status":"SUCCEEDED"}"#)
    let args = ["wait", "7", "--poll", "POST /graphql", "--poll-data", #"{"query":"job({id})"}"#]
    let conditions = ["--completed-when", "status=SUCCEEDED"]
    let plain = runJobctl(args + conditions, script: [done])
    #expect(plain.code == 0, "\(plain.stderr)")
    #expect(header(plain.transport.requests[0], "Content-Type") == ["application/json"])
    #expect(plain.transport.requests[0].url == "http://api.test/graphql")
    let own = runJobctl(args + conditions + ["-H", "Content-Type: application/graphql+json"], script: [done])
    #expect(header(own.transport.requests[0], "Content-Type") == ["application/graphql+json"])
    // -H wins over the shape's own header of that name.
    let target = runJobctl(
      args + conditions + ["--poll-header", "X-Kind: shape", "-H", "X-Kind: user"], script: [done])
    #expect(header(target.transport.requests[0], "X-Kind") == ["user"])
  }

  @Test func startCarriesItsOwnHeaderAndThePollReadsTheStartAnswer() throws {
    let started = answer(200, #"{"executionArn":"arn:sfn:9","startDate":1.5}"#)
    let done = answer(200, #"{"status":"SUCCEEDED"}"#)
    let args =
      ["start", "/", "--wait", "--data", #"{"stateMachineArn":"sm"}"#] + stepFunctions + [
        "--poll-data", #"{"executionArn":"{.executionArn}","since":{.startDate}}"#,
      ]
    let r = runJobctl(args, script: [started, done])
    #expect(r.code == 0, "\(r.stderr)")
    let requests = r.transport.requests
    try #require(requests.count == 2)
    #expect(header(requests[0], "X-Amz-Target") == ["AWSStepFunctions.StartExecution"])
    #expect(header(requests[0], "Content-Type") == ["application/x-amz-json-1.0"])
    #expect(header(requests[1], "X-Amz-Target") == ["AWSStepFunctions.DescribeExecution"])
    #expect(String(decoding: requests[1].body ?? [], as: UTF8.self) == #"{"executionArn":"arn:sfn:9","since":1.5}"#)
  }

  @Test func aWaitWithoutAStartAnswerCannotReadOneAndSendsNothing() {
    for command in [["wait", "arn:1"], ["status", "arn:1"], ["cancel", "arn:1", "--wait"], ["wait", "a", "b"]] {
      let r = runJobctl(
        command + stepFunctions + ["--poll-data", #"{"executionArn":"{.executionArn}"}"#],
        script: [answer(200, #"{"status":"SUCCEEDED"}"#)])
      #expect(r.code == 2, "\(command): \(r.stderr)")
      #expect(r.errors == [.usage(.pollReadsStartAnswer(shape: "command-line"))], "\(command)")
      #expect(r.transport.requests.isEmpty)
    }
  }

  @Test func cancelSendsItsBodyAndHeaderAndCancelWaitPollsAsTheShapeSays() throws {
    let accepted = answer(200, #"{"stopDate":2}"#)
    let r = runJobctl(["cancel", "arn:sfn:1"] + stepFunctions, script: [accepted])
    #expect(r.code == 0, "\(r.stderr)")
    try #require(r.transport.requests.count == 1)
    let cancel = r.transport.requests[0]
    #expect(cancel.method == "POST")
    #expect(cancel.url == "http://api.test/")
    #expect(String(decoding: cancel.body ?? [], as: UTF8.self) == #"{"executionArn":"arn:sfn:1"}"#)
    #expect(header(cancel, "X-Amz-Target") == ["AWSStepFunctions.StopExecution"])
    #expect(header(cancel, "Content-Type") == ["application/x-amz-json-1.0"])
    let waited = runJobctl(
      ["cancel", "arn:sfn:1", "--wait"] + stepFunctions, script: [accepted, answer(200, #"{"status":"ABORTED"}"#)])
    #expect(waited.code == 3, "\(waited.stderr)")
    #expect(
      waited.transport.requests.map { header($0, "X-Amz-Target") } == [
        ["AWSStepFunctions.StopExecution"], ["AWSStepFunctions.DescribeExecution"],
      ])
  }

  @Test func aWaitForManyJobsPollsEachWithItsOwnBody() {
    let done = answer(200, #"{"status":"SUCCEEDED"}"#)
    let r = runJobctl(["wait", "arn:a", "arn:b", "--progress", "none"] + stepFunctions, script: [done, done])
    #expect(r.code == 0, "\(r.stderr)")
    let bodies = Set(r.transport.requests.map { String(decoding: $0.body ?? [], as: UTF8.self) })
    #expect(bodies == [#"{"executionArn":"arn:a"}"#, #"{"executionArn":"arn:b"}"#])
    #expect(r.transport.requests.allSatisfy { $0.method == "POST" && $0.url == "http://api.test/" })
  }

  @Test func outputReadsTheDocumentWithThePollTheShapeDescribes() {
    let done = answer(200, #"{"status":"SUCCEEDED","results":"/results/7.json"}"#)
    let r = runJobctl(
      ["output", "arn:7", "--output-url", "{+.results}"] + stepFunctions, script: [done, answer(200, "the result")])
    #expect(r.code == 0, "\(r.stderr)")
    let requests = r.transport.requests
    #expect(requests.map(\.method) == ["POST", "GET"])
    #expect(requests.first.map { header($0, "X-Amz-Target") } == ["AWSStepFunctions.DescribeExecution"])
    #expect(requests.last?.url == "http://api.test/results/7.json")
  }

  @Test func malformedKeysAreUsageErrorsNamingTheKeyWithNothingSent() {
    let cases: [([String], String)] = [
      (["--poll", "post /"], "--poll"),
      (["--poll", "GET /jobs/{nope}"], "--poll"),
      (["--poll-data", #"{"a":"{nope}"}"#], "--poll-data"),
      (["--poll-data", #"{"a":{+nope}}"#], "--poll-data"),
      (["--poll-header", "no colon"], "--poll-header"),
      (["--poll-header", "X-A: {nope}"], "--poll-header"),
      (["--start-header", "X-A: {id}"], "--start-header"),
      (["--cancel-header", "Bad Name: 1"], "--cancel-header"),
      (["--cancel-data", "{.}"], "--cancel-data"),
      (["--retry-when", "@nope=1"], "--retry-when"),
      (["--gone-when", "@nope=1"], "--gone-when"),
    ]
    for (flags, named) in cases {
      let r = runJobctl(["wait", "7", "--completed-when", "status=done"] + flags)
      #expect(r.code == 2, "\(flags): \(r.stderr)")
      guard case .usage(.badShapeKey(named, _, _, _))? = r.error else {
        Issue.record("\(flags): not a bad \(named): \(r.errors)")
        continue
      }
      #expect(r.transport.requests.isEmpty)
    }
    let section = "[dialect x]\ncompleted-when = status=done\npoll-data = {\"a\":{zz}}\n"
    let config = runJobctl(
      ["wait", "7", "--dialect", "x", "--config", "/c.ini"], files: ["/c.ini": section])
    #expect(config.code == 2)
    guard case .usage(.badShapeKey("/c.ini:3", "poll-data", "x", _))? = config.error else {
      Issue.record("not a bad poll-data on line 3: \(config.errors)")
      return
    }
  }

  // MARK: verdicts on error answers

  private let slurm = [
    "--jobs-path", "/slurm/v0.0.38/job/{id}", "--completed-when", "jobs.*.job_state=COMPLETED", "--running-when",
    "jobs.*.job_state=RUNNING",
  ]
  private let invalidJob = answer(500, #"{"errors":[{"error_number":2017,"error":"Invalid job id specified"}]}"#)

  @Test func goneWhenEndsWithFiveBeforeTheHTTPRulesRetryAFiveHundred() {
    let gone = runJobctl(
      ["wait", "42"] + slurm + ["--gone-when", "errors.*.error_number=2017"], script: [invalidJob])
    #expect(gone.code == 5, "\(gone.stderr)")
    #expect(gone.transport.requests.count == 1)
    #expect(
      gone.stderr
        == "jobctl: error: job 42 is gone: HTTP 500 Internal Server Error: Invalid job id specified (2017)\n")
    let retried = runJobctl(
      ["wait", "42", "--max-errors", "3", "--progress", "none"] + slurm, script: [invalidJob, invalidJob, invalidJob])
    #expect(retried.code == 7, "\(retried.stderr)")
    #expect(retried.transport.requests.count == 3)
    #expect(
      retried.stderr
        == "jobctl: error: gave up after 3 consecutive failures; the last: HTTP 500 Internal Server Error: Invalid job id specified (2017); job 42 is at http://api.test/slurm/v0.0.38/job/42\n"
    )
    // A condition that does not hold leaves the answer to the HTTP rules.
    let other = runJobctl(
      ["wait", "42", "--max-errors", "1"] + slurm + ["--gone-when", "errors.*.error_number=1"], script: [invalidJob])
    #expect(other.code == 7)
  }

  @Test func goneWhenIsNotJudgedOnAStartOrAList() {
    let gone = ["--gone-when", "@http=400"]
    let start = runJobctl(
      ["start", "/jobs", "--completed-when", "status=done"] + gone,
      script: [answer(400, #"{"message":"bad input"}"#)])
    #expect(start.code == 6, "\(start.stderr)")
    #expect(start.errors == [.rejected(.errorAnswer("HTTP 400 Bad Request: bad input"))])
    let list = runJobctl(["list"] + gone, script: [answer(400, #"{"message":"bad page"}"#)])
    #expect(list.code == 6, "\(list.stderr)")
    let cancel = runJobctl(["cancel", "7"] + gone, script: [answer(400, #"{"message":"no such job"}"#)])
    #expect(cancel.code == 5, "\(cancel.stderr)")
    #expect(cancel.errors == [.notFound(.gone(subject: "job 7", answer: "HTTP 400 Bad Request: no such job"))])
  }

  @Test func aCancelAnsweredWithTheShapesGoneOrRetryIsJudgedSoBeforeItsOwnRules() {
    let missing = answer(400, #"{"__type":"ExecutionDoesNotExist","message":"Execution Does Not Exist"}"#)
    for wait in [false, true] {
      let r = runJobctl(["cancel", "arn:9"] + (wait ? ["--wait"] : []) + stepFunctions, script: [missing])
      #expect(r.code == 5, "\(r.stderr)")
      #expect(
        r.stderr
          == "jobctl: error: job arn:9 is gone: HTTP 400 Bad Request: ExecutionDoesNotExist: Execution Does Not Exist\n"
      )
    }
    // A 409 the shape calls a rate limit is waited out, not read as a refusal of this stage.
    let busy = answer(409, #"{"__type":"ThrottlingException"}"#)
    let r = runJobctl(
      ["cancel", "arn:9", "--wait", "--progress", "none"] + stepFunctions + ["--retry-when", "@http=409"],
      script: [
        busy, answer(200, #"{"status":"RUNNING"}"#), answer(200, "{}"), answer(200, #"{"status":"ABORTED"}"#),
      ])
    #expect(r.code == 3, "\(r.stderr)")
    #expect(
      r.transport.requests.map { header($0, "X-Amz-Target").first ?? "" } == [
        "AWSStepFunctions.StopExecution", "AWSStepFunctions.DescribeExecution", "AWSStepFunctions.StopExecution",
        "AWSStepFunctions.DescribeExecution",
      ])
    // Waited out as a rate limit (a backoff from --interval), where a refusal polls at once.
    let times = r.transport.requestTimes
    #expect(times.count == 4 && times[1] - times[0] >= 2)
  }

  @Test func retryWhenIsARateLimitHonouringRetryAfterAndNeverAnError() throws {
    let throttled = answer(
      400, #"{"__type":"com.amazonaws.swf.base.model#ThrottlingException","message":"Rate exceeded"}"#,
      headers: [HTTPHeader("Retry-After", "7")])
    let bare = answer(400, #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#)
    let done = answer(200, #"{"status":"SUCCEEDED"}"#)
    let r = runJobctl(
      ["wait", "arn:1", "--max-errors", "1", "--progress", "plain"] + stepFunctions,
      script: [throttled, bare, bare, done])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.transport.requests.count == 4)
    // Retry-After honoured; then a backoff that grows, as for a 429 without one.
    let times = r.transport.requestTimes
    try #require(times.count == 4)
    let gaps = zip(times.dropFirst(), times).map { ($0 - $1 - 0.01) }
    #expect(abs(gaps[0] - 7) < 0.001)
    #expect(gaps[1] >= 2 && gaps[2] > gaps[1])
    #expect(
      r.stderr.split(separator: "\n").first?.contains(
        "rate limited (HTTP 400 Bad Request: ThrottlingException: Rate exceeded); next poll in 7s") == true,
      "\(r.stderr)")
    // Without it the same answer ends the wait (exit 6).
    let plain = runJobctl(["wait", "arn:1", "--completed-when", "status=SUCCEEDED"], script: [bare, done])
    #expect(plain.code == 6)
    #expect(plain.errors == [.rejected(.errorAnswer("HTTP 400 Bad Request: ThrottlingException: Rate exceeded"))])
  }

  /// A throttled start was refused, not run: it is sent again even where the API does not honour
  /// Idempotency-Key (where a 5xx is not, since that job may have been created).
  @Test func aThrottledStartIsSentAgainAfterItsRetryAfter() {
    let throttled = answer(
      400, #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#, headers: [HTTPHeader("Retry-After", "3")])
    let started = answer(200, #"{"executionArn":"arn:sfn:5"}"#)
    let r = runJobctl(
      ["start", "/", "--data", "{}", "--idempotent-start", "false", "--progress", "none"] + stepFunctions,
      script: [throttled, started])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == "arn:sfn:5\n")
    let times = r.transport.requestTimes
    #expect(times.count == 2 && times[1] - times[0] >= 3)
    #expect(r.transport.requests.allSatisfy { header($0, "X-Amz-Target") == ["AWSStepFunctions.StartExecution"] })
  }

  @Test func goneIsJudgedBeforeRetryAndBeforeTheShapesNamedStatuses() {
    let missing = answer(
      400,
      #"{"__type":"com.amazonaws.swf.base.model#ExecutionDoesNotExist","message":"Execution Does Not Exist: 'arn:1'"}"#)
    let r = runJobctl(
      ["wait", "arn:1"] + stepFunctions + ["--retry-when", "@http=400", "--failed-when", "@http=400"],
      script: [missing])
    #expect(r.code == 5, "\(r.stderr)")
    #expect(
      r.stderr
        == "jobctl: error: job arn:1 is gone: HTTP 400 Bad Request: ExecutionDoesNotExist: Execution Does Not Exist: 'arn:1'\n"
    )
  }

  /// The engine alone, in fake time: a retry-when answer is counted as a rate limit (the
  /// failure streak is not advanced), so --max-errors 1 never ends it.
  @Test func theWatchCountsRetryWhenAsARateLimit() throws {
    var policy = PollPolicy()
    policy.maxErrors = 1
    policy.answerRules = AnswerRules(
      retryWhen: [try Condition(parsing: "@http=400 & code=Throttled")], goneWhen: [try Condition(parsing: "@http=410")]
    )
    var watch = JobWatch(label: "j", request: HTTPRequest(url: "http://x/j"), dialect: nil, policy: policy)
    let throttled = HTTPResponse(status: 400, body: Array(#"{"code":"Throttled"}"#.utf8))
    var events: [PollEvent] = []
    for _ in 0..<3 {
      let step = watch.absorb(.success(throttled), now: 0, wall: 0, random: FixedRandom(0.5)) { events.append($0) }
      guard case .again(let delay, _) = step else {
        Issue.record("a throttled answer ended the wait: \(step)")
        return
      }
      #expect(delay > 0)
    }
    #expect(events.allSatisfy { if case .rateLimited = $0 { true } else { false } })
    let gone = watch.absorb(
      .success(HTTPResponse(status: 410, body: Array("gone away".utf8))), now: 0, wall: 0, random: FixedRandom(0.5)
    ) { _ in }
    #expect(gone == .finish(.notFound(.gone(subject: "job j", answer: "HTTP 410 Gone: gone away"))))
  }

  // MARK: the server's words

  @Test func errorAnswersShowTheServersOwnWordsWhateverTheirForm() {
    func words(_ body: String) -> String { Messages.serverWords(Array(body.utf8)) }
    #expect(words("Unauthorized: token expired\n") == "Unauthorized: token expired")
    #expect(words("line one\n\n  line\ttwo") == "line one line two")
    let page = """
      <!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>p{color:red}</style></head>
      <body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx &amp; friends</center>
      <script>var x = "<b>no</b>";</script></body></html>
      """
    #expect(words(page) == "502 Bad Gateway nginx & friends")
    #expect(
      words("<html><head><title>Down</title></head><body><header>Site</header><p>Back soon</p></body></html>")
        == "Down: Site Back soon")
    #expect(
      words(#"{"errors":[{"error_number":2017,"error":"Invalid job id specified"}]}"#)
        == "Invalid job id specified (2017)")
    #expect(
      words(
        #"{"errors":[{"description":"Failed to lookup job","error":"Invalid job id specified","error_number":2017}]}"#)
        == "Invalid job id specified: Failed to lookup job (2017)")
    #expect(
      words(#"{"__type":"ExecutionDoesNotExist","message":"Execution Does Not Exist: 'arn:x'"}"#)
        == "ExecutionDoesNotExist: Execution Does Not Exist: 'arn:x'")
    #expect(
      words(#"{"__type":"com.amazon.coral.validate#ValidationException","Message":"bad"}"#)
        == "ValidationException: bad")
    #expect(words(#"{"Message":"User is not authorized"}"#) == "User is not authorized")
    #expect(words(#""just a string""#) == "just a string")
    #expect(!words("evil\u{1B}[31mred").unicodeScalars.contains("\u{1B}"))
    #expect(words(String(repeating: "x", count: 5000)).count < 500)
    #expect(words("") == "")
    #expect(Messages.forErrorAnswer(status: 401, body: Array("no token\n".utf8)) == "HTTP 401 Unauthorized: no token")
  }
}
