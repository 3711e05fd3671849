import Foundation
import LoopbackHTTP
import Testing

/// Failure conditions err toward failure (docs/shapes.md "Any job API", COND): a value a comparison
/// cannot read is doubtful, and a doubt never turns a failed job into a completed one.
@Suite struct FailureJudgementTests {
  /// HotCRP's `exit_status` fails for any value but `0`, `"0"`, `false` and absent.
  @Test func hotcrpExitStatusFailsForAnythingButZero() throws {
    let failing = [#""1""#, "true", #""failed""#, "1e309", "[1]", "1", "-1", #""""#, #""false""#, "{}", "0.5"]
    for value in failing {
      let server = try LoopbackServer()
      server.script("/api/job?job=hcj_1", [.json(200, #"{"ok":true,"status":"done","exit_status":\#(value)}"#)])
      let r = try jobctl(["wait", "hcj_1", "--base-url", server.baseURL + "/api", "--dialect", "hotcrp"])
      #expect(r.code == 1, "exit_status \(value): \(r.code) \(r.stderr)")
    }
    for value in ["0", #""0""#, "false", "null", "0.0"] {
      let server = try LoopbackServer()
      server.script("/api/job?job=hcj_1", [.json(200, #"{"ok":true,"status":"done","exit_status":\#(value)}"#)])
      let r = try jobctl(["wait", "hcj_1", "--base-url", server.baseURL + "/api", "--dialect", "hotcrp"])
      #expect(r.code == 0, "exit_status \(value): \(r.code) \(r.stderr)")
    }
    let server = try LoopbackServer()
    server.script("/api/job?job=hcj_1", [.json(200, #"{"ok":true,"status":"done"}"#)])
    let absent = try jobctl(["wait", "hcj_1", "--base-url", server.baseURL + "/api", "--dialect", "hotcrp"])
    #expect(absent.code == 0, "\(absent.stderr)")
  }

  /// `{"ok":false,"status":"done"}` is a failure, under `hotcrp` and under `auto`.
  @Test func hotcrpOkFalseFails() throws {
    let server = try LoopbackServer()
    server.script("/api/job?job=hcj_1", [.json(200, #"{"ok":false,"status":"done"}"#)])
    let r = try jobctl(["wait", "hcj_1", "--base-url", server.baseURL + "/api", "--dialect", "hotcrp"])
    #expect(r.code == 1, "\(r.code) \(r.stderr)")
    let auto = try jobctl(["explain"], stdin: #"{"ok":false,"status":"done"}"#)
    #expect(auto.code == 1, "\(auto.stdout) \(auto.stderr)")
    #expect(auto.stdout.hasPrefix("failed: ok=false,0\n"), "\(auto.stdout)")
  }

  /// `exit_status>0` in a failed-when holds for a string or a boolean; `explain` says so.
  @Test func doubtfulComparisonCountsAsFailureAndExplainSaysWhy() throws {
    let r = try jobctl(
      ["explain", "--completed-when", "state=done", "--failed-when", "state=done & code>0"],
      stdin: #"{"state":"done","code":"1"}"#)
    #expect(r.code == 1, "\(r.stderr)")
    #expect(
      r.stdout.hasPrefix(
        "failed: state=done & code>0 (code is \"1\", not a number: a doubtful value counts as failure)\n"),
      "\(r.stdout)")
    let b = try jobctl(
      ["explain", "--completed-when", "state=done", "--failed-when", "state=done & code>0"],
      stdin: #"{"state":"done","code":true}"#)
    #expect(b.code == 1, "\(b.stdout) \(b.stderr)")
    // A doubt never makes a success: completed-when `progress>=100` does not hold for "100".
    let p = try jobctl(
      ["explain", "--completed-when", "progress>=100", "--running-when", "progress<100"],
      stdin: #"{"progress":"100"}"#)
    #expect(p.code != 0, "\(p.stdout)")
    // A number that compares decides as before.
    let n = try jobctl(
      ["explain", "--completed-when", "state=done", "--failed-when", "state=done & code>0"],
      stdin: #"{"state":"done","code":0}"#)
    #expect(n.code == 0, "\(n.stdout) \(n.stderr)")
    #expect(n.stdout.hasPrefix("completed: state=done\n"), "\(n.stdout)")
  }

  /// `--message-path` at a number or a boolean shows it as `PATH=VALUE` (Slurm's `exit_code`).
  @Test func messagePathShowsNumbersAndBooleans() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.json(200, #"{"state":"FAILED","exit_code":2,"signaled":true,"core":false}"#)])
    let r = try jobctl([
      "wait", "j1", "--base-url", server.baseURL, "--completed-when", "state=DONE", "--failed-when", "state=FAILED",
      "--message-path", "exit_code", "--message-path", "signaled", "--message-path", "core",
    ])
    #expect(r.code == 1, "\(r.stderr)")
    #expect(r.stderr.contains("job j1 failed: exit_code=2; signaled=true; core=false"), "\(r.stderr)")
  }
}
