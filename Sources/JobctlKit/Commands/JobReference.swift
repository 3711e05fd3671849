import JobctlShapes
import JobctlSupport

/// A job as the user named it, and where it is polled.
package struct JobReference: Equatable {
  /// What the user typed, for messages, with a URL's userinfo hidden.
  package let label: String
  package let url: String
  /// The `host:port` credentials belong to: the base URL's host, else the job URL's.
  package let credentialHost: String

  package init(label: String, url: String, credentialHost: String) {
    self.label = Credentials.hidingUserinfo(label)
    self.url = url
    self.credentialHost = credentialHost
  }

  /// Resolves JOB (README "Addressing a job"): an absolute URL as given, a `/path` under the base
  /// URL as every command reads a path (`underBase`), anything else an id placed into the jobs
  /// path, percent-encoded so it can never change the request target.
  ///
  /// What `start` and `list` print (an id, or the job's absolute URL) resolves here to the URL
  /// they polled. A relative URL the server sends is not read here: it is resolved against the
  /// URL that answered (RFC 3986, `URLParts.resolving`).
  package static func resolve(_ text: String, settings: Settings) throws(JobctlError) -> JobReference {
    guard !text.isEmpty else { throw .usage(.emptyReference) }
    let lower = Text.lowercased(text)
    if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
      guard let parts = URLParts(text) else {
        throw .usage(.unusableURL(shown: Credentials.shownURL(text, limit: 200)))
      }
      return JobReference(
        label: text, url: text, credentialHost: settings.baseURL?.hostKey ?? parts.hostKey)
    }
    guard let base = settings.baseURL, let baseText = settings.baseURLText else {
      throw .usage(.noBaseURL(job: text))
    }
    if text.hasPrefix("/") { return try underBase(text, base: base, baseText: baseText) }
    let path: String
    do throws(ShapeSyntaxError) {
      path = try settings.shape.jobsPath.expand(id: text) ?? ""
    } catch {
      throw .usage(.notForJobsPath(job: text, problem: error.message))
    }
    return JobReference(label: text, url: URLParts.joining(base: baseText, path: path), credentialHost: base.hostKey)
  }

  /// PATH under the base URL: the one rule for a path the user gives, a `/path` JOB of any
  /// command as much as the PATH of `start` and `list` (README "Addressing a job").
  ///
  /// The base URL's path prefix is kept and its query goes after PATH's own, except the
  /// parameters PATH sets itself (`URLParts.joining`): `/things/t` under
  /// `https://h/azure?api-version=1` is `https://h/azure/things/t?api-version=1`. A path that
  /// already starts with the prefix (`/azure/things/t`, as a server's relative `locationUrl`
  /// reads) is not given it twice. A path starting with `//` would name a host (RFC 3986) and is
  /// refused.
  static func underBase(_ text: String, base: URLParts, baseText: String) throws(JobctlError) -> JobReference {
    let (basePath, baseQuery) = URLParts.splitQuery(base.target)
    var prefix = Substring(basePath)
    while prefix.hasSuffix("/") { prefix.removeLast() }
    let ownPath = URLParts.splitQuery(text).0
    let named = !prefix.isEmpty && (ownPath == prefix || ownPath.hasPrefix(prefix + "/"))
    let under = named ? base.origin + (baseQuery.map { "?" + $0 } ?? "") : baseText
    let url = URLParts.joining(base: under, path: text)
    guard !text.hasPrefix("//"), URLParts(url) != nil else {
      throw .usage(.unusablePath(text))
    }
    return JobReference(label: text, url: url, credentialHost: base.hostKey)
  }
}
