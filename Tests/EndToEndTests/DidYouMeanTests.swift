import Foundation
import LoopbackHTTP
import Testing

/// A mistyped command, option, shape, profile or help topic is a usage error that suggests the
/// nearest names, as git does (README "Exit codes"); an unknown option names the command's help.
@Suite struct DidYouMeanTests {
  private func expectUsage(
    _ arguments: [String], _ message: String, env: [String: String] = [:],
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let r = try jobctl(arguments, env: env)
    #expect(r.code == 2, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stdout == "", sourceLocation: sourceLocation)
    #expect(r.stderr == "jobctl: error: \(message)\n", sourceLocation: sourceLocation)
  }

  @Test func commands() throws {
    try expectUsage(["wiat"], "unknown command 'wiat'; did you mean 'wait'?")
    try expectUsage(["stauts", "j1"], "unknown command 'stauts'; did you mean 'status'?")
    try expectUsage(
      ["frobnicate"],
      "unknown command 'frobnicate' (commands: wait, status, start, cancel, list, output, explain, completion, help, version)"
    )
  }

  @Test func options() throws {
    try expectUsage(
      ["wait", "x", "--timout", "5s"], "unknown option --timout; did you mean --timeout? (see 'jobctl wait --help')")
    try expectUsage(
      ["--timout=5s", "wait", "x"], "unknown option --timout; did you mean --timeout? (see 'jobctl wait --help')")
    try expectUsage(["wait", "x", "--zzzzzz"], "unknown option --zzzzzz (see 'jobctl wait --help')")
    try expectUsage(["wait", "x", "-Z"], "unknown option -Z (see 'jobctl wait --help')")
    try expectUsage(["--zzzzzz"], "unknown option --zzzzzz (see 'jobctl help COMMAND')")
  }

  @Test func helpTopics() throws {
    try expectUsage(
      ["help", "wiat"],
      "no help for 'wiat'; did you mean 'wait'? (commands: wait, status, start, cancel, list, output, explain, completion, help, version, exit-codes, or dialects)"
    )
    let r = try jobctl(["help", "exit-code"])
    #expect(r.code == 2)
    #expect(r.stderr.hasPrefix("jobctl: error: no help for 'exit-code'; did you mean 'exit-codes'? "), "\(r.stderr)")
    let shape = try jobctl(["help", "dialects", "stagd"], env: ["JOBCTL_CONFIG": "/dev/null"])
    #expect(shape.code == 2)
    #expect(
      shape.stderr.hasPrefix("jobctl: error: no shape 'stagd'; did you mean 'staged'? (known: "), "\(shape.stderr)")
  }

  @Test func dialectsAndProfiles() throws {
    let config = try scratch().appendingPathComponent("config")
    try
      "[profile prod:eu]\nbase-url = http://127.0.0.1:1\n[profile prod:us]\n[profile staging]\n[dialect mine]\nstatus-path = state\n"
      .write(to: config, atomically: true, encoding: .utf8)
    let shape = try jobctl(["wait", "j1", "--config", config.path, "--dialect", "stagd"])
    #expect(shape.code == 2)
    #expect(
      shape.stderr.hasPrefix("jobctl: error: --dialect names no shape 'stagd'; did you mean 'staged'? (known: "),
      "\(shape.stderr)")
    let section = try jobctl(["wait", "j1", "--config", config.path, "--dialect", "mien"])
    #expect(section.code == 2)
    #expect(section.stderr.contains("no shape 'mien'; did you mean 'mine'?"), "\(section.stderr)")
    try expectUsage(
      ["wait", "j1", "--config", config.path, "--profile", "prdo:eu"],
      "no profile 'prdo:eu' in \(config.path); did you mean 'prod:eu'?")
    try expectUsage(
      ["wait", "j1", "--config", config.path, "--profile", "prod:xx"],
      "no profile 'prod:xx' in \(config.path); did you mean 'prod:eu' or 'prod:us'?")
    try expectUsage(["wait", "j1", "--config", config.path, "--profile", "qa"], "no profile 'qa' in \(config.path)")
  }
}
