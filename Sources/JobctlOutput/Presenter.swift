import JobctlEngine
import JobctlShapes
import JobctlSupport

/// What a command ended with: commands return one of these, and `Presenter` alone turns it into
/// stdout, stderr, GitHub's files and the exit code.
package enum CommandResult {
  /// How one job ended: `wait`, `status`, `start --wait`, `cancel --wait`, a start answered with
  /// its result.
  case job(JobEnd)
  /// How many jobs ended (`wait JOB JOB...`); each was told through `Presenter.ended` as it came.
  case jobs(JobEnds)
  /// A job `start` created.
  case created(CreatedJob)
  /// A start that failed once its request was out: a job may have been created.
  case unconfirmedStart(UnconfirmedStart)
  /// A 2xx start answer that names no job.
  case unnamedJob(UnnamedJob)
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
package struct JobEnd {
  package var outcome: WaitOutcome
  package var job: String
  /// Whether the end goes into GitHub's step summary (a wait's does; a `status` poll's does not).
  package var summarize = true
  /// The user asked for the cancel (`cancel --wait`): ending canceled is the outcome, not an error.
  package var cancelAsked = false
  /// The command that resumes an interrupted wait, nil where the interrupt cancels the job.
  package var resume: String?
  /// What `wait -o` fetched once the job completed (nil: nothing asked or the job did not complete).
  package var fetched: Result<FetchedOutput, JobctlError>?

  package init(
    outcome: WaitOutcome, job: String, summarize: Bool = true, cancelAsked: Bool = false, resume: String? = nil,
    fetched: Result<FetchedOutput, JobctlError>? = nil
  ) {
    self.outcome = outcome
    self.job = job
    self.summarize = summarize
    self.cancelAsked = cancelAsked
    self.resume = resume
    self.fetched = fetched
  }
}

/// How many jobs ended.
///
/// Outcomes are made when read, so 100,000 are never all in memory at once.
package struct JobEnds {
  package let count: Int
  package let outcome: (Int) -> WaitOutcome?
  package let label: (Int) -> String
  /// `--any`: the job that ended first, whose code is the wait's.
  package let firstFinished: Int?
  package var resume: String?

  package init(
    count: Int, outcome: @escaping (Int) -> WaitOutcome?, label: @escaping (Int) -> String, firstFinished: Int?,
    resume: String? = nil
  ) {
    self.count = count
    self.outcome = outcome
    self.label = label
    self.firstFinished = firstFinished
    self.resume = resume
  }
}

/// A job `start` created, as the answer named it.
package struct CreatedJob {
  /// The start's URL or path, as given.
  package let target: String
  package let body: [UInt8]
  package let document: JSON?
  package let id: String?
  package let url: String
  /// The job is polled at its URL as another shape (an Azure status monitor): the URL names it.
  package let namedByURL: Bool

  /// How the job is named on stderr when stdout cannot take it: escaped, with its URL.
  var named: String { id.map { "\(Text.oneLine($0, limit: 200)) (\(url))" } ?? url }

  package init(target: String, body: [UInt8], document: JSON?, id: String?, url: String, namedByURL: Bool) {
    self.target = target
    self.body = body
    self.document = document
    self.id = id
    self.url = url
    self.namedByURL = namedByURL
  }
}

/// A start that ended without an answer naming its job once its request may have been out (a
/// signal, `--timeout`, a failure after it was sent): a job may have been created.
package struct UnconfirmedStart {
  /// How the start ended, which is the command's error.
  package let error: JobctlError
  /// The start's URL or path, as given.
  package let job: String
  /// The Idempotency-Key to resend with.
  package let key: String
  /// What happened, in one line.
  package let reason: String

  package init(error: JobctlError, job: String, key: String, reason: String) {
    self.error = error
    self.job = job
    self.key = key
    self.reason = reason
  }

  /// The key as messages show it.
  var shownKey: String { Text.oneLine(key, limit: 200) }
  /// The error names the key already (a resend answered "already exists").
  package var saysKey: Bool { error.message?.contains(shownKey) == true }
}

/// A 2xx start answer in which the shape finds no job: the job may exist all the same, so the
/// answer is printed as it came (as `--json` prints it) and the error names its keys.
package struct UnnamedJob {
  package let body: [UInt8]
  /// What the answer lacks (`the answer to ... names no job: ...`).
  package let cause: JobctlError.Cause

  package init(body: [UInt8], cause: JobctlError.Cause) {
    self.body = body
    self.cause = cause
  }
}

/// What the server said to `cancel`.
package struct CancelReply {
  package let job: String
  package let answer: CancelAnswer

  package init(job: String, answer: CancelAnswer) {
    self.job = job
    self.answer = answer
  }
}

/// The jobs of `list`, with the shape they are read by.
package struct Listing {
  package let jobs: [JSON]
  package let shape: Dialect
  package let dialect: Dialect?

  package init(jobs: [JSON], shape: Dialect, dialect: Dialect?) {
    self.jobs = jobs
    self.shape = shape
    self.dialect = dialect
  }
}

/// How `explain` judged one document.
package struct Explanation {
  package let snapshot: JobSnapshot
  package let decidedBy: String
  package let shape: String

  package init(snapshot: JobSnapshot, decidedBy: String, shape: String) {
    self.snapshot = snapshot
    self.decidedBy = decidedBy
    self.shape = shape
  }
}

/// An output fetched; `note` says why there was nothing to write (shown unless `-q`).
package struct FetchedOutput {
  package var note: String?

  package init(note: String? = nil) {
    self.note = note
  }
}

/// One result's forms: `--field` is read here, once, and the format (`Formats.swift`) picks its
/// form, for every result but a many-job wait's (`JobsForms`).
package struct Forms {
  /// What `--field` reads.
  var document: () -> JSON?
  /// `--json`.
  var json: () -> String
  /// `--format ndjson`; nil when its lines went out as they happened.
  var ndjson: () -> String?
  /// The text form (with `-q` heeded); nil for none.
  var text: () -> String?
  /// The error the text form ends with (a job created with an id it cannot print, ids missing).
  var textError: () -> JobctlError? = { nil }
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
package struct Presenter {
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
  package let columns: () -> Int

  package init(
    settings: OutputSettings, stdout: TextSink, diagnostics: Diagnostics, reporter: ProgressReporter? = nil,
    github: GitHubActions? = nil, now: @escaping () -> Double = { 0 }, elapsed: @escaping () -> Double = { 0 },
    columns: @escaping () -> Int = { 80 }
  ) {
    self.settings = settings
    self.stdout = stdout
    self.diagnostics = diagnostics
    self.reporter = reporter
    // Disabled is the same as absent: it writes nothing. Kept as it came, it made 100,000 jobs
    // keep their end times and end records for annotations no one reads (docs/performance.md).
    self.github = github?.enabled == true ? github : nil
    self.now = now
    self.columns = columns
    self.elapsed = elapsed
  }

  /// Prints `result` and returns the exit code.
  package func present(_ result: CommandResult) -> Int32 {
    switch result {
    case .job(let end): return finish(end)
    case .jobs(let ends): return finishMany(ends)
    case .created(let job): return conclude(created(job))
    case .unconfirmedStart(let start): return unconfirmed(start)
    case .unnamedJob(let answer): return conclude(unnamed(answer))
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
    guard let error else { return Self.exitCode(nil) }
    return Self.fail(error, diagnostics: diagnostics)
  }

  /// The exit code of a command or job that ended with `error` (nil: success).
  static func exitCode(_ error: JobctlError?) -> Int32 {
    error?.exitCode ?? JobctlError.Ending.success.code
  }

  /// The exit code of a job's outcome: 0 when it completed, else its error's.
  package static func exitCode(of outcome: WaitOutcome) -> Int32 { exitCode(outcome.error) }

  /// The exit code of `error`, its message on stderr: for every command that failed, and for
  /// results that end in an error.
  package static func fail(_ error: JobctlError, diagnostics: Diagnostics) -> Int32 {
    diagnostics.error(error)
    return error.exitCode
  }

  /// A line on stderr unless `-q`.
  func note(_ text: String?) {
    if let text, !settings.quiet { diagnostics.line(text) }
  }

  /// Writes one result in the form the settings ask for; returns what `--field` wrote (for
  /// GitHub's step outputs) and the error of a field that is not there or of the form written.
  package func write(_ forms: Forms) -> (field: String?, error: JobctlError?) {
    if forms.readsField, let field = settings.field {
      let document = forms.document()
      guard let value = document.flatMap({ field.value(in: $0) }) else {
        return (nil, forms.missingField?(field, document))
      }
      if forms.lineEach, field.isMultiple, settings.format.fieldValuesOneALine, case .array(let items) = value {
        for item in items { stdout.write(Self.fieldText(item, on: stdout) + "\n") }
      } else {
        stdout.write(Self.fieldText(value, on: stdout) + "\n")
      }
      return (value.displayText, nil)
    }
    return (nil, settings.format.result(forms, self))
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
