/// Shell completion scripts, generated from `CommandTable` like the manual.
///
/// Values are completed for options with choices (`--dialect`, `--format`, `--progress`,
/// `--color`, `--as`), file names for options that take a file, and profile names for `--profile`
/// from the config file (read by the shell at completion time, so new profiles need no new script).
public enum Completions {
  public static let shells = ["bash", "zsh", "fish"]

  /// Options whose value is a file name.
  static let fileOptions: Set<String> = ["token-file", "cacert", "config", "output", "data"]

  public static func script(for shell: String) -> String? {
    switch shell {
    case "bash": return bash()
    case "zsh": return zsh()
    case "fish": return fish()
    default: return nil
    }
  }

  /// The config file's profiles, as a shell pipeline every script shares (POSIX sed).
  static let profileLister = #"""
    f="${JOBCTL_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/jobctl/config}"; [ -r "$f" ] && sed -n -e 's/^[[:space:]]*\[[[:space:]]*profile[[:space:]][[:space:]]*\([^] ]*\)[[:space:]]*\].*/\1/p' -e 's/^[[:space:]]*\[[[:space:]]*default[[:space:]]*\].*/default/p' "$f"
    """#

  static var commandNames: [String] { CommandTable.commands.map(\.name) }

  static func bash() -> String {
    var s = """
      # bash completion for jobctl (generated from its command table; do not edit)
      _jobctl_profiles() (
        \(profileLister)
      )

      _jobctl() {
        local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmd="" i opts
        for ((i = 1; i < COMP_CWORD; i++)); do
          case "${COMP_WORDS[i]}" in
            \(commandNames.joined(separator: "|"))) cmd="${COMP_WORDS[i]}"; break ;;
          esac
        done
        case "$prev" in

      """
    let all = CommandTable.allOptions
    for option in all where !option.choices.isEmpty {
      s +=
        "    \(spellings(option).joined(separator: "|"))) COMPREPLY=($(compgen -W \"\(option.choices.joined(separator: " "))\" -- \"$cur\")); return ;;\n"
    }
    s += "    --profile) COMPREPLY=($(compgen -W \"$(_jobctl_profiles)\" -- \"$cur\")); return ;;\n"
    let files = all.filter { fileOptions.contains($0.long) }.flatMap(spellings)
    s += "    \(files.joined(separator: "|"))) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
    let free = all.filter {
      $0.value != nil && $0.choices.isEmpty && !fileOptions.contains($0.long) && $0.long != "profile"
    }
    s += "    \(free.flatMap(spellings).joined(separator: "|"))) return ;;\n"
    s += """
        esac
        if [[ "$cur" == -* ]]; then
          case "$cmd" in

      """
    for command in CommandTable.commands {
      s += "    \(command.name)) opts=\"\(command.options.flatMap(spellings).joined(separator: " "))\" ;;\n"
    }
    s += "    *) opts=\"\(all.flatMap(spellings).joined(separator: " "))\" ;;\n"
    s += """
          esac
          COMPREPLY=($(compgen -W "$opts" -- "$cur"))
          return
        fi
        case "$cmd" in
          "") COMPREPLY=($(compgen -W "\(commandNames.joined(separator: " "))" -- "$cur")) ;;
          help) COMPREPLY=($(compgen -W "\(commandNames.joined(separator: " ")) exit-codes" -- "$cur")) ;;
          completion) COMPREPLY=($(compgen -W "\(shells.joined(separator: " "))" -- "$cur")) ;;
        esac
      }
      complete -F _jobctl jobctl

      """
    return s
  }

  static func zsh() -> String {
    var s = """
      #compdef jobctl
      # zsh completion for jobctl (generated from its command table; do not edit)

      _jobctl_list_profiles() (
        \(profileLister)
      )

      _jobctl_profiles() {
        local -a profiles
        profiles=(${(f)"$(_jobctl_list_profiles)"})
        _describe -t profiles 'profile' profiles
      }

      _jobctl() {
        local cmd i
        local -a commands
        commands=(

      """
    for c in CommandTable.commands {
      s += "    '\(c.name):\(zshEscape(c.summary))'\n"
    }
    s += """
        )
        for (( i = 2; i < CURRENT; i++ )); do
          case ${words[i]} in
            (\(commandNames.joined(separator: "|"))) cmd=${words[i]}; break ;;
          esac
        done
        if [[ -z $cmd && ${words[CURRENT]} != -* ]]; then
          _describe -t commands 'jobctl command' commands
          return
        fi
        case $cmd in

      """
    for command in CommandTable.commands {
      s += "    (\(command.name))\n      _arguments -s \\\n"
      for option in command.options {
        for spec in zshSpecs(option) { s += "        \(spec) \\\n" }
      }
      switch command.name {
      case "help": s += "        '1:topic:(\(commandNames.joined(separator: " ")) exit-codes)'\n"
      case "completion": s += "        '1:shell:(\(shells.joined(separator: " ")))'\n"
      case "version": s += "        '*::'\n"
      default: s += "        '*:\(command.arguments):'\n"
      }
      s += "      ;;\n"
    }
    s += """
          (*)
            _arguments -s \\

      """
    for option in CommandTable.allOptions {
      for spec in zshSpecs(option) { s += "        \(spec) \\\n" }
    }
    s += """
              '*::'
            ;;
        esac
      }

      _jobctl "$@"

      """
    return s
  }

  static func fish() -> String {
    var s = """
      # fish completion for jobctl (generated from its command table; do not edit)
      function __jobctl_profiles
          sh -c '\(profileLister.replacingOccurrences(of: "'", with: "'\\''"))'
      end

      complete -c jobctl -f

      """
    let names = commandNames.joined(separator: " ")
    for c in CommandTable.commands {
      s +=
        "complete -c jobctl -n 'not __fish_seen_subcommand_from \(names)' -a \(c.name) -d '\(fishEscape(c.summary))'\n"
    }
    s += "complete -c jobctl -n '__fish_seen_subcommand_from help' -a '\(names) exit-codes'\n"
    s += "complete -c jobctl -n '__fish_seen_subcommand_from completion' -a '\(shells.joined(separator: " "))'\n"
    for option in CommandTable.allOptions {
      let users = CommandTable.commands.filter { $0.options.contains { $0.long == option.long } }.map(\.name)
      var line = "complete -c jobctl -n '__fish_seen_subcommand_from \(users.joined(separator: " "))'"
      if let short = option.short { line += " -s \(short)" }
      line += " -l \(option.long)"
      if !option.choices.isEmpty {
        line += " -x -a '\(option.choices.joined(separator: " "))'"
      } else if option.long == "profile" {
        line += " -x -a '(__jobctl_profiles)'"
      } else if fileOptions.contains(option.long) {
        line += " -r -F"
      } else if option.value != nil {
        line += " -x"
      }
      line += " -d '\(fishEscape(option.help))'"
      s += line + "\n"
    }
    return s
  }

  static func spellings(_ option: OptionSpec) -> [String] {
    (option.short.map { ["-\($0)"] } ?? []) + ["--\(option.long)"]
  }

  static func zshSpecs(_ option: OptionSpec) -> [String] {
    let help = zshEscape(option.help)
    let many = option.repeatable ? "*" : ""
    var action = ""
    if let value = option.value {
      let name = zshEscape(value)
      if !option.choices.isEmpty {
        action = ":\(name):(\(option.choices.joined(separator: " ")))"
      } else if option.long == "profile" {
        action = ":\(name):_jobctl_profiles"
      } else if fileOptions.contains(option.long) {
        action = ":\(name):_files"
      } else {
        action = ":\(name): "
      }
    }
    return spellings(option).map { spelling in
      let joiner = option.value == nil ? "" : (spelling.hasPrefix("--") ? "=" : "+")
      return "'\(many)\(spelling)\(joiner)[\(help)]\(action)'"
    }
  }

  static func zshEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "'", with: "'\\''").replacingOccurrences(of: "[", with: "\\[")
      .replacingOccurrences(of: "]", with: "\\]").replacingOccurrences(of: ":", with: "\\:")
  }

  static func fishEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
  }
}
