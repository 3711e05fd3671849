import JobctlHTTP
import JobctlSupport

/// What an answer says of the requests the server still allows (docs/behaviour.md "How `wait`
/// behaves").
package struct BudgetAnnouncement: Equatable, Sendable {
  /// Requests left in the current window.
  package var remaining: Int
  /// Seconds until more are allowed (the window resets).
  package var reset: Double

  package init(remaining: Int, reset: Double) {
    self.remaining = remaining
    self.reset = reset
  }

  /// Reads the budget fields of an answer, or nil when it announces none.
  ///
  /// `RateLimit` (with `RateLimit-Policy` naming each policy's quota unit; only request quotas
  /// count) wins over `X-RateLimit-Remaining`/`X-RateLimit-Reset` and OpenAI's
  /// `x-ratelimit-remaining-requests`/`x-ratelimit-reset-requests`; of several policies, the one
  /// with the least left holds. A reset above 10^9 is a Unix time, judged against the answer's
  /// `Date` (the local `wall` clock without one).
  package static func read(_ headers: [HTTPHeader], wall: Double) -> BudgetAnnouncement? {
    // Every answer comes through here, and most announce no budget: one pass keeps the headers
    // whose names could (RateLimit..., X-RateLimit-..., x-ratelimit-...), and only those are
    // searched by name below (docs/performance.md).
    let announcing = headers.filter { mayAnnounce($0.name) }
    guard !announcing.isEmpty else { return nil }
    func values(_ name: String) -> [String] {
      announcing.filter { Text.equalsIgnoringCase($0.name, name) }.map(\.value)
    }
    if let fromDraft = draft(values("RateLimit"), policies: values("RateLimit-Policy")) { return fromDraft }
    var found: [BudgetAnnouncement] = []
    if let remaining = values("X-RateLimit-Remaining").first.flatMap(count),
      let reset = values("X-RateLimit-Reset").first.flatMap(number)
    {
      // `Date` is parsed only for an epoch reset: parsed for every answer, it was a large share
      // of a poll's instructions (docs/performance.md).
      func date() -> Double? {
        headers.first { Text.equalsIgnoringCase($0.name, "Date") }.flatMap { HTTPDate.parse($0.value) }
      }
      let seconds = reset > 1e9 ? reset - (date() ?? wall) : reset
      found.append(BudgetAnnouncement(remaining: remaining, reset: clamp(seconds)))
    }
    if let remaining = values("x-ratelimit-remaining-requests").first.flatMap(count),
      let reset = values("x-ratelimit-reset-requests").first.flatMap({ DurationText.parse(Text.trimmed($0)) })
    {
      found.append(BudgetAnnouncement(remaining: remaining, reset: clamp(reset)))
    }
    return found.min(by: { $0.remaining < $1.remaining })
  }

  /// Whether a header's name starts with `RateLimit` or `X-RateLimit`, in any case: every name
  /// `read` searches `announcing` for does (`Date` is read from all the headers, and only beside
  /// an epoch reset).
  static func mayAnnounce(_ name: String) -> Bool {
    var bytes = name.utf8.makeIterator()
    var next = bytes.next()
    if next == UInt8(ascii: "x") || next == UInt8(ascii: "X") {
      guard bytes.next() == UInt8(ascii: "-") else { return false }
      next = bytes.next()
    }
    // `| 0x20` lowercases a letter, and only `R` and `r` (and so on) become the letter sought.
    for expected in "ratelimit".utf8 {
      guard let byte = next, byte | 0x20 == expected else { return false }
      next = bytes.next()
    }
    return true
  }

  /// The IETF draft's fields: `RateLimit: "default";r=50;t=30` with
  /// `RateLimit-Policy: "default";q=100;w=60;qu="requests"`, and the older dictionary form
  /// `RateLimit: limit=100, remaining=50, reset=30`.
  static func draft(_ limits: [String], policies: [String]) -> BudgetAnnouncement? {
    let items = limits.flatMap(StructuredField.list)
    guard !items.isEmpty else { return nil }
    var units: [String: String] = [:]
    for policy in policies.flatMap(StructuredField.list) {
      units[policy.value] = policy.parameters["qu"] ?? "requests"
    }
    var found: [BudgetAnnouncement] = []
    for item in items {
      guard (units[item.value] ?? "requests") == "requests" else { continue }
      if let r = item.parameters["r"].flatMap(count), let t = item.parameters["t"].flatMap(number) {
        found.append(BudgetAnnouncement(remaining: r, reset: clamp(t)))
      }
    }
    let members = Dictionary(items.map { ($0.value, $0.parameters["="] ?? "") }, uniquingKeysWith: { a, _ in a })
    if found.isEmpty, let r = members["remaining"].flatMap(count), let t = members["reset"].flatMap(number) {
      found.append(BudgetAnnouncement(remaining: r, reset: clamp(t)))
    }
    return found.min(by: { $0.remaining < $1.remaining })
  }

  private static func count(_ text: String) -> Int? {
    let t = Text.trimmed(text)
    guard !t.isEmpty, t.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    return Int(t) ?? Int.max
  }

  private static func number(_ text: String) -> Double? {
    let t = Text.trimmed(text)
    guard !t.isEmpty, t.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }) else { return nil }
    return Double(t).flatMap { $0.isFinite ? $0 : nil }
  }

  /// No pause is longer than an hour, and a reset already past is no pause.
  private static func clamp(_ seconds: Double) -> Double { min(max(0, seconds), RetryAfter.maximum) }
}

/// Just enough of RFC 9651 structured-field lists for the rate-limit fields: items with their
/// parameters, strings unquoted.
enum StructuredField {
  struct Item {
    /// The bare item: a string's text, a token, or a dictionary member's key.
    var value: String
    /// Parameters by key; a dictionary member's own value is under `=`.
    var parameters: [String: String]
  }

  static func list(_ text: String) -> [Item] {
    Text.split(text, outsideQuotesAt: ",").compactMap { member -> Item? in
      let parts = Text.split(member, outsideQuotesAt: ";").map(String.init)
      guard let head = parts.first.map({ Text.trimmed($0) }), !head.isEmpty else { return nil }
      var item: Item
      if let eq = head.firstIndex(of: "="), !head.hasPrefix("\"") {
        item = Item(value: String(head[..<eq]), parameters: ["=": unquote(String(head[head.index(after: eq)...]))])
      } else {
        item = Item(value: unquote(head), parameters: [:])
      }
      for parameter in parts.dropFirst() {
        let p = Text.trimmed(parameter)
        guard let eq = p.firstIndex(of: "=") else {
          item.parameters[p] = "?1"
          continue
        }
        item.parameters[Text.trimmed(String(p[..<eq]))] = unquote(Text.trimmed(String(p[p.index(after: eq)...])))
      }
      return item
    }
  }

  private static func unquote(_ text: String) -> String {
    let t = Text.trimmed(text)
    guard t.count >= 2, t.hasPrefix("\""), t.hasSuffix("\"") else { return t }
    var out = String.UnicodeScalarView()
    var escaped = false
    for scalar in t.unicodeScalars.dropFirst().dropLast() {
      if !escaped && scalar == "\\" {
        escaped = true
        continue
      }
      escaped = false
      out.append(scalar)
    }
    return String(out)
  }
}

/// The request budget of one host and port, as a policy fed events and answering when the next
/// request may go: no I/O, no clock of its own (async-http-client's `RedirectState` style).
///
/// An announcement of `r` requests left over `t` seconds spreads them evenly: one request every
/// `t / r` seconds after the last one sent, none until the reset while `r` is 0. Requests sent
/// before the next announcement count against what is left.
///
/// A server writes `t` in whole seconds, rounded one way or the other, so the answers of one
/// window tell resets up to a second apart. The pace spreads what is left over the earliest
/// of them: that only sends the window's last requests sooner, never more of them than it
/// allows, since every request counts against `r`. Waiting out a spent budget, and the end
/// of a window, take the latest: a request then could only earn a 429.
package struct RequestBudget: Equatable, Sendable {
  /// A pause the budget imposes, worth telling the user about.
  package struct Pause: Equatable, Sendable {
    package var reason: String
    package var delay: Double
  }

  /// Requests left, as last announced less those sent since.
  package private(set) var remaining: Int?
  /// When the window resets (monotonic seconds): the latest reset its answers told.
  package private(set) var resetAt = 0.0
  /// The earliest reset the window's answers told, which the pace spreads what is left over.
  package private(set) var paceUntil = 0.0
  private var lastSent = -Double.infinity
  /// The announced window is over and the next one is not known yet: one request at a time
  /// until an answer says what it allows, so the first requests of a window cannot overrun it.
  package private(set) var probing = false
  /// The reset time of the last pause announced, so each pause is told once.
  private var announcedResetAt = -1.0

  package init() {}

  /// How long past its due time a request held back by the pace is worth telling about: more
  /// than the job's own interval (its polls at least twice as far apart), and a second.
  static func noticeable(_ interval: Double) -> Double { max(1, interval) }

  /// No request before this (monotonic seconds).
  package var nextAllowed: Double {
    guard let remaining else { return 0 }
    if remaining <= 0 { return resetAt }
    // An earliest reset already passed while the window goes on says nothing more: the latest
    // holds.
    let until = paceUntil > lastSent ? paceUntil : resetAt
    let pace = max(0, until - lastSent) / Double(remaining)
    return min(lastSent + pace, until)
  }

  /// A request went out at `now`.
  package mutating func sent(at now: Double) {
    if let r = remaining {
      if now >= resetAt {
        // The window is over: what it allowed no longer says anything.
        remaining = nil
        probing = true
      } else {
        remaining = r - 1
      }
    }
    lastSent = now
  }

  /// An answer arrived at `now`; returns the pause to announce when the budget is spent.
  package mutating func absorb(_ response: HTTPResponse, now: Double, wall: Double) -> Pause? {
    // Any answer ends a probe: one that announces nothing says the server keeps no budget now.
    probing = false
    guard let announcement = BudgetAnnouncement.read(response.headers, wall: wall) else { return nil }
    return absorb(announcement, now: now)
  }

  package mutating func absorb(_ announcement: BudgetAnnouncement, now: Double) -> Pause? {
    probing = false
    let reset = now + announcement.reset
    if let left = remaining, abs(reset - resetAt) <= 1 {
      // The same window: answers to requests sent together arrive in any order, and within a
      // window what is left only goes down.
      remaining = min(left, announcement.remaining)
      resetAt = max(resetAt, reset)
      paceUntil = paceUntil > now ? min(paceUntil, reset) : reset
    } else {
      remaining = announcement.remaining
      resetAt = reset
      paceUntil = reset
    }
    guard remaining == 0, resetAt > now, abs(resetAt - announcedResetAt) > 1 else { return nil }
    announcedResetAt = resetAt
    return Pause(reason: "the server's request budget is spent until it resets", delay: resetAt - now)
  }
}
