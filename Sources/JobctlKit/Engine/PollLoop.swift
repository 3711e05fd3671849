/// How a wait ended, with the last job document seen.
public struct WaitOutcome {
  /// nil when the job completed.
  public var error: JobctlError?
  public var body: [UInt8]?
  public var document: JSON?
  public var snapshot: JobSnapshot?
  public var dialect: Dialect?

  public var exitCode: Int32 { error?.exitCode ?? 0 }

  public init(error: JobctlError?, watch: JobWatch) {
    self.error = error
    self.body = watch.lastBody
    self.document = watch.lastDocument
    self.snapshot = watch.lastSnapshot
    self.dialect = watch.dialect
  }
}

/// Runs a stepper in real (or injected) time: send, absorb, sleep, until it finishes, the
/// deadline passes or a signal arrives.
public struct PollLoop {
  public let transport: HTTPTransport
  public let clock: Clock
  public let sleeper: Sleeper
  public let random: RandomSource
  /// Per-request time limit; each request is also cut to what is left before the deadline.
  public let requestTimeout: Double

  public init(
    transport: HTTPTransport, clock: Clock, sleeper: Sleeper, random: RandomSource, requestTimeout: Double
  ) {
    self.transport = transport
    self.clock = clock
    self.sleeper = sleeper
    self.random = random
    self.requestTimeout = requestTimeout
  }

  /// Runs until the stepper finishes; returns its error (nil for success).
  public func run<S: PollStepper>(_ stepper: inout S, report: (PollEvent) -> Void) -> JobctlError? {
    let deadline = stepper.policy.timeout.map { clock.monotonic + $0 }
    func timedOut(_ stepper: S) -> JobctlError {
      let limit = stepper.policy.timeout.map(DurationText.format) ?? ""
      return .timedOut("timed out after \(limit); \(stepper.stillText)")
    }
    while true {
      var request = stepper.nextRequest()
      if let deadline {
        let left = deadline - clock.monotonic
        if left <= 0 { return timedOut(stepper) }
        request.timeout = min(request.overallLimit(standard: requestTimeout) ?? left, left)
      }
      let result = transport.send(request)
      if case .failure(let failure) = result, failure.timedOut, let deadline, clock.monotonic >= deadline - 0.001 {
        return timedOut(stepper)
      }
      switch stepper.absorb(result, now: clock.monotonic, wall: clock.wall, random: random, report: report) {
      case .finish(let error):
        return error
      case .again(var delay, let firm):
        if let deadline {
          let left = deadline - clock.monotonic
          if delay > left {
            // A Retry-After past the deadline cannot be honoured in time: give up now.
            if firm {
              return .retryAfterPastDeadline(delay, left: left, timeout: stepper.policy.timeout, stepper.stillText)
            }
            delay = max(left, 0)
            if let signal = sleeper.sleep(delay) { return .signaled(signal) }
            return timedOut(stepper)
          }
        }
        if let signal = sleeper.sleep(delay) { return .signaled(signal) }
      }
    }
  }

  /// Waits for one job.
  public func wait(_ watch: inout JobWatch, report: (PollEvent) -> Void) -> WaitOutcome {
    let error = run(&watch, report: report)
    return WaitOutcome(error: error, watch: watch)
  }
}
