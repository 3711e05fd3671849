/// Turns poll events into progress lines on stderr.
///
/// Plain mode, the one for logs: one timestamped line per change, never a control character
/// (server text is passed through `Text.oneLine`).
public final class ProgressReporter {
  private let diagnostics: Diagnostics
  private let clock: Clock
  private let enabled: Bool

  public init(diagnostics: Diagnostics, clock: Clock, settings: OutputSettings) {
    self.diagnostics = diagnostics
    self.clock = clock
    self.enabled = settings.showsProgress
  }

  public func report(_ event: PollEvent, job: String) {
    guard enabled else { return }
    let stamp = "[\(HTTPDate.iso8601(clock.wall))] \(Text.oneLine(job, limit: 120)):"
    switch event {
    case .state(let s, _):
      diagnostics.line("\(stamp) \(ProgressReporter.describe(s))")
    case .retry(let reason, let delay, let failures):
      diagnostics.line("\(stamp) \(reason); retrying in \(DurationText.format(delay)) (failure \(failures))")
    case .rateLimited(let reason, let delay):
      diagnostics.line("\(stamp) rate limited (\(reason)); next poll in \(DurationText.format(delay))")
    }
  }

  /// `running, stage processing, 45%`.
  static func describe(_ s: JobSnapshot) -> String {
    var parts = [s.state.rawValue]
    if let stage = s.stage, !stage.isEmpty { parts.append("stage \(Text.oneLine(stage, limit: 120))") }
    if let phase = s.phase, !phase.isEmpty { parts.append(Text.oneLine(phase, limit: 200)) }
    if let p = s.progress { parts.append(Text.percent(p)) }
    return parts.joined(separator: ", ")
  }
}
