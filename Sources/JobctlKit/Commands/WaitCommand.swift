#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `wait` and `status`: resolve the job, poll it, print how it ended.
enum WaitCommand {
  static func run(_ invocation: Invocation, environment: [String: String], services: Services) throws(JobctlError)
    -> Int32
  {
    var context = try NetworkContext.make(invocation, environment: environment, services: services)
    let job = try context.resolve(invocation.arguments[0])
    let oneShot = invocation.command.name == "status"
    context.settings.policy.oneShot = oneShot
    let (outcome, _) = wait(for: job, context: context, quietProgress: oneShot)
    if invocation.has("cancel-on-interrupt"), case .interrupted(let signal)? = outcome.error, signal == SIGINT {
      CancelCommand.cancelOnInterrupt(job, context: context)
    }
    return context.renderer.finish(outcome, job: job.label)
  }

  /// Polls `job` to its end.
  ///
  /// `first` is an answer already in hand (a start's), read before polling; `quietProgress` keeps
  /// `status` from printing progress lines.
  static func wait(
    for job: JobReference, context: NetworkContext, first: HTTPResponse? = nil, quietProgress: Bool = false
  ) -> (WaitOutcome, JobWatch) {
    let request = context.request(url: job.url, credentialHost: job.credentialHost)
    var watch = JobWatch(
      label: job.label, request: request, dialect: context.settings.dialect, policy: context.settings.policy)
    let report: (PollEvent) -> Void = { event in
      if !quietProgress { context.reporter.report(event, job: job.label) }
    }
    if let first, case .finish(let error)? = watch.adopt(first, now: context.services.clock.monotonic, report: report) {
      return (WaitOutcome(error: error, watch: watch), watch)
    }
    let outcome = context.loop.wait(&watch, report: report)
    return (outcome, watch)
  }
}
