/// The normalized state every response shape maps to.
package enum JobState: String, Sendable, CaseIterable {
  case pending, running, completed, failed, canceled

  package var isTerminal: Bool { self == .completed || self == .failed || self == .canceled }
}

/// What one job document says, in shape-independent terms.
package struct JobSnapshot: Sendable, Equatable {
  package var state: JobState
  /// The status value as the server wrote it (`run`, `done`, ...); nil for shapes without one.
  package var rawStatus: String?
  /// Completion as a fraction in [0, 1], when the shape reports a number.
  package var progress: Double?
  /// A phase described in words (HotCRP's `progress` string).
  package var phase: String?
  package var stage: String?
  /// The server's own time of the last update (Unix seconds), when the shape has one.
  package var updatedAt: Double?
  /// The reason a failed or canceled job gives.
  package var error: String?
  /// Messages a completed job carries (row errors of an import, HotCRP warnings).
  package var warnings: [String] = []
  /// The job id the document names, if any.
  package var id: String?
  /// The condition that decided the state (`failed: conclusion=failure`), for `explain` and `-v`.
  package var decidedBy: Decision?

  package init(state: JobState) { self.state = state }

  /// Whether `earlier` shows the same activity, for `--stale-after`: any change of status,
  /// stage, phase, progress or update time is activity.
  ///
  /// Compared field by field: a key string built for every poll of every job was a large share of
  /// a poll's instructions (docs/performance.md).
  package func sameActivity(as earlier: JobSnapshot) -> Bool {
    (rawStatus ?? state.rawValue) == (earlier.rawStatus ?? earlier.state.rawValue) && sameWords(as: earlier)
      && Self.same(progress, earlier.progress) && Self.same(updatedAt, earlier.updatedAt)
  }

  /// Whether a progress line for `earlier` shows the same: a change here is worth a line.
  package func sameDisplay(as earlier: JobSnapshot) -> Bool {
    state == earlier.state && sameWords(as: earlier)
      && Self.same(progress.map { ($0 * 1000).rounded() }, earlier.progress.map { ($0 * 1000).rounded() })
  }

  /// The same stage and phase; absent and empty are alike.
  private func sameWords(as earlier: JobSnapshot) -> Bool {
    (stage ?? "") == (earlier.stage ?? "") && (phase ?? "") == (earlier.phase ?? "")
  }

  /// Equal numbers, or both absent, or both NaN (a `0 / 0` progress is no change from itself).
  private static func same(_ a: Double?, _ b: Double?) -> Bool {
    a == b || (a?.isNaN == true && b?.isNaN == true)
  }
}
