/// One response shape, described as data: where each fact lives and what its values mean.
///
/// Adding an API means adding a table in `Dialects.swift`, not a branch in the engine.
public struct Dialect: Sendable {
  /// How a shape expresses progress.
  public enum Progress: Sendable {
    /// A number at `key`, where `full` means done (1 for a fraction, 100 for a percentage).
    case number(key: String, full: Double)
    /// Words describing the current phase.
    case text(key: String)
  }

  /// A state decided by something other than the status value.
  public enum Rule: Sendable {
    /// A `from` state becomes `failed` when the number at `key` is present and not zero
    /// (HotCRP's `done` with a non-zero `exit_status`).
    case failWhenNonZero(key: String, from: JobState)
    /// For shapes without a status: progress at `full` is terminal, `completed` when the list at
    /// `failIfNonEmpty` is empty and `failed` otherwise; below it, `running` (or `pending` at 0).
    case stateFromProgress(failIfNonEmpty: String)
  }

  /// Evidence that a document has this shape, for `--dialect auto`.
  public enum Marker: Sendable {
    case hasKey(String)
    case lacksKey(String)
    case statusIn([String])
    case objectAt(String)
  }

  public let name: String
  /// Where the status lives; nil for shapes that have none.
  public let statusKey: String?
  public let states: [String: JobState]
  public let progress: Progress?
  public let stageKey: String?
  public let updatedAtKey: String?
  public let idKeys: [String]
  public let rules: [Rule]
  /// Auto-detection: the document fits when every marker of any one group holds.
  public let detection: [[Marker]]
  /// Where the job's result lives, for text output (top-level keys, shown flattened).
  public let resultKeys: [String]
  public let defaultJobsPath: String

  /// Reads a job document, or nil when it is not one of this shape (no object, no known status).
  public func read(_ document: JSON) -> JobSnapshot? {
    guard document.isObject else { return nil }
    var state: JobState
    let raw: String?
    if let statusKey {
      guard let value = document[statusKey]?.stringValue, let mapped = states[Text.lowercased(value)] else {
        return nil
      }
      state = mapped
      raw = value
    } else {
      state = .pending
      raw = nil
    }
    var snapshot = JobSnapshot(state: state)
    snapshot.rawStatus = raw
    switch progress {
    case .number(let key, let full)?:
      if let value = document[key]?.doubleValue, value.isFinite {
        snapshot.progress = min(max(value / full, 0), 1)
      } else if statusKey == nil {
        return nil
      }
    case .text(let key)?:
      snapshot.phase = document[key]?.stringValue.map { Messages.clean($0) }
    case nil:
      break
    }
    if let stageKey { snapshot.stage = document[stageKey]?.stringValue }
    if let updatedAtKey, let value = document[updatedAtKey] {
      // `1e400` or "nan" is no time: without one, staleness is judged by what the job shows.
      let time = value.doubleValue ?? value.stringValue.flatMap(Double.init)
      snapshot.updatedAt = time.flatMap { $0.isFinite ? $0 : nil }
    }
    snapshot.id = idKeys.lazy.compactMap { document[$0]?.displayText }.first
    for rule in rules {
      switch rule {
      case .failWhenNonZero(let key, let from):
        if state == from, let n = document[key]?.doubleValue, n != 0 { state = .failed }
      case .stateFromProgress(let listKey):
        let fraction = snapshot.progress ?? 0
        if fraction >= 1 {
          state = (document[listKey]?.arrayValue ?? []).isEmpty ? .completed : .failed
        } else {
          state = fraction > 0 ? .running : .pending
        }
      }
    }
    snapshot.state = state
    let messages = Messages.all(in: document)
    switch state {
    case .failed, .canceled:
      snapshot.error = messages.isEmpty ? nil : Messages.joined(messages)
    case .completed:
      snapshot.warnings = messages
    case .pending, .running:
      break
    }
    return snapshot
  }

  /// Whether `document` carries this shape's markers.
  public func matches(_ document: JSON) -> Bool {
    detection.contains { group in
      group.allSatisfy { marker in
        switch marker {
        case .hasKey(let key): return document[key] != nil
        case .lacksKey(let key): return document[key] == nil
        case .objectAt(let key): return document[key]?.isObject ?? false
        case .statusIn(let values):
          guard let statusKey, let status = document[statusKey]?.stringValue else { return false }
          return values.contains(Text.lowercased(status))
        }
      }
    }
  }
}
