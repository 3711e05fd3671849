import JobctlHTTP
import JobctlShapes
import JobctlSupport

/// How a wait ended, with the last job document seen.
package struct WaitOutcome {
  /// nil when the job completed.
  package var error: JobctlError?
  package var body: [UInt8]?
  /// Parsed from `body` when asked for, so that the outcomes of 100,000 jobs hold bytes only.
  package var document: JSON? { body.map(JSON.reparsed) }
  package var snapshot: JobSnapshot?
  package var dialect: Dialect?

  /// The job's last answer polled, when `body` is the final result fetched after it completed
  /// (`final-url`): an Azure status monitor, kept for `--format ndjson`.
  package var monitorBody: [UInt8]?
  /// Where that final result was fetched.
  package var resultURL: String?

  package init(error: JobctlError?, watch: JobWatch) {
    self.error = error
    self.body = watch.lastBody
    self.snapshot = watch.lastSnapshot
    self.dialect = watch.dialect
  }

  /// An outcome decided without polling (a start answer that said it all).
  package init(error: JobctlError?, body: [UInt8], snapshot: JobSnapshot, dialect: Dialect?) {
    self.error = error
    self.body = body
    self.snapshot = snapshot
    self.dialect = dialect
  }
}

/// Runs steppers (job watches, repeated requests, cancel-and-wait) against one transport: one job
/// or 100,000, each on its own schedule, under the rules of docs/behaviour.md "How `wait` behaves".
///
/// Due times sit in a binary heap, so handling one result costs O(log n) whatever the number of
/// jobs. Requests to one host and port pass its gate (`HostGate`): a cap on requests in flight,
/// `Retry-After`, and the request budget the server announces. Each job has its own deadline
/// (`--timeout`, `--until`). The transport's `poll` is the only place the scheduler sleeps, so a
/// signal, a watched descriptor or an answer wakes it at once. The scheduler outlives a run:
/// the cancels sent after Ctrl-C go through the same host gates as the polls before them.
package final class Scheduler {
  package enum Mode: Sendable {
    /// Until every job has ended.
    case all
    /// Until the first job ends.
    case any
  }

  package let transport: HTTPTransport
  package let clock: Clock
  package let random: RandomSource
  /// Per-request time limit; each request is also cut to what is left before its deadline.
  package let requestTimeout: Double
  package let maxPerHost: Int
  /// Called between polls no more often than `tickInterval` (the live line, the heartbeat).
  package var tick: (() -> Void)?
  package var tickInterval: Double = 0.1
  /// Descriptors watched while waiting, besides the signal pipe; `handle` is told when one is
  /// ready and returns the error that ends every job, or nil to stop watching it.
  package var descriptors: [WatchedDescriptor] = []
  package var handleDescriptor: (WatchedDescriptor, Int16) -> JobctlError? = { _, _ in nil }
  /// Applied to every request just before it goes out (the token as it is now).
  package var prepare: ((inout HTTPRequest) -> Void)?
  /// Asked after a 401: true when the credentials changed since (a rotated token file), so the
  /// request is sent again instead of ending the job.
  package var credentialsChanged: (() -> Bool)?

  /// Kept between runs (moved into each `SchedulerRun` while it lasts).
  var hosts: [HostGate] = []
  var hostIndex: [String: Int] = [:]
  /// Request ids of one run start here; a later run's ids never meet an earlier run's.
  private var idBase = 0

  package init(
    transport: HTTPTransport, clock: Clock, random: RandomSource, requestTimeout: Double, maxPerHost: Int
  ) {
    self.transport = transport
    self.clock = clock
    self.random = random
    self.requestTimeout = requestTimeout
    self.maxPerHost = max(1, maxPerHost)
  }

  /// Runs one stepper to its end; returns its error (nil for success).
  package func run<S: PollStepper>(_ stepper: inout S, report: (PollEvent) -> Void) -> JobctlError? {
    var jobs = [stepper]
    let results = run(&jobs, report: { _, event in report(event) })
    stepper = jobs[0]
    return results[0] ?? nil
  }

  /// Waits for one job.
  package func wait(_ watch: inout JobWatch, report: (PollEvent) -> Void) -> WaitOutcome {
    let error = run(&watch, report: report)
    return WaitOutcome(error: error, watch: watch)
  }

  /// Runs the steppers and returns one result per stepper, in order; `jobs` holds their final
  /// states.
  ///
  /// A result is nil for a job left unfinished by `--any`, else the job's error (nil inside for
  /// success). `report` gets each event with its job's index; `finished` is told the moment a
  /// job ends.
  package func run<S: PollStepper>(
    _ jobs: inout [S], mode: Mode = .all, report: (Int, PollEvent) -> Void,
    finished: (Int, S, JobctlError?) -> Void = { _, _, _ in }
  ) -> [JobctlError??] {
    let base = idBase
    idBase += jobs.count
    return withoutActuallyEscaping(report) { report in
      withoutActuallyEscaping(finished) { finished in
        var run = SchedulerRun(self, jobs: jobs, mode: mode, base: base, report: report, finished: finished)
        swap(&hosts, &run.hosts)
        swap(&hostIndex, &run.hostIndex)
        run.loop(&jobs)
        let results = run.finish()
        swap(&hosts, &run.hosts)
        swap(&hostIndex, &run.hostIndex)
        return results
      }
    }
  }
}

extension PollStepper {
  /// What a give-up message adds so the job can be found again (nil: nothing to add).
  package var whereabouts: String? { nil }
}

extension JobWatch {
  /// `its URL: ...`, unless the job was given as its URL.
  package var whereabouts: String? {
    label == request.url ? nil : "job \(label) is at \(request.url)"
  }
}
