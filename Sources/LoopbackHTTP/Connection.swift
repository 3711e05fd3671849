import Glibc
import SystemCalls

/// One accepted connection: reads requests, logs them, answers them, until either side closes.
struct Connection {
  /// Largest request head accepted; a bigger one gets 431 and the connection closes.
  static let headLimit = 64 * 1024
  /// Largest request body accepted; a bigger one gets 413 and the connection closes.
  static let bodyLimit = 64 * 1024 * 1024

  let fd: Int32
  let id: Int
  let core: ServerCore
  private var buffer: [UInt8] = []
  private var start = 0

  init(fd: Int32, id: Int, core: ServerCore) {
    self.fd = fd
    self.id = id
    self.core = core
  }

  /// Serves requests until the connection ends; returns true when it must end with RST.
  mutating func run() -> Bool {
    while !core.isStopped {
      guard let head = readHead() else { return false }
      let time = monotonicSeconds()
      guard let parsed = RequestHead(head) else {
        send(Reply.text(400, "malformed request\n"), head: nil, keepAlive: false)
        return false
      }
      if let expect = parsed.header("Expect"), expect.lowercased() == "100-continue",
        parsed.hasBody
      {
        // The client holds the body back until it sees this interim answer.
        guard Socket.sendAll(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return false }
      }
      let body: [UInt8]
      switch readBody(parsed) {
      case .success(let bytes): body = bytes
      case .failure(let status):
        if let status {
          send(Reply.text(status, "bad request body\n"), head: parsed, keepAlive: false)
        }
        return false
      }
      let request = Request(
        method: parsed.method, target: parsed.target, headers: parsed.headers, body: body,
        connectionID: id, time: time)
      core.record(request)
      let reply = core.reply(for: request)
      if reply.delay > 0, !core.pause(reply.delay) { return false }
      switch answer(reply, head: parsed) {
      case .keepOpen: continue
      case .close: return false
      case .reset: return true
      }
    }
    return false
  }

  // MARK: Answering

  private enum Ending { case keepOpen, close, reset }

  private func answer(_ reply: Reply, head: RequestHead) -> Ending {
    let wantsClose =
      !head.keepAlive
      || reply.headers.contains {
        $0.name.lowercased() == "connection" && $0.value.lowercased() == "close"
      }
    guard let fault = reply.fault else {
      return send(reply, head: head, keepAlive: !wantsClose) && !wantsClose ? .keepOpen : .close
    }
    switch fault {
    case .resetBeforeStatus:
      return .reset
    case .resetInHeaders:
      let status = Array("HTTP/1.1 \(reply.status) \(reasonPhrase(reply.status))\r\n".utf8)
      let head = responseHead(reply, extra: [("Content-Length", "\(reply.body.count)")])
      // Half of the header lines, never the blank line: the client sees a head that never ends.
      let fields = head.dropFirst(status.count).dropLast(2)
      _ = Socket.sendAll(fd, status + fields.prefix(max(1, fields.count / 2)))
      return .reset
    case .resetInBody:
      let full = serialize(reply, head: head, keepAlive: false)
      let headLength = full.count - reply.body.count
      _ = Socket.sendAll(fd, Array(full[..<(headLength + reply.body.count / 2)]))
      return .reset
    case .shortBody:
      var shorted = reply
      shorted.headers.removeAll { $0.name.lowercased() == "content-length" }
      let promised = reply.body.count * 2 + 16
      let head = responseHead(
        shorted, extra: [("Content-Length", "\(promised)"), ("Connection", "close")])
      _ = Socket.sendAll(fd, head + reply.body)
      return .close
    case .stallInHeaders:
      let status = "HTTP/1.1 \(reply.status) \(reasonPhrase(reply.status))\r\n"
      if Socket.sendAll(fd, Array(status.utf8)) { core.waitForStop() }
      return .close
    case .stallInBody:
      let full = serialize(reply, head: head, keepAlive: false)
      let headLength = full.count - reply.body.count
      if Socket.sendAll(fd, Array(full[..<(headLength + reply.body.count / 2)])) { core.waitForStop() }
      return .close
    case .dribble(let pieces, let every):
      let full = serialize(reply, head: head, keepAlive: false)
      let headLength = full.count - reply.body.count
      guard Socket.sendAll(fd, Array(full[..<headLength])) else { return .close }
      let size = max(1, (reply.body.count + pieces - 1) / max(1, pieces))
      var offset = headLength
      while offset < full.count {
        if offset > headLength, !core.pause(every) { return .close }
        let end = min(full.count, offset + size)
        guard Socket.sendAll(fd, Array(full[offset..<end])) else { return .close }
        offset = end
      }
      return .close
    case .hang:
      core.waitForStop()
      return .close
    case .closeAfterReply:
      send(reply, head: head, keepAlive: false)
      return .close
    case .raw(let bytes):
      _ = Socket.sendAll(fd, bytes)
      return .close
    case .rawThenStall(let bytes):
      if Socket.sendAll(fd, bytes) { core.waitForStop() }
      return .close
    }
  }

  /// Sends a complete normal response; false when the socket broke.
  @discardableResult
  private func send(_ reply: Reply, head: RequestHead?, keepAlive: Bool) -> Bool {
    Socket.sendAll(fd, serialize(reply, head: head, keepAlive: keepAlive))
  }

  /// The full response bytes with a correct Content-Length and, when closing, `Connection: close`.
  private func serialize(_ reply: Reply, head: RequestHead?, keepAlive: Bool) -> [UInt8] {
    var extra: [(name: String, value: String)] = []
    if !reply.forbidsBody { extra.append(("Content-Length", "\(reply.body.count)")) }
    let hasConnection = reply.headers.contains { $0.name.lowercased() == "connection" }
    if !keepAlive && !hasConnection { extra.append(("Connection", "close")) }
    let sendsBody = !reply.forbidsBody && head?.method != "HEAD"
    return responseHead(reply, extra: extra) + (sendsBody ? reply.body : [])
  }

  /// Status line and headers; the reply's own length headers give way to `extra`.
  private func responseHead(_ reply: Reply, extra: [(name: String, value: String)]) -> [UInt8] {
    var text = "HTTP/1.1 \(reply.status) \(reasonPhrase(reply.status))\r\n"
    for field in reply.headers {
      let name = field.name.lowercased()
      if name == "content-length" || name == "transfer-encoding" { continue }
      text += "\(field.name): \(field.value)\r\n"
    }
    for field in extra { text += "\(field.name): \(field.value)\r\n" }
    text += "\r\n"
    return Array(text.utf8)
  }

  // MARK: Reading

  /// Reads up to the blank line ending a request head; nil on EOF, error, stop or oversize.
  private mutating func readHead() -> [UInt8]? {
    var searched = start
    while true {
      // RFC 9112 section 2.2: ignore empty lines before a request line.
      while buffer.count - start >= 2, buffer[start] == 13, buffer[start + 1] == 10 {
        start += 2
        searched = max(searched, start)
      }
      if buffer.count - start >= 4 {
        var index = max(start, searched - 3)
        while index + 3 < buffer.count {
          if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13,
            buffer[index + 3] == 10
          {
            let head = Array(buffer[start..<index])
            start = index + 4
            return head
          }
          index += 1
        }
        searched = buffer.count
      }
      if buffer.count - start > Connection.headLimit {
        send(Reply.text(431, "request head too large\n"), head: nil, keepAlive: false)
        return nil
      }
      // fill() may compact the buffer, so remember the scan position relative to `start`.
      let scanned = searched - start
      guard fill() else { return nil }
      searched = start + scanned
    }
  }

  private enum BodyResult {
    case success([UInt8])
    /// The body could not be read; a status to answer with, or nil to just close.
    case failure(Int?)
  }

  private mutating func readBody(_ head: RequestHead) -> BodyResult {
    if head.isChunked { return readChunked() }
    guard let length = head.contentLength else { return .failure(400) }
    if length > Connection.bodyLimit { return .failure(413) }
    guard let bytes = read(count: length) else { return .failure(nil) }
    return .success(bytes)
  }

  private mutating func readChunked() -> BodyResult {
    var body: [UInt8] = []
    while true {
      guard let line = readLine() else { return .failure(nil) }
      let sizeText = String(decoding: line, as: UTF8.self).prefix { $0 != ";" }
        .trimmingSpaces
      guard let size = Int(sizeText, radix: 16), size >= 0 else { return .failure(400) }
      if size == 0 { break }
      if body.count + size > Connection.bodyLimit { return .failure(413) }
      guard let chunk = read(count: size), let end = readLine(), end.isEmpty else {
        return .failure(nil)
      }
      body += chunk
    }
    // Trailer fields, ignored, up to the empty line.
    while true {
      guard let line = readLine() else { return .failure(nil) }
      if line.isEmpty { return .success(body) }
    }
  }

  /// One CRLF-terminated line without its terminator; nil on EOF or an overlong line.
  private mutating func readLine() -> [UInt8]? {
    while true {
      if let newline = buffer[start...].firstIndex(of: 10) {
        var end = newline
        if end > start, buffer[end - 1] == 13 { end -= 1 }
        let line = Array(buffer[start..<end])
        start = newline + 1
        return line
      }
      if buffer.count - start > Connection.headLimit { return nil }
      guard fill() else { return nil }
    }
  }

  private mutating func read(count: Int) -> [UInt8]? {
    while buffer.count - start < count {
      guard fill() else { return nil }
    }
    let bytes = Array(buffer[start..<(start + count)])
    start += count
    return bytes
  }

  /// Appends whatever the socket has; false on EOF, error or shutdown by `stop()`.
  private mutating func fill() -> Bool {
    if start > 0 && start == buffer.count {
      buffer.removeAll(keepingCapacity: true)
      start = 0
    } else if start > 65_536 {
      buffer.removeFirst(start)
      start = 0
    }
    var chunk = [UInt8](repeating: 0, count: 65_536)
    let received = SystemCall.retryingEINTR { chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } }
    guard received > 0 else { return false }
    buffer.append(contentsOf: chunk[..<received])
    return true
  }
}

/// The parsed request line and header fields of one request.
struct RequestHead {
  let method: String
  let target: String
  let version: String
  let headers: [(name: String, value: String)]

  /// Parses a head (without its final blank line); nil when it is not HTTP/1.x.
  init?(_ bytes: [UInt8]) {
    // Split on bytes: as Characters, "\r\n" is one grapheme and would never match "\n".
    var lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map {
      String(decoding: $0.last == 13 ? $0.dropLast() : $0, as: UTF8.self)
    }
    guard !lines.isEmpty else { return nil }
    let parts = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
    guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else { return nil }
    method = String(parts[0])
    target = String(parts[1])
    version = String(parts[2])
    var fields: [(name: String, value: String)] = []
    for line in lines {
      if let first = line.first, first == " " || first == "\t", let last = fields.popLast() {
        // Obsolete line folding: the line continues the previous value.
        fields.append((last.name, last.value + " " + String(line).trimmingSpaces))
        continue
      }
      guard let colon = line.firstIndex(of: ":") else { return nil }
      let name = String(line[..<colon])
      guard !name.isEmpty, !name.contains(" ") else { return nil }
      fields.append((name, String(line[line.index(after: colon)...]).trimmingSpaces))
    }
    headers = fields
  }

  func header(_ name: String) -> String? {
    let wanted = name.lowercased()
    return headers.first { $0.name.lowercased() == wanted }?.value
  }

  var isChunked: Bool {
    header("Transfer-Encoding")?.lowercased().contains("chunked") ?? false
  }

  /// The declared body length: 0 when absent, nil when malformed.
  var contentLength: Int? {
    guard let value = header("Content-Length") else { return 0 }
    guard let length = Int(value), length >= 0 else { return nil }
    return length
  }

  var hasBody: Bool { isChunked || (contentLength ?? 0) > 0 }

  /// HTTP/1.1 is persistent unless the client says `close`; HTTP/1.0 only with `keep-alive`.
  var keepAlive: Bool {
    let tokens = (header("Connection") ?? "").lowercased().split(separator: ",").map {
      String($0).trimmingSpaces
    }
    if tokens.contains("close") { return false }
    return version != "HTTP/1.0" || tokens.contains("keep-alive")
  }
}

extension StringProtocol {
  /// The text without leading and trailing spaces and tabs.
  var trimmingSpaces: String {
    let scalars = unicodeScalars
    guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
      let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
    else { return "" }
    var result = String.UnicodeScalarView()
    result.append(contentsOf: scalars[first...last])
    return String(result)
  }
}
