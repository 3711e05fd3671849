/// What every command that talks to a server shares: validated settings, the stderr channel,
/// one transport (one connection pool), the scheduler every request runs on and the progress
/// reporter.
struct NetworkContext {
  var settings: Settings
  let diagnostics: Diagnostics
  let scheduler: Scheduler
  let reporter: ProgressReporter
  let services: Services
  let environment: [String: String]
  /// When the command began (monotonic), for the durations a wait reports.
  let startedAt: Double

  /// Resolves settings and opens the transport; nothing is sent yet.
  static func make(_ invocation: Invocation, environment: [String: String], services: Services) throws(JobctlError)
    -> NetworkContext
  {
    let diagnostics = Diagnostics(sink: services.streams.stderr, redactor: services.redactor)
    var settings = try Settings.resolve(invocation, environment: environment, services: services)
    settings.secrets.forEach(diagnostics.addSecret)
    // Answers are scrubbed as they arrive (their decoded strings, so numbers and syntax stay as
    // they are), which keeps echoed secrets out of stdout and GITHUB_OUTPUT; stderr is scrubbed
    // again as text by Diagnostics.
    settings.transport.secrets = services.redactor.secrets
    // What comes from headers and URLs (a Location holding the token, a job URL) is scrubbed as
    // text where it leaves: stdout and GITHUB_OUTPUT.
    let redactor = services.redactor
    var services = services
    services.streams.stdout = ScrubbingSink(services.streams.stdout, redactor: redactor)
    let append = services.appendFile
    services.appendFile = { path, text in append(path, redactor.scrub(text)) }
    if settings.output.verbose {
      for note in settings.notes { diagnostics.line("* \(note)") }
    }
    if settings.transport.insecure && !settings.output.quiet {
      diagnostics.warning("--insecure: TLS certificates are not verified")
    }
    if settings.output.verbose {
      settings.transport.trace = { [diagnostics] line in diagnostics.line(line) }
    }
    let transport: HTTPTransport
    do {
      transport = try services.makeTransport(settings.transport)
    } catch {
      throw .unreachable(error.message)
    }
    let stderr = services.streams.stderr
    let terminal = Terminal(
      colors: Terminal.colorEnabled(settings.output.color, isTerminal: stderr.isTerminal, environment: environment),
      unicode: Terminal.unicode(environment: environment))
    diagnostics.terminal = terminal
    let mode = Terminal.progressMode(settings.output.progress, isTerminal: stderr.isTerminal, environment: environment)
    let reporter = ProgressReporter(
      diagnostics: diagnostics, stdout: services.streams.stdout, clock: services.clock, settings: settings.output,
      mode: mode, terminal: terminal, columns: { services.stderrColumns(environment) })
    let scheduler = Scheduler(
      transport: transport, clock: services.clock, random: services.random,
      requestTimeout: settings.transport.requestTimeout, maxPerHost: settings.transport.maxHostConnections)
    if let every = reporter.tickInterval {
      scheduler.tick = reporter.tick
      scheduler.tickInterval = every
    }
    if let path = settings.tokenFile, let token = settings.token {
      let source = TokenSource(path: path, token: token, services: services) { [diagnostics, redactor] in
        diagnostics.addSecret($0)
        transport.updateSecrets(redactor.secrets)
      }
      scheduler.prepare = source.apply
      scheduler.credentialsChanged = source.refresh
    }
    return NetworkContext(
      settings: settings, diagnostics: diagnostics, scheduler: scheduler, reporter: reporter, services: services,
      environment: environment, startedAt: services.clock.monotonic)
  }

  var renderer: Renderer {
    let clock = services.clock
    let started = startedAt
    return Renderer(
      settings: settings.output, stdout: services.streams.stdout, diagnostics: diagnostics, reporter: reporter,
      github: GitHubActions(environment: environment, append: services.appendFile), now: { clock.wall },
      elapsed: { clock.monotonic - started },
      columns: { [services, environment] in services.stderrColumns(environment) })
  }

  /// A request to `url` with the configured headers and the credentials' home host.
  func request(_ method: String = "GET", url: String, credentialHost: String, body: [UInt8]? = nil) -> HTTPRequest {
    HTTPRequest(method: method, url: url, headers: settings.requestHeaders, body: body, credentialHost: credentialHost)
  }

  /// Sends one request, retrying as a wait would, until it is answered with a 2xx.
  ///
  /// `alsoAccept` lists non-2xx statuses the caller reads itself.
  func send(
    _ request: HTTPRequest, subject: String, label: String, alsoAccept: Set<Int> = [], resendable: Bool = true
  ) -> Result<HTTPResponse, JobctlError> {
    var watch = RequestWatch(
      request: request, subject: subject, policy: settings.policy, alsoAccept: alsoAccept, resendable: resendable)
    let error = scheduler.run(&watch) { [reporter] in reporter.report($0, job: label) }
    if let error { return .failure(error) }
    guard let response = watch.response else { return .failure(.unreachable("\(subject): no answer")) }
    return .success(response)
  }

  /// The job's document from one poll, for a template that reads it (`{.output_file_id}`).
  func document(of job: JobReference) throws(JobctlError) -> JSON? {
    let poll = request(url: job.url, credentialHost: job.credentialHost)
    switch send(poll, subject: "job \(job.label)", label: job.label) {
    case .failure(let error): throw error
    case .success(let answer): return answer.documentAsSent() ?? (try? JSON.parse(answer.body))
    }
  }

  /// The URL a job reference names, for cancel and output.
  func resolve(_ text: String) throws(JobctlError) -> JobReference {
    try JobReference.resolve(text, settings: settings)
  }
}
