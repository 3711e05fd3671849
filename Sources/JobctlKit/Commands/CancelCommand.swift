import JobctlEngine
import JobctlHTTP
import JobctlOutput
import JobctlShapes
import JobctlSupport

/// `cancel`, and the cancel sent by `wait --cancel-on-interrupt` (docs/behaviour.md "Starting,
/// cancelling, listing, fetching output").
enum CancelCommand: NetworkCommand {
  /// The cancel's answer, or with `--wait` how the job ended.
  static func result(_ invocation: Invocation, context: NetworkContext) throws(JobctlError) -> CommandResult {
    let job = try context.resolve(invocation.arguments[0])
    if invocation.has(.wait) {
      var watch = CancelAndWait(
        job: job.label, poll: try context.pollRequest(job), cancel: try cancelRequest(job, context: context),
        dialect: context.settings.dialect, shape: context.settings.shape, policy: context.settings.policy)
      let error = context.scheduler.run(&watch) { [reporter = context.reporter] in reporter.report($0, job: job.label) }
      return .job(JobEnd(outcome: WaitOutcome(error: error, watch: watch.watch), job: job.label, cancelAsked: true))
    }
    let request = try cancelRequest(job, context: context)
    var watch = RequestWatch(
      request: request, subject: "job \(job.label)", policy: context.settings.policy, alsoAccept: [404, 405, 409, 501])
    let error = context.scheduler.run(&watch) { [reporter = context.reporter] in reporter.report($0, job: job.label) }
    if let response = watch.response, error == nil, response.status == 404 {
      // 404 at the cancel URL: the job is gone, or the API has no such route. One poll tells.
      switch context.send(try context.pollRequest(job), subject: "job \(job.label)", label: job.label) {
      case .success:
        throw .rejected(.noCancelAt(job: job.label, url: request.url))
      case .failure(let failure): throw failure
      }
    }
    let answer = watch.response.flatMap {
      CancelAnswer.interpret($0, dialect: context.settings.dialect, shape: context.settings.shape)
    }
    switch (answer, error) {
    // An answer that was read counts, but an accepted one only when nothing went wrong after.
    case (.accepted?, .some): break
    case (let answer?, _): return .cancel(CancelReply(job: job.label, answer: answer))
    case (nil, _): break
    }
    throw error ?? .rejected(.cancelNotUnderstood(job: job.label))
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
      throw .rejected(.shapeHasNoCancel(job: job.label, shape: shape.name))
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
      throw .usage(.templateUnusable("cancel template", "\(cancel.template)", job: job.label, problem: error.message))
    }
    guard let expanded, !expanded.isEmpty else {
      throw .rejected(.cancelNamesNothing(job: job.label, template: "\(cancel.template)"))
    }
    let url = URLParts(expanded) != nil ? expanded : URLParts.resolving(expanded, against: job.url)
    return context.request(cancel.method, url: url, credentialHost: job.credentialHost, body: body, extra: extra)
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
          throw .rejected(.cancelURLUnseen)
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
      switch CancelAnswer.interpret(response, dialect: context.settings.dialect, shape: context.settings.shape) {
      case .accepted?: context.diagnostics.line("jobctl: cancel of job \(label) accepted")
      case .alreadyTerminal(let reason, _)?:
        context.diagnostics.line("jobctl: job \(label) was not canceled: \(reason)")
      case .refused(let stage, let code, _)?:
        context.diagnostics.line("jobctl: \(CancelAnswer.refusal(job.label, stage: stage, code: code))")
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
