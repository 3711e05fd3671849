import Glibc
import LoopbackHTTP
import SystemCalls
import Testing

/// Each fault as a client sees it on the wire.
@Suite struct FaultTests {
  private func exchange(_ reply: Reply) throws -> (bytes: [UInt8], end: RawClient.ReadEnd) {
    let server = try LoopbackServer()
    server.script("/f", [reply])
    let client = try RawClient(port: server.port)
    try client.send("GET /f HTTP/1.1\r\nHost: x\r\n\r\n")
    return client.readToEnd()
  }

  @Test func resetBeforeStatusSendsNothingThenRST() throws {
    let (bytes, end) = try exchange(.fault(.resetBeforeStatus))
    #expect(bytes.isEmpty)
    #expect(end == .error(ECONNRESET))
  }

  @Test func resetInHeadersSendsAnUnfinishedHead() throws {
    let (bytes, end) = try exchange(.fault(.resetInHeaders))
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
    #expect(!text.contains("\r\n\r\n"))
    #expect(end == .error(ECONNRESET))
  }

  @Test func resetInBodySendsHalfTheBody() throws {
    let body = String(repeating: "x", count: 100)
    let (bytes, end) = try exchange(Reply(body: Array(body.utf8), fault: .resetInBody))
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.contains("Content-Length: 100\r\n"))
    let parts = text.split(separator: "\r\n\r\n", maxSplits: 1)
    #expect(parts.count == 2 && parts.last?.count == 50)
    #expect(end == .error(ECONNRESET))
  }

  @Test func shortBodyPromisesMoreThanItSendsThenFIN() throws {
    let server = try LoopbackServer()
    server.script("/f", [Reply(body: Array("0123456789".utf8), fault: .shortBody)])
    let client = try RawClient(port: server.port)
    try client.send("GET /f HTTP/1.1\r\nHost: x\r\n\r\n")
    let head = try client.read(until: "\r\n\r\n")
    let promised = String(decoding: head, as: UTF8.self).split(separator: "\r\n")
      .first { $0.lowercased().hasPrefix("content-length:") }
      .flatMap { Int($0.split(separator: " ").last ?? "") }
    let rest = client.readToEnd()
    #expect(rest.end == .eof)
    #expect(String(decoding: rest.bytes, as: UTF8.self) == "0123456789")
    #expect((promised ?? 0) > 10)
  }

  @Test func stallInHeadersSendsTheStatusLineUntilStop() throws {
    let server = try LoopbackServer()
    server.script("/f", [.fault(.stallInHeaders)])
    let client = try RawClient(port: server.port)
    try client.send("GET /f HTTP/1.1\r\nHost: x\r\n\r\n")
    let line = try client.read(until: "\r\n")
    #expect(String(decoding: line, as: UTF8.self) == "HTTP/1.1 200 OK\r\n")
    #expect(timed { server.stop() } < 1)
    #expect(client.readToEnd() == ([], .eof))
  }

  @Test func stallInBodySendsHalfTheBodyUntilStop() throws {
    let server = try LoopbackServer()
    server.script("/f", [Reply(body: Array(String(repeating: "y", count: 100).utf8), fault: .stallInBody)])
    let client = try RawClient(port: server.port, timeout: 0.2)
    try client.send("GET /f HTTP/1.1\r\nHost: x\r\n\r\n")
    let head = String(decoding: try client.read(until: "\r\n\r\n"), as: UTF8.self)
    #expect(head.contains("Content-Length: 100\r\n"))
    #expect(try client.read(count: 50) == Array(String(repeating: "y", count: 50).utf8))
    // Held open with nothing more: the receive timeout, not EOF.
    let end = client.readToEnd()
    #expect(end.bytes.isEmpty && (end.end == .error(EAGAIN) || end.end == .error(EWOULDBLOCK)))
    server.stop()
    #expect(client.readToEnd() == ([], .eof))
  }

  @Test func dribbleSpreadsTheBodyOverTime() throws {
    let server = try LoopbackServer()
    let body = Array("0123456789".utf8)
    server.script("/f", [Reply(body: body, fault: .dribble(pieces: 5, every: 0.05))])
    let client = try RawClient(port: server.port)
    var rest: (bytes: [UInt8], end: RawClient.ReadEnd) = ([], .eof)
    let elapsed = try timed {
      try client.send("GET /f HTTP/1.1\r\nHost: x\r\n\r\n")
      _ = try client.read(until: "\r\n\r\n")
      rest = client.readToEnd()
    }
    #expect(rest.bytes == body)
    #expect(rest.end == .eof)
    // Four pauses between five pieces: the whole body cannot have come sooner.
    #expect(elapsed >= 0.2)
  }

  @Test func hangSendsNothing() throws {
    let server = try LoopbackServer()
    server.script("/f", [.fault(.hang)])
    let client = try RawClient(port: server.port, timeout: 0.2)
    try client.send("GET /f HTTP/1.1\r\nHost: x\r\n\r\n")
    // The receive timeout (not EOF or data) proves the server is holding the connection open.
    let end = client.readToEnd().end
    #expect(end == .error(EAGAIN) || end == .error(EWOULDBLOCK))
    server.stop()
    #expect(client.readToEnd() == ([], .eof))
  }

  @Test func closeAfterReplyAnswersThenCloses() throws {
    let server = try LoopbackServer()
    server.script("/f", [Reply(status: 503, body: Array("busy".utf8), fault: .closeAfterReply)])
    let client = try RawClient(port: server.port)
    let response = try client.request("GET", "/f")
    #expect(response.status == 503 && response.reason == "Service Unavailable")
    #expect(response.header("Connection") == "close")
    #expect(response.text == "busy")
    #expect(client.readToEnd() == ([], .eof))
  }

  @Test func rawSendsBytesVerbatimThenCloses() throws {
    let raw = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi-extra".utf8)
    let (bytes, end) = try exchange(.fault(.raw(raw)))
    #expect(bytes == raw)
    #expect(end == .eof)
  }

  @Test func faultsCanFollowNormalRepliesInAScript() throws {
    let server = try LoopbackServer()
    server.script("/f", [.json("{}"), .fault(.resetBeforeStatus), .json(200, "{}")])
    let first = try RawClient(port: server.port)
    #expect(try first.request("GET", "/f").status == 200)
    try first.send("GET /f HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(first.readToEnd() == ([], .error(ECONNRESET)))
    let second = try RawClient(port: server.port)
    #expect(try second.request("GET", "/f").status == 200)
    #expect(server.connectionCount == 2)
  }
}

extension RawClient.ReadEnd: CustomStringConvertible {
  var description: String {
    switch self {
    case .eof: return "EOF"
    case .error(let code): return "errno \(code) (\(SystemCall.errorText(code)))"
    }
  }
}
