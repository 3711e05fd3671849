/// `help`, `--help` and `version`, all printed from `CommandTable`.
enum HelpCommand {
  static func run(_ invocation: Invocation, environment: [String: String] = [:], services: Services) throws(JobctlError)
    -> Int32
  {
    let out = services.streams.stdout
    guard let topic = invocation.arguments.first else {
      out.write(overview())
      return 0
    }
    if topic == "exit-codes" {
      out.write(exitCodes())
      return 0
    }
    if topic == "dialects" {
      out.write(try dialects(invocation.arguments.dropFirst().first, invocation, environment, services))
      return 0
    }
    guard invocation.arguments.count == 1 else {
      throw .usage("help takes one topic, or dialects NAME")
    }
    guard let command = CommandTable.command(topic) else {
      throw .usage(
        "no help for '\(Text.oneLine(topic, limit: 60))' (commands: \(CommandTable.commands.map(\.name).joined(separator: ", ")), exit-codes, or dialects)"
      )
    }
    out.write(help(for: command))
    return 0
  }

  static func overview() -> String {
    var s = """
      jobctl \(Version.current): wait for asynchronous HTTP jobs.

      Usage: jobctl [OPTIONS] COMMAND [OPTIONS] [ARGS]

      Commands:

      """
    let width = CommandTable.commands.map(\.name.count).max() ?? 0
    for c in CommandTable.commands {
      s += "  \(c.name)\(String(repeating: " ", count: width - c.name.count + 2))\(c.summary)\n"
    }
    s += """

      JOB is a job id (polled at BASE_URL + --jobs-path), an absolute http(s) URL, or a path
      starting with / (resolved against the base URL's origin).

      Examples:
        export JOBCTL_BASE_URL=https://api.example.com
        jobctl wait 8f14e45f --timeout 10m
        ADDR=$(jobctl wait "$ID" --field result.address)

      Run 'jobctl help COMMAND' for a command's options, 'jobctl help exit-codes' for exit codes,
      'jobctl help dialects' for the response shapes jobctl reads (and how to describe another).

      """
    return s
  }

  static func help(for command: CommandSpec) -> String {
    var s = "Usage: jobctl \(command.name)\(command.arguments.isEmpty ? "" : " " + command.arguments) [OPTIONS]\n\n"
    s += command.summary + "\n"
    if !command.details.isEmpty { s += "\n" + command.details + "\n" }
    let width = min(34, command.options.map(\.signature.count).max() ?? 0)
    for group in command.groups {
      s += "\n\(group.title) options:\n"
      for o in group.options {
        let sig = o.signature
        var helpText = o.help
        if let env = o.environment { helpText += " [env: \(env)]" }
        if sig.count > width {
          s += "  \(sig)\n  \(String(repeating: " ", count: width))  \(helpText)\n"
        } else {
          s += "  \(sig)\(String(repeating: " ", count: width - sig.count))  \(helpText)\n"
        }
      }
    }
    if command.groups.contains(where: { $0.title == "Connection" }) {
      s += "\nEnvironment: JOBCTL_BASE_URL, JOBCTL_TOKEN, JOBCTL_DIALECT.\n"
      s += "Durations: 250ms, 2s, 1m30s, 1h, or a bare number of seconds.\n"
    }
    return s
  }

  /// Every shape jobctl knows (built-in, named, and the config file's `[dialect NAME]` sections)
  /// as the keys that describe it, ready to copy into a config file; or the one named.
  static func dialects(_ name: String?, _ invocation: Invocation, _ environment: [String: String], _ services: Services)
    throws(JobctlError) -> String
  {
    let layers = try Settings.layers(invocation, environment: environment, services: services)
    let sections = layers.config?.dialects.keys.sorted() ?? []
    var names = Dialects.known.map(\.name) + sections.filter { Dialects.named($0) == nil }
    if let name {
      guard names.contains(name) else {
        throw .usage(
          "no shape '\(Text.oneLine(name, limit: 60))' (known: \(names.joined(separator: ", ")))")
      }
      names = [name]
    }
    var s = ""
    if name == nil {
      s += """
        Response shapes, each as the keys that describe it (--dialect NAME). Copy one into a
        [dialect NAME] section of the config file to change it, or give keys as flags
        (--completed-when COND ...). Keys a shape leaves out take these defaults:

        """
      s += Dialect.defaults.configText.split(separator: "\n").map { "  \($0)\n" }.joined() + "\n"
    }
    for (i, shapeName) in names.enumerated() {
      var invocationForShape = invocation
      invocationForShape.values = ["dialect": [shapeName]]
      var settings = Settings(jobsPath: "")
      try Settings.resolveShape(
        Layers(
          invocation: invocationForShape, environment: [:], config: layers.config, profile: []),
        into: &settings)
      if i > 0 { s += "\n" }
      s += "[dialect \(shapeName)]\n" + settings.shape.shape.configText
    }
    return s
  }

  static func exitCodes() -> String {
    var s = "Exit codes:\n"
    for (code, meaning) in exitCodeTable {
      let c = String(code)
      s += "  \(c)\(String(repeating: " ", count: 5 - c.count))\(meaning)\n"
    }
    return s
  }
}
