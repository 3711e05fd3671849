import JobctlOutput
import JobctlShapes
import JobctlSupport

/// `man/jobctl.1`, rendered from `CommandTable` so the manual cannot drift from the parser.
///
/// A test compares the committed file with this rendering; `JOBCTL_UPDATE_GOLDEN=1 make test`
/// rewrites it and fails, so the next run without the variable is the one that passes.
package enum ManPage {
  /// The manual: the fixed sections as written, the others filled from the command table, the
  /// environment list and the exit codes.
  package static func render() -> String {
    header + "\n" + commands() + options() + prose.map { $0 + "\n" }.joined() + environment() + exitStatus()
      + examples + "\n"
  }

  /// From the title to the COMMANDS heading.
  static var header: String {
    """
    '\\" t
    .\\" Generated from jobctl's command table; do not edit by hand.
    .TH JOBCTL 1 "" "jobctl \(Version.current)" "User Commands"
    .\\" No hyphenation: option and variable names (CLICOLOR_FORCE) must stay whole.
    .nh
    .SH NAME
    jobctl \\- wait for asynchronous HTTP jobs
    .SH SYNOPSIS
    .B jobctl
    [\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGS\\fR]
    .SH DESCRIPTION
    Many HTTP APIs run long work asynchronously: a request answers with a job id, and the client
    polls the job until it is completed, failed or canceled.
    .B jobctl
    does the polling: it honours Retry\\-After, rides out network errors and 5xx answers with
    backoff, fails fast when the job fails, and reports the outcome as text, JSON or one field,
    with an exit code that tells how the job ended.
    .PP
    Options may come before or after the command and its arguments; \\fB\\-\\-\\fR ends options.
    \\fB\\-\\-name value\\fR and \\fB\\-\\-name=value\\fR both work. A later value of an option
    overrides an earlier one. A misspelt command, option, shape, profile or help topic is a usage
    error that offers the nearest names (\\fBjobctl wiat\\fR asks "did you mean \\(aqwait\\(aq?");
    an unknown option's error names the command's own \\fB\\-\\-help\\fR.
    Durations are written \\fB250ms\\fR, \\fB2s\\fR, \\fB1m30s\\fR, \\fB1h\\fR, or as a bare number of
    seconds (\\fB2\\fR, \\fB0.5\\fR).
    .SH COMMANDS
    """
  }

  /// Each command: what it takes and does, its option groups and examples.
  static func commands() -> String {
    var m = ""
    for c in CommandTable.commands {
      m += ".TP\n.B jobctl \(c.name)\(c.arguments.isEmpty ? "" : " " + escape(c.arguments))\n"
      m += escape(c.summary) + "\n"
      if !c.details.isEmpty { m += escape(c.details.split(whereSeparator: \.isNewline).joined(separator: " ")) + "\n" }
      let groups = c.groups.filter { $0.title != CommandTable.general.title }.map { $0.title.lowercased() }
      if !groups.isEmpty { m += "Options: \(groups.joined(separator: ", ")).\n" }
      if !c.examples.isEmpty {
        m += ".br\nExamples:\n.nf\n.in +4n\n"
        for example in c.examples { m += escape(example) + "\n" }
        m += ".in -4n\n.fi\n"
      }
    }
    return m
  }

  /// A section per option group, each option with its help and the variable that holds it.
  static func options() -> String {
    var m = ""
    for group in allGroups() {
      m += ".SH \(group.title.uppercased()) OPTIONS\n"
      for o in group.options {
        var sig = o.short.map { "\\fB\\-\($0)\\fR, " } ?? ""
        sig += "\\fB\\-\\-\(escape(o.long))\\fR"
        if let v = o.value { sig += " \\fI\(escape(v))\\fR" }
        m += ".TP\n\(sig)\n\(escape(o.help))\n"
        if let env = o.valueVariable { m += "Environment: \\fB\(env)\\fR.\n" }
      }
    }
    return m
  }

  /// The sections no table fills, in the manual's order: roff as written.
  static let prose = [jobReferences, responseShapes, polling, output, outputFiles, configuration, ci, files]

  static let jobReferences = """
    .SH JOB REFERENCES
    A \\fIJOB\\fR is one of:
    .IP \\(bu 2
    an id, polled at the base URL followed by \\fB\\-\\-jobs\\-path\\fR with \\fB{id}\\fR replaced by the id,
    percent\\-encoded as one path segment or query value (\\fB/\\fR, \\fB?\\fR, \\fB#\\fR, \\fB%\\fR,
    spaces, control characters and the ids \\fB.\\fR and \\fB..\\fR are encoded, so an id can never
    change the request target);
    .IP \\(bu 2
    an absolute \\fBhttp://\\fR or \\fBhttps://\\fR URL, polled as given;
    .IP \\(bu 2
    a path starting with \\fB/\\fR, read under the base URL as the PATH of \\fBstart\\fR and
    \\fBlist\\fR is: the base URL's path prefix and query are kept, a query parameter the path
    sets itself wins, and a path that already begins with the prefix (a relative
    \\fBlocationUrl\\fR) is not given it twice; a path starting with \\fB//\\fR is refused.
    """

  static let responseShapes = """
    .SH RESPONSE SHAPES
    Every shape maps to one state: pending, running, completed, failed or canceled.
    Terminal states are final. \\fB\\-\\-dialect auto\\fR picks the shape from the first answer
    that identifies one.
    .TP
    .B simple
    \\fBstatus\\fR pending|completed|failed, always HTTP 200; \\fBerror\\fR or \\fBerrors\\fR.
    A completed job with \\fBerrors\\fR completes, and the errors are printed as warnings.
    .TP
    .B hotcrp
    \\fBstatus\\fR wait|run|done|failed, HTTP 202 while running; \\fBprogress\\fR names the phase;
    \\fBupdate_at\\fR is the time of the last update; done with any \\fBexit_status\\fR but 0, "0"
    or false (or none), and any answer with \\fBok\\fR false, is a failure; messages come in \\fBmessage_list\\fR (errors first, informational ones left out,
    HTML shown as text). 410 means the job expired.
    .TP
    .B staged
    \\fBstatus\\fR running|completed|failed|canceled (pending and queued are pending),
    \\fBprogress\\fR in [0, 1], \\fBstage\\fR, \\fBerror\\fR {code, message, data}.
    .TP
    .B progress
    No status: \\fBprogress\\fR 0..100, terminal at 100: completed when \\fBerrors\\fR is empty,
    failed otherwise.
    .PP
    Named APIs: github\\-run, google\\-operation, azure\\-operation, http\\-202, openai\\-batch,
    replicate, anthropic\\-batch, slurm, ray\\-job, celery\\-flower, aws\\-sfn, aws\\-athena, aws\\-glue
    (\\fBjobctl help dialects\\fR \\fINAME\\fR prints each one's keys). The aws\\-* shapes sign every
    request (\\fBaws\\-sigv4 = aws:amz\\fR: libcurl reads service and region from a
    \\fISERVICE\\fR.\\fIREGION\\fR.amazonaws.com host; elsewhere give \\fB\\-\\-aws\\-sigv4
    aws:amz:\\fR\\fIREGION\\fR\\fB:\\fR\\fISERVICE\\fR) and poll with \\fBPOST /\\fR and \\fBX\\-Amz\\-Target\\fR;
    aws\\-glue needs the job's name in \\fB\\-\\-poll\\-data\\fR and \\fB\\-\\-cancel\\-data\\fR
    (\\fB{"JobName":"etl","RunId":"{id}"}\\fR). \\fBauto\\fR reads only the four shapes above and ends at once (exit
    6) on a JSON answer none of them fits, or one carrying a named API's verdict key
    (conclusion, done, processing_status, an error object), naming the likely \\fB\\-\\-dialect\\fR;
    a start answered with \\fBAzure\\-AsyncOperation\\fR or \\fBOperation\\-Location\\fR is polled as
    azure\\-operation. A 2xx answer with an empty body is not understood (exit 6 at once) where the
    shape reads documents.
    .PP
    \\fBazure\\-operation\\fR fetches the final result once the status monitor says Succeeded, as
    azure\\-core does: a PUT or PATCH from the URL it was sent to, a POST or DELETE from the start's
    \\fBLocation\\fR, else from the monitor's \\fBresourceLocation\\fR (shape key \\fBfinal\\-url\\fR, any
    shape: \\fB[METHODS ]TEMPLATE\\fR, repeatable, the first that applies to the start's method and can
    be built wins; \\fB{start\\-url}\\fR and \\fB{start\\-header:\\fR\\fINAME\\fR\\fB}\\fR read the start, so a
    wait given a JOB uses only the others). That result is what \\fB\\-\\-json\\fR, \\fB\\-\\-field\\fR and
    text show; a fetch that fails ends with its own exit code. A start answered 200 or 201 with a
    terminal \\fBprovisioningState\\fR (\\fBstart\\-completed\\-when\\fR, \\fBstart\\-failed\\-when\\fR,
    \\fBstart\\-canceled\\-when\\fR) ends at once. A start's status code never decides a job polled at
    another URL (an http\\-202 start answered 201 with a \\fBLocation\\fR polls it).
    .PP
    Any other API is described with the shape options (or the same keys in a \\fB[dialect NAME]\\fR
    section of the config file), layered key by key over the \\fB\\-\\-dialect\\fR named.
    A COND is terms joined by \\fB&\\fR: \\fIPATH\\fR (set and not null, false, "", [] or {}),
    \\fB!\\fR\\fIPATH\\fR, or \\fIPATH\\fR \\fIOP\\fR \\fIVALUES\\fR with OP one of = != < <= > >=;
    = and != take a comma\\-separated list of bare words or JSON strings. Numbers compare
    numerically, strings without regard to case. < <= > >= compare numbers only; a value there
    that is no finite number (a string, true, an array, 1e309) is doubtful: it holds in a
    \\fB\\-\\-failed\\-when\\fR and in no other condition, so a doubt never makes a success, and
    \\fBexplain\\fR says which value was doubted. PATH is a \\fB\\-\\-field\\fR path (\\fB["a.b"]\\fR for a
    key with a dot, \\fB*\\fR for any item), \\fB@http\\fR or \\fB@header:\\fR\\fINAME\\fR.
    Conditions are tried in the order canceled, failed, completed, pending, running; an answer
    that fits none is not understood (exit 6) when the shape has a pending or running condition
    or names no path the answer holds, else it is running.
    Before the HTTP rules, an answer that is not 2xx where a \\fB\\-\\-gone\\-when\\fR condition holds
    ends with 5 (the job no longer exists; not judged for start and list), and one where a
    \\fB\\-\\-retry\\-when\\fR condition holds is a rate limit (backoff with jitter, Retry\\-After
    honoured, never counted toward \\fB\\-\\-max\\-errors\\fR). COND has no suffix match: list
    every spelling of a value (AWS's __type with and without its namespace), comma\\-separated.
    .PP
    \\fB\\-\\-poll\\fR \\fI'[METHOD ]TEMPLATE'\\fR (default GET {url}), \\fB\\-\\-poll\\-data\\fR and
    \\fB\\-\\-poll\\-header\\fR describe every poll of a job (wait, status, start \\-\\-wait, cancel \\-\\-wait,
    the document read of cancel and output, many\\-job waits); \\fB\\-\\-cancel\\-data\\fR and
    \\fB\\-\\-cancel\\-header\\fR the cancel request, \\fB\\-\\-start\\-header\\fR the start request.
    In a body, JSON's braces are text; a variable inside a JSON string is escaped for it, one
    outside is written as JSON ({id} and {url} as strings, {.PATH} as its value). A poll's {.PATH}
    reads the start answer, so it works with start \\-\\-wait only (elsewhere exit 2: use {id}).
    A body goes with Content\\-Type: application/json unless a header names another type.
    \\fBjobctl help dialects\\fR prints every shape as its keys; \\fBjobctl explain\\fR judges a
    document offline.
    """

  static let polling = """
    .SH POLLING
    The first poll is sent at once, then one every \\fB\\-\\-interval\\fR with \\(+-10% jitter.
    Retry\\-After (seconds or an HTTP date, at most one hour) on any answer is the least wait before
    the next poll; 429, and 503 with Retry\\-After, are rate limits and never count as failures.
    Connection errors, per\\-request timeouts, truncated answers, 408 and 5xx are retried after a
    backoff drawn at random between \\fB\\-\\-interval\\fR and
    min(\\fB\\-\\-max\\-interval\\fR, interval \\(mu 2^failures); \\fB\\-\\-max\\-errors\\fR consecutive
    failures end the wait (exit 7, or 6 when the last answer was not a job document).
    A request budget the server announces (RateLimit and RateLimit\\-Policy, X\\-RateLimit\\-Remaining
    with X\\-RateLimit\\-Reset, x\\-ratelimit\\-remaining\\-requests with x\\-ratelimit\\-reset\\-requests)
    is kept across every job on that host and port: what is left is spread evenly up to the
    earliest reset the window's answers told, nothing is sent while it is spent (until the
    latest reset told), and after a reset one request goes alone until its answer tells the
    new window. A spent budget is announced, and so is a pace that holds
    a poll back by more than its interval (at least a second), once until polls are on time
    again. A 403 that says the budget is spent, or carries Retry\\-After, is a rate limit.
    A malformed answer (two different Content\\-Length headers, an unasked\\-for 101, response
    headers over 100 KB, a compressed body when none was asked for) fails as soon as its head
    arrives, is retried the same way and ends with 6.
    401 and 403 end at once with 4, 404 and 410 with 5, other 4xx with 6.
    Error messages carry the server's own words: a JSON body's messages (Slurm's errors, AWS's
    __type and message), an HTML page's text, or plain text, on one bounded, escaped line.
    With \\fB\\-\\-timeout\\fR (counted from the start of jobctl) or \\fB\\-\\-until\\fR (an RFC 3339
    time or @UNIXTIME; the earlier of the two holds), the wait ends with 124 at the deadline, and at
    once when a Retry\\-After would pass it; an \\fB\\-\\-until\\fR already past is 124 before anything
    is sent. \\fB\\-\\-timeout\\fR counts elapsed time; \\fB\\-\\-until\\fR is read from the wall clock at
    every turn, so after a suspend or a clock step past it the wait ends within one poll.
    Messages that give up name the job and its URL. \\fB\\-\\-slow\\-down\\fR lengthens the
    interval by half after each poll without change, up to \\fB\\-\\-max\\-interval\\fR.
    A \\fB\\-\\-token\\-file\\fR is read again when it changes and before the retry after a 401.
    TLS failures end at once with 7.
    Redirects are followed (at most 10); credentials are never sent to another host or port, and
    a redirect from https to http is refused. The Idempotency\\-Key of a start goes with every
    retry and redirect, wherever it leads.
    """

  static let output = """
    .SH OUTPUT
    stdout carries results only: in text, \\fIkey\\fB: \\fIvalue\\fR lines with the job, its state and
    its result or error; with \\fB\\-\\-json\\fR, the last answer exactly as the API returned it
    (a failed job still prints its document); with \\fB\\-\\-field\\fR, one value (strings raw,
    anything else as JSON; escaped on a terminal; a missing one is exit 6, and the error lists
    the keys found at that level: \\fBno field \\(aqresult.adress\\(aq; result has: address, city\\fR).
    A job of several that the server no longer has (404, 410: exit 5) shows as \\fBgone\\fR on the
    live line and in the summary table. Progress lines, warnings and errors go to
    stderr; errors read
    \\fBjobctl: error:\\fR. The plain progress line is \\fB[\\fItime\\fB] \\fIjob\\fB: \\fIstate\\fR,
    with stage, phase and percent when known; control characters from the server are shown
    escaped (\\fB\\ex1b\\fR, \\fB\\en\\fR) there and in every message, and so are invisible and bidi
    format characters (U+061C, U+200B to U+200F, U+202A to U+202E, U+2060 to U+2069, U+FEFF:
    \\fB\\eu200b\\fR); widths are counted in terminal columns (a CJK character takes two); a
    job document or config file may start with a UTF\\-8 byte order mark; after 60 s
    without a change a heartbeat line says the job is still running.
    On a terminal (\\fB\\-\\-progress auto\\fR with TERM not dumb) one live line is redrawn on stderr
    at most 10 times a second instead: spinner, job, state, stage or phase, a progress bar with
    percent, the time elapsed and, once progress has moved for 2 s, an ETA from its rate. It
    never wraps (what does not fit the width is left out, the ETA, the bar and the job first, then
    the start of the stage or phase text, whose end and the elapsed time stay) and is
    cleared before anything else is printed.
    \\fB\\-\\-format ndjson\\fR prints one JSON object per line on stdout for every change:
    \\fBtime\\fR, \\fBjob\\fR (the job reference as given, on every line), \\fBevent\\fR (state,
    retry, rate_limited, done), \\fBstate\\fR, \\fBstatus\\fR, \\fBprogress\\fR, \\fBstage\\fR,
    \\fBhttp_status\\fR, and \\fBreason\\fR and \\fBdelay\\fR for retries; the last line of a job is
    the done event, with \\fBexit_code\\fR, \\fBerror\\fR (the message, when the code is not 0)
    and the job's last answer under \\fBdocument\\fR.
    With several jobs, \\fB\\-\\-field\\fR prints each job's value on its own line, in job
    order (JSON with \\fB\\-\\-json\\fR); \\fBlist \\-q\\fR prints the ids only, one a line, for
    \\fBjobctl wait \\-\\fR;
    stderr gets the errors of the first 20 jobs that had one, then one line that counts the
    rest (\\(lqand 99,980 more like it (exit 124)\\(rq); \\fB\\-\\-json\\fR and ndjson carry every job.
    \\fB\\-q\\fR silences progress, notes and warnings, never the results asked for.
    Colour (errors, warnings, states) is used on stderr only: \\fB\\-\\-color auto\\fR colours a
    terminal unless NO_COLOR is set, CLICOLOR_FORCE (not 0) forces it, TERM=dumb turns it off.
    Secrets (the token, the values of Authorization, Proxy\\-Authorization, Cookie and
    *\\-Token/*\\-Key headers but not Idempotency\\-Key, and the user and password of a URL or proxy
    URL) are shown as [redacted] everywhere, \\fB\\-\\-verbose\\fR included; values under 8 bytes
    are not treated as secrets, but a URL always shows as
    \\fBhttps://[redacted]@\\fIhost\\fB/...\\fR. A server that echoes one back has it replaced as the answer arrives: in a
    JSON answer every decoded string, whatever its escapes, and a number that is a secret; any
    other answer as text. A job URL signed with the token is requested as given and shown
    redacted. Nothing reaches stdout, stderr or GITHUB_OUTPUT. The data of \\fBjobctl output\\fR is
    handed over byte for byte. With \\fB\\-\\-aws\\-sigv4\\fR, the secret key, the session token
    and, in any URL shown (a presigned URL in a job document, a Location header), the
    X\\-Amz\\-Signature, X\\-Amz\\-Credential and X\\-Amz\\-Security\\-Token query values are
    [redacted] too. A completed job's messages are shown as at most five warning
    lines cut to the terminal's width, then how many more (\\fB\\-\\-json\\fR has them all).
    A reader of stdout that goes away ends jobctl at once and quietly, a wait too (exit 141,
    unless the job had already ended); any other stdout that cannot be written is exit 10, and
    \\fBstart\\fR then shows the job's id and URL on stderr. Standard streams closed at start are
    opened on /dev/null first.
    """

  static let outputFiles = """
    .SH OUTPUT FILES
    \\fBjobctl output\\fR downloads into a temporary file first. With \\fB\\-o\\fR \\fIFILE\\fR, a
    regular FILE or one that does not exist gets that file in its own folder, renamed over FILE
    once complete, so a failed download never leaves a truncated FILE; an existing FILE keeps its
    permissions, a new one gets 0666 less the umask. A symbolic link is followed and stays a link.
    A FILE that exists and is not a regular file (a device, a FIFO, a terminal) is written to, never
    replaced, as is a regular FILE whose folder will not take a temporary file. A missing folder,
    or a FILE that is a folder, is exit 10 before anything is sent; a full disk is exit 10 too.
    \\fB\\-o\\fR is a file, as with curl: \\fB\\-o json\\fR (or yaml, wide, name, jsonpath) when no
    such file exists is a usage error pointing at \\fB\\-\\-json\\fR and \\fB\\-\\-format\\fR;
    \\fB\\-o ./json\\fR names the file. Only the hotcrp shape says where output is by default
    (\\fB{url}&output={as}\\fR); for a shape that does not, \\fBoutput\\fR is exit 6 and names
    \\fB\\-\\-output\\-url\\fR.
    \\fB\\-\\-continue\\fR appends a 206 only when its Content\\-Range starts at FILE's size; any
    other 206 is exit 6 with FILE untouched, a 200 replaces FILE, a 416 naming FILE's size as the
    total means it is complete (exit 0). \\fB\\-\\-request\\-timeout\\fR limits a download only
    while no byte arrives; a download cut short is retried, from where it stopped when the server
    takes ranges. The status document of a job not finished is no output (exit 9). Without
    \\fB\\-o\\fR, output holding control characters is not printed to a terminal (exit 10) unless
    \\fB\\-o \\-\\fR asks for it.
    """

  static let configuration = """
    .SH CONFIGURATION
    Settings are taken from the flag, then the environment, then the selected profile of the
    config file, then the default. The config file holds \\fB[default]\\fR and
    \\fB[profile \\fINAME\\fB]\\fR sections (a \\fINAME\\fR is letters, digits, \\fB.\\fR, \\fB_\\fR, \\fB:\\fR
    and \\fB\\-\\fR, as in \\fB[profile prod:eu]\\fR) of \\fIkey\\fB = \\fIvalue\\fR lines; keys are long option
    names (base\\-url, token\\-file, header, dialect, jobs\\-path, interval, timeout, progress,
    color, ...), \\fBheader\\fR may repeat, flags take true or false, \\fB#\\fR starts a comment, and
    \\fB~/\\fR in a file name is the home folder. \\fB\\-\\-profile\\fR (or \(CommandTable.variable(.profile))) picks a
    section, \\fB[default]\\fR otherwise. An unknown key or a bad value is an error naming the file
    and line. A token file, and the \\fB\\-\\-key\\fR file of a TLS client certificate, are read
    whatever their mode (read-only secret mounts are often 0444 or 0644); \\fB\\-\\-verbose\\fR says
    so when users other than the owner can read one.
    .PP
    \\fB\\-\\-aws\\-sigv4\\fR (or the shape key \\fBaws\\-sigv4\\fR) has libcurl sign every
    request (start, poll, cancel, output, list) with AWS Signature Version 4, curl's
    \\fIPROVIDER1\\fR[:\\fIPROVIDER2\\fR[:\\fIREGION\\fR[:\\fISERVICE\\fR]]] such as
    aws:amz:us\\-east\\-1:states. The keys are AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with
    AWS_SESSION_TOKEN, sent signed as X\\-Amz\\-Security\\-Token), else the static keys of the
    [default] (or AWS_PROFILE) section of ~/.aws/credentials (or AWS_SHARED_CREDENTIALS_FILE); SSO
    and roles are not read (\\fBeval "$(aws configure export\\-credentials \\-\\-format env)"\\fR
    exports their keys). No keys is exit 2 before anything is sent. Only requests to the scheme,
    host and port a request was made for are signed: a redirect elsewhere is followed unsigned.
    A poll repeated within a minute is sent with the signature libcurl made for it the first
    time; a 401 or 403 to it has libcurl sign the request anew.
    \\fB\\-\\-unix\\-socket\\fR \\fIPATH\\fR (config key \\fBunix\\-socket\\fR) sends every request
    through that UNIX socket; the URL still names the host and path. A socket that does not exist
    is exit 7. A \\fB\\-H\\fR Content\\-Type or Accept replaces jobctl's own.
    .PP
    .nf
    [default]
    base\\-url = https://api.example.com
    token\\-file = ~/.config/jobctl/token

    [profile hotcrp]
    base\\-url = https://hotcrp.example/api
    dialect = hotcrp
    .fi
    """

  static let ci = """
    .SH CI
    When GITHUB_ACTIONS is true, a failed, canceled, stalled or timed\\-out job also prints an
    \\fB::error title=...::\\fR annotation on stderr, and a completed job with warnings a
    \\fB::warning::\\fR. When GITHUB_OUTPUT is set, \\fBstatus\\fR, \\fBjob\\-id\\fR and the
    \\fB\\-\\-field\\fR value (as \\fBfield\\fR) are appended to it for later steps, a value
    holding CR or LF in the \\fIname\\fB<<\\fIDELIMITER\\fR form; when the file cannot be written,
    a job that completed ends with exit 10 (a failed one keeps its code, with a warning), as a
    step whose outputs are lost should fail. A wait for several jobs writes \\fBexit\\-code\\fR, the
    counts \\fBcompleted\\fR, \\fBfailed\\fR, \\fBcanceled\\fR and \\fBunfinished\\fR, and \\fBjobs\\fR (a JSON
    array of \\fB{"job", "state", "exit_code"}\\fR in job order) instead. More than 10 failed jobs make
    one annotation that counts them. When GITHUB_STEP_SUMMARY is set, a wait (not \\fBstatus\\fR)
    appends a Markdown table of its jobs (job, state, duration, detail) to it, unfinished and
    failed jobs first, cut with \\(lqand N more\\(rq past 256 KiB.
    The runner reads a log line that starts with :: (or holds ##[) as a workflow command, so under
    GITHUB_ACTIONS no server text jobctl prints for people (text format, progress lines,
    messages, warnings, errors) can form one: a line\\-leading :: shows as \\fB\\ex3a:\\fR and
    ##[ as \\fB#\\ex23[\\fR. \\fB\\-\\-field\\fR and \\fB\\-\\-json\\fR stay byte\\-exact for scripts, so
    do not print them to the log: pass them on through GITHUB_OUTPUT.
    """

  static let files = """
    .SH FILES
    .TP
    .I $XDG_CONFIG_HOME/jobctl/config
    The config file; \\fI~/.config/jobctl/config\\fR when XDG_CONFIG_HOME is not set.
    .PP
    Every input is bounded. Standard input gives \\fBexplain\\fR and \\fB\\-\\-data @\\-\\fR at most
    16 MiB; \\fBwait \\-\\fR reads it line by line, at most 8192 bytes a line and 1,000,000 references.
    Token, config and \\fB\\-\\-data @\\fIFILE\\fR files hold at most 1 MiB. Past a limit, jobctl
    exits 2 naming it. Such a file that is a pipe or FIFO (\\fB\\-\\-token\\-file <(vault read ...)\\fR)
    is read without blocking: at most 60 s, and no longer than \\fB\\-\\-timeout\\fR or
    \\fB\\-\\-until\\fR (exit 124); a token from a pipe is not read again. Sockets and devices
    (but \\fI/dev/null\\fR) are refused, and \\fB\\-\\-cacert\\fR, \\fB\\-\\-cert\\fR and \\fB\\-\\-key\\fR must
    be regular files. SIGINT, SIGTERM and SIGHUP end jobctl within a second at every moment;
    SIGHUP is handled as SIGTERM (temporary files removed, \\fB\\-\\-cancel\\-on\\-interrupt\\fR
    honoured) and exits 129, unless it was ignored at start (\\fBnohup\\fR). Without
    \\fB\\-\\-cancel\\-on\\-interrupt\\fR the job keeps running on the server; stderr says so and
    names the command that resumes the wait (base URL without its userinfo, dialect, profile,
    config; never headers or tokens).
    """

  /// Every variable jobctl reads, with what it does.
  static func environment() -> String {
    var m = ".SH ENVIRONMENT\n"
    for entry in CommandTable.environment {
      m +=
        ".TP\n" + (entry.names.count == 1 ? ".B \(entry.names[0])" : ".BR " + entry.names.joined(separator: " \", \" "))
      m += "\n\(escape(entry.help))\n"
    }
    return m
  }

  /// The exit codes as a table.
  static func exitStatus() -> String {
    // Text blocks (T{ T}) wrap within the line; plain cells would run past 80 columns.
    var m = ".SH EXIT STATUS\n.TS\nl lx.\n"
    for (code, meaning) in exitCodeTable { m += "\(code)\tT{\n\(escape(meaning))\nT}\n" }
    return m + ".TE\n"
  }

  /// Command lines at work, and where to look next.
  static let examples = """
    .SH EXAMPLES
    .nf
    export \(CommandTable.variable(.baseURL))=https://api.example.com
    \(CommandTable.variable(.tokenFile))=$(cat ~/.api-token) jobctl wait 8f14e45f \\-\\-timeout 10m
    ADDR=$(jobctl wait "$ID" \\-\\-field result.address)
    jobctl status "$ID" \\-\\-json
    jobctl wait hcj_GNKT \\-\\-base\\-url https://hotcrp.example/api \\e
      \\-\\-dialect hotcrp
    ID=$(jobctl start /reports \\-\\-data @body.json)
    jobctl start /api/autoassign \\-\\-form q=all \\-\\-wait \\-\\-profile hotcrp
    jobctl cancel "$ID" \\-\\-wait
    jobctl list \\-\\-all \\-\\-type org_members \\-\\-json
    jobctl output hcj_GNKT \\-o assignments.csv \\-\\-continue \\-\\-profile hotcrp
    jobctl completion bash > /etc/bash_completion.d/jobctl
    .fi
    .SH SEE ALSO
    curl(1)
    """

  /// The option groups in the order the manual lists them, each once.
  static func allGroups() -> [OptionGroup] {
    var seen = Set<String>()
    return CommandTable.commands.flatMap(\.groups).filter { seen.insert($0.title).inserted }
  }

  /// Escapes text for roff: backslashes, hyphens, and a leading dot or quote.
  static func escape(_ s: String) -> String {
    var out = s.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
    if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
    return out
  }
}
