/// What a command ended with: commands return one of these, and `Presenter` alone turns it into
/// stdout, stderr, GitHub's files and the exit code.
enum CommandResult {
  /// How one job ended: `wait`, `status`, `start --wait`, `cancel --wait`, a start answered with
  /// its result.
  case job(JobEnd)
  /// How many jobs ended (`wait JOB JOB...`); each was told through `Presenter.ended` as it came.
  case jobs(JobEnds)
  /// A job `start` created.
  case created(CreatedJob)
  /// The answer to `cancel`.
  case cancel(CancelReply)
  /// The jobs `list` read.
  case listing(Listing)
  /// How `explain` judged a document.
  case explanation(Explanation)
  /// An output `output` fetched (into its file or onto stdout already).
  case fetched(FetchedOutput)
}

/// How one job ended, and what its presentation needs beside the outcome.
struct JobEnd {
  var outcome: WaitOutcome
  var job: String
  /// Whether the end goes into GitHub's step summary (a wait's does; a `status` poll's does not).
  var summarize = true
  /// The user asked for the cancel (`cancel --wait`): ending canceled is the outcome, not an error.
  var cancelAsked = false
  /// The command that resumes an interrupted wait, nil where the interrupt cancels the job.
  var resume: String?
  /// What `wait -o` fetched once the job completed (nil: nothing asked or the job did not complete).
  var fetched: Result<FetchedOutput, JobctlError>?
}

/// How many jobs ended.
///
/// Outcomes are made when read, so 100,000 are never all in memory at once.
struct JobEnds {
  let count: Int
  let outcome: (Int) -> WaitOutcome?
  let label: (Int) -> String
  /// `--any`: the job that ended first, whose code is the wait's.
  let firstFinished: Int?
  var resume: String?
}

/// A job `start` created, as the answer named it.
struct CreatedJob {
  /// The start's URL or path, as given.
  let target: String
  let body: [UInt8]
  let document: JSON?
  let id: String?
  let url: String
  /// The job is polled at its URL as another shape (an Azure status monitor): the URL names it.
  let namedByURL: Bool

  /// How the job is named on stderr when stdout cannot take it: escaped, with its URL.
  var named: String { id.map { "\(Text.oneLine($0, limit: 200)) (\(url))" } ?? url }
}

/// What the server said to `cancel`.
struct CancelReply {
  let job: String
  let answer: CancelAnswer
}

/// The jobs of `list`, with the shape they are read by.
struct Listing {
  let jobs: [JSON]
  let shape: Dialect
  let dialect: Dialect?
}

/// How `explain` judged one document.
struct Explanation {
  let snapshot: JobSnapshot
  let decidedBy: String
  let shape: String
}

/// An output fetched; `note` says why there was nothing to write (shown unless `-q`).
struct FetchedOutput {
  var note: String?
}

/// One result's forms: every `--format` and `--field` are chosen here, once, for every result but
/// a many-job wait's (whose forms stream, `JobEnds.swift`).
struct Forms {
  /// What `--field` reads.
  var document: () -> JSON?
  /// `--json`.
  var json: () -> String
  /// `--format ndjson`; nil when its lines went out as they happened.
  var ndjson: () -> String?
  /// The text form (with `-q` heeded); nil for none.
  var text: () -> String?
  /// Text for people goes through `OutputSettings.forPeople`; a start's id does not.
  var forPeople = true
  /// What a missing `--field` is; nil: nothing is printed and it is no error.
  var missingField: ((JSONPath, JSON?) -> JobctlError)?
  /// Through a `*`, one value a line in the text form (`list`).
  var lineEach = false
  /// Whether `--field` picks from it (`explain` prints its verdict whole).
  var readsField = true
}

/// Prints what commands return: results on stdout, verdicts on stderr, GitHub's step files, and
/// the exit code, decided here and only here.
struct Presenter {
  let settings: OutputSettings
  let stdout: TextSink
  let diagnostics: Diagnostics
  let reporter: ProgressReporter?
  /// nil outside GitHub Actions: many-job waits keep end times and end records only for it.
  let github: GitHubActions?
  let now: () -> Double
  /// Seconds since the command began, for the step summary's durations.
  let elapsed: () -> Double
  let endTimes = EndTimes()
  /// The width of stderr, which message lines are cut to.
  let columns: () -> Int

  init(
    settings: OutputSettings, stdout: TextSink, diagnostics: Diagnostics, reporter: ProgressReporter? = nil,
    github: GitHubActions? = nil, now: @escaping () -> Double = { 0 }, elapsed: @escaping () -> Double = { 0 },
    columns: @escaping () -> Int = { 80 }
  ) {
    self.settings = settings
    self.stdout = stdout
    self.diagnostics = diagnostics
    self.reporter = reporter
    // Disabled is the same as absent: it writes nothing. Kept as it came, it made 100,000 jobs
    // keep their end times and end records for annotations no one reads (a fifth of the memory).
    self.github = github?.enabled == true ? github : nil
    self.now = now
    self.columns = columns
    self.elapsed = elapsed
  }

  /// Prints `result` and returns the exit code.
  func present(_ result: CommandResult) -> Int32 {
    switch result {
    case .job(let end): return finish(end)
    case .jobs(let ends): return finishMany(ends)
    case .created(let job): return conclude(created(job))
    case .cancel(let reply): return conclude(cancel(reply))
    case .listing(let listing): return conclude(list(listing))
    case .explanation(let explanation): return explain(explanation)
    case .fetched(let output):
      note(output.note)
      return 0
    }
  }

  /// The exit code of a command that ended with `error` (nil: success), its message on stderr.
  func conclude(_ error: JobctlError?) -> Int32 {
    guard let error else { return JobctlError.Ending.success.code }
    return Self.fail(error, diagnostics: diagnostics)
  }

  /// The exit code of `error`, its message on stderr: for every command that failed, and for
  /// results that end in an error.
  static func fail(_ error: JobctlError, diagnostics: Diagnostics) -> Int32 {
    diagnostics.error(error)
    return error.exitCode
  }

  /// A line on stderr unless `-q`.
  func note(_ text: String?) {
    if let text, !settings.quiet { diagnostics.line(text) }
  }

  /// Writes one result in the form the settings ask for; returns what `--field` wrote (for
  /// GitHub's step outputs) and the error of a field that is not there.
  func write(_ forms: Forms) -> (field: String?, error: JobctlError?) {
    if forms.readsField, let field = settings.field {
      let document = forms.document()
      guard let value = document.flatMap({ field.value(in: $0) }) else {
        return (nil, forms.missingField?(field, document))
      }
      if forms.lineEach, field.isMultiple, settings.format == .text, case .array(let items) = value {
        for item in items { stdout.write(Self.fieldText(item, on: stdout) + "\n") }
      } else {
        stdout.write(Self.fieldText(value, on: stdout) + "\n")
      }
      return (value.displayText, nil)
    }
    switch settings.format {
    case .json: stdout.write(forms.json())
    case .ndjson: if let lines = forms.ndjson() { stdout.write(lines) }
    case .text: if let text = forms.text() { stdout.write(forms.forPeople ? settings.forPeople(text) : text) }
    }
    return (nil, nil)
  }

  /// A body as `--json` prints it: as it came, ending with a newline (`empty` for none).
  static func asItCame(_ body: [UInt8], empty: String? = nil) -> String {
    if let empty, body.isEmpty { return empty }
    let text = String(decoding: body, as: UTF8.self)
    return Text.endsWithNewline(text) ? text : text + "\n"
  }

  /// What `--field` prints for `value`: a string as it came, so a script gets it intact, but
  /// escaped when stdout is a terminal, which what the server sent may not drive; anything else
  /// as JSON.
  static func fieldText(_ value: JSON, on sink: TextSink) -> String {
    guard sink.isTerminal, case .string(let text) = value else { return value.displayText }
    return Text.oneLine(text, limit: .max)
  }
}
