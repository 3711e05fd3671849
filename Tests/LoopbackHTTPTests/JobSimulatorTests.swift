import LoopbackHTTP
import Synchronization
import Testing

/// A clock the test moves by hand, in UNIX seconds.
final class ManualClock: Sendable {
  private let value: Mutex<Double>

  init(_ start: Double = 1_700_000_000) {
    value = Mutex(start)
  }

  func now() -> Double { value.withLock { $0 } }

  func advance(_ seconds: Double) { value.withLock { $0 += seconds } }
}

extension SimJSON {
  var string: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  var number: Double? {
    if case .number(let text) = self { return Double(text) }
    return nil
  }

  var items: [SimJSON]? {
    if case .array(let items) = self { return items }
    return nil
  }
}

/// A simulator on a manual clock plus helpers that send it requests without sockets.
struct SimulatorHarness {
  let clock = ManualClock()
  let simulator: JobSimulator
  let start: Double

  init(speed: Double = 1) {
    let clock = clock
    simulator = JobSimulator(
      baseURL: "http://127.0.0.1:9999", speed: speed, seed: 42, now: { clock.now() })
    start = clock.now()
  }

  /// Moves the clock to `seconds` after the harness was made.
  func at(_ seconds: Double) {
    clock.advance(start + seconds - clock.now())
  }

  func send(
    _ method: String, _ target: String, headers: [(name: String, value: String)] = [],
    body: String = ""
  ) -> (status: Int, json: SimJSON?, reply: Reply) {
    let reply = simulator.handle(
      Request(method: method, target: target, headers: headers, body: Array(body.utf8)))
    return (reply.status, SimJSON.parse(reply.body), reply)
  }

  func get(_ target: String) -> (status: Int, json: SimJSON?, reply: Reply) {
    send("GET", target)
  }
}

@Suite struct SimpleShapeTests {
  @Test func pendingThenCompletedAlwaysWith200() throws {
    let sim = SimulatorHarness()
    let first = sim.get("/jobs/simple-42")
    #expect(first.status == 200)
    #expect(
      first.json
        == .obj(
          ("jobId", .string("simple-42")), ("type", .string("org_members")),
          ("status", .string("pending"))))
    sim.at(3.9)
    #expect(sim.get("/jobs/simple-42").json?["status"] == .string("pending"))
    sim.at(4)
    let done = try #require(sim.get("/jobs/simple-42").json)
    #expect(done["status"] == .string("completed"))
    let result = try #require(done["result"])
    let address = try #require(result["address"]?.string)
    #expect(address.hasPrefix("0x") && address.count == 42)
    #expect(address.dropFirst(2).allSatisfy { "0123456789abcdef".contains($0) })
    #expect(result["added"] == result["total"] && result["added"]?.number != nil)
    #expect(done["errors"] == nil)
    // Deterministic per id: a second simulator generates the same result.
    let other = SimulatorHarness()
    _ = other.get("/jobs/simple-42")
    other.at(5)
    #expect(other.get("/jobs/simple-42").json?["result"] == result)
  }

  @Test func failAndWarnVariants() {
    let sim = SimulatorHarness()
    _ = sim.get("/jobs/simple-fail-1")
    _ = sim.get("/jobs/simple-warn-1")
    sim.at(10)
    let failed = sim.get("/jobs/simple-fail-1")
    #expect(failed.status == 200)
    #expect(failed.json?["status"] == .string("failed"))
    #expect(failed.json?["error"] == .string("census creation failed: not enough funds"))
    let warned = sim.get("/jobs/simple-warn-1").json
    #expect(warned?["status"] == .string("completed"))
    #expect(
      warned?["errors"]
        == .array([.string("row 3: invalid email"), .string("row 9: duplicate member")]))
  }

  @Test func unknownIdsAndRoutes() {
    let sim = SimulatorHarness()
    let missing = sim.get("/jobs/nope")
    #expect(missing.status == 404)
    #expect(missing.json == .obj(("error", .string("job not found")), ("code", .int(40026))))
    #expect(sim.get("/jobs/stg_nope").json?["error"]?["code"] == .string("NOT_FOUND"))
    let route = sim.get("/nowhere")
    #expect(route.status == 404)
    #expect(route.json == .obj(("error", .string("not found")), ("code", .int(404))))
    #expect(sim.send("DELETE", "/jobs/simple-1").status == 404)
  }

  @Test func startAnswersWithIdAndLocation() throws {
    let sim = SimulatorHarness()
    let started = sim.send("POST", "/simple/jobs", body: "anything")
    #expect(started.status == 202)
    let id = try #require(started.json?["jobId"]?.string)
    #expect(id.count == 64 && id.allSatisfy { "0123456789abcdef".contains($0) })
    #expect(started.reply.headers.contains { $0 == ("Location", "/jobs/\(id)") })
    #expect(sim.get("/jobs/\(id)").json?["status"] == .string("pending"))
    sim.at(4)
    #expect(sim.get("/jobs/\(id)").json?["status"] == .string("completed"))
  }

  @Test func speedDividesTheTimeline() {
    let sim = SimulatorHarness(speed: 10)
    _ = sim.get("/jobs/simple-fast")
    sim.at(0.39)
    #expect(sim.get("/jobs/simple-fast").json?["status"] == .string("pending"))
    sim.at(0.4)
    #expect(sim.get("/jobs/simple-fast").json?["status"] == .string("completed"))
  }
}

@Suite struct StagedShapeTests {
  @Test func stagesAndProgressAtChosenTimes() {
    let sim = SimulatorHarness()
    let expectations: [(Double, String, String?, SimJSON?)] = [
      (0.2, "pending", nil, nil),
      (1.0, "running", "validating", .number("0.1")),
      (3.5, "running", "processing", .number("0.55")),
      (6.0, "running", "finalizing", .number("0.95")),
      (6.5, "completed", "done", .int(1)),
    ]
    _ = sim.get("/jobs/staged-7")
    for (time, status, stage, progress) in expectations {
      sim.at(time)
      let document = sim.get("/jobs/staged-7").json
      #expect(document?["status"] == .string(status), "at \(time)")
      #expect(document?["stage"] == stage.map(SimJSON.string), "at \(time)")
      #expect(document?["progress"] == progress, "at \(time)")
      #expect(document?["kind"] == .string("report.build"))
    }
    #expect(
      sim.get("/jobs/staged-7").json?["result"]
        == .obj(("url", .string("/reports/staged-7.pdf")), ("pages", .int(12))))
  }

  @Test func progressNeverMovesBackwardsAndHasThreeDecimals() throws {
    let sim = SimulatorHarness()
    _ = sim.get("/jobs/staged-mono")
    var last = 0.0
    for step in 0...140 {
      sim.at(Double(step) * 0.05)
      guard case .number(let text)? = sim.get("/jobs/staged-mono").json?["progress"] else {
        continue
      }
      let value = try #require(Double(text))
      #expect(value >= last && value <= 1)
      #expect((text.split(separator: ".").last?.count ?? 0) <= 3)
      last = value
    }
    #expect(last == 1)
  }

  @Test func failingVariantEndsInProcessing() {
    let sim = SimulatorHarness()
    _ = sim.get("/jobs/staged-fail-9")
    sim.at(3.9)
    #expect(sim.get("/jobs/staged-fail-9").json?["status"] == .string("running"))
    sim.at(4)
    let failed = sim.get("/jobs/staged-fail-9").json
    #expect(failed?["status"] == .string("failed"))
    #expect(failed?["stage"] == .string("processing"))
    #expect(failed?["progress"] == .number("0.637"))
    #expect(
      failed?["error"]
        == .obj(
          ("code", .string("RENDER_FAILED")), ("message", .string("template render failed")),
          ("data", .obj(("page", .int(7))))))
  }

  @Test func idempotentStart() throws {
    let sim = SimulatorHarness()
    let missing = sim.send("POST", "/staged/jobs", body: #"{"report":"q3"}"#)
    #expect(missing.status == 400)
    #expect(
      missing.json?["error"]
        == .obj(
          ("code", .string("BAD_REQUEST")), ("message", .string("Idempotency-Key header required")))
    )
    let key = [(name: "Idempotency-Key", value: "k-1")]
    let created = sim.send("POST", "/staged/jobs", headers: key, body: #"{"report":"q3"}"#)
    #expect(created.status == 202)
    let id = try #require(created.json?["jobId"]?.string)
    #expect(id.hasPrefix("stg_"))
    #expect(created.json?["status"] == .string("pending"))
    #expect(created.json?["locationUrl"] == .string("/jobs/\(id)"))
    sim.at(2)
    let again = sim.send("POST", "/staged/jobs", headers: key, body: #"{"report":"q3"}"#)
    #expect(again.status == 200)
    #expect(again.reply.body == created.reply.body)
    let conflict = sim.send("POST", "/staged/jobs", headers: key, body: #"{"report":"q4"}"#)
    #expect(conflict.status == 409)
    #expect(conflict.json?["error"]?["code"] == .string("IDEMPOTENCY_CONFLICT"))
    let failing = sim.send(
      "POST", "/staged/jobs", headers: [(name: "Idempotency-Key", value: "k-2")],
      body: #"{"fail":true}"#)
    let failingID = try #require(failing.json?["jobId"]?.string)
    #expect(failingID != id)
    sim.at(10)
    #expect(sim.get("/jobs/\(failingID)").json?["status"] == .string("failed"))
    #expect(sim.get("/jobs/\(id)").json?["status"] == .string("completed"))
  }

  @Test func cancelAnswers() {
    let sim = SimulatorHarness()
    for id in ["staged-a", "staged-b", "staged-c", "staged-fail-d", "simple-e"] {
      _ = sim.get("/jobs/\(id)")
    }
    sim.at(3)
    let accepted = sim.send("POST", "/jobs/staged-a/cancel")
    #expect(accepted.status == 202 && accepted.json == .obj(("accepted", .bool(true))))
    #expect(sim.send("POST", "/jobs/staged-a/cancel").status == 202)
    sim.at(3.4)
    #expect(sim.get("/jobs/staged-a").json?["status"] == .string("running"))
    sim.at(3.5)
    let canceled = sim.get("/jobs/staged-a").json
    #expect(canceled?["status"] == .string("canceled"))
    #expect(canceled?["stage"] == .string("processing"))
    sim.at(5.6)
    let refused = sim.send("POST", "/jobs/staged-b/cancel")
    #expect(refused.status == 409)
    #expect(refused.json?["error"]?["code"] == .string("CONFLICT"))
    #expect(
      refused.json?["error"]?["details"]
        == .obj(("subcode", .string("JOB_CANCEL_UNAVAILABLE")), ("stage", .string("finalizing"))))
    sim.at(7)
    let reasons = [
      "staged-a": "ALREADY_CANCELED", "staged-c": "ALREADY_COMPLETED",
      "staged-fail-d": "ALREADY_FAILED",
    ]
    for (id, reason) in reasons {
      let answer = sim.send("POST", "/jobs/\(id)/cancel")
      #expect(answer.status == 200)
      #expect(answer.json == .obj(("accepted", .bool(false)), ("reason", .string(reason))))
    }
    #expect(sim.get("/jobs/staged-a").json?["status"] == .string("canceled"))
    #expect(sim.send("POST", "/jobs/simple-e/cancel").json?["code"] == .int(40026))
    #expect(
      sim.send("POST", "/jobs/unknown/cancel").json?["error"]?["code"] == .string("NOT_FOUND"))
  }

  @Test func cancelWhilePendingLandsBeforeAnyStage() {
    let sim = SimulatorHarness()
    _ = sim.get("/jobs/staged-early")
    #expect(sim.send("POST", "/jobs/staged-early/cancel").status == 202)
    sim.at(0.5)
    let canceled = sim.get("/jobs/staged-early").json
    #expect(canceled?["status"] == .string("canceled"))
    #expect(canceled?["progress"] == .int(0))
  }
}

@Suite struct HotCRPShapeTests {
  @Test func waitRunPhasesThenDone() throws {
    let sim = SimulatorHarness()
    let wait = sim.get("/api/job?job=hcj_abc")
    #expect(wait.status == 202)
    #expect(
      wait.json
        == .obj(
          ("ok", .bool(true)), ("status", .string("wait")), ("update_at", .int(1_700_000_000))))
    sim.at(1.2)
    let initializing = sim.get("/api/job?job=hcj_abc")
    #expect(initializing.status == 202)
    #expect(initializing.json?["status"] == .string("run"))
    #expect(initializing.json?["progress"] == .string("Initializing"))
    #expect(initializing.json?["update_at"] == .int(1_700_000_001))
    var lastUpdate = 0.0
    for phase in 1...7 {
      sim.at(1.8 + 0.6 * Double(phase - 1) + 0.1)
      let running = sim.get("/api/job?job=hcj_abc")
      #expect(running.status == 202)
      let progress = try #require(running.json?["progress"]?.string)
      #expect(
        progress.hasPrefix("Optimizing assignment for preferences and balance, phase \(phase)/7 ("))
      #expect(progress.hasSuffix("% better)"))
      let update = try #require(running.json?["update_at"]?.number)
      #expect(update >= lastUpdate)
      lastUpdate = update
    }
    #expect(lastUpdate > 1_700_000_002)
    sim.at(6)
    let done = sim.get("/api/job?job=hcj_abc")
    #expect(done.status == 200)
    #expect(done.json?["status"] == .string("done"))
    #expect(done.json?["exit_status"] == .int(0))
    #expect(done.json?["output_mimetype"] == .string("text/csv"))
    #expect(done.json?["output_at"] == .string("1700000006"))
    let size = try #require(done.json?["output_size"]?.number)
    let body = sim.get("/api/job?job=hcj_abc&output=body").reply
    #expect(body.status == 200)
    #expect(Double(body.body.count) == size)
    #expect(body.headers.contains { $0 == ("Content-Type", "text/csv;charset=UTF-8") })
    #expect(body.headers.contains { $0 == ("Accept-Ranges", "bytes") })
    let lines = body.body.filter { $0 == 10 }.count
    #expect(lines > 200 && lines < 500)
  }

  @Test func failedExpiredMissingAndUnknown() {
    let sim = SimulatorHarness()
    _ = sim.get("/api/job?job=hcj_fail_x")
    sim.at(6)
    let failed = sim.get("/api/job?job=hcj_fail_x")
    #expect(failed.status == 200)
    #expect(failed.json?["exit_status"] == .int(1))
    #expect(
      failed.json?["message_list"]
        == .array([
          .obj(
            ("status", .int(2)), ("field", .null),
            ("message", .string("<0>Assignment failed: no eligible reviewers")))
        ]))
    let noOutput = sim.get("/api/job?job=hcj_fail_x&output=body")
    #expect(noOutput.status == 409)
    #expect(noOutput.json?["message_list"]?.items?.first?["message"] == .string("<0>Failed job has no output"))
    let expired = sim.get("/api/job?job=hcj_expired_1")
    #expect(expired.status == 410)
    #expect(expired.json?["message_list"]?.items?.first?["message"] == .string("<0>Job expired"))
    let missing = sim.get("/api/job")
    #expect(missing.status == 400)
    #expect(
      missing.json
        == .obj(
          ("ok", .bool(false)),
          (
            "message_list",
            .array([
              .obj(
                ("status", .int(2)), ("field", .string("job")),
                ("message", .string("<0>Parameter missing")))
            ])
          )))
    let unknown = sim.get("/api/job?job=zzz")
    #expect(unknown.status == 404)
    #expect(unknown.json?["message_list"]?.items?.first?["message"] == .string("<0>Job not found"))
  }

  @Test func outputFormatsAndRanges() throws {
    let sim = SimulatorHarness()
    _ = sim.get("/api/job?job=hcj_out")
    _ = sim.get("/api/job?job=hcj_nooutput")
    // Not done yet: the status document, as a real HotCRP answers.
    let early = sim.get("/api/job?job=hcj_out&output=body")
    #expect(early.status == 202)
    #expect(early.json?["status"] == .string("wait"))
    sim.at(7)
    let full = sim.get("/api/job?job=hcj_out&output=body").reply.body
    let size = full.count
    let string = sim.get("/api/job?job=hcj_out&output=string")
    #expect(string.status == 200)
    #expect(string.json?["output"] == .string(String(decoding: full, as: UTF8.self)))
    let conflict = sim.get("/api/job?job=hcj_out&output=json")
    #expect(conflict.status == 409)
    #expect(
      conflict.json?["message_list"]?.items?.first?["message"]
        == .string("<0>Output format conflict"))
    #expect(sim.get("/api/job?job=hcj_nooutput&output=body").status == 204)

    func ranged(_ range: String) -> Reply {
      sim.simulator.handle(
        Request(
          method: "GET", target: "/api/job?job=hcj_out&output=body", headers: [("Range", range)]))
    }
    let tail = ranged("bytes=100-")
    #expect(tail.status == 206)
    #expect(tail.body == Array(full[100...]))
    #expect(tail.headers.contains { $0 == ("Content-Range", "bytes 100-\(size - 1)/\(size)") })
    let middle = ranged("bytes=10-19")
    #expect(middle.body == Array(full[10...19]))
    #expect(middle.headers.contains { $0 == ("Content-Range", "bytes 10-19/\(size)") })
    let suffix = ranged("bytes=-5")
    #expect(suffix.body == Array(full[(size - 5)...]))
    let beyond = ranged("bytes=\(size)-")
    #expect(beyond.status == 416)
    #expect(beyond.headers.contains { $0 == ("Content-Range", "bytes */\(size)") })
    #expect(beyond.headers.contains { $0 == ("Content-Type", "text/html") } && beyond.body.isEmpty)
    #expect(ranged("lines=1-2").status == 200)
  }

  @Test func autoassignStarts() throws {
    let sim = SimulatorHarness()
    let form = [(name: "Content-Type", value: "application/x-www-form-urlencoded")]
    let started = sim.send(
      "POST", "/api/autoassign", headers: form, body: "autoassigner=review&q=all&count=3")
    #expect(started.status == 202)
    let id = try #require(started.json?["job"]?.string)
    #expect(id.hasPrefix("hcj_") && id.count == 36 && id.dropFirst(4).allSatisfy(\.isLetter))
    #expect(started.json?["job_url"] == .string("http://127.0.0.1:9999/api/job?job=\(id)"))
    #expect(sim.get("/api/job?job=\(id)").json?["status"] == .string("wait"))
    let sync = sim.send(
      "POST", "/api/autoassign", headers: form, body: "autoassigner=review&q=none&count=3")
    #expect(sync.status == 200)
    #expect(sync.json?["status"] == .string("done"))
    #expect(sync.json?["job"] == nil)
    let failed = sim.send(
      "POST", "/api/autoassign", headers: form, body: "autoassigner=review&q=fail")
    #expect(failed.status == 200)
    #expect(failed.json?["status"] == .string("failed"))
    #expect(failed.json?["message_list"]?.items?.first?["field"] == .string("q"))
  }
}

@Suite struct ProgressShapeTests {
  @Test func importRunsFrom0To100() throws {
    let sim = SimulatorHarness()
    let path = "/organizations/acme/members/job/import-1"
    #expect(
      sim.get(path).json
        == .obj(
          ("added", .int(0)), ("total", .int(40)), ("progress", .int(0)), ("errors", .array([]))))
    sim.at(2.5)
    #expect(sim.get(path).json?["progress"] == .int(50))
    #expect(sim.get(path).json?["added"] == .int(20))
    sim.at(5)
    #expect(
      sim.get(path).json
        == .obj(
          ("added", .int(40)), ("total", .int(40)), ("progress", .int(100)), ("errors", .array([])))
    )
  }

  @Test func failingImportReportsTheBadRow() {
    let sim = SimulatorHarness()
    let path = "/organizations/acme/members/job/import-fail-2"
    _ = sim.get(path)
    sim.at(6)
    let done = sim.get(path).json
    #expect(done?["progress"] == .int(100))
    #expect(done?["errors"] == .array([.string("row 12: invalid email")]))
  }

  @Test func startAndUnknown() throws {
    let sim = SimulatorHarness()
    let started = sim.send("POST", "/organizations/acme/members", body: "{}")
    #expect(started.status == 202)
    let id = try #require(started.json?["jobId"]?.string)
    #expect(id.hasPrefix("import-"))
    #expect(
      started.reply.headers.contains { $0 == ("Location", "/organizations/acme/members/job/\(id)") }
    )
    #expect(sim.get("/organizations/acme/members/job/\(id)").status == 200)
    let unknown = sim.get("/organizations/acme/members/job/other")
    #expect(unknown.status == 404)
    #expect(unknown.json == .obj(("error", .string("job not found")), ("code", .int(40026))))
  }
}

@Suite struct ListingTests {
  @Test func pagesOverSeededAndCreatedJobs() throws {
    let sim = SimulatorHarness()
    let first = sim.get("/jobs")
    #expect(first.status == 200)
    #expect(first.json?["jobs"]?.items?.count == 10)
    #expect(
      first.json?["pagination"]
        == .obj(
          ("totalItems", .int(23)), ("previousPage", .null), ("currentPage", .int(1)),
          ("nextPage", .int(2)), ("lastPage", .int(3))))
    #expect(
      first.reply.headers.contains {
        $0 == ("Link", #"<http://127.0.0.1:9999/jobs?page=2&limit=10>; rel="next""#)
      })
    let statuses = Set(first.json?["jobs"]?.items?.compactMap { $0["status"]?.string } ?? [])
    #expect(statuses.count >= 2)
    let last = sim.get("/jobs?page=3&limit=10")
    #expect(last.json?["jobs"]?.items?.count == 3)
    #expect(last.json?["pagination"]?["nextPage"] == .null)
    #expect(last.json?["pagination"]?["previousPage"] == .int(2))
    #expect(!last.reply.headers.contains { $0.name == "Link" })
    _ = sim.get("/jobs/staged-listed")
    sim.at(3.5)
    let staged = sim.get("/jobs?type=report.build")
    #expect(
      staged.json?["jobs"]
        == .array([
          .obj(
            ("jobId", .string("staged-listed")), ("type", .string("report.build")),
            ("status", .string("running")), ("progress", .number("0.55")))
        ]))
    let census = sim.get("/jobs?type=census_publish&limit=3")
    let items = try #require(census.json?["jobs"]?.items)
    #expect(items.allSatisfy { $0["type"] == .string("census_publish") })
    #expect(
      census.reply.headers.contains {
        $0 == (
          "Link", #"<http://127.0.0.1:9999/jobs?page=2&limit=3&type=census_publish>; rel="next""#
        )
      })
    #expect(sim.get("/jobs?page=0").status == 400)
    #expect(sim.get("/jobs").json?["pagination"]?["totalItems"] == .int(24))
  }
}

@Suite struct SimulatorOverHTTPTests {
  @Test func servesThroughALoopbackServer() throws {
    let server = try LoopbackServer()
    let simulator = JobSimulator(baseURL: server.baseURL, speed: 20)
    server.setHandler(simulator.handle)
    let client = try RawClient(port: server.port)
    let started = try client.request(
      "POST", "/api/autoassign", headers: ["Content-Type: application/x-www-form-urlencoded"],
      body: "q=all")
    #expect(started.status == 202 && started.reason == "Accepted")
    let id = try #require(SimJSON.parse(started.body)?["job"]?.string)
    #expect(
      SimJSON.parse(started.body)?["job_url"] == .string("\(server.baseURL)/api/job?job=\(id)"))
    let polled = try client.request("GET", "/api/job?job=\(id)")
    #expect(polled.status == 202)
    #expect(polled.header("Content-Type") == "application/json")
    #expect(server.connectionCount == 1)
  }
}

/// The public APIs added for issue 12's named shapes, on the manual clock.
@Suite struct NamedAPISimulatorTests {
  @Test func replicatePredictionsStartRunAndEndWithTheirOutput() throws {
    let sim = SimulatorHarness()
    let created = sim.send("POST", "/v1/predictions", body: #"{"input":{"prompt":"x"}}"#)
    #expect(created.status == 201)
    #expect(created.reply.headers.allSatisfy { $0.name != "Location" })
    let id = try #require(created.json?["id"]?.string)
    #expect(created.json?["status"] == .string("starting"))
    #expect(created.json?["urls"]?["get"] == .string("http://127.0.0.1:9999/v1/predictions/\(id)"))
    sim.at(2)
    #expect(sim.get("/v1/predictions/\(id)").json?["status"] == .string("processing"))
    #expect(sim.get("/delivery/\(id)/out-0.txt").status == 404, "no output before it succeeded")
    sim.at(6)
    let done = sim.get("/v1/predictions/\(id)").json
    #expect(done?["status"] == .string("succeeded"))
    #expect(done?["output"] == .array([.string("http://127.0.0.1:9999/delivery/\(id)/out-0.txt")]))
    #expect(String(decoding: sim.get("/delivery/\(id)/out-0.txt").reply.body, as: UTF8.self).hasPrefix("a red apple"))
    // `Prefer: wait` answers with a Location too.
    let waited = sim.send("POST", "/v1/predictions", headers: [("Prefer", "wait=5")], body: "{}")
    #expect(waited.reply.headers.contains { $0.name == "Location" && $0.value.hasPrefix("/v1/predictions/pred-") })
  }

  @Test func replicateFailuresCancelsAndAborts() {
    let sim = SimulatorHarness()
    _ = sim.get("/v1/predictions/pred-fail-1")
    _ = sim.get("/v1/predictions/pred-c2")
    _ = sim.get("/v1/predictions/pred-abort-cancel-3")
    sim.at(2)
    #expect(sim.send("POST", "/v1/predictions/pred-c2/cancel").json?["status"] == .string("processing"))
    sim.at(3)
    #expect(sim.get("/v1/predictions/pred-c2").json?["status"] == .string("canceled"))
    sim.at(6)
    let failed = sim.get("/v1/predictions/pred-fail-1").json
    #expect(failed?["status"] == .string("failed"))
    #expect(failed?["error"] == .string("CUDA out of memory"))
    #expect(sim.get("/v1/predictions/pred-abort-cancel-3").json?["status"] == .string("aborted"))
    #expect(sim.get("/v1/predictions/nosuch").status == 404)
  }

  private let anthropic: [(name: String, value: String)] = [("anthropic-version", "2023-06-01"), ("x-api-key", "k")]

  @Test func anthropicBatchesNeedTheVersionAndAKey() {
    let sim = SimulatorHarness()
    let noVersion = sim.send("GET", "/v1/messages/batches/msgbatch_1", headers: [("x-api-key", "k")])
    #expect(noVersion.status == 400)
    #expect(noVersion.json?["error"]?["type"] == .string("invalid_request_error"))
    let oldVersion = sim.send(
      "GET", "/v1/messages/batches/msgbatch_1", headers: [("anthropic-version", "2020-01-01"), ("x-api-key", "k")])
    #expect(oldVersion.status == 400)
    let noKey = sim.send("GET", "/v1/messages/batches/msgbatch_1", headers: [("anthropic-version", "2023-06-01")])
    #expect(noKey.status == 401)
    #expect(noKey.json?["error"]?["type"] == .string("authentication_error"))
    #expect(sim.send("GET", "/v1/messages/batches/msgbatch_1", headers: anthropic).status == 200)
  }

  @Test func anthropicBatchesEndWithResultsOrCanceled() throws {
    let sim = SimulatorHarness()
    let created = sim.send("POST", "/v1/messages/batches", headers: anthropic, body: #"{"requests":[]}"#)
    #expect(created.status == 200)
    let id = try #require(created.json?["id"]?.string)
    #expect(created.json?["processing_status"] == .string("in_progress"))
    #expect(created.json?["results_url"] == .null)
    _ = sim.send("GET", "/v1/messages/batches/msgbatch_c1", headers: anthropic)
    sim.at(2)
    let canceling = sim.send("POST", "/v1/messages/batches/msgbatch_c1/cancel", headers: anthropic).json
    #expect(canceling?["processing_status"] == .string("canceling"))
    #expect(canceling?["cancel_initiated_at"]?.string != nil)
    #expect(sim.send("GET", "/v1/messages/batches/\(id)/results", headers: anthropic).status == 404)
    sim.at(6)
    let ended = sim.send("GET", "/v1/messages/batches/\(id)", headers: anthropic).json
    #expect(ended?["processing_status"] == .string("ended"))
    #expect(ended?["cancel_initiated_at"] == .null)
    #expect(ended?["results_url"] == .string("http://127.0.0.1:9999/v1/messages/batches/\(id)/results"))
    let results = sim.send("GET", "/v1/messages/batches/\(id)/results", headers: anthropic)
    #expect(results.status == 200)
    #expect(String(decoding: results.reply.body, as: UTF8.self).split(separator: "\n").count == 4)
    let canceled = sim.send("GET", "/v1/messages/batches/msgbatch_c1", headers: anthropic).json
    #expect(canceled?["processing_status"] == .string("ended"))
    #expect(canceled?["request_counts"]?["canceled"] == .int(3))
  }

  /// Azure's start without a status monitor: only a Location, 202 until done, then the resource.
  @Test func azureLocationOnlyStarts() throws {
    let sim = SimulatorHarness()
    let started = sim.send("PUT", "/azure/things/location-1?api-version=2024-01-01", body: "{}")
    #expect(started.status == 202)
    #expect(started.reply.body.isEmpty)
    #expect(started.reply.headers.map(\.name) == ["Location"])
    let location = try #require(started.reply.headers.first?.value)
    let target = String(location.dropFirst("http://127.0.0.1:9999".count))
    #expect(target.hasPrefix("/azure/results/azop-") && target.hasSuffix("?api-version=2024-01-01"))
    sim.at(3)
    let running = sim.get(target)
    #expect(running.status == 202 && running.reply.body.isEmpty)
    sim.at(6)
    let done = sim.get(target)
    #expect(done.status == 200)
    #expect(done.json?["status"] == .string("Ready"))
    #expect(sim.get(String(target.prefix { $0 != "?" })).status == 400, "api-version is required")
  }
}
