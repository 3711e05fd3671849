import JobctlKit

/// Time that moves only when the code under test sleeps or a fake request takes time.
public final class FakeClock: Clock {
  public var monotonic: Double = 1000
  public var wall: Double = 1_795_382_398

  public init() {}

  public func advance(_ seconds: Double) {
    monotonic += seconds
    wall += seconds
  }
}

/// Returns the same value every time (0.5 is the middle of every jitter window).
public final class FixedRandom: RandomSource {
  public var value: Double

  public init(_ value: Double = 0.5) { self.value = value }

  public func unit() -> Double { value }

  /// Each byte from `value`, so an idempotency key is the same on every run of a test.
  public func bytes(_ count: Int) -> [UInt8] {
    [UInt8](repeating: UInt8(min(255, Int(value * 256))), count: count)
  }
}
