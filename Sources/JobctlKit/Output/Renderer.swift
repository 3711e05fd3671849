/// Prints a finished wait or status on stdout (results only) and its verdict on stderr.
public struct Renderer {
  public let settings: OutputSettings
  public let stdout: TextSink
  public let diagnostics: Diagnostics
  let reporter: ProgressReporter?
  let github: GitHubActions?
  let now: () -> Double

  init(
    settings: OutputSettings, stdout: TextSink, diagnostics: Diagnostics, reporter: ProgressReporter? = nil,
    github: GitHubActions? = nil, now: @escaping () -> Double = { 0 }
  ) {
    self.settings = settings
    self.stdout = stdout
    self.diagnostics = diagnostics
    self.reporter = reporter
    self.github = github
    self.now = now
  }

  /// Prints the outcome and returns the exit code.
  public func finish(_ outcome: WaitOutcome, job: String) -> Int32 {
    reporter?.clear()
    var error = outcome.error
    var fieldText: String?
    // stdout carries results: the document of a job that ended, or of a `status` poll. A wait
    // cut short (timeout, stall, signal) has no result to print.
    let hasResult: Bool
    switch error {
    case nil, .jobFailed?, .jobCanceled?, .stillRunning?: hasResult = true
    default: hasResult = false
    }
    if hasResult, let body = outcome.body, let document = outcome.document, let snapshot = outcome.snapshot {
      if let field = settings.field {
        if let value = field.value(in: document) {
          fieldText = value.displayText
          stdout.write(value.displayText + "\n")
        } else if error == nil {
          error = .rejected("the final document of job \(job) has no field '\(field)'")
        }
      } else {
        switch settings.format {
        case .json:
          let text = String(decoding: body, as: UTF8.self)
          stdout.write(text.hasSuffix("\n") ? text : text + "\n")
        case .ndjson:
          break
        case .text:
          if !settings.quiet {
            stdout.write(Renderer.text(snapshot, document: document, dialect: outcome.dialect, job: job))
          }
        }
      }
      if !settings.quiet {
        for warning in snapshot.warnings where snapshot.state == .completed {
          diagnostics.warning("job \(Text.oneLine(job, limit: 120)): \(warning)")
        }
      }
    }
    let code = error?.exitCode ?? 0
    if settings.format == .ndjson && settings.field == nil {
      stdout.write(NDJSON.done(job: job, outcome: outcome, exitCode: code, time: now()) + "\n")
    }
    switch error {
    case .interrupted?:
      if !settings.quiet { diagnostics.line("jobctl: interrupted") }
    case let e?:
      if let message = e.message { diagnostics.error(message) }
    case nil:
      break
    }
    if let github {
      let warnings = outcome.snapshot?.state == .completed ? outcome.snapshot?.warnings ?? [] : []
      if let line = github.annotation(job: job, error: error, warnings: warnings) { diagnostics.line(line) }
      let status = outcome.snapshot?.state.rawValue ?? "unknown"
      if let problem = github.writeOutputs(status: status, jobID: outcome.snapshot?.id ?? job, field: fieldText) {
        diagnostics.warning(problem)
      }
    }
    return code
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
      for m in members { flatten(m.value, prefix: "\(prefix).\(m.key)", into: &lines) }
    case .array(let items) where !items.isEmpty && lines.count < 200 && items.count <= 20:
      for (i, item) in items.enumerated() { flatten(item, prefix: "\(prefix).\(i)", into: &lines) }
    default:
      lines.append((prefix, value.displayText))
    }
  }
}
