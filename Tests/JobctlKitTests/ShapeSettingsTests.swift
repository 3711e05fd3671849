import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// Shapes from flags and `[dialect NAME]` sections, layered key by key (docs/shapes.md "Any job
/// API"), and the commands that show them: `help dialects`, `explain`, `wait -v`.
@Suite struct ShapeSettingsTests {
  private let stepFunctions = [
    "--completed-when", "status=SUCCEEDED", "--failed-when", "status=FAILED,TIMED_OUT,ABORTED", "--running-when",
    "status=RUNNING",
  ]

  @Test func flagsWithoutADialectDescribeAShapeOfTheirOwn() {
    let r = runJobctl(
      ["wait", "arn-1"] + stepFunctions,
      script: [answer(200, #"{"status":"RUNNING"}"#), answer(200, #"{"status":"TIMED_OUT","cause":"slow"}"#)])
    #expect(r.code == 1, "\(r.stderr)")
    #expect(r.transport.requests.count == 2)
    let unknown = runJobctl(["wait", "arn-1"] + stepFunctions, script: [answer(200, #"{"status":"PENDING_REDRIVE"}"#)])
    #expect(unknown.code == 6)
    #expect(unknown.notAJobDocument?.contains(#"status "PENDING_REDRIVE""#) == true, "\(unknown.errors)")
  }

  /// `--dialect github-run --completed-when conclusion=success` keeps all of github-run but its
  /// completed-when.
  @Test func aFlagReplacesOneKeyOfANamedShape() {
    let r = runJobctl(
      ["wait", "https://api.github.test/runs/1", "--dialect", "github-run", "--completed-when", "conclusion=neutral"],
      script: [answer(200, #"{"status":"completed","conclusion":"neutral"}"#)])
    #expect(r.code == 0, "\(r.stderr)")
    let failed = runJobctl(
      ["wait", "https://api.github.test/runs/1", "--dialect", "github-run", "--completed-when", "conclusion=neutral"],
      script: [answer(200, #"{"status":"completed","conclusion":"failure"}"#)])
    #expect(failed.code == 1)
    let success = runJobctl(
      ["wait", "https://api.github.test/runs/1", "--dialect", "github-run", "--completed-when", "conclusion=neutral"],
      script: [answer(200, #"{"status":"completed","conclusion":"success"}"#)])
    #expect(success.code == 6, "success is no longer a completed-when: \(success.stderr)")
  }

  private static let stepfn = """
    [dialect stepfn]
    completed-when = status=SUCCEEDED
    failed-when = status=FAILED
    failed-when = status=TIMED_OUT
    running-when = status=RUNNING
    jobs-path = /executions/{id}
    shape-header = X-Api: 1

    """

  private let config =
    "[default]\ndialect = stepfn\n\n" + stepfn + """
      [dialect github-run]
      completed-when = status=completed & conclusion=success,skipped
      """

  @Test func aConfigSectionIsAShapeAndAProfileMayNameIt() {
    let r = runJobctl(
      ["wait", "e1", "--config", "/c"],
      script: [answer(200, #"{"status":"RUNNING"}"#), answer(200, #"{"status":"TIMED_OUT"}"#)],
      files: ["/c": config])
    #expect(r.code == 1, "\(r.stderr)")
    #expect(r.transport.requests.first?.url == "http://api.test/executions/e1")
    #expect(r.transport.requests.first?.headers.contains(HTTPHeader("X-Api", "1")) == true)
    let flagWins = runJobctl(
      ["wait", "e1", "--config", "/c", "--failed-when", "status=FAILED"],
      script: [answer(200, #"{"status":"TIMED_OUT"}"#)],
      files: ["/c": config])
    #expect(flagWins.code == 6, "the flag replaced the section's failed-when list: \(flagWins.stderr)")
  }

  @Test func aSectionOverridesABuiltInShapeKeyByKey() {
    let r = runJobctl(
      ["wait", "https://api.github.test/runs/1", "--config", "/c", "--dialect", "github-run"],
      script: [answer(200, #"{"status":"completed","conclusion":"skipped"}"#)],
      files: ["/c": config])
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.transport.requests.first?.headers.contains(HTTPHeader("X-GitHub-Api-Version", "2022-11-28")) == true)
  }

  /// The cause names the flag; the problem is the shape parser's words.
  @Test(arguments: [
    (["--completed-when", "status="], "completed-when", "'status=' has an empty value"),
    (["--progress-path", "a / 0", "--completed-when", "done"], "progress-path", "'a / 0' divides by 0"),
    (["--cancel", "post {url}", "--completed-when", "done"], "cancel", "no HTTP method"),
    (["--jobs-path", "/jobs/"], "jobs-path", "contain {id}"),
  ])
  func malformedShapesAreUsageErrorsAndSendNothing(_ args: [String], _ key: String, _ problem: String) {
    let r = runJobctl(["wait", "j1"] + args)
    #expect(r.code == 2)
    guard case .usage(.badShapeKey("--\(key)", key, _, let said))? = r.error else {
      Issue.record("not a bad --\(key): \(r.errors)")
      return
    }
    #expect(said.contains(problem), "\(said)")
    #expect(r.transport.requests.isEmpty)
  }

  @Test func anUnknownDialectIsNamedWithTheKnownOnes() {
    let r = runJobctl(["wait", "j1", "--dialect", "nope"])
    #expect(r.code == 2)
    #expect(r.errors == [.usage(.unknownShape("nope", origin: "--dialect", hint: "", known: Dialects.names))])
    #expect(r.transport.requests.isEmpty)
  }

  @Test func aMalformedSectionNamesItsFileAndLine() {
    let r = runJobctl(
      ["wait", "j1", "--config", "/c", "--dialect", "bad"],
      files: ["/c": "[dialect bad]\ncompleted-when = status=a\nfailed-when = x<y\n"])
    #expect(r.code == 2)
    let problem = "'x<y': < compares with one number"
    #expect(r.errors == [.usage(.badShapeKey(origin: "/c:3", key: "failed-when", shape: "bad", problem: problem))])
    let unknownKey = runJobctl(["wait", "j1", "--config", "/c"], files: ["/c": "[dialect bad]\nstatus = x\n"])
    #expect(unknownKey.code == 2)
    #expect(unknownKey.errors == [.usage(.configLine(path: "/c", line: 2, .unknownShapeKey("status", section: "bad")))])
  }

  @Test func helpDialectsPrintsEveryShapeAsKeys() {
    let all = runJobctl(["help", "dialects"])
    #expect(all.code == 0)
    for name in Dialects.known.map(\.name) { #expect(all.stdout.contains("[dialect \(name)]\n"), "\(name)") }
    #expect(all.stdout.contains("completed-when = status=completed & conclusion=success,neutral,skipped\n"))
    let one = runJobctl(["help", "dialects", "stepfn"], env: ["JOBCTL_CONFIG": "/c"], files: ["/c": config])
    #expect(one.code == 0, "\(one.stderr)")
    // The section comes back as it was written: keys in their order, a repeated key line by line.
    #expect(one.stdout == Self.stepfn)
    #expect(runJobctl(["help", "dialects", "nope"]).code == 2)
  }

  @Test func explainJudgesADocumentOffline() {
    let failed = runJobctl(
      ["explain", "--dialect", "github-run"], stdin: #"{"status":"completed","conclusion":"failure"}"#)
    #expect(failed.code == 1)
    #expect(
      failed.stdout.hasPrefix(
        "failed: status=completed & conclusion=failure,timed_out,startup_failure,action_required,stale\ndialect: github-run\n"
      ))
    #expect(failed.transport.requests.isEmpty)
    let file = runJobctl(["explain", "/doc"] + stepFunctions, files: ["/doc": #"{"status":"RUNNING"}"#])
    #expect(file.code == 9)
    #expect(file.stdout.hasPrefix("running: status=RUNNING\n"))
    let auto = runJobctl(["explain"], stdin: #"{"status":"completed","conclusion":"failure"}"#)
    #expect(auto.code == 6)
    #expect(auto.notAJobDocument?.contains("--dialect github-run") == true, "\(auto.errors)")
    let done = runJobctl(["explain", "--json"], stdin: #"{"ok":true,"status":"done","exit_status":0}"#)
    #expect(done.code == 0)
    #expect(done.stdout == #"{"state":"completed","decided_by":"completed: status=done","dialect":"hotcrp"}"# + "\n")
  }

  @Test func verboseWaitNamesTheDecidingCondition() {
    let r = runJobctl(
      ["wait", "j1", "-v", "--dialect", "staged"],
      script: [answer(200, #"{"status":"running"}"#), answer(200, #"{"status":"canceled"}"#)])
    #expect(r.code == 3)
    #expect(r.stderr.contains("jobctl: job j1: running: status=running\n"), "\(r.stderr)")
    #expect(r.stderr.contains("jobctl: job j1: canceled: status=canceled,cancelled\n"), "\(r.stderr)")
  }
}
