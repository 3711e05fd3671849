/// `cancel`, and the cancel sent by `wait --cancel-on-interrupt` (README "Starting, cancelling,
/// listing, fetching output").
enum CancelCommand {
  /// What the server said to one cancel request.
  enum Answer {
    /// 2xx with `accepted` true (or no `accepted` at all).
    case accepted(HTTPResponse)
    /// 200 with `accepted: false`: the job is already terminal; `reason` says how.
    case alreadyTerminal(reason: String, HTTPResponse)
    /// 409: this stage cannot be canceled (`JOB_CANCEL_UNAVAILABLE`); retry later.
    case refused(stage: String?, code: String, HTTPResponse)
    /// 405 or 501: the API has no cancel.
    case unsupported(HTTPResponse)
    /// A 2xx that says no (`ok`, `stopped` in a form of false, an `error` member) or that is not
    /// JSON: exit 6 with the server's reason.
    case declined(reason: String, HTTPResponse)
  }

  static func run(_ invocation: Invocation, environment: [String: String], services: Services) throws(JobctlError)
    -> Int32
  {
    let context = try NetworkContext.make(invocation, environment: environment, services: services)
    let job = try context.resolve(invocation.arguments[0])
    let output = context.settings.output
    if invocation.has(.wait) {
      var watch = try CancelAndWait(job: job, context: context)
      let error = context.scheduler.run(&watch) { [reporter = context.reporter] in reporter.report($0, job: job.label) }
      var renderer = context.renderer
      renderer.cancelAsked = true
      return renderer.finish(WaitOutcome(error: error, watch: watch.watch), job: job.label)
    }
    let request = try cancelRequest(job, context: context)
    var watch = RequestWatch(
      request: request, subject: "job \(job.label)", policy: context.settings.policy, alsoAccept: [404, 405, 409, 501])
    var answer: Answer?
    let error = context.scheduler.run(&watch) { [reporter = context.reporter] in reporter.report($0, job: job.label) }
    if let response = watch.response, error == nil, response.status == 404 {
      // 404 at the cancel URL: the job is gone, or the API has no such route. One poll tells.
      switch context.send(try context.pollRequest(job), subject: "job \(job.label)", label: job.label) {
      case .success:
        throw .rejected(
          "job \(job.label) cannot be canceled: this API has no such cancel (\(HTTPStatus.describe(404)) at \(request.url), while the job's own URL answers)"
        )
      case .failure(let failure): throw failure
      }
    }
    if let response = watch.response {
      answer = interpret(response, dialect: context.settings.dialect, shape: context.settings.shape)
    }
    switch (answer, error) {
    case (.accepted(let response)?, nil):
      print(response, text: "job: \(job.label)\ncancel: accepted\n", context: context)
      return 0
    case (.alreadyTerminal(let reason, let response)?, _):
      print(response, text: "job: \(job.label)\ncancel: not accepted\nreason: \(reason)\n", context: context)
      if !output.quiet {
        context.diagnostics.line("jobctl: job \(Text.oneLine(job.label, limit: 120)) was not canceled: \(reason)")
      }
      return 0
    case (.refused(let stage, let code, let response)?, _):
      print(response, text: "job: \(job.label)\ncancel: refused\n", context: context)
      throw .rejected(refusal(job, stage: stage, code: code))
    case (.unsupported(let response)?, _):
      throw .rejected(
        "job \(job.label) cannot be canceled: this API has no such cancel (\(HTTPStatus.describe(response.status)))")
    case (.declined(let reason, let response)?, _):
      print(response, text: "job: \(job.label)\ncancel: refused\nreason: \(reason)\n", context: context)
      throw .rejected("the cancel of job \(job.label) was refused: \(reason)")
    default:
      throw error ?? .rejected("the cancel answer for job \(job.label) was not understood")
    }
  }

  /// The request the shape's `cancel` template describes (by default POST `{url}/cancel`, the
  /// suffix before any query string), with `cancel-data` as its body (none by default) and the
  /// `cancel-header` headers.
  ///
  /// A template that reads the job's document (`{+.urls.cancel}`) uses `document`, or polls once
  /// when there is none.
  static func cancelRequest(_ job: JobReference, document: JSON? = nil, context: NetworkContext) throws(JobctlError)
    -> HTTPRequest
  {
    let shape = context.settings.shape
    guard let cancel = shape.cancel else {
      throw .rejected("job \(job.label) cannot be canceled: the \(shape.name) API has no cancel (cancel = none)")
    }
    var document = document
    let readsDocument =
      cancel.template.readsDocument || cancel.body?.readsDocument == true
      || cancel.headers.contains { $0.value.readsDocument }
    if document == nil, readsDocument { document = try context.document(of: job) }
    let expanded: String?
    var body: [UInt8] = []
    var extra: [HTTPHeader] = []
    do throws(ShapeSyntaxError) {
      expanded = try cancel.template.expand(id: job.label, url: job.url, document: document)
      if let data = cancel.body {
        body = Array(try data.expandText(.body, id: job.label, url: job.url, document: document).utf8)
      }
      extra = try NetworkContext.headers(cancel.headers, id: job.label, url: job.url, document: document)
    } catch {
      throw .usage("the cancel template \(cancel.template) cannot be used for job \(job.label): \(error.message)")
    }
    guard let expanded, !expanded.isEmpty else {
      throw .rejected("job \(job.label) cannot be canceled: its cancel template \(cancel.template) names nothing")
    }
    let url = URLParts(expanded) != nil ? expanded : URLParts.resolving(expanded, against: job.url)
    return context.request(cancel.method, url: url, credentialHost: job.credentialHost, body: body, extra: extra)
  }

  /// Reads a cancel answer by the general rules of README "Starting, cancelling, listing, fetching
  /// output"; nil for anything else.
  ///
  /// A 2xx is accepted unless it says `accepted: false` or is a job document the shape finds
  /// terminal already.
  static func interpret(_ response: HTTPResponse, dialect: Dialect?, shape: Dialect? = nil) -> Answer? {
    let document = try? JSON.parse(response.body)
    // The shape's own word first: refused, then accepted.
    let answer = JobAnswer(response, document: document)
    if let refused = shape?.cancelRefused.first(where: { $0.holds(answer) }) {
      let said = declined(document) ?? document.flatMap { Messages.all(in: $0).first }.map { Text.oneLine($0) }
      return .declined(reason: said ?? "the answer fits cancel-refused-when \(refused)", response)
    }
    if shape?.cancelAccepted.contains(where: { $0.holds(answer) }) == true { return .accepted(response) }
    switch response.status {
    case 200..<300:
      let blank = response.body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
      if document == nil, !blank {
        let kind = response.header("Content-Type").map { " (\(Text.oneLine($0, limit: 60)))" } ?? ""
        return .declined(
          reason:
            "the answer\(kind) is not JSON, so it does not say the cancel was accepted: \(Text.oneLine(String(decoding: response.body.prefix(200), as: UTF8.self), limit: 120))",
          response)
      }
      if let reason = declined(document) { return .declined(reason: reason, response) }
      if let accepted = document?["accepted"], isFalse(accepted) {
        let reason =
          document?["reason"]?.stringValue ?? document.flatMap { Messages.all(in: $0).first } ?? "not accepted"
        return .alreadyTerminal(reason: Text.oneLine(reason), response)
      }
      if let document, document.isObject, document["accepted"] == nil,
        let shape = dialect ?? Dialects.detect(document),
        case .state(let snapshot, _) = shape.judge(JobAnswer(response, document: document)), snapshot.state.isTerminal
      {
        return .alreadyTerminal(reason: "the job is \(snapshot.state.rawValue) already", response)
      }
      return .accepted(response)
    case 409:
      let error = document?["error"]
      let details = error?["details"] ?? document?["details"]
      let stage = details?["stage"]?.stringValue ?? error?["stage"]?.stringValue
      let subcode = details?["subcode"]?.stringValue ?? error?["subcode"]?.stringValue
      return .refused(
        stage: stage.map { Text.oneLine($0) },
        code: Text.oneLine(subcode ?? Messages.forErrorAnswer(status: 409, body: response.body)), response)
    case 405, 501:
      return .unsupported(response)
    default:
      return nil
    }
  }

  /// Whether a JSON value is a form of false: `false`, a number equal to 0, or the strings
  /// `false`, `0`, `no` and `off` in any case.
  static func isFalse(_ value: JSON) -> Bool {
    switch value {
    case .bool(let b): return !b
    case .number(let text): return Double(text) == 0
    case .string(let text): return ["false", "0", "no", "off"].contains(Text.lowercased(text))
    default: return false
    }
  }

  /// The reason a 2xx cancel answer says no: `ok` or `stopped` in a form of false (HotCRP, Ray),
  /// or an `error` member that is not null, false or empty; nil otherwise.
  static func declined(_ document: JSON?) -> String? {
    guard let document, document.isObject else { return nil }
    let said = document["reason"]?.stringValue ?? document["message"]?.stringValue
    for key in ["ok", "stopped"] {
      if let value = document[key], isFalse(value) {
        let words = said ?? document["error"].flatMap { $0.stringValue ?? $0["message"]?.stringValue }
        return Text.oneLine(words.map { "\($0) (\(key): \(value.serialized()))" } ?? "\(key): \(value.serialized())")
      }
    }
    if let error = document["error"], error != .null, !isFalse(error), error != .string(""), error != .object([]) {
      return Text.oneLine(error.stringValue ?? error["message"]?.stringValue ?? error.serialized(), limit: 300)
    }
    return nil
  }

  static func refusal(_ job: JobReference, stage: String?, code: String) -> String {
    let place = stage.map { "in stage \($0)" } ?? "in its current stage"
    return "job \(job.label) cannot be canceled \(place) (\(code)); retry later, or use --wait"
  }

  private static func print(_ response: HTTPResponse, text: String, context: NetworkContext) {
    let output = context.settings.output
    let stdout = context.services.streams.stdout
    if let field = output.field {
      if let value = (try? JSON.parse(response.body)).flatMap({ field.value(in: $0) }) {
        stdout.write(Renderer.fieldText(value, on: stdout) + "\n")
      }
      return
    }
    switch output.format {
    case .json:
      let body = String(decoding: response.body, as: UTF8.self)
      stdout.write(body.isEmpty ? "{}\n" : Text.endsWithNewline(body) ? body : body + "\n")
    case .ndjson:
      stdout.write(((try? JSON.parse(response.body)) ?? .object([])).serialized() + "\n")
    case .text:
      if !output.quiet { stdout.write(output.forPeople(text)) }
    }
  }

  /// How long the cancels of `--cancel-on-interrupt` may take, all together: a CI runner sends
  /// SIGTERM 7.5 s after its SIGINT, and kills the step soon after.
  static let interruptGrace: Double = 5

  /// Sends the cancels of `wait --cancel-on-interrupt` after SIGINT or SIGTERM.
  ///
  /// All at once, on the same scheduler (so the host gates and budgets hold), within one grace
  /// period; a second signal ends them at once. The outcome stays the interrupt. Each job comes
  /// with the wait's last document, for a template that reads it; without one, no poll is made
  /// (the user asked to stop).
  static func cancelOnInterrupt(_ jobs: [(job: JobReference, document: JSON?)], context: NetworkContext) {
    guard !jobs.isEmpty else { return }
    Signals.reset()
    var policy = context.settings.policy
    policy.timeout = interruptGrace
    policy.until = nil
    policy.startedAt = context.services.clock.monotonic
    policy.maxAttempts = nil
    policy.staleAfter = nil
    var sent: [JobReference] = []
    var watches: [RequestWatch] = []
    for (job, document) in jobs {
      do throws(JobctlError) {
        if document == nil, context.settings.shape.cancel?.template.readsDocument == true {
          throw .rejected("its cancel URL comes from a job document, and none was seen")
        }
        let request = try cancelRequest(job, document: document, context: context)
        watches.append(
          RequestWatch(request: request, subject: "job \(job.label)", policy: policy, alsoAccept: [405, 409, 501]))
        sent.append(job)
      } catch {
        context.diagnostics.line(
          "jobctl: cancel of job \(Text.oneLine(job.label, limit: 120)) failed: \(error.message ?? "")")
      }
    }
    let results = context.scheduler.run(&watches, report: { _, _ in })
    for ((job, watch), result) in zip(zip(sent, watches), results) {
      let label = Text.oneLine(job.label, limit: 120)
      guard let response = watch.response else {
        let reason = (result ?? nil)?.message ?? "no answer"
        context.diagnostics.line("jobctl: cancel of job \(label) failed: \(reason)")
        continue
      }
      switch interpret(response, dialect: context.settings.dialect, shape: context.settings.shape) {
      case .accepted?: context.diagnostics.line("jobctl: cancel of job \(label) accepted")
      case .alreadyTerminal(let reason, _)?:
        context.diagnostics.line("jobctl: job \(label) was not canceled: \(reason)")
      case .refused(let stage, let code, _)?:
        context.diagnostics.line("jobctl: \(refusal(job, stage: stage, code: code))")
      case .unsupported?: context.diagnostics.line("jobctl: job \(label) cannot be canceled: the API has no cancel")
      case .declined(let reason, _)?:
        context.diagnostics.line("jobctl: the cancel of job \(label) was refused: \(reason)")
      case nil:
        context.diagnostics.line(
          "jobctl: cancel of job \(label) failed: \(Messages.forErrorAnswer(status: response.status, body: response.body))"
        )
      }
    }
  }
}

/// `cancel --wait`: cancel, and while the stage refuses, poll the job and cancel again at each
/// poll; once accepted (or the job ended), wait for the terminal state.
struct CancelAndWait: PollStepper {
  let job: JobReference
  private(set) var watch: JobWatch
  private let cancel: HTTPRequest
  private var retrier: Retrier
  private var cancelPending = true
  private let dialect: Dialect?
  private let shape: Dialect
  private var lastWasCancel = false

  init(job: JobReference, context: NetworkContext) throws(JobctlError) {
    self.job = job
    let poll = try context.pollRequest(job)
    watch = JobWatch(
      label: job.label, request: poll, dialect: context.settings.dialect, policy: context.settings.policy)
    cancel = try CancelCommand.cancelRequest(job, context: context)
    retrier = Retrier(policy: context.settings.policy)
    dialect = context.settings.dialect
    shape = context.settings.shape
  }

  var policy: PollPolicy { watch.policy }
  var stillText: String { watch.stillText + (cancelPending ? "; the cancel was not accepted yet" : "") }

  mutating func nextRequest() -> HTTPRequest {
    lastWasCancel = cancelPending && !lastWasCancel
    return lastWasCancel ? cancel : watch.request
  }

  mutating func absorb(
    _ result: Result<HTTPResponse, TransportFailure>, now: Double, wall: Double, random: RandomSource,
    report: (PollEvent) -> Void
  ) -> PollStep {
    guard lastWasCancel else {
      return watch.absorb(result, now: now, wall: wall, random: random, report: report)
    }
    switch result {
    case .success(let response):
      // The shape's retry-when and gone-when come before any reading of the answer.
      let retryAfter = response.retryAfter(now: wall)
      if let verdict = retrier.policy.answerRules.verdict(
        response, subject: "job \(job.label)", retryAfter: retryAfter)
      {
        return retrier.handle(verdict, retryAfter: retryAfter, random: random, report: report)
      }
      switch CancelCommand.interpret(response, dialect: dialect, shape: shape) {
      case .unsupported?:
        return .finish(.rejected("job \(job.label) cannot be canceled: the API has no cancel"))
      case .declined(let reason, _)?:
        return .finish(.rejected("the cancel of job \(job.label) was refused: \(reason)"))
      case .accepted?, .alreadyTerminal?:
        cancelPending = false
        retrier.succeeded()
        return .again(after: 0, firm: false)
      case .refused?:
        // Poll the job now; the cancel is tried again before the next poll.
        retrier.succeeded()
        return .again(after: 0, firm: false)
      case nil:
        let verdict = Verdict.of(response, subject: "job \(job.label)", retryAfter: retryAfter)
        return retrier.handle(
          verdict == .answered ? .end(.rejected("the cancel answer was not understood")) : verdict,
          retryAfter: retryAfter, random: random, report: report)
      }
    case .failure(let failure):
      return retrier.handle(.of(failure), retryAfter: nil, random: random, report: report)
    }
  }
}
