import JobctlEngine
import JobctlShapes
import JobctlSupport

/// How the ends of jobs are printed: one job's (`wait`, `status`, `start --wait`, `cancel --wait`)
/// and many jobs' (`wait JOB JOB...`), each told as it comes and then all at the end.
extension Presenter {
  /// How a job ended, for GitHub's annotations and step summary.
  private func jobEnd(
    _ outcome: WaitOutcome?, job: String, error: JobctlError?, duration: Double?, cancelAsked: Bool = false
  ) -> GitHubActions.JobEnd {
    guard let outcome else {
      return .init(job: job, state: nil, error: nil, warnings: [], duration: nil, detail: "not waited for (--any)")
    }
    let state = outcome.snapshot?.state
    let all = state == .completed ? outcome.snapshot?.warnings ?? [] : []
    let warnings = Messages.shown(all)
    let asked = cancelAsked && state == .canceled
    var detail = error?.message ?? Messages.joined(all)
    if asked { detail = "canceled as asked" }
    if case .interrupted(let signal)? = error { detail = "interrupted (signal \(signal))" }
    return .init(
      job: job, state: state?.isTerminal == true ? state : nil, error: asked ? nil : error, warnings: warnings,
      duration: duration, detail: detail)
  }

  /// Prints how one job ended (and what `-o` fetched after) and returns the exit code: the
  /// job's, a missing `--field`'s, or the fetch's failure once the job completed.
  func finish(_ end: JobEnd) -> Int32 {
    reporter?.clear()
    if case .success(let fetched)? = end.fetched { note(fetched.note) }
    let code = finishOne(end)
    if case .failure(let error)? = end.fetched { return Self.fail(error, diagnostics: diagnostics) }
    return code
  }

  private func finishOne(_ end: JobEnd) -> Int32 {
    let outcome = end.outcome
    let job = end.job
    var error = outcome.error
    var fieldText: String?
    // stdout carries results: the document of a job that ended, or of a `status` poll. A wait
    // cut short (timeout, stall, signal) has no result to print.
    let hasResult: Bool
    switch error {
    case nil, .jobFailed?, .jobCanceled?, .stillRunning?: hasResult = true
    default: hasResult = false
    }
    // The body is parsed again only where a value or the text form reads it: `--json` prints
    // the bytes as they came.
    if hasResult, let body = outcome.body, let snapshot = outcome.snapshot {
      let fine = error == nil
      let written = write(
        Forms(
          document: { JSON.reparsed(body) }, json: { Self.asItCame(body) }, ndjson: { nil },
          text: {
            settings.quiet
              ? nil : Self.text(snapshot, document: JSON.reparsed(body), dialect: outcome.dialect, job: job)
          },
          missingField: fine
            ? { field, document in
              .rejected(
                .missingField(
                  in: "the final document of job \(job)", path: field,
                  there: document.map { field.whatIsThere(in: $0) } ?? ""))
            } : nil))
      fieldText = written.field
      if let missing = written.error { error = missing }
      if !settings.quiet && snapshot.state == .completed { warn(snapshot.warnings, job: job) }
    }
    let code = Self.exitCode(error)
    if let line = settings.line(.done(outcome, exitCode: code), job: job, time: now()) { stdout.write(line + "\n") }
    tell(error, end: end)
    guard let github else { return code }
    let ended = jobEnd(outcome, job: job, error: error, duration: elapsed(), cancelAsked: end.cancelAsked)
    for line in github.annotations([ended]) { diagnostics.command(line) }
    if end.summarize, let problem = github.writeSummary([ended]) { diagnostics.warning(problem) }
    let status = outcome.snapshot?.state.rawValue ?? "unknown"
    if let problem = github.writeOutputs(status: status, jobID: outcome.snapshot?.id ?? job, field: fieldText) {
      return outputsLost(problem, names: "status, job-id and field", code: code)
    }
    return code
  }

  /// The verdict of one job on stderr.
  private func tell(_ error: JobctlError?, end: JobEnd) {
    switch error {
    case .interrupted?:
      if !settings.quiet { diagnostics.line(interrupted([end.job], resume: end.resume)) }
    case .jobCanceled(let cause)? where end.cancelAsked:
      // The cancel that was asked for happened: the outcome, told as a note (exit 3 stays).
      if !settings.quiet { diagnostics.line("jobctl: \(cause.message)") }
    case let e?:
      diagnostics.error(e)
    case nil:
      break
    }
  }

  /// Tells of one job of several as soon as it ends: the live line, its ndjson `done` line.
  package func ended(_ outcome: WaitOutcome, job: String) {
    // End times serve only GitHub's annotations and summary: 100,000 jobs need none without them.
    if github != nil { endTimes.record(job, at: elapsed()) }
    // A job that ended with no state of its own (unreachable, refused) counts as failed on the
    // live line; the summary names its error.
    reporter?.ended(job: job, state: Self.stateName(outcome) ?? JobState.failed.rawValue)
    if settings.streamsEvents {
      reporter?.clear()
      if let line = settings.line(.done(outcome, exitCode: Self.exitCode(of: outcome)), job: job, time: now()) {
        stdout.write(line + "\n")
      }
    }
  }

  /// What the end of a many-job wait gathered, job by job.
  private struct Tally {
    var codes: [Int32?] = []
    var lines: [String] = []
    var ends: [GitHubActions.JobEnd] = []
    // A screenful of errors, then a count: 100,000 jobs against a dead server are not 100,000
    // lines on stderr (--json and ndjson still carry every job).
    var errorsShown = 0
    var moreByCode: [Int32: Int] = [:]
  }

  /// Prints the end of a wait for several jobs and returns the exit code: the highest of the
  /// jobs' codes, or with `--any` (`firstFinished`) that job's.
  func finishMany(_ many: JobEnds) -> Int32 {
    reporter?.clear()
    // Made as they are read, each time: the outcomes of 100,000 jobs are never all made at once.
    let outcomes = (0..<many.count).lazy.map(many.outcome)
    let jobs = (0..<many.count).lazy.map(many.label)
    var tally = Tally()
    for (outcome, job) in zip(outcomes, jobs) { count(outcome, job: job, into: &tally) }
    if !tally.moreByCode.isEmpty { diagnostics.error(Self.moreErrors(tally.moreByCode)) }
    if let github {
      for line in github.annotations(tally.ends) { diagnostics.command(line) }
      if let problem = github.writeSummary(tally.ends) { diagnostics.warning(problem) }
    }
    if outcomes.contains(where: { if case .interrupted? = $0?.error { true } else { false } }), !settings.quiet {
      let open = zip(jobs, outcomes).filter { $0.1?.snapshot?.state.isTerminal != true }.map(\.0)
      diagnostics.line(interrupted(open, resume: many.resume))
    }
    writeMany(many, lines: tally.lines)
    var code: Int32 = tally.codes.compactMap { $0 }.max() ?? Self.exitCode(nil)
    if let first = many.firstFinished, let firstCode = tally.codes[first] { code = firstCode }
    if let github, let problem = github.writeOutputs(tally.ends, codes: tally.codes, exitCode: code) {
      return outputsLost(problem, names: "exit-code, the counts and jobs", code: code)
    }
    return code
  }

  /// One job of a many-job wait at its end: its code, its `--field` line, its error or warnings.
  private func count(_ outcome: WaitOutcome?, job: String, into tally: inout Tally) {
    guard let outcome else {
      tally.codes.append(nil)
      if github != nil { tally.ends.append(jobEnd(nil, job: job, error: nil, duration: nil)) }
      return
    }
    var error = outcome.error
    let ended = outcome.snapshot?.state.isTerminal == true
    if let field = settings.field {
      if ended, let value = outcome.document.flatMap({ field.value(in: $0) }) {
        // One line a job, in job order, as the format writes a value.
        tally.lines.append(settings.format.fieldLine(value))
      } else {
        tally.lines.append(settings.format.fieldLine(nil))
        if error == nil {
          let there = ended ? outcome.document.map { field.whatIsThere(in: $0) } ?? "" : ""
          error = .rejected(.missingField(in: "the final document of job \(job)", path: field, there: there))
        }
      }
    }
    tally.codes.append(Self.exitCode(error))
    if github != nil { tally.ends.append(jobEnd(outcome, job: job, error: error, duration: endTimes.take(job))) }
    if case .interrupted? = error { return }
    if let error, error.message != nil {
      if tally.errorsShown < Self.errorScreenful {
        diagnostics.error(error)
        tally.errorsShown += 1
      } else {
        tally.moreByCode[error.exitCode, default: 0] += 1
      }
    }
    if !settings.quiet, let s = outcome.snapshot, s.state == .completed { warn(s.warnings, job: job) }
  }

  /// A many-job wait's stdout: the `--field` lines, or what the format makes of the jobs' ends.
  private func writeMany(_ many: JobEnds, lines: [String]) {
    if settings.field != nil {
      for line in lines { stdout.write(line + "\n") }
      return
    }
    let outcomes = (0..<many.count).lazy.map(many.outcome)
    let jobs = (0..<many.count).lazy.map(many.label)
    let forms = JobsForms(
      count: many.count,
      document: { i in
        let outcome = many.outcome(i)
        return outcome?.snapshot?.state.isTerminal == true ? (outcome?.document ?? .null) : .null
      },
      text: { settings.quiet ? nil : Self.summary(outcomes, jobs: jobs) })
    settings.format.jobs(forms, self)
  }

  /// The exit code once the step outputs (`names`) could not be written: later steps read them,
  /// so, as the toolkit's setOutput fails the step, a wait that succeeded ends with exit 10 (a
  /// local file could not be written) rather than a quiet 0; one that failed keeps its code, with
  /// a warning.
  private func outputsLost(_ problem: String, names: String, code: Int32) -> Int32 {
    guard code == 0 else {
      diagnostics.warning(problem)
      return code
    }
    return Self.fail(.localWrite(.stepOutputsLost(problem, names: names)), diagnostics: diagnostics)
  }

  /// A completed job's messages as warnings: the first few, each one line cut to the width of
  /// stderr, then how many more (a HotCRP autoassign carries hundreds; `--json` has them all).
  private func warn(_ warnings: [String], job: String) {
    let width = columns() - "jobctl: warning: ".count
    for warning in Messages.shown(warnings) {
      diagnostics.warning(Text.fitted("job \(Text.oneLine(job, limit: 120)): \(warning)", width: width))
    }
  }

  /// Error lines a wait for many jobs prints before it counts the rest.
  static let errorScreenful = 20

  /// `and 99,980 more like it (exit 124); ...`: the errors past a screenful, by exit code.
  static func moreErrors(_ byCode: [Int32: Int]) -> String {
    let total = byCode.values.reduce(0, +)
    let codes = byCode.sorted { $0.key < $1.key }
    let kinds =
      codes.count == 1
      ? "like it (exit \(codes[0].key))"
      : "(" + codes.map { "\(Text.grouped($0.value)) with exit \($0.key)" }.joined(separator: ", ") + ")"
    return "and \(Text.grouped(total)) more \(kinds); --json and --format ndjson carry every job"
  }

  /// How a job that was gone (404, 410 or a `gone-when` answer: exit 5) is named in the
  /// summary and on the live line of several jobs.
  static let gone = "gone"

  /// The state a job of several ended in, as the summary and the live line name it: "gone" for a
  /// job the server no longer has, else its last state; nil when it never had one.
  static func stateName(_ outcome: WaitOutcome) -> String? {
    if case .notFound? = outcome.error { return gone }
    return outcome.snapshot?.state.rawValue
  }

  /// The text summary of several jobs: an aligned table of job, state, exit code and detail.
  static func summary(_ outcomes: some Collection<WaitOutcome?>, jobs: some Collection<String>) -> String {
    var rows = [["JOB", "STATE", "EXIT", "DETAIL"]]
    for (outcome, job) in zip(outcomes, jobs) {
      guard let outcome else {
        rows.append([job, "-", "-", "not waited for (--any)"])
        continue
      }
      let state = stateName(outcome) ?? "-"
      var detail = outcome.snapshot.map { ProgressReporter.describe($0) } ?? ""
      if let error = outcome.error?.message { detail = error }
      rows.append([
        Text.oneLine(job, limit: 80), state, String(exitCode(of: outcome)), Text.oneLine(detail, limit: 200),
      ])
    }
    let widths = (0..<3).map { column in rows.map { Text.columns($0[column]) }.max() ?? 0 }
    return rows.map { row in
      (0..<3).map { row[$0] + String(repeating: " ", count: widths[$0] - Text.columns(row[$0])) }.joined(
        separator: "  ")
        + "  " + row[3]
    }.map { Text.trimmed($0) + "\n" }.joined()
  }

  /// `key: value` lines: the job, its state and whereabouts, then its result or error.
  static func text(_ s: JobSnapshot, document: JSON, dialect: Dialect?, job: String) -> String {
    var lines: [(String, String)] = [("job", s.id ?? job), ("state", s.state.rawValue)]
    if let raw = s.rawStatus, raw != s.state.rawValue { lines.append(("status", raw)) }
    if let stage = s.stage { lines.append(("stage", stage)) }
    if let phase = s.phase, !phase.isEmpty { lines.append(("phase", phase)) }
    if let p = s.progress { lines.append(("progress", Text.percent(p))) }
    for key in dialect?.resultKeys ?? [] {
      if let value = document[key] { flatten(value, prefix: key, into: &lines) }
    }
    if let error = s.error { lines.append(("error", error)) }
    return lines.map { "\($0.0): \(Text.oneLine($0.1, limit: 2000))\n" }.joined()
  }

  private static func flatten(_ value: JSON, prefix: String, into lines: inout [(String, String)]) {
    switch value {
    case .object(let members) where !members.isEmpty && lines.count < 200:
      // Keys come from the server too: one line each, or they could forge `key: value` lines.
      for m in members { flatten(m.value, prefix: "\(prefix).\(Text.oneLine(m.key, limit: 200))", into: &lines) }
    case .array(let items) where !items.isEmpty && lines.count < 200 && items.count <= 20:
      for (i, item) in items.enumerated() { flatten(item, prefix: "\(prefix).\(i)", into: &lines) }
    default:
      lines.append((prefix, value.displayText))
    }
  }
}

extension Presenter {
  /// What Ctrl-C left: the jobs that keep running on the server and the command that resumes
  /// the wait (ids of up to five; more go through `wait -`).
  func interrupted(_ open: [String], resume: String?) -> String {
    guard let resume, !open.isEmpty else { return "jobctl: interrupted" }
    let shown = open.map(Text.shellWord)
    if open.count == 1 {
      return "jobctl: interrupted; job \(Text.oneLine(open[0])) keeps running on the server: \(resume) \(shown[0])"
    }
    if open.count <= 5 {
      return
        "jobctl: interrupted; \(open.count) jobs keep running on the server: \(resume) \(shown.joined(separator: " "))"
    }
    return "jobctl: interrupted; \(open.count) jobs keep running on the server: their ids, one a line, into \(resume) -"
  }
}

/// When each of several jobs ended, by label; a label given twice is taken in the order told.
///
/// Keyed, so the end of a 100,000-job wait takes each time in O(1): a search and removal in
/// one array was quadratic (docs/performance.md, "Figures behind design choices").
final class EndTimes {
  private var ends: [String: [Double]] = [:]

  func record(_ job: String, at time: Double) {
    ends[job, default: []].append(time)
  }

  func take(_ job: String) -> Double? {
    guard var times = ends[job], !times.isEmpty else { return nil }
    let first = times.removeFirst()
    ends[job] = times.isEmpty ? nil : times
    return first
  }
}
