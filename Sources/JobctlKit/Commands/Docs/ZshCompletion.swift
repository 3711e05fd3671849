/// The zsh script.
extension Completions {
  /// The script in the order zsh reads it: helpers, the values of options, the options of each
  /// command, then `_jobctl`, which finds the command on the line and completes the word.
  static func zsh() -> String {
    zshHelpers + zshValues() + zshOptions() + zshCommandLine() + zshFirstArgument()
  }

  /// The config file's profiles and dialect sections, as zsh completes them.
  static let zshHelpers = """
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


    """

  /// `_jobctl_values OPTION`: the values of each option that takes one.
  static func zshValues() -> String {
    var s = """
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


      """
    return s
  }

  /// `_jobctl_options COMMAND`: the options of each command, described (every option before a
  /// command).
  static func zshOptions() -> String {
    var s = """
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


      """
    return s
  }

  /// The start of `_jobctl`: the command names, described, then the reading of the line that
  /// finds the command and completes an option, its value or a command.
  static func zshCommandLine() -> String {
    var s = """
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
    return s
  }

  /// The choices of each command's first argument, the end of `_jobctl`, and the lines that run or
  /// register it.
  static func zshFirstArgument() -> String {
    var s = ""
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
}
