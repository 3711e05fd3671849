import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// The redirect rules, one at a time, without libcurl or a server: the end-to-end tests
/// (TransportTests, TLSTests, SecretsTests, SigningTests, FaultMatrixTests) prove the transport
/// applies them.
@Suite struct RedirectStateTests {
  /// A chain that starts at `url`, with credentials for `credentialHost` and no time limit.
  func chain(
    _ url: String = "http://api.example:8080/jobs/1", credentialHost: String = "api.example:8080",
    maxRedirects: Int = 10, timeLimit: Double? = nil, now: Double = 0
  ) -> RedirectState {
    RedirectState(url: url, credentialHost: credentialHost, maxRedirects: maxRedirects, timeLimit: timeLimit, now: now)
  }

  /// The request `state` sends next, or why it refuses to: one hop of `status` to `target`.
  func hop(
    _ state: inout RedirectState, _ request: HTTPRequest, _ status: Int, to target: String, now: Double = 0
  ) -> Result<HTTPRequest, TransportFailure> {
    do throws(TransportFailure) {
      return .success(try state.follow(request, status: status, to: target, now: now))
    } catch {
      return .failure(error)
    }
  }

  func refusal(_ result: Result<HTTPRequest, TransportFailure>) -> TransportFailure? {
    if case .failure(let failure) = result { return failure }
    return nil
  }

  func followed(_ result: Result<HTTPRequest, TransportFailure>) -> HTTPRequest? {
    if case .success(let request) = result { return request }
    return nil
  }

  @Test func onlyTheFiveRedirectStatusesAreFollowed() {
    for status in [301, 302, 303, 307, 308] { #expect(RedirectState.isRedirect(status), "\(status)") }
    for status in [200, 204, 300, 304, 305, 306, 309, 399, 401] {
      #expect(!RedirectState.isRedirect(status), "\(status)")
    }
  }

  /// What each redirect status does to each method: 303 makes any method a GET without a body;
  /// 301 and 302 do that to a POST alone; 307 and 308 keep method and body.
  @Test(arguments: [
    (301, "POST", "GET", false), (301, "PUT", "PUT", true), (301, "DELETE", "DELETE", true), (301, "GET", "GET", true),
    (301, "HEAD", "HEAD", true),
    (302, "POST", "GET", false), (302, "PUT", "PUT", true), (302, "PATCH", "PATCH", true), (302, "GET", "GET", true),
    (303, "POST", "GET", false), (303, "PUT", "GET", false), (303, "DELETE", "GET", false), (303, "HEAD", "GET", false),
    (303, "GET", "GET", false),
    (307, "POST", "POST", true), (307, "PUT", "PUT", true), (307, "DELETE", "DELETE", true),
    (308, "POST", "POST", true), (308, "PATCH", "PATCH", true), (308, "GET", "GET", true),
  ])
  func eachStatusKeepsOrChangesTheMethod(_ status: Int, _ method: String, _ after: String, _ keepsBody: Bool) throws {
    var state = chain()
    let body: [UInt8] = Array(#"{"a":1}"#.utf8)
    let request = HTTPRequest(
      method: method, url: "http://api.example:8080/jobs/1", headers: [HTTPHeader("Content-Type", "application/json")],
      body: body)
    let next = try #require(followed(hop(&state, request, status, to: "http://api.example:8080/v2/jobs/1")))
    #expect(next.method == after)
    #expect(next.body == (keepsBody ? body : nil))
    #expect(next.url == "http://api.example:8080/v2/jobs/1")
    #expect(next.headers == request.headers, "headers are dropped where the hop is sent, not here")
    #expect(state.redirects == 1)
  }

  @Test func aGetWithoutABodyStaysOne() throws {
    var state = chain()
    let next = try #require(
      followed(hop(&state, HTTPRequest(url: "http://api.example:8080/jobs/1"), 302, to: "http://api.example:8080/a")))
    #expect(next.method == "GET")
    #expect(next.body == nil)
  }

  @Test func credentialHeadersGoOnlyToTheirHost() {
    let state = chain()
    let request = HTTPRequest(
      url: "http://api.example:8080/jobs/1",
      headers: [
        HTTPHeader("Authorization", "Bearer t"), HTTPHeader("X-Api-Key", "k"), HTTPHeader("Cookie", "a=b"),
        HTTPHeader("Proxy-Authorization", "Basic x"), HTTPHeader("X-Auth-Token", "t2"),
        HTTPHeader("Idempotency-Key", "idem-1"), HTTPHeader("X-Plain", "p"),
      ])
    let home = state.outgoing(request, hostKey: "api.example:8080")
    #expect(home.home)
    #expect(home.request.headers == request.headers)
    // Another port, another name for the same address, another scheme's default port, a URL that
    // cannot be read: all elsewhere.
    for hostKey in ["api.example:8081", "127.0.0.1:8080", "api.example:443", "other.example:8080", nil] {
      let away = state.outgoing(request, hostKey: hostKey)
      #expect(!away.home, "\(hostKey ?? "nil")")
      #expect(away.request.headers == [HTTPHeader("Idempotency-Key", "idem-1"), HTTPHeader("X-Plain", "p")])
      #expect(away.request.url == request.url && away.request.method == request.method)
    }
  }

  /// The transfer keeps the request with its credentials: a chain that leaves the host and comes
  /// back sends them there again, and never elsewhere.
  @Test func aChainThatComesHomeSendsCredentialsAgain() throws {
    var state = chain()
    let first = HTTPRequest(url: "http://api.example:8080/jobs/1", headers: [HTTPHeader("Authorization", "Bearer t")])
    let away = try #require(followed(hop(&state, first, 302, to: "http://cdn.example/jobs/1")))
    #expect(state.outgoing(away, hostKey: "cdn.example:80").request.headers.isEmpty)
    let back = try #require(followed(hop(&state, away, 302, to: "http://api.example:8080/v2/jobs/1")))
    let sent = state.outgoing(back, hostKey: "api.example:8080")
    #expect(sent.home)
    #expect(sent.request.headers == [HTTPHeader("Authorization", "Bearer t")])
  }

  /// A signature goes only to the credentials' host, and after a redirect only at the first URL's
  /// scheme (the same `host:port` over another scheme is not where the keys were meant for).
  @Test func signingStaysAtTheFirstSchemeHostAndPort() throws {
    var state = chain("http://api.example:8080/jobs/1")
    #expect(state.signs("http://api.example:8080/jobs/1", home: true))
    #expect(!state.signs("http://api.example:8080/jobs/1", home: false))
    // Before any redirect the scheme is not even compared.
    #expect(state.signs("https://api.example:8080/jobs/1", home: true))
    let request = HTTPRequest(url: "http://api.example:8080/jobs/1")
    let next = try #require(followed(hop(&state, request, 307, to: "https://api.example:8080/jobs/1")))
    #expect(!state.signs(next.url, home: true))
    #expect(state.signs("http://api.example:8080/other", home: true))
    #expect(!state.signs("http://other.example:8080/other", home: false))
  }

  @Test func atMostTheLimitIsFollowed() throws {
    var state = chain(maxRedirects: 2)
    var request = HTTPRequest(url: "http://api.example:8080/jobs/1")
    request = try #require(followed(hop(&state, request, 302, to: "http://api.example:8080/a")))
    request = try #require(followed(hop(&state, request, 302, to: "http://api.example:8080/b")))
    #expect(state.redirects == 2)
    let third = refusal(hop(&state, request, 302, to: "http://api.example:8080/c"))
    #expect(third == TransportFailure(.tooManyRedirects(limit: 2)))
    #expect(third?.kind == .redirect)
    #expect(third?.message == "more than 2 redirects")
  }

  @Test func aLimitOfZeroFollowsNone() {
    var state = chain(maxRedirects: 0)
    let request = HTTPRequest(url: "http://api.example:8080/jobs/1")
    #expect(
      refusal(hop(&state, request, 301, to: "http://api.example:8080/a"))
        == TransportFailure(.tooManyRedirects(limit: 0)))
    // The limit is checked first: even an unusable target reads as one redirect too many.
    #expect(refusal(hop(&state, request, 301, to: "ftp://x/")) == TransportFailure(.tooManyRedirects(limit: 0)))
  }

  @Test func aURLVisitedBeforeIsALoop() throws {
    var state = chain()
    let start = HTTPRequest(url: "http://api.example:8080/a")
    let b = try #require(followed(hop(&state, start, 302, to: "http://api.example:8080/b")))
    let loop = refusal(hop(&state, b, 302, to: "http://api.example:8080/a"))
    #expect(loop == TransportFailure(.redirectLoop(url: "http://api.example:8080/a")))
    #expect(loop?.kind == .redirect)
    #expect(state.visited == ["http://api.example:8080/a", "http://api.example:8080/b"])
  }

  @Test(arguments: [301, 302, 307, 308])
  func aRedirectToItselfIsALoop(_ status: Int) {
    var state = chain()
    let request = HTTPRequest(url: "http://api.example:8080/jobs/1")
    #expect(
      refusal(hop(&state, request, status, to: "http://api.example:8080/jobs/1"))
        == TransportFailure(.redirectLoop(url: "http://api.example:8080/jobs/1")))
  }

  /// POST-redirect-GET may go back where the POST went; a chain of 303s still ends at the limit.
  @Test func a303MayGoBackToAVisitedURL() throws {
    var state = chain(maxRedirects: 3)
    let post = HTTPRequest(method: "POST", url: "http://api.example:8080/jobs", body: [0x7B, 0x7D])
    var get = try #require(followed(hop(&state, post, 303, to: "http://api.example:8080/jobs")))
    #expect(get.method == "GET" && get.body == nil && get.url == "http://api.example:8080/jobs")
    get = try #require(followed(hop(&state, get, 303, to: "http://api.example:8080/jobs")))
    get = try #require(followed(hop(&state, get, 303, to: "http://api.example:8080/jobs")))
    #expect(
      refusal(hop(&state, get, 303, to: "http://api.example:8080/jobs"))
        == TransportFailure(.tooManyRedirects(limit: 3)))
  }

  @Test(arguments: [
    "ftp://api.example/jobs/1", "file:///etc/passwd", "http://", "http://api.example:99999/x", "http://api.example:0/x",
    "http://api example/x", "http://a:b:/x", "/relative/only", "",
  ])
  func aTargetThatIsNoHTTPURLIsRefused(_ target: String) {
    var state = chain()
    let failure = refusal(hop(&state, HTTPRequest(url: "http://api.example:8080/jobs/1"), 302, to: target))
    #expect(failure == TransportFailure(.unusableRedirect(url: target)))
    #expect(failure?.kind == .redirect)
    #expect(state.redirects == 0)
  }

  @Test func httpsNeverGoesDownToHTTP() throws {
    var state = chain("https://api.example/jobs/1", credentialHost: "api.example:443")
    let request = HTTPRequest(url: "https://api.example/jobs/1")
    let down = refusal(hop(&state, request, 301, to: "HTTP://Other.Example:8080/jobs/1"))
    #expect(down == TransportFailure(.insecureRedirect(origin: "http://other.example:8080")))
    #expect(down?.message == "refused a redirect from https to http (http://other.example:8080)")
    // https to https, and http up to https, are followed.
    var up = chain()
    let secure = try #require(
      followed(hop(&up, HTTPRequest(url: "http://api.example:8080/jobs/1"), 302, to: "https://api.example/jobs/1")))
    #expect(followed(hop(&up, secure, 302, to: "https://cdn.example/jobs/1"))?.url == "https://cdn.example/jobs/1")
    // The downgrade is judged from the hop's own URL, not the first one.
    #expect(
      refusal(hop(&up, secure, 302, to: "http://api.example:8080/x"))
        == TransportFailure(.insecureRedirect(origin: "http://api.example:8080")))
  }

  /// Redirects share the request's time limit: each hop gets what is left, and none goes once
  /// all but a millisecond is used.
  @Test func hopsShareTheTimeLimit() throws {
    var state = chain(timeLimit: 1, now: 100)
    #expect(state.deadline == 101)
    var request = HTTPRequest(url: "http://api.example:8080/jobs/1")
    request = try #require(followed(hop(&state, request, 302, to: "http://api.example:8080/a", now: 100.25)))
    #expect(request.timeout == 0.75)
    request = try #require(followed(hop(&state, request, 302, to: "http://api.example:8080/b", now: 100.5)))
    #expect(request.timeout == 0.5)
    let late = refusal(hop(&state, request, 302, to: "http://api.example:8080/c", now: 100.9995))
    #expect(late == TransportFailure(.redirectsTimedOut(limit: 1)))
    #expect(late?.timedOut == true && late?.kind == .transient)
  }

  /// Without a time limit (a download under a stall limit) no clock is read and no hop gets one.
  @Test func noTimeLimitReadsNoClock() throws {
    var reads = 0
    func clock() -> Double {
      reads += 1
      return 5
    }
    var state = RedirectState(
      url: "http://api.example:8080/f", credentialHost: "api.example:8080", maxRedirects: 10, timeLimit: nil,
      now: clock())
    #expect(state.deadline == .infinity)
    let next = try state.follow(
      HTTPRequest(url: "http://api.example:8080/f"), status: 302, to: "http://cdn.example/f", now: clock())
    #expect(next.timeout == nil)
    #expect(reads == 0)
    let timed = RedirectState(
      url: "http://api.example:8080/f", credentialHost: "api.example:8080", maxRedirects: 10, timeLimit: 2, now: clock()
    )
    #expect(timed.deadline == 7 && reads == 1)
  }
}
