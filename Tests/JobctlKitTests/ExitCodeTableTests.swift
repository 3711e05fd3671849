import Glibc
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// The exit-code table is made from the endings: every error has a row, and no code has two.
@Suite struct ExitCodeTableTests {
  /// One value of every case (the switch in `ending` makes a new case name its row).
  static let everyError: [JobctlError] = [
    .usage(.text("u")), .jobFailed(.text("f")), .jobCanceled(.text("c")), .authRefused(.text("a")),
    .notFound(.text("n")), .rejected(.text("r")),
    .unreachable(.text("x")), .stalled(.text("s")), .stillRunning(.text("p")), .localWrite(.text("w")),
    .timedOut(.text("t")), .readerGone,
    .interrupted(signal: SIGINT), .interrupted(signal: SIGHUP), .interrupted(signal: SIGTERM),
  ]

  @Test func everyErrorHasARowWithItsCode() {
    let codes = Set(exitCodeTable.map(\.code))
    for error in Self.everyError {
      #expect(exitCodeTable.contains { $0.code == error.ending.code }, "\(error) has no row")
      // SIGTERM (143) is told in the SIGINT row; every other code is its row's.
      if error != .interrupted(signal: SIGTERM) {
        #expect(codes.contains(error.exitCode), "\(error) ends with \(error.exitCode), which has no row")
        #expect(error.exitCode == error.ending.code)
      }
    }
    #expect(JobctlError.interrupted(signal: SIGTERM).exitCode == 143)
    #expect(JobctlError.Ending.interrupted.meaning.contains("143"))
  }

  @Test func codesAreUniqueAndInOrder() {
    let codes = exitCodeTable.map(\.code)
    #expect(Set(codes).count == codes.count)
    #expect(codes == codes.sorted())
    #expect(codes == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 124, 129, 130, 141])
    #expect(exitCodeTable.allSatisfy { !$0.meaning.isEmpty })
  }

  @Test func everyEndingButSuccessIsSomeErrorsEnding() {
    let reached = Set(Self.everyError.map(\.ending))
    for ending in JobctlError.Ending.allCases where ending != .success {
      #expect(reached.contains(ending), "no error ends with \(ending)")
    }
  }

  @Test func ndjsonMeaningByCode() {
    #expect(JobctlError.Ending.meaning(of: 9) == JobctlError.Ending.stillRunning.meaning)
    #expect(JobctlError.Ending.meaning(of: 42) == nil)
  }
}
