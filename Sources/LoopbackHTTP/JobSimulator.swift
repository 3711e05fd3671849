import Glibc
import Synchronization

/// An in-memory job API that answers in jobctl's four built-in response shapes, and as five
/// public job APIs do (NamedAPIs.swift).
///
/// Plug it into a server with `server.setHandler(simulator.handle)`. Jobs move along fixed
/// timelines that start when they are created: by a start POST, or on the first request naming
/// a scenario id (`simple-…`, `staged-…`, `hcj_…`, `import-…`; one containing `fail` fails).
/// The clock is injected, so tests can walk a job through its states without waiting.
public final class JobSimulator: Sendable {
  /// The server's base URL, used in `job_url` and `Link` answers.
  public let baseURL: String
  /// How many times faster than the speed-1 timelines jobs move.
  public let speed: Double
  private let now: @Sendable () -> Double
  private let state: Mutex<SimulatorState>

  /// Creates a simulator with the 23 seeded listing jobs.
  ///
  /// - Parameters:
  ///   - baseURL: `http://127.0.0.1:PORT` of the server that will call `handle(_:)`.
  ///   - speed: timelines are divided by this (must be positive).
  ///   - seed: seeds the generator for new job ids; nil picks a random seed.
  ///   - now: the clock, in UNIX seconds; `update_at` values are read from it.
  public init(
    baseURL: String, speed: Double = 1, seed: UInt64? = nil,
    now: @escaping @Sendable () -> Double = JobSimulator.wallClock
  ) {
    self.baseURL = baseURL
    self.speed = speed > 0 && speed.isFinite ? speed : 1
    self.now = now
    var random = SystemRandomNumberGenerator()
    state = Mutex(
      SimulatorState(
        baseURL: baseURL, random: SeededRandom(seed: seed ?? random.next()), startedAt: now()))
  }

  /// The system's wall clock in UNIX seconds.
  public static func wallClock() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1_000_000_000
  }

  /// Answers one request; safe to call from many connection threads at once.
  public func handle(_ request: Request) -> Reply {
    let time = now()
    let speed = speed
    return state.withLock { $0.handle(request, clock: time, speed: speed) }
  }
}

/// The simulator's jobs and bookkeeping; only ever touched under the simulator's mutex.
struct SimulatorState: Sendable {
  static let seededJobCount = 23

  let baseURL: String
  var random: SeededRandom
  var jobs: [String: SimulatedJob] = [:]
  var nextSequence = 0
  /// Idempotency-Key → the body first sent with it and the job it created.
  var idempotencyKeys: [String: (body: [UInt8], jobID: String)] = [:]

  init(baseURL: String, random: SeededRandom, startedAt: Double) {
    self.baseURL = baseURL
    self.random = random
    seedListing(at: startedAt)
  }

  /// Adds finished and pending simple jobs so the listing has several pages from the start.
  private mutating func seedListing(at time: Double) {
    var seedRandom = SeededRandom(text: "jobsim seeded listing")
    let statuses = ["completed", "completed", "failed", "completed", "pending"]
    for index in 0..<Self.seededJobCount {
      var job = SimulatedJob(
        id: seedRandom.hex(64), shape: .simple, sequence: takeSequence(), created: time,
        type: index % 3 == 2 ? "census_publish" : "org_members")
      job.fixedStatus = statuses[index % statuses.count]
      jobs[job.id] = job
    }
  }

  private mutating func takeSequence() -> Int {
    nextSequence += 1
    return nextSequence
  }

  // MARK: Routing

  /// Everything one request needs: the parsed path and the clock reading, in both time bases.
  struct Context {
    let request: Request
    let parts: [String]
    let clock: Double
    let speed: Double

    /// Timeline seconds since `job` was created.
    func elapsed(_ job: SimulatedJob) -> Double { (clock - job.created) * speed }

    /// The UNIX second at timeline second `time` of `job`.
    func unixTime(_ job: SimulatedJob, _ time: Double) -> Int {
      Int((job.created + time / speed).rounded(.down))
    }

    func matches(_ method: String, _ pattern: String?...) -> Bool {
      let effective = request.method == "HEAD" ? "GET" : request.method
      guard effective == method, parts.count == pattern.count else { return false }
      return zip(parts, pattern).allSatisfy { part, expected in
        expected.map { $0 == part } ?? !part.isEmpty
      }
    }
  }

  mutating func handle(_ request: Request, clock: Double, speed: Double) -> Reply {
    let parts = request.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
      .map { percentDecode($0, plusAsSpace: false) }
    let context = Context(request: request, parts: parts, clock: clock, speed: speed)
    if context.matches("GET", "jobs") { return list(context) }
    if context.matches("GET", "jobs", nil) { return jobStatus(parts[1], context) }
    if context.matches("POST", "jobs", nil, "cancel") { return cancel(parts[1], context) }
    if context.matches("POST", "simple", "jobs") { return startSimple(context) }
    if context.matches("POST", "staged", "jobs") { return startStaged(context) }
    if context.matches("GET", "api", "job") { return hotcrpJob(context) }
    if context.matches("POST", "api", "autoassign") { return startHotCRP(context) }
    if context.matches("POST", "organizations", nil, "members") {
      return startImport(org: parts[1], context)
    }
    if context.matches("GET", "organizations", nil, "members", "job", nil) {
      return importStatus(parts[4], context)
    }
    if let reply = namedAPI(parts, context) { return reply }
    return .json(404, SimJSON.obj(("error", .string("not found")), ("code", .int(404))).text)
  }

  /// The job named `id`, created on first sight when it is a scenario id of one of `shapes`.
  mutating func job(_ id: String, shapes: [SimulatedJob.Shape], _ context: Context)
    -> SimulatedJob?
  {
    if let known = jobs[id] { return shapes.contains(known.shape) ? known : nil }
    guard
      let created = SimulatedJob.scenario(
        id: id, sequence: nextSequence + 1, created: context.clock),
      shapes.contains(created.shape)
    else { return nil }
    nextSequence += 1
    jobs[id] = created
    return created
  }

  mutating func create(
    _ shape: SimulatedJob.Shape, id: String, type: String, _ context: Context
  )
    -> SimulatedJob
  {
    let job = SimulatedJob(
      id: id, shape: shape, sequence: takeSequence(), created: context.clock, type: type)
    jobs[id] = job
    return job
  }

  // MARK: simple and staged

  private mutating func jobStatus(_ id: String, _ context: Context) -> Reply {
    guard let job = job(id, shapes: [.simple, .staged], context) else {
      return id.hasPrefix("stg_") ? StagedTimeline.notFound() : SimpleTimeline.notFound()
    }
    let time = context.elapsed(job)
    if job.shape == .staged { return .json(200, StagedTimeline.document(job, at: time).text) }
    return .json(200, SimpleTimeline.document(job, at: time).text)
  }

  private mutating func startSimple(_ context: Context) -> Reply {
    let options = SimJSON.parse(context.request.body)
    var job = create(.simple, id: random.hex(64), type: "org_members", context)
    if case .string(let type)? = options?["type"] { job.type = type }
    job.fails = options?["fail"] == .bool(true)
    job.warns = options?["warn"] == .bool(true)
    jobs[job.id] = job
    return .json(
      202, SimJSON.obj(("jobId", .string(job.id))).text, headers: [("Location", "/jobs/\(job.id)")])
  }

  private mutating func startStaged(_ context: Context) -> Reply {
    let request = context.request
    guard let key = request.header("Idempotency-Key"), !key.isEmpty else {
      return StagedTimeline.error(
        400, code: "BAD_REQUEST", message: "Idempotency-Key header required")
    }
    let body =
      request.body.allSatisfy { [9, 10, 13, 32].contains($0) } ? Array("{}".utf8) : request.body
    guard case .object? = SimJSON.parse(body) else {
      return StagedTimeline.error(
        400, code: "BAD_REQUEST", message: "body must be a SimJSON object")
    }
    if let earlier = idempotencyKeys[key] {
      guard earlier.body == request.body else {
        return StagedTimeline.error(
          409, code: "IDEMPOTENCY_CONFLICT", message: "Idempotency-Key reused with a different body"
        )
      }
      if let job = jobs[earlier.jobID] { return .json(200, Self.stagedAccepted(job).text) }
    }
    var job = create(.staged, id: "stg_" + random.hex(24), type: StagedTimeline.kind, context)
    job.fails = SimJSON.parse(body)?["fail"] == .bool(true)
    jobs[job.id] = job
    idempotencyKeys[key] = (request.body, job.id)
    return .json(202, Self.stagedAccepted(job).text)
  }

  private static func stagedAccepted(_ job: SimulatedJob) -> SimJSON {
    .obj(
      ("jobId", .string(job.id)), ("kind", .string(job.type)), ("status", .string("pending")),
      ("locationUrl", .string("/jobs/\(job.id)")))
  }

  private mutating func cancel(_ id: String, _ context: Context) -> Reply {
    guard var job = job(id, shapes: [.simple, .staged], context) else {
      return StagedTimeline.notFound()
    }
    guard job.shape == .staged else { return SimpleTimeline.notFound() }
    let time = context.elapsed(job)
    let reason: String
    switch StagedTimeline.state(job, at: time) {
    case .completed: reason = "ALREADY_COMPLETED"
    case .failed: reason = "ALREADY_FAILED"
    case .canceled: reason = "ALREADY_CANCELED"
    case .running(_, let stage) where stage == "finalizing" && job.cancelAt == nil:
      return StagedTimeline.error(
        409, code: "CONFLICT", message: "job cannot be canceled in stage finalizing",
        details: .obj(("subcode", .string("JOB_CANCEL_UNAVAILABLE")), ("stage", .string(stage))))
    case .pending, .running:
      // A repeated cancel while the first is landing is accepted again, without moving it.
      if job.cancelAt == nil {
        job.cancelAt = time + StagedTimeline.cancelDelay
        jobs[id] = job
      }
      return .json(202, SimJSON.obj(("accepted", .bool(true))).text)
    }
    return .json(200, SimJSON.obj(("accepted", .bool(false)), ("reason", .string(reason))).text)
  }

  // MARK: listing

  private func list(_ context: Context) -> Reply {
    let request = context.request
    let page = request.queryValue("page").map { Int($0) } ?? 1
    let limit = request.queryValue("limit").map { Int($0) } ?? 10
    guard let page, let limit, page >= 1, (1...100).contains(limit) else {
      return .json(
        400,
        SimJSON.obj(("error", .string("malformed pagination parameters")), ("code", .int(40004)))
          .text)
    }
    let type = request.queryValue("type").flatMap { $0.isEmpty ? nil : $0 }
    let listed = jobs.values
      .filter { ($0.shape == .simple || $0.shape == .staged) && (type == nil || $0.type == type) }
      .sorted { $0.sequence < $1.sequence }
    let lastPage = max(1, (listed.count + limit - 1) / limit)
    let pageJobs = listed.dropFirst((page - 1) * limit).prefix(limit).map { job -> SimJSON in
      let time = context.elapsed(job)
      var fields: [SimJSON.Field] = [
        .init("jobId", .string(job.id)), .init("type", .string(job.type)),
      ]
      if job.shape == .staged {
        let state = StagedTimeline.state(job, at: time)
        fields.append(.init("status", .string(StagedTimeline.status(state))))
        fields.append(.init("progress", StagedTimeline.progressValue(state) ?? .int(0)))
      } else {
        let document = SimpleTimeline.document(job, at: time)
        fields.append(.init("status", document["status"] ?? .null))
      }
      return .object(fields)
    }
    let next = page < lastPage ? page + 1 : nil
    let document = SimJSON.obj(
      ("jobs", .array(pageJobs)),
      (
        "pagination",
        .obj(
          ("totalItems", .int(listed.count)), ("previousPage", page > 1 ? .int(page - 1) : .null),
          ("currentPage", .int(page)), ("nextPage", next.map(SimJSON.int) ?? .null),
          ("lastPage", .int(lastPage)))
      ))
    var headers: [(name: String, value: String)] = []
    if let next {
      var link = "\(baseURL)/jobs?page=\(next)&limit=\(limit)"
      // The filter is kept so that following the link stays on the filtered list.
      if let type { link += "&type=" + percentEncode(type) }
      headers.append(("Link", "<\(link)>; rel=\"next\""))
    }
    return .json(200, document.text, headers: headers)
  }

  // MARK: hotcrp

  private mutating func hotcrpJob(_ context: Context) -> Reply {
    let request = context.request
    guard let id = request.queryValue("job"), !id.isEmpty else {
      return HotCRPTimeline.error(400, "<0>Parameter missing")
    }
    guard let job = job(id, shapes: [.hotcrp], context) else {
      return HotCRPTimeline.error(404, "<0>Job not found")
    }
    if job.expired { return HotCRPTimeline.error(410, "<0>Job expired") }
    let time = context.elapsed(job)
    // As a real HotCRP: an output request on a job not done answers with its status document
    // (202), a failed job's is a 409, a job that produced nothing a 204.
    guard let format = request.queryValue("output"), HotCRPTimeline.state(job, at: time) == .done else {
      let (status, document) = HotCRPTimeline.document(job, at: time) { context.unixTime(job, $0) }
      return .json(status, document.text)
    }
    if job.fails { return HotCRPTimeline.error(409, "<0>Failed job has no output", field: nil) }
    if job.noOutput { return Reply(status: 204) }
    let output = HotCRPTimeline.output(job.id)
    switch format {
    case "body":
      return Self.ranged(output, range: request.header("Range"))
    case "string":
      let text = String(decoding: output, as: UTF8.self)
      return .json(200, SimJSON.obj(("ok", .bool(true)), ("output", .string(text))).text)
    case "json":
      return HotCRPTimeline.error(409, "<0>Output format conflict", field: nil)
    default:
      return HotCRPTimeline.error(400, "<0>Unknown output format", field: .string("output"))
    }
  }

  /// The output body, whole or for a single `bytes=` range (RFC 9110 section 14).
  static func ranged(_ output: [UInt8], range: String?) -> Reply {
    let size = output.count
    var headers: [(name: String, value: String)] = [
      ("Content-Type", "text/csv;charset=UTF-8"), ("Accept-Ranges", "bytes"),
    ]
    guard let range, let (first, last) = parseRange(range, size: size) else {
      return Reply(status: 200, headers: headers, body: output)
    }
    guard first < size, first <= last else {
      return Reply(
        status: 416,
        headers: [
          ("Accept-Ranges", "bytes"), ("Content-Range", "bytes */\(size)"), ("Content-Type", "text/html"),
        ])
    }
    let end = min(last, size - 1)
    headers.append(("Content-Range", "bytes \(first)-\(end)/\(size)"))
    return Reply(status: 206, headers: headers, body: Array(output[first...end]))
  }

  /// `bytes=N-`, `bytes=N-M` or `bytes=-S` as first/last offsets; nil to ignore the header.
  ///
  /// Unsatisfiable ranges come back with `first >= size` so the caller can answer 416.
  static func parseRange(_ header: String, size: Int) -> (Int, Int)? {
    guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
    let spec = header.dropFirst("bytes=".count).trimmingSpaces
    let sides = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
    guard sides.count == 2 else { return nil }
    if sides[0].isEmpty {
      guard let suffix = Int(sides[1]) else { return nil }
      return suffix == 0 ? (size, size) : (max(0, size - suffix), size - 1)
    }
    guard let first = Int(sides[0]), first >= 0 else { return nil }
    if sides[1].isEmpty { return (first, Int.max) }
    guard let last = Int(sides[1]), last >= first else { return nil }
    return (first, last)
  }

  private mutating func startHotCRP(_ context: Context) -> Reply {
    let request = context.request
    let query = FormDecoding.value("q", in: request.bodyText) ?? request.queryValue("q") ?? "all"
    switch query {
    case "none":
      return .json(
        200,
        SimJSON.obj(
          ("ok", .bool(true)), ("status", .string("done")), ("exit_status", .int(0)),
          ("update_at", .int(Int(context.clock.rounded(.down))))
        ).text)
    case "fail":
      return .json(
        200,
        SimJSON.obj(
          ("ok", .bool(true)), ("status", .string("failed")),
          (
            "message_list",
            .array([
              HotCRPTimeline.message("<0>Search matched no submissions", field: .string("q"))
            ])
          )
        ).text)
    default:
      let job = create(.hotcrp, id: "hcj_" + random.letters(32), type: "autoassign", context)
      return .json(
        202,
        SimJSON.obj(
          ("ok", .bool(true)), ("job", .string(job.id)),
          ("job_url", .string("\(baseURL)/api/job?job=\(job.id)"))
        ).text)
    }
  }

  // MARK: progress

  private mutating func startImport(org: String, _ context: Context) -> Reply {
    var job = create(.progress, id: "import-" + random.hex(16), type: "member_import", context)
    job.fails = SimJSON.parse(context.request.body)?["fail"] == .bool(true)
    jobs[job.id] = job
    return .json(
      202, SimJSON.obj(("jobId", .string(job.id))).text,
      headers: [("Location", "/organizations/\(percentEncode(org))/members/job/\(job.id)")])
  }

  private mutating func importStatus(_ id: String, _ context: Context) -> Reply {
    guard let job = job(id, shapes: [.progress], context) else { return SimpleTimeline.notFound() }
    return .json(200, ImportTimeline.document(job, at: context.elapsed(job)).text)
  }
}

extension SimulatorState {
  /// The routes of the public-API shapes: GitHub runs, Google operations, Azure, an HTTP 202
  /// export, OpenAI batches, Replicate predictions, Anthropic message batches.
  mutating func namedAPI(_ parts: [String], _ context: Context) -> Reply? {
    let request = context.request
    let notFound = Reply.json(404, SimJSON.obj(("message", .string("Not Found"))).text)
    if context.matches("GET", "repos", nil, nil, "actions", "runs", nil) {
      guard let job = job(parts[5], shapes: [.githubRun], context) else { return notFound }
      return .json(
        200,
        NamedAPITimelines.githubRun(job, at: context.elapsed(job), baseURL: baseURL, path: request.path).text)
    }
    if context.matches("POST", "repos", nil, nil, "actions", "runs", nil, "cancel") {
      guard var job = job(parts[5], shapes: [.githubRun], context) else { return notFound }
      let time = context.elapsed(job)
      guard NamedAPITimelines.phase(job, at: time) != .done else {
        return .json(409, SimJSON.obj(("message", .string("Cannot cancel a workflow run that is completed."))).text)
      }
      job.cancelAt = time + 1
      jobs[job.id] = job
      return .json(202, "{}")
    }
    if context.matches("POST", "v1", "operations") {
      let job = create(.googleOperation, id: "op-" + random.hex(12), type: "operation", context)
      return .json(200, NamedAPITimelines.googleOperation(job, at: 0).text)
    }
    if context.matches("GET", "v1", "operations", nil) {
      guard let job = job(parts[2], shapes: [.googleOperation], context) else { return notFound }
      return .json(200, NamedAPITimelines.googleOperation(job, at: context.elapsed(job)).text)
    }
    if context.matches("POST", "v1", "operations", nil), parts[2].hasSuffix(":cancel") {
      guard var job = job(String(parts[2].dropLast(":cancel".count)), shapes: [.googleOperation], context) else {
        return notFound
      }
      if job.cancelAt == nil { job.cancelAt = context.elapsed(job) + 1 }
      jobs[job.id] = job
      return .json(200, "{}")
    }
    if parts.first == "azure", let reply = azureRoutes(parts, context) { return reply }
    if context.matches("POST", "exports") {
      let job = create(.http202, id: "export-" + random.hex(12), type: "export", context)
      return Reply(status: 202, headers: [("Location", "/exports/\(job.id)")])
    }
    if context.matches("GET", "exports", nil) {
      guard let job = job(parts[1], shapes: [.http202], context) else { return notFound }
      guard NamedAPITimelines.phase(job, at: context.elapsed(job)) == .done else { return Reply(status: 202) }
      return .text(200, "id,total\n\(job.id),42\n", contentType: "text/csv")
    }
    if context.matches("POST", "v1", "batches") {
      var job = create(.openaiBatch, id: "batch_" + random.hex(12), type: "batch", context)
      job.fails = SimJSON.parse(request.body)?["fail"] == .bool(true)
      jobs[job.id] = job
      return .json(200, NamedAPITimelines.openaiBatch(job, at: 0).text)
    }
    if context.matches("GET", "v1", "batches", nil) {
      guard let job = job(parts[2], shapes: [.openaiBatch], context) else { return notFound }
      return .json(200, NamedAPITimelines.openaiBatch(job, at: context.elapsed(job)).text)
    }
    if context.matches("POST", "v1", "batches", nil, "cancel") {
      guard var job = job(parts[2], shapes: [.openaiBatch], context) else { return notFound }
      let time = context.elapsed(job)
      if NamedAPITimelines.phase(job, at: time) != .done, job.cancelAt == nil { job.cancelAt = time + 1 }
      jobs[job.id] = job
      return .json(200, NamedAPITimelines.openaiBatch(job, at: time).text)
    }
    if context.matches("GET", "v1", "files", nil, "content") {
      let id = String(parts[2].dropFirst("file-".count))
      guard parts[2].hasPrefix("file-"), let job = jobs[id], job.shape == .openaiBatch,
        NamedAPITimelines.phase(job, at: context.elapsed(job)) == .done, !job.fails
      else { return notFound }
      return Reply(
        status: 200, headers: [("Content-Type", "application/jsonl")], body: NamedAPITimelines.batchOutput(id))
    }
    if let reply = replicateRoutes(parts, context) { return reply }
    if let reply = clusterRoutes(parts, context) { return reply }
    return anthropicRoutes(parts, context)
  }

  /// Replicate predictions: start (with `Prefer: wait`, a `Location` too), poll, cancel, and the
  /// output file a succeeded prediction names.
  mutating func replicateRoutes(_ parts: [String], _ context: Context) -> Reply? {
    let notFound = Reply.json(404, SimJSON.obj(("detail", .string("Not found."))).text)
    if context.matches("POST", "v1", "predictions") {
      var job = create(.replicate, id: "pred-" + random.hex(12), type: "prediction", context)
      job.fails = SimJSON.parse(context.request.body)?["input"]?["fail"] == .bool(true)
      jobs[job.id] = job
      let document = NamedAPITimelines.replicatePrediction(job, at: 0, baseURL: baseURL).text
      guard context.request.header("Prefer")?.hasPrefix("wait") == true else { return .json(201, document) }
      return .json(201, document, headers: [("Location", "/v1/predictions/\(job.id)")])
    }
    if context.matches("GET", "v1", "predictions", nil) {
      guard let job = job(parts[2], shapes: [.replicate], context) else { return notFound }
      return .json(200, NamedAPITimelines.replicatePrediction(job, at: context.elapsed(job), baseURL: baseURL).text)
    }
    if context.matches("POST", "v1", "predictions", nil, "cancel") {
      guard var job = job(parts[2], shapes: [.replicate], context) else { return notFound }
      let time = context.elapsed(job)
      if NamedAPITimelines.phase(job, at: time) != .done, job.cancelAt == nil { job.cancelAt = time + 1 }
      jobs[job.id] = job
      return .json(200, NamedAPITimelines.replicatePrediction(job, at: time, baseURL: baseURL).text)
    }
    if context.matches("GET", "delivery", nil, "out-0.txt") {
      guard let job = jobs[parts[1]], job.shape == .replicate, !job.fails, !NamedAPITimelines.canceled(job),
        NamedAPITimelines.phase(job, at: context.elapsed(job)) == .done
      else { return notFound }
      return .text(200, String(decoding: NamedAPITimelines.predictionOutput(job.id), as: UTF8.self))
    }
    return nil
  }

  /// Anthropic message batches: every request needs `anthropic-version` and `x-api-key`.
  mutating func anthropicRoutes(_ parts: [String], _ context: Context) -> Reply? {
    guard parts.count >= 3, parts[0] == "v1", parts[1] == "messages", parts[2] == "batches" else { return nil }
    if let refusal = NamedAPITimelines.anthropicHeadersMissing(context.request) { return refusal }
    let notFound = Reply.json(
      404,
      SimJSON.obj(
        ("type", .string("error")),
        ("error", .obj(("type", .string("not_found_error")), ("message", .string("batch not found"))))
      ).text)
    if context.matches("POST", "v1", "messages", "batches") {
      var job = create(.anthropicBatch, id: "msgbatch_" + random.hex(12), type: "batch", context)
      job.fails = SimJSON.parse(context.request.body)?["fail"] == .bool(true)
      jobs[job.id] = job
      return .json(200, NamedAPITimelines.anthropicBatch(job, at: 0, baseURL: baseURL).text)
    }
    if context.matches("GET", "v1", "messages", "batches", nil) {
      guard let job = job(parts[3], shapes: [.anthropicBatch], context) else { return notFound }
      return .json(200, NamedAPITimelines.anthropicBatch(job, at: context.elapsed(job), baseURL: baseURL).text)
    }
    if context.matches("POST", "v1", "messages", "batches", nil, "cancel") {
      guard var job = job(parts[3], shapes: [.anthropicBatch], context) else { return notFound }
      let time = context.elapsed(job)
      if NamedAPITimelines.phase(job, at: time) != .done, job.cancelAt == nil { job.cancelAt = time + 1 }
      jobs[job.id] = job
      return .json(200, NamedAPITimelines.anthropicBatch(job, at: time, baseURL: baseURL).text)
    }
    if context.matches("GET", "v1", "messages", "batches", nil, "results") {
      guard let job = job(parts[3], shapes: [.anthropicBatch], context),
        NamedAPITimelines.phase(job, at: context.elapsed(job)) == .done
      else { return notFound }
      return Reply(
        status: 200, headers: [("Content-Type", "application/binary")], body: NamedAPITimelines.anthropicResults(job))
    }
    return notFound
  }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
func percentEncode(_ text: String) -> String {
  var out = ""
  for byte in text.utf8 {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
      UInt8(ascii: "_"), UInt8(ascii: "~"):
      out.unicodeScalars.append(Unicode.Scalar(byte))
    default:
      let hex = String(byte, radix: 16, uppercase: true)
      out += "%" + (hex.count == 1 ? "0" + hex : hex)
    }
  }
  return out
}
