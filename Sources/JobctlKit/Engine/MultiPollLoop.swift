/// Waits for many jobs at once from one thread (contract section 5).
///
/// Each job keeps its own schedule and its own `JobWatch` rules; requests to one host are capped
/// at `maxPerHost` in flight, and a `Retry-After` from a host holds back every job on that host
/// until it has passed. The transport runs the requests concurrently (libcurl's multi
/// interface), and its `poll` is also where the loop sleeps, so a signal ends everything at once.
public struct MultiPollLoop {
  public enum Mode: Sendable {
    /// Until every job has ended.
    case all
    /// Until the first job ends.
    case any
  }

  public let transport: ConcurrentTransport
  public let clock: Clock
  public let requestTimeout: Double
  public let maxPerHost: Int
  public let random: RandomSource
  /// Called between polls no more often than `tickInterval` (the live line, the heartbeat).
  public var tick: (() -> Void)?
  public var tickInterval: Double = 0.1

  public init(
    transport: ConcurrentTransport, clock: Clock, random: RandomSource, requestTimeout: Double, maxPerHost: Int
  ) {
    self.transport = transport
    self.clock = clock
    self.random = random
    self.requestTimeout = requestTimeout
    self.maxPerHost = max(1, maxPerHost)
  }

  private struct Slot {
    var watch: JobWatch
    let host: String
    var due: Double
    var inFlight = false
    var result: JobctlError??
  }

  /// Runs the watches and returns one outcome per watch, in order.
  ///
  /// An outcome is nil for a job left unfinished by `--any`. `report` gets each event with its
  /// watch's index; `finished` is told the moment a job ends.
  public func run(
    _ watches: [JobWatch], mode: Mode, report: (Int, PollEvent) -> Void,
    finished: (Int, WaitOutcome) -> Void = { _, _ in }
  ) -> [WaitOutcome?] {
    let start = clock.monotonic
    var slots = watches.map { watch in
      Slot(watch: watch, host: URLParts(watch.request.url)?.hostKey ?? "", due: start)
    }
    var hostNotBefore: [String: Double] = [:]
    var inFlightByHost: [String: Int] = [:]
    let deadline = watches.first?.policy.timeout.map { start + $0 }
    var lastTick = start

    func timedOut(_ slot: Slot) -> JobctlError {
      let limit = slot.watch.policy.timeout.map(DurationText.format) ?? ""
      return .timedOut("timed out after \(limit); \(slot.watch.stillText)")
    }
    func end(_ index: Int, _ error: JobctlError?) {
      slots[index].result = .some(error)
      finished(index, WaitOutcome(error: error, watch: slots[index].watch))
    }
    func outcomes() -> [WaitOutcome?] {
      slots.map { slot in slot.result.map { WaitOutcome(error: $0, watch: slot.watch) } }
    }

    while slots.contains(where: { $0.result == nil }) {
      var now = clock.monotonic
      if let deadline, now >= deadline {
        for i in slots.indices where slots[i].result == nil { end(i, timedOut(slots[i])) }
        break
      }
      // Start every request that is due and allowed.
      for i in slots.indices where slots[i].result == nil && !slots[i].inFlight && slots[i].due <= now {
        let host = slots[i].host
        guard hostNotBefore[host, default: 0] <= now, inFlightByHost[host, default: 0] < maxPerHost else { continue }
        var request = slots[i].watch.nextRequest()
        if let deadline { request.timeout = min(request.timeout ?? requestTimeout, deadline - now) }
        transport.start(request, id: i)
        slots[i].inFlight = true
        inFlightByHost[host, default: 0] += 1
      }
      // Sleep until the next due time, host gate, deadline or tick, unless results come first.
      var wake = deadline ?? .infinity
      for slot in slots where slot.result == nil && !slot.inFlight {
        // A job held back by its host's connection cap waits for a result, not for a time.
        if slot.due <= now && inFlightByHost[slot.host, default: 0] >= maxPerHost { continue }
        wake = min(wake, max(slot.due, hostNotBefore[slot.host, default: 0]))
      }
      if tick != nil { wake = min(wake, lastTick + tickInterval) }
      let (results, signal) = transport.poll(timeout: wake == .infinity ? 3600 : max(0, wake - now))
      if let signal {
        for i in slots.indices where slots[i].result == nil { end(i, .signaled(signal)) }
        break
      }
      now = clock.monotonic
      if let tick, now - lastTick >= tickInterval {
        lastTick = now
        tick()
      }
      for (index, result) in results where slots.indices.contains(index) {
        slots[index].inFlight = false
        inFlightByHost[slots[index].host, default: 1] -= 1
        guard slots[index].result == nil else { continue }
        if case .failure(let failure) = result, failure.timedOut, let deadline, now >= deadline - 0.001 {
          end(index, timedOut(slots[index]))
          continue
        }
        let step = slots[index].watch.absorb(result, now: now, wall: clock.wall, random: random) {
          report(index, $0)
        }
        switch step {
        case .finish(let error):
          end(index, error)
        case .again(let delay, let firm):
          if firm {
            // A Retry-After holds back the whole host.
            let host = slots[index].host
            hostNotBefore[host] = max(hostNotBefore[host, default: 0], now + delay)
            if let deadline, now + delay > deadline {
              let watch = slots[index].watch
              end(
                index,
                .retryAfterPastDeadline(
                  delay, left: deadline - now, timeout: watch.policy.timeout, watch.stillText))
              continue
            }
          }
          slots[index].due = now + delay
        }
      }
      if mode == .any, slots.contains(where: { $0.result != nil }) { break }
    }
    return outcomes()
  }
}
