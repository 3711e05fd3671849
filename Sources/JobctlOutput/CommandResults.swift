import JobctlEngine
import JobctlHTTP
import JobctlShapes
import JobctlSupport

/// How the results of `start`, `cancel`, `list` and `explain` are printed.
extension Presenter {
  /// A created job: its id (or URL) for the next command, or the answer with `--json`.
  ///
  /// Whatever else fails, a job that was created is never lost: the error names it.
  func created(_ job: CreatedJob) -> JobctlError? {
    // Printed raw an id with control characters could forge lines or drive the terminal; a
    // script cannot use it anyway.
    let unprintable = job.id.map(Text.hasControlCharacters) ?? false
    let (_, missing) = write(
      Forms(
        document: { job.document }, json: { Self.asItCame(job.body) },
        ndjson: { (job.document ?? .null).serialized() + "\n" },
        // A URL polled as another shape (an Azure status monitor under auto) is the job; an id
        // found beside it is the start shape's, and names no job to that shape.
        text: { unprintable ? nil : (job.namedByURL ? job.url : job.id ?? job.url) + "\n" },
        textError: {
          unprintable
            ? .rejected(.jobWasCreated(.idHasControlCharacters, job: job.named)) : nil
        }, forPeople: false,
        missingField: { field, _ in
          .rejected(
            .jobWasCreated(.missingField(in: "the answer to \(job.target)", path: field, there: ""), job: job.named))
        }))
    if let missing { return missing }
    if let failure = stdout.failure {
      return .localWrite(.jobWasCreated(.notWritten("the job id to stdout", reason: failure.reason), job: job.named))
    }
    return nil
  }

  /// A start that may have created a job: a format that streams events gets a line carrying the
  /// key, stderr the key to resend with (unless the error says it already), then the error.
  func unconfirmed(_ start: UnconfirmedStart) -> Int32 {
    // Whatever `--field` asks: a script reading events learns of the job that may exist.
    if let line = settings.format.eventLine?(
      .startUnconfirmed(idempotencyKey: start.key, reason: start.reason), start.job, now())
    {
      stdout.write(line + "\n")
    }
    if !start.saysKey {
      let how: String
      if case .interrupted = start.error { how = start.reason } else { how = "sent, and then failed" }
      diagnostics.line(
        "jobctl: the start of \(Text.oneLine(start.job, limit: 200)) may have created a job: it was \(how); resend it with --idempotency-key \(start.shownKey) (the same Idempotency-Key) where the API honours it, or look for the job before starting another"
      )
    }
    return Self.fail(start.error, diagnostics: diagnostics)
  }

  /// A start answer that names no job: the answer on stdout as it came (the job may exist), and
  /// the error says so.
  func unnamed(_ answer: UnnamedJob) -> JobctlError {
    guard !answer.body.isEmpty else { return .rejected(answer.cause) }
    stdout.write(Self.asItCame(answer.body))
    if let failure = stdout.failure { return .localWrite(.answerOnStdout(answer.cause, lost: failure.reason)) }
    return .rejected(.answerOnStdout(answer.cause, lost: nil))
  }

  /// The answer to a cancel, and what it means: accepted or already over is success; refused,
  /// declined or no cancel at all is exit 6.
  func cancel(_ reply: CancelReply) -> JobctlError? {
    let job = reply.job
    let said: String
    let response: HTTPResponse
    switch reply.answer {
    case .accepted(let r): (said, response) = ("cancel: accepted\n", r)
    case .alreadyTerminal(let reason, let r): (said, response) = ("cancel: not accepted\nreason: \(reason)\n", r)
    case .refused(_, _, let r): (said, response) = ("cancel: refused\n", r)
    case .declined(let reason, let r): (said, response) = ("cancel: refused\nreason: \(reason)\n", r)
    case .unsupported(let r):
      return .rejected(.noSuchCancel(job: job, status: r.status))
    }
    let document = try? JSON.parse(response.body)
    _ = write(
      Forms(
        document: { document }, json: { Self.asItCame(response.body, empty: "{}\n") },
        ndjson: { (document ?? .object([])).serialized() + "\n" },
        text: { settings.quiet ? nil : "job: \(job)\n" + said }))
    switch reply.answer {
    case .alreadyTerminal(let reason, _):
      note("jobctl: job \(Text.oneLine(job, limit: 120)) was not canceled: \(reason)")
      return nil
    case .refused(let stage, let code, _): return .rejected(.cancelRefused(job: job, stage: stage, code: code))
    case .declined(let reason, _): return .rejected(.cancelDeclined(job: job, reason: reason))
    case .accepted, .unsupported: return nil
    }
  }

  /// A job list: a table, the ids alone with `-q` (for `jobctl wait -`), the array, one job a
  /// line, or one field.
  func list(_ listing: Listing) -> JobctlError? {
    let ids = listing.jobs.lazy.map { job in
      listing.shape.idPaths.lazy.compactMap { $0.first(JobAnswer(document: job))?.displayText }.first { $0 != "" }
    }
    // With -q the text form is the ids alone.
    let idsOnly = settings.quiet
    let (_, error) = write(
      Forms(
        document: { .array(listing.jobs) }, json: { JSON.array(listing.jobs).serialized() + "\n" },
        ndjson: { listing.jobs.map { $0.serialized() + "\n" }.joined() },
        text: { idsOnly ? ids.compactMap { $0.map { Text.oneLine($0) + "\n" } }.joined() : Self.table(listing) },
        textError: {
          let without = idsOnly ? ids.filter { $0 == nil }.count : 0
          guard without > 0 else { return nil }
          return .rejected(.idsMissing(count: without, of: listing.jobs.count))
        }, forPeople: !idsOnly,
        missingField: { field, array in
          .rejected(
            .missingField(in: "the job list", path: field, there: array.map { field.whatIsThere(in: $0) } ?? ""))
        }, lineEach: true))
    return error
  }

  /// The text form of a list: an aligned table of id, type, status and progress.
  static func table(_ listing: Listing) -> String {
    var rows = [["ID", "TYPE", "STATUS", "PROGRESS"]]
    for job in listing.jobs {
      let answer = JobAnswer(document: job)
      let id = listing.shape.idPaths.lazy.compactMap { $0.first(answer)?.displayText }.first ?? "-"
      let type = ["type", "kind"].lazy.compactMap { job[$0]?.displayText }.first ?? "-"
      let status = (listing.shape.statusPath?.first(answer) ?? job["status"]).map { $0.displayText } ?? "-"
      rows.append([id, type, status, progressText(job, dialect: listing.dialect)].map { Text.oneLine($0, limit: 80) })
    }
    let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
      let cells = row.enumerated().map { i, cell in
        i == 3 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
      }
      return cells.joined(separator: "  ") + "\n"
    }.joined()
  }

  /// Progress as a percentage: by the shape's progress path when it has one; otherwise a
  /// `progress` up to 1 is a fraction and a larger one a percentage.
  static func progressText(_ job: JSON, dialect: Dialect?) -> String {
    if let expression = dialect?.progress {
      let (fraction, phase) = expression.evaluate(JobAnswer(document: job))
      return fraction.map(Text.percent) ?? phase ?? "-"
    }
    guard let value = job["progress"]?.doubleValue, value.isFinite, value >= 0 else {
      return job["progress"]?.stringValue ?? "-"
    }
    return Text.percent(value <= 1 ? value : min(value / 100, 1))
  }

  /// How `explain` judged a document; the exit code is the one a wait ending in that state has
  /// (a job still pending or running: 9).
  func explain(_ e: Explanation) -> Int32 {
    let s = e.snapshot
    let object = JSON.object([
      ("state", .string(s.state.rawValue)), ("decided_by", .string(e.decidedBy)), ("dialect", .string(e.shape)),
    ])
    // One document judged, no events: ndjson has nothing to stream, and reads as text.
    let text = { () -> String in
      var text = Text.oneLine(e.decidedBy) + "\n"
      guard !settings.quiet else { return text }
      text += "dialect: \(e.shape)\n"
      if let raw = s.rawStatus { text += "status: \(Text.oneLine(raw, limit: 200))\n" }
      if let p = s.progress { text += "progress: \(Text.percent(p))\n" }
      if let stage = s.stage ?? s.phase { text += "stage: \(Text.oneLine(stage, limit: 200))\n" }
      if let error = s.error { text += "error: \(Text.oneLine(error, limit: 2000))\n" }
      for warning in s.warnings where s.state == .completed {
        text += "warning: \(Text.oneLine(warning, limit: 2000))\n"
      }
      return text
    }
    _ = write(
      Forms(
        document: { object }, json: { object.serialized() + "\n" }, ndjson: { settings.forPeople(text()) }, text: text,
        readsField: false))
    switch s.state {
    case .completed: return JobctlError.Ending.success.code
    case .failed: return JobctlError.Ending.jobFailed.code
    case .canceled: return JobctlError.Ending.jobCanceled.code
    case .pending, .running: return JobctlError.Ending.stillRunning.code
    }
  }
}
