/// One option as the command line, help, completions and the manual all see it.
public struct OptionSpec: Sendable {
  public let long: String
  public let short: Character?
  /// The value's placeholder (`URL`, `D`); nil for a flag.
  public let value: String?
  /// Values a shell can complete and the parser accepts; empty for free text.
  public let choices: [String]
  public let repeatable: Bool
  /// The choices are what a shell completes, but other values are taken too (`--dialect` also
  /// names the config file's `[dialect NAME]` sections); the command checks them.
  public let openChoices: Bool
  /// The environment variable that supplies it when the flag is absent.
  public let environment: String?
  public let help: String

  init(
    _ long: String, short: Character? = nil, value: String? = nil, choices: [String] = [],
    repeatable: Bool = false, openChoices: Bool = false, environment: String? = nil, help: String
  ) {
    self.long = long
    self.short = short
    self.value = value
    self.choices = choices
    self.repeatable = repeatable
    self.openChoices = openChoices
    self.environment = environment
    self.help = help
  }

  /// `-H, --header 'Name: value'` as help and the manual print it.
  public var signature: String {
    var s = short.map { "-\($0), " } ?? ""
    s += "--\(long)"
    if let value { s += " \(value)" }
    return s
  }
}

/// A group of options that several commands share.
public struct OptionGroup: Sendable {
  public let title: String
  public let options: [OptionSpec]
}

/// One command: its name, what it takes, and which option groups apply.
public struct CommandSpec: Sendable {
  public let name: String
  public let arguments: String
  public let summary: String
  public let details: String
  public let groups: [OptionGroup]
  /// Smallest and largest number of positional arguments.
  public let arity: ClosedRange<Int>

  public var options: [OptionSpec] { groups.flatMap(\.options) }
}

/// The one table behind parsing, `--help`, completions and the manual.
public enum CommandTable {
  public static let general = OptionGroup(
    title: "General",
    options: [
      OptionSpec("help", short: "h", help: "Show help for jobctl or a command."),
      OptionSpec("version", help: "Print the version (at the top level)."),
    ])

  public static let connection = OptionGroup(
    title: "Connection",
    options: [
      OptionSpec(
        "base-url", value: "URL", environment: "JOBCTL_BASE_URL",
        help: "Base URL of the API; needed unless JOB is a URL."),
      OptionSpec(
        "token-file", value: "PATH",
        help: "Read the bearer token from PATH, whatever its mode (JOBCTL_TOKEN supplies it from the environment)."),
      OptionSpec(
        "header", short: "H", value: "'Name: value'", repeatable: true,
        help: "Send an extra request header (repeatable)."),
      OptionSpec(
        "dialect", value: "NAME", choices: Dialects.names, openChoices: true, environment: "JOBCTL_DIALECT",
        help:
          "Response shape: auto (default), a built-in shape (simple, hotcrp, staged, progress), a named API (github-run, google-operation, azure-operation, http-202, openai-batch, replicate, anthropic-batch) or a [dialect NAME] section of the config file."
      ),
      OptionSpec(
        "jobs-path", value: "TEMPLATE",
        help:
          "Where a job id is polled, {id} marking the id ({+id} keeps slashes; default /jobs/{id}; hotcrp /job?job={id})."
      ),
      OptionSpec("cacert", value: "FILE", help: "Trust the CA certificates in FILE."),
      OptionSpec("cert", value: "FILE", help: "Present the TLS client certificate in FILE (PEM), for mutual TLS."),
      OptionSpec("key", value: "FILE", help: "The private key of --cert (PEM), when FILE of --cert does not hold it."),
      OptionSpec("insecure", help: "Do not verify TLS certificates (a warning is printed)."),
      OptionSpec("connect-timeout", value: "D", help: "Time limit for connecting (default 10s)."),
      OptionSpec(
        "request-timeout", value: "D",
        help: "Time limit for each request, its redirects included (default 30s); a download's longest silence."),
      OptionSpec(
        "max-connections", value: "N",
        help: "Connections to one host at most (default 4); HTTP/2 multiplexes requests over them."),
      OptionSpec("verbose", short: "v", help: "Trace requests and responses on stderr (secrets redacted)."),
      OptionSpec(
        "config", value: "PATH", environment: "JOBCTL_CONFIG",
        help: "Config file (default $XDG_CONFIG_HOME/jobctl/config, else ~/.config/jobctl/config)."),
      OptionSpec(
        "profile", value: "NAME", environment: "JOBCTL_PROFILE",
        help: "Config file profile to use (default: the [default] section)."),
    ])

  /// The keys that describe a response shape (contract 4.5), as flags.
  public static let shape = OptionGroup(
    title: "Shape",
    options: [
      OptionSpec(
        "completed-when", value: "COND", repeatable: true,
        help: "The job completed when COND holds, such as status=SUCCEEDED (repeatable: any one suffices)."),
      OptionSpec(
        "failed-when", value: "COND", repeatable: true,
        help: "The job failed when COND holds, such as status=FAILED,TIMED_OUT (repeatable)."),
      OptionSpec("canceled-when", value: "COND", repeatable: true, help: "The job was canceled when COND holds."),
      OptionSpec(
        "pending-when", value: "COND", repeatable: true, help: "The job has not started yet when COND holds."),
      OptionSpec("running-when", value: "COND", repeatable: true, help: "The job is running when COND holds."),
      OptionSpec(
        "warn-when", value: "COND", repeatable: true,
        help: "A completed job's messages are warnings only when COND holds (default: always)."),
      OptionSpec(
        "status-path", value: "PATH",
        help: "The value shown as the job's status (default: the first path of the first --completed-when)."),
      OptionSpec(
        "progress-path", value: "EXPR",
        help: "Progress: PATH (a fraction), PATH / NUMBER (percentComplete / 100) or PATH / PATH."),
      OptionSpec(
        "stage-path", value: "PATH", repeatable: true,
        help: "The job's stage, shown while it runs (first present wins)."),
      OptionSpec(
        "message-path", value: "PATH", repeatable: true,
        help: "The job's error once it failed, its warnings once it completed (every one present is shown)."),
      OptionSpec(
        "updated-path", value: "PATH",
        help: "The UNIX or RFC 3339 time of the job's last update, for --stale-after."),
      OptionSpec(
        "id-path", value: "PATH", repeatable: true,
        help: "Where start finds the job's id (default jobId, job, id; first present wins)."),
      OptionSpec(
        "url-path", value: "PATH", repeatable: true,
        help:
          "Where start finds the job's URL; @header:NAME reads a header (default locationUrl, job_url, Location); 'PATH as SHAPE' polls it as that shape."
      ),
      OptionSpec(
        "list-path", value: "PATH", help: "Where a list answer holds its jobs (default jobs, or the answer itself)."),
      OptionSpec(
        "cancel", value: "'[METHOD ]TEMPLATE'",
        help: "How cancel asks: POST {url}/cancel (default), POST {url}:cancel, DELETE {url}, or none."),
      OptionSpec(
        "output-url", value: "TEMPLATE",
        help: "Where output fetches a finished job's result: /v1/files/{.output_file_id}/content, {+.results_url}."),
      OptionSpec(
        "idempotent-start", value: "BOOL", choices: ["true", "false"],
        help: "Whether the API honours Idempotency-Key, so a start may be sent again (default true)."),
      OptionSpec(
        "shape-header", value: "'Name: value'", repeatable: true,
        help: "A header every request of this shape carries (repeatable)."),
    ])

  public static let output = OptionGroup(
    title: "Output",
    options: [
      OptionSpec(
        "format", value: "FORMAT", choices: ["text", "json", "ndjson"],
        help: "Output format: text (default), json (the last answer verbatim) or ndjson (one event per line)."),
      OptionSpec("json", help: "Same as --format json."),
      OptionSpec(
        "field", value: "PATH",
        help:
          "Print one value of the final document (result.address, jobs.0.jobId); strings raw, escaped on a terminal."),
      OptionSpec("quiet", short: "q", help: "Print nothing but errors (and output asked for by --field or --format)."),
      OptionSpec(
        "progress", value: "MODE", choices: ["auto", "tty", "plain", "none"],
        help:
          "Progress on stderr: tty redraws one live line, plain prints a timestamped line per change, none nothing (default auto: tty on a terminal)."
      ),
      OptionSpec(
        "color", value: "WHEN", choices: ["auto", "always", "never"],
        help: "Colour on stderr: auto (a terminal, unless NO_COLOR is set or TERM=dumb), always or never."),
    ])

  public static let polling = OptionGroup(
    title: "Polling",
    options: [
      OptionSpec("interval", value: "D", help: "Pause between polls, +-10% jitter (default 2s)."),
      OptionSpec("max-interval", value: "D", help: "Longest backoff after failures (default 30s)."),
      OptionSpec("timeout", value: "D", help: "Give up after D with exit 124 (default: no limit)."),
      OptionSpec(
        "until", value: "TIME",
        help:
          "Give up at TIME with exit 124: RFC 3339 (2026-12-01T20:00:00Z) or @UNIXTIME; the earlier of it and --timeout holds."
      ),
      OptionSpec(
        "slow-down",
        help: "Lengthen the interval by half after each poll without change, up to --max-interval."),
      OptionSpec("max-attempts", value: "N", help: "Give up after N polls with exit 124."),
      OptionSpec(
        "max-errors", value: "N", help: "Consecutive failures that end the wait with exit 7 (default 10)."),
      OptionSpec(
        "stale-after", value: "D", help: "Exit 8 when the job shows no change for D (default off)."),
    ])

  public static let starting = OptionGroup(
    title: "Start",
    options: [
      OptionSpec(
        "data", value: "BODY|@FILE|@-",
        help: "Request body, sent as-is (application/json when it parses as JSON); @FILE reads a file, @- stdin."),
      OptionSpec(
        "form", value: "NAME=VALUE", repeatable: true,
        help: "A form field, sent application/x-www-form-urlencoded (repeatable)."),
      OptionSpec("method", value: "METHOD", help: "HTTP method (default POST)."),
      OptionSpec(
        "idempotency-key", value: "KEY",
        help: "Idempotency-Key to send (default: a new random UUID, the same on every retry)."),
      waitFlag,
    ])

  static let waitFlag = OptionSpec("wait", help: "Go on waiting for the job, as 'jobctl wait' does.")

  public static let canceling = OptionGroup(title: "Cancel", options: [waitFlag])

  public static let waiting = OptionGroup(
    title: "Wait",
    options: [
      OptionSpec(
        "cancel-on-interrupt", help: "On Ctrl-C, cancel the job (POST JOB/cancel) before exiting 130."),
      OptionSpec("all", help: "With several jobs, wait until every one has ended (the default)."),
      OptionSpec("any", help: "With several jobs, stop when the first one ends; its exit code is the result."),
    ])

  public static let listing = OptionGroup(
    title: "List",
    options: [
      OptionSpec("type", value: "T", help: "Only jobs of type T (sent as type=T)."),
      OptionSpec("page", value: "N", help: "Page to read (sent as page=N)."),
      OptionSpec("limit", value: "N", help: "Jobs per page (sent as limit=N)."),
      OptionSpec("all", help: "Follow pagination.nextPage or Link rel=\"next\" to the last page."),
      OptionSpec(
        "query", value: "NAME=VALUE", repeatable: true, help: "An extra query parameter (repeatable)."),
    ])

  /// What `output` fetches and where it goes; `wait` and `start --wait` fetch the same way.
  public static let outputFile = OptionGroup(
    title: "Output file",
    options: [
      OptionSpec(
        "output", short: "o", value: "FILE",
        help:
          "Write the job's output to FILE (for output, - is stdout): a regular or new FILE through a temporary file renamed into place, a device or FIFO directly."
      ),
      OptionSpec(
        "as", value: "KIND", choices: ["body", "string", "json"],
        help: "Which output to fetch: body (default), string or json (HotCRP's output=)."),
      OptionSpec(
        "continue",
        help: "Resume a partial regular FILE with a Range request; only a 206 starting at its end is appended."),
    ])

  public static let fetching = OptionGroup(
    title: outputFile.title,
    options: outputFile.options + [OptionSpec("quiet", short: "q", help: "Print nothing but errors.")])

  public static let commands: [CommandSpec] = [
    CommandSpec(
      name: "wait", arguments: "JOB...", summary: "Poll jobs until they complete, fail or are canceled.",
      details: """
        Polls at once, then every --interval. Retry-After is honoured, network errors and 5xx
        answers are retried with backoff, and the exit code tells how the job ended. Several jobs
        (or - for one reference per line on stdin) are polled concurrently over shared connections;
        the exit code is the highest of theirs (--all) or the first finished one's (--any).
        With -o FILE (one JOB), a job that completed has its output fetched as 'jobctl output'
        does; the exit code is then the fetch's, and the final document still goes to stdout.
        """,
      groups: [connection, shape, polling, waiting, outputFile, output, general], arity: 1...1_000_000),
    CommandSpec(
      name: "status", arguments: "JOB", summary: "Poll a job once and print its state.",
      details: """
        One poll, printed like the end of a wait. Exits 9 while the job is pending or running;
        the job-state codes otherwise. Network trouble, 5xx and rate limits (429, 503 with
        Retry-After) are retried as a wait retries them, within --max-errors and --timeout
        (default 60s for status).
        """,
      groups: [connection, shape, polling, output, general], arity: 1...1),
    CommandSpec(
      name: "start", arguments: "PATH|URL", summary: "Start a job and print its id.",
      details: """
        POSTs to BASE_URL + PATH (or to URL) with an Idempotency-Key that stays the same on every
        retry, so a dropped connection never starts a second job. Prints the job id (--json: the
        whole answer); an answer that is already terminal is the result. With --wait, goes on as
        'jobctl wait', with all of its options (-o FILE fetches the output once the job completed).
        An id that cannot be written (stdout full, closed or its reader gone) goes to stderr with
        the job's URL, exit 10; an id holding control characters is shown escaped there, exit 6.
        """,
      groups: [connection, shape, starting, polling, waiting, outputFile, output, general], arity: 1...1),
    CommandSpec(
      name: "cancel", arguments: "JOB", summary: "Ask the server to cancel a job.",
      details: """
        POSTs to the job's URL + /cancel. Accepted (202) and already-terminal (200) answers exit 0;
        a stage that cannot be canceled (409) exits 6. With --wait, a refused cancel is retried at
        each poll until accepted, then the job is waited for (exit 3 once canceled).
        """,
      groups: [connection, shape, canceling, polling, output, general], arity: 1...1),
    CommandSpec(
      name: "list", arguments: "[PATH]", summary: "List jobs.",
      details: """
        GETs BASE_URL + PATH (default /jobs) with page, limit, type and extra query values. Reads
        {"jobs": [...], "pagination": {...}} or a bare array. Text is a table; json is one array.
        """,
      groups: [connection, shape, listing, polling, output, general], arity: 0...1),
    CommandSpec(
      name: "output", arguments: "JOB", summary: "Fetch a finished job's output.",
      details: """
        Fetches the job's output (HotCRP's output=body|string|json) to stdout or to -o FILE.
        409 (not in that format) exits 6 and leaves FILE untouched; 204 (no output) prints a note;
        the status document of a job still running exits 9. A cut download is resumed where the
        server takes ranges. To a terminal, output holding control characters needs -o -.
        """,
      groups: [connection, shape, fetching, polling, general], arity: 1...1),
    CommandSpec(
      name: "explain", arguments: "[FILE|-]", summary: "Judge a job document offline, as a wait would.",
      details: """
        Reads one job document from FILE or stdin and judges it with the shape that --dialect and
        the shape options describe: prints the state and the condition that decided it (such as
        failed: conclusion=failure) and exits with that state's code. Nothing is sent.
        """,
      groups: [connection, shape, output, general], arity: 0...1),
    CommandSpec(
      name: "completion", arguments: "bash|zsh|fish", summary: "Print a shell completion script.",
      details: """
        Prints the completion script for the shell; the same scripts are installed by 'make install'
        and kept in completions/.
        """,
      groups: [general], arity: 1...1),
    help,
    CommandSpec(
      name: "version", arguments: "", summary: "Print the version.", details: "", groups: [general], arity: 0...0),
  ]

  public static let help = CommandSpec(
    name: "help",
    arguments: "[COMMAND|exit-codes|dialects [NAME]]",
    summary: "Show help for a command, the exit codes, or the response shapes.",
    details: "",
    groups: [general],
    arity: 0...2
  )

  public static func command(_ name: String) -> CommandSpec? {
    commands.first(where: { $0.name == name })
  }

  /// Every option any command accepts, each once.
  public static var allOptions: [OptionSpec] {
    var seen = Set<String>()
    return commands.flatMap(\.options).filter { seen.insert($0.long).inserted }
  }
}

/// Variables of the environment that jobctl reads, with what they do.
public struct EnvironmentSpec: Sendable {
  public let names: [String]
  public let help: String
}

extension CommandTable {
  /// Every environment variable jobctl (or libcurl under it) reads: `--help` names them, the
  /// manual describes them.
  public static let environment: [EnvironmentSpec] = [
    EnvironmentSpec(names: ["JOBCTL_BASE_URL"], help: "Base URL of the API (--base-url)."),
    EnvironmentSpec(
      names: ["JOBCTL_TOKEN"],
      help:
        "Bearer token, sent as 'Authorization: Bearer TOKEN' (--token-file takes precedence). No flag takes the token itself: it would show in ps(1)."
    ),
    EnvironmentSpec(names: ["JOBCTL_DIALECT"], help: "Response shape (--dialect)."),
    EnvironmentSpec(names: ["JOBCTL_CONFIG"], help: "The config file (--config)."),
    EnvironmentSpec(names: ["JOBCTL_PROFILE"], help: "The config file profile (--profile)."),
    EnvironmentSpec(
      names: ["XDG_CONFIG_HOME", "HOME"],
      help: "Where the config file is looked for: $XDG_CONFIG_HOME/jobctl/config, else ~/.config/jobctl/config."),
    EnvironmentSpec(
      names: ["NO_COLOR", "CLICOLOR_FORCE", "TERM"],
      help: "Colour and live-line decisions: NO_COLOR turns colour off, CLICOLOR_FORCE (not 0) on, TERM=dumb both off."
    ),
    EnvironmentSpec(
      names: ["COLUMNS"], help: "The width of help, and of the live line when the terminal does not tell."),
    EnvironmentSpec(
      names: ["LC_ALL", "LC_CTYPE", "LANG"], help: "A UTF-8 locale allows the live line's Unicode glyphs."),
    EnvironmentSpec(
      names: ["GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"],
      help: "Annotations, step outputs and the step summary in GitHub Actions."),
    EnvironmentSpec(
      names: ["http_proxy", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"],
      help:
        "Proxies, read as curl(1) reads them: per scheme, for both, and the hosts reached directly. A user and password in a proxy URL go to the proxy alone, as Proxy-Authorization, and are never shown. ~/.netrc and ~/.curlrc are not read."
    ),
  ]
}
