/// One job the simulator knows, and where it stands on its shape's timeline.
///
/// Timelines are written in "timeline seconds" (speed 1); the simulator multiplies real elapsed
/// time by its speed before asking, so `--speed 10` runs every job ten times faster.
struct SimulatedJob: Sendable {
  /// The response shape a job answers in; picked once, when the job is created.
  enum Shape: Sendable {
    case simple, staged, hotcrp, progress
    /// Public job APIs (NamedAPIs.swift).
    case githubRun, googleOperation, azureOperation, http202, openaiBatch, replicate, anthropicBatch
    /// Job systems run on one's own machines (ClusterAPIs.swift).
    case slurm, rayJob, celeryFlower
  }

  let id: String
  let shape: Shape
  /// Creation order, used by the listing.
  let sequence: Int
  /// Clock reading (unix seconds) when the job was created.
  let created: Double
  /// `type` for simple jobs, `kind` for staged ones.
  var type: String
  var fails = false
  /// A simple job that completes with warnings in `errors`.
  var warns = false
  /// A hotcrp job that answers 410 Gone.
  var expired = false
  /// A hotcrp job that finishes without output (204 on fetch).
  var noOutput = false
  /// Seeded listing jobs stay in this simple status forever.
  var fixedStatus: String?
  /// Timeline second at which an accepted cancel takes effect (staged jobs).
  var cancelAt: Double?

  init(id: String, shape: Shape, sequence: Int, created: Double, type: String) {
    self.id = id
    self.shape = shape
    self.sequence = sequence
    self.created = created
    self.type = type
  }

  /// A job named by a scenario id: its prefix picks the shape, words in it pick the ending.
  static func scenario(id: String, sequence: Int, created: Double) -> SimulatedJob? {
    let shapes: [(prefix: String, shape: Shape, type: String)] = [
      ("simple-", .simple, "org_members"), ("staged-", .staged, StagedTimeline.kind),
      ("hcj_", .hotcrp, "autoassign"), ("import-", .progress, "member_import"), ("run-", .githubRun, "workflow_run"),
      ("op-", .googleOperation, "operation"), ("azop-", .azureOperation, "operation"), ("export-", .http202, "export"),
      ("batch_", .openaiBatch, "batch"), ("pred-", .replicate, "prediction"), ("msgbatch_", .anthropicBatch, "batch"),
      ("slurm-", .slurm, "batch"), ("raysubmit_", .rayJob, "submission"), ("task-", .celeryFlower, "task"),
    ]
    guard let match = shapes.first(where: { id.hasPrefix($0.prefix) }) else { return nil }
    var job = SimulatedJob(
      id: id, shape: match.shape, sequence: sequence, created: created, type: match.type)
    job.fails = id.contains("fail")
    job.warns = id.contains("warn")
    job.expired = id.contains("expired")
    job.noOutput = id.contains("nooutput")
    return job
  }
}

/// Formats thousandths as a JSON number with at most three decimals: 637 → 0.637, 1000 → 1.
func progressNumber(milli: Int) -> SimJSON {
  if milli % 1000 == 0 { return .int(milli / 1000) }
  var decimals = String(milli % 1000)
  decimals = String(repeating: "0", count: 3 - decimals.count) + decimals
  while decimals.hasSuffix("0") { decimals.removeLast() }
  return .number("\(milli / 1000).\(decimals)")
}

// MARK: - simple (Vocdoni)

/// The simple shape: pending, then completed or failed, HTTP 200 throughout.
enum SimpleTimeline {
  static let pendingUntil = 4.0

  static func document(_ job: SimulatedJob, at time: Double) -> SimJSON {
    let status =
      job.fixedStatus ?? (time < pendingUntil ? "pending" : job.fails ? "failed" : "completed")
    var fields: [SimJSON.Field] = [
      .init("jobId", .string(job.id)), .init("type", .string(job.type)),
      .init("status", .string(status)),
    ]
    switch status {
    case "completed":
      var random = SeededRandom(text: job.id)
      let members = 10 + Int(random.next() % 490)
      fields.append(
        .init(
          "result",
          .obj(
            ("address", .string("0x" + random.hex(40))), ("status", .string("done")),
            ("added", .int(members)), ("total", .int(members)))))
      if job.warns {
        fields.append(
          .init(
            "errors", .array([.string("row 3: invalid email"), .string("row 9: duplicate member")]))
        )
      }
    case "failed":
      fields.append(.init("error", .string("census creation failed: not enough funds")))
    default:
      break
    }
    return .object(fields)
  }

  static func notFound() -> Reply {
    .json(404, SimJSON.obj(("error", .string("job not found")), ("code", .int(40026))).text)
  }
}

// MARK: - staged

/// The staged shape: pending, three running stages with monotonic progress, then an ending.
enum StagedTimeline {
  static let kind = "report.build"
  static let pendingUntil = 0.5
  /// Each stage's time span and the progress it covers.
  static let stages: [(name: String, start: Double, end: Double, from: Double, to: Double)] = [
    ("validating", 0.5, 1.5, 0, 0.2),
    ("processing", 1.5, 5.5, 0.2, 0.9),
    ("finalizing", 5.5, 6.5, 0.9, 1.0),
  ]
  static let completedAt = 6.5
  /// Failing jobs break here, in `processing` at progress 0.637.
  static let failsAt = 4.0
  /// How long an accepted cancel takes to land.
  static let cancelDelay = 0.5

  enum State: Equatable {
    case pending
    case running(milli: Int, stage: String)
    case completed
    case failed(milli: Int, stage: String)
    /// Stage is nil when the job was canceled before it started.
    case canceled(milli: Int, stage: String?)
  }

  /// Where the job stands `time` timeline seconds after creation.
  static func state(_ job: SimulatedJob, at time: Double) -> State {
    let cancel = job.cancelAt ?? .infinity
    let failure = job.fails ? failsAt : .infinity
    let end = min(cancel, failure, completedAt)
    if time >= end {
      if end == cancel {
        if case .running(let milli, let stage) = progress(at: cancel) {
          return .canceled(milli: milli, stage: stage)
        }
        return .canceled(milli: 0, stage: nil)
      }
      if end == failure, case .running(let milli, let stage) = progress(at: failure) {
        return .failed(milli: milli, stage: stage)
      }
      return .completed
    }
    return progress(at: time)
  }

  /// The un-ended timeline: pending or running.
  private static func progress(at time: Double) -> State {
    guard time >= pendingUntil else { return .pending }
    let stage = stages.first { time < $0.end } ?? stages[stages.count - 1]
    let fraction = min(1, max(0, (time - stage.start) / (stage.end - stage.start)))
    let value = stage.from + (stage.to - stage.from) * fraction
    // Rounding down keeps progress monotonic and below 1 until the job has really completed.
    return .running(milli: min(999, Int((value * 1000).rounded(.down))), stage: stage.name)
  }

  static func status(_ state: State) -> String {
    switch state {
    case .pending: return "pending"
    case .running: return "running"
    case .completed: return "completed"
    case .failed: return "failed"
    case .canceled: return "canceled"
    }
  }

  static func progressValue(_ state: State) -> SimJSON? {
    switch state {
    case .pending: return nil
    case .running(let milli, _), .failed(let milli, _), .canceled(let milli, _):
      return progressNumber(milli: milli)
    case .completed: return .int(1)
    }
  }

  static func document(_ job: SimulatedJob, at time: Double) -> SimJSON {
    let current = state(job, at: time)
    var fields: [SimJSON.Field] = [
      .init("jobId", .string(job.id)), .init("kind", .string(job.type)),
      .init("status", .string(status(current))),
    ]
    if let progress = progressValue(current) { fields.append(.init("progress", progress)) }
    switch current {
    case .pending:
      break
    case .running(_, let stage):
      fields.append(.init("stage", .string(stage)))
    case .completed:
      fields.append(.init("stage", .string("done")))
      fields.append(
        .init("result", .obj(("url", .string("/reports/\(job.id).pdf")), ("pages", .int(12)))))
    case .failed(_, let stage):
      fields.append(.init("stage", .string(stage)))
      fields.append(
        .init(
          "error",
          .obj(
            ("code", .string("RENDER_FAILED")), ("message", .string("template render failed")),
            ("data", .obj(("page", .int(7)))))))
    case .canceled(_, let stage):
      if let stage { fields.append(.init("stage", .string(stage))) }
    }
    return .object(fields)
  }

  static func error(_ status: Int, code: String, message: String, details: SimJSON? = nil) -> Reply {
    var fields: [SimJSON.Field] = [
      .init("code", .string(code)), .init("message", .string(message)),
    ]
    if let details { fields.append(.init("details", details)) }
    return .json(status, SimJSON.obj(("error", .object(fields))).text)
  }

  static func notFound() -> Reply {
    .json(
      404,
      SimJSON.obj(
        (
          "error",
          .obj(
            ("code", .string("NOT_FOUND")), ("message", .string("job not found")), ("data", .null))
        )
      ).text)
  }
}

// MARK: - hotcrp

/// The hotcrp shape: `wait`, `run` through named phases with advancing `update_at`, then `done`.
enum HotCRPTimeline {
  static let runFrom = 1.0
  static let phasesFrom = 1.8
  static let phaseLength = 0.6
  static let phaseCount = 7
  static var doneAt: Double { phasesFrom + phaseLength * Double(phaseCount) }

  enum State: Equatable {
    case wait
    /// `since` is the timeline second the current phase began.
    case run(since: Double, progress: String)
    case done
  }

  static func state(_ job: SimulatedJob, at time: Double) -> State {
    if time < runFrom { return .wait }
    if time < phasesFrom { return .run(since: runFrom, progress: "Initializing") }
    if time >= doneAt { return .done }
    let phase = min(phaseCount, Int((time - phasesFrom) / phaseLength) + 1)
    let since = phasesFrom + phaseLength * Double(phase - 1)
    let tenths = betterTenths(job.id)[phase - 1]
    return .run(
      since: since,
      progress:
        "Optimizing assignment for preferences and balance, phase \(phase)/\(phaseCount) "
        + "(\(tenths / 10).\(tenths % 10)% better)")
  }

  /// Cumulative improvement per phase, in tenths of a percent; deterministic per id.
  static func betterTenths(_ id: String) -> [Int] {
    var random = SeededRandom(text: id + "/better")
    var total = 0
    return (0..<phaseCount).map { _ in
      total += 5 + Int(random.next() % 36)
      return total
    }
  }

  /// The status document and its HTTP status (202 until done).
  static func document(_ job: SimulatedJob, at time: Double, unixTime: (Double) -> Int) -> (
    Int, SimJSON
  ) {
    switch state(job, at: time) {
    case .wait:
      return (
        202,
        .obj(("ok", .bool(true)), ("status", .string("wait")), ("update_at", .int(unixTime(0))))
      )
    case .run(let since, let progress):
      return (
        202,
        .obj(
          ("ok", .bool(true)), ("status", .string("run")), ("update_at", .int(unixTime(since))),
          ("progress", .string(progress)))
      )
    case .done:
      let finished = unixTime(doneAt)
      if job.fails {
        return (
          200,
          .obj(
            ("ok", .bool(true)), ("status", .string("done")), ("update_at", .int(finished)),
            ("exit_status", .int(1)),
            (
              "message_list",
              .array([message("<0>Assignment failed: no eligible reviewers", field: .null)])
            ))
        )
      }
      var fields: [SimJSON.Field] = [
        .init("ok", .bool(true)), .init("status", .string("done")),
        .init("update_at", .int(finished)),
        .init("exit_status", .int(0)),
      ]
      if !job.noOutput {
        fields += [
          .init("output_mimetype", .string("text/csv")),
          .init("output_size", .int(output(job.id).count)),
          .init("output_at", .string(String(finished))),
        ]
      }
      return (200, .object(fields))
    }
  }

  static func message(_ text: String, field: SimJSON?) -> SimJSON {
    var fields: [SimJSON.Field] = [.init("status", .int(2))]
    if let field { fields.append(.init("field", field)) }
    fields.append(.init("message", .string(text)))
    return .object(fields)
  }

  /// A `{"ok":false,"message_list":[...]}` error answer.
  static func error(_ status: Int, _ text: String, field: SimJSON? = .string("job")) -> Reply {
    .json(
      status,
      SimJSON.obj(("ok", .bool(false)), ("message_list", .array([message(text, field: field)])))
        .text)
  }

  /// The job's CSV output: a few hundred lines, the same bytes for the same id every time.
  static func output(_ id: String) -> [UInt8] {
    var random = SeededRandom(text: id + "/output")
    let reviewers = [
      "ada", "barbara", "claude", "donald", "edsger", "frances", "grace", "hedy", "ivan", "john",
      "katherine", "leslie", "margaret", "niklaus", "ole", "radia",
    ]
    let words = [
      "Adaptive", "Scalable", "Verified", "Incremental", "Distributed", "Concurrent", "Secure",
      "Learning", "Caching", "Consensus", "Compilers", "Storage", "Networks", "Queries", "Types",
    ]
    var text = "paper,title,email,round,preference\n"
    let rows = 250 + Int(random.next() % 150)
    for row in 0..<rows {
      let paper = 1 + row / 3
      let title = (0..<3).map { _ in words[Int(random.next() % UInt64(words.count))] }
        .joined(separator: " ")
      let reviewer = reviewers[Int(random.next() % UInt64(reviewers.count))]
      let preference = Int(random.next() % 41) - 20
      text += "\(paper),\"\(title)\",\(reviewer)@example.org,R1,\(preference)\n"
    }
    return Array(text.utf8)
  }
}

// MARK: - progress (bulk member import)

/// The progress shape: integer progress 0 to 100, terminal at 100.
enum ImportTimeline {
  static let total = 40
  static let duration = 5.0
  /// The row a failing import rejects; its error shows once the import has passed it.
  static let badRow = 12

  static func document(_ job: SimulatedJob, at time: Double) -> SimJSON {
    let progress = min(100, max(0, Int((time / duration * 100).rounded(.down))))
    let added = Int((Double(total * progress) / 100).rounded())
    let errors: [SimJSON] =
      job.fails && added >= badRow ? [.string("row \(badRow): invalid email")] : []
    return .obj(
      ("added", .int(added)), ("total", .int(total)), ("progress", .int(progress)),
      ("errors", .array(errors)))
  }
}
