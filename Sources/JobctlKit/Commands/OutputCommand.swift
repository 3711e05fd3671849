import JobctlEngine
import JobctlFiles
import JobctlHTTP
import JobctlOutput
import JobctlShapes
import JobctlSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `output`: fetch a finished job's output to stdout or a file (docs/behaviour.md "Starting,
/// cancelling, listing, fetching output").
enum OutputCommand {
  static func run(_ invocation: Invocation, environment: [String: String], services: Services) throws(JobctlError)
    -> Int32
  {
    let fetch = try OutputFetch(invocation)
    let context = try NetworkContext.make(invocation, environment: environment, services: services)
    let job = try context.resolve(invocation.arguments[0])
    return context.presenter.present(
      .fetched(try fetch.run(job: job, context: context, stdout: context.services.streams.stdout, pollFirst: true)))
  }

  /// One poll of the job, judged by the shape as `wait` judges it.
  ///
  /// Only a completed job has output to fetch. A failed job is exit 1, a canceled one 3, one not finished 9, a document the shape
  /// cannot place 6; nothing is fetched and no file is created. Returns the job's document (for
  /// an `output-url` that reads it).
  static func completedDocument(_ job: JobReference, context: NetworkContext) throws(JobctlError) -> (
    document: JSON?, dialect: Dialect?
  ) {
    let poll = try context.pollRequest(job)
    let dialect = context.settings.dialect
    let answer: HTTPResponse
    switch context.send(
      poll, subject: "job \(job.label)", label: job.label, alsoAccept: dialect?.namedStatuses ?? [])
    {
    case .failure(let error): throw error
    case .success(let response): answer = response
    }
    var probe = JobWatch(label: job.label, request: poll, dialect: dialect, policy: context.settings.policy)
    let label = Text.oneLine(job.label, limit: 120)
    switch probe.adopt(answer, now: context.services.clock.monotonic, report: { _ in }) {
    case .finish(let error)?:
      if let error { throw error.prefixed("no output: ") }
    case .again?:
      throw .stillRunning(.noOutputYet(still: probe.stillText), shown: true)
    case nil where answer.status == 202:
      throw .stillRunning(.noOutputYet(still: "job \(label) is not finished (HTTP 202 Accepted)"), shown: true)
    case nil:
      throw .rejected(.notPlaceable(job: label, status: answer.status, shape: context.settings.shape.name))
    }
    // With `auto`, the shape the answer was read as says where the output is (HotCRP's output=).
    return (answer.documentAsSent() ?? (try? JSON.parse(answer.body)), probe.dialect)
  }

  /// Where the output is: the shape's `output-url` expanded for the job (after one poll, when it
  /// reads the job's document) and resolved against the job's URL; nil when a value it needs is
  /// absent or null, so there is nothing to fetch.
  static func outputURL(
    _ job: JobReference, kind: OutputFetch.Kind, context: NetworkContext, document known: JSON? = nil,
    shape: Dialect? = nil
  ) throws(JobctlError) -> String? {
    guard let template = (shape ?? context.settings.shape).outputURL else { return nil }
    var document = known
    if document == nil, template.readsDocument { document = try context.document(of: job) }
    let expanded: String?
    do throws(ShapeSyntaxError) {
      expanded = try template.expand(id: job.label, url: job.url, document: document, outputKind: kind.rawValue)
    } catch {
      throw .usage(.templateUnusable("output-url", "\(template)", job: job.label, problem: error.message))
    }
    guard let expanded, !expanded.isEmpty else { return nil }
    return URLParts(expanded) != nil ? expanded : URLParts.resolving(expanded, against: job.url)
  }
}

/// What `-o FILE`, `--as` and `--continue` ask for, and the download itself: `output` runs it,
/// and so do `wait -o` and `start --wait -o` once the job completed.
struct OutputFetch {
  /// Which output `--as` fetches (HotCRP's `output=`); the cases are its choices.
  enum Kind: String, CaseIterable {
    case body, string, json
  }

  let kind: Kind
  /// `-o` as given; nil for stdout.
  let file: String?
  let resume: Bool

  /// Output formats other tools take as `-o NAME`, refused as a file name not yet there.
  static let formatWords: Set<String> = ["json", "yaml", "yml", "wide", "name", "jsonpath", "table", "tsv", "text"]

  /// Reads the options and examines FILE, so a folder that does not exist is exit 10 before
  /// anything is sent.
  init(_ invocation: Invocation) throws(JobctlError) {
    // The parser took only a choice's name.
    kind = invocation.value(.as).flatMap(Kind.init(rawValue:)) ?? .body
    file = invocation.value(.output)
    resume = invocation.has(.continue)
    if let file, file.isEmpty { throw .usage(.emptyOutputName) }
    if resume && (file == nil || file == "-") {
      throw .usage(.continueWithoutFile)
    }
    let target = try OutputFile.examine(file)
    // kubectl's, az's and aws's `-o json`: here -o is curl's, a file; `-o ./json` means one.
    if let file, !target.exists, !file.contains("/"), Self.formatWords.contains(Text.lowercased(file)) {
      throw .usage(.outputIsAFile(word: file))
    }
    if resume && target.kind == .direct {
      throw .usage(.continueNeedsRegularFile(target.shown))
    }
  }

  /// The fetch `wait -o` and `start --wait -o` make once the job completed (nil without `-o`).
  ///
  /// stdout carries their final document, so the output needs a FILE there.
  static func afterWait(_ invocation: Invocation) throws(JobctlError) -> OutputFetch? {
    let name = invocation.command.key == .start ? "start --wait" : invocation.command.name
    guard let file = invocation.value(.output) else {
      if invocation.has(.as) || invocation.has(.continue) { throw .usage(.outputOptionsWithoutFile) }
      return nil
    }
    if file == "-" { throw .usage(.outputToStdoutAfterWait(command: name)) }
    return try OutputFetch(invocation)
  }

  /// Downloads the output of `job` to its destination; returns what there is to say of it.
  ///
  /// `pollFirst`: the job is polled once first, and only a completed one's output is fetched
  /// (`output`; a wait has judged it already). The temporary file is made before, so a FILE
  /// that cannot be written is exit 10 before anything is sent, and removed when the job has no
  /// output. `detected`: the shape a wait with `auto` read the job as.
  func run(
    job: JobReference, context: NetworkContext, stdout: TextSink, pollFirst: Bool = false, detected: Dialect? = nil
  ) throws(JobctlError) -> FetchedOutput {
    // Examined again: a wait may have taken hours.
    // A shape whose output is one value of a JSON answer (`output-path`): the answer is read
    // whole, and a part of it cannot be resumed.
    let outputPath = kind == .body ? context.settings.shape.outputPath : nil
    if outputPath != nil && resume {
      throw .usage(.cannotResumeOutputPath(shape: context.settings.shape.name))
    }
    let (temp, destination) = try OutputFile.examine(file).temporary()
    defer { temp.discard() }
    let polled = pollFirst ? try OutputCommand.completedDocument(job, context: context) : nil
    let document = polled?.document
    var shape = context.settings.shape
    if shape.outputURL == nil, let detected = polled?.dialect ?? detected { shape = detected }
    // A shape that says nowhere where a job's output is (only some do): nothing to ask for.
    if shape.outputURL == nil && outputPath == nil {
      throw .rejected(.noOutputLocation(shape: shape.name))
    }
    guard let url = try OutputCommand.outputURL(job, kind: kind, context: context, document: document, shape: shape)
    else {
      let label = Text.oneLine(job.label, limit: 120)
      let readsDocument = shape.outputURL?.readsDocument == true
      return FetchedOutput(
        note: "jobctl: job \(label) has no output to fetch"
          + (readsDocument ? " (its document names no output URL; `jobctl status \(label) --json` shows it)" : ""))
    }
    var request = context.request(url: url, credentialHost: job.credentialHost)
    // The job's output is data: handed over byte for byte, never scrubbed.
    request.verbatim = true
    request.headers.removeAll(where: { Text.equalsIgnoringCase($0.name, "Accept") })
    request.headers.append(HTTPHeader("Accept", "*/*"))
    request.stallTimeout = context.settings.transport.requestTimeout
    let prefix = resume && destination.size > 0 ? try temp.copyIn(from: destination.path) : 0
    let stream = kind == .body && outputPath == nil ? BodyStream(fd: temp.fd, keep: prefix) : nil
    request.stream = stream
    var watch = DownloadWatch(
      request: request, subject: "job \(job.label)", policy: context.settings.policy, stream: stream, prefix: prefix)
    if let error = context.scheduler.run(
      &watch, report: { [reporter = context.reporter] in reporter.report($0, job: job.label) })
    {
      if case .localWrite(let reason) = error {
        throw .localWrite(.within("cannot write \(destination.shown): ", reason))
      }
      throw error
    }
    guard let response = watch.response else { throw .unreachable(.noAnswer("job \(job.label)")) }
    let label = Text.oneLine(job.label, limit: 120)
    switch response.status {
    case 416:
      // A resume whose file already holds everything: `Content-Range: bytes */SIZE`.
      guard response.header("Content-Range").flatMap(ContentRange.init)?.total == prefix else {
        throw .rejected(.partialDoesNotFit(answer: Messages.forErrorAnswer(status: 416, body: response.body)))
      }
      return FetchedOutput(note: "jobctl: \(destination.shown) is already complete")
    case 204:
      return FetchedOutput(note: "jobctl: job \(label) has no output (HTTP 204)")
    default:
      break
    }
    if response.status != 206 {
      try refuseUnfinished(
        response, body: stream == nil ? response.body : temp.contents(limit: 1 << 20), job: job,
        context: context)
    }
    try unwrap(response, outputPath: outputPath, into: temp, label: label)
    if destination.kind == .stdout(explicit: false), stdout.isTerminal, temp.holdsControlBytes() {
      // As curl does with binary output: a terminal would act on them.
      throw .localWrite(.outputDrivesTerminal(job: label))
    }
    try temp.commit(interruptions: context.services.interruptions) { stdout.writeBytes($0) }
    return FetchedOutput()
  }

  /// Writes the output a JSON answer wraps into `temp`: the value at the shape's `output-path`,
  /// or the `output` member of a `--as string` or `json` answer (a body was streamed already).
  private func unwrap(_ response: HTTPResponse, outputPath: JSONPath?, into temp: TempFile, label: String)
    throws(JobctlError)
  {
    if let outputPath {
      guard let document = try? JSON.parse(response.body), let value = outputPath.value(in: document),
        value != .null
      else {
        throw .rejected(.noOutputValue(job: label, path: outputPath))
      }
      // A string is the output itself (Ray's logs); anything else is shown as JSON.
      let text = value.stringValue ?? value.serialized() + "\n"
      try temp.write(Array(text.utf8))
    } else if kind != .body {
      // string and json answers wrap the output: {"ok": true, "output": ...}.
      guard let document = try? JSON.parse(response.body), let value = document["output"] else {
        throw .rejected(.noOutputMember(kind: kind.rawValue, job: label))
      }
      try temp.write(Array((kind == .string ? value.displayText : value.serialized() + "\n").utf8))
    }
  }

  /// Refuses an answer that is the document of a job not yet finished: exit 9, its state named.
  ///
  /// HotCRP answers 202 with its status document; a 202 of any other kind says the same.
  private func refuseUnfinished(_ response: HTTPResponse, body: [UInt8]?, job: JobReference, context: NetworkContext)
    throws(JobctlError)
  {
    var probe = JobWatch(
      label: job.label, request: HTTPRequest(url: job.url), dialect: context.settings.dialect,
      policy: context.settings.policy)
    var answer = response
    answer.body = body ?? []
    let label = Text.oneLine(job.label, limit: 120)
    if body != nil, case .again? = probe.adopt(answer, now: context.services.clock.monotonic, report: { _ in }) {
      throw .stillRunning(.noOutputYet(still: probe.stillText), shown: true)
    }
    if response.status == 202 {
      throw .stillRunning(.noOutputYet(still: "job \(label) is not finished (HTTP 202 Accepted)"), shown: true)
    }
  }
}
