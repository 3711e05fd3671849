/// The normalized state every response shape maps to.
public enum JobState: String, Sendable, CaseIterable {
  case pending, running, completed, failed, canceled

  public var isTerminal: Bool { self == .completed || self == .failed || self == .canceled }
}

/// What one job document says, in shape-independent terms.
public struct JobSnapshot: Sendable, Equatable {
  public var state: JobState
  /// The status value as the server wrote it (`run`, `done`, ...); nil for shapes without one.
  public var rawStatus: String?
  /// Completion as a fraction in [0, 1], when the shape reports a number.
  public var progress: Double?
  /// A phase described in words (HotCRP's `progress` string).
  public var phase: String?
  public var stage: String?
  /// The server's own time of the last update (Unix seconds), when the shape has one.
  public var updatedAt: Double?
  /// The reason a failed or canceled job gives.
  public var error: String?
  /// Messages a completed job carries (row errors of an import, HotCRP warnings).
  public var warnings: [String] = []
  /// The job id the document names, if any.
  public var id: String?
  /// The condition that decided the state (`failed: conclusion=failure`), for `explain` and `-v`.
  public var decidedBy: String?

  public init(state: JobState) { self.state = state }

  /// What `--stale-after` compares: any change of status, stage, phase, progress or update time
  /// is activity.
  public var activityKey: String {
    let update = updatedAt.map { "\($0)" } ?? ""
    return "\(rawStatus ?? state.rawValue)|\(stage ?? "")|\(phase ?? "")|\(progress.map { "\($0)" } ?? "")|\(update)"
  }

  /// What a progress line shows: changes here are worth a line.
  public var displayKey: String {
    "\(state.rawValue)|\(stage ?? "")|\(phase ?? "")|\(progress.map { "\(($0 * 1000).rounded())" } ?? "")"
  }
}
