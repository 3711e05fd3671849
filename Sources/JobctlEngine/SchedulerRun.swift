import JobctlHTTP
import JobctlSupport

/// Where a job stands in one run of the scheduler.
enum SchedulePhase: UInt8 {
  /// In the due heap.
  case idle
  /// Due, with its request made, queued at its host (which holds the request).
  case queued
  case inFlight
  case done
}

/// What a run keeps of one job beside its stepper.
///
/// The stepper stays in the caller's array (a copy in each slot and back doubled the memory of
/// a 100,000-job wait). A request waiting at its host is held by the host's queue, not here:
/// only queued jobs pay for one.
struct ScheduleSlot {
  var phase = SchedulePhase.idle
  var due: Double
  /// Where `--timeout` ends (monotonic); `--until` is read against the wall clock.
  var deadline: Double?
  var host = -1
  /// The last URL seen, so a host is looked up again only when the URL changes.
  var url = ""
  var result: JobctlError??
}

/// One `Scheduler.run` under way: the jobs' slots, the heaps of what falls due, and the steps of
/// one turn of its loop, each a method.
///
/// The steppers are not here: every step that needs them is handed the caller's array, so no
/// stepper is ever copied. The host gates are the scheduler's, moved in for the run and back
/// after it, so they outlive it.
struct SchedulerRun<S: PollStepper> {
  typealias Report = (Int, PollEvent) -> Void
  typealias Finished = (Int, S, JobctlError?) -> Void

  let transport: HTTPTransport
  let clock: Clock
  let random: RandomSource
  let requestTimeout: Double
  let maxPerHost: Int
  let tick: (() -> Void)?
  let tickInterval: Double
  let prepare: ((inout HTTPRequest) -> Void)?
  let credentialsChanged: (() -> Bool)?
  let handleDescriptor: (WatchedDescriptor, Int16) -> JobctlError?
  let mode: Scheduler.Mode
  let report: Report
  let finished: Finished
  /// Job `i`'s requests have id `base + i`.
  let base: Int

  var hosts: [HostGate] = []
  var hostIndex: [String: Int] = [:]
  var slots: [ScheduleSlot] = []
  var due = DueQueue()
  // `--timeout` ends by the monotonic clock, `--until` by the wall clock, read at every turn:
  // after a suspend or an NTP step the wait ends within one poll of the wall passing it.
  var deadlines = DueQueue()
  var untils = DueQueue()
  var hostWakes = DueQueue()
  /// Hosts with something to send, each listed once.
  var dirty: [Int] = []
  var watched: [WatchedDescriptor]
  var lastTick: Double
  var unfinished: Int
  var endedOne = false

  init(
    _ scheduler: Scheduler, jobs: [S], mode: Scheduler.Mode, base: Int, report: @escaping Report,
    finished: @escaping Finished
  ) {
    (transport, clock, random) = (scheduler.transport, scheduler.clock, scheduler.random)
    (requestTimeout, maxPerHost) = (scheduler.requestTimeout, scheduler.maxPerHost)
    (tick, tickInterval, prepare) = (scheduler.tick, scheduler.tickInterval, scheduler.prepare)
    (credentialsChanged, handleDescriptor) = (scheduler.credentialsChanged, scheduler.handleDescriptor)
    (self.mode, self.base, self.report, self.finished) = (mode, base, report, finished)
    watched = scheduler.descriptors
    let start = clock.monotonic
    lastTick = start
    unfinished = jobs.count
    slots.reserveCapacity(jobs.count)
    due.reserve(jobs.count)
    for i in jobs.indices {
      let deadline = jobs[i].policy.timeoutDeadline(runStart: start)
      slots.append(ScheduleSlot(due: start, deadline: deadline))
      due.push(start, i)
      if let deadline { deadlines.push(deadline, i) }
      if let until = jobs[i].policy.until { untils.push(until, i) }
    }
  }

  /// Turns until every job has ended (with `.any`, until one has).
  mutating func loop(_ jobs: inout [S]) {
    while unfinished > 0, turn(&jobs) {}
  }

  /// One turn: ends the jobs out of time, sends what is due, waits for the transport and takes
  /// in what it brings.
  ///
  /// False when the run is over.
  mutating func turn(_ jobs: inout [S]) -> Bool {
    let now = clock.monotonic
    // Due a microsecond early is due: a wait of `wake - now` can land just short of `wake`.
    let soon = now + 1e-6
    endPastTimeout(soon, jobs)
    let wallNow = clock.wall
    endPastUntil(wallNow + 1e-6, jobs)
    if unfinished == 0 || (mode == .any && endedOne) { return false }
    queueDue(soon, &jobs)
    wakeHosts(soon)
    while let h = dirty.popLast() { dispatch(h, now: now, jobs) }
    let events = transport.poll(timeout: waitTime(now: now, wallNow: wallNow), watching: watched)
    if let signal = events.signal {
      for i in slots.indices { end(i, .signaled(signal), jobs) }
      return false
    }
    takeReady(events.ready, jobs)
    let after = clock.monotonic
    if let tick, after - lastTick >= tickInterval - 1e-6 {
      lastTick = after
      tick()
    }
    for (id, result) in events.results { take(result, id: id, now: after, &jobs) }
    return !(mode == .any && endedOne)
  }

  /// Abandons the requests still in flight and empties the hosts' queues; one result a job.
  mutating func finish() -> [JobctlError??] {
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

  // MARK: Time

  /// Where job `i`'s limit ends in monotonic seconds, `--until` taken from the wall clock now.
  func limit(_ i: Int, now: Double, _ jobs: [S]) -> Double? {
    let byUntil = jobs[i].policy.until.map { now + ($0 - clock.wall) }
    switch (slots[i].deadline, byUntil) {
    case (let t?, let u?): return min(t, u)
    case (let t?, nil): return t
    case (nil, let u?): return u
    case (nil, nil): return nil
    }
  }

  /// Ends every job whose `--timeout` is at or before `soon` (monotonic).
  mutating func endPastTimeout(_ soon: Double, _ jobs: [S]) {
    while let top = deadlines.first, top.time <= soon {
      deadlines.pop()
      if slots[top.index].phase != .done { end(top.index, timedOut(top.index, jobs), jobs) }
    }
  }

  /// Ends every job whose `--until` is at or before `wall` (Unix time).
  mutating func endPastUntil(_ wall: Double, _ jobs: [S]) {
    while let top = untils.first, top.time <= wall {
      untils.pop()
      if slots[top.index].phase != .done { end(top.index, timedOut(top.index, jobs), jobs) }
    }
  }

  /// How long the transport may wait: until the next thing due, limit, host opening or tick.
  func waitTime(now: Double, wallNow: Double) -> Double {
    var wake = Double.infinity
    if let top = due.first { wake = min(wake, top.time) }
    if let top = deadlines.first { wake = min(wake, top.time) }
    if let top = untils.first { wake = min(wake, now + (top.time - wallNow)) }
    if let top = hostWakes.first { wake = min(wake, top.time) }
    if tick != nil { wake = min(wake, lastTick + tickInterval) }
    return wake == .infinity ? 3600 : max(0, wake - now)
  }

  func timedOut(_ i: Int, _ jobs: [S]) -> JobctlError {
    .timedOut(jobs[i].policy.limitReached(clock: clock, still: jobs[i].stillText))
  }

  // MARK: Sending

  /// Makes the request of every job due by `soon` and queues it at its host.
  mutating func queueDue(_ soon: Double, _ jobs: inout [S]) {
    while let top = due.first, top.time <= soon {
      due.pop()
      let i = top.index
      guard slots[i].phase == .idle, slots[i].due == top.time else { continue }
      let request = jobs[i].nextRequest()
      let h = host(of: i, url: request.url)
      slots[i].phase = .queued
      hosts[h].waiting.append(i, request)
      markDirty(h)
    }
  }

  /// Hosts whose hold ends by `soon` may send again.
  mutating func wakeHosts(_ soon: Double) {
    while let top = hostWakes.first, top.time <= soon {
      hostWakes.pop()
      if hosts[top.index].wakeAt == top.time { hosts[top.index].wakeAt = nil }
      markDirty(top.index)
    }
  }

  /// The gate of job `i`'s host and port.
  mutating func host(of i: Int, url: String) -> Int {
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

  mutating func markDirty(_ host: Int) {
    guard !hosts[host].dirty else { return }
    hosts[host].dirty = true
    dirty.append(host)
  }

  mutating func release(_ host: Int) {
    hosts[host].inFlight -= 1
    markDirty(host)
  }

  /// Sends host `h`'s queued requests while it has room, unless its gate is closed until later.
  mutating func dispatch(_ h: Int, now: Double, _ jobs: [S]) {
    hosts[h].dirty = false
    while hosts[h].inFlight < (hosts[h].budget.probing ? 1 : maxPerHost), !hosts[h].waiting.isEmpty {
      let opens = hosts[h].opensAt
      if opens > now + 1e-6 {
        holdBack(h, until: opens, now: now, jobs)
        return
      }
      guard let (i, held) = hosts[h].waiting.popFirst() else { break }
      guard slots[i].phase == .queued else { continue }
      send(held, job: i, host: h, now: now, jobs)
    }
  }

  /// Host `h`'s gate opens at `opens`: it wakes then, and a pace that holds its first job back
  /// noticeably is announced.
  mutating func holdBack(_ h: Int, until opens: Double, now: Double, _ jobs: [S]) {
    if let i = hosts[h].waiting.first, slots[i].phase == .queued,
      let pause = hosts[h].pacingPause(due: slots[i].due, interval: jobs[i].policy.interval, now: now)
    {
      report(i, .rateLimited(reason: pause.reason, delay: pause.delay))
    }
    if hosts[h].wakeAt != opens {
      hosts[h].wakeAt = opens
      hostWakes.push(opens, h)
    }
  }

  /// Sends job `i`'s request, cut to what is left before its limit.
  mutating func send(_ held: HTTPRequest, job i: Int, host h: Int, now: Double, _ jobs: [S]) {
    var request = held
    if let deadline = limit(i, now: now, jobs) {
      let left = max(0.001, deadline - now)
      request.timeout = min(request.overallLimit(standard: requestTimeout) ?? left, left)
    }
    prepare?(&request)
    slots[i].phase = .inFlight
    hosts[h].inFlight += 1
    hosts[h].sent(at: now, due: slots[i].due, interval: jobs[i].policy.interval)
    transport.start(request, id: base + i)
  }

  // MARK: Taking in

  /// Each ready descriptor either ends every job or is no longer watched.
  mutating func takeReady(_ ready: [(fd: Int32, revents: Int16)], _ jobs: [S]) {
    for (fd, revents) in ready {
      guard let found = watched.first(where: { $0.fd == fd }) else { continue }
      if let error = handleDescriptor(found, revents) {
        for i in slots.indices { end(i, error, jobs) }
      } else {
        watched.removeAll { $0.fd == fd }
      }
    }
  }

  /// One request's result, given to its job's stepper, which says what comes next.
  mutating func take(_ result: Result<HTTPResponse, TransportFailure>, id: Int, now: Double, _ jobs: inout [S]) {
    let i = id - base
    guard slots.indices.contains(i), slots[i].phase == .inFlight else { return }
    let h = slots[i].host
    release(h)
    slots[i].phase = .idle
    if case .success(let response) = result, readHeaders(response, job: i, host: h, now: now) { return }
    if case .failure(let failure) = result, failure.timedOut, let deadline = limit(i, now: now, jobs),
      now >= deadline - 0.001
    {
      end(i, timedOut(i, jobs), jobs)
      return
    }
    let report = self.report
    switch jobs[i].absorb(result, now: now, wall: clock.wall, random: random, report: { report(i, $0) }) {
    case .finish(let error): end(i, error, jobs)
    case .again(let delay, let firm): again(i, after: delay, firm: firm, host: h, now: now, jobs)
    }
  }

  /// Reads an answer's budget headers; true when the request goes again at once (a 401 after
  /// which the credentials changed).
  mutating func readHeaders(_ response: HTTPResponse, job i: Int, host h: Int, now: Double) -> Bool {
    if let pause = hosts[h].absorb(response, now: now, wall: clock.wall) {
      report(i, .rateLimited(reason: pause.reason, delay: pause.delay))
    }
    guard response.status == 401, let changed = credentialsChanged, changed() else { return false }
    // A rotated token: the same request again, at once, with the new one.
    slots[i].due = now
    due.push(now, i)
    return true
  }

  /// Job `i` polls again after `delay`; a firm delay (`Retry-After`) holds back its whole host,
  /// and ends the job when it reaches past the job's limit.
  mutating func again(_ i: Int, after delay: Double, firm: Bool, host h: Int, now: Double, _ jobs: [S]) {
    if firm {
      hosts[h].holdUntil(now + delay)
      if let deadline = limit(i, now: now, jobs), now + delay > deadline {
        let limitName = jobs[i].policy.limitName(clock: clock)
        end(i, .retryAfterPastDeadline(delay, left: deadline - now, limit: limitName, jobs[i].stillText), jobs)
        return
      }
    }
    slots[i].due = now + delay
    due.push(now + delay, i)
  }

  /// Job `i` ends (once): its request abandoned, `finished` told.
  mutating func end(_ i: Int, _ error: JobctlError?, _ jobs: [S]) {
    guard slots[i].phase != .done else { return }
    if slots[i].phase == .inFlight {
      transport.abandon(base + i)
      release(slots[i].host)
    }
    slots[i].phase = .done
    let error = error.map { Self.giveUp($0, jobs[i]) }
    slots[i].result = .some(error)
    unfinished -= 1
    endedOne = true
    finished(i, jobs[i], error)
  }

  /// A message that gives up names the job and its URL, so the wait can be taken up again.
  static func giveUp(_ error: JobctlError, _ stepper: S) -> JobctlError {
    guard let whereabouts = stepper.whereabouts, let m = error.message, !Text.contains(m, whereabouts) else {
      return error
    }
    switch error {
    case .timedOut(let c): return .timedOut(.naming(c, whereabouts: whereabouts))
    case .unreachable(let c): return .unreachable(.naming(c, whereabouts: whereabouts))
    case .stalled(let c): return .stalled(.naming(c, whereabouts: whereabouts))
    default: return error
    }
  }
}
