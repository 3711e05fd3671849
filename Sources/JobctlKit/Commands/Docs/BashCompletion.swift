/// The bash script.
extension Completions {
  /// The script in the order bash reads it: helpers, the values of options, then `_jobctl`, which
  /// finds the command on the line and completes an option, a command or its first argument.
  static func bash() -> String {
    bashHelpers + bashValues() + bashCommandLine + bashOptionsAndCommands() + bashFirstArgument()
  }

  /// The config file's sections, the words up to the cursor as typed, and a reply cut to the part
  /// of the word bash replaces.
  static let bashHelpers = """
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


    """

  /// `_jobctl_values OPTION WORD`: the values of each option that takes one.
  static func bashValues() -> String {
    var s = """
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


      """
    return s
  }

  /// The start of `_jobctl`: reads the line up to the cursor, completes an option's value, and
  /// opens the choice of an option's spellings by command.
  static var bashCommandLine: String {
    """
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
  }

  /// The options of each command (every option before a command), else the command names, else
  /// the start of a command's first argument.
  static func bashOptionsAndCommands() -> String {
    var s = ""
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
    return s
  }

  /// The choices of each command's first argument, and the end of `_jobctl`.
  static func bashFirstArgument() -> String {
    var s = ""
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
}
