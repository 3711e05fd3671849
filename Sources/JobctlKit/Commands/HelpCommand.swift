import JobctlOutput
import JobctlShapes
import JobctlSupport
import JobctlTransport

/// `help`, `--help` and `version`, all printed from `CommandTable`, wrapped to the width of the
/// terminal (`COLUMNS`, else the terminal's, else 80) with a hanging indent.
enum HelpCommand {
  /// What `help` explains besides the commands; completions offer the same words.
  enum Topic: String, CaseIterable {
    case exitCodes = "exit-codes"
    case dialects
  }

  static func run(_ invocation: Invocation, environment: [String: String], services: Services) throws(JobctlError)
    -> Int32
  {
    let out = services.streams.stdout
    let width = Terminal.helpWidth(environment: environment, terminal: services.stdoutColumns())
    guard let topic = invocation.arguments.first else {
      out.write(overview(width: width))
      return 0
    }
    switch Topic(rawValue: topic) {
    case .exitCodes?:
      out.write(exitCodes(width: width))
      return 0
    case .dialects?:
      out.write(try dialects(invocation.arguments.dropFirst().first, invocation, environment, services))
      return 0
    case nil:
      break
    }
    guard invocation.arguments.count == 1 else {
      throw .usage(.helpTopics)
    }
    guard let command = CommandTable.command(topic) else {
      let hint = Suggest.didYouMean(
        topic, among: CommandTable.commands.map(\.name) + Topic.allCases.map(\.rawValue))
      throw .usage(.noHelp(topic, hint: hint, commands: CommandTable.commands.map(\.name)))
    }
    out.write(help(for: command, width: width))
    return 0
  }

  /// `version`, and `jobctl --version`.
  static func version(_ invocation: Invocation, environment: [String: String], services: Services) -> Int32 {
    let curl = LibcurlInfo.current
    if invocation.has(.json) {
      let features: [(key: String, value: JSON)] = [
        ("tls", curl.tlsBackend.map(JSON.string) ?? .null), ("http2", .bool(curl.http2)),
        ("sigv4", .bool(curl.sigv4)), ("unix_sockets", .bool(curl.unixSockets)),
      ]
      let document = JSON.object([
        ("version", .string(Version.current)), ("commit", .string(Version.commit)),
        ("build_date", .string(Version.buildDate)),
        ("libcurl", .object([("version", .string(curl.version)), ("features", .object(features))])),
      ])
      services.streams.stdout.write(document.serialized() + "\n")
      return 0
    }
    func yes(_ b: Bool) -> String { b ? "yes" : "no" }
    services.streams.stdout.write(
      """
      jobctl \(Version.current)
      commit:       \(Version.commit)
      built:        \(Version.buildDate)
      libcurl:      \(curl.version)
      TLS:          \(curl.tlsBackend ?? "none")
      HTTP/2:       \(yes(curl.http2))
      SigV4:        \(yes(curl.sigv4))
      UNIX sockets: \(yes(curl.unixSockets))

      """)
    return 0
  }

  /// A list entry: `term` in a column `column` wide after a two-space margin, its text beside it
  /// with a hanging indent; below the term when the term is too wide or the text would have
  /// under 30 columns.
  static func entry(_ term: String, _ text: String, column: Int, width: Int) -> String {
    let start = 2 + column + 2
    let head = "  " + term
    if width - start < 30 {
      return head + "\n" + Text.wrap(text, width: width, first: "        ", indent: 8)
    }
    if term.count > column {
      return head + "\n" + Text.wrap(text, width: width, first: String(repeating: " ", count: start), indent: start)
    }
    return Text.wrap(text, width: width, first: head + String(repeating: " ", count: start - head.count), indent: start)
  }

  static func overview(width: Int = 80) -> String {
    var s = Text.wrap("jobctl \(Version.current): wait for asynchronous HTTP jobs.", width: width)
    s += "\n" + Text.wrap("[OPTIONS] COMMAND [OPTIONS] [ARGS]", width: width, first: "Usage: jobctl", indent: 7)
    s += "\nCommands:\n"
    let column = CommandTable.commands.map(\.name.count).max() ?? 0
    for c in CommandTable.commands { s += entry(c.name, c.summary, column: column, width: width) }
    s += "\n"
    s += Text.wrap(
      "JOB is a job id (polled at BASE_URL + --jobs-path), an absolute http(s) URL, or a path starting with / (read under BASE_URL as start and list read PATH: its path and query kept).",
      width: width)
    s += "\nExamples:\n"
    for example in [
      "export \(CommandTable.variable(.baseURL))=https://api.example.com", "jobctl wait 8f14e45f --timeout 10m",
      "ADDR=$(jobctl wait \"$ID\" --field result.address)",
    ] {
      s += command(example, width: width)
    }
    s += "\n"
    s += Text.wrap(
      "Run 'jobctl help COMMAND' for a command's options, 'jobctl help exit-codes' for exit codes, 'jobctl help dialects' for the response shapes jobctl reads (and how to describe another).",
      width: width)
    return s
  }

  /// A shell command as an example: indented, and continued with `\\` where it must wrap.
  static func command(_ line: String, width: Int) -> String {
    let lines = Text.wrap(line, width: width - 2, first: "  ", indent: 4, cut: false).split(separator: "\n")
    return lines.enumerated().map { $0.offset < lines.count - 1 ? $0.element + " \\\n" : $0.element + "\n" }.joined()
  }

  static func help(for command: CommandSpec, width: Int = 80) -> String {
    let usage = "\(command.arguments.isEmpty ? "" : command.arguments + " ")[OPTIONS]"
    var s = Text.wrap(usage, width: width, first: "Usage: jobctl \(command.name)", indent: 7) + "\n"
    s += Text.wrap(command.summary, width: width)
    if !command.details.isEmpty { s += "\n" + Text.wrap(command.details, width: width) }
    if !command.examples.isEmpty {
      s += "\nExamples:\n"
      for example in command.examples { s += self.command(example, width: width) }
    }
    let column = min(30, command.options.map(\.signature.count).max() ?? 0)
    for group in command.groups {
      s += "\n\(group.title) options:\n"
      for o in group.options {
        var helpText = o.help
        if let env = o.valueVariable { helpText += " [env: \(env)]" }
        s += entry(o.signature, helpText, column: column, width: width)
      }
    }
    if command.groups.contains(where: { $0.title == CommandTable.connection.title }) {
      s += "\n"
      s += Text.wrap(
        CommandTable.environment.flatMap(\.names).joined(separator: ", ") + " (see jobctl(1)).", width: width,
        first: "Environment:", indent: 2)
      s += Text.wrap("250ms, 2s, 1m30s, 1h, or a bare number of seconds.", width: width, first: "Durations:", indent: 2)
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
        throw .usage(.noShapeHelp(name, hint: Suggest.didYouMean(name, among: names), known: names))
      }
      names = [name]
    }
    var s = ""
    if name == nil {
      s += """
        Response shapes, each as the keys that describe it (--dialect NAME). Copy one into a
        [dialect NAME] section of the config file to change it, or give keys as flags
        (--completed-when COND ...). Requests are data too: poll '[METHOD ]TEMPLATE' (default
        GET {url}) with poll-data TEMPLATE and poll-header 'Name: value' describe every poll;
        cancel-data and cancel-header the cancel, start-header the start. In a body a variable
        inside a JSON string is escaped for it, one outside is JSON; a poll's {.PATH} reads the
        start answer (start --wait only). retry-when COND and gone-when COND judge an answer
        that is not 2xx before the HTTP rules: a rate limit to wait out, or a job that is gone
        (exit 5). final-url = [METHODS ]TEMPLATE fetches a completed job's result ({start-url}
        and {start-header:NAME} read the start; the first rule that applies and can be built
        wins); start-completed-when, start-failed-when and start-canceled-when judge a start
        answer that names no job. cancel-refused-when COND and cancel-accepted-when COND judge a
        cancel's answer before the general rules: a 2xx whose accepted, ok or stopped is a form of
        false (false, 0, "false", "0", "no", "off"), or that has an error member, or is not JSON,
        is refused (exit 6). Keys a shape leaves out take these defaults (a shape of your own
        does not honour Idempotency-Key unless it says so):

        """
      s += Dialect.defaults.configText.split(separator: "\n").map { "  \($0)\n" }.joined() + "\n"
    }
    for (i, shapeName) in names.enumerated() {
      var invocationForShape = invocation
      invocationForShape.values = [.dialect: [shapeName]]
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

  static func exitCodes(width: Int = 80) -> String {
    var s = "Exit codes:\n"
    for (code, meaning) in exitCodeTable { s += entry(String(code), meaning, column: 3, width: width) }
    return s
  }
}
