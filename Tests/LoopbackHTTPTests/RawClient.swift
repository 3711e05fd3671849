import Glibc
import LoopbackHTTP

/// A blocking TCP client for tests, so they see exactly the bytes and socket errors a client sees.
///
/// Every read has a receive timeout, so a server bug fails a test instead of hanging it.
final class RawClient {
  private(set) var fd: Int32
  private var buffer: [UInt8] = []

  /// What a read ended with when it could not deliver what was asked.
  enum ReadEnd: Equatable {
    case eof
    case error(Int32)
  }

  /// The outcome of reading one response.
  struct Response {
    var status: Int
    var reason: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
      headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
  }

  /// Connects to 127.0.0.1:`port`; throws the errno on failure.
  init(port: UInt16, timeout: Double = 5) throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ClientError.errno(errno) }
    var limit = timeval(
      tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr = in_addr(s_addr: UInt32(0x7f00_0001).bigEndian)
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      let code = errno
      // Closed here and marked, because a class whose init throws after its properties are set
      // still runs deinit: closing twice closed whatever descriptor took the number meanwhile (in
      // a parallel test, another server's listener, whose clients were then refused).
      close(fd)
      fd = -1
      throw ClientError.errno(code)
    }
  }

  deinit { if fd >= 0 { close(fd) } }

  enum ClientError: Error, Equatable {
    case errno(Int32)
    case ended(ReadEnd)
    case malformed(String)
  }

  func send(_ text: String) throws {
    try send(Array(text.utf8))
  }

  func send(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes.withUnsafeBytes {
        Glibc.send(
          fd, $0.baseAddress.map { $0 + offset }, bytes.count - offset, Int32(MSG_NOSIGNAL))
      }
      guard sent >= 0 else { throw ClientError.errno(errno) }
      offset += sent
    }
  }

  /// Receives once into the buffer; nil on success, else how the stream ended.
  @discardableResult
  func fill() -> ReadEnd? {
    var chunk = [UInt8](repeating: 0, count: 65_536)
    let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    if received > 0 {
      buffer += chunk[..<received]
      return nil
    }
    return received == 0 ? .eof : .error(errno)
  }

  /// Reads until the stream ends; returns everything received (buffered included) and the ending.
  func readToEnd() -> (bytes: [UInt8], end: ReadEnd) {
    while true {
      if let end = fill() {
        let bytes = buffer
        buffer = []
        return (bytes, end)
      }
    }
  }

  /// Reads until `marker` appears; returns the bytes up to and including it.
  func read(until marker: String) throws -> [UInt8] {
    let needle = Array(marker.utf8)
    while true {
      if let range = firstRange(of: needle) {
        let bytes = Array(buffer[..<range])
        buffer.removeFirst(range)
        return bytes
      }
      if let end = fill() { throw ClientError.ended(end) }
    }
  }

  func read(count: Int) throws -> [UInt8] {
    while buffer.count < count {
      if let end = fill() { throw ClientError.ended(end) }
    }
    let bytes = Array(buffer[..<count])
    buffer.removeFirst(count)
    return bytes
  }

  /// Reads one Content-Length-framed response (no body for HEAD-like `bodyless` reads).
  func readResponse(bodyless: Bool = false) throws -> Response {
    let head = String(decoding: try read(until: "\r\n\r\n"), as: UTF8.self)
    var lines = head.split(separator: "\r\n").map(String.init)
    guard !lines.isEmpty else { throw ClientError.malformed(head) }
    let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
    guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
      throw ClientError.malformed(head)
    }
    let headers = lines.map { line -> (name: String, value: String) in
      let parts = line.split(separator: ":", maxSplits: 1)
      return (String(parts[0]), parts.count > 1 ? String(parts[1].drop { $0 == " " }) : "")
    }
    var response = Response(
      status: status, reason: statusLine.count > 2 ? String(statusLine[2]) : "",
      headers: headers, body: [])
    if !bodyless, let length = response.header("Content-Length").flatMap({ Int($0) }) {
      response.body = try read(count: length)
    }
    return response
  }

  /// Sends a request with a correct Content-Length and reads its response.
  func request(
    _ method: String, _ target: String, headers: [String] = [], body: String? = nil
  ) throws -> Response {
    var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    for header in headers { text += header + "\r\n" }
    if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
    text += "\r\n" + (body ?? "")
    try send(text)
    return try readResponse(bodyless: method == "HEAD")
  }

  private func firstRange(of needle: [UInt8]) -> Int? {
    guard buffer.count >= needle.count else { return nil }
    for start in 0...(buffer.count - needle.count) where buffer[start] == needle[0] {
      if Array(buffer[start..<(start + needle.count)]) == needle { return start + needle.count }
    }
    return nil
  }
}

/// Seconds elapsed while running `body`, on the server's clock.
func timed(_ body: () throws -> Void) rethrows -> Double {
  let start = LoopbackServer.monotonicNow()
  try body()
  return LoopbackServer.monotonicNow() - start
}
