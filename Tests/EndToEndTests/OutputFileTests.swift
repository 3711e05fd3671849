import Foundation
import LoopbackHTTP
import Testing

private let csv = (1...300).map { "\($0),row \($0)" }.joined(separator: "\n") + "\n"
private let target = "/api/job?job=hcj_1&output=body"

/// A HotCRP job that is done: what `output` polls before it fetches.
private let doneJob = #"{"ok":true,"status":"done","exit_status":0,"update_at":1795382398}"#

/// `--base-url` and `--dialect` for a HotCRP-like server, where jobs hcj_1 and hcj_2 are done.
private func hotcrp(_ server: LoopbackServer) -> [String] {
  for id in ["hcj_1", "hcj_2"] { server.script("/api/job?job=\(id)", [.json(doneJob)]) }
  return ["--base-url", server.baseURL + "/api", "--dialect", "hotcrp"]
}

/// The requests for the output, without `output`'s poll of the job.
private func downloads(_ server: LoopbackServer) -> [Request] {
  server.requests.filter { $0.query.contains("output=") }
}

private func fileType(_ path: String) -> FileAttributeType? {
  (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
}

private func permissions(_ path: String) -> Int? {
  (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
}

/// Serves `body` at every path, answering a `Range: bytes=N-` with 206 when `ranges` is set; the
/// Nth request breaks with `faults[N]` (nil: answers normally).
private final class RangeServer: @unchecked Sendable {
  let server: LoopbackServer
  private let lock = NSLock()
  private var count = 0

  init(_ body: [UInt8], ranges: Bool, faults: [Reply.Fault?]) throws {
    server = try LoopbackServer()
    // Weak: the server keeps its handler, and a strong self here would be a cycle that never
    // frees (LeakSanitizer in `make test-asan` reports it).
    server.setHandler { [weak self] request in
      guard let self else { return Reply(status: 503) }
      // The poll before the download.
      if !request.query.contains("output=") { return .json(doneJob) }
      let n = lock.withLock {
        count += 1
        return count - 1
      }
      var reply = Reply(status: 200, headers: ranges ? [("Accept-Ranges", "bytes")] : [], body: body)
      if ranges, let range = request.header("Range"), range.hasPrefix("bytes="), range.hasSuffix("-"),
        let start = Int(range.dropFirst(6).dropLast()), start < body.count
      {
        reply.status = 206
        reply.headers.append(("Content-Range", "bytes \(start)-\(body.count - 1)/\(body.count)"))
        reply.body = Array(body[start...])
      }
      reply.fault = n < faults.count ? faults[n] : nil
      return reply
    }
  }
}

/// `-o FILE`: what FILE is decides how it is written (docs/behaviour.md "Starting, cancelling,
/// listing, fetching output").
@Suite struct OutputFileTests {
  @Test func aDeviceAFIFOAndASymbolicLinkAreWrittenThroughNeverReplaced() throws {
    let server = try LoopbackServer()
    server.script(target, [.text(200, csv, contentType: "text/csv")])
    let dir = try scratch()
    // A copy of /dev/null (major 1, minor 3).
    let null = dir.appendingPathComponent("null").path
    #expect(mknod(null, S_IFCHR | 0o666, (1 << 8) | 3) == 0)
    let device = try jobctl(["output", "hcj_1", "-o", null] + hotcrp(server))
    #expect(device.code == 0)
    #expect(fileType(null) == .typeCharacterSpecial)

    let fifo = dir.appendingPathComponent("pipe").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let read = Received()
    let reader = DispatchGroup()
    reader.enter()
    DispatchQueue.global().async {
      read.data = FileHandle(forReadingAtPath: fifo)?.readDataToEndOfFile() ?? Data()
      reader.leave()
    }
    let piped = try jobctl(["output", "hcj_1", "-o", fifo] + hotcrp(server))
    #expect(reader.wait(timeout: .now() + 20) == .success)
    #expect(piped.code == 0)
    #expect(String(decoding: read.data, as: UTF8.self) == csv)
    #expect(isFIFO(fifo))

    // A link to an existing file and a link to one not made yet, in another folder.
    let sub = dir.appendingPathComponent("sub")
    try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
    try Data("old".utf8).write(to: sub.appendingPathComponent("kept.csv"))
    let link = dir.appendingPathComponent("link.csv").path
    let dangling = dir.appendingPathComponent("new-link.csv").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "sub/kept.csv")
    try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "sub/made.csv")
    for path in [link, dangling] {
      let r = try jobctl(["output", "hcj_1", "-o", path] + hotcrp(server))
      #expect(r.code == 0)
      #expect(fileType(path) == .typeSymbolicLink)
    }
    #expect(try String(contentsOf: sub.appendingPathComponent("kept.csv"), encoding: .utf8) == csv)
    #expect(try String(contentsOf: sub.appendingPathComponent("made.csv"), encoding: .utf8) == csv)
    // No temporary file is left anywhere.
    #expect(try FileManager.default.contentsOfDirectory(atPath: sub.path).sorted() == ["kept.csv", "made.csv"])
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [
        "link.csv", "new-link.csv", "null", "pipe", "sub",
      ])
  }

  @Test func aFIFOWithoutAReaderIsWaitedForUntilASignalEndsTheWait() throws {
    let server = try LoopbackServer()
    server.script(target, [.text(200, csv, contentType: "text/csv")])
    let dir = try scratch()
    let fifo = dir.appendingPathComponent("pipe").path
    #expect(mkfifo(fifo, 0o600) == 0)
    // A blocking open(2) of the FIFO restarts after the handler: SIGINT would never end it.
    let p = try RunningProcess(["output", "hcj_1", "-o", fifo] + hotcrp(server))
    #expect(server.waitForRequests(1))
    p.signal(SIGINT)
    let r = p.finish(limit: 20)
    #expect(r.code == 130)
    #expect(isFIFO(fifo))
  }

  @Test func anExistingFileKeepsItsModeAndANewOneFollowsTheUmask() throws {
    let server = try LoopbackServer()
    server.script(target, [.text(200, csv, contentType: "text/csv")])
    let dir = try scratch()
    let old = dir.appendingPathComponent("old.csv").path
    #expect(FileManager.default.createFile(atPath: old, contents: Data("x".utf8)))
    #expect(chmod(old, 0o640) == 0)
    #expect(try jobctl(["output", "hcj_1", "-o", old] + hotcrp(server)).code == 0)
    #expect(permissions(old) == 0o640)
    #expect(try String(contentsOfFile: old, encoding: .utf8) == csv)

    let new = dir.appendingPathComponent("new.csv").path
    let shell = ["/bin/sh", "-c", "umask 002 && exec \"$0\" \"$@\""]
    #expect(try launched(shell, ["output", "hcj_1", "-o", new] + hotcrp(server)).code == 0)
    #expect(permissions(new) == 0o664)
  }

  @Test func aFileInAFolderThatTakesNoTemporaryFileIsWrittenDirectly() throws {
    let server = try LoopbackServer()
    server.script(target, [.text(200, csv, contentType: "text/csv")])
    // A folder only root may write, holding a file anyone may: run as nobody.
    let dir = try scratch()
    #expect(chmod(dir.path, 0o755) == 0)
    let file = dir.appendingPathComponent("shared.csv").path
    #expect(FileManager.default.createFile(atPath: file, contents: Data("old".utf8)))
    #expect(chmod(file, 0o666) == 0)
    let inode = (try FileManager.default.attributesOfItem(atPath: file))[.systemFileNumber] as? Int
    let nobody = geteuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
    let written = try launched(nobody, ["output", "hcj_1", "-o", file] + hotcrp(server))
    #expect(written.code == 0)
    #expect(try String(contentsOfFile: file, encoding: .utf8) == csv)
    #expect((try FileManager.default.attributesOfItem(atPath: file))[.systemFileNumber] as? Int == inode)
    #expect(permissions(file) == 0o666)
    // A new file there cannot be made at all: exit 10 before anything is sent.
    let before = server.requests.count
    let refused = try launched(
      nobody, ["output", "hcj_1", "-o", dir.appendingPathComponent("new.csv").path] + hotcrp(server))
    #expect(refused.code == 10)
    #expect(
      refused.stderr.hasPrefix("jobctl: error: cannot write \(dir.path)/new.csv: no temporary file in \(dir.path): "))
    #expect(server.requests.count == before)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["shared.csv"])
  }

  /// Runs jobctl through `launcher` (a shell that sets the umask, setpriv), with a clean
  /// environment; returns its exit code and stderr.
  private func launched(_ launcher: [String], _ arguments: [String]) throws -> (code: Int32, stderr: String) {
    let process = Process()
    let command = launcher + [try Binaries.jobctl] + arguments
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    process.environment = ["PATH": "/usr/bin:/bin", "HOME": "/"]
    let err = Pipe()
    process.standardError = err
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, stderr)
  }

  @Test func aMissingFolderAFolderAndAFullDiskAreExit10NamingThePath() throws {
    let server = try LoopbackServer()
    server.script(target, [.text(200, csv, contentType: "text/csv")])
    let dir = try scratch()
    let missing = dir.appendingPathComponent("nope/out.csv").path
    let r = try jobctl(["output", "hcj_1", "-o", missing] + hotcrp(server))
    #expect(r.code == 10)
    #expect(r.stderr == "jobctl: error: cannot write \(missing): the folder \(dir.path)/nope does not exist\n")
    let folder = try jobctl(["output", "hcj_1", "-o", dir.path] + hotcrp(server))
    #expect(folder.code == 10)
    #expect(folder.stderr == "jobctl: error: cannot write \(dir.path): it is a folder\n")
    let loop = dir.appendingPathComponent("loop").path
    try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: "loop")
    let looped = try jobctl(["output", "hcj_1", "-o", loop] + hotcrp(server))
    #expect(looped.code == 10)
    #expect(looped.stderr == "jobctl: error: cannot write \(loop): Too many levels of symbolic links\n")
    // Nothing was sent for any of them.
    #expect(server.requests.isEmpty)

    let full = try jobctl(["output", "hcj_1", "-o", "/dev/full"] + hotcrp(server))
    #expect(full.code == 10)
    #expect(full.stderr == "jobctl: error: cannot write /dev/full: No space left on device\n")
    #expect(fileType("/dev/full") == .typeCharacterSpecial)
  }

  @Test func continueAppendsOnlyARangeThatStartsWhereTheFileEnds() throws {
    let bytes = Array(csv.utf8)
    let dir = try scratch()
    let file = dir.appendingPathComponent("part.csv")
    let base = Data(bytes[0..<40])
    func run(_ reply: Reply) throws -> (ProcessResult, LoopbackServer) {
      try base.write(to: file)
      let server = try LoopbackServer()
      server.script(target, [reply])
      return (try jobctl(["output", "hcj_1", "-o", file.path, "--continue"] + hotcrp(server)), server)
    }
    // The whole body as a range, and a range without Content-Range: refused, FILE untouched.
    let whole = Reply(
      status: 206, headers: [("Content-Range", "bytes 0-\(bytes.count - 1)/\(bytes.count)")], body: bytes)
    let (wrongStart, asked) = try run(whole)
    #expect(wrongStart.code == 6)
    #expect(wrongStart.stderr.contains("bytes from 0, not from 40"))
    #expect(downloads(asked).first?.header("Range") == "bytes=40-")
    #expect(try Data(contentsOf: file) == base)
    let (noRange, _) = try run(Reply(status: 206, body: Array(bytes[40...])))
    #expect(noRange.code == 6)
    #expect(noRange.stderr.contains("without a Content-Range"))
    #expect(try Data(contentsOf: file) == base)
    // A 200: the server ignored the range and sent everything.
    let (replaced, _) = try run(.text(200, csv, contentType: "text/csv"))
    #expect(replaced.code == 0)
    #expect(try Data(contentsOf: file) == Data(bytes))
    // Already complete: 416 with the file's size as the total, as HotCRP answers.
    let (complete, _) = try run(
      Reply(status: 416, headers: [("Content-Range", "bytes */40"), ("Content-Type", "text/html")]))
    #expect(complete.code == 0)
    #expect(complete.stderr == "jobctl: \(file.path) is already complete\n")
    #expect(try Data(contentsOf: file) == base)

    // No FILE yet: a whole download, without Range; a FILE that is no regular file: refused.
    let server = try LoopbackServer()
    server.script(target, [.text(200, csv, contentType: "text/csv")])
    let fresh = dir.appendingPathComponent("fresh.csv").path
    #expect(try jobctl(["output", "hcj_1", "-o", fresh, "--continue"] + hotcrp(server)).code == 0)
    #expect(downloads(server).first?.header("Range") == nil)
    #expect(try String(contentsOfFile: fresh, encoding: .utf8) == csv)
    let device = try jobctl(["output", "hcj_1", "-o", "/dev/null", "--continue"] + hotcrp(server))
    #expect(device.code == 2)
    #expect(device.stderr == "jobctl: error: --continue needs a regular FILE; /dev/null is not one\n")
  }

  @Test func theDocumentOfARunningJobIsNoOutput() throws {
    let server = try LoopbackServer()
    // HotCRP answers output=body on an ongoing job with 202 and its status document.
    let running = #"{"ok":true,"job":"hcj_1","status":"run","update_at":1795382398,"progress":"phase 2/7"}"#
    server.script(target, [.json(202, running)])
    server.script("/api/job?job=hcj_1&output=json", [.json(202, running)])
    // What `output` polls first: the output itself is never asked for.
    server.script("/api/job?job=hcj_1", [.json(202, running)])
    let dir = try scratch()
    let file = dir.appendingPathComponent("out.csv").path
    let auto = ["--dialect", "auto", "--jobs-path", "/job?job={id}"]
    for extra in [["--dialect", "hotcrp"], auto, ["--dialect", "hotcrp", "--as", "json"]] {
      let r = try jobctl(["output", "hcj_1", "-o", file, "--base-url", server.baseURL + "/api"] + extra)
      #expect(r.code == 9, "\(extra)")
      #expect(r.stderr == "jobctl: error: job hcj_1 is still running (phase 2/7): it has no output yet\n", "\(extra)")
      #expect(!FileManager.default.fileExists(atPath: file))
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    #expect(server.requests.allSatisfy { $0.target == "/api/job?job=hcj_1" }, "\(server.requests.map(\.target))")
    // A 202 that is no job document says the same.
    server.script("/api/job?job=hcj_1", [Reply(status: 202)])
    server.script(target, [Reply(status: 202)])
    let bare = try jobctl(["output", "hcj_1"] + hotcrp(server))
    #expect(bare.code == 9)
    #expect(bare.stdout == "")
    #expect(bare.stderr == "jobctl: error: job hcj_1 is not finished (HTTP 202 Accepted): it has no output yet\n")
  }

  @Test func requestTimeoutLimitsAStallNotASlowDownload() throws {
    let body = Array(csv.utf8)
    let server = try LoopbackServer()
    // Ten pieces 100 ms apart: a second in all, three times the limit, but never 300 ms silent.
    server.script(target, [Reply(status: 200, body: body, fault: .dribble(pieces: 10, every: 0.1))])
    let dir = try scratch()
    let file = dir.appendingPathComponent("slow.csv").path
    let slow = try jobctl(["output", "hcj_1", "-o", file, "--request-timeout", "300ms"] + hotcrp(server) + fast)
    #expect(slow.code == 0)
    #expect(slow.stderr == "")
    #expect(downloads(server).count == 1)
    #expect(try String(contentsOfFile: file, encoding: .utf8) == csv)

    // A download that stops halfway is cut after 300 ms and tried again.
    let stalled = try RangeServer(body, ranges: false, faults: [.stallInBody, .stallInBody])
    let r = try jobctl(
      ["output", "hcj_1", "-o", file, "--request-timeout", "300ms", "--max-errors", "2"] + hotcrp(stalled.server)
        + fast)
    #expect(r.code == 7)
    #expect(r.stderr.contains("no data for 300ms (--request-timeout)"))
    #expect(downloads(stalled.server).count == 2)
    stalled.server.stop()
  }

  @Test func aDownloadCutShortResumesWhereItStoppedWhenTheServerTakesRanges() throws {
    let body = Array(csv.utf8)
    let dir = try scratch()
    // Reset halfway, then stalled halfway through the rest: each retry asks for what is missing.
    let ranged = try RangeServer(body, ranges: true, faults: [.resetInBody, .stallInBody])
    let file = dir.appendingPathComponent("a.csv").path
    let r = try jobctl(
      ["output", "hcj_1", "-o", file, "--request-timeout", "300ms"] + hotcrp(ranged.server) + fast)
    #expect(r.code == 0)
    let half = body.count / 2
    let rest = (body.count - half) / 2
    #expect(downloads(ranged.server).map { $0.header("Range") } == [nil, "bytes=\(half)-", "bytes=\(half + rest)-"])
    #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data(body))
    ranged.server.stop()

    // A server that takes no ranges sends it all again.
    let plain = try RangeServer(body, ranges: false, faults: [.resetInBody])
    let b = dir.appendingPathComponent("b.csv").path
    #expect(try jobctl(["output", "hcj_1", "-o", b] + hotcrp(plain.server) + fast).code == 0)
    #expect(downloads(plain.server).map { $0.header("Range") } == [nil, nil])
    #expect(try Data(contentsOf: URL(fileURLWithPath: b)) == Data(body))
  }
}

private func isFIFO(_ path: String) -> Bool {
  var info = stat()
  return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO
}

/// What a reader thread received; read after the thread is done (the group's wait orders it).
private final class Received: @unchecked Sendable {
  var data = Data()
}

/// `output` to a terminal (docs/behaviour.md "Output"): control characters from the server are not
/// printed unless `-o -` says so, as curl refuses binary output.
@Suite struct OutputToATerminalTests {
  /// Runs jobctl with stdout on a new pseudo-terminal; returns its exit code, what reached the
  /// terminal and stderr.
  private func onTerminal(_ arguments: [String]) throws -> (code: Int32, terminal: [UInt8], stderr: String) {
    // posix_openpt and friends are not in the Glibc module: their ioctls (TIOCSPTLCK, TIOCGPTN).
    let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
    #expect(master >= 0)
    defer { close(master) }
    var unlock: Int32 = 0
    var number: UInt32 = 0
    #expect(withUnsafeMutablePointer(to: &unlock) { ioctl(master, 0x4004_5431, $0) } == 0)
    #expect(withUnsafeMutablePointer(to: &number) { ioctl(master, 0x8004_5430, $0) } == 0)
    let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
    #expect(slave >= 0)
    // Raw: the terminal hands bytes over as written (no CR added before LF).
    var mode = termios()
    tcgetattr(slave, &mode)
    cfmakeraw(&mode)
    tcsetattr(slave, TCSANOW, &mode)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try Binaries.jobctl)
    process.arguments = arguments
    process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
    process.standardOutput = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
    let err = Pipe()
    process.standardError = err
    try process.run()
    close(slave)
    var seen: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    // Until the last writer closes: then the master reads EIO.
    while true {
      let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
      if n <= 0 { break }
      seen += buffer[0..<n]
    }
    process.waitUntilExit()
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return (process.terminationStatus, seen, stderr)
  }

  @Test func controlCharactersNeedDashODash() throws {
    let server = try LoopbackServer()
    let hostile = "title\u{1B}]0;owned\u{07}\u{1B}[2J\n"
    server.script(target, [.text(200, hostile, contentType: "text/plain")])
    server.script("/api/job?job=hcj_2&output=body", [.text(200, "a,b\r\n1,\t2\n", contentType: "text/csv")])
    let refused = try onTerminal(["output", "hcj_1"] + hotcrp(server))
    #expect(refused.code == 10)
    #expect(refused.terminal.isEmpty)
    #expect(
      refused.stderr
        == "jobctl: error: the output of job hcj_1 holds control characters, which would drive the terminal: not shown; use -o FILE to save it, or -o - to print it anyway\n"
    )
    let asked = try onTerminal(["output", "hcj_1", "-o", "-"] + hotcrp(server))
    #expect(asked.code == 0)
    #expect(asked.terminal == Array(hostile.utf8))
    // Tabs, newlines and carriage returns are text.
    let text = try onTerminal(["output", "hcj_2"] + hotcrp(server))
    #expect(text.code == 0)
    #expect(text.terminal == Array("a,b\r\n1,\t2\n".utf8))
  }
}
