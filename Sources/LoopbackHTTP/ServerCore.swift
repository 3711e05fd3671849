import Glibc
import SystemCalls

/// The state shared by the accept thread, the connection threads and the public facade.
///
/// `LoopbackServer` only forwards to this object, so the threads never retain the facade and its
/// `deinit` can stop everything. All mutable state is guarded by `lock`.
final class ServerCore: @unchecked Sendable {
  /// Upper bound on how long `stop()` waits for threads to wind down.
  static let stopGrace = 3.0

  let port: UInt16
  let lock = ConditionLock()
  private var listener: Int32
  private var stopped = false
  private var log: [Request] = []
  private var accepted = 0
  private var openConnections: [Int: Int32] = [:]
  private var liveThreads = 0
  private var scripts: [String: Script] = [:]
  private var handler: @Sendable (Request) -> Reply = { request in
    let text = "no script for \(request.method) \(request.target)"
    return .json(404, SimJSON.obj(("error", .string(text))).text)
  }

  /// A script's replies and how many have been used.
  private struct Script {
    var replies: [Reply]
    var used = 0

    mutating func next() -> Reply {
      let reply = replies[min(used, replies.count - 1)]
      used += 1
      return reply
    }
  }

  /// The UNIX socket listened on instead of a port, removed when the server stops.
  let unixPath: String?

  init(port requested: UInt16) throws {
    let (fd, port) = try Socket.listen(port: requested)
    listener = fd
    self.port = port
    unixPath = nil
    try startAccepting(fd)
  }

  init(unixPath path: String) throws {
    let fd = try Socket.listen(unixPath: path)
    listener = fd
    port = 0
    unixPath = path
    try startAccepting(fd)
  }

  private func startAccepting(_ fd: Int32) throws {
    liveThreads = 1
    guard spawnThread({ [self] in acceptLoop() }) else {
      close(fd)
      throw LoopbackServerError(operation: "pthread_create", code: EAGAIN)
    }
  }

  // MARK: Facade operations

  func script(_ key: String, _ replies: [Reply]) {
    lock.withLock {
      if replies.isEmpty {
        scripts[key] = nil
      } else {
        scripts[key] = Script(replies: replies)
      }
    }
  }

  func setHandler(_ handler: @escaping @Sendable (Request) -> Reply) {
    lock.withLock { self.handler = handler }
  }

  var requests: [Request] { lock.withLock { log } }

  var connectionCount: Int { lock.withLock { accepted } }

  func waitForRequests(_ count: Int, timeout: Double) -> Bool {
    let deadline = monotonicSeconds() + max(0, timeout)
    return lock.withLock {
      while log.count < count && !stopped {
        if !lock.wait(until: deadline) { break }
      }
      return log.count >= count
    }
  }

  /// Wakes every thread and waits (bounded) until they have closed their sockets.
  func stop() {
    let deadline = monotonicSeconds() + ServerCore.stopGrace
    lock.withLock {
      if !stopped {
        stopped = true
        // shutdown (not close) wakes a blocked accept/recv/send without freeing the descriptor
        // number while its owner thread may still use it; each owner closes its own descriptor.
        if listener >= 0 { shutdown(listener, Int32(SHUT_RDWR)) }
        for fd in openConnections.values { shutdown(fd, Int32(SHUT_RDWR)) }
        lock.broadcast()
      }
      while liveThreads > 0 {
        if !lock.wait(until: deadline) { break }
      }
    }
  }

  // MARK: Threads

  private func acceptLoop() {
    while true {
      let fd = lock.withLock { stopped ? -1 : listener }
      if fd < 0 { break }
      let connection = SystemCall.retryingEINTR { Socket.accept(fd) }
      if connection < 0 {
        let code = errno
        if lock.withLock({ stopped }) { break }
        if code == ECONNABORTED { continue }
        // Out of descriptors or similar: back off briefly instead of spinning.
        lock.withLock { _ = lock.wait(until: monotonicSeconds() + 0.05) }
        continue
      }
      let id: Int? = lock.withLock {
        if stopped { return nil }
        accepted += 1
        openConnections[accepted] = connection
        liveThreads += 1
        return accepted
      }
      guard let id else {
        close(connection)
        break
      }
      if !spawnThread({ [self] in serve(id: id, fd: connection) }) {
        finishConnection(id: id, fd: connection, reset: false)
      }
    }
    lock.withLock {
      close(listener)
      listener = -1
      if let unixPath { unlink(unixPath) }
      liveThreads -= 1
      lock.broadcast()
    }
  }

  private func serve(id: Int, fd: Int32) {
    var connection = Connection(fd: fd, id: id, core: self)
    let reset = connection.run()
    finishConnection(id: id, fd: fd, reset: reset)
  }

  private func finishConnection(id: Int, fd: Int32, reset: Bool) {
    lock.withLock {
      openConnections[id] = nil
      if reset { Socket.armReset(fd) }
      close(fd)
      liveThreads -= 1
      lock.broadcast()
    }
  }

  // MARK: Used by connections

  var isStopped: Bool { lock.withLock { stopped } }

  /// Logs `request` and wakes `waitForRequests`; called before the reply is chosen.
  func record(_ request: Request) {
    lock.withLock {
      log.append(request)
      lock.broadcast()
    }
  }

  /// The scripted reply for `request` (full target first, then path), else the handler's.
  func reply(for request: Request) -> Reply {
    let handler: @Sendable (Request) -> Reply = lock.withLock {
      for key in [request.method + " " + request.target, request.method + " " + request.path] {
        if var script = scripts[key] {
          let reply = script.next()
          scripts[key] = script
          return { _ in reply }
        }
      }
      return self.handler
    }
    // The handler runs unlocked: it may be slow or call back into the server.
    return handler(request)
  }

  /// Sleeps `seconds` unless `stop()` comes first; true when the full time passed.
  func pause(_ seconds: Double) -> Bool {
    let deadline = monotonicSeconds() + seconds
    return lock.withLock {
      while !stopped {
        if !lock.wait(until: deadline) { return true }
      }
      return false
    }
  }

  /// Blocks until `stop()`.
  func waitForStop() {
    lock.withLock {
      while !stopped { _ = lock.wait(until: .infinity) }
    }
  }
}
