import JobctlSupport

/// Shell completion scripts, generated from `CommandTable` like the manual.
///
/// Values are completed for options with choices (`--dialect`, `--format`, `--progress`,
/// `--color`, `--as`), file names for options that take a file, and the config file's profile and
/// dialect sections for `--profile` and `--dialect` (read by the shell at completion time, so new
/// sections need no new script).
package enum Completions {
  /// The shells with a script: what `completion` takes and completes.
  enum Shell: String, CaseIterable {
    case bash, zsh, fish
  }

  package static let shells = Shell.allCases.map(\.rawValue)

  /// `completion SHELL`: prints the script.
  static func run(_ invocation: Invocation, environment: [String: String], services: Services) throws(JobctlError)
    -> Int32
  {
    guard let script = script(for: invocation.arguments[0]) else {
      throw .usage(.notAShell(invocation.arguments[0]))
    }
    services.streams.stdout.write(script)
    return 0
  }

  package static func script(for shell: String) -> String? {
    switch Shell(rawValue: shell) {
    case .bash?: return bash()
    case .zsh?: return zsh()
    case .fish?: return fish()
    case nil: return nil
    }
  }

  /// The config file as the shell finds it: `--config`'s variable, else the default place.
  static let configFile = #"""
    f="${\#(OptionKey.config.spec.valueVariable ?? ""):-${XDG_CONFIG_HOME:-$HOME/.config}/jobctl/config}"
    """#

  /// The config file's profiles, as a shell pipeline every script shares (POSIX sed).
  static let profileLister = #"""
    \#(configFile); [ -r "$f" ] && sed -n -e 's/^[[:space:]]*\[[[:space:]]*profile[[:space:]][[:space:]]*\([^] ]*\)[[:space:]]*\].*/\1/p' -e 's/^[[:space:]]*\[[[:space:]]*default[[:space:]]*\].*/default/p' "$f"
    """#

  /// The config file's `[dialect NAME]` sections, which `--dialect` takes beside the built-in names.
  static let dialectLister = #"""
    \#(configFile); [ -r "$f" ] && sed -n -e 's/^[[:space:]]*\[[[:space:]]*dialect[[:space:]][[:space:]]*\([^] ]*\)[[:space:]]*\].*/\1/p' "$f"
    """#

  static var commandNames: [String] { CommandTable.commands.map(\.name) }

  /// Every option spelling once, for the words before a command (a spelling two options share,
  /// such as `--all`, parses alike in both).
  static var spelledOnce: [OptionSpec] {
    var seen = Set<String>()
    return CommandTable.allOptions.filter { seen.insert($0.long).inserted }
  }

  /// The spellings of every option that takes a value, which the next word belongs to.
  static var valueSpellings: [String] { spelledOnce.filter { $0.value != nil }.flatMap(spellings) }

  /// What a command's positional arguments complete to; nil for free text (a JOB, a PATH).
  static func positionalChoices(_ command: CommandKey) -> [String]? {
    switch command {
    case .help: return commandNames + HelpCommand.Topic.allCases.map(\.rawValue)
    case .completion: return shells
    case .wait, .status, .start, .cancel, .list, .output, .explain, .version: return nil
    }
  }

  /// How an option's value completes, shell by shell.
  enum ValueKind {
    case choices([String])
    /// The built-in shapes and the config file's `[dialect NAME]` sections.
    case dialects([String])
    case profiles
    case files
    case free
  }

  static func valueKind(_ option: OptionSpec) -> ValueKind {
    switch option.completion {
    case .dialects: .dialects(option.choices)
    case .choices: .choices(option.choices)
    case .profiles: .profiles
    case .files: .files
    case .none: .free
    }
  }

  /// The options that take a value, grouped by how the value completes (one `case` arm each).
  static func valueArms() -> [(spellings: [String], kind: ValueKind)] {
    spelledOnce.filter { $0.value != nil }.map { (spellings($0), valueKind($0)) }
  }

  // Every script reads the line the same way: the first word that is neither an option nor the
  // value of one is the command (options may come before it), the word after an option that takes
  // a value is that value, and `--name=value` is the same as `--name value`. bash splits words at
  // `=` and `:` (COMP_WORDBREAKS), so its script joins them again from COMP_LINE first.

  static func spellings(_ option: OptionSpec) -> [String] {
    (option.short.map { ["-\($0)"] } ?? []) + ["--\(option.long)"]
  }

  /// Text inside single quotes; `_describe` reads all after the first colon as the description.
  static func zshQuote(_ s: String) -> String { s.replacingOccurrences(of: "'", with: "'\\''") }

  static func fishEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
  }
}
