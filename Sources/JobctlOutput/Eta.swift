/// Estimates the time left from the rate at which progress has moved.
///
/// It keeps the progress samples of the last `window` seconds; the rate is the progress gained
/// across them divided by the time they span. An estimate is given only when it means something:
/// at least two samples `minimumSpan` seconds apart, progress that moved forward, and a result
/// under `maximum`.
package struct EtaEstimator: Sendable {
  package var window: Double = 60
  package var minimumSpan: Double = 2
  package var maximum: Double = 100 * 3600
  private var samples: [(time: Double, progress: Double)] = []

  package init() {}

  /// Records progress (a fraction) seen at monotonic time `time`.
  package mutating func record(_ progress: Double, at time: Double) {
    if let last = samples.last, progress < last.progress {
      // Progress went backwards (a new phase): the old rate says nothing about the new one.
      samples.removeAll()
    }
    if let last = samples.last, last.progress == progress {
      // An unchanged value keeps its first time, so a stall lowers the rate as it should.
    } else {
      samples.append((time, progress))
    }
    while samples.count > 2, let first = samples.first, time - first.time > window { samples.removeFirst() }
  }

  /// Seconds left at time `now`, or nil when there is no meaningful estimate.
  package func remaining(now: Double) -> Double? {
    guard let first = samples.first, let last = samples.last, samples.count >= 2 else { return nil }
    let span = now - first.time
    let gained = last.progress - first.progress
    guard span >= minimumSpan, gained > 0, last.progress < 1 else { return nil }
    let rate = gained / span
    let left = (1 - last.progress) / rate
    return left.isFinite && left < maximum ? left : nil
  }
}
