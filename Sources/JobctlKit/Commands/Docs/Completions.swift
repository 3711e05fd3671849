/// Shell completion scripts, generated from `CommandTable` like the manual.
///
/// Values are completed for options with choices (`--dialect`, `--format`, `--progress`,
/// `--color`, `--as`), file names for options that take a file, and the config file's profile and
/// dialect sections for `--profile` and `--dialect` (read by the shell at completion time, so new
/// sections need no new script).
public enum Completions {
  /// The shells with a script: what `completion` takes and completes.
  enum Shell: String, CaseIterable {
    case bash, zsh, fish
  }

  public static let shells = Shell.allCases.map(\.rawValue)

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

  public static func script(for shell: String) -> String? {
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

  static func bash() -> String {
    var s = """
      # bash completion for jobctl (generated from its command table; do not edit)
      _jobctl_profiles() (
        \(profileLister)
      )
      _jobctl_dialects() (
        \(dialectLister)
      )

      # The words up to the cursor as the user typed them: bash splits `--dialect=h` and
      # `http://host` at COMP_WORDBREAKS, and words with no space between them are joined again.
      _jobctl_words() {
        local line="${COMP_LINE-}" w rest i
        _jobctl_w=()
        if [[ -z ${COMP_LINE+set} ]]; then
          _jobctl_w=("${COMP_WORDS[@]:0:COMP_CWORD+1}")
          return
        fi
        line="${line:0:${COMP_POINT:-${#line}}}"
        for ((i = 0; i <= COMP_CWORD; i++)); do
          w="${COMP_WORDS[i]-}"
          rest="${line#"${line%%[![:space:]]*}"}"
          if ((i > 0)) && [[ ${#rest} -eq ${#line} ]]; then
            _jobctl_w[${#_jobctl_w[@]}-1]+="${rest:0:${#w}}"
          else
            _jobctl_w+=("${rest:0:${#w}}")
          fi
          line="${rest:${#w}}"
        done
      }

      # COMPREPLY holds completions of the end ($2) of the whole word $1; bash replaces only what
      # follows the word's last `=` or `:` (when COMP_WORDBREAKS has them), so that part is cut.
      _jobctl_reply() {
        local head="${1:0:${#1}-${#2}}" cls="" pre="" keep i
        [[ $COMP_WORDBREAKS == *=* ]] && cls+="="
        [[ $COMP_WORDBREAKS == *:* ]] && cls+=":"
        if [[ -n $cls && $1 == *[$cls]* ]]; then
          keep="${1%[$cls]*}"
          pre="${1:0:${#keep}+1}"
        fi
        for i in "${!COMPREPLY[@]}"; do
          COMPREPLY[i]="$head${COMPREPLY[i]}"
          COMPREPLY[i]="${COMPREPLY[i]#"$pre"}"
        done
      }

      _jobctl_values() {
        case "$1" in

      """
    for arm in valueArms() {
      let pattern = arm.spellings.joined(separator: "|")
      switch arm.kind {
      case .choices(let values):
        s += "    \(pattern)) mapfile -t COMPREPLY < <(compgen -W \"\(values.joined(separator: " "))\" -- \"$2\") ;;\n"
      case .dialects(let values):
        s +=
          "    \(pattern)) mapfile -t COMPREPLY < <(compgen -W \"\(values.joined(separator: " ")) $(_jobctl_dialects)\" -- \"$2\") ;;\n"
      case .profiles:
        s += "    \(pattern)) mapfile -t COMPREPLY < <(compgen -W \"$(_jobctl_profiles)\" -- \"$2\") ;;\n"
      case .files:
        s += "    \(pattern))\n"
        s += "      compopt -o filenames 2>/dev/null\n"
        s += "      mapfile -t COMPREPLY < <(compgen -f -- \"$2\") ;;\n"
      case .free:
        s += "    \(pattern)) COMPREPLY=() ;;\n"
      }
    }
    s += """
        esac
      }

      _jobctl() {
        local -a _jobctl_w
        _jobctl_words
        local n=${#_jobctl_w[@]} cmd="" args=0 skip="" opt="" value="" i w
        local cur="${_jobctl_w[n-1]}"
        for ((i = 1; i < n - 1; i++)); do
          w="${_jobctl_w[i]}"
          if [[ -n $skip ]]; then
            skip=""
            continue
          fi
          case "$w" in
            \(valueSpellings.joined(separator: "|"))) skip=1 ;;
            -*) ;;
            *) if [[ -z $cmd ]]; then cmd="$w"; else ((args++)); fi ;;
          esac
        done
        COMPREPLY=()
        if [[ -n $skip ]]; then
          opt="${_jobctl_w[n-2]}" value="$cur"
        elif [[ $cur == --*=* ]]; then
          opt="${cur%%=*}" value="${cur#*=}"
        fi
        if [[ -n $opt ]]; then
          _jobctl_values "$opt" "$value"
          _jobctl_reply "$cur" "$value"
          return
        fi
        if [[ $cur == -* ]]; then
          case "$cmd" in

      """
    for command in CommandTable.commands {
      s += "      \(command.name)) w=\"\(command.options.flatMap(spellings).joined(separator: " "))\" ;;\n"
    }
    s += "      *) w=\"\(spelledOnce.flatMap(spellings).joined(separator: " "))\" ;;\n"
    s += """
          esac
          mapfile -t COMPREPLY < <(compgen -W "$w" -- "$cur")
        elif [[ -z $cmd ]]; then
          mapfile -t COMPREPLY < <(compgen -W "\(commandNames.joined(separator: " "))" -- "$cur")
        elif ((args == 0)); then
          case "$cmd" in

      """
    for command in CommandTable.commands {
      if let choices = positionalChoices(command.key) {
        s +=
          "      \(command.name)) mapfile -t COMPREPLY < <(compgen -W \"\(choices.joined(separator: " "))\" -- \"$cur\") ;;\n"
      }
    }
    s += """
          esac
        fi
        _jobctl_reply "$cur" "$cur"
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
        compadd -a profiles
      }

      _jobctl_list_dialects() (
        \(dialectLister)
      )

      _jobctl_dialects() {
        local -a dialects
        dialects=("$@" ${(f)"$(_jobctl_list_dialects)"})
        compadd -a dialects
      }

      _jobctl_values() {
        case $1 in

      """
    for arm in valueArms() {
      let pattern = arm.spellings.joined(separator: "|")
      switch arm.kind {
      case .choices(let values): s += "    (\(pattern)) compadd -- \(values.joined(separator: " ")) ;;\n"
      case .dialects(let values): s += "    (\(pattern)) _jobctl_dialects \(values.joined(separator: " ")) ;;\n"
      case .profiles: s += "    (\(pattern)) _jobctl_profiles ;;\n"
      case .files: s += "    (\(pattern)) _files ;;\n"
      case .free: s += "    (\(pattern)) _message -e values 'value' ;;\n"
      }
    }
    s += """
        esac
      }

      _jobctl_options() {
        local -a opts
        case $1 in

      """
    func specs(_ options: [OptionSpec]) -> String {
      options.flatMap { o in spellings(o).map { "'\($0):\(zshQuote(o.help))'" } }.joined(separator: " ")
    }
    for command in CommandTable.commands {
      s += "    (\(command.name)) opts=(\(specs(command.options))) ;;\n"
    }
    s += "    (*) opts=(\(specs(spelledOnce))) ;;\n"
    s += """
        esac
        _describe -t options 'option' opts
      }

      _jobctl() {
        local cur=${words[CURRENT]} cmd="" args=0 skip="" opt="" w i
        local -a commands
        commands=(

      """
    for c in CommandTable.commands {
      s += "    '\(c.name):\(zshQuote(c.summary))'\n"
    }
    s += """
        )
        for (( i = 2; i < CURRENT; i++ )); do
          w=${words[i]}
          if [[ -n $skip ]]; then
            skip=""
            continue
          fi
          case $w in
            (\(valueSpellings.joined(separator: "|"))) skip=1 ;;
            (-*) ;;
            (*) if [[ -z $cmd ]]; then cmd=$w; else (( args++ )); fi ;;
          esac
        done
        if [[ -n $skip ]]; then
          opt=${words[CURRENT-1]}
        elif [[ $PREFIX == --*=* ]]; then
          opt=${PREFIX%%=*}
          IPREFIX+="$opt="
          PREFIX=${PREFIX#*=}
        fi
        if [[ -n $opt ]]; then
          _jobctl_values $opt
        elif [[ $cur == -* ]]; then
          _jobctl_options $cmd
        elif [[ -z $cmd ]]; then
          _describe -t commands 'jobctl command' commands
        elif (( args == 0 )); then
          case $cmd in

      """
    for command in CommandTable.commands {
      if let choices = positionalChoices(command.key) {
        s += "      (\(command.name)) compadd -- \(choices.joined(separator: " ")) ;;\n"
      }
    }
    s += """
          esac
        fi
      }

      # Installed in $fpath, compinit autoloads this file as the function _jobctl, which runs it
      # whole: the call below completes. Sourced (`source <(jobctl completion zsh)`), it only
      # registers the function, which needs compinit loaded first.
      if [[ ${funcstack[1]-} == _jobctl ]]; then
        _jobctl "$@"
      else
        compdef _jobctl jobctl
      fi

      """
    return s
  }

  static func fish() -> String {
    var s = """
      # fish completion for jobctl (generated from its command table; do not edit)
      function __jobctl_profiles
          sh -c '\(profileLister.replacingOccurrences(of: "'", with: "'\\''"))'
      end

      function __jobctl_dialects
          sh -c '\(dialectLister.replacingOccurrences(of: "'", with: "'\\''"))'
      end

      # File names for the word being completed, after any --name=: fish's own file completion
      # reads a colon as a list separator (PATH=a:b) and would complete d:ir/ as d:d:ir/.
      function __jobctl_files
          __fish_complete_path (commandline -ct | string replace -r -- '^--[^=]*=' '')
      end

      # The command on the line so far (- when none yet), then how many arguments follow it.
      function __jobctl_state
          set -l tokens (commandline -opc)
          set -e tokens[1]
          set -l cmd -
          set -l args 0
          set -l skip 0
          for t in $tokens
              if test $skip = 1
                  set skip 0
                  continue
              end
              switch $t
                  case \(valueSpellings.joined(separator: " "))
                      set skip 1
                  case '-*'
                  case '*'
                      if test $cmd = -
                          set cmd $t
                      else
                          set args (math $args + 1)
                      end
              end
          end
          echo $cmd
          echo $args
      end

      # Before the command, every option; after it, the options of the commands named.
      function __jobctl_using
          set -l state (__jobctl_state)
          test $state[1] = -; or contains -- $state[1] $argv
      end

      # The command is $argv[1] and no argument follows it yet.
      function __jobctl_first_argument
          set -l state (__jobctl_state)
          test $state[1] = $argv[1]; and test $state[2] = 0
      end

      complete -c jobctl -f

      """
    for c in CommandTable.commands {
      s += "complete -c jobctl -n '__jobctl_first_argument -' -a \(c.name) -d '\(fishEscape(c.summary))'\n"
    }
    for command in CommandTable.commands {
      if let choices = positionalChoices(command.key) {
        s += "complete -c jobctl -n '__jobctl_first_argument \(command.name)' -a '\(choices.joined(separator: " "))'\n"
      }
    }
    for option in CommandTable.allOptions {
      let users = CommandTable.commands.filter { $0.options.contains { $0.key == option.key } }.map(\.name)
      var line = "complete -c jobctl -n '__jobctl_using \(users.joined(separator: " "))'"
      if let short = option.short { line += " -s \(short)" }
      line += " -l \(option.long)"
      // The values go on a line of their own, without the description: fish would print the
      // option's description beside every value. The option's own line comes after it, as fish
      // shows the description of the line defined last.
      if option.value != nil {
        line += " -x"
        switch valueKind(option) {
        case .choices(let values): s += line + " -a '\(values.joined(separator: " "))'\n"
        case .dialects(let values): s += line + " -a '\(values.joined(separator: " ")) (__jobctl_dialects)'\n"
        case .profiles: s += line + " -a '(__jobctl_profiles)'\n"
        case .files: s += line + " -a '(__jobctl_files)'\n"
        case .free: break
        }
      }
      line += " -d '\(fishEscape(option.help))'"
      s += line + "\n"
    }
    return s
  }

  static func spellings(_ option: OptionSpec) -> [String] {
    (option.short.map { ["-\($0)"] } ?? []) + ["--\(option.long)"]
  }

  /// Text inside single quotes; `_describe` reads all after the first colon as the description.
  static func zshQuote(_ s: String) -> String { s.replacingOccurrences(of: "'", with: "'\\''") }

  static func fishEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
  }
}
