import JobctlShapes
import JobctlSupport

/// What jobctl tells GitHub Actions when it runs there (`GITHUB_ACTIONS=true`).
///
/// Annotations are workflow commands written to stderr, so stdout stays results only (the runner
/// reads commands from both streams). `GITHUB_OUTPUT`, when set, gets `status`, `job-id` and the
/// `--field` value as `name=value` lines (a value with a line break uses the heredoc form).
/// `GITHUB_STEP_SUMMARY`, when set, gets a Markdown table of the jobs a wait saw.
///
/// GitHub keeps 10 error (and 10 warning) annotations a step and refuses a summary over 1 MiB,
/// so many jobs get one annotation that counts them, and a table cut short.
package struct GitHubActions {
  package let enabled: Bool
  package let outputFile: String?
  package let summaryFile: String?
  let append: (String, String) -> Bool

  /// Annotations of one kind a step keeps; more are folded into one.
  static let annotationLimit = 10
  /// Jobs a folded annotation names.
  static let namedInFold = 3
  /// Bytes of one summary table, well under GitHub's 1 MiB for the whole step.
  static let summaryBudget = 256 * 1024

  /// Whether the command runs as a GitHub Actions step (`GITHUB_ACTIONS=true`).
  package static func running(in environment: [String: String]) -> Bool {
    environment["GITHUB_ACTIONS"] == "true"
  }

  package init(environment: [String: String], append: @escaping (String, String) -> Bool) {
    enabled = Self.running(in: environment)
    outputFile = enabled ? environment["GITHUB_OUTPUT"].flatMap { $0.isEmpty ? nil : $0 } : nil
    summaryFile = enabled ? environment["GITHUB_STEP_SUMMARY"].flatMap { $0.isEmpty ? nil : $0 } : nil
    self.append = append
  }

  /// `text` with no line the runner would read as a workflow command.
  ///
  /// A `::` that starts a line
  /// (after blanks, which the runner skips) shows as `\x3a:`, and the old `##[` form, read
  /// anywhere in a line, as `#\x23[`. For text from a server printed for people; jobctl's own
  /// annotations are written as they are (`Diagnostics.command`).
  package static func neutralized(_ text: String) -> String {
    guard text.utf8.contains(0x3A) || text.utf8.contains(0x23) else { return text }
    var out = String.UnicodeScalarView()
    var lineStart = true
    var scalars = Array(text.unicodeScalars)[...]
    while let c = scalars.first {
      if lineStart && c == ":" && scalars.dropFirst().first == ":" {
        out.append(contentsOf: "\\x3a".unicodeScalars)
        scalars = scalars.dropFirst()
        lineStart = false
        continue
      }
      if c == "#" && scalars.dropFirst().first == "#" && scalars.dropFirst(2).first == "[" {
        out.append(contentsOf: "#\\x23".unicodeScalars)
        scalars = scalars.dropFirst(2)
        lineStart = false
        continue
      }
      out.append(c)
      scalars = scalars.dropFirst()
      if c == "\n" || c == "\r" {
        lineStart = true
      } else if c != " " && c != "\t" {
        lineStart = false
      }
    }
    return String(out)
  }

  /// How one job ended, as the annotations and the step summary need it.
  package struct JobEnd {
    let job: String
    /// nil when the wait did not see the job end (a timeout, a signal, `--any`).
    let state: JobState?
    package let error: JobctlError?
    let warnings: [String]
    /// Seconds from the start of the wait to the job's end, when known.
    let duration: Double?
    let detail: String

    /// Neither completed nor failed: a wait cut short, or not waited for.
    var unfinished: Bool { state?.isTerminal != true }
    var failed: Bool { state == .failed || state == .canceled || (error != nil && !unfinished) }
  }

  /// The annotations for a wait's jobs: one each, or one per kind that counts them when there are
  /// more than GitHub keeps.
  func annotations(_ ends: [JobEnd]) -> [String] {
    guard enabled else { return [] }
    let lines = ends.map { (end: $0, line: annotation(job: $0.job, error: $0.error, warnings: $0.warnings)) }
    let errors = lines.filter { $0.line?.hasPrefix("::error") == true }
    let warnings = lines.filter { $0.line?.hasPrefix("::warning") == true }
    var out: [String] = []
    if errors.count > Self.annotationLimit {
      let named = errors.prefix(Self.namedInFold).map { $0.end.error?.message ?? "job \($0.end.job)" }
      let title = "\(errors.count) of \(ends.count) jobs did not complete"
      out.append("::error title=\(property(title))::\(data(fold(named, total: errors.count)))")
    } else {
      out += errors.compactMap(\.line)
    }
    if warnings.count > Self.annotationLimit {
      let named = warnings.prefix(Self.namedInFold).map {
        "job \($0.end.job): \($0.end.warnings.joined(separator: "; "))"
      }
      let title = "\(warnings.count) of \(ends.count) jobs completed with warnings"
      out.append("::warning title=\(property(title))::\(data(fold(named, total: warnings.count)))")
    } else {
      out += warnings.compactMap(\.line)
    }
    return out
  }

  private func fold(_ named: [String], total: Int) -> String {
    named.joined(separator: "\n")
      + (total > named.count ? "\nand \(total - named.count) more (see the step summary)" : "")
  }

  /// Appends the wait's table to the step summary; returns a warning when it cannot be written.
  func writeSummary(_ ends: [JobEnd]) -> String? {
    guard let summaryFile, !ends.isEmpty else { return nil }
    return append(summaryFile, Self.summary(ends)) ? nil : "cannot append to GITHUB_STEP_SUMMARY (\(summaryFile))"
  }

  /// The Markdown for the step summary: a count, then a table with the jobs that did not
  /// complete first, cut with "and N more" at `summaryBudget` bytes.
  static func summary(_ ends: [JobEnd], budget: Int = summaryBudget) -> String {
    let completed = ends.filter { !$0.unfinished && !$0.failed }.count
    let failed = ends.filter(\.failed).count
    let unfinished = ends.filter(\.unfinished).count
    var counts = ["\(completed) completed"]
    if failed > 0 { counts.append("\(failed) failed") }
    if unfinished > 0 { counts.append("\(unfinished) unfinished") }
    var text = "### jobctl wait: \(ends.count) job\(ends.count == 1 ? "" : "s"), \(counts.joined(separator: ", "))\n\n"
    text += "| Job | State | Duration | Detail |\n| --- | --- | --- | --- |\n"
    // Stable: argument order within each group.
    let ordered = ends.filter(\.unfinished) + ends.filter(\.failed) + ends.filter { !$0.unfinished && !$0.failed }
    var used = text.utf8.count
    var shown = 0
    for end in ordered {
      let row =
        "| \(markdownCell(end.job, limit: 200)) | \(end.state?.rawValue ?? "unfinished") | "
        + "\(end.duration.map(DurationText.format) ?? "-") | \(markdownCell(end.detail, limit: 300)) |\n"
      // Room is kept for the line that says how many were left out.
      guard used + row.utf8.count + 64 <= budget else { break }
      text += row
      used += row.utf8.count
      shown += 1
    }
    if shown < ordered.count { text += "\nand \(ordered.count - shown) more\n" }
    return text + "\n"
  }

  /// Server text made safe for one Markdown table cell: on one line, control characters escaped,
  /// and with what Markdown or HTML would read (`|`, `<`, `*`, ...) backslash-escaped.
  static func markdownCell(_ s: String, limit: Int) -> String {
    var out = ""
    for scalar in Text.oneLine(s, limit: limit).unicodeScalars {
      if "\\`*_[]<>|~&#!".unicodeScalars.contains(scalar) { out += "\\" }
      out.unicodeScalars.append(scalar)
    }
    return out
  }

  /// The annotation for how a job ended, if it deserves one.
  func annotation(job: String, error: JobctlError?, warnings: [String]) -> String? {
    guard enabled else { return nil }
    let title: String
    switch error {
    case .jobFailed?: title = "job \(job) failed"
    case .jobCanceled?: title = "job \(job) was canceled"
    case .stalled?: title = "job \(job) looks stalled"
    case .timedOut?: title = "gave up waiting for job \(job)"
    case nil:
      guard !warnings.isEmpty else { return nil }
      return
        "::warning title=\(property("job \(job) completed with warnings"))::\(data(warnings.joined(separator: "\n")))"
    default:
      return nil
    }
    return "::error title=\(property(title))::\(data(error?.message ?? title))"
  }

  /// Appends the step outputs; returns a warning when the file cannot be written.
  func writeOutputs(status: String, jobID: String, field: String?) -> String? {
    guard let outputFile else { return nil }
    var text = entry("status", status) + entry("job-id", jobID)
    if let field { text += entry("field", field) }
    return append(outputFile, text) ? nil : "cannot append to GITHUB_OUTPUT (\(outputFile))"
  }

  /// The outputs of a wait for several jobs: `exit-code`, how many jobs ended in each state
  /// (`completed`, `failed`, `canceled`, and `unfinished` for those the wait did not see end),
  /// and `jobs`, a JSON array of `{"job", "state", "exit_code"}` in job order (`state` and
  /// `exit_code` null for a job not waited for).
  func writeOutputs(_ ends: [JobEnd], codes: [Int32?], exitCode: Int32) -> String? {
    guard let outputFile else { return nil }
    var counts: [JobState: Int] = [:]
    var unfinished = 0
    var jobs: [JSON] = []
    for (end, code) in zip(ends, codes) {
      if let state = end.state { counts[state, default: 0] += 1 } else { unfinished += 1 }
      jobs.append(
        .object([
          ("job", .string(end.job)), ("state", end.state.map { .string($0.rawValue) } ?? .null),
          ("exit_code", code.map { .number(String($0)) } ?? .null),
        ]))
    }
    var text = entry("exit-code", String(exitCode))
    for state in [JobState.completed, .failed, .canceled] {
      text += entry(state.rawValue, String(counts[state, default: 0]))
    }
    text += entry("unfinished", String(unfinished)) + entry("jobs", JSON.array(jobs).serialized())
    return append(outputFile, text) ? nil : "cannot append to GITHUB_OUTPUT (\(outputFile))"
  }

  private func entry(_ name: String, _ value: String) -> String {
    guard Text.hasLineBreak(value) else { return "\(name)=\(value)\n" }
    // Searched as bytes (the kit's one byte search): a Character search misses the delimiter
    // followed by a combining mark.
    let bytes = Array(value.utf8)
    var delimiter = "JOBCTL_EOF"
    while Credentials.firstIndex(of: Array(delimiter.utf8), in: bytes) != nil { delimiter += "_" }
    return "\(name)<<\(delimiter)\n\(value)\n\(delimiter)\n"
  }

  /// Escapes for a command's message part.
  func data(_ s: String) -> String { escape(s, property: false) }

  /// Escapes for a command's property values.
  func property(_ s: String) -> String { escape(s, property: true) }

  /// The toolkit's escaping, by scalar: as Characters, `"\r\n"` matches neither CR nor LF and
  /// would reach the log raw, ending the command early.
  private func escape(_ s: String, property: Bool) -> String {
    var out = ""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "%": out += "%25"
      case "\r": out += "%0D"
      case "\n": out += "%0A"
      case ":" where property: out += "%3A"
      case "," where property: out += "%2C"
      default: out.unicodeScalars.append(scalar)
      }
    }
    // The old `##[command]` form is read anywhere in a line: `%23` shows as `#` in the annotation.
    return out.contains("##[") ? out.replacing("##[", with: "#%23[") : out
  }
}
