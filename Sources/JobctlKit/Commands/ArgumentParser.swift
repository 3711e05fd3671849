import JobctlSupport

/// A parsed command line: which command, its positional arguments and the options given.
package struct Invocation {
  package var command: CommandSpec
  package var arguments: [String]
  /// Values by option, in order given; flags hold an empty string per use.
  package var values: [OptionKey: [String]] = [:]

  package func has(_ option: OptionKey) -> Bool { values[option] != nil }
  /// The last value given (a later flag overrides an earlier one, as in most tools).
  package func value(_ option: OptionKey) -> String? { values[option]?.last }
  package func all(_ option: OptionKey) -> [String] { values[option] ?? [] }
}

/// GNU-style parsing against `CommandTable`: options anywhere, `--name value` and
/// `--name=value`, bundled short flags, `--` ending options.
package enum ArgumentParser {
  package static func parse(_ args: [String]) throws(JobctlError) -> Invocation {
    var scanner = Scanner(args: args)
    try scanner.scan()
    var positionals = scanner.positionals
    let command = try command(named: positionals.first, given: scanner.given)
    if !positionals.isEmpty { positionals.removeFirst() }
    if scanner.given.contains(where: { $0.spec.key == .help }) && command.key != .help {
      // `jobctl wait --help` is `jobctl help wait`, whatever else the line holds.
      return Invocation(command: CommandKey.help.spec, arguments: [command.name])
    }
    var invocation = Invocation(command: command, arguments: positionals)
    invocation.values = try values(scanner.given, for: command)
    try checkArity(positionals, of: command)
    return invocation
  }

  /// An option as the line gave it: how it is read, its value (empty for a flag) and its spelling.
  typealias Given = (spec: OptionSpec, value: String, spelled: String)

  /// Reads the words left to right into options with their values and positional arguments.
  ///
  /// Options are read before the command is known: options sharing a spelling parse alike (the
  /// table's tests check it), so the first one with the spelling says whether it takes a value.
  struct Scanner {
    let args: [String]
    var positionals: [String] = []
    var given: [Given] = []
    /// The word being read.
    private var i = 0
    private let known = CommandTable.allOptions

    init(args: [String]) { self.args = args }

    mutating func scan() throws(JobctlError) {
      var onlyPositionals = false
      while i < args.count {
        let arg = args[i]
        if onlyPositionals || arg == "-" || !arg.hasPrefix("-") {
          positionals.append(arg)
        } else if arg == "--" {
          onlyPositionals = true
        } else if arg.hasPrefix("--") {
          try long(arg)
        } else {
          try shorts(arg)
        }
        i += 1
      }
    }

    /// `--name`, `--name value` or `--name=value`.
    private mutating func long(_ arg: String) throws(JobctlError) {
      let body = arg.dropFirst(2)
      let equals = body.firstIndex(of: "=")
      let name = String(body[..<(equals ?? body.endIndex)])
      let inline = equals.map { String(body[body.index(after: $0)...]) }
      guard let spec = known.first(where: { $0.long == name }) else {
        let command = commandNamed()
        let longs = (command?.options ?? known).compactMap(\.long)
        let hint = Suggest.didYouMean(name, among: longs) { "--\($0)" }
        throw .usage(.unknownOption("--" + name, hint: hint, help: Self.helpCommand(command)))
      }
      if spec.value == nil {
        if inline != nil { throw .usage(.takesNoValue("--\(name)")) }
        given.append((spec, "", "--\(name)"))
      } else {
        let value: String
        if let inline { value = inline } else { value = try takeValue(for: spec, spelled: "--\(name)") }
        given.append((spec, value, "--\(name)"))
      }
    }

    /// Short options, possibly bundled (-qv) or with an attached value (-HName:v).
    private mutating func shorts(_ arg: String) throws(JobctlError) {
      var chars = Substring(arg.dropFirst())
      while let c = chars.first {
        chars = chars.dropFirst()
        guard let spec = known.first(where: { $0.short == c }) else {
          throw .usage(.unknownOption("-\(c)", hint: "", help: Self.helpCommand(commandNamed())))
        }
        if spec.value == nil {
          given.append((spec, "", "-\(c)"))
        } else {
          let value: String
          if chars.isEmpty { value = try takeValue(for: spec, spelled: "-\(c)") } else { value = String(chars) }
          given.append((spec, value, "-\(c)"))
          return
        }
      }
    }

    /// The next word, as the value of the option just read.
    private mutating func takeValue(for spec: OptionSpec, spelled: String) throws(JobctlError) -> String {
      i += 1
      guard i < args.count else { throw .usage(.needsValue(spelled, value: spec.value ?? "")) }
      return args[i]
    }

    /// The command an unknown option was meant for: the first word, given before or after it.
    private func commandNamed() -> CommandSpec? {
      (positionals.first ?? args[(i + 1)...].first(where: { !$0.hasPrefix("-") })).flatMap(CommandTable.command)
    }

    private static func helpCommand(_ command: CommandSpec?) -> String {
      command.map { "jobctl \($0.name) --help" } ?? "jobctl help COMMAND"
    }
  }

  /// The command the first positional names; without one, `version` for `--version`, else `help`.
  static func command(named name: String?, given: [Given]) throws(JobctlError) -> CommandSpec {
    let wantsVersion = given.contains(where: { $0.spec.key == .version })
    let name = name ?? (wantsVersion ? CommandKey.version.rawValue : CommandKey.help.rawValue)
    guard let command = CommandTable.command(name) else {
      let names = CommandTable.commands.map(\.name)
      let hint = Suggest.didYouMean(name, among: names)
      throw .usage(.unknownCommand(name: name, hint: hint, commands: names))
    }
    return command
  }

  /// The values by option, each read as the command's own option of that spelling.
  static func values(_ given: [Given], for command: CommandSpec) throws(JobctlError) -> [OptionKey: [String]] {
    var values: [OptionKey: [String]] = [:]
    for (read, value, spelled) in given {
      // The command's own option of that name: `--all` of `list` is not `--all` of `wait`.
      guard let spec = command.options.first(where: { $0.long == read.long }) else {
        throw .usage(.notForCommand(spelled, command: command.name))
      }
      if !spec.choices.isEmpty, !spec.openChoices, !spec.choices.contains(value) {
        throw .usage(.notAChoice(origin: spelled, choices: spec.choices, value: value))
      }
      if !spec.repeatable, spec.value != nil, let previous = values[spec.key], !previous.isEmpty,
        previous.last != value
      {
        // Given twice with different values: the last wins, as with curl and kubectl.
        values[spec.key] = []
      }
      values[spec.key, default: []].append(value)
    }
    return values
  }

  /// The command takes as many positional arguments as were given.
  static func checkArity(_ positionals: [String], of command: CommandSpec) throws(JobctlError) {
    guard !command.arity.contains(positionals.count) else { return }
    if positionals.count < command.arity.lowerBound {
      throw .usage(.missingArguments(command: command.name, arguments: command.arguments))
    }
    throw .usage(
      .extraArgument(command: command.name, arguments: command.arguments, extra: positionals[command.arity.upperBound]))
  }
}
