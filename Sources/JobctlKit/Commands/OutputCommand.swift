#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `output`: fetch a finished job's output to stdout or a file (contract section 11).
///
/// Downloads go to a temporary file first: with `-o FILE` it is renamed into place only when the
/// answer is complete, so a failure never leaves a truncated FILE; for stdout it is copied out
/// once complete, so a retried download never prints twice.
enum OutputCommand {
  static func run(_ invocation: Invocation, environment: [String: String], services: Services) throws(JobctlError)
    -> Int32
  {
    let context = try NetworkContext.make(invocation, environment: environment, services: services)
    let job = try context.resolve(invocation.arguments[0])
    let kind = invocation.value("as") ?? "body"
    let file = invocation.value("output")
    let resume = invocation.has("continue")
    if resume && file == nil { throw .usage("--continue needs -o FILE (the partial file to resume)") }
    if let file, file.isEmpty { throw .usage("-o needs a file name") }

    guard let url = try outputURL(job, kind: kind, context: context) else {
      if !context.settings.output.quiet {
        context.diagnostics.line("jobctl: job \(Text.oneLine(job.label, limit: 120)) has no output to fetch")
      }
      return 0
    }
    var request = context.request(url: url, credentialHost: job.credentialHost)
    // The job's output is data: handed over byte for byte, never scrubbed.
    request.verbatim = true
    request.headers.removeAll(where: { Text.equalsIgnoringCase($0.name, "Accept") })
    request.headers.append(HTTPHeader("Accept", "*/*"))

    let temp = try TempFile(beside: file)
    var keep = 0
    if resume, let file, let existing = try copyExisting(file, into: temp) {
      keep = existing
      request.headers.append(HTTPHeader("Range", "bytes=\(existing)-"))
    }
    if kind == "body" { request.stream = BodyStream(fd: temp.fd, keep: keep) }

    let response: HTTPResponse
    switch context.send(request, subject: "job \(job.label)", label: job.label, alsoAccept: keep > 0 ? [416] : []) {
    case .success(let r):
      response = r
    case .failure(let error):
      temp.discard()
      throw error
    }
    if response.status == 416 {
      temp.discard()
      // A resume whose file already holds everything: `Content-Range: bytes */SIZE`.
      let total = response.header("Content-Range").flatMap { $0.split(separator: "/").last }.flatMap { Int($0) }
      guard total == keep else {
        throw .rejected(
          Messages.forErrorAnswer(status: 416, body: response.body) + " (the partial file does not fit the output)")
      }
      if !context.settings.output.quiet { context.diagnostics.line("jobctl: \(file ?? "") is already complete") }
      return 0
    }
    if response.status == 204 {
      temp.discard()
      if !context.settings.output.quiet {
        context.diagnostics.line("jobctl: job \(Text.oneLine(job.label, limit: 120)) has no output (HTTP 204)")
      }
      return 0
    }
    if kind != "body" {
      // string and json answers wrap the output: {"ok": true, "output": ...}.
      guard let document = try? JSON.parse(response.body), let value = document["output"] else {
        temp.discard()
        throw .rejected("the \(kind) output of job \(job.label) is not a JSON document with an \"output\" member")
      }
      let text = kind == "string" ? value.displayText : value.serialized() + "\n"
      guard temp.write(Array(text.utf8)) else {
        temp.discard()
        throw .usage("cannot write \(temp.path): \(String(cString: strerror(errno)))")
      }
    }
    if let file {
      try temp.commit(to: file)
    } else {
      temp.copy(to: services.streams.stdout)
      temp.discard()
    }
    return 0
  }

  /// Where the output is: the shape's `output-url` expanded for the job (after one poll, when it
  /// reads the job's document) and resolved against the job's URL; nil when a value it needs is
  /// absent or null, so there is nothing to fetch.
  static func outputURL(_ job: JobReference, kind: String, context: NetworkContext) throws(JobctlError) -> String? {
    guard let template = context.settings.shape.outputURL else { return nil }
    var document: JSON?
    if template.parts.contains(where: { if case .value = $0 { return true } else { return false } }) {
      let poll = context.request(url: job.url, credentialHost: job.credentialHost)
      switch context.send(poll, subject: "job \(job.label)", label: job.label) {
      case .failure(let error): throw error
      case .success(let answer): document = answer.documentAsSent() ?? (try? JSON.parse(answer.body))
      }
    }
    let expanded: String?
    do throws(ShapeSyntaxError) {
      expanded = try template.expand(id: job.label, url: job.url, document: document, outputKind: kind)
    } catch {
      throw .usage("the output-url \(template) cannot be used for job \(job.label): \(error.message)")
    }
    guard let expanded, !expanded.isEmpty else { return nil }
    return URLParts(expanded) != nil ? expanded : URLParts.resolving(expanded, against: job.url)
  }

  /// Copies FILE into the temporary file; returns its size, or nil when FILE does not exist.
  private static func copyExisting(_ file: String, into temp: TempFile) throws(JobctlError) -> Int? {
    let fd = open(file, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      if errno == ENOENT { return nil }
      throw .usage("cannot read \(Text.oneLine(file, limit: 200)): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 65536)
    var total = 0
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else {
        throw .usage("cannot read \(Text.oneLine(file, limit: 200)): \(String(cString: strerror(errno)))")
      }
      if n == 0 { return total }
      guard temp.write(Array(buffer[0..<n])) else {
        throw .usage("cannot write \(temp.path): \(String(cString: strerror(errno)))")
      }
      total += n
    }
  }
}

/// A temporary file beside the destination (same file system, so rename is atomic), or in
/// TMPDIR when output goes to stdout.
final class TempFile {
  let path: String
  let fd: Int32
  private var done = false

  init(beside destination: String?) throws(JobctlError) {
    let folder: String
    let name: String
    if let destination {
      let slash = destination.lastIndex(of: "/")
      folder = slash.map { String(destination[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
      name = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
    } else {
      folder = (getenv("TMPDIR").map { String(cString: $0) }).flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
      name = "jobctl-output"
    }
    var template = Array("\(folder)/.\(name).jobctl-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
    guard fd >= 0 else {
      throw .usage(
        "cannot create a temporary file in \(Text.oneLine(folder, limit: 200)): \(String(cString: strerror(errno)))")
    }
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    self.fd = fd
    self.path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  deinit { discard() }

  func write(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { BodyStream(fd: fd, keep: 0).write($0) }
  }

  /// Moves the finished download into place.
  func commit(to destination: String) throws(JobctlError) {
    guard !done else { return }
    done = true
    fsync(fd)
    close(fd)
    guard rename(path, destination) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(path)
      throw .usage("cannot write \(Text.oneLine(destination, limit: 200)): \(reason)")
    }
  }

  /// Copies the whole file to a sink (stdout).
  func copy(to sink: TextSink) {
    _ = lseek(fd, 0, SEEK_SET)
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return }
      sink.writeBytes(Array(buffer[0..<n]))
    }
  }

  func discard() {
    guard !done else { return }
    done = true
    close(fd)
    unlink(path)
  }
}
