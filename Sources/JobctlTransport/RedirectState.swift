import JobctlHTTP
import JobctlSupport

/// Where a request's redirect chain has been, and the rules for its next hop.
///
/// libcurl's own following is off (CURLOPT_FOLLOWLOCATION 0): these rules are the only ones, so
/// credentials are dropped the moment a hop leaves the host they were given for. A value with no
/// libcurl and no clock of its own (the caller says what time it is), like async-http-client's
/// `RedirectState`, so each rule is tested in process; `CurlTransport` only drives libcurl with
/// what it decides.
package struct RedirectState: Sendable, Equatable {
  /// The `host:port` the request's credential headers were given for.
  package let credentialHost: String
  /// The first URL: a signed request is signed only at its scheme, host and port.
  package let firstURL: String
  /// How many redirects one request may follow (`TransportOptions.maxRedirects`).
  package let limit: Int
  /// The request's time limit, and when the whole chain must be done (monotonic seconds).
  ///
  /// Redirects share the limit rather than each getting it anew. Nil and infinity for a download
  /// under a stall limit alone.
  package let timeLimit: Double?
  package let deadline: Double
  /// Every URL of the chain once it is redirected (empty until then).
  package private(set) var visited: Set<String> = []
  /// The redirects followed so far.
  package private(set) var redirects = 0

  /// The state of a request to `url` that has not been redirected yet; `now` (monotonic seconds)
  /// is read only when there is a time limit.
  package init(
    url: String, credentialHost: String, maxRedirects: Int, timeLimit: Double?, now: @autoclosure () -> Double
  ) {
    self.credentialHost = credentialHost
    self.firstURL = url
    self.limit = maxRedirects
    self.timeLimit = timeLimit
    self.deadline = timeLimit.map { now() + $0 } ?? .infinity
  }

  /// Whether an answer with this status is a redirect to follow, when it names a target.
  ///
  /// 301, 302, 303, 307 and 308; any other 3xx (304 Not Modified, 300 Multiple Choices) is the
  /// answer.
  package static func isRedirect(_ status: Int) -> Bool {
    switch status {
    case 301, 302, 303, 307, 308: return true
    default: return false
    }
  }

  /// The request to send after `request` was answered `status` towards `target`, or why not.
  ///
  /// `target` is the answer's `Location`, resolved; `now` (monotonic seconds) is read only when
  /// there is a time limit.
  ///
  /// In order: at most `limit` redirects; the target must be an http(s) URL with a host; never
  /// from https down to http; no URL twice (but a 303, whose GET may go back to where a POST
  /// went); no hop once the time limit is (all but 1 ms) used, and the hop gets what is left of
  /// it. A 303 turns any method (HEAD too) into a GET without a body, a 301 or 302 only a POST;
  /// a 307 or 308 keeps method and body.
  package mutating func follow(
    _ request: HTTPRequest, status: Int, to target: String, now: @autoclosure () -> Double
  ) throws(TransportFailure) -> HTTPRequest {
    guard redirects < limit else {
      throw TransportFailure(.tooManyRedirects(limit: limit))
    }
    guard let targetParts = URLParts(target) else {
      throw TransportFailure(.unusableRedirect(url: target))
    }
    if URLParts(request.url)?.scheme == "https" && targetParts.scheme == "http" {
      throw TransportFailure(.insecureRedirect(origin: targetParts.origin))
    }
    if redirects == 0 { visited.insert(request.url) }
    guard visited.insert(target).inserted || status == 303 else {
      throw TransportFailure(.redirectLoop(url: target))
    }
    var next = request
    if let timeLimit {
      let left = deadline - now()
      guard left > 0.001 else {
        throw TransportFailure(.redirectsTimedOut(limit: timeLimit))
      }
      next.timeout = left
    }
    if status == 303 || (request.method == "POST" && status != 307 && status != 308) {
      next.method = "GET"
      next.body = nil
    }
    next.url = target
    redirects += 1
    return next
  }

  /// `request` as it goes to its URL, whose `host:port` is `hostKey` (nil when it cannot be
  /// read), and whether that is the credentials' host.
  ///
  /// Away from it every credential header stays behind (see `Credentials.isCredentialHeader`);
  /// a chain that comes back sends them again. The request kept in the transfer is the one the
  /// caller gave, so nothing is lost for that.
  package func outgoing(_ request: HTTPRequest, hostKey: String?) -> (request: HTTPRequest, home: Bool) {
    guard hostKey != credentialHost else { return (request, true) }
    var away = request
    away.headers.removeAll(where: { Credentials.isCredentialHeader($0.name) })
    return (away, false)
  }

  /// Whether a request to `url` is signed (`--aws-sigv4`), `home` saying it goes to the
  /// credentials' host: only there, and after a redirect only at the first URL's scheme, as
  /// credential headers are dropped elsewhere.
  package func signs(_ url: String, home: Bool) -> Bool {
    home && (redirects == 0 || URLParts(url)?.scheme == URLParts(firstURL)?.scheme)
  }
}
