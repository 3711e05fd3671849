import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// The edit distance behind "did you mean" (README "Exit codes": usage errors).
@Suite struct SuggestTests {
  // Each edit touches a letter once: "ca" to "abc" is a swap then an insert between the swapped
  // letters, which counts as three (optimal string alignment), not two.
  @Test(arguments: [
    ("wait", "wait", 0), ("wiat", "wait", 1), ("timout", "timeout", 1), ("", "abc", 3), ("abc", "", 3),
    ("kitten", "sitting", 3), ("stauts", "status", 1), ("ca", "abc", 3), ("prod:ue", "prod:eu", 1),
    ("ünï", "uni", 2),
  ])
  func distance(_ a: String, _ b: String, _ expected: Int) {
    #expect(Suggest.distance(a, b) == expected)
    #expect(Suggest.distance(b, a) == expected)
  }

  @Test func nearIsRelativeToLength() {
    #expect(Suggest.nearest("wiat", among: ["start", "wait", "status"]) == ["wait"])
    #expect(Suggest.nearest("x", among: ["start", "wait", "status"]) == [])
    // Two edits in a four-letter word are too many; in a seven-letter word they are not.
    #expect(Suggest.nearest("wutt", among: ["wait"]) == [])
    #expect(Suggest.nearest("timmout", among: ["timeout", "interval"]) == ["timeout"])
    #expect(Suggest.nearest("intervl", among: ["timeout", "interval", "max-interval"]) == ["interval"])
    // Case does not count; the exact word is not suggested back.
    #expect(Suggest.nearest("WAIT", among: ["wait"]) == ["wait"])
    #expect(Suggest.nearest("wait", among: ["wait"]) == [])
  }

  @Test func equallyNearCandidatesAreAllListed() {
    #expect(Suggest.nearest("sat", among: ["cat", "bat", "sap", "dog", "cat"]) == ["cat", "bat", "sap"])
    #expect(Suggest.didYouMean("sat", among: ["cat", "bat"]) == "; did you mean 'cat' or 'bat'?")
    #expect(Suggest.didYouMean("sat", among: ["cat", "bat", "sap"]) == "; did you mean 'cat', 'bat' or 'sap'?")
    #expect(Suggest.didYouMean("timout", among: ["timeout"]) { "--\($0)" } == "; did you mean --timeout?")
    #expect(Suggest.didYouMean("zzzzzz", among: ["timeout"]) == "")
  }
}
