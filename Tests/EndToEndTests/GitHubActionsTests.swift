import Foundation
import LoopbackHTTP
import Testing

/// A folder for GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, removed by the caller.
private func actionsFolder() throws -> URL {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-gha-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  return folder
}

private func contents(_ url: URL) -> [UInt8] {
  [UInt8](FileHandle(forReadingAtPath: url.path)?.readDataToEndOfFile() ?? Data())
}

/// What jobctl leaves for GitHub Actions: step outputs, annotations and the step summary.
@Suite struct GitHubActionsEndToEndTests {
  /// A value holding CRLF (one Swift Character, equal to neither "\r" nor "\n") takes the heredoc
  /// form, with the value byte for byte; an annotation escapes both.
  @Test func aValueHoldingCRLFUsesTheHeredocForm() throws {
    let server = try LoopbackServer()
    server.script("/jobs/j1", [.doc(#"{"jobId":"j1","status":"completed","result":{"note":"x\r\ny"}}"#)])
    server.script("/jobs/j2", [.doc(#"{"jobId":"j2","status":"failed","error":"bad\r\nline"}"#)])
    let folder = try actionsFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let output = folder.appendingPathComponent("output")
    let env = ["GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": output.path]
    let r = try jobctl(["wait", "j1", "--field", "result.note", "--base-url", server.baseURL], env: env)
    #expect(r.code == 0, "\(r.stderr)")
    #expect(contents(output) == Array("status=completed\njob-id=j1\nfield<<JOBCTL_EOF\nx\r\ny\nJOBCTL_EOF\n".utf8))
    let failed = try jobctl(["wait", "j2", "--base-url", server.baseURL, "--progress", "none"], env: env)
    #expect(failed.code == 1)
    let annotation = try #require(failed.stderrLines.first { $0.hasPrefix("::error ") })
    #expect(annotation.hasPrefix("::error title=job j2 failed::job j2 failed: bad"))
    #expect(!annotation.unicodeScalars.contains { $0 == "\r" || $0 == "\n" })
  }

  /// Step outputs that cannot be written fail a completed job's step (exit 10, as the toolkit's
  /// setOutput would); a failed job keeps its own code, with a warning.
  @Test func aGitHubOutputThatCannotBeWrittenIsExit10() throws {
    let server = try LoopbackServer()
    server.script("/jobs/ok", [.doc(#"{"jobId":"ok","status":"completed","result":{"a":"1"}}"#)])
    server.script("/jobs/bad", [.doc(#"{"jobId":"bad","status":"failed","error":"no"}"#)])
    let folder = try actionsFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let missing = folder.appendingPathComponent("gone/output").path
    let env = ["GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": missing]
    let ok = try jobctl(["wait", "ok", "--field", "result.a", "--base-url", server.baseURL], env: env)
    #expect(ok.code == 10, "\(ok.stderr)")
    #expect(ok.stdout == "1\n")
    #expect(ok.stderr.contains("jobctl: error: cannot append to GITHUB_OUTPUT (\(missing))"))
    let bad = try jobctl(["wait", "bad", "--base-url", server.baseURL, "--progress", "none"], env: env)
    #expect(bad.code == 1, "\(bad.stderr)")
    #expect(bad.stderr.contains("jobctl: warning: cannot append to GITHUB_OUTPUT"))
  }

  /// A wait for several jobs writes its exit code, counts by state and every job's end.
  @Test func aManyJobWaitWritesStepOutputs() throws {
    let server = try LoopbackServer()
    server.script("/jobs/ok", [.doc(#"{"status":"completed"}"#)])
    server.script("/jobs/bad", [.doc(#"{"status":"failed","error":"no"}"#)])
    server.script("/jobs/slow", [.doc(#"{"status":"pending"}"#)])
    let folder = try actionsFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let output = folder.appendingPathComponent("output")
    let env = ["GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": output.path]
    let r = try jobctl(
      ["wait", "ok", "bad", "slow", "--base-url", server.baseURL, "--progress", "none", "--timeout", "1s"] + fast,
      env: env)
    #expect(r.code == 124, "\(r.stderr)")
    let jobs =
      #"[{"job":"ok","state":"completed","exit_code":0},{"job":"bad","state":"failed","exit_code":1},"#
      + #"{"job":"slow","state":null,"exit_code":124}]"#
    #expect(
      String(decoding: contents(output), as: UTF8.self)
        == "exit-code=124\ncompleted=1\nfailed=1\ncanceled=0\nunfinished=1\njobs=\(jobs)\n")
    // Outputs that cannot be written fail a wait that succeeded (exit 10).
    let missing = folder.appendingPathComponent("gone/output").path
    let lost = try jobctl(
      ["wait", "ok", "ok", "--base-url", server.baseURL, "--progress", "none"],
      env: ["GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": missing])
    #expect(lost.code == 10, "\(lost.stderr)")
    #expect(lost.stderr.contains("jobctl: error: cannot append to GITHUB_OUTPUT (\(missing))"))
  }

  @Test func aWaitAppendsAMarkdownTableToTheStepSummary() throws {
    let server = try LoopbackServer()
    server.script("/jobs/ok", [.doc(#"{"status":"completed"}"#)])
    server.script("/jobs/bad", [.doc(#"{"status":"failed","error":"a|b <i>x</i>"}"#)])
    server.script("/jobs/slow", [.doc(#"{"status":"pending"}"#)])
    let folder = try actionsFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let summary = folder.appendingPathComponent("summary")
    #expect(FileManager.default.createFile(atPath: summary.path, contents: Data("earlier step text\n".utf8)))
    let env = ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary.path]
    let r = try jobctl(
      ["wait", "ok", "bad", "slow", "--base-url", server.baseURL, "--progress", "none", "--timeout", "1s"] + fast,
      env: env)
    #expect(r.code == 124)
    let lines = String(decoding: contents(summary), as: UTF8.self).split(separator: "\n").map(String.init)
    #expect(lines.first == "earlier step text")
    #expect(lines.contains("### jobctl wait: 3 jobs, 1 completed, 1 failed, 1 unfinished"))
    let rows = lines.filter { $0.hasPrefix("| ") && !$0.hasPrefix("| Job ") && !$0.hasPrefix("| --- ") }
    // Unfinished first, then failed, then completed; cells escaped so they cannot break the table.
    #expect(rows.count == 3)
    #expect(rows[0].hasPrefix("| slow | unfinished | "))
    #expect(rows[0].contains(" | timed out after 1s; job slow is still pending; job slow is at http://127.0.0.1:"))
    #expect(rows[1].hasPrefix("| bad | failed | "))
    #expect(rows[1].hasSuffix(#" | job bad failed: a\|b \<i\>x\</i\> |"#))
    #expect(rows[2].hasPrefix("| ok | completed | "))
    // A status poll is no wait: it leaves the summary alone.
    let before = contents(summary)
    _ = try jobctl(["status", "ok", "--base-url", server.baseURL], env: env)
    #expect(contents(summary) == before)
  }

  /// GitHub keeps 10 error annotations a step: more failures make one annotation that counts them.
  @Test func manyFailuresMakeOneAnnotation() throws {
    let server = try LoopbackServer()
    let ids = (1...12).map { "f\($0)" }
    for id in ids { server.script("/jobs/\(id)", [.doc(#"{"status":"failed","error":"boom"}"#)]) }
    server.script("/jobs/ok", [.doc(#"{"status":"completed"}"#)])
    let folder = try actionsFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let summary = folder.appendingPathComponent("summary")
    let env = ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary.path]
    let r = try jobctl(["wait"] + ["ok"] + ids + ["--base-url", server.baseURL, "--progress", "none"], env: env)
    #expect(r.code == 1)
    let annotations = r.stderrLines.filter { $0.hasPrefix("::error") }
    #expect(
      annotations == [
        "::error title=12 of 13 jobs did not complete::job f1 failed: boom%0Ajob f2 failed: boom%0Ajob f3 failed: boom%0Aand 9 more (see the step summary)"
      ])
    let text = String(decoding: contents(summary), as: UTF8.self)
    #expect(text.contains("| f1 | failed |"))
    #expect(text.contains("| ok | completed |"))
    let last = try #require(text.range(of: "| f12 | failed |"))
    let ok = try #require(text.range(of: "| ok | completed |"))
    #expect(last.lowerBound < ok.lowerBound)
  }
}
