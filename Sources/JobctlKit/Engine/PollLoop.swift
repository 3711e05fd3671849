/// How a wait ended, with the last job document seen.
public struct WaitOutcome {
  /// nil when the job completed.
  public var error: JobctlError?
  public var body: [UInt8]?
  public var document: JSON?
  public var snapshot: JobSnapshot?
  public var dialect: Dialect?

  public var exitCode: Int32 { error?.exitCode ?? 0 }
}

/// Runs one job's wait in real (or injected) time: poll, absorb, sleep, until the job ends, the
/// deadline passes or a signal arrives.
public struct PollLoop {
  public let transport: HTTPTransport
  public let clock: Clock
  public let sleeper: Sleeper
  public let random: RandomSource
  /// Per-request time limit; each request is also cut to what is left before the deadline.
  public let requestTimeout: Double

  public init(transport: HTTPTransport, clock: Clock, sleeper: Sleeper, random: RandomSource, requestTimeout: Double) {
    self.transport = transport
    self.clock = clock
    self.sleeper = sleeper
    self.random = random
    self.requestTimeout = requestTimeout
  }

  public func run(_ request: HTTPRequest, watch: inout JobWatch, report: (PollEvent) -> Void) -> WaitOutcome {
    let deadline = watch.policy.timeout.map { clock.monotonic + $0 }
    func finish(_ error: JobctlError?, _ watch: JobWatch) -> WaitOutcome {
      WaitOutcome(
        error: error, body: watch.lastBody, document: watch.lastDocument, snapshot: watch.lastSnapshot,
        dialect: watch.dialect)
    }
    func timedOut(_ watch: JobWatch) -> WaitOutcome {
      let limit = watch.policy.timeout.map(DurationText.format) ?? ""
      return finish(.timedOut("timed out after \(limit); \(watch.stillText)"), watch)
    }
    while true {
      var current = request
      if let deadline {
        let left = deadline - clock.monotonic
        if left <= 0 { return timedOut(watch) }
        current.timeout = min(requestTimeout, left)
      }
      let result = transport.send(current)
      if case .failure(let failure) = result, failure.timedOut, let deadline, clock.monotonic >= deadline - 0.001 {
        return timedOut(watch)
      }
      let step = watch.absorb(result, now: clock.monotonic, wall: clock.wall, random: random, report: report)
      switch step {
      case .finish(let error):
        return finish(error, watch)
      case .pollAgain(var delay, let firm):
        if let deadline {
          let left = deadline - clock.monotonic
          if delay > left {
            // A Retry-After past the deadline cannot be honoured in time: give up now.
            if firm { return timedOut(watch) }
            delay = max(left, 0)
            if let signal = sleeper.sleep(delay) { return finish(.interrupted(signal: signal), watch) }
            return timedOut(watch)
          }
        }
        if let signal = sleeper.sleep(delay) { return finish(.interrupted(signal: signal), watch) }
      }
    }
  }
}
