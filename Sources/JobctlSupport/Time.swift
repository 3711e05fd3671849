#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where every layer reads time (the engine, the progress line, the transport through a closure).
///
/// Monotonic seconds for intervals, Unix time for `Retry-After` dates and timestamps. Injected so
/// engine rules are tested without real waiting.
package protocol Clock: AnyObject {
  var monotonic: Double { get }
  var wall: Double { get }
}

/// A source of uniform random numbers in [0, 1), for jitter.
package protocol RandomSource: AnyObject {
  /// A fraction in [0, 1), for jitter.
  func unit() -> Double
  /// Bytes for identifiers (idempotency keys), where guessing one must not be possible.
  ///
  /// A requirement with no default: a source that derived them from `unit()` would make keys
  /// that can be guessed.
  func bytes(_ count: Int) -> [UInt8]
}

package final class SystemClock: Clock {
  package init() {}

  package var monotonic: Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  package var wall: Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
}

/// Jitter for poll times from SplitMix64 seeded once from the system's generator, so a poll costs
/// no `getrandom` system call; bytes for identifiers straight from the system's generator.
package final class SystemRandom: RandomSource {
  private var state: UInt64

  package init() {
    var system = SystemRandomNumberGenerator()
    state = system.next()
  }

  package func unit() -> Double {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    // The top 53 bits, as a fraction in [0, 1).
    return Double(z >> 11) * 0x1.0p-53
  }

  package func bytes(_ count: Int) -> [UInt8] {
    var system = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &system) }
  }
}
