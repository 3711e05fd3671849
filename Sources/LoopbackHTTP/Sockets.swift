import Glibc
import SystemCalls

/// A failed socket call while setting up the server.
public struct LoopbackServerError: Error, CustomStringConvertible {
  /// The call that failed, such as `bind`.
  public let operation: String
  /// The errno it left.
  public let code: Int32

  public var description: String {
    "LoopbackServer: \(operation) failed: \(SystemCall.errorText(code)) (errno \(code))"
  }
}

/// Low-level socket helpers; every descriptor they create is close-on-exec so that processes
/// spawned by a test never inherit (and keep alive) the server's sockets.
enum Socket {
  /// Opens a listening socket on 127.0.0.1:`port` and returns it with the port actually bound.
  static func listen(port: UInt16) throws -> (fd: Int32, port: UInt16) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw LoopbackServerError(operation: "socket", code: errno) }
    var on: Int32 = 1
    // SO_REUSEADDR lets a restarted server bind while old connections sit in TIME_WAIT.
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr = in_addr(s_addr: UInt32(0x7f00_0001).bigEndian)
    try bindAndListen(fd, &address, place: "127.0.0.1:\(port)")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else {
      let code = errno
      close(fd)
      throw LoopbackServerError(operation: "getsockname", code: code)
    }
    return (fd, UInt16(bigEndian: address.sin_port))
  }

  /// Opens a listening UNIX stream socket at `path`, replacing a socket file left there (nothing
  /// else is removed: a regular file at `path` makes `bind` fail).
  static func listen(unixPath path: String) throws -> Int32 {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard !bytes.isEmpty, bytes.count < capacity else {
      throw LoopbackServerError(operation: "bind to \(path) (the path is empty or too long)", code: ENAMETOOLONG)
    }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (i, byte) in bytes.enumerated() { raw[i] = byte }
      raw[bytes.count] = 0
    }
    var info = stat()
    if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK { unlink(path) }
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw LoopbackServerError(operation: "socket", code: errno) }
    try bindAndListen(fd, &address, place: path)
    return fd
  }

  /// Binds `fd` to `address` (a `sockaddr_in` or `sockaddr_un`) and listens; on failure closes
  /// `fd` and throws, naming `place`.
  private static func bindAndListen<Address>(_ fd: Int32, _ address: inout Address, place: String) throws {
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<Address>.size))
      }
    }
    guard bound == 0 else {
      let code = errno
      close(fd)
      throw LoopbackServerError(operation: "bind to \(place)", code: code)
    }
    guard Glibc.listen(fd, 128) == 0 else {
      let code = errno
      close(fd)
      throw LoopbackServerError(operation: "listen", code: code)
    }
  }

  /// Accepts one connection with close-on-exec set; -1 with errno on failure.
  static func accept(_ listener: Int32) -> Int32 {
    let fd: Int32
    if let accept4 = accept4Function {
      fd = accept4(listener, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
    } else {
      // Without accept4 a fork between these two calls could leak the descriptor; rare enough.
      fd = Glibc.accept(listener, nil, nil)
      if fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    }
    if fd >= 0 {
      var on: Int32 = 1
      // Fault replies write in pieces; Nagle would otherwise hold the pieces back.
      setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }
    return fd
  }

  /// Writes all of `bytes`, retrying short writes; false once the peer or `stop()` broke it.
  @discardableResult
  static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
      let sent = SystemCall.retryingEINTR {
        bytes.withUnsafeBytes { buffer in
          // MSG_NOSIGNAL: a client that hung up must not kill the test process with SIGPIPE.
          send(fd, buffer.baseAddress.map { $0 + offset }, bytes.count - offset, Int32(MSG_NOSIGNAL))
        }
      }
      if sent < 0 { return false }
      offset += sent
    }
    return true
  }

  /// Arms SO_LINGER with a zero timeout so that the next `close` sends RST instead of FIN.
  static func armReset(_ fd: Int32) {
    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
  }
}

/// glibc's accept4, looked up at run time because Swift's Glibc module hides GNU extensions.
private let accept4Function: Accept4? = {
  guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "accept4") else {
    return nil
  }
  return unsafeBitCast(symbol, to: Accept4.self)
}()

private typealias Accept4 =
  @convention(c) (
    Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32
  ) -> Int32

/// Runs `body` on a new detached pthread; false when the thread could not be created.
func spawnThread(_ body: @escaping @Sendable () -> Void) -> Bool {
  let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
  var attributes = pthread_attr_t()
  pthread_attr_init(&attributes)
  defer { pthread_attr_destroy(&attributes) }
  pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
  var thread = pthread_t()
  let created = pthread_create(
    &thread, &attributes,
    { raw in
      guard let raw else { return nil }
      Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue().body()
      return nil
    }, context)
  if created != 0 {
    Unmanaged<ThreadBody>.fromOpaque(context).release()
    return false
  }
  return true
}

/// Carries a thread's closure through pthread_create's untyped context pointer.
private final class ThreadBody {
  let body: @Sendable () -> Void
  init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
