/// How a wait ended, with the last job document seen.
public struct WaitOutcome {
  /// nil when the job completed.
  public var error: JobctlError?
  public var body: [UInt8]?
  /// Parsed from `body` when asked for, so that the outcomes of 100,000 jobs hold bytes only.
  public var document: JSON? { body.map(JSON.reparsed) }
  public var snapshot: JobSnapshot?
  public var dialect: Dialect?

  public var exitCode: Int32 { error?.exitCode ?? 0 }

  /// The job's last answer polled, when `body` is the final result fetched after it completed
  /// (`final-url`): an Azure status monitor, kept for `--format ndjson`.
  public var monitorBody: [UInt8]?
  /// Where that final result was fetched.
  public var resultURL: String?

  public init(error: JobctlError?, watch: JobWatch) {
    self.error = error
    self.body = watch.lastBody
    self.snapshot = watch.lastSnapshot
    self.dialect = watch.dialect
  }

  /// An outcome decided without polling (a start answer that said it all).
  public init(error: JobctlError?, body: [UInt8], snapshot: JobSnapshot, dialect: Dialect?) {
    self.error = error
    self.body = body
    self.snapshot = snapshot
    self.dialect = dialect
  }
}

/// Runs steppers (job watches, repeated requests, cancel-and-wait) against one transport: one job
/// or 100,000, each on its own schedule, under the rules of README "How `wait` behaves".
///
/// Due times sit in a binary heap, so handling one result costs O(log n) whatever the number of
/// jobs. Requests to one host and port pass its gate (`HostGate`): a cap on requests in flight,
/// `Retry-After`, and the request budget the server announces. Each job has its own deadline
/// (`--timeout`, `--until`). The transport's `poll` is the only place the scheduler sleeps, so a
/// signal, a watched descriptor or an answer wakes it at once. The scheduler outlives a run:
/// the cancels sent after Ctrl-C go through the same host gates as the polls before them.
public final class Scheduler {
  public enum Mode: Sendable {
    /// Until every job has ended.
    case all
    /// Until the first job ends.
    case any
  }

  public let transport: HTTPTransport
  public let clock: Clock
  public let random: RandomSource
  /// Per-request time limit; each request is also cut to what is left before its deadline.
  public let requestTimeout: Double
  public let maxPerHost: Int
  /// Called between polls no more often than `tickInterval` (the live line, the heartbeat).
  public var tick: (() -> Void)?
  public var tickInterval: Double = 0.1
  /// Descriptors watched while waiting, besides the signal pipe; `handle` is told when one is
  /// ready and returns the error that ends every job, or nil to stop watching it.
  public var descriptors: [WatchedDescriptor] = []
  public var handleDescriptor: (WatchedDescriptor, Int16) -> JobctlError? = { _, _ in nil }
  /// Applied to every request just before it goes out (the token as it is now).
  public var prepare: ((inout HTTPRequest) -> Void)?
  /// Asked after a 401: true when the credentials changed since (a rotated token file), so the
  /// request is sent again instead of ending the job.
  public var credentialsChanged: (() -> Bool)?

  private var hosts: [HostGate] = []
  private var hostIndex: [String: Int] = [:]
  /// Request ids of one run start here; a later run's ids never meet an earlier run's.
  private var idBase = 0

  public init(
    transport: HTTPTransport, clock: Clock, random: RandomSource, requestTimeout: Double, maxPerHost: Int
  ) {
    self.transport = transport
    self.clock = clock
    self.random = random
    self.requestTimeout = requestTimeout
    self.maxPerHost = max(1, maxPerHost)
  }

  private enum Phase: UInt8 {
    /// In the due heap.
    case idle
    /// Due, with its request made, queued at its host (which holds the request).
    case queued
    case inFlight
    case done
  }

  /// What the scheduler keeps of one job beside its stepper.
  ///
  /// The stepper stays in the caller's array (a copy in each slot and back doubled the memory of
  /// a 100,000-job wait). A request waiting at its host is held by the host's queue, not here:
  /// only queued jobs pay for one.
  private struct Slot {
    var phase = Phase.idle
    var due: Double
    /// Where `--timeout` ends (monotonic); `--until` is read against the wall clock.
    var deadline: Double?
    var host = -1
    /// The last URL seen, so a host is looked up again only when the URL changes.
    var url = ""
    var result: JobctlError??
  }

  /// Runs one stepper to its end; returns its error (nil for success).
  public func run<S: PollStepper>(_ stepper: inout S, report: (PollEvent) -> Void) -> JobctlError? {
    var jobs = [stepper]
    let results = run(&jobs, report: { _, event in report(event) })
    stepper = jobs[0]
    return results[0] ?? nil
  }

  /// Waits for one job.
  public func wait(_ watch: inout JobWatch, report: (PollEvent) -> Void) -> WaitOutcome {
    let error = run(&watch, report: report)
    return WaitOutcome(error: error, watch: watch)
  }

  /// Runs the steppers and returns one result per stepper, in order; `jobs` holds their final
  /// states.
  ///
  /// A result is nil for a job left unfinished by `--any`, else the job's error (nil inside for
  /// success). `report` gets each event with its job's index; `finished` is told the moment a
  /// job ends.
  public func run<S: PollStepper>(
    _ jobs: inout [S], mode: Mode = .all, report: (Int, PollEvent) -> Void,
    finished: (Int, S, JobctlError?) -> Void = { _, _, _ in }
  ) -> [JobctlError??] {
    let start = clock.monotonic
    let base = idBase
    idBase += jobs.count
    var slots: [Slot] = []
    slots.reserveCapacity(jobs.count)
    var due = DueQueue()
    due.reserve(jobs.count)
    // `--timeout` ends by the monotonic clock, `--until` by the wall clock, read at every turn:
    // after a suspend or an NTP step the wait ends within one poll of the wall passing it.
    var deadlines = DueQueue()
    var untils = DueQueue()
    for i in jobs.indices {
      let deadline = jobs[i].policy.timeoutDeadline(runStart: start)
      slots.append(Slot(due: start, deadline: deadline))
      due.push(start, i)
      if let deadline { deadlines.push(deadline, i) }
      if let until = jobs[i].policy.until { untils.push(until, i) }
    }
    /// Where job `i`'s limit ends in monotonic seconds, `--until` taken from the wall clock now.
    func limit(_ i: Int, now: Double) -> Double? {
      let byUntil = jobs[i].policy.until.map { now + ($0 - clock.wall) }
      switch (slots[i].deadline, byUntil) {
      case (let t?, let u?): return min(t, u)
      case (let t?, nil): return t
      case (nil, let u?): return u
      case (nil, nil): return nil
      }
    }
    var unfinished = slots.count
    var endedOne = false
    var hostWakes = DueQueue()
    var dirty: [Int] = []
    var watched = descriptors
    var lastTick = start

    func end(_ i: Int, _ error: JobctlError?) {
      guard slots[i].phase != .done else { return }
      if slots[i].phase == .inFlight {
        transport.abandon(base + i)
        release(slots[i].host)
      }
      slots[i].phase = .done
      let error = error.map { giveUp($0, jobs[i]) }
      slots[i].result = .some(error)
      unfinished -= 1
      endedOne = true
      finished(i, jobs[i], error)
    }
    func release(_ host: Int) {
      hosts[host].inFlight -= 1
      markDirty(host)
    }
    func markDirty(_ host: Int) {
      guard !hosts[host].dirty else { return }
      hosts[host].dirty = true
      dirty.append(host)
    }
    func timedOut(_ i: Int) -> JobctlError {
      .timedOut("\(jobs[i].policy.limitText(clock: clock)); \(jobs[i].stillText)")
    }
    func hostOf(_ i: Int, url: String) -> Int {
      if slots[i].host >= 0 && slots[i].url == url { return slots[i].host }
      let key = URLParts(url)?.hostKey ?? ""
      slots[i].url = url
      if let h = hostIndex[key] {
        slots[i].host = h
        return h
      }
      hosts.append(HostGate(key: key))
      hostIndex[key] = hosts.count - 1
      slots[i].host = hosts.count - 1
      return hosts.count - 1
    }
    func dispatch(_ h: Int, now: Double) {
      hosts[h].dirty = false
      while hosts[h].inFlight < (hosts[h].budget.probing ? 1 : maxPerHost), !hosts[h].waiting.isEmpty {
        let opens = hosts[h].opensAt
        if opens > now + 1e-6 {
          if let i = hosts[h].waiting.first, slots[i].phase == .queued,
            let pause = hosts[h].pacingPause(due: slots[i].due, interval: jobs[i].policy.interval, now: now)
          {
            report(i, .rateLimited(reason: pause.reason, delay: pause.delay))
          }
          if hosts[h].wakeAt != opens {
            hosts[h].wakeAt = opens
            hostWakes.push(opens, h)
          }
          return
        }
        guard let (i, held) = hosts[h].waiting.popFirst() else { break }
        guard slots[i].phase == .queued else { continue }
        var request = held
        if let deadline = limit(i, now: now) {
          let left = max(0.001, deadline - now)
          request.timeout = min(request.overallLimit(standard: requestTimeout) ?? left, left)
        }
        prepare?(&request)
        slots[i].phase = .inFlight
        hosts[h].inFlight += 1
        hosts[h].sent(at: now, due: slots[i].due, interval: jobs[i].policy.interval)
        transport.start(request, id: base + i)
      }
    }

    while unfinished > 0 {
      var now = clock.monotonic
      // Due a microsecond early is due: a wait of `wake - now` can land just short of `wake`.
      let soon = now + 1e-6
      while let top = deadlines.first, top.time <= soon {
        deadlines.pop()
        if slots[top.index].phase != .done { end(top.index, timedOut(top.index)) }
      }
      let wallNow = clock.wall
      while let top = untils.first, top.time <= wallNow + 1e-6 {
        untils.pop()
        if slots[top.index].phase != .done { end(top.index, timedOut(top.index)) }
      }
      if unfinished == 0 || (mode == .any && endedOne) { break }
      while let top = due.first, top.time <= soon {
        due.pop()
        let i = top.index
        guard slots[i].phase == .idle, slots[i].due == top.time else { continue }
        let request = jobs[i].nextRequest()
        let h = hostOf(i, url: request.url)
        slots[i].phase = .queued
        hosts[h].waiting.append(i, request)
        markDirty(h)
      }
      while let top = hostWakes.first, top.time <= soon {
        hostWakes.pop()
        if hosts[top.index].wakeAt == top.time { hosts[top.index].wakeAt = nil }
        markDirty(top.index)
      }
      while let h = dirty.popLast() { dispatch(h, now: now) }

      var wake = Double.infinity
      if let top = due.first { wake = min(wake, top.time) }
      if let top = deadlines.first { wake = min(wake, top.time) }
      if let top = untils.first { wake = min(wake, now + (top.time - wallNow)) }
      if let top = hostWakes.first { wake = min(wake, top.time) }
      if tick != nil { wake = min(wake, lastTick + tickInterval) }
      let events = transport.poll(timeout: wake == .infinity ? 3600 : max(0, wake - now), watching: watched)
      if let signal = events.signal {
        for i in slots.indices { end(i, .signaled(signal)) }
        break
      }
      for (fd, revents) in events.ready {
        guard let found = watched.first(where: { $0.fd == fd }) else { continue }
        if let error = handleDescriptor(found, revents) {
          for i in slots.indices { end(i, error) }
        } else {
          watched.removeAll { $0.fd == fd }
        }
      }
      now = clock.monotonic
      if let tick, now - lastTick >= tickInterval - 1e-6 {
        lastTick = now
        tick()
      }
      for (id, result) in events.results {
        let i = id - base
        guard slots.indices.contains(i), slots[i].phase == .inFlight else { continue }
        let h = slots[i].host
        release(h)
        slots[i].phase = .idle
        if case .success(let response) = result {
          if let pause = hosts[h].absorb(response, now: now, wall: clock.wall) {
            report(i, .rateLimited(reason: pause.reason, delay: pause.delay))
          }
          if response.status == 401, let changed = credentialsChanged, changed() {
            // A rotated token: the same request again, at once, with the new one.
            slots[i].due = now
            due.push(now, i)
            continue
          }
        }
        if case .failure(let failure) = result, failure.timedOut, let deadline = limit(i, now: now),
          now >= deadline - 0.001
        {
          end(i, timedOut(i))
          continue
        }
        let step = jobs[i].absorb(result, now: now, wall: clock.wall, random: random) { report(i, $0) }
        switch step {
        case .finish(let error):
          end(i, error)
        case .again(let delay, let firm):
          if firm {
            // A Retry-After holds back the whole host.
            hosts[h].holdUntil(now + delay)
            if let deadline = limit(i, now: now), now + delay > deadline {
              let stepper = jobs[i]
              end(
                i,
                .retryAfterPastDeadline(
                  delay, left: deadline - now, limit: stepper.policy.limitName(clock: clock), stepper.stillText))
              continue
            }
          }
          slots[i].due = now + delay
          due.push(now + delay, i)
        }
      }
      if mode == .any && endedOne { break }
    }
    for i in slots.indices where slots[i].phase == .inFlight {
      transport.abandon(base + i)
      release(slots[i].host)
      slots[i].phase = .done
    }
    for h in hosts.indices {
      hosts[h].dirty = false
      hosts[h].waiting = IndexQueue()
      hosts[h].wakeAt = nil
    }
    return slots.map(\.result)
  }

  /// A message that gives up names the job and its URL, so the wait can be taken up again.
  private func giveUp<S: PollStepper>(_ error: JobctlError, _ stepper: S) -> JobctlError {
    guard let whereabouts = stepper.whereabouts, let m = error.message, !Text.contains(m, whereabouts) else {
      return error
    }
    switch error {
    case .timedOut: return .timedOut(m + "; " + whereabouts)
    case .unreachable: return .unreachable(m + "; " + whereabouts)
    case .stalled: return .stalled(m + "; " + whereabouts)
    default: return error
    }
  }
}

/// What stands between the jobs of one host and port and their next request: the cap on requests
/// in flight, a `Retry-After`, and the pace of the budget the server announces.
struct HostGate {
  let key: String
  var inFlight = 0
  /// No request before this (monotonic seconds): a `Retry-After`.
  var holdUntilTime = 0.0
  var budget = RequestBudget()
  /// Jobs that are due and wait for this host, in the order they fell due, with their requests.
  var waiting = IndexQueue<HTTPRequest>()
  var dirty = false
  /// The time of this host's entry in the wake heap, so it is pushed once.
  var wakeAt: Double?
  /// The budget's pace holds requests back, and a pause was announced for it.
  var pacing = false

  init(key: String) { self.key = key }

  /// When the next request may go: the latest of `Retry-After` and the budget's pace.
  var opensAt: Double { max(holdUntilTime, budget.nextAllowed) }

  mutating func holdUntil(_ time: Double) {
    holdUntilTime = max(holdUntilTime, time)
  }

  /// A request due at `due`, from a job polled every `interval`, went out at `now`.
  ///
  /// `interval` is only read while a slowdown is announced: every poll of every job passes here.
  mutating func sent(at now: Double, due: Double, interval: @autoclosure () -> Double) {
    budget.sent(at: now)
    // Requests go about on time again: the next slowdown is news.
    if pacing, now - due < RequestBudget.noticeable(interval()) / 2 { pacing = false }
  }

  /// The pause to announce when the budget's pace holds a request back noticeably.
  ///
  /// Noticeably: the request, due at `due` from a job polled every `interval`, waits past its
  /// due time by more than its interval and a second. Told once, until requests go about on time
  /// again, so a wait paced for an hour says so once rather than at every poll. A `Retry-After`
  /// and a spent budget are told where they arrive.
  mutating func pacingPause(due: Double, interval: @autoclosure () -> Double, now: Double) -> RequestBudget.Pause? {
    let opens = budget.nextAllowed
    guard !pacing, opens > holdUntilTime, let left = budget.remaining, left > 0,
      opens - due > RequestBudget.noticeable(interval())
    else { return nil }
    pacing = true
    let window = DurationText.format(max(0, budget.resetAt - now).rounded(.up))
    let requests = left == 1 ? "1 request" : "\(left) requests"
    return RequestBudget.Pause(
      reason: "keeping the server's request budget: \(requests) left for \(window)", delay: opens - now)
  }

  /// Reads an answer's budget headers; returns a pause worth announcing.
  mutating func absorb(_ response: HTTPResponse, now: Double, wall: Double) -> RequestBudget.Pause? {
    budget.absorb(response, now: now, wall: wall)
  }
}

extension PollStepper {
  /// What a give-up message adds so the job can be found again (nil: nothing to add).
  public var whereabouts: String? { nil }
}

extension JobWatch {
  /// `its URL: ...`, unless the job was given as its URL.
  public var whereabouts: String? {
    label == request.url ? nil : "job \(label) is at \(request.url)"
  }
}
