/// How results and progress are shown (contract section 10).
public struct OutputSettings {
  public enum Format: String { case text, json, ndjson }
  public enum ProgressMode: String { case auto, tty, plain, none }
  public enum ColorMode: String { case auto, always, never }

  public var format: Format = .text
  public var field: JSONPath?
  public var quiet = false
  public var progress: ProgressMode = .auto
  public var verbose = false
  public var color: ColorMode = .auto

  public init() {}

}
