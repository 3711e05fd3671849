import JobctlEngine
import JobctlShapes
import JobctlSupport

/// The output formats (`--format`, docs/behaviour.md "Output"), each one value in this file.
///
/// A format picks from the forms a result offers (`Forms`: the document, the answer as it came,
/// event lines, text; `JobsForms` for many jobs) and says what it streams; the presenter, the
/// many-job end and the progress reporter only ask it. A new format is a new value added to
/// `allCases` here: `--format` takes its name, and help, completions and the manual list it.
extension OutputSettings {
  package struct Format: Sendable, CaseIterable, RawRepresentable, Hashable {
    /// The name `--format` takes.
    package let rawValue: String
    /// What `--format`'s help says of it, in brackets after the name.
    let summary: String
    /// Writes one result from its forms (no `--field`); returns the error its form ends with.
    let result: @Sendable (Forms, Presenter) -> JobctlError?
    /// Through a `*` in `--field`: each value on its own line (true) or the values as one array.
    let fieldValuesOneALine: Bool
    /// The `--field` line of one job of several, from its value (nil: it has none).
    let fieldLine: @Sendable (JSON?) -> String
    /// Writes the end of a wait for several jobs (no `--field`).
    let jobs: @Sendable (JobsForms, Presenter) -> Void
    /// The stdout line of an event as it happens; nil for a format that streams none.
    let eventLine: (@Sendable (StreamedEvent, _ job: String, _ time: Double) -> String)?

    package init?(rawValue: String) {
      guard let format = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
      self = format
    }

    /// A format of its own (the ones `--format` takes are `allCases`).
    init(
      _ name: String, summary: String, result: @escaping @Sendable (Forms, Presenter) -> JobctlError?,
      fieldValuesOneALine: Bool, fieldLine: @escaping @Sendable (JSON?) -> String,
      jobs: @escaping @Sendable (JobsForms, Presenter) -> Void,
      eventLine: (@Sendable (StreamedEvent, String, Double) -> String)? = nil
    ) {
      self.rawValue = name
      self.summary = summary
      self.result = result
      self.fieldValuesOneALine = fieldValuesOneALine
      self.fieldLine = fieldLine
      self.jobs = jobs
      self.eventLine = eventLine
    }

    package static func == (a: Self, b: Self) -> Bool { a.rawValue == b.rawValue }
    package func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
  }
}

extension OutputSettings.Format {
  /// Every format, in the order `--format` lists them.
  package static let allCases: [Self] = [.text, .json, .ndjson]
  /// The format without `--format`.
  package static var standard: Self { .text }

  /// `--format`'s help, naming every format.
  package static var help: String {
    "Output format: \(Text.listed(allCases.map { "\($0.rawValue) (\($0 == standard ? "default" : $0.summary))" }))."
  }

  /// For people: ids, `key: value` lines, tables (with `-q`, less or nothing).
  package static let text = Self(
    "text", summary: "lines for people",
    result: { forms, presenter in
      if let text = forms.text() {
        presenter.stdout.write(forms.forPeople ? presenter.settings.forPeople(text) : text)
      }
      return forms.textError()
    },
    fieldValuesOneALine: true, fieldLine: oneLine,
    jobs: { forms, presenter in
      if let text = forms.text() { presenter.stdout.write(presenter.settings.forPeople(text)) }
    })

  /// The last answer verbatim; for several jobs, the array of their documents.
  package static let json = Self(
    "json", summary: "the last answer verbatim",
    result: { forms, presenter in
      presenter.stdout.write(forms.json())
      return nil
    },
    fieldValuesOneALine: false, fieldLine: { $0?.serialized() ?? "null" },
    jobs: { forms, presenter in array(forms, to: presenter.stdout) })

  /// One JSON object a line: a wait's events as they happen, then a `done` line per job.
  package static let ndjson = Self(
    "ndjson", summary: "one event per line",
    result: { forms, presenter in
      if let lines = forms.ndjson() { presenter.stdout.write(lines) }
      return nil
    },
    fieldValuesOneALine: false, fieldLine: oneLine,
    // Each job's `done` line went out as it ended.
    jobs: { _, _ in }, eventLine: NDJSON.line)

  /// A value on one line: a string as it came (control characters and newlines escaped), anything
  /// else as JSON; nothing for none.
  private static func oneLine(_ value: JSON?) -> String {
    value.map { Text.oneLine($0.displayText, limit: .max) } ?? ""
  }

  /// The documents of several jobs as one JSON array, written in pieces: as one string, 100,000
  /// documents were the wait's peak of memory (the text grown by doubling, then copied to add
  /// the newline).
  private static func array(_ forms: JobsForms, to stdout: TextSink) {
    var piece = "["
    for i in 0..<forms.count {
      if i > 0 { piece += "," }
      forms.document(i).write(to: &piece)
      if piece.utf8.count >= 1 << 16 {
        stdout.write(piece)
        piece = ""
      }
    }
    stdout.write(piece + "]\n")
  }
}

/// What happens while jobs are waited for, which a format may stream as lines on stdout.
package enum StreamedEvent {
  /// A poll's news: a state, a retry, a rate limit.
  case poll(PollEvent)
  /// A job ended, with the exit code its end has.
  case done(WaitOutcome, exitCode: Int32)
  /// A start failed once its request was out: a job may exist; the key resends it.
  case startUnconfirmed(idempotencyKey: String, reason: String)
}

/// The forms of the end of a wait for several jobs (`--field` lines are the format's `fieldLine`).
package struct JobsForms {
  let count: Int
  /// The last document of job `i` if it ended, else null; parsed again each time it is read, so
  /// the documents of 100,000 jobs are never all in memory at once.
  let document: (Int) -> JSON
  /// The summary table (nil with `-q`).
  let text: () -> String?
}

/// The `--format ndjson` lines (docs/behaviour.md "Output").
///
/// Every line has `time`, `job` (the reference as given, on every line), `event` and what the
/// event knows; a job's last line is `event: "done"` with `exit_code`, `error` (the message, when
/// the code is not 0) and the job's last answer under `document` (absent when none came).
enum NDJSON {
  static func line(_ event: StreamedEvent, job: String, time: Double) -> String {
    switch event {
    case .poll(let event): return Self.event(event, job: job, time: time)
    case .done(let outcome, let code): return done(job: job, outcome: outcome, exitCode: code, time: time)
    case .startUnconfirmed(let key, let reason):
      let members: [(key: String, value: JSON)] = [
        ("time", .string(HTTPDate.iso8601(time))), ("job", .string(job)),
        ("event", .string("start_unconfirmed")), ("idempotency_key", .string(key)), ("reason", .string(reason)),
      ]
      return JSON.object(members).serialized()
    }
  }

  static func event(_ event: PollEvent, job: String, time: Double) -> String {
    var members: [(key: String, value: JSON)] = [
      ("time", .string(HTTPDate.iso8601(time))), ("job", .string(job)),
    ]
    switch event {
    case .state(let s, let http):
      members.append(("event", .string("state")))
      members += fields(s)
      members.append(("http_status", .number(String(http))))
    case .retry(let reason, let delay, let failures):
      members += [
        ("event", .string("retry")), ("reason", .string(reason)), ("delay", number(delay)),
        ("failures", .number(String(failures))),
      ]
    case .rateLimited(let reason, let delay):
      members += [("event", .string("rate_limited")), ("reason", .string(reason)), ("delay", number(delay))]
    }
    return JSON.object(members).serialized()
  }

  static func done(job: String, outcome: WaitOutcome, exitCode: Int32, time: Double) -> String {
    var members: [(key: String, value: JSON)] = [
      ("time", .string(HTTPDate.iso8601(time))), ("job", .string(job)), ("event", .string("done")),
    ]
    if let s = outcome.snapshot { members += fields(s) }
    members.append(("exit_code", .number(String(exitCode))))
    if exitCode != 0 {
      // A code without a message (a signal, a job still running) still says why.
      let message = outcome.error?.message ?? JobctlError.Ending.meaning(of: exitCode)
      members.append(("error", message.map(JSON.string) ?? .null))
    }
    if let document = outcome.document { members.append(("document", document)) }
    // The result was fetched after the job completed (`final-url`): the last poll's answer too.
    if let url = outcome.resultURL {
      members.append(("result_url", .string(url)))
      members.append(("monitor", outcome.monitorBody.map(JSON.reparsed) ?? .null))
    }
    return JSON.object(members).serialized()
  }

  private static func fields(_ s: JobSnapshot) -> [(key: String, value: JSON)] {
    var members: [(key: String, value: JSON)] = [("state", .string(s.state.rawValue))]
    members.append(("status", s.rawStatus.map(JSON.string) ?? .null))
    members.append(("progress", s.progress.map(number) ?? .null))
    members.append(("stage", s.stage.map(JSON.string) ?? .null))
    if let phase = s.phase { members.append(("phase", .string(phase))) }
    return members
  }

  private static func number(_ d: Double) -> JSON {
    let rounded = (d * 1000).rounded() / 1000
    return .number(rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded))
  }
}
