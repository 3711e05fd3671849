/// `wait` and `status`: resolve the job, poll it, print how it ended.
enum PollCommands {
  static func run(_ invocation: Invocation, environment: [String: String], services: Services) throws(JobctlError)
    -> Int32
  {
    let diagnostics = Diagnostics(sink: services.streams.stderr)
    var settings = try Settings.resolve(invocation, environment: environment, readFile: services.readFile)
    settings.secrets.forEach(diagnostics.addSecret)
    let job = try JobReference.resolve(invocation.arguments[0], settings: settings)
    let oneShot = invocation.command.name == "status"
    settings.policy.oneShot = oneShot

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
    let request = HTTPRequest(url: job.url, headers: settings.requestHeaders, credentialHost: job.credentialHost)
    let reporter = ProgressReporter(diagnostics: diagnostics, clock: services.clock, settings: settings.output)
    var watch = JobWatch(label: job.label, dialect: settings.dialect, policy: settings.policy)
    let loop = PollLoop(
      transport: transport, clock: services.clock, sleeper: services.sleeper, random: services.random,
      requestTimeout: settings.transport.requestTimeout)
    let outcome = loop.run(request, watch: &watch) { event in
      // `status` prints the end state only; progress lines are for waits.
      if !oneShot { reporter.report(event, job: job.label) }
    }
    let renderer = Renderer(settings: settings.output, stdout: services.streams.stdout, diagnostics: diagnostics)
    return renderer.finish(outcome, job: job.label)
  }
}
