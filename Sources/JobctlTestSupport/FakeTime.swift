import JobctlEngine
import JobctlHTTP
import JobctlKit
import JobctlOutput
import JobctlShapes
import JobctlSupport
import JobctlTransport

/// Time that moves only when the code under test sleeps or a fake request takes time.
package final class FakeClock: Clock {
  package var monotonic: Double = 1000
  package var wall: Double = 1_795_382_398

  package init() {}

  package func advance(_ seconds: Double) {
    monotonic += seconds
    wall += seconds
  }
}

/// Returns the same value every time (0.5 is the middle of every jitter window).
package final class FixedRandom: RandomSource {
  package var value: Double

  package init(_ value: Double = 0.5) { self.value = value }

  package func unit() -> Double { value }

  /// Each byte from `value`, so an idempotency key is the same on every run of a test.
  package func bytes(_ count: Int) -> [UInt8] {
    [UInt8](repeating: UInt8(min(255, Int(value * 256))), count: count)
  }
}
