/// `man/jobctl.1`, rendered from `CommandTable` so the manual cannot drift from the parser.
///
/// A test compares the committed file with this rendering; `JOBCTL_UPDATE_GOLDEN=1 make test`
/// rewrites it.
public enum ManPage {
  public static func render() -> String {
    var m = """
      '\\" t
      .\\" Generated from jobctl's command table; do not edit by hand.
      .TH JOBCTL 1 "" "jobctl \(Version.current)" "User Commands"
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
      overrides an earlier one.
      Durations are written \\fB250ms\\fR, \\fB2s\\fR, \\fB1m30s\\fR, \\fB1h\\fR, or as a bare number of
      seconds (\\fB2\\fR, \\fB0.5\\fR).
      .SH COMMANDS

      """
    for c in CommandTable.commands {
      m += ".TP\n.B jobctl \(c.name)\(c.arguments.isEmpty ? "" : " " + escape(c.arguments))\n"
      m += escape(c.summary) + "\n"
      if !c.details.isEmpty { m += escape(c.details.split(separator: "\n").joined(separator: " ")) + "\n" }
      let groups = c.groups.filter { $0.title != "General" }.map { $0.title.lowercased() }
      if !groups.isEmpty { m += "Options: \(groups.joined(separator: ", ")).\n" }
    }
    for group in allGroups() {
      m += ".SH \(group.title.uppercased()) OPTIONS\n"
      for o in group.options {
        var sig = o.short.map { "\\fB\\-\($0)\\fR, " } ?? ""
        sig += "\\fB\\-\\-\(escape(o.long))\\fR"
        if let v = o.value { sig += " \\fI\(escape(v))\\fR" }
        m += ".TP\n\(sig)\n\(escape(o.help))\n"
        if let env = o.environment { m += "Environment: \\fB\(env)\\fR.\n" }
      }
    }
    m += """
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
      a path starting with \\fB/\\fR, resolved against the origin of the base URL.
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
      \\fBupdate_at\\fR is the time of the last update; done with a non\\-zero \\fBexit_status\\fR is a
      failure; messages come in \\fBmessage_list\\fR. 410 means the job expired.
      .TP
      .B staged
      \\fBstatus\\fR running|completed|failed|canceled (pending and queued are pending),
      \\fBprogress\\fR in [0, 1], \\fBstage\\fR, \\fBerror\\fR {code, message, data}.
      .TP
      .B progress
      No status: \\fBprogress\\fR 0..100, terminal at 100: completed when \\fBerrors\\fR is empty,
      failed otherwise.
      .SH POLLING
      The first poll is sent at once, then one every \\fB\\-\\-interval\\fR with \\(+-10% jitter.
      Retry\\-After (seconds or an HTTP date, at most one hour) on any answer is the least wait before
      the next poll; 429, and 503 with Retry\\-After, are rate limits and never count as failures.
      Connection errors, per\\-request timeouts, truncated answers, 408 and 5xx are retried after a
      backoff drawn at random between \\fB\\-\\-interval\\fR and
      min(\\fB\\-\\-max\\-interval\\fR, interval \\(mu 2^failures); \\fB\\-\\-max\\-errors\\fR consecutive
      failures end the wait (exit 7, or 6 when the last answer was not a job document).
      401 and 403 end at once with 4, 404 and 410 with 5, other 4xx with 6.
      With \\fB\\-\\-timeout\\fR, the wait ends with 124 at the deadline, and at once when a
      Retry\\-After would pass it. TLS failures end at once with 7.
      Redirects are followed (at most 10); credentials are never sent to another host or port, and
      a redirect from https to http is refused.
      .SH OUTPUT
      stdout carries results only: in text, \\fIkey\\fB: \\fIvalue\\fR lines with the job, its state and
      its result or error; with \\fB\\-\\-json\\fR, the last answer exactly as the API returned it
      (a failed job still prints its document); with \\fB\\-\\-field\\fR, one value (strings raw,
      anything else as JSON). Progress lines, warnings and errors go to stderr; errors read
      \\fBjobctl: error:\\fR. The plain progress line is \\fB[\\fItime\\fB] \\fIjob\\fB: \\fIstate\\fR,
      with stage, phase and percent when known, and never holds control characters.
      Secrets (the token, and the values of Authorization, Cookie and *\\-Token/*\\-Key headers) are
      shown as [redacted] everywhere, \\fB\\-\\-verbose\\fR included. A closed stdout ends jobctl
      quietly.
      .SH ENVIRONMENT
      .TP
      .B JOBCTL_BASE_URL
      Base URL of the API (\\fB\\-\\-base\\-url\\fR).
      .TP
      .B JOBCTL_TOKEN
      Bearer token, sent as \\fBAuthorization: Bearer\\fR \\fITOKEN\\fR (\\fB\\-\\-token\\-file\\fR
      takes precedence). No flag takes the token itself: it would show in ps(1).
      .TP
      .B JOBCTL_DIALECT
      Response shape (\\fB\\-\\-dialect\\fR).
      .SH EXIT STATUS
      .TS
      l l.

      """
    for (code, meaning) in exitCodeTable { m += "\(code)\t\(escape(meaning))\n" }
    m += """
      .TE
      .SH EXAMPLES
      .nf
      export JOBCTL_BASE_URL=https://api.example.com
      JOBCTL_TOKEN=$(cat ~/.api-token) jobctl wait 8f14e45f \\-\\-timeout 10m
      ADDR=$(jobctl wait "$ID" \\-\\-field result.address)
      jobctl status "$ID" \\-\\-json
      jobctl wait hcj_GNKT \\-\\-base\\-url https://hotcrp.example/api \\-\\-dialect hotcrp
      .fi
      .SH SEE ALSO
      curl(1)

      """
    return m
  }

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
