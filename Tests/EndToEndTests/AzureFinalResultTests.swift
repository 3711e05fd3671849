import Foundation
import LoopbackHTTP
import Testing

/// Azure's long-running operations end to end, against the simulator's routes shaped as
/// azure-core's own LRO test routes: the final result fetched as azure-core fetches it, a start
/// that is done at once, `http-202` and `auto` given Azure's headers, and empty answers.
@Suite struct AzureFinalResultTests {
  /// A loopback server answering as the simulator does, so the test sees every request.
  final class AzureServer {
    let server: LoopbackServer
    let simulator: JobSimulator

    init() throws {
      server = try LoopbackServer()
      simulator = JobSimulator(baseURL: server.baseURL, speed: 20)
      server.setHandler(simulator.handle)
    }

    /// The base URL with Azure's api-version, which every request must carry.
    var base: String { server.baseURL + "/azure?api-version=2024-01-01" }

    /// `METHOD TARGET` of every request so far, in order.
    var seen: [String] { server.requests.map { "\($0.method) \($0.target)" } }
  }

  private let poll = ["--interval", "50ms", "--max-interval", "200ms", "--timeout", "30s"]
  private let version = "?api-version=2024-01-01"

  @Test func aPUTEndsWithTheResourceFetchedFromTheURLItWentTo() throws {
    let azure = try AzureServer()
    let r = try jobctl(
      [
        "start", "/things/t1", "--method", "PUT", "--data", "{}", "--dialect", "azure-operation", "--wait", "--json",
        "--base-url", azure.base,
      ] + poll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == #"{"id":"/azure/things/t1","name":"t1","properties":{"provisioningState":"Succeeded"}}"# + "\n")
    let seen = azure.seen
    #expect(seen.first == "PUT /azure/things/t1\(version)")
    #expect(seen.last == "GET /azure/things/t1\(version)")
    // The monitor in between, with api-version kept, and nothing after the final fetch.
    #expect(seen.count >= 3)
    #expect(
      seen.dropFirst().dropLast().allSatisfy { $0.hasPrefix("GET /azure/operations/azop-") && $0.hasSuffix(version) })
    // Text shows the monitor's state with the resource's properties.
    let text = try jobctl(
      [
        "start", "/things/t2", "--method", "PUT", "--data", "{}", "--dialect", "azure-operation", "--wait",
        "--base-url", azure.base,
      ] + poll)
    #expect(text.code == 0, "\(text.stderr)")
    #expect(text.stdout.contains("state: completed\nstatus: Succeeded\nprogress: 100%\n"), "\(text.stdout)")
    #expect(text.stdout.contains("properties.provisioningState: Succeeded\n"), "\(text.stdout)")
  }

  @Test func aPOSTEndsWithTheResultAtItsLocation() throws {
    let azure = try AzureServer()
    let r = try jobctl(
      ["start", "/things/a/export", "--dialect", "azure-operation", "--wait", "--json", "--base-url", azure.base] + poll
    )
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == #"{"exported":true,"rows":42}"# + "\n")
    let seen = azure.seen
    #expect(seen.first == "POST /azure/things/a/export\(version)")
    #expect(seen.last?.hasPrefix("GET /azure/exports/azop-") == true, "\(seen)")
    #expect(seen.dropFirst().dropLast().allSatisfy { $0.hasPrefix("GET /azure/operations/azop-") })
  }

  @Test func withoutALocationTheMonitorsResourceLocationIsFetched() throws {
    let azure = try AzureServer()
    let r = try jobctl(
      [
        "start", "/things/b/restart", "--dialect", "azure-operation", "--wait", "--field", "name", "--base-url",
        azure.base,
      ]
        + poll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == "b\n")
    #expect(azure.seen.last == "GET /azure/things/b\(version)")
  }

  /// `wait MONITOR` knows no start: only `resourceLocation` can say where the result is.
  @Test func aWaitGivenTheMonitorUsesOnlyWhatItCanKnow() throws {
    let azure = try AzureServer()
    let started = try jobctl(["start", "/things/c/restart", "--dialect", "azure-operation", "--base-url", azure.base])
    #expect(started.code == 0, "\(started.stderr)")
    let monitor = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(monitor.hasPrefix(azure.server.baseURL + "/azure/operations/azop-"), "\(monitor)")
    let r = try jobctl(["wait", monitor, "--dialect", "azure-operation", "--json"] + poll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.contains(#""name":"c""#), "\(r.stdout)")
    #expect(azure.seen.last == "GET /azure/things/c\(version)")
    // A PUT's monitor names no resourceLocation: without the start, the monitor is the result.
    let put = try jobctl(
      [
        "start", "/things/d", "--method", "PUT", "--data", "{}", "--dialect", "azure-operation", "--base-url",
        azure.base,
      ])
    let putMonitor = put.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let before = azure.seen.count
    let waited = try jobctl(["wait", putMonitor, "--dialect", "azure-operation", "--json"] + poll)
    #expect(waited.code == 0, "\(waited.stderr)")
    #expect(waited.stdout.contains(#""status":"Succeeded""#), "\(waited.stdout)")
    #expect(azure.seen.dropFirst(before).allSatisfy { $0.hasPrefix("GET /azure/operations/") })
  }

  @Test func aFinalResultThatCannotBeFetchedIsAnErrorNeverTheMonitor() throws {
    let azure = try AzureServer()
    let r = try jobctl(
      [
        "start", "/things/gone", "--method", "PUT", "--data", "{}", "--dialect", "azure-operation", "--wait", "--json",
        "--base-url", azure.base,
      ] + poll)
    #expect(r.code == 5, "\(r.stderr)")
    #expect(r.stdout.isEmpty, "\(r.stdout)")
    #expect(r.stderr.contains("completed, but its final result could not be fetched"), "\(r.stderr)")
    #expect(r.stderr.contains("/azure/things/gone"), "\(r.stderr)")
    #expect(azure.seen.last == "GET /azure/things/gone\(version)")
  }

  @Test func onlyCompletedJobsFetch() throws {
    let azure = try AzureServer()
    let r = try jobctl(
      [
        "start", "/things/fail", "--method", "PUT", "--data", "{}", "--dialect", "azure-operation", "--wait",
        "--base-url", azure.base,
      ] + poll)
    #expect(r.code == 1)
    #expect(r.stderr.contains("quota exceeded"), "\(r.stderr)")
    #expect(!azure.seen.contains("GET /azure/things/fail\(version)"), "\(azure.seen)")
  }

  @Test func aNDJSONDoneEventCarriesTheResultAndTheMonitor() throws {
    let azure = try AzureServer()
    let r = try jobctl(
      [
        "start", "/things/e", "--method", "PUT", "--data", "{}", "--dialect", "azure-operation", "--wait", "--format",
        "ndjson", "--base-url", azure.base,
      ] + poll)
    #expect(r.code == 0, "\(r.stderr)")
    let done = try #require(r.stdout.split(separator: "\n").last)
    let event = try #require(try JSONSerialization.jsonObject(with: Data(done.utf8)) as? [String: Any])
    #expect(event["event"] as? String == "done")
    #expect((event["document"] as? [String: Any])?["name"] as? String == "e")
    #expect((event["monitor"] as? [String: Any])?["status"] as? String == "Succeeded")
    #expect(event["result_url"] as? String == azure.server.baseURL + "/azure/things/e\(version)")
  }

  /// A 201 with a terminal provisioningState and no monitor: done at once, one request.
  @Test(arguments: [("sync-1", Int32(0)), ("sync-fail", Int32(1)), ("sync-cancel", Int32(3))])
  func aStartAnsweredWithATerminalProvisioningStateEndsAtOnce(_ name: String, _ code: Int32) throws {
    let azure = try AzureServer()
    let r = try jobctl(
      ["start", "/things/\(name)", "--method", "PUT", "--data", "{}", "--dialect", "azure-operation", "--json"]
        + ["--base-url", azure.base])
    #expect(r.code == code, "\(r.stderr)")
    #expect(r.stdout.contains(#""name":"\#(name)""#), "\(r.stdout)")
    #expect(azure.seen == ["PUT /azure/things/\(name)\(version)"])
    if code == 0 {
      #expect(r.stderr.isEmpty, "\(r.stderr)")
    } else {
      #expect(r.stderr.contains("jobctl: error: job /things/\(name)"))
    }
  }

  /// A start answered 201 with a `Location` is not done: the Location is polled, and a failure
  /// there is reported (it was reported completed without a request to the Location).
  @Test func http202PollsTheLocationOfAStartAnswered201() throws {
    let azure = try AzureServer()
    let failed = try jobctl(
      [
        "start", "/things/created-location-fail", "--method", "PUT", "--data", "{}", "--dialect", "http-202", "--wait",
        "--base-url", azure.base,
      ] + poll)
    #expect(failed.code == 6, "\(failed.stderr)")
    #expect(failed.stderr.contains("quota exceeded"), "\(failed.stderr)")
    #expect(azure.seen.dropFirst().allSatisfy { $0.hasPrefix("GET /azure/results/azop-") && $0.hasSuffix(version) })
    #expect(azure.seen.count >= 2)
    let ok = try jobctl(
      [
        "start", "/things/created-location", "--method", "PUT", "--data", "{}", "--dialect", "http-202", "--wait",
        "--json", "--base-url", azure.base,
      ] + poll)
    #expect(ok.code == 0, "\(ok.stderr)")
    #expect(ok.stdout.contains(#""status":"Ready""#), "\(ok.stdout)")
  }

  @Test func autoPollsAzureMonitorsAsAzureOperation() throws {
    let azure = try AzureServer()
    let r = try jobctl(
      ["start", "/things/f", "--method", "PUT", "--data", "{}", "--wait", "--json", "--base-url", azure.base] + poll)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout.contains(#""name":"f""#), "\(r.stdout)")
    #expect(azure.seen.last == "GET /azure/things/f\(version)")
    // Without --wait, the monitor's URL is the job (not the resource id the answer holds).
    let started = try jobctl(["start", "/things/g", "--method", "PUT", "--data", "{}", "--base-url", azure.base])
    #expect(started.code == 0, "\(started.stderr)")
    let monitor = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(monitor.hasPrefix(azure.server.baseURL + "/azure/operations/azop-"), "\(monitor)")
    // Given the monitor alone, auto cannot place it, and says which shape can.
    let waited = try jobctl(["wait", monitor] + poll)
    #expect(waited.code == 6, "\(waited.stderr)")
    #expect(waited.stderr.contains("--dialect azure-operation"), "\(waited.stderr)")
  }

  /// A 2xx with an empty body where a document is needed: exit 6 at once, one request.
  @Test func anEmptyMonitorAnswerEndsAtOnce() throws {
    let azure = try AzureServer()
    let started = try jobctl(
      ["start", "/things/x-emptymonitor", "--method", "PUT", "--data", "{}", "--dialect", "azure-operation"]
        + ["--base-url", azure.base])
    let monitor = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let before = azure.seen.count
    let r = try jobctl(["status", monitor, "--dialect", "azure-operation"])
    #expect(r.code == 6, "\(r.stderr)")
    #expect(r.stderr.contains("an empty body, where the azure-operation shape needs a job document"), "\(r.stderr)")
    #expect(azure.seen.count == before + 1)
    #expect(r.elapsed < 10)
  }
}

/// Starts that do not lose jobs: a shape of one's own does not resend a start that may have run,
/// and a start answer that names no job is printed.
@Suite struct StartKeepsItsJobTests {
  @Test func aFlagDescribedShapeDoesNotResendAStartWhoseReplyWasLost() throws {
    let server = try LoopbackServer()
    server.script("POST", "/jobs", [Reply(fault: .resetBeforeStatus), .json(201, #"{"id":"j1"}"#)])
    let r = try jobctl(
      ["start", "/jobs", "--data", "{}", "--completed-when", "status=done", "--failed-when", "status=failed"]
        + ["--base-url", server.baseURL] + fast)
    #expect(r.code == 7, "\(r.stderr)")
    #expect(r.stdout.isEmpty)
    #expect(server.requests.count == 1)
    let key = try #require(server.requests.first?.header("Idempotency-Key"))
    #expect(r.stderr.contains("the job may have been created (it was sent with Idempotency-Key \(key))"), "\(r.stderr)")
    // Saying the API honours the key makes the start go again, with the same key.
    server.script("POST", "/jobs", [Reply(fault: .resetBeforeStatus), .json(201, #"{"id":"j1"}"#)])
    let again = try jobctl(
      [
        "start", "/jobs", "--data", "{}", "--completed-when", "status=done", "--idempotent-start", "true",
        "--idempotency-key", "k-1", "--base-url", server.baseURL,
      ] + fast)
    #expect(again.code == 0, "\(again.stderr)")
    #expect(again.stdout == "j1\n")
    #expect(server.requests.dropFirst().map { $0.header("Idempotency-Key") } == ["k-1", "k-1"])
  }

  @Test func aShapeOfTheConfigFileDoesNotResendEither() throws {
    let server = try LoopbackServer()
    server.script("POST", "/jobs", [Reply(fault: .resetBeforeStatus), .json(201, #"{"id":"j1"}"#)])
    let folder = try scratch()
    let config = folder.appendingPathComponent("config")
    try "[dialect mine]\ncompleted-when = status=done\n".write(to: config, atomically: true, encoding: .utf8)
    let r = try jobctl(
      ["start", "/jobs", "--dialect", "mine", "--config", config.path, "--base-url", server.baseURL] + fast)
    #expect(r.code == 7, "\(r.stderr)")
    #expect(server.requests.count == 1)
    #expect(r.stderr.contains("the job may have been created"), "\(r.stderr)")
  }

  @Test func aStartAnswerThatNamesNoJobIsPrintedAndExitsSix() throws {
    let server = try LoopbackServer()
    let body = #"{"submission":"s-1","accepted":true}"#
    server.script("POST", "/jobs", [.json(201, body)])
    for wait in [[], ["--wait"]] {
      let r = try jobctl(["start", "/jobs", "--data", "{}", "--base-url", server.baseURL] + wait + fast)
      #expect(r.code == 6, "\(r.stderr)")
      #expect(r.stdout == body + "\n")
      #expect(r.stderr.contains("names no job"), "\(r.stderr)")
      #expect(r.stderr.contains("(keys submission, accepted)"), "\(r.stderr)")
      #expect(r.stderr.contains("the answer is on stdout"), "\(r.stderr)")
    }
    #expect(server.requests.count == 2)
  }
}
