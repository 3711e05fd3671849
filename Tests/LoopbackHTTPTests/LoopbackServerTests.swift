import Dispatch
import Glibc
import LoopbackHTTP
import Testing

@Suite struct LoopbackServerTests {
  @Test func keepAliveServesTwoRequestsOnOneConnection() throws {
    let server = try LoopbackServer()
    server.script("/a", [.json(#"{"n":1}"#)])
    let client = try RawClient(port: server.port)
    let first = try client.request("GET", "/a")
    let second = try client.request("GET", "/a")
    #expect(first.status == 200 && second.status == 200)
    #expect(first.reason == "OK")
    #expect(first.header("Content-Length") == "7")
    #expect(first.header("Content-Type") == "application/json")
    #expect(second.text == #"{"n":1}"#)
    let log = server.requests
    #expect(log.count == 2)
    #expect(log.map(\.connectionID) == [1, 1])
    #expect(server.connectionCount == 1)
  }

  @Test func connectionCloseEndsTheConnectionAndNewOnesGetNewIDs() throws {
    let server = try LoopbackServer()
    let first = try RawClient(port: server.port)
    let response = try first.request("GET", "/x", headers: ["Connection: close"])
    #expect(response.status == 404)
    #expect(response.text == #"{"error":"no script for GET /x"}"#)
    #expect(response.header("Connection") == "close")
    #expect(first.readToEnd().end == .eof)
    let second = try RawClient(port: server.port)
    _ = try second.request("GET", "/y")
    #expect(server.requests.map(\.connectionID) == [1, 2])
    #expect(server.connectionCount == 2)
  }

  @Test func scriptsAreConsumedInOrderAndTheLastRepeats() throws {
    let server = try LoopbackServer()
    server.script("/job", [.json(202, "1"), .json(202, "2"), .json(200, "3")])
    let client = try RawClient(port: server.port)
    var seen: [String] = []
    for _ in 0..<5 {
      let response = try client.request("GET", "/job")
      seen.append("\(response.status):\(response.text)")
    }
    #expect(seen == ["202:1", "202:2", "200:3", "200:3", "200:3"])
  }

  @Test func fullTargetWinsOverPathAndMethodsAreSeparate() throws {
    let server = try LoopbackServer()
    server.script("/job", [.text(200, "path")])
    server.script("/job?id=7", [.text(200, "target")])
    server.script("POST", "/job", [.text(201, "posted")])
    let client = try RawClient(port: server.port)
    #expect(try client.request("GET", "/job?id=7").text == "target")
    #expect(try client.request("GET", "/job?id=8").text == "path")
    #expect(try client.request("GET", "/job").text == "path")
    let posted = try client.request("POST", "/job?id=7", body: "")
    #expect(posted.status == 201 && posted.text == "posted" && posted.reason == "Created")
  }

  @Test func handlerAnswersWhatNoScriptMatches() throws {
    let server = try LoopbackServer()
    server.setHandler { request in .text(200, "\(request.method) \(request.path)") }
    server.script("/scripted", [.text(200, "script")])
    let client = try RawClient(port: server.port)
    #expect(try client.request("DELETE", "/thing?x=1").text == "DELETE /thing")
    #expect(try client.request("GET", "/scripted").text == "script")
  }

  @Test func logsHeadersBodyAndQuery() throws {
    let server = try LoopbackServer()
    let client = try RawClient(port: server.port)
    let before = LoopbackServer.monotonicNow()
    _ = try client.request(
      "POST", "/start?name=a%20b+c&flag&empty=&x=1&x=2",
      headers: ["X-Trace: one", "x-trace: two", "Content-Type:  application/json "],
      body: #"{"a":"é"}"#)
    let request = try #require(server.requests.first)
    #expect(request.method == "POST")
    #expect(request.target == "/start?name=a%20b+c&flag&empty=&x=1&x=2")
    #expect(request.path == "/start")
    #expect(request.query == "name=a%20b+c&flag&empty=&x=1&x=2")
    #expect(request.queryValue("name") == "a b c")
    #expect(request.queryValue("flag") == "")
    #expect(request.queryValue("empty") == "")
    #expect(request.queryValue("x") == "1")
    #expect(request.queryValue("missing") == nil)
    #expect(request.header("X-TRACE") == "one")
    #expect(request.header("content-type") == "application/json")
    let names = request.headers.map(\.name)
    #expect(names == ["Host", "X-Trace", "x-trace", "Content-Type", "Content-Length"])
    #expect(request.bodyText == #"{"a":"é"}"#)
    #expect(request.body.count == 10)
    #expect(request.time >= before && request.time <= LoopbackServer.monotonicNow())
  }

  @Test func expectContinueGetsAnInterimAnswerBeforeTheBody() throws {
    let server = try LoopbackServer()
    server.script("PUT", "/up", [.text(200, "ok")])
    let client = try RawClient(port: server.port)
    try client.send(
      "PUT /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
    let interim = try client.read(until: "\r\n\r\n")
    #expect(String(decoding: interim, as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
    #expect(server.requests.isEmpty)
    try client.send("hello")
    #expect(try client.readResponse().text == "ok")
    #expect(server.requests.first?.bodyText == "hello")
  }

  @Test func chunkedRequestBodiesAreDecoded() throws {
    let server = try LoopbackServer()
    let client = try RawClient(port: server.port)
    try client.send(
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n")
    #expect(try client.readResponse().status == 404)
    #expect(server.requests.first?.bodyText == "hello, world")
    _ = try client.request("GET", "/next")
    #expect(server.requests.map(\.connectionID) == [1, 1])
  }

  @Test func bodylessStatusesAndHeadSendNoBody() throws {
    let server = try LoopbackServer()
    server.script("/empty", [Reply(status: 204, body: Array("ignored".utf8))])
    server.script("HEAD", "/doc", [.text(200, "twelve bytes")])
    let client = try RawClient(port: server.port)
    let empty = try client.request("GET", "/empty")
    #expect(empty.status == 204 && empty.reason == "No Content")
    #expect(empty.header("Content-Length") == nil)
    let head = try client.request("HEAD", "/doc")
    #expect(head.header("Content-Length") == "12")
    // The connection is still in step: the next answer is read whole and correctly.
    server.script("/after", [.text(418, "tea")])
    let after = try client.request("GET", "/after")
    #expect(after.status == 418 && after.reason == "I'm a teapot" && after.text == "tea")
  }

  @Test func serverComputesContentLengthItself() throws {
    let server = try LoopbackServer()
    server.script("/len", [.text(200, "abc", headers: [("Content-Length", "99")])])
    let client = try RawClient(port: server.port)
    let response = try client.request("GET", "/len")
    #expect(response.headers.filter { $0.name.lowercased() == "content-length" }.count == 1)
    #expect(response.header("Content-Length") == "3")
  }

  @Test func delayHoldsTheReplyBack() throws {
    let server = try LoopbackServer()
    server.script("/slow", [.json(200, "{}", delay: 0.3)])
    let client = try RawClient(port: server.port)
    let elapsed = try timed { _ = try client.request("GET", "/slow") }
    #expect(elapsed >= 0.3 && elapsed < 3)
    // The request is logged before the delay, with the time its head arrived.
    let request = try #require(server.requests.first)
    #expect(LoopbackServer.monotonicNow() - request.time >= 0.3)
  }

  @Test func waitForRequestsWakesOnArrivalAndTimesOut() throws {
    let server = try LoopbackServer()
    #expect(!server.waitForRequests(1, timeout: 0.1))
    let port = server.port
    DispatchQueue.global().async {
      if let client = try? RawClient(port: port) {
        _ = try? client.request("GET", "/1")
        _ = try? client.request("GET", "/2")
      }
    }
    #expect(server.waitForRequests(2, timeout: 10))
    #expect(server.requests.map(\.path) == ["/1", "/2"])
    #expect(!server.waitForRequests(3, timeout: 0.05))
  }

  @Test func stopEndsAHangPromptly() throws {
    let server = try LoopbackServer()
    server.script("/hang", [.fault(.hang)])
    let client = try RawClient(port: server.port)
    try client.send("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(server.waitForRequests(1))
    let elapsed = timed { server.stop() }
    #expect(elapsed < 1)
    let (bytes, end) = client.readToEnd()
    #expect(bytes.isEmpty)
    #expect(end == .eof)
    server.stop()
    #expect(!server.waitForRequests(2, timeout: 5))
  }

  @Test func stopInterruptsADelay() throws {
    let server = try LoopbackServer()
    server.script("/slow", [.json(200, "{}", delay: 30)])
    let client = try RawClient(port: server.port)
    try client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(server.waitForRequests(1))
    #expect(timed { server.stop() } < 1)
    #expect(client.readToEnd() == ([], .eof))
  }

  @Test func restartsOnTheSamePortAtOnce() throws {
    let first = try LoopbackServer()
    let port = first.port
    first.script("/", [.text(200, "first")])
    let client = try RawClient(port: port)
    #expect(try client.request("GET", "/").text == "first")
    first.stop()
    #expect(client.readToEnd().end == .eof)
    #expect(throws: RawClient.ClientError.errno(ECONNREFUSED)) { try RawClient(port: port) }
    let second = try LoopbackServer(port: port)
    defer { second.stop() }
    #expect(second.port == port)
    second.script("/", [.text(200, "second")])
    #expect(try RawClient(port: port).request("GET", "/").text == "second")
    #expect(second.connectionCount == 1)
    #expect(first.requests.count == 1)
  }

  @Test func deinitStopsTheServer() throws {
    var server: LoopbackServer? = try LoopbackServer()
    let port = try #require(server?.port)
    server?.script("/hang", [.fault(.hang)])
    let client = try RawClient(port: port)
    try client.send("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(server?.waitForRequests(1) == true)
    server = nil
    #expect(client.readToEnd() == ([], .eof))
    _ = try LoopbackServer(port: port)
  }

  @Test func bindingABusyPortThrows() throws {
    let server = try LoopbackServer()
    #expect(throws: LoopbackServerError.self) { try LoopbackServer(port: server.port) }
  }
}
