/// A job as the user named it, and where it is polled.
public struct JobReference: Equatable {
  /// What the user typed, for messages, with a URL's userinfo hidden.
  public let label: String
  public let url: String
  /// The `host:port` credentials belong to: the base URL's host, else the job URL's.
  public let credentialHost: String

  public init(label: String, url: String, credentialHost: String) {
    self.label = Credentials.hidingUserinfo(label)
    self.url = url
    self.credentialHost = credentialHost
  }

  /// Resolves JOB (README "Addressing a job"): an absolute URL as given, `/path` against the base
  /// URL's origin, anything else an id placed into the jobs path, percent-encoded so it can never
  /// change the request target.
  public static func resolve(_ text: String, settings: Settings) throws(JobctlError) -> JobReference {
    guard !text.isEmpty else { throw .usage("the job reference is empty") }
    let lower = Text.lowercased(text)
    if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
      guard let parts = URLParts(text) else {
        throw .usage(
          "'\(Credentials.shownURL(text, limit: 200))' is not a usable URL (spaces and control characters must be percent-encoded)"
        )
      }
      return JobReference(
        label: text, url: text, credentialHost: settings.baseURL?.hostKey ?? parts.hostKey)
    }
    guard let base = settings.baseURL, let baseText = settings.baseURLText else {
      throw .usage(
        "no base URL for job '\(Text.oneLine(text, limit: 200))': set --base-url or JOBCTL_BASE_URL, or give the job's full URL"
      )
    }
    if text.hasPrefix("/") {
      let url = base.origin + text
      guard URLParts(url) != nil, !text.hasPrefix("//") else {
        throw .usage(
          "'\(Text.oneLine(text, limit: 200))' is not a usable path (spaces and control characters must be percent-encoded)"
        )
      }
      return JobReference(label: text, url: url, credentialHost: base.hostKey)
    }
    let path: String
    do throws(ShapeSyntaxError) {
      path = try settings.shape.jobsPath.expand(id: text) ?? ""
    } catch {
      throw .usage("job '\(Text.oneLine(text, limit: 200))' cannot go into the jobs path: \(error.message)")
    }
    return JobReference(label: text, url: URLParts.joining(base: baseText, path: path), credentialHost: base.hostKey)
  }
}

extension String {
  func replacingOccurrences(of target: String, with replacement: String) -> String {
    split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
