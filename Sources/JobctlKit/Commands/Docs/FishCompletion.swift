/// The fish script.
extension Completions {
  /// The script in the order fish reads it: helpers, the reading of the line, the commands and
  /// their first arguments, then every option with its values.
  static func fish() -> String {
    fishHelpers + fishCommandLine + fishCommands() + fishOptions()
  }

  /// The config file's profiles and dialect sections, and file names after any `--name=`.
  static let fishHelpers = """
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


    """

  /// `__jobctl_state` and the conditions built on it: which command the line has, and how many
  /// arguments follow it.
  static var fishCommandLine: String {
    """
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
  }

  /// The commands, described, and the choices of each command's first argument.
  static func fishCommands() -> String {
    var s = ""
    for c in CommandTable.commands {
      s += "complete -c jobctl -n '__jobctl_first_argument -' -a \(c.name) -d '\(fishEscape(c.summary))'\n"
    }
    for command in CommandTable.commands {
      if let choices = positionalChoices(command.key) {
        s += "complete -c jobctl -n '__jobctl_first_argument \(command.name)' -a '\(choices.joined(separator: " "))'\n"
      }
    }
    return s
  }

  /// Every option, for the commands that take it, with its values where they complete.
  static func fishOptions() -> String {
    var s = ""
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
}
