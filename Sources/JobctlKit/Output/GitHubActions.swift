/// What jobctl tells GitHub Actions when it runs there (`GITHUB_ACTIONS=true`).
///
/// Annotations are workflow commands written to stderr, so stdout stays results only (the runner
/// reads commands from both streams). `GITHUB_OUTPUT`, when set, gets `status`, `job-id` and the
/// `--field` value as `name=value` lines (a value with a line break uses the heredoc form).
public struct GitHubActions {
  public let enabled: Bool
  public let outputFile: String?
  let append: (String, String) -> Bool

  public init(environment: [String: String], append: @escaping (String, String) -> Bool) {
    enabled = environment["GITHUB_ACTIONS"] == "true"
    outputFile = enabled ? environment["GITHUB_OUTPUT"].flatMap { $0.isEmpty ? nil : $0 } : nil
    self.append = append
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

  private func entry(_ name: String, _ value: String) -> String {
    // Scalars: "\r\n" is one Character, which neither "\n" nor "\r" matches as a String.
    guard value.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) else { return "\(name)=\(value)\n" }
    var delimiter = "JOBCTL_EOF"
    while value.contains(delimiter) { delimiter += "_" }
    return "\(name)<<\(delimiter)\n\(value)\n\(delimiter)\n"
  }

  /// Escapes for a command's message part.
  func data(_ s: String) -> String {
    s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
      .replacingOccurrences(of: "\n", with: "%0A")
  }

  /// Escapes for a command's property values.
  func property(_ s: String) -> String {
    data(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
  }
}
