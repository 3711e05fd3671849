import Foundation
import LoopbackHTTP
import Testing

/// A missing `--field` names the keys at the level where it was looked for, and a job the server
/// no longer has reads "gone" on the live line, in the summary and as exit 5 (docs/behaviour.md
/// "Output").
@Suite struct MissingFieldAndGoneTests {
  private let done = #"{"status":"completed","result":{"address":"1 Main St","city":"Oslo"}}"#

  @Test func aMissingFieldNamesTheKeysAtItsLevel() throws {
    let server = try LoopbackServer()
    server.setHandler { _ in .json(200, self.done) }
    let nested = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--field", "result.adress"])
    #expect(nested.code == 6, "\(nested.stderr)")
    #expect(nested.stdout == "")
    #expect(
      nested.stderr.contains("has no field 'result.adress'; result has: address, city\n"), "\(nested.stderr)")
    let top = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--field", "reslt.address"])
    #expect(top.code == 6)
    #expect(top.stderr.contains("has no field 'reslt.address'; the document has: status, result\n"), "\(top.stderr)")
    let scalar = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--field", "result.city.name"])
    #expect(scalar.code == 6)
    #expect(scalar.stderr.contains("has no field 'result.city.name'; result.city is a string\n"), "\(scalar.stderr)")
    // Several jobs: the same words for the one without the field.
    let many = try jobctl([
      "wait", "j1", "j2", "--base-url", server.baseURL, "--field", "result.zip", "--progress", "none",
    ])
    #expect(many.code == 6)
    #expect(many.stderr.contains("has no field 'result.zip'; result has: address, city"), "\(many.stderr)")
  }

  @Test func aGoneJobReadsGoneOnTheLiveLineTheSummaryAndTheExitCode() throws {
    let server = try LoopbackServer()
    server.script("/jobs/a", [.json(200, #"{"status":"completed"}"#)])
    server.script("/jobs/b", [.json(404, #"{"error":"no such job"}"#)])
    let r = try jobctl(["wait", "a", "b", "--base-url", server.baseURL, "--progress", "tty"] + fast)
    #expect(r.code == 5, "\(r.stderr)")
    // "·" between the parts on a UTF-8 terminal, "-" elsewhere.
    let live = r.stderr.replacingOccurrences(of: " · ", with: " - ")
    #expect(live.contains("2/2 ended - 1 gone - "), "\(r.stderr)")
    #expect(!r.stderr.contains("failed"), "\(r.stderr)")
    let rows = r.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
    #expect(rows.first { $0.first == "b" }.map { Array($0.prefix(3)) } == ["b", "gone", "5"], "\(r.stdout)")
    #expect(rows.first { $0.first == "a" }.map { Array($0.prefix(3)) } == ["a", "completed", "0"], "\(r.stdout)")
  }
}
