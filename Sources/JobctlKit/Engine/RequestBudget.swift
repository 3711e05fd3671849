/// The request budget a server announces for one host (contract section 5).
struct RequestBudget {
  /// A pause the budget imposes, worth telling the user about.
  struct Pause: Equatable {
    var reason: String
    var delay: Double
  }

  /// No request before this (monotonic seconds).
  private(set) var nextAllowed = 0.0

  mutating func sent(at now: Double) {}

  mutating func absorb(_ response: HTTPResponse, now: Double, wall: Double) -> Pause? { nil }
}
