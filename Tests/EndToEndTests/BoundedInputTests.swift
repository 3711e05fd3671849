import Foundation
import LoopbackHTTP
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Opens `fifo` for writing once jobctl holds it open for reading: the event a test waits for.
///
/// A non-blocking open for writing fails with ENXIO until a reader has it. The descriptor stays
/// open, so jobctl sees a writer that sends nothing; -1 after 20 s.
private func writerOnceRead(_ fifo: String) -> Int32 {
  let deadline = Date().addingTimeInterval(20)
  while Date() < deadline {
    let fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
    if fd >= 0 { return fd }
    usleep(2000)
  }
  return -1
}

/// A UNIX socket bound at `path`; its descriptor (the caller closes it).
private func boundSocket(_ path: String) -> Int32 {
  let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
  var address = sockaddr_un()
  address.sun_family = sa_family_t(AF_UNIX)
  withUnsafeMutableBytes(of: &address.sun_path) { raw in
    let bytes = Array(path.utf8.prefix(raw.count - 1))
    raw.copyBytes(from: bytes)
  }
  let bound = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
  }
  return bound == 0 ? fd : -1
}

/// Every input jobctl reads is bounded in size, and no read of a pipe, FIFO or standard input
/// outlasts a signal or the run's limits (docs/behaviour.md "Files, pipes and standard input").
@Suite struct BoundedInputTests {
  @Test(arguments: [
    (["explain"], "the document on stdin is larger than 16 MiB"),
    (["wait", "-", "--base-url", "http://127.0.0.1:9"], "a line on stdin is longer than 8192 bytes"),
    (
      ["start", "/jobs", "--base-url", "http://127.0.0.1:9", "--data", "@-"],
      "the --data on stdin is larger than 16 MiB"
    ),
  ])
  func endlessStandardInputIsRefusedAtItsLimit(arguments: [String], message: String) throws {
    let r = try RunningProcess(arguments, redirections: "< /dev/zero").finish(limit: 30)
    #expect(r.code == 2)
    #expect(r.stderr.hasPrefix("jobctl: error: \(message)"), "\(r.stderr)")
    #expect(r.elapsed < 10)
  }

  @Test func waitTakesAtMostAMillionReferencesFromStdin() throws {
    let server = try LoopbackServer()
    let stdin = String(repeating: "j\n", count: 1_000_001)
    let r = try jobctl(["wait", "-", "--base-url", server.baseURL], stdin: stdin)
    #expect(r.code == 2)
    #expect(r.stderr.hasPrefix("jobctl: error: more than 1000000 job references on stdin"), "\(r.stderr)")
    #expect(server.requests.isEmpty)
  }

  @Test func aPipeAsTokenFileIsRead() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(#"{"status":"completed"}"#)])
    // /dev/stdin is a pipe here, as `--token-file <(echo TOKEN)` is.
    let r = try jobctl(
      ["status", "j1", "--base-url", server.baseURL, "--token-file", "/dev/stdin"], stdin: "token-from-a-pipe\n")
    #expect(r.code == 0, "\(r.stderr)")
    #expect(server.requests.first?.headers.first { $0.name == "Authorization" }?.value == "Bearer token-from-a-pipe")
  }

  /// After a 401 a token file is read again; a FIFO gave its token once and is not reopened (a
  /// blocking open would wait for a writer that never comes).
  @Test func aTokenFromAFIFOIsNotReadAgainAfterA401() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.json(401, #"{"error":"expired"}"#)])
    let dir = try scratch()
    let fifo = dir.appendingPathComponent("fifo").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let p = try RunningProcess(["status", "j1", "--base-url", server.baseURL, "--token-file", fifo])
    let writer = writerOnceRead(fifo)
    #expect(writer >= 0)
    let token = Array("token-from-a-fifo\n".utf8)
    #expect(token.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) } == token.count)
    close(writer)
    let r = p.finish(limit: 20)
    #expect(r.code == 4, "\(r.stderr)")
    #expect(r.elapsed < 10)
    #expect(server.requests.count >= 1)
  }

  @Test(arguments: [(SIGINT, 130), (SIGTERM, 143), (SIGHUP, 129)] as [(Int32, Int32)])
  func aSignalEndsTheWaitOnAFIFONobodyWrites(signal: Int32, code: Int32) throws {
    let server = try LoopbackServer()
    let dir = try scratch()
    let fifo = dir.appendingPathComponent("fifo").path
    #expect(mkfifo(fifo, 0o600) == 0)
    for options in [["--token-file", fifo], ["--config", fifo]] {
      let p = try RunningProcess(["status", "j1", "--base-url", server.baseURL] + options)
      let writer = writerOnceRead(fifo)
      #expect(writer >= 0)
      let sent = Date()
      p.signal(signal)
      let r = p.finish(limit: 20)
      close(writer)
      #expect(r.code == code, "\(options) \(r.stderr)")
      #expect(Date().timeIntervalSince(sent) < 1, "\(options)")
    }
    #expect(server.requests.isEmpty)
  }

  @Test func aFIFONobodyWritesEndsWithTheTimeout() throws {
    let server = try LoopbackServer()
    let dir = try scratch()
    let fifo = dir.appendingPathComponent("fifo").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let r = try jobctl(
      ["start", "/jobs", "--base-url", server.baseURL, "--data", "@" + fifo, "--timeout", "1s"], limit: 20)
    #expect(r.code == 124)
    #expect(r.stderr.contains("ran out while reading the pipe \(fifo)"), "\(r.stderr)")
    #expect(r.elapsed < 3)
    #expect(server.requests.isEmpty)
  }

  @Test func aGitHubOutputFIFONobodyReadsIsAFileThatCannotBeWritten() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(#"{"status":"completed"}"#)])
    let dir = try scratch()
    let fifo = dir.appendingPathComponent("fifo").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let r = try jobctl(
      ["status", "j1", "--base-url", server.baseURL], env: ["GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": fifo],
      limit: 20)
    #expect(r.code == 10, "\(r.stderr)")
    #expect(r.elapsed < 5)
  }

  @Test func socketsDevicesAndTLSFIFOsAreRefused() throws {
    let dir = try scratch()
    let socketPath = dir.appendingPathComponent("sock").path
    let sock = boundSocket(socketPath)
    #expect(sock >= 0)
    defer { close(sock) }
    let fifo = dir.appendingPathComponent("fifo").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let cases: [([String], String)] = [
      (["--token-file", socketPath], "cannot read the token file \(socketPath): a socket, not a file"),
      (["--token-file", "/dev/zero"], "cannot read the token file /dev/zero: a device, not a file"),
      (["--config", "/dev/zero"], "cannot read the config file /dev/zero: a device, not a file"),
      (["--cacert", fifo], "cannot read the CA file \(fifo) (--cacert): not a regular file"),
      (["--cert", "/dev/zero"], "cannot read the client certificate /dev/zero (--cert): not a regular file"),
    ]
    for (options, message) in cases {
      let r = try jobctl(["status", "j1", "--base-url", "http://127.0.0.1:9"] + options, limit: 20)
      #expect(r.code == 2, "\(options)")
      #expect(r.stderr == "jobctl: error: \(message)\n")
      #expect(r.elapsed < 5)
    }
    // /dev/null stays a way to say "no config".
    let null = try jobctl(["explain", "--config", "/dev/null"], stdin: #"{"status":"completed"}"#)
    #expect(null.code == 0, "\(null.stderr)")
  }
}

/// SIGHUP (a closed terminal or SSH session) is handled as SIGTERM, with exit 129.
@Suite struct HangUpTests {
  @Test func outputToAFileLeavesNoTemporaryFile() throws {
    let server = try LoopbackServer()
    let target = "/api/job?job=hcj_1&output=body"
    let body = Array((1...3000).map { "\($0),row \($0)\n" }.joined().utf8)
    server.script(
      target, [Reply(status: 200, headers: [("Content-Type", "text/csv")], body: body, fault: .stallInBody)])
    // `output` polls the job first: it is done.
    server.script("/api/job?job=hcj_1", [.json(#"{"ok":true,"status":"done","exit_status":0}"#)])
    let dir = try scratch()
    let out = dir.appendingPathComponent("out.csv").path
    let p = try RunningProcess(
      ["output", "hcj_1", "-o", out, "--base-url", server.baseURL + "/api", "--dialect", "hotcrp"])
    #expect(server.waitForRequests(2))
    // The temporary file beside `out` appears once the body starts arriving.
    let deadline = Date().addingTimeInterval(20)
    while (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.isEmpty ?? true, Date() < deadline {
      usleep(2000)
    }
    #expect(try !FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    p.signal(SIGHUP)
    let r = p.finish(limit: 20)
    #expect(r.code == 129)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [])
  }
}
