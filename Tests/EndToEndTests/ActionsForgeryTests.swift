import Foundation
import LoopbackHTTP
import Testing

/// Under GitHub Actions no server text jobctl prints for people forms a workflow command in the
/// log; `--field` and `--json` stay byte-exact (docs/ci.md "GitHub Actions").
@Suite struct ActionsForgeryTests {
  private let env = ["GITHUB_ACTIONS": "true"]

  /// The lines of both streams the runner would read as a command, but for jobctl's own
  /// annotations (`::error title=job ...`, `::warning title=job ...`).
  private func forged(_ r: ProcessResult) -> [String] {
    (r.stdout + "\n" + r.stderr).split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init).filter { line in
      let trimmed = line.drop { $0 == " " || $0 == "\t" }
      if line.contains("##[") { return true }
      if trimmed.hasPrefix("::error title=") || trimmed.hasPrefix("::warning title=") { return false }
      return trimmed.hasPrefix("::")
    }
  }

  @Test func serverTextInMessagesFormsNoCommand() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(###"{"jobId":"j1","status":"failed","error":"##[error]forged one"}"###)])
    server.script("/jobs/j2", [.doc(###"{"jobId":"j2","status":"pending","stage":"##[set-output name=x;]y"}"###)])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--progress", "plain"], env: env)
    #expect(r.code == 1, "\(r.stderr)")
    #expect(forged(r).isEmpty, "\(forged(r))")
    #expect(r.stderr.contains(#"#\x23[error]forged one"#), "\(r.stderr)")
    let s = try jobctl(
      ["wait", "j2", "--base-url", server.baseURL, "--progress", "plain", "--timeout", "1s"], env: env)
    #expect(s.code == 124, "\(s.stderr)")
    #expect(forged(s).isEmpty, "\(forged(s))")
    #expect(s.stderr.contains(#"#\x23[set-output"#), "\(s.stderr)")
  }

  /// A `list` table starts its lines with the server's ids.
  @Test func aListTableFormsNoCommandButItsJSONIsExact() throws {
    let server = try LoopbackServer()
    let body =
      #"{"jobs":[{"jobId":"::error::forged","status":"completed"},{"jobId":"  ::stop-commands::t","status":"running"}]}"#
    server.script("/jobs", [.json(200, body)])
    let r = try jobctl(["list", "--base-url", server.baseURL], env: env)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(forged(r).isEmpty, "\(forged(r))")
    #expect(r.stdout.contains(#"\x3a:error::forged"#), "\(r.stdout)")
    let json = try jobctl(["list", "--base-url", server.baseURL, "--json"], env: env)
    #expect(json.stdout.contains(#""::error::forged""#), "\(json.stdout)")
  }

  /// `--field` is what a script captures: the value as the server sent it.
  @Test func aFieldStaysByteExact() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(#"{"jobId":"j1","status":"completed","result":"::set-output name=a::b"}"#)])
    let r = try jobctl(["wait", "j1", "--base-url", server.baseURL, "--field", "result"], env: env)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(r.stdout == "::set-output name=a::b\n")
  }
}
