import Foundation
import LoopbackHTTP
import Testing

/// A wait for many jobs against a dead server prints a screenful of errors, then counts the
/// rest; ndjson and --json still carry every job (docs/behaviour.md "How `wait` behaves").
@Suite struct ManyErrorsTests {
  @Test func errorsPastAScreenfulAreCounted() throws {
    let server = try LoopbackServer()
    server.setHandler { _ in .json(503, #"{"error":"down"}"#) }
    let ids = (1...50).map { "j\($0)" }
    let args =
      ["wait"] + ids + ["--base-url", server.baseURL, "--timeout", "1s", "--max-errors", "1000", "--progress", "none"]
      + fast
    let r = try jobctl(args)
    #expect(r.code == 124, "\(r.stderr)")
    let errors = r.stderrLines.filter { $0.hasPrefix("jobctl: error: ") }
    #expect(errors.count == 21, "\(r.stderr)")
    #expect(
      errors.last == "jobctl: error: and 30 more like it (exit 124); --json and --format ndjson carry every job",
      "\(r.stderr)")
    let ndjson = try jobctl(args + ["--format", "ndjson"])
    let done = ndjson.stdout.split(separator: "\n").filter { $0.contains(#""event":"done""#) }
    #expect(done.count == 50, "\(ndjson.stdout.prefix(400))")
  }
}
