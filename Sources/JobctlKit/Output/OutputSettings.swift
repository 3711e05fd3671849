/// How results and progress are shown (contract section 10).
public struct OutputSettings {
  public enum Format: String { case text, json }
  public enum ProgressMode: String { case auto, plain, none }

  public var format: Format = .text
  public var field: JSONPath?
  public var quiet = false
  public var progress: ProgressMode = .auto
  public var verbose = false

  public init() {}

  static func resolve(_ invocation: Invocation, environment: [String: String]) throws(JobctlError) -> OutputSettings {
    var o = OutputSettings()
    if let f = invocation.value("format") { o.format = Format(rawValue: f) ?? .text }
    if invocation.has("json") { o.format = .json }
    if let text = invocation.value("field") {
      guard let path = JSONPath(text) else {
        throw .usage(
          "--field takes a dotted path such as result.address or jobs.0.jobId, not '\(Text.oneLine(text, limit: 60))'")
      }
      o.field = path
    }
    o.quiet = invocation.has("quiet")
    if let p = invocation.value("progress") { o.progress = ProgressMode(rawValue: p) ?? .auto }
    o.verbose = invocation.has("verbose")
    return o
  }

  /// Whether progress lines are printed at all.
  public var showsProgress: Bool { !quiet && progress != .none }
}
