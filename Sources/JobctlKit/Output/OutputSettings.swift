/// How results and progress are shown (README "Output").
public struct OutputSettings {
  /// What stdout carries; the cases are `--format`'s choices, and every command result switches
  /// over them, so a new format is one the compiler asks each result to print.
  public enum Format: String, CaseIterable { case text, json, ndjson }
  public enum ProgressMode: String, CaseIterable { case auto, tty, plain, none }
  public enum ColorMode: String, CaseIterable { case auto, always, never }

  public var format: Format = .text
  public var field: JSONPath?
  public var quiet = false
  public var progress: ProgressMode = .auto
  public var verbose = false
  public var color: ColorMode = .auto
  /// Under GitHub Actions (`GITHUB_ACTIONS=true`): text for people is kept from forming
  /// workflow commands (`GitHubActions.neutralized`); `--field` and `--json` stay as they are.
  public var actions = false

  /// Text for people as stdout gets it: under GitHub Actions, no line of it is a workflow command.
  public func forPeople(_ text: String) -> String { actions ? GitHubActions.neutralized(text) : text }

  public init() {}

  /// Whether stdout carries a wait's events as they happen, one line each, then a `done` line
  /// per job; `--field` asks for one value instead.
  public var streamsEvents: Bool {
    guard field == nil else { return false }
    switch format {
    case .ndjson: return true
    case .text, .json: return false
    }
  }
}
