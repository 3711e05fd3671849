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

/// `wait` and `status`: resolve the job, poll it, print how it ended.
enum WaitCommand: NetworkCommand {
  /// How the job ended, or the jobs.
  static func result(_ invocation: Invocation, context: NetworkContext) throws(JobctlError) -> CommandResult {
    var context = context
    if invocation.has(.allJobs) && invocation.has(.anyJob) { throw .usage(.exclusive("--all", "--any")) }
    let many = invocation.arguments.count > 1 || invocation.arguments == ["-"]
    if many && invocation.has(.output) { throw .usage(.outputOfManyJobs) }
    let fetch = try OutputFetch.afterWait(invocation)
    if many { return try waitForMany(invocation, context: context) }
    let job = try context.resolve(invocation.arguments[0])
    let oneShot = invocation.command.key == .status
    context.settings.policy.oneShot = oneShot
    if oneShot && context.settings.policy.timeout == nil && context.settings.policy.until == nil {
      context.settings.policy.timeout = PollPolicy.statusTimeout
    }
    return try finish(job, invocation: invocation, context: context, fetch: fetch)
  }

  /// Waits for one job to its end, cancels it after Ctrl-C when asked, fetches its output when
  /// `-o` asks and the job completed, and prints how it ended: `wait` and `start --wait`.
  ///
  /// The exit code is the job's, or the fetch's failure once the job completed.
  ///
  /// `first` is the start's answer, `firstIsElsewhere` when the job is polled at another URL than
  /// the one that answered it; `start` is that start, for the final result's URL (`final-url`).
  static func finish(
    _ job: JobReference, invocation: Invocation, context: NetworkContext, fetch: OutputFetch?,
    first: HTTPResponse? = nil, firstIsElsewhere: Bool = false, start: StartRecord? = nil
  ) throws(JobctlError) -> CommandResult {
    var (outcome, _) = try wait(
      for: job, context: context, first: first, documentOnly: firstIsElsewhere,
      quietProgress: context.settings.policy.oneShot)
    fetchFinalResult(&outcome, job: job, context: context, start: start)
    if invocation.has(.cancelOnInterrupt), case .interrupted? = outcome.error {
      CancelCommand.cancelOnInterrupt([(job, outcome.document)], context: context)
    }
    var fetched: Result<FetchedOutput, JobctlError>?
    if let fetch, outcome.error == nil {
      do {
        fetched = .success(
          try fetch.run(
            job: job, context: context, stdout: context.services.streams.stdout, detected: outcome.dialect))
      } catch {
        fetched = .failure(error)
      }
    }
    return .job(
      JobEnd(
        outcome: outcome, job: job.label, summarize: !context.settings.policy.oneShot,
        resume: resumeCommand(invocation), fetched: fetched))
  }

  /// The command that resumes an interrupted wait, nil when the interrupt cancels the job.
  ///
  /// `jobctl wait` (`status` for a status) with the options that say where and how to poll
  /// (base URL without its userinfo, dialect, profile, config, UNIX socket); headers and tokens
  /// stay out.
  static func resumeCommand(_ invocation: Invocation) -> String? {
    if invocation.has(.cancelOnInterrupt) { return nil }
    var words = ["jobctl", invocation.command.key == .status ? "status" : "wait"]
    let kept: [(OptionKey, String)] = [
      (.baseURL, "--base-url"), (.dialect, "--dialect"), (.profile, "--profile"), (.config, "--config"),
      (.unixSocket, "--unix-socket"),
    ]
    for (key, flag) in kept {
      guard let value = invocation.value(key) else { continue }
      words += [flag, Text.shellWord(key == .baseURL ? Credentials.hidingUserinfo(value) : value)]
    }
    return words.joined(separator: " ")
  }

  /// Polls `job` to its end.
  ///
  /// `first` is an answer already in hand (a start's), read before polling; `quietProgress` keeps
  /// `status` from printing progress lines. From here on, stdout's reader going away ends the
  /// wait (exit 141); a start's request is never cut short by it, so its job is never lost.
  static func wait(
    for job: JobReference, context: NetworkContext, first: HTTPResponse? = nil, documentOnly: Bool = false,
    quietProgress: Bool = false
  ) throws(JobctlError) -> (WaitOutcome, JobWatch) {
    let request = try context.pollRequest(job)
    context.services.streams.watchStdoutReader()
    var watch = JobWatch(
      label: job.label, request: request, dialect: context.settings.dialect, policy: context.settings.policy)
    let reportAs = reporting(context: context, progress: !quietProgress)
    let label = job.label
    let report: (PollEvent) -> Void = { reportAs($0, label) }
    if let first,
      case .finish(let error)? = watch.adopt(
        first, now: context.services.clock.monotonic, documentOnly: documentOnly, report: report)
    {
      return (WaitOutcome(error: error, watch: watch), watch)
    }
    let outcome = context.scheduler.wait(&watch, report: report)
    return (outcome, watch)
  }
}

extension WaitCommand {
  /// Fetches a completed job's final result where the shape's `final-url` says (Azure's resource
  /// once its status monitor says `Succeeded`), which then is the result printed; the monitor's
  /// last answer stays in the outcome for `--format ndjson`.
  ///
  /// A fetch that fails ends the wait with that failure's exit code: the monitor is never shown
  /// as if it were the resource.
  static func fetchFinalResult(
    _ outcome: inout WaitOutcome, job: JobReference, context: NetworkContext, start: StartRecord?
  ) {
    guard outcome.error == nil, outcome.snapshot?.state == .completed, let shape = outcome.dialect,
      !shape.finalURLs.isEmpty,
      let (url, rule) = shape.finalURL(start: start, pollURL: job.url, document: outcome.document)
    else { return }
    if context.settings.output.verbose {
      let methods = rule.methods.map { $0.joined(separator: ",") + " " } ?? ""
      context.diagnostics.line(
        "jobctl: job \(Text.oneLine(job.label, limit: 120)): fetching the final result from \(Text.oneLine(url, limit: 300)) (final-url \(methods)\(Text.oneLine(rule.template.description, limit: 100)))"
      )
    }
    // Credentials stay bound to the job's home host: a result elsewhere is fetched without them.
    let request = context.request(url: url, credentialHost: job.credentialHost)
    switch context.send(request, subject: "GET \(url)", label: job.label) {
    case .failure(let error):
      outcome.error = error.prefixed("job \(job.label) completed, but its final result could not be fetched: ")
    case .success(let answer):
      outcome.monitorBody = outcome.body
      outcome.body = answer.body
      outcome.resultURL = url
    }
  }

  /// What a wait does with each event of a job, given with the job's label: with `-v`, names
  /// the condition that decided each state seen; with `progress`, shows it.
  ///
  /// The closure holds only what it reads: one that held the whole `NetworkContext` copied it on
  /// every call, a large share of a poll's instructions (docs/performance.md).
  static func reporting(context: NetworkContext, progress: Bool) -> (PollEvent, String) -> Void {
    let diagnostics = context.settings.output.verbose ? context.diagnostics : nil
    let reporter = context.reporter
    return { event, label in
      if let diagnostics { traceDecision(event, job: label, diagnostics: diagnostics) }
      if progress { reporter.report(event, job: label) }
    }
  }

  /// Names the condition that decided a state seen (`failed: conclusion=failure`), for `-v`.
  static func traceDecision(_ event: PollEvent, job: String, diagnostics: Diagnostics) {
    guard case .state(let snapshot, _) = event, let why = snapshot.decidedBy else { return }
    diagnostics.line("jobctl: job \(Text.oneLine(job, limit: 120)): \(Text.oneLine(why.description, limit: 300))")
  }

  /// The job references on the command line, with `-` replaced by the lines of stdin, read line
  /// by line: a line longer than `BoundedInput.referenceLineLimit` bytes, or more than
  /// `BoundedInput.referenceCountLimit` references, is refused before more is read.
  static func references(_ arguments: [String], stdin: Streams) throws(JobctlError) -> [String] {
    var refs: [String] = []
    var readStdin = false
    let lineLimit = BoundedInput.referenceLineLimit
    let countLimit = BoundedInput.referenceCountLimit
    for argument in arguments {
      guard argument == "-" else {
        refs.append(argument)
        continue
      }
      guard !readStdin else { throw .usage(.stdinTwice) }
      readStdin = true
      var line: [UInt8] = []
      var problem: JobctlError?
      func take() -> Bool {
        defer { line.removeAll(keepingCapacity: true) }
        guard let text = String(validating: line, as: UTF8.self) else {
          problem = .usage(.stdinNotUTF8)
          return false
        }
        for part in text.split(whereSeparator: \.isNewline) {
          let ref = Text.trimmed(Substring(part))
          guard !ref.isEmpty && !ref.hasPrefix("#") else { continue }
          guard refs.count < countLimit else {
            problem = .usage(.tooManyReferences(limit: countLimit))
            return false
          }
          refs.append(String(ref))
        }
        return true
      }
      let result = stdin.readStdin { chunk in
        for byte in chunk {
          if byte == 0x0A {
            guard take() else { return false }
          } else {
            line.append(byte)
            guard line.count <= lineLimit else {
              problem = .usage(.referenceTooLong(limit: lineLimit))
              return false
            }
          }
        }
        return true
      }
      if let problem { throw problem }
      if case .failure(let failure) = result {
        throw failure.error(reading: "the job references on stdin", limit: "\(lineLimit) bytes")
      }
      guard take() else { throw problem ?? .usage(.stdinNotUTF8) }
    }
    guard !refs.isEmpty else { throw .usage(.noReferences) }
    return refs
  }

  /// `wait JOB JOB...`: every job polled concurrently, one report at the end.
  static func waitForMany(_ invocation: Invocation, context: NetworkContext) throws(JobctlError) -> CommandResult {
    let refs = try references(invocation.arguments, stdin: context.services.streams)
    var jobs: [JobReference] = []
    for ref in refs { jobs.append(try context.resolve(ref)) }
    // One request made once, each job's a copy with its own URL: the headers are shared, not
    // built again for each of 100,000 jobs.
    let template = Shared(context.request(url: "", credentialHost: ""))
    let dialect = context.settings.dialect
    let policy = Shared(context.settings.policy)
    var watches: [JobWatch] = []
    watches.reserveCapacity(jobs.count)
    for job in jobs {
      guard context.settings.shape.poll != nil else {
        watches.append(
          JobWatch(
            label: job.label, url: job.url, credentialHost: job.credentialHost, template: template, dialect: dialect,
            policy: policy))
        continue
      }
      // A shape that polls with a request of its own (a POST naming the job in its body): each
      // job's request is its own.
      let request = try context.pollRequest(job)
      watches.append(
        JobWatch(
          label: job.label, url: request.url, credentialHost: job.credentialHost, template: Shared(request),
          dialect: dialect, policy: policy))
    }
    context.services.streams.watchStdoutReader()
    context.reporter.expect(jobs: jobs.count)
    let reportAs = reporting(context: context, progress: true)
    let presenter = context.presenter
    var order: [Int] = []
    let results = context.scheduler.run(
      &watches, mode: invocation.has(.anyJob) ? .any : .all,
      report: { index, event in reportAs(event, jobs[index].label) },
      finished: { index, watch, error in
        order.append(index)
        presenter.ended(WaitOutcome(error: error, watch: watch), job: jobs[index].label)
      })
    // Made as they are read: an array of 100,000 outcomes beside the watches they come from was
    // the wait's peak of memory.
    let ended = watches
    let outcomes = results.indices.lazy.map { i in results[i].map { WaitOutcome(error: $0, watch: ended[i]) } }
    if invocation.has(.cancelOnInterrupt),
      outcomes.contains(where: { if case .interrupted? = $0?.error { true } else { false } })
    {
      let open = zip(jobs, outcomes).filter { $0.1?.snapshot?.state.isTerminal != true }.map {
        (job: $0.0, document: $0.1?.document)
      }
      CancelCommand.cancelOnInterrupt(open, context: context)
    }
    // --all: the worst outcome; --any: the first job to end (docs/behaviour.md "How `wait`
    // behaves").
    return .jobs(
      JobEnds(
        count: jobs.count, outcome: { i in results[i].map { WaitOutcome(error: $0, watch: ended[i]) } },
        label: { jobs[$0].label }, firstFinished: invocation.has(.anyJob) ? order.first : nil,
        resume: resumeCommand(invocation)))
  }
}
