import JobctlEngine
import JobctlOutput
import JobctlShapes
import JobctlSupport

/// Every option jobctl takes, by identity: commands read their values by these keys, so a
/// misspelt key does not compile, and `spec` holds each one's only definition.
///
/// Two keys may share a spelling where they mean different things in different commands
/// (`--all` of `wait` and of `list`); the table's tests check that no command has a spelling
/// twice and that options sharing a spelling parse alike.
package enum OptionKey: CaseIterable, Hashable, Sendable {
  // General
  case help, version
  // Connection
  case baseURL, tokenFile, header, dialect, jobsPath, cacert, cert, key, insecure, connectTimeout, requestTimeout
  case maxConnections, verbose, config, profile
  case unixSocket
  // Shape
  case completedWhen, failedWhen, canceledWhen, pendingWhen, runningWhen, warnWhen, statusPath, progressPath
  case stagePath, messagePath, updatedPath, idPath, urlPath, listPath, cancel, outputURL, idempotentStart
  case shapeHeader, outputPath, poll, pollData, pollHeader, startHeader, cancelHeader, cancelData, retryWhen, goneWhen
  case awsSigv4, finalURL, startCompletedWhen, startFailedWhen, startCanceledWhen
  case cancelAcceptedWhen, cancelRefusedWhen
  // Output
  case format, json, field, quiet, progress, color
  // Polling
  case interval, maxInterval, timeout, until, slowDown, maxAttempts, maxErrors, staleAfter
  // Start, cancel and wait
  case data, form, method, idempotencyKey, wait, cancelOnInterrupt, allJobs, anyJob
  // List
  case type, page, limit, allPages, query
  // Output file
  case output, `as`, `continue`
}

/// One option as the command line, help, completions and the manual all see it.
package struct OptionSpec: Sendable {
  package let key: OptionKey
  package let long: String
  package let short: Character?
  /// The value's placeholder (`URL`, `D`); nil for a flag.
  package let value: String?
  /// Values a shell can complete and the parser accepts; empty for free text.
  package let choices: [String]
  package let repeatable: Bool
  /// The choices are what a shell completes, but other values are taken too (`--dialect` also
  /// names the config file's `[dialect NAME]` sections); the command checks them.
  package let openChoices: Bool
  /// What the value is: how settings read it from the flag, the environment or the config file,
  /// and what it must be.
  package let type: ValueType
  /// The environment variable read when the flag is absent.
  package let environment: EnvironmentVariable?
  /// Whether a profile of the config file may set it, under its long name.
  package let inConfigFile: Bool
  /// How a shell completes the value.
  package let completion: CompletionKind
  package let help: String

  /// The option's key in a `[default]` or `[profile NAME]` section, when it has one.
  package var configKey: String? { inConfigFile ? long : nil }

  /// The environment variable that holds the option's value, as help and the manual show it.
  package var valueVariable: String? { environment.flatMap { $0.holds == .value ? $0.name : nil } }

  /// `-H, --header 'Name: value'` as help and the manual print it.
  package var signature: String {
    var s = short.map { "-\($0), " } ?? ""
    s += "--\(long)"
    if let value { s += " \(value)" }
    return s
  }
}

/// What an option's value is.
///
/// Settings read every option by its type, so a bad value gets the same error from a flag, the
/// environment and the config file.
package enum ValueType: Sendable, Equatable {
  /// No value on the command line; in a config file true or false (yes, no, on, off, 1, 0).
  case flag
  /// Text that what reads it checks (a URL, a template, a condition).
  case text
  /// A file's name; `~/` in it is the home folder where settings read it.
  case path
  /// A duration (`250ms`, `2s`, `1m30s`, `1h`, a bare number of seconds) of more than zero.
  case duration
  /// A whole number in the range.
  case count(ClosedRange<Int>)
  /// One of the option's `choices`.
  case choice
  /// An RFC 3339 time or `@UNIXTIME`.
  case time
}

/// How a shell completes an option's value.
package enum CompletionKind: Sendable, Equatable {
  /// Free text: nothing to offer.
  case none
  /// The option's `choices`.
  case choices
  case files
  /// The built-in shapes and the config file's `[dialect NAME]` sections.
  case dialects
  /// The config file's `[default]` and `[profile NAME]` sections.
  case profiles
}

/// An environment variable that stands in for an option.
package struct EnvironmentVariable: Sendable, Equatable {
  /// What the variable holds.
  package enum Holds: Sendable, Equatable {
    /// The option's value, taken when the flag is absent and the variable is not empty.
    case value
    /// What the option's file would hold (`JOBCTL_TOKEN` is the token `--token-file` reads), so
    /// help does not show it as the option's variable; taken even when empty, to say so.
    case content
  }

  package let name: String
  package let holds: Holds
  /// What it is, for the manual and help: for a variable that holds the value, the option's
  /// spelling is added (`Response shape (--dialect).`).
  package let meaning: String
}

extension OptionKey {
  /// The option's one definition: how it is spelt, what it takes, and its help.
  package var spec: OptionSpec {
    switch self {
    case .help: define("help", short: "h", help: "Show help for jobctl or a command.")
    case .version: define("version", help: "Print the version (at the top level).")
    case .baseURL:
      define(
        "base-url", value: "URL", environment: Self.variable("JOBCTL_BASE_URL", "Base URL of the API"), config: true,
        help: "Base URL of the API; needed unless JOB is a URL.")
    case .tokenFile:
      define(
        "token-file", value: "PATH", type: .path,
        environment: EnvironmentVariable(
          name: "JOBCTL_TOKEN", holds: .content,
          meaning:
            "Bearer token, sent as 'Authorization: Bearer TOKEN' (--token-file takes precedence). No flag takes the token itself: it would show in ps(1)."
        ), config: true,
        help: "Read the bearer token from PATH, whatever its mode (JOBCTL_TOKEN supplies it from the environment).")
    case .header:
      define(
        "header", short: "H", value: "'Name: value'", repeatable: true, config: true,
        help: "Send an extra request header (repeatable).")
    case .dialect:
      define(
        "dialect", value: "NAME", choices: Dialects.names, openChoices: true,
        environment: Self.variable("JOBCTL_DIALECT", "Response shape"), config: true, completion: .dialects,
        help:
          "Response shape: auto (default), a built-in shape (simple, hotcrp, staged, progress), a named API (github-run, google-operation, azure-operation, http-202, openai-batch, replicate, anthropic-batch, slurm, ray-job, celery-flower, aws-sfn, aws-athena, aws-glue) or a [dialect NAME] section of the config file."
      )
    case .jobsPath:
      define(
        "jobs-path", value: "TEMPLATE", config: true,
        help:
          "Where a job id is polled, {id} marking the id ({+id} keeps slashes; default /jobs/{id}; hotcrp /job?job={id})."
      )
    case .cacert: define("cacert", value: "FILE", type: .path, config: true, help: "Trust the CA certificates in FILE.")
    case .cert:
      define(
        "cert", value: "FILE", type: .path, config: true,
        help: "Present the TLS client certificate in FILE (PEM), for mutual TLS.")
    case .key:
      define(
        "key", value: "FILE", type: .path, config: true,
        help: "The private key of --cert (PEM), when FILE of --cert does not hold it.")
    case .insecure: define("insecure", config: true, help: "Do not verify TLS certificates (a warning is printed).")
    case .unixSocket:
      define(
        "unix-socket", value: "PATH", type: .path, config: true,
        help: "Send every request through the UNIX socket PATH; the URL still names the host and path.")
    case .connectTimeout:
      define(
        "connect-timeout", value: "D", type: .duration, config: true, help: "Time limit for connecting (default 10s).")
    case .requestTimeout:
      define(
        "request-timeout", value: "D", type: .duration, config: true,
        help: "Time limit for each request, its redirects included (default 30s); a download's longest silence.")
    case .maxConnections:
      define(
        "max-connections", value: "N", type: .count(Self.counts), config: true,
        help: "Connections to one host at most (default 4); HTTP/2 multiplexes requests over them.")
    case .verbose:
      define(
        "verbose", short: "v", config: true,
        help: "Trace requests and responses on stderr (secrets redacted).")
    case .config:
      define(
        "config", value: "PATH", type: .path, environment: Self.variable("JOBCTL_CONFIG", "The config file"),
        help: "Config file (default $XDG_CONFIG_HOME/jobctl/config, else ~/.config/jobctl/config).")
    case .profile:
      define(
        "profile", value: "NAME", environment: Self.variable("JOBCTL_PROFILE", "The config file profile"),
        completion: .profiles,
        help: "Config file profile to use (default: the [default] section).")
    case .completedWhen:
      define(
        "completed-when", value: "COND", repeatable: true,
        help: "The job completed when COND holds, such as status=SUCCEEDED (repeatable: any one suffices).")
    case .failedWhen:
      define(
        "failed-when", value: "COND", repeatable: true,
        help: "The job failed when COND holds, such as status=FAILED,TIMED_OUT (repeatable).")
    case .canceledWhen:
      define("canceled-when", value: "COND", repeatable: true, help: "The job was canceled when COND holds.")
    case .pendingWhen:
      define("pending-when", value: "COND", repeatable: true, help: "The job has not started yet when COND holds.")
    case .runningWhen:
      define("running-when", value: "COND", repeatable: true, help: "The job is running when COND holds.")
    case .warnWhen:
      define(
        "warn-when", value: "COND", repeatable: true,
        help:
          "A completed job's messages are warnings only when COND holds (default: always); with no message, the warning shows what COND read."
      )
    case .statusPath:
      define(
        "status-path", value: "PATH",
        help: "The value shown as the job's status (default: the first path of the first --completed-when).")
    case .progressPath:
      define(
        "progress-path", value: "EXPR",
        help: "Progress: PATH (a fraction), PATH / NUMBER (percentComplete / 100) or PATH / PATH.")
    case .stagePath:
      define(
        "stage-path", value: "PATH", repeatable: true,
        help: "The job's stage, shown while it runs (first present wins).")
    case .messagePath:
      define(
        "message-path", value: "PATH", repeatable: true,
        help: "The job's error once it failed, its warnings once it completed (all; a number or boolean as PATH=VALUE)."
      )
    case .updatedPath:
      define(
        "updated-path", value: "PATH",
        help: "The UNIX or RFC 3339 time of the job's last update, for --stale-after.")
    case .idPath:
      define(
        "id-path", value: "PATH", repeatable: true,
        help: "Where start finds the job's id (default jobId, job, id; first present wins).")
    case .urlPath:
      define(
        "url-path", value: "PATH", repeatable: true,
        help:
          "Where start finds the job's URL; @header:NAME reads a header (default locationUrl, job_url, Location); 'PATH as SHAPE' polls it as that shape."
      )
    case .listPath:
      define(
        "list-path", value: "PATH", help: "Where a list answer holds its jobs (default jobs, or the answer itself).")
    case .cancel:
      define(
        "cancel", value: "'[METHOD ]TEMPLATE'",
        help: "How cancel asks: POST {url}/cancel (default), POST {url}:cancel, DELETE {url}, or none.")
    case .outputURL:
      define(
        "output-url", value: "TEMPLATE",
        help: "Where output fetches a finished job's result: /v1/files/{.output_file_id}/content, {+.results_url}.")
    case .outputPath:
      define(
        "output-path", value: "PATH",
        help: "The output is the value at PATH of a JSON output answer (Ray's logs), not the whole answer.")
    case .idempotentStart:
      define(
        "idempotent-start", value: "BOOL", choices: ["true", "false"],
        help:
          "Whether the API honours Idempotency-Key, so a start may be sent again (default false for a shape of your own)."
      )
    case .shapeHeader:
      define(
        "shape-header", value: "'Name: value'", repeatable: true,
        help: "A header every request of this shape carries (repeatable).")
    case .awsSigv4:
      define(
        "aws-sigv4", value: "P1[:P2[:REGION[:SERVICE]]]",
        help:
          "Have libcurl sign every request with AWS Signature V4; P1[:P2[:REGION[:SERVICE]]] is curl's PROVIDER1[:PROVIDER2[:REGION[:SERVICE]]], such as aws:amz:us-east-1:states (aws:amz alone: libcurl reads service and region from an AWS host name). Keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, else ~/.aws/credentials."
      )
    case .poll:
      define(
        "poll", value: "'[METHOD ]TEMPLATE'",
        help: "How a job is polled: GET {url} (default), or POST / with --poll-data for a JSON-protocol API.")
    case .pollData:
      define(
        "poll-data", value: "TEMPLATE",
        help:
          "The poll's body: {\"executionArn\":\"{id}\"}; a value inside a JSON string is escaped, one outside is JSON.")
    case .pollHeader:
      define(
        "poll-header", value: "'Name: value'", repeatable: true,
        help: "A header the polls alone carry; the value may use {id}, {url}, {.PATH} (repeatable).")
    case .startHeader:
      define(
        "start-header", value: "'Name: value'", repeatable: true,
        help: "A header the start request alone carries (repeatable).")
    case .cancelHeader:
      define(
        "cancel-header", value: "'Name: value'", repeatable: true,
        help: "A header the cancel request alone carries; the value may use {id}, {url}, {.PATH} (repeatable).")
    case .cancelData:
      define(
        "cancel-data", value: "TEMPLATE", help: "The cancel's body (default none), written as --poll-data is.")
    case .retryWhen:
      define(
        "retry-when", value: "COND", repeatable: true,
        help: "A non-2xx answer where COND holds is a rate limit: waited out, never counted toward --max-errors.")
    case .goneWhen:
      define(
        "gone-when", value: "COND", repeatable: true,
        help: "A non-2xx answer where COND holds says the job no longer exists (exit 5).")
    case .finalURL:
      define(
        "final-url", value: "'[METHODS ]TEMPLATE'", repeatable: true,
        help:
          "Where a completed job's result is fetched: PUT,PATCH {start-url}, {start-header:Location}, {+.resourceLocation} (first that can be built wins)."
      )
    case .startCompletedWhen:
      define(
        "start-completed-when", value: "COND", repeatable: true,
        help: "A start answer that names no job completed the work when COND holds (Azure's provisioningState).")
    case .startFailedWhen:
      define(
        "start-failed-when", value: "COND", repeatable: true,
        help: "A start answer that names no job failed when COND holds.")
    case .startCanceledWhen:
      define(
        "start-canceled-when", value: "COND", repeatable: true,
        help: "A start answer that names no job was canceled when COND holds.")
    case .cancelAcceptedWhen:
      define(
        "cancel-accepted-when", value: "COND", repeatable: true,
        help: "A cancel answer where COND holds was accepted (before the general rules; a page that is not JSON too).")
    case .cancelRefusedWhen:
      define(
        "cancel-refused-when", value: "COND", repeatable: true,
        help: "A cancel answer where COND holds was refused: exit 6 with the server's reason (tried first).")
    case .format:
      define(
        "format", value: "FORMAT", choices: OutputSettings.Format.allCases.map(\.rawValue), config: true,
        help: OutputSettings.Format.help)
    case .json: define("json", help: "Same as --format json.")
    case .field:
      define(
        "field", value: "PATH",
        help:
          "Print one value of the final document (result.address, jobs.0.jobId); strings raw, escaped on a terminal.")
    case .quiet:
      define(
        "quiet", short: "q", config: true,
        help:
          "Print only errors and the results asked for: no progress, notes or warnings (list: the ids only, one a line)."
      )
    case .progress:
      define(
        "progress", value: "MODE", choices: OutputSettings.ProgressMode.allCases.map(\.rawValue), config: true,
        help:
          "Progress on stderr: tty redraws one live line, plain prints a timestamped line per change, none nothing (default auto: tty on a terminal)."
      )
    case .color:
      define(
        "color", value: "WHEN", choices: OutputSettings.ColorMode.allCases.map(\.rawValue), config: true,
        help: "Colour on stderr: auto (a terminal, unless NO_COLOR is set or TERM=dumb), always or never.")
    case .interval:
      define(
        "interval", value: "D", type: .duration, config: true, help: "Pause between polls, +-10% jitter (default 2s).")
    case .maxInterval:
      define(
        "max-interval", value: "D", type: .duration, config: true, help: "Longest backoff after failures (default 30s)."
      )
    case .timeout:
      define(
        "timeout", value: "D", type: .duration, config: true, help: "Give up after D with exit 124 (default: no limit)."
      )
    case .until:
      define(
        "until", value: "TIME", type: .time, config: true,
        help:
          "Give up at TIME with exit 124: RFC 3339 (2026-12-01T20:00:00Z) or @UNIXTIME; the earlier of it and --timeout holds."
      )
    case .slowDown:
      define(
        "slow-down", config: true,
        help: "Lengthen the interval by half after each poll without change, up to --max-interval.")
    case .maxAttempts:
      define(
        "max-attempts", value: "N", type: .count(Self.counts), config: true,
        help: "Give up after N polls with exit 124.")
    case .maxErrors:
      define(
        "max-errors", value: "N", type: .count(Self.counts), config: true,
        help: "Consecutive failures that end the wait with exit 7 (default 10).")
    case .staleAfter:
      define(
        "stale-after", value: "D", type: .duration, config: true,
        help: "Exit 8 when the job shows no change for D (default off).")
    case .data:
      define(
        "data", value: "BODY|@FILE|@-", completion: .files,
        help: "Request body, sent as-is (application/json when it parses as JSON); @FILE reads a file, @- stdin.")
    case .form:
      define(
        "form", value: "NAME=VALUE", repeatable: true,
        help: "A form field, sent application/x-www-form-urlencoded (repeatable).")
    case .method: define("method", value: "METHOD", help: "HTTP method (default POST).")
    case .idempotencyKey:
      define(
        "idempotency-key", value: "KEY",
        help: "Idempotency-Key to send (default: a new random UUID, the same on every retry).")
    case .wait: define("wait", help: "Go on waiting for the job, as 'jobctl wait' does.")
    case .cancelOnInterrupt:
      define(
        "cancel-on-interrupt",
        help: "On Ctrl-C (SIGTERM, SIGHUP), cancel the job (POST JOB/cancel) before exiting 130 (143, 129).")
    case .allJobs: define("all", help: "With several jobs, wait until every one has ended (the default).")
    case .anyJob: define("any", help: "With several jobs, stop when the first one ends; its exit code is the result.")
    case .type: define("type", value: "T", help: "Only jobs of type T (sent as type=T).")
    case .page: define("page", value: "N", type: .count(1...Int.max), help: "Page to read (sent as page=N).")
    case .limit: define("limit", value: "N", type: .count(1...Int.max), help: "Jobs per page (sent as limit=N).")
    case .allPages:
      define(
        "all",
        help:
          "Follow pagination.nextPage (a page number, a URL or path, or a cursor sent as cursor=) or Link rel=\"next\" to the last page."
      )
    case .query: define("query", value: "NAME=VALUE", repeatable: true, help: "An extra query parameter (repeatable).")
    case .output:
      define(
        "output", short: "o", value: "FILE", type: .path,
        help:
          "Write the job's output to FILE (for output, - is stdout): a regular or new FILE through a temporary file renamed into place, a device or FIFO directly."
      )
    case .as:
      define(
        "as", value: "KIND", choices: OutputFetch.Kind.allCases.map(\.rawValue),
        help: "Which output to fetch: body (default), string or json (HotCRP's output=).")
    case .continue:
      define(
        "continue",
        help: "Resume a partial regular FILE with a Range request; only a 206 starting at its end is appended.")
    }
  }

  /// One option.
  ///
  /// Unless given, its type is a flag without a value, a choice with closed choices, else text;
  /// its completion is file names for a path, the choices for choices, else none.
  private func define(
    _ long: String, short: Character? = nil, value: String? = nil, type: ValueType? = nil, choices: [String] = [],
    repeatable: Bool = false, openChoices: Bool = false, environment: EnvironmentVariable? = nil,
    config: Bool = false, completion: CompletionKind? = nil, help: String
  ) -> OptionSpec {
    let type = type ?? (value == nil ? .flag : !choices.isEmpty && !openChoices ? .choice : .text)
    let completion = completion ?? (type == .path ? .files : choices.isEmpty ? .none : .choices)
    return OptionSpec(
      key: self, long: long, short: short, value: value, choices: choices, repeatable: repeatable,
      openChoices: openChoices, type: type, environment: environment, inConfigFile: config, completion: completion,
      help: help)
  }

  /// The counts settings take: at least one; the top keeps arithmetic far from overflow.
  private static let counts = 1...1_000_000_000

  /// A variable that holds the option's value.
  private static func variable(_ name: String, _ meaning: String) -> EnvironmentVariable {
    EnvironmentVariable(name: name, holds: .value, meaning: meaning)
  }
}

/// A group of options that several commands share.
package struct OptionGroup: Sendable {
  package let title: String
  package let options: [OptionSpec]
}

extension OptionGroup {
  init(title: String, _ keys: [OptionKey]) {
    self.init(title: title, options: keys.map(\.spec))
  }
}

/// Every command, by identity and name; `spec` holds each one's definition and the function that runs it.
package enum CommandKey: String, CaseIterable, Hashable, Sendable {
  case wait, status, start, cancel, list, output, explain, completion, help, version
}

/// One command: its name, what it takes, which option groups apply, and what runs it.
package struct CommandSpec: Sendable {
  /// Runs a parsed command line with the environment and services; returns the exit code.
  typealias Runner = @Sendable (Invocation, [String: String], Services) throws(JobctlError) -> Int32

  package let key: CommandKey
  package let name: String
  package let arguments: String
  package let summary: String
  package let details: String
  /// Command lines that show it at work, in help (Examples) and the manual.
  package let examples: [String]
  /// Option groups in the order help lists them: what a user reaches for first (polling, the
  /// wait, output), connection and general options next, the shape keys last.
  package let groups: [OptionGroup]
  /// Smallest and largest number of positional arguments.
  package let arity: ClosedRange<Int>
  /// What runs it: a command cannot be in the table without one.
  let run: Runner

  package var options: [OptionSpec] { groups.flatMap(\.options) }
}

/// The one table behind parsing, `--help`, completions and the manual.
package enum CommandTable {
  package static let general = OptionGroup(title: "General", [.help, .version])

  package static let connection = OptionGroup(
    title: "Connection",
    [
      .baseURL, .tokenFile, .header, .dialect, .jobsPath, .cacert, .cert, .key, .insecure, .connectTimeout,
      .requestTimeout, .maxConnections, .verbose, .config, .profile,
      .unixSocket,
    ])

  /// The keys that describe a response shape (docs/shapes.md "Any job API"), as flags.
  package static let shape = OptionGroup(
    title: "Shape",
    [
      .completedWhen, .failedWhen, .canceledWhen, .pendingWhen, .runningWhen, .warnWhen, .statusPath, .progressPath,
      .stagePath, .messagePath, .updatedPath, .idPath, .urlPath, .listPath, .poll, .pollData, .pollHeader, .cancel,
      .cancelData, .cancelHeader, .startHeader, .outputURL, .outputPath, .idempotentStart, .shapeHeader, .retryWhen,
      .goneWhen, .awsSigv4, .finalURL, .startCompletedWhen, .startFailedWhen, .startCanceledWhen,
      .cancelAcceptedWhen, .cancelRefusedWhen,
    ])

  package static let output = OptionGroup(title: "Output", [.format, .json, .field, .quiet, .progress, .color])

  /// `version --json`.
  package static let versionOutput = OptionGroup(title: "Output", [.json])

  package static let polling = OptionGroup(
    title: "Polling", [.timeout, .interval, .maxInterval, .until, .slowDown, .maxAttempts, .maxErrors, .staleAfter])

  package static let starting = OptionGroup(title: "Start", [.data, .form, .method, .idempotencyKey, .wait])

  package static let canceling = OptionGroup(title: "Cancel", [.wait])

  package static let waiting = OptionGroup(title: "Wait", [.cancelOnInterrupt, .allJobs, .anyJob])

  package static let listing = OptionGroup(title: "List", [.type, .page, .limit, .allPages, .query])

  /// What `output` fetches and where it goes; `wait` and `start --wait` fetch the same way.
  package static let outputFile = OptionGroup(title: "Output file", [.output, .as, .continue])

  /// The output file options with `-q`, for `output`, which has no other output options.
  package static let fetching = OptionGroup(title: outputFile.title, [.output, .as, .continue, .quiet])

  /// The config file and its profile, for `help dialects` (which lists the file's shapes).
  package static let configFile = OptionGroup(title: "Config", [.config, .profile])

  /// Every command, in the order help, completions and the manual list them.
  package static let commands: [CommandSpec] = CommandKey.allCases.map(\.spec)

  package static func command(_ name: String) -> CommandSpec? {
    commands.first(where: { $0.name == name })
  }

  /// Every option any command accepts, each once, in the order of the table.
  package static let allOptions: [OptionSpec] = {
    var seen = Set<OptionKey>()
    return commands.flatMap(\.options).filter { seen.insert($0.key).inserted }
  }()
}

extension CommandTable {
  /// The command's definition, with the function that runs it.
  static func definition(of command: CommandKey) -> CommandSpec {
    func define(
      arguments: String, summary: String, details: String, examples: [String], groups: [OptionGroup],
      arity: ClosedRange<Int>, run: @escaping CommandSpec.Runner
    ) -> CommandSpec {
      CommandSpec(
        key: command, name: command.rawValue, arguments: arguments, summary: summary, details: details,
        examples: examples, groups: groups, arity: arity, run: run)
    }
    switch command {
    case .wait:
      return define(
        arguments: "JOB...", summary: "Poll jobs until they complete, fail or are canceled.",
        details: """
          Polls at once, then every --interval. Retry-After is honoured, network errors and 5xx
          answers are retried with backoff, and the exit code tells how the job ended. Several jobs
          (or - for one reference per line on stdin) are polled concurrently over shared connections;
          the exit code is the highest of theirs (--all) or the first finished one's (--any).
          With -o FILE (one JOB), a job that completed has its output fetched as 'jobctl output'
          does; the exit code is then the fetch's, and the final document still goes to stdout.
          """,
        examples: [
          "jobctl wait 8f14e45f --timeout 10m", "jobctl wait 8f14e45f -o result.pdf", "jobctl wait j1 j2 j3 --any",
          "jobctl start /jobs --data @job.json | jobctl wait -",
        ],
        groups: [polling, waiting, outputFile, output, connection, general, shape], arity: 1...1_000_000,
        run: WaitCommand.run)
    case .status:
      return define(
        arguments: "JOB", summary: "Poll a job once and print its state.",
        details: """
          One poll, printed like the end of a wait. Exits 9 while the job is pending or running;
          the job-state codes otherwise. Network trouble, 5xx and rate limits (429, 503 with
          Retry-After) are retried as a wait retries them, within --max-errors and --timeout
          (default 60s for status).
          """,
        examples: ["jobctl status 8f14e45f", "jobctl status 8f14e45f --json"],
        groups: [polling, output, connection, general, shape], arity: 1...1, run: WaitCommand.run)
    case .start:
      return define(
        arguments: "PATH|URL", summary: "Start a job and print its id.",
        details: """
          POSTs to BASE_URL + PATH (or to URL) with an Idempotency-Key that stays the same on every
          retry. A start that failed once it was out is sent again only where the shape says the API
          honours that key (idempotent-start; false for a shape of your own): otherwise exit 7,
          naming the key, as the job may have been created. Interrupted or failed once its request
          was out, it always names the key to resend with (--idempotency-key; ndjson: a
          start_unconfirmed line); a resend answered "already exists" stops at once, exit 6.
          Prints the job id (--json: the whole
          answer); an answer that is already terminal is the result. A 2xx answer that names no job
          is printed as it came (as --json would), exit 6, naming its keys. With --wait, goes on as
          'jobctl wait', with all of its options (-o FILE fetches the output once the job completed).
          An id that cannot be written (stdout full, closed or its reader gone) goes to stderr with
          the job's URL, exit 10; an id holding control characters is shown escaped there, exit 6.
          """,
        examples: [
          "jobctl start /jobs --data '{\"kind\": \"report\"}'",
          "jobctl start /jobs --data @job.json --wait --timeout 30m",
        ],
        groups: [starting, polling, waiting, outputFile, output, connection, general, shape], arity: 1...1,
        run: StartCommand.run)
    case .cancel:
      return define(
        arguments: "JOB", summary: "Ask the server to cancel a job.",
        details: """
          POSTs to the job's URL + /cancel. Accepted (202) and already-terminal (200) answers exit 0;
          a stage that cannot be canceled (409), a 2xx that says no (ok or stopped false, an error
          member, a body that is not JSON; see cancel-refused-when) and a 404 cancel route on a
          job that still answers exit 6. With --wait, a refused cancel is retried at
          each poll until accepted, then the job is waited for (exit 3 once canceled).
          """,
        examples: ["jobctl cancel 8f14e45f", "jobctl cancel 8f14e45f --wait --timeout 2m"],
        groups: [canceling, polling, output, connection, general, shape], arity: 1...1, run: CancelCommand.run)
    case .list:
      return define(
        arguments: "[PATH]", summary: "List jobs.",
        details: """
          GETs BASE_URL + PATH (default /jobs) with page, limit, type and extra query values. Reads
          {"jobs": [...], "pagination": {...}} or a bare array. Text is a table; json is one array.
          """,
        examples: ["jobctl list", "jobctl list --type report --limit 20 --json"],
        groups: [listing, polling, output, connection, general, shape], arity: 0...1, run: ListCommand.run)
    case .output:
      return define(
        arguments: "JOB", summary: "Fetch a finished job's output.",
        details: """
          Polls the job once and judges it by the shape: only a completed job's output is fetched;
          a failed job exits 1, a canceled one 3, one pending or running 9, with nothing written
          and no FILE created. Then fetches the output (HotCRP's output=body|string|json) to stdout
          or to -o FILE. 409 (not in that format) exits 6 and leaves FILE untouched; 204 (no
          output) prints a note. A cut download is resumed where the server takes ranges. To a
          terminal, output holding control characters needs -o -.
          """,
        examples: ["jobctl output 8f14e45f -o result.pdf", "jobctl output 8f14e45f --as json"],
        groups: [fetching, polling, connection, general, shape], arity: 1...1, run: OutputCommand.run)
    case .explain:
      return define(
        arguments: "[FILE|-]", summary: "Judge a job document offline, as a wait would.",
        details: """
          Reads one job document from FILE or stdin and judges it with the shape that --dialect and
          the shape options describe: prints the state and the condition that decided it (such as
          failed: conclusion=failure) and exits with that state's code. Nothing is sent.
          """,
        examples: [
          "jobctl explain run.json --dialect github-run", "jobctl explain job.json --completed-when status=done",
        ],
        groups: [output, connection, general, shape], arity: 0...1, run: ExplainCommand.run)
    case .completion:
      return define(
        arguments: "bash|zsh|fish", summary: "Print a shell completion script.",
        details: """
          Prints the completion script for the shell; the same scripts are installed by 'make install'
          and kept in completions/. --profile and --dialect also complete the [profile NAME] and
          [dialect NAME] sections of the config file (\(variable(.config)), else the default one).
          To install by hand: bash, 'jobctl completion bash >
          ~/.local/share/bash-completion/completions/jobctl' (or 'source <(jobctl completion bash)'
          in ~/.bashrc); zsh, 'source <(jobctl completion zsh)' in ~/.zshrc after compinit, or
          'jobctl completion zsh > DIR/_jobctl' for a DIR in $fpath (before compinit runs); fish,
          'jobctl completion fish > ~/.config/fish/completions/jobctl.fish'. Open a new shell.
          """,
        examples: [
          "source <(jobctl completion bash)", "jobctl completion fish | source",
        ],
        groups: [general], arity: 1...1, run: Completions.run)
    case .help:
      return define(
        arguments: "[COMMAND|exit-codes|dialects [NAME]]",
        summary: "Show help for a command, the exit codes, or the response shapes.",
        details: "help dialects lists the config file's [dialect NAME] sections too (--config, --profile).",
        examples: ["jobctl help wait", "jobctl help exit-codes", "jobctl help dialects github-run"],
        groups: [configFile, general],
        arity: 0...2, run: HelpCommand.run)
    case .version:
      return define(
        arguments: "", summary: "Print the version, the commit, the build date and libcurl's.",
        details: """
          Prints jobctl's version, the commit and date of its build ("unknown" unless built by
          'make release', 'make install' or 'make deb'), and the version of the libcurl it runs
          with and the features of it jobctl uses: the TLS library, HTTP/2, AWS SigV4 signing
          and UNIX sockets. --json prints the same as one JSON object.
          """, examples: ["jobctl version", "jobctl version --json"], groups: [versionOutput, general], arity: 0...0,
        run: HelpCommand.version)
    }
  }
}

extension CommandTable {
  /// What is wrong with a table, one line a problem; the tests hold the real table to none.
  ///
  /// Within a command every spelling (`--name`, `-x`) names one option, and one option is given
  /// once, as swift-argument-parser's `UniqueNamesValidator` checks. Across commands, options
  /// sharing a spelling must parse alike: the parser reads options before it knows the command.
  static func problems(in commands: [CommandSpec]) -> [String] {
    var problems: [String] = []
    func spellings(_ o: OptionSpec) -> [String] { ["--\(o.long)"] + (o.short.map { ["-\($0)"] } ?? []) }
    for command in commands {
      var keys = Set<OptionKey>()
      var spelled = Set<String>()
      for option in command.options {
        if !keys.insert(option.key).inserted { problems.append("\(command.name): \(option.signature) is given twice") }
        for name in spellings(option) where !spelled.insert(name).inserted {
          problems.append("\(command.name): \(name) names two options")
        }
      }
    }
    var first: [String: OptionSpec] = [:]
    for option in commands.flatMap(\.options) {
      for name in spellings(option) {
        guard let earlier = first[name] else {
          first[name] = option
          continue
        }
        let same =
          earlier.long == option.long && earlier.short == option.short && earlier.value == option.value
          && earlier.choices == option.choices && earlier.openChoices == option.openChoices
          && earlier.repeatable == option.repeatable && earlier.type == option.type
          && earlier.environment == option.environment && earlier.inConfigFile == option.inConfigFile
          && earlier.completion == option.completion
        if !same {
          problems.append("\(name) parses as \(earlier.signature) in one command, \(option.signature) in another")
        }
      }
    }
    return problems
  }
}

extension CommandKey {
  /// The command's definition, with the function that runs it.
  package var spec: CommandSpec { CommandTable.definition(of: self) }
}

/// Variables of the environment that jobctl reads, with what they do.
package struct EnvironmentSpec: Sendable {
  package let names: [String]
  package let help: String
}

extension CommandTable {
  /// Every environment variable jobctl (or libcurl under it) reads.
  ///
  /// `--help` names them, the manual describes them. The options' own come first, in the order
  /// of the table.
  package static let environment: [EnvironmentSpec] = optionEnvironment + otherEnvironment

  /// The variable that stands in for an option, for text that names it (`set --base-url or
  /// JOBCTL_BASE_URL`); empty for an option without one.
  static func variable(_ option: OptionKey) -> String { option.spec.environment?.name ?? "" }

  /// The variables that stand in for options, from the options' definitions.
  static let optionEnvironment: [EnvironmentSpec] = allOptions.compactMap { option in
    option.environment.map { variable in
      switch variable.holds {
      case .value: EnvironmentSpec(names: [variable.name], help: "\(variable.meaning) (--\(option.long)).")
      case .content: EnvironmentSpec(names: [variable.name], help: variable.meaning)
      }
    }
  }

  /// The variables that no option stands for: where the config file is, the terminal, CI, and
  /// what libcurl reads.
  static let otherEnvironment: [EnvironmentSpec] = [
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
      names: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"],
      help:
        "The keys --aws-sigv4 signs with; the session token is sent as X-Amz-Security-Token. Without them, the static keys of ~/.aws/credentials."
    ),
    EnvironmentSpec(
      names: ["AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE"],
      help:
        "The section of the AWS credentials file to read (default: [default]), and the file (default ~/.aws/credentials); static keys only, a regular file only."
    ),
    EnvironmentSpec(
      names: ["http_proxy", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"],
      help:
        "Proxies, read as curl(1) reads them: per scheme, for both, and the hosts reached directly. A user and password in a proxy URL go to the proxy alone, as Proxy-Authorization, and are never shown. ~/.netrc and ~/.curlrc are not read."
    ),
  ]
}
