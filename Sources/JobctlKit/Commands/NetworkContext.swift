import JobctlEngine
import JobctlHTTP
import JobctlOutput
import JobctlShapes
import JobctlSupport

/// A command that talks to a server and returns a result: run, it makes the context, and the
/// context's presenter prints the result and gives the exit code.
protocol NetworkCommand {
  /// What the command found, for the presenter.
  static func result(_ invocation: Invocation, context: NetworkContext) throws(JobctlError) -> CommandResult
}

extension NetworkCommand {
  static func run(_ invocation: Invocation, environment: [String: String], services: Services) throws(JobctlError)
    -> Int32
  {
    let context = try NetworkContext.make(invocation, environment: environment, services: services)
    return context.presenter.present(try result(invocation, context: context))
  }
}

/// What every command that talks to a server shares: validated settings, the stderr channel,
/// one transport (one connection pool), the scheduler every request runs on and the progress
/// reporter.
struct NetworkContext {
  var settings: Settings
  let diagnostics: Diagnostics
  let scheduler: Scheduler
  let reporter: ProgressReporter
  /// The one presenter of the run: a many-job wait tells it each end as it comes, then the end.
  let presenter: Presenter
  let services: Services
  let environment: [String: String]
  /// When the command began (monotonic), for the durations a wait reports.
  let startedAt: Double
  /// The start answer's document, when the wait follows a start (`start --wait`): what a poll
  /// template's `{.PATH}` reads.
  var startDocument: JSON?

  /// Resolves settings and opens the transport; nothing is sent yet.
  static func make(_ invocation: Invocation, environment: [String: String], services: Services) throws(JobctlError)
    -> NetworkContext
  {
    let diagnostics = services.diagnostics(environment)
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
      throw .unreachable(.transport(error.message))
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
    let clock = services.clock
    let started = clock.monotonic
    let presenter = Presenter(
      settings: settings.output, stdout: services.streams.stdout, diagnostics: diagnostics, reporter: reporter,
      github: GitHubActions(environment: environment, append: services.appendFile), now: { clock.wall },
      elapsed: { clock.monotonic - started },
      columns: { [services, environment] in services.stderrColumns(environment) })
    return NetworkContext(
      settings: settings, diagnostics: diagnostics, scheduler: scheduler, reporter: reporter, presenter: presenter,
      services: services, environment: environment, startedAt: started)
  }

  /// A request to `url` with the configured headers and the credentials' home host.
  func request(_ method: String = "GET", url: String, credentialHost: String, body: [UInt8]? = nil) -> HTTPRequest {
    HTTPRequest(method: method, url: url, headers: settings.requestHeaders, body: body, credentialHost: credentialHost)
  }

  /// A request carrying the shape's own headers for its kind (`poll-header`, `start-header`,
  /// `cancel-header`) and a body.
  ///
  /// A header given with -H (or a profile) wins over the shape's header of that name; the
  /// shape's header for this kind wins over its `shape-header` of that name. A body goes with
  /// `Content-Type: contentType` unless a header already names its type: never two.
  func request(
    _ method: String, url: String, credentialHost: String, body: [UInt8]?, extra: [HTTPHeader],
    contentType: String? = "application/json"
  ) -> HTTPRequest {
    var request = request(method, url: url, credentialHost: credentialHost, body: body)
    let own = extra.filter { !settings.givenHeaderNames.contains(Text.lowercased($0.name)) }
    request.headers.removeAll { header in own.contains { Text.equalsIgnoringCase($0.name, header.name) } }
    request.headers += own
    if let contentType, let body, !body.isEmpty,
      !request.headers.contains(where: { Text.equalsIgnoringCase($0.name, "Content-Type") })
    {
      request.headers.append(HTTPHeader("Content-Type", contentType))
    }
    return request
  }

  /// Expands header templates for one request.
  static func headers(
    _ templates: [HeaderTemplate], id: String?, url: String?, document: JSON?
  ) throws(ShapeSyntaxError) -> [HTTPHeader] {
    var list: [HTTPHeader] = []
    for header in templates {
      list.append(HTTPHeader(header.name, try header.value.expandText(.header, id: id, url: url, document: document)))
    }
    return list
  }

  /// The request that polls `job`, as the shape describes it (`poll`, `poll-data`,
  /// `poll-header`; by default GET of the job's URL): every poll of a job is built here (wait,
  /// status, start --wait, cancel --wait, the document output and cancel read, many-job waits).
  ///
  /// A `{.PATH}` reads the start answer, which only `start --wait` has.
  func pollRequest(_ job: JobReference) throws(JobctlError) -> HTTPRequest {
    let shape = settings.shape
    guard let poll = shape.poll else { return request(url: job.url, credentialHost: job.credentialHost) }
    if poll.readsDocument && startDocument == nil {
      throw .usage(.pollReadsStartAnswer(shape: shape.name))
    }
    let line = "\(poll.method) \(poll.url)"
    do throws(ShapeSyntaxError) {
      guard let expanded = try poll.url.expand(id: job.label, url: job.url, document: startDocument),
        !expanded.isEmpty
      else {
        throw ShapeSyntaxError("it names no URL")
      }
      let url = URLParts(expanded) != nil ? expanded : URLParts.resolving(expanded, against: job.url)
      var body: [UInt8]?
      if let data = poll.body {
        body = Array(try data.expandText(.body, id: job.label, url: job.url, document: startDocument).utf8)
      }
      let extra = try Self.headers(poll.headers, id: job.label, url: job.url, document: startDocument)
      return request(poll.method, url: url, credentialHost: job.credentialHost, body: body, extra: extra)
    } catch {
      throw .usage(.pollUnusable(line, job: job.label, problem: error.message))
    }
  }

  /// Sends one request, retrying as a wait would, until it is answered with a 2xx.
  ///
  /// `alsoAccept` lists non-2xx statuses the caller reads itself; `judgesGone` false for a
  /// request that names no job (start, list), where `gone-when` means nothing.
  func send(
    _ request: HTTPRequest, subject: String, label: String, alsoAccept: Set<Int> = [], resendable: Bool = true,
    judgesGone: Bool = true
  ) -> Result<HTTPResponse, JobctlError> {
    var watch = RequestWatch(
      request: request, subject: subject, policy: settings.policy, alsoAccept: alsoAccept, resendable: resendable,
      judgesGone: judgesGone)
    let error = scheduler.run(&watch) { [reporter] in reporter.report($0, job: label) }
    if let error { return .failure(error) }
    guard let response = watch.response else { return .failure(.unreachable(.noAnswer(subject))) }
    return .success(response)
  }

  /// The job's document from one poll, for a template that reads it (`{.output_file_id}`).
  func document(of job: JobReference) throws(JobctlError) -> JSON? {
    let poll = try pollRequest(job)
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
