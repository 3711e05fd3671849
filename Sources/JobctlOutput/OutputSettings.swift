import JobctlSupport

/// How results and progress are shown (docs/behaviour.md "Output").
package struct OutputSettings {
  package enum ProgressMode: String, CaseIterable { case auto, tty, plain, none }
  package enum ColorMode: String, CaseIterable { case auto, always, never }

  /// What stdout carries (`Formats.swift`).
  package var format: Format = .standard
  package var field: JSONPath?
  package var quiet = false
  package var progress: ProgressMode = .auto
  package var verbose = false
  package var color: ColorMode = .auto
  /// Under GitHub Actions (`GITHUB_ACTIONS=true`): text for people is kept from forming
  /// workflow commands (`GitHubActions.neutralized`); `--field` and `--json` stay as they are.
  package var actions = false

  /// Text for people as stdout gets it: under GitHub Actions, no line of it is a workflow command.
  package func forPeople(_ text: String) -> String { actions ? GitHubActions.neutralized(text) : text }

  package init() {}

  /// Whether stdout carries a wait's events as they happen, one line each, then a `done` line
  /// per job; `--field` asks for one value instead.
  package var streamsEvents: Bool {
    field == nil && format.eventLine != nil
  }

  /// The line `event` makes on stdout, nil when stdout carries no events (`streamsEvents`).
  package func line(_ event: StreamedEvent, job: String, time: Double) -> String? {
    guard field == nil, let eventLine = format.eventLine else { return nil }
    return eventLine(event, job, time)
  }
}
