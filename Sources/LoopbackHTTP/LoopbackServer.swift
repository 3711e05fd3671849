/// A real HTTP/1.1 server on 127.0.0.1 for end-to-end tests, answering from scripts or a handler.
///
/// Each accepted connection gets its own thread and stays open between requests (keep-alive)
/// unless the client sends `Connection: close`. Every request is logged before it is answered, so
/// a test can synchronise on `waitForRequests(_:timeout:)` instead of sleeping. Nothing blocks
/// past `stop()`: hung or delayed replies end at once, and the port can be bound again right away.
public final class LoopbackServer: Sendable {
  /// The port actually bound (the ephemeral one when 0 was asked for).
  public let port: UInt16
  private let core: ServerCore

  /// Binds 127.0.0.1:`port` (0 = ephemeral) with SO_REUSEADDR and starts accepting at once.
  ///
  /// - Throws: `LoopbackServerError` when the port cannot be bound.
  public init(port: UInt16 = 0) throws {
    core = try ServerCore(port: port)
    self.port = core.port
  }

  /// Listens on a UNIX socket at `path` instead of a port (`port` is 0).
  ///
  /// The socket file is removed when the server stops. Clients name any host in their URLs (curl `--unix-socket`).
  public init(unixSocket path: String) throws {
    core = try ServerCore(unixPath: path)
    self.port = 0
  }

  /// The UNIX socket listened on, nil for a port.
  public var unixSocket: String? { core.unixPath }

  deinit {
    core.stop()
  }

  /// Seconds on CLOCK_MONOTONIC: the time base of `Request.time`, for measuring against it.
  public static func monotonicNow() -> Double {
    monotonicSeconds()
  }

  /// `http://127.0.0.1:PORT`, without a trailing slash (`http://localhost` on a UNIX socket).
  public var baseURL: String { core.unixPath == nil ? "http://127.0.0.1:\(port)" : "http://localhost" }

  /// Scripts the answers for `method` and `target`, replacing any earlier script for the pair.
  ///
  /// `target` is matched first against the full request target (path, `?` and query) exactly,
  /// then against the path alone. Replies are used in order and the last one repeats forever; an
  /// empty list removes the script.
  public func script(_ method: String, _ target: String, _ replies: [Reply]) {
    core.script(method + " " + target, replies)
  }

  /// Scripts the answers for `GET target`; see `script(_:_:_:)`.
  public func script(_ target: String, _ replies: [Reply]) {
    script("GET", target, replies)
  }

  /// Sets the answer for requests no script matches.
  ///
  /// The default answers 404 `{"error":"no script for METHOD TARGET"}`. The handler runs on the
  /// connection's thread, outside the server's lock, so it may be slow or use the server.
  public func setHandler(_ handler: @escaping @Sendable (Request) -> Reply) {
    core.setHandler(handler)
  }

  /// Makes this server a forward proxy in front of `origin`, for testing clients' proxy support.
  ///
  /// A request in absolute form (`GET http://127.0.0.1:PORT/jobs/1 HTTP/1.1`) is logged here as
  /// it came, then handed to `origin` in origin form (`/jobs/1`) with every header as sent (a
  /// `Proxy-Authorization` too, as a careless proxy would pass it on), logged there and answered
  /// with `origin`'s reply. Anything else is answered 400.
  public func forward(to origin: LoopbackServer) {
    let core = origin.core
    setHandler { request in
      let target = Array(request.target.utf8)
      let scheme = Array("http://".utf8)
      guard target.count > scheme.count, target[..<scheme.count].elementsEqual(scheme) else {
        return .text(400, "not an absolute-form proxy request\n")
      }
      let pathStart = target[scheme.count...].firstIndex(of: UInt8(ascii: "/")) ?? target.count
      let path = pathStart < target.count ? String(decoding: target[pathStart...], as: UTF8.self) : "/"
      let forwarded = Request(
        method: request.method, target: path, headers: request.headers, body: request.body,
        connectionID: request.connectionID, time: request.time)
      core.record(forwarded)
      return core.reply(for: forwarded)
    }
  }

  /// A snapshot of every request received so far, in arrival order.
  public var requests: [Request] { core.requests }

  /// How many connections have been accepted so far.
  public var connectionCount: Int { core.connectionCount }

  /// Blocks until at least `count` requests were logged; false on timeout or after `stop()`.
  public func waitForRequests(_ count: Int, timeout: Double = 10) -> Bool {
    core.waitForRequests(count, timeout: timeout)
  }

  /// Closes the listener and every open connection, ending hung and delayed replies at once.
  ///
  /// Idempotent, and also run on deinit. Waits at most a few seconds for the server's threads.
  public func stop() {
    core.stop()
  }
}
