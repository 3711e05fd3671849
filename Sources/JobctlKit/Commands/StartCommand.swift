import JobctlEngine
import JobctlHTTP
import JobctlOutput
import JobctlShapes
import JobctlSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `start`: POST a job with an Idempotency-Key, print its id, or go on waiting for it.
enum StartCommand: NetworkCommand {
  /// The job created, or how it ended with `--wait` (or when the answer was its result already).
  static func result(_ invocation: Invocation, context: NetworkContext) throws(JobctlError) -> CommandResult {
    let services = context.services
    let target = try startURL(invocation.arguments[0], settings: context.settings)
    let (body, contentType) = try requestBody(invocation, services: services)
    let method = invocation.value(.method) ?? "POST"
    guard !method.isEmpty, method.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) else {
      throw .usage(.notAMethod(method))
    }
    let key = invocation.value(.idempotencyKey) ?? UUID4.random(services.random)
    guard !key.isEmpty, !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
      throw .usage(.badIdempotencyKey)
    }
    if !invocation.has(.wait),
      let option = [OptionKey.output, .as, .continue, .cancelOnInterrupt, .allJobs, .anyJob].first(
        where: invocation.has)
    {
      throw .usage(.needsWait("--\(option.spec.long)"))
    }
    // Before the start: a folder that does not exist is exit 10 with nothing created.
    let fetch = try OutputFetch.afterWait(invocation)
    let startHeaders: [HTTPHeader]
    do throws(ShapeSyntaxError) {
      startHeaders = try NetworkContext.headers(context.settings.shape.startHeaders, id: nil, url: nil, document: nil)
    } catch {
      throw .usage(
        .badShapeKey(origin: "", key: "start-header", shape: context.settings.shape.name, problem: error.message))
    }
    var request = context.request(
      method, url: target.url, credentialHost: target.credentialHost, body: body, extra: startHeaders,
      contentType: contentType)
    request.headers.append(HTTPHeader("Idempotency-Key", key))

    var watch = RequestWatch(
      request: request, subject: "\(method) \(target.label)", policy: context.settings.policy,
      resendable: context.settings.shape.idempotentStart, judgesGone: false)
    if let error = context.scheduler.run(
      &watch, report: { [reporter = context.reporter] in reporter.report($0, job: target.label) })
    {
      if watch.mayHaveReachedServer, let unconfirmed = unconfirmed(error, key: key, target: target) {
        return .unconfirmedStart(unconfirmed)
      }
      throw error
    }
    guard let answer = watch.response else { throw .unreachable(.noAnswer("\(method) \(target.label)")) }
    let start = StartRecord(method: method, url: target.url, answer: answer)
    return try finish(answer, invocation: invocation, target: target, context: context, fetch: fetch, start: start)
  }

  /// A start that ended without an answer naming its job once its request may have been out, as
  /// the presenter tells it (the key to resend with); nil when no job can have been created.
  ///
  /// A signal while it was out, `--timeout`, a failure after it was sent: a job may have been
  /// created.
  static func unconfirmed(_ error: JobctlError, key: String, target: JobReference) -> UnconfirmedStart? {
    switch error {
    case .interrupted, .timedOut, .unreachable, .stalled, .rejected: break
    default: return nil
    }
    let reason: String
    if case .interrupted(let signal) = error {
      let names: [Int32: String] = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"]
      reason = "interrupted (\(names[signal] ?? "signal \(signal)")) while its request was out"
    } else {
      reason = Text.oneLine(error.message ?? "failed", limit: 300)
    }
    let start = UnconfirmedStart(error: error, job: target.label, key: key, reason: reason)
    // A refusal is no job, unless it is the resend answered "already exists" (which names the key).
    if case .rejected = error, !start.saysKey { return nil }
    return start
  }

  /// Reads the start answer: a job to print or wait for, or a result already (synchronous work).
  static func finish(
    _ answer: HTTPResponse, invocation: Invocation, target: JobReference, context: NetworkContext,
    fetch: OutputFetch? = nil, start: StartRecord? = nil
  ) throws(JobctlError) -> CommandResult {
    let document = try? JSON.parse(answer.body)
    // The job's id and URL as the server gave them, even when they hold a secret it echoed back
    // (a URL signed with the token): they are what the next requests need. Output scrubs them.
    let source = JobAnswer(answer, document: answer.documentAsSent() ?? document)
    let shape = context.settings.shape
    let found = { (operand: Operand) -> String? in
      guard let value = operand.first(source), value.stringValue != "" else { return nil }
      return value.displayText
    }
    let id = shape.idPaths.lazy.compactMap(found).first
    let poll = shape.pollURL(source)
    let location = poll?.url
    let places = (shape.idPaths + shape.urlPaths).map(\.description).joined(separator: ", ")

    guard id != nil || location != nil else {
      // No job: the work may have finished synchronously (Azure's 201 with a terminal
      // `provisioningState`, HotCRP's 200 with a status).
      if case .state(var snapshot, let why)? = shape.judgeStart(JobAnswer(answer, document: document)) {
        snapshot.decidedBy = why
        if context.settings.output.verbose {
          WaitCommand.traceDecision(
            .state(snapshot, httpStatus: answer.status), job: target.label, diagnostics: context.diagnostics)
        }
        let error = JobWatch.ending(snapshot, label: target.label)
        let outcome = WaitOutcome(error: error, body: answer.body, snapshot: snapshot, dialect: shape)
        return .job(JobEnd(outcome: outcome, job: target.label))
      }
      if document?.isObject == true {
        var watch = JobWatch(
          label: target.label, request: HTTPRequest(url: target.url), dialect: context.settings.dialect,
          policy: context.settings.policy)
        if case .finish(let error)? = watch.adopt(answer, now: context.services.clock.monotonic, report: { _ in }) {
          return .job(JobEnd(outcome: WaitOutcome(error: error, watch: watch), job: target.label))
        }
      }
      return .unnamedJob(noJob(answer, document: document, target: target, places: places))
    }

    // The URL that answered (after redirects); the request's own when the transport has none.
    let answerURL = answer.url.isEmpty ? target.url : answer.url
    let job = try jobReference(id: id, location: location, answerURL: answerURL, context: context)
    if invocation.has(.wait) {
      // What a poll template's {.PATH} reads.
      var context = context
      context.startDocument = source.document
      context.reporter.note("started (\(HTTPStatus.describe(answer.status)))", job: job.label)
      guard let polledAs = poll?.shape else {
        return try WaitCommand.finish(
          job, invocation: invocation, context: context, fetch: fetch, first: answer,
          firstIsElsewhere: location != nil, start: start)
      }
      // The URL is polled as another shape says (Azure's `Location` as http-202); the start
      // answer is not that shape's document (a 201 would read as done), so the first poll decides.
      var switched = context
      switched.settings.dialect = polledAs
      switched.settings.shape = polledAs
      return try WaitCommand.finish(job, invocation: invocation, context: switched, fetch: fetch, start: start)
    }
    return .created(
      CreatedJob(
        target: target.label, body: answer.body, document: document, id: id, url: job.url,
        namedByURL: poll?.shape != nil))
  }

  /// A 2xx start answer in which the shape finds no job: the job may exist all the same, so the
  /// presenter prints the answer as it came, and the error names its keys.
  static func noJob(_ answer: HTTPResponse, document: JSON?, target: JobReference, places: String) -> UnnamedJob {
    var what: String
    switch document {
    case .object(let members)?:
      var seen = Set<String>()
      let keys = members.map(\.key).filter { seen.insert($0).inserted }
      let shown = keys.prefix(12).map { Text.oneLine($0, limit: 40) }.joined(separator: ", ")
      what = keys.isEmpty ? "an empty object" : "keys \(shown)" + (keys.count > 12 ? ", ..." : "")
    case .some: what = "JSON, but not an object"
    case nil:
      let blank = answer.body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
      what = blank ? "an empty body" : "a body that is not JSON"
    }
    let cause = JobctlError.Cause.namesNoJob(target: target.label, status: answer.status, places: places, found: what)
    return UnnamedJob(body: answer.body, cause: cause)
  }

  /// Where the job is polled: its URL when the answer gives one (a relative one resolved against
  /// the URL that answered, RFC 3986), else its id in the jobs path.
  static func jobReference(id: String?, location: String?, answerURL: String, context: NetworkContext)
    throws(JobctlError) -> JobReference
  {
    if let location, !location.isEmpty {
      let lower = Text.lowercased(location)
      var url = location
      if !(lower.hasPrefix("http://") || lower.hasPrefix("https://")), URLParts(answerURL) != nil {
        url = URLParts.resolving(location, against: answerURL)
      }
      guard let parts = URLParts(url) else {
        throw .rejected(.unusableJobURL(location))
      }
      let home = URLParts(answerURL)?.hostKey ?? parts.hostKey
      return JobReference(label: id ?? url, url: url, credentialHost: context.settings.baseURL?.hostKey ?? home)
    }
    return try JobReference.resolve(id ?? "", settings: context.settings)
  }

  /// The start URL: PATH against the base URL, or an absolute URL.
  static func startURL(_ text: String, settings: Settings) throws(JobctlError) -> JobReference {
    let lower = Text.lowercased(text)
    if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
      return try JobReference.resolve(text, settings: settings)
    }
    guard let baseText = settings.baseURLText, let base = settings.baseURL else {
      throw .usage(.noBaseURLToStart(text))
    }
    return try JobReference.underBase(text, base: base, baseText: baseText)
  }

  /// The body and its content type from `--data` or `--form`.
  static func requestBody(_ invocation: Invocation, services: Services) throws(JobctlError) -> ([UInt8]?, String?) {
    let forms = invocation.all(.form)
    if let data = invocation.value(.data) {
      guard forms.isEmpty else { throw .usage(.exclusive("--data", "--form")) }
      let bytes: [UInt8]
      if data == "@-" {
        switch services.streams.readStdin(limit: BoundedInput.stdinLimit) {
        case .success(let b): bytes = b
        case .failure(let e): throw e.error(reading: "the --data on stdin", limit: "16 MiB")
        }
      } else if data.hasPrefix("@") {
        switch services.readFile(String(data.dropFirst())) {
        case .success(let b): bytes = b
        case .failure(let e):
          throw e.error(.cannotRead("the --data file", path: String(data.dropFirst()), reason: e.reason))
        }
      } else {
        bytes = Array(data.utf8)
      }
      let isJSON = (try? JSON.parse(bytes)) != nil
      return (bytes, isJSON ? "application/json" : "application/x-www-form-urlencoded")
    }
    guard !forms.isEmpty else { return (nil, nil) }
    var fields: [String] = []
    for form in forms {
      guard let eq = form.firstIndex(of: "="), eq != form.startIndex else {
        throw .usage(.notNameValue(origin: "--form", value: form))
      }
      let name = PercentEncoding.component(String(form[..<eq]))
      let value = PercentEncoding.component(String(form[form.index(after: eq)...]))
      fields.append("\(name)=\(value)")
    }
    return (Array(fields.joined(separator: "&").utf8), "application/x-www-form-urlencoded")
  }
}

/// Random (version 4) UUIDs for Idempotency-Key.
enum UUID4 {
  static func random(_ source: RandomSource) -> String {
    var bytes = source.bytes(16)
    bytes[6] = (bytes[6] & 0x0F) | 0x40
    bytes[8] = (bytes[8] & 0x3F) | 0x80
    let hex = bytes.map { b -> String in
      let s = String(b, radix: 16)
      return s.count == 1 ? "0" + s : s
    }
    return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
  }
}
