import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// `final-url` and the `start-*-when` conditions as data: which rule applies, what a start answer
/// that names no job says, and what a wait fetches once done.
@Suite struct FinalResultTests {

  private func start(_ method: String, headers: [HTTPHeader] = []) -> StartRecord {
    StartRecord(
      method: method, url: "https://m.test/things/t?api-version=1",
      answer: HTTPResponse(status: 202, headers: headers, url: "https://m.test/things/t?api-version=1"))
  }

  @Test func azureFetchesTheResultWhereAzureCoreDoes() throws {
    let azure = try #require(Dialects.named("azure-operation"))
    let http202 = try #require(Dialects.named("http-202"))
    let monitor = "https://m.test/operations/1?api-version=1"
    let located = [HTTPHeader("Location", "/results/9?api-version=1")]
    let resource = try JSON.parse(Array(#"{"status":"Succeeded","resourceLocation":"https://m.test/r/2"}"#.utf8))
    let plain = try JSON.parse(Array(#"{"status":"Succeeded"}"#.utf8))
    // PUT and PATCH: the URL the start went to, whatever the monitor says.
    #expect(azure.finalURL(start: start("PUT"), pollURL: monitor, document: resource)?.url == start("PUT").url)
    #expect(azure.finalURL(start: start("PATCH"), pollURL: monitor, document: plain)?.url == start("PUT").url)
    // POST and DELETE: the start's Location (resolved against the URL that answered), else the
    // monitor's resourceLocation, else nothing.
    #expect(
      azure.finalURL(start: start("POST", headers: located), pollURL: monitor, document: resource)?.url
        == "https://m.test/results/9?api-version=1")
    #expect(azure.finalURL(start: start("DELETE"), pollURL: monitor, document: resource)?.url == "https://m.test/r/2")
    #expect(azure.finalURL(start: start("POST"), pollURL: monitor, document: plain) == nil)
    // No start (wait MONITOR): only resourceLocation can apply.
    #expect(azure.finalURL(start: nil, pollURL: monitor, document: resource)?.url == "https://m.test/r/2")
    #expect(azure.finalURL(start: nil, pollURL: monitor, document: plain) == nil)
    // Shapes without final-url fetch nothing.
    #expect(http202.finalURL(start: start("PUT"), pollURL: monitor, document: plain) == nil)
  }

  @Test func finalURLRulesAreCheckedBeforeAnythingIsSent() {
    let lower = runJobctl(["wait", "j1", "--completed-when", "done", "--final-url", "put {start-url}"])
    #expect(lower.code == 2)
    guard case .usage(.badShapeKey("--final-url", "final-url", _, let problem))? = lower.error else {
      Issue.record("not a bad --final-url: \(lower.errors)")
      return
    }
    #expect(problem.hasPrefix("'put {start-url}' takes [METHOD[,METHOD...] ]TEMPLATE"), "\(problem)")
    let unknown = runJobctl(["wait", "j1", "--completed-when", "done", "--final-url", "{start-body}"])
    #expect(unknown.code == 2)
    guard case .usage(.badShapeKey("--final-url", "final-url", _, let known))? = unknown.error else {
      Issue.record("not a bad --final-url: \(unknown.errors)")
      return
    }
    #expect(known.contains("{start-header:NAME}"), "\(known)")
    #expect(lower.transport.requests.isEmpty && unknown.transport.requests.isEmpty)
  }

  @Test func aDescribedShapeFetchesItsFinalResultAndAFailedFetchIsItsExitCode() {
    let flags = ["wait", "j1", "--completed-when", "state=done", "--final-url", "{+.result_url}", "--json"]
    let done = #"{"state":"done","result_url":"/results/j1"}"#
    let r = runJobctl(flags, script: [answer(200, done), answer(200, #"{"rows":3}"#)])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == #"{"rows":3}"# + "\n")
    #expect(r.transport.requests.map(\.url) == ["http://api.test/jobs/j1", "http://api.test/results/j1"])
    let denied = runJobctl(flags, script: [answer(200, done), answer(403, #"{"message":"no"}"#)])
    #expect(denied.code == 4, "\(denied.stderr)")
    #expect(denied.stdout.isEmpty)
    let context = "job j1 completed, but its final result could not be fetched: "
    #expect(denied.errors == [.authRefused(.within(context, .credentialsRefused(answer: "HTTP 403 Forbidden: no")))])
    // A document without the value: nothing to fetch, the last answer is the result.
    let none = runJobctl(flags, script: [answer(200, #"{"state":"done"}"#)])
    #expect(none.code == 0)
    #expect(none.transport.requests.count == 1)
  }

  /// Azure-core also reads a top-level provisioningState; a 202 says nothing by itself.
  @Test func startConditionsReadTheStartAnswer() {
    let args = ["start", "/things/t", "--method", "PUT", "--dialect", "azure-operation"]
    let top = runJobctl(args, script: [answer(200, #"{"provisioningState":"Failed"}"#)])
    #expect(top.code == 1, "\(top.stderr)")
    let canceled = runJobctl(args, script: [answer(201, #"{"properties":{"provisioningState":"Cancelled"}}"#)])
    #expect(canceled.code == 3, "\(canceled.stderr)")
    let accepted = runJobctl(args, script: [answer(202, #"{"properties":{"provisioningState":"Succeeded"}}"#)])
    #expect(accepted.code == 6, "\(accepted.stderr)")
    #expect(accepted.stdout == #"{"properties":{"provisioningState":"Succeeded"}}"# + "\n")
    // A shape of one's own says the same with flags.
    let own = runJobctl(
      ["start", "/x", "--completed-when", "state=done", "--start-completed-when", "@http=201 & ok"],
      script: [answer(201, #"{"ok":true}"#)])
    #expect(own.code == 0, "\(own.stderr)")
    #expect(own.transport.requests.count == 1)
  }

  /// `status` asks once: an empty success is not worth asking again.
  @Test func anEmptySuccessIsNotUnderstoodAtOnce() {
    let r = runJobctl(["status", "j1", "--dialect", "staged"], script: [answer(200, ""), answer(200, "")])
    #expect(r.code == 6, "\(r.stderr)")
    #expect(r.transport.requests.count == 1)
    let auto = runJobctl(["status", "j1"], script: [answer(200, " \n")])
    #expect(auto.code == 6)
    #expect(auto.notAJobDocument?.contains("--dialect http-202") == true, "\(auto.errors)")
  }

  /// Only the built-in shapes, auto and named APIs that say so resend a start.
  @Test func idempotentStartIsFalseForAShapeOfOnesOwn() throws {
    var settings = Settings(jobsPath: "")
    let own = Invocation(command: CommandKey.start.spec, arguments: ["/x"], values: [.completedWhen: ["s=ok"]])
    try Settings.resolveShape(Layers(invocation: own, environment: [:], config: nil, profile: []), into: &settings)
    #expect(settings.shape.idempotentStart == false)
    let auto = Invocation(command: CommandKey.start.spec, arguments: ["/x"], values: [.idPath: ["x"]])
    try Settings.resolveShape(Layers(invocation: auto, environment: [:], config: nil, profile: []), into: &settings)
    #expect(settings.shape.idempotentStart == true)
    for shape in Dialects.known {
      let expected = ![
        "github-run", "replicate", "anthropic-batch", "slurm", "ray-job", "celery-flower", "aws-sfn", "aws-athena",
        "aws-glue",
      ].contains(shape.name)
      #expect(shape.idempotentStart == expected, "\(shape.name)")
    }
  }
}
