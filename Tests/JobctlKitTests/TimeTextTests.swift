import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

@Suite struct DurationTests {
  @Test(arguments: [
    ("250ms", 0.25), ("2s", 2), ("1m30s", 90), ("1h", 3600), ("2", 2), ("0.5", 0.5), ("1h2m3s", 3723),
    ("1.5m", 90), ("0", 0), ("1s500ms", 1.5),
  ])
  func parsesTheContractForms(_ text: String, _ seconds: Double) {
    #expect(DurationText.parse(text) == seconds)
  }

  @Test(arguments: [
    "", "-1s", "-1", "1e999", "1e3", "2 s", " 2s", "1s1m", "1x", ".", "1..2", "s", "1ss", "inf", "nan", "2h2h",
    "99999999h",
  ])
  func refusesEverythingElse(_ text: String) {
    #expect(DurationText.parse(text) == nil)
  }

  @Test func formatsShortly() {
    #expect(DurationText.format(0.25) == "250ms")
    #expect(DurationText.format(2) == "2s")
    #expect(DurationText.format(2.46) == "2.5s")
    #expect(DurationText.format(90) == "1m30s")
    #expect(DurationText.format(3600) == "1h")
  }
}

@Suite struct RetryAfterTests {
  let now = 784_111_777.0  // Sun, 06 Nov 1994 08:49:37 GMT

  @Test func readsDelaySeconds() {
    #expect(RetryAfter.delay("120", now: now) == 120)
    #expect(RetryAfter.delay(" 0 ", now: now) == 0)
  }

  @Test(arguments: ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"])
  func readsAllThreeHTTPDateForms(_ text: String) {
    #expect(HTTPDate.parse(text) == now)
  }

  @Test func aDateInTheFutureIsADelayAndOneInThePastIsZero() {
    #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:50:07 GMT", now: now) == 30)
    #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:00:00 GMT", now: now) == 0)
  }

  @Test(arguments: ["-5", "soon", "", "1.5", "Sun, 32 Nov 1994 08:49:37 GMT", "12abc"])
  func ignoresGarbage(_ text: String) {
    #expect(RetryAfter.delay(text, now: now) == nil)
  }

  @Test func refusesYearsThatWouldOverflow() {
    #expect(HTTPDate.parse("Sun, 06 Nov 1000000000000 08:49:37 GMT") == nil)
    #expect(RetryAfter.delay("Sun, 06 Nov 99999999999999999 08:49:37 GMT", now: now) == nil)
  }

  @Test func clampsAbsurdValues() {
    #expect(RetryAfter.delay("999999999999999999999999", now: now) == RetryAfter.maximum)
    #expect(RetryAfter.delay("Fri, 01 Jan 2100 00:00:00 GMT", now: now) == RetryAfter.maximum)
  }

  @Test func formatsISOTimestampsInUTC() {
    #expect(HTTPDate.iso8601(now) == "1994-11-06T08:49:37Z")
    #expect(HTTPDate.iso8601(0) == "1970-01-01T00:00:00Z")
  }
}

@Suite struct SystemRandomTests {
  @Test func unitValuesAreInRangeAndSpread() {
    let random = SystemRandom()
    let values = (0..<10_000).map { _ in random.unit() }
    #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
    // Every tenth of [0, 1) is hit about a thousand times; far outside that is a broken generator.
    let buckets = Dictionary(grouping: values) { Int($0 * 10) }.mapValues(\.count)
    #expect(buckets.count == 10)
    #expect(buckets.values.allSatisfy { (800...1200).contains($0) })
    #expect(SystemRandom().unit() != SystemRandom().unit())
  }
}
