import Foundation
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// The repository root, found from this file's path.
let repositoryRoot: String = {
  var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
  parts.removeLast(3)  // Tests/JobctlKitTests/DocsTests.swift
  return parts.joined(separator: "/")
}()

/// Runs a program to its end and returns its stdout.
private func runProcess(_ path: String, _ arguments: [String], environment: [String: String]) throws -> String {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: path)
  process.arguments = arguments
  process.environment = environment
  let pipe = Pipe()
  process.standardOutput = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return String(decoding: data, as: UTF8.self)
}

/// Compares a committed file with what the program generates.
///
/// With `JOBCTL_UPDATE_GOLDEN` set it rewrites the file and fails: recording is not passing, so
/// a run that records can never hide drift. Run the tests again without it.
private func expectGolden(_ relativePath: String, _ rendered: String) throws {
  let url = URL(fileURLWithPath: repositoryRoot + "/" + relativePath)
  if ProcessInfo.processInfo.environment["JOBCTL_UPDATE_GOLDEN"] != nil {
    try Data(rendered.utf8).write(to: url)
    Issue.record("recorded \(relativePath): check the diff, then run the tests again without JOBCTL_UPDATE_GOLDEN")
    return
  }
  let committed = try #require(try? String(contentsOf: url, encoding: .utf8), "\(relativePath) is missing")
  #expect(committed == rendered, "\(relativePath) is stale: run JOBCTL_UPDATE_GOLDEN=1 make test, then make test")
}

/// Runs bash with the completion script loaded and returns what `_jobctl` offers for `words`.
private func bashCompletions(_ words: [String], environment: [String: String] = [:]) throws -> [String] {
  let script = repositoryRoot + "/completions/jobctl.bash"
  let quoted = words.map { "'\($0)'" }.joined(separator: " ")
  let command =
    "source '\(script)'; COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); _jobctl; printf '%s\\n' \"${COMPREPLY[@]}\""
  var env = environment
  env["PATH"] = "/usr/bin:/bin"
  let out = try runProcess("/bin/bash", ["--norc", "-c", command], environment: env)
  return out.split(separator: "\n").map(String.init)
}

@Suite struct DocsTests {
  @Test func manualMatchesTheCommandTable() throws {
    try expectGolden("man/jobctl.1", ManPage.render())
  }

  @Test(arguments: [
    ("bash", "completions/jobctl.bash"), ("zsh", "completions/_jobctl"), ("fish", "completions/jobctl.fish"),
  ])
  func completionScriptsMatchTheCommandTable(_ shell: String, _ path: String) throws {
    let script = try #require(Completions.script(for: shell))
    try expectGolden(path, script)
    for option in CommandTable.allOptions {
      let spelled = shell == "fish" ? "-l \(option.long) " : "--\(option.long)"
      #expect(script.contains(spelled), "\(shell) lacks --\(option.long)")
    }
    for command in CommandTable.commands { #expect(script.contains(command.name), "\(shell) lacks \(command.name)") }
  }

  @Test func bashCompletesCommandsOptionsValuesAndProfiles() throws {
    #expect(try bashCompletions(["jobctl", "st"]) == ["status", "start"])
    #expect(try bashCompletions(["jobctl", "wait", "--dialect", "s"]) == ["simple", "staged", "slurm"])
    #expect(try bashCompletions(["jobctl", "wait", "--form", ""]).isEmpty)
    #expect(try bashCompletions(["jobctl", "list", "--al"]) == ["--all"])
    #expect(try bashCompletions(["jobctl", "status", "--al"]).isEmpty)
    #expect(try bashCompletions(["jobctl", "--progress", "p"]) == ["plain"])
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jobctl-cfg-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("jobctl"), withIntermediateDirectories: true)
    try Data("[default]\nbase-url = http://a\n[profile staging]\n[ profile prod-eu ]\n".utf8)
      .write(to: dir.appendingPathComponent("jobctl/config"))
    #expect(
      try bashCompletions(["jobctl", "wait", "--profile", ""], environment: ["XDG_CONFIG_HOME": dir.path])
        == ["default", "staging", "prod-eu"])
  }

  @Test func manualNamesEveryOptionEnvironmentVariableAndExitCode() {
    let page = ManPage.render()
    for option in CommandTable.allOptions {
      #expect(page.contains("\\-\\-\(ManPage.escape(option.long))\\fR"), "--\(option.long) missing from the manual")
      if let env = option.environment { #expect(page.contains(env.name)) }
    }
    for command in CommandTable.commands { #expect(page.contains(".B jobctl \(command.name)")) }
    for (code, _) in exitCodeTable { #expect(page.contains("\n\(code)\t")) }
    #expect(page.contains("JOBCTL_TOKEN"))
  }

  /// The README names every command and exit code; the option reference it links to
  /// (docs/options.md, with the shape keys in docs/shapes.md) names every option.
  @Test func readmeNamesEveryCommandOptionAndExitCode() throws {
    let readme = String(
      decoding: try #require(try? Services.readFileFromDisk(repositoryRoot + "/README.md").get()), as: UTF8.self)
    var reference = ""
    for file in ["options", "shapes"] {
      #expect(readme.contains("](docs/\(file).md)"))
      reference += String(
        decoding: try #require(try? Services.readFileFromDisk(repositoryRoot + "/docs/\(file).md").get()),
        as: UTF8.self)
    }
    for option in CommandTable.allOptions {
      // The whole name: `--all` in `--allow` would not count.
      let named = reference.ranges(of: "--\(option.long)").contains { found in
        found.upperBound == reference.endIndex
          || !"abcdefghijklmnopqrstuvwxyz0123456789-".contains(reference[found.upperBound])
      }
      #expect(named, "docs/options.md and docs/shapes.md lack --\(option.long)")
    }
    for command in CommandTable.commands {
      #expect(readme.contains("jobctl \(command.name)"), "README lacks \(command.name)")
    }
    for (code, _) in exitCodeTable { #expect(readme.contains("| \(code) |"), "README lacks exit code \(code)") }
  }
}
