import JobctlSupport

/// A response shape as the keys of docs/shapes.md "Any job API" describe it: what a
/// `[dialect NAME]` section of the config file, the shape flags and `jobctl help dialects` all
/// speak.
///
/// Built-in and named shapes are descriptions too (`Dialects.swift`), so there is one mechanism.
package struct ShapeDescription: Sendable {
  /// One key with its values (repeatable keys may have several) and where it was written.
  package struct Entry: Sendable, Equatable {
    package let key: String
    package let values: [String]
    package let origin: String

    package init(_ key: String, _ values: [String], origin: String = "") {
      self.key = key
      self.values = values
      self.origin = origin
    }
  }

  /// Every key, in the order `help dialects` prints them.
  package static let keys = [
    "completed-when", "failed-when", "canceled-when", "pending-when", "running-when", "warn-when", "status-path",
    "progress-path", "stage-path", "message-path", "updated-path", "id-path", "url-path", "jobs-path", "list-path",
    "poll", "poll-data", "poll-header", "cancel", "cancel-data", "cancel-header", "start-header", "output-url",
    "output-path", "idempotent-start", "shape-header", "retry-when", "gone-when", "aws-sigv4", "final-url",
    "start-completed-when", "start-failed-when", "start-canceled-when", "cancel-accepted-when",
    "cancel-refused-when",
  ]

  /// Keys that decide a state: a description with any of them is a shape of its own.
  package static let conditionKeys: Set<String> = [
    "completed-when", "failed-when", "canceled-when", "pending-when", "running-when",
  ]

  package var name: String
  package private(set) var entries: [Entry]

  package init(name: String, _ entries: [Entry]) {
    self.name = name
    self.entries = entries
  }

  package func values(_ key: String) -> [String]? { entries.first(where: { $0.key == key })?.values }

  func entry(_ key: String) -> Entry? { entries.first(where: { $0.key == key }) }

  /// This description with `layer`'s keys in place of its own, key by key: a key given again
  /// replaces that key's whole list.
  package func overlaid(with layer: ShapeDescription) -> ShapeDescription {
    var merged = self
    for entry in layer.entries {
      if let i = merged.entries.firstIndex(where: { $0.key == entry.key }) {
        merged.entries[i] = entry
      } else {
        merged.entries.append(entry)
      }
    }
    return merged
  }

  /// Whether it decides states itself (any `*-when` key).
  package var hasConditions: Bool { entries.contains { Self.conditionKeys.contains($0.key) } }

  /// `key = value` lines, one a value, as a config file section takes them.
  package var configText: String {
    var s = ""
    for key in Self.keys {
      for value in values(key) ?? [] { s += "\(key) = \(value)\n" }
    }
    return s
  }
}

/// How `cancel` asks: a method and a URL template, or nothing where the API has no cancel.
package struct CancelRequest: Sendable, Equatable {
  package let method: String
  package let template: URLTemplate
  /// `cancel-data`: the cancel's body (none by default).
  package var body: URLTemplate?
  /// `cancel-header`: headers the cancel alone carries.
  package var headers: [HeaderTemplate] = []
}

/// A header one kind of request carries (`poll-header`, `start-header`, `cancel-header`), its
/// value a template expanded as text.
package struct HeaderTemplate: Sendable, Equatable {
  package let name: String
  package let value: URLTemplate
}

/// How a job is polled when the shape says other than `GET {url}` (`poll`, `poll-data`,
/// `poll-header`): JSON-protocol APIs ask with a POST and a body naming the job.
package struct PollRequest: Sendable, Equatable {
  package let method: String
  package let url: URLTemplate
  package let body: URLTemplate?
  package let headers: [HeaderTemplate]

  /// Whether it reads a `{.PATH}` (of the start answer).
  package var readsDocument: Bool {
    url.readsDocument || body?.readsDocument == true || headers.contains { $0.value.readsDocument }
  }
}

/// Where the final result of a completed job is fetched (`final-url`): only after a start sent
/// with one of `methods` when they are given (`PUT,PATCH {start-url}`).
package struct FinalURL: Sendable, Equatable {
  /// nil: after any start, and for a wait that had none.
  package let methods: [String]?
  package let template: URLTemplate

  /// Parses `[METHOD[,METHOD...] ]TEMPLATE`.
  init(parsing text: String) throws(ShapeSyntaxError) {
    let trimmed = Text.trimmed(Substring(text))
    var rest = trimmed
    var methods: [String]?
    if let space = trimmed.firstIndex(of: " ") {
      let words = trimmed[..<space].split(separator: ",", omittingEmptySubsequences: false)
      let capitals = words.allSatisfy { w in !w.isEmpty && w.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) } }
      if capitals {
        methods = words.map(String.init)
        rest = Text.trimmed(trimmed[space...])
      } else if !trimmed.hasPrefix("{") && !trimmed.hasPrefix("/") && !trimmed.contains("://") {
        throw ShapeSyntaxError(
          "'\(Text.oneLine(String(trimmed), limit: 60))' takes [METHOD[,METHOD...] ]TEMPLATE, methods in capitals")
      }
    }
    self.methods = methods
    template = try URLTemplate(parsing: String(rest), allowing: [.url, .value, .start])
  }

  /// Whether it applies to a wait that began with `start` (nil: none, a wait given a JOB).
  func applies(to start: StartRecord?) -> Bool {
    guard let methods else { return true }
    guard let start else { return false }
    return methods.contains(start.method)
  }
}

/// What a shape makes of one answer.
package enum Judgement: Sendable, Equatable {
  /// A job document: its state, and the condition that decided it (`failed: conclusion=failure`).
  case state(JobSnapshot, decidedBy: Decision)
  /// Fits none of the shape's conditions, and cannot be taken as running: why, for exit 6.
  case notUnderstood(String)
}

/// The condition that decided a document's state, shown as `failed: conclusion=failure` by
/// `explain` and `-v`.
///
/// Kept as the condition itself and written out only where it is shown: a text made at every poll
/// of every job cost instructions, and memory in each job's last snapshot.
package struct Decision: Sendable, Equatable, CustomStringConvertible {
  package let state: JobState
  /// nil: no condition held, and the shape takes that as running.
  package let condition: Condition?
  /// Why a failure condition held on a value it could not compare (`Condition.doubt`), or nil.
  package let doubt: String?

  package init(state: JobState, condition: Condition?, doubt: String? = nil) {
    self.state = state
    self.condition = condition
    self.doubt = doubt
  }

  /// Judged by `condition` in `answer`: a failure condition holds on a doubtful comparison.
  init?(state: JobState, conditions: [Condition], answer: JobAnswer, documentOnly: Bool = false) {
    let failure = state == .failed
    guard
      let condition = conditions.first(where: {
        (!documentOnly || !$0.readsDocument) && $0.holds(answer, doubtfulHolds: failure)
      })
    else { return nil }
    let doubt = failure && !condition.holds(answer) ? condition.doubt(answer) : nil
    self.init(state: state, condition: condition, doubt: doubt)
  }

  package var description: String {
    "\(state.rawValue): " + (condition?.description ?? "no condition holds") + (doubt.map { " (\($0))" } ?? "")
  }
}

/// One response shape, parsed from its description and checked: every condition, path, expression
/// and template read once, before anything is sent.
///
/// The engine reads only what this holds; it never asks for a shape's name. A class, since it
/// never changes once checked: every job of a 100,000-job wait shares one instead of carrying a
/// copy in its watch and its outcome (see docs/performance.md).
package final class Dialect: Sendable {
  package let name: String
  package let shape: ShapeDescription
  package let canceledWhen: [Condition]
  package let failedWhen: [Condition]
  package let completedWhen: [Condition]
  package let pendingWhen: [Condition]
  package let runningWhen: [Condition]
  package let warnWhen: [Condition]
  package let statusPath: Operand?
  package let progress: ProgressExpression?
  package let stagePaths: [Operand]
  package let messagePaths: [JSONPath]
  package let updatedPath: Operand?
  package let idPaths: [Operand]
  package let urlPaths: [Operand]
  /// For each of `urlPaths`, the shape that polls a URL found there when it is not this one
  /// (`@header:Location as http-202`: Azure's `Location` answers 202 until done, then the result).
  package let urlPathShapes: [String?]
  package let jobsPath: URLTemplate
  package let listPath: JSONPath?
  /// nil where the API has no cancel.
  package let cancel: CancelRequest?
  package let outputURL: URLTemplate?
  /// Where a JSON output answer holds the output itself (Ray's `{"logs": "..."}`); nil: the
  /// answer is the output.
  package let outputPath: JSONPath?
  package let idempotentStart: Bool
  /// Where a completed job's final result is fetched, the first that can be built winning.
  package let finalURLs: [FinalURL]
  /// What a start answer that names no job says by itself (Azure's 201 with a terminal
  /// `provisioningState`), tried before the shape's own conditions: canceled, failed, completed.
  package let startConditions: [(JobState, [Condition])]
  /// `Name: value` lines every request of this shape carries (parsed with the other headers).
  package let shapeHeaders: [ShapeDescription.Entry]
  /// How every request is signed: curl's `--aws-sigv4` text, `aws:amz:REGION:SERVICE`; nil for
  /// none.
  package let awsSigV4: String?
  /// How a job is polled; nil: `GET {url}` with the run's headers alone.
  package let poll: PollRequest?
  /// `start-header`: headers the start request alone carries.
  package let startHeaders: [HeaderTemplate]
  /// `retry-when` and `gone-when`: what a non-2xx answer means before the HTTP rules judge it.
  package let answerRules: AnswerRules
  /// `cancel-accepted-when` and `cancel-refused-when`: how a cancel's answer is judged before the
  /// general rules (docs/behaviour.md "Starting, cancelling, listing, fetching output").
  package let cancelAccepted: [Condition]
  package let cancelRefused: [Condition]
  /// HTTP statuses a condition names: answered, not judged by the HTTP rules.
  package let namedStatuses: Set<Int>
  /// Whether a condition reads the document; when none does, any body (JSON or not) is the result.
  package let readsDocument: Bool
  /// Whether judging an answer reads its body alone (no `@http`, no `@header:` anywhere a
  /// condition or a snapshot looks): then the same bytes always read the same.
  package let readsBodyOnly: Bool
  /// For `auto`: the document looks like this shape when any of these holds.
  let detection: [Condition]
  package let detectionText: [String]
  /// Top-level members text output shows as the job's result.
  package let resultKeys: [String]
  /// The conditions in the order they are tried (docs/shapes.md "Any job API").
  let orderedConditions: [(JobState, [Condition])]

  /// What every description has unless it says otherwise (docs/shapes.md "Any job API" and
  /// docs/behaviour.md "Starting, cancelling, listing, fetching output").
  package static let defaults = ShapeDescription(
    name: "defaults",
    [
      .init("id-path", ["jobId", "job", "id"]),
      .init(
        "url-path",
        [
          "locationUrl", "job_url", "@header:Azure-AsyncOperation", "@header:Operation-Location", "@header:Location",
        ]),
      .init("jobs-path", ["/jobs/{id}"]),
      .init("cancel", ["POST {url}/cancel"]),
      .init("output-url", ["none"]),
      .init("idempotent-start", ["false"]),
    ])

  /// Parses and checks `description` (over the defaults); a bad piece is a usage error naming it.
  package init(_ description: ShapeDescription, detection: [String] = [], resultKeys: [String] = [])
    throws(JobctlError)
  {
    let r = ShapeReader(description)
    name = description.name
    shape = description
    canceledWhen = try r.conditions("canceled-when")
    failedWhen = try r.conditions("failed-when")
    completedWhen = try r.conditions("completed-when")
    pendingWhen = try r.conditions("pending-when")
    runningWhen = try r.conditions("running-when")
    warnWhen = try r.conditions("warn-when")
    statusPath = try r.statusPath(completedWhen: completedWhen)
    progress = try r.progress()
    stagePaths = try r.operands("stage-path")
    messagePaths = try r.messagePaths()
    updatedPath = try r.updatedPath()
    idPaths = try r.idPaths()
    let urls = try r.urlPaths()
    urlPaths = urls.map(\.0)
    urlPathShapes = urls.map(\.1)
    jobsPath = try r.jobsPath()
    listPath = try r.jsonPath("list-path")
    cancel = try r.cancel()
    poll = try r.poll()
    startHeaders = try r.headerTemplates("start-header", [])
    answerRules = AnswerRules(retryWhen: try r.conditions("retry-when"), goneWhen: try r.conditions("gone-when"))
    cancelAccepted = try r.conditions("cancel-accepted-when")
    cancelRefused = try r.conditions("cancel-refused-when")
    outputURL = try r.outputURL()
    outputPath = try r.jsonPath("output-path")
    idempotentStart = try r.idempotentStart()
    awsSigV4 = try r.awsSigV4()
    finalURLs = try r.finalURLs()
    startConditions = [
      (.canceled, try r.conditions("start-canceled-when")), (.failed, try r.conditions("start-failed-when")),
      (.completed, try r.conditions("start-completed-when")),
    ]
    shapeHeaders = r.shapeHeaders()
    self.detection = try r.conditions("detection", detection)
    detectionText = detection
    self.resultKeys = resultKeys
    orderedConditions = [
      (.canceled, canceledWhen), (.failed, failedWhen), (.completed, completedWhen), (.pending, pendingWhen),
      (.running, runningWhen),
    ]
    let all = canceledWhen + failedWhen + completedWhen + pendingWhen + runningWhen
    namedStatuses = Self.namedStatuses(all)
    readsDocument = all.isEmpty || all.flatMap(\.terms).contains { $0.operand.readsDocument }
    var read = (all + warnWhen).flatMap(\.terms).map(\.operand) + stagePaths + idPaths
    read += [statusPath, updatedPath, progress?.value].compactMap { $0 }
    if case .operand(let divisor)? = progress?.divisor { read.append(divisor) }
    readsBodyOnly = read.allSatisfy(\.readsDocument)
  }

  /// The HTTP statuses that `conditions` compare `@http` with: answered, not judged by the HTTP
  /// rules.
  static func namedStatuses(_ conditions: [Condition]) -> Set<Int> {
    var statuses = Set<Int>()
    for term in conditions.flatMap(\.terms) where term.operand == .http && (term.op == .equal || term.op == .notEqual) {
      for value in term.values { if let n = value.number, let code = Int(exactly: n) { statuses.insert(code) } }
    }
    return statuses
  }

  /// Parses `PATH` or `PATH as SHAPE`, SHAPE being a built-in or named shape.
  static func parseURLPath(_ text: String) throws(ShapeSyntaxError) -> (Operand, String?) {
    let words = text.split(separator: " ", omittingEmptySubsequences: true)
    guard words.count >= 3, words[words.count - 2] == "as", let shape = words.last else {
      return (try Operand.parse(Substring(text)), nil)
    }
    guard Dialects.describedNames.contains(String(shape)) else {
      throw ShapeSyntaxError(
        "'\(Text.oneLine(text, limit: 60))': \(Text.oneLine(String(shape), limit: 40)) is no built-in or named shape (\(Dialects.describedNames.joined(separator: ", ")))"
      )
    }
    return (try Operand.parse(Substring(words.dropLast(2).joined(separator: " "))), String(shape))
  }

  /// Where a start answer names its job's poll URL: the first of `urlPaths` present, with the
  /// shape that polls it when that is not this one.
  package func pollURL(_ answer: JobAnswer) -> (url: String, shape: Dialect?)? {
    for (operand, shape) in zip(urlPaths, urlPathShapes) {
      guard let value = operand.first(answer)?.stringValue, !value.isEmpty else { continue }
      return (value, shape.flatMap(Dialects.named))
    }
    return nil
  }

  /// What a start answer that names no job says by the `start-*-when` conditions, or nil.
  package func judgeStart(_ answer: JobAnswer) -> Judgement? {
    for (state, conditions) in startConditions {
      if let decision = Decision(state: state, conditions: conditions, answer: answer) {
        return .state(snapshot(state, answer), decidedBy: decision)
      }
    }
    return nil
  }

  /// Where a completed job's final result is, by the first `final-url` that applies and can be
  /// built; nil when none can (then the last answer polled is the result).
  ///
  /// A relative result is resolved against the start's URL when the template reads the start,
  /// else against the job's poll URL.
  package func finalURL(start: StartRecord?, pollURL: String, document: JSON?) -> (url: String, rule: FinalURL)? {
    for rule in finalURLs where rule.applies(to: start) {
      guard let built = try? rule.template.expand(url: pollURL, document: document, start: start), !built.isEmpty
      else { continue }
      let base =
        rule.template.readsStart ? (start.map { $0.answer.url.isEmpty ? $0.url : $0.answer.url } ?? pollURL) : pollURL
      let lower = Text.lowercased(built)
      if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return (built, rule) }
      guard URLParts(base) != nil else { continue }
      return (URLParts.resolving(built, against: base), rule)
    }
    return nil
  }

  /// Judges one answer by the shape's conditions.
  ///
  /// The first condition that holds, in the order canceled, failed, completed, pending, running,
  /// decides. A document that fits none is running only when the shape has no
  /// pending or running condition and names a path the document holds; otherwise it is not
  /// understood, so a status nobody foresaw never waits forever, nor counts as success.
  package func judge(_ answer: JobAnswer) -> Judgement {
    var decided: Decision?
    for (state, conditions) in orderedConditions {
      if let decision = Decision(state: state, conditions: conditions, answer: answer) {
        decided = decision
        break
      }
    }
    if decided == nil {
      let operands = orderedConditions.flatMap { $0.1 }.flatMap(\.terms).map(\.operand)
      let anyPresent = operands.contains { !$0.values(answer).isEmpty }
      guard pendingWhen.isEmpty, runningWhen.isEmpty, anyPresent, !operands.isEmpty else {
        return .notUnderstood(unknownText(answer))
      }
      decided = Decision(state: .running, condition: nil)
    }
    guard let decided else { return .notUnderstood(unknownText(answer)) }
    return .state(snapshot(decided.state, answer), decidedBy: decided)
  }

  /// Judges an answer whose body is no JSON: only a condition that reads nothing but the status
  /// and headers can hold (`@http=202` of a `Location` poll); nil when none does.
  package func judgeWithoutDocument(_ answer: JobAnswer) -> Judgement? {
    for (state, conditions) in orderedConditions {
      if let decision = Decision(state: state, conditions: conditions, answer: answer, documentOnly: true) {
        return .state(snapshot(state, answer), decidedBy: decision)
      }
    }
    return nil
  }

  /// What a document says beyond its state: status, progress, stage, update time, id, messages.
  private func snapshot(_ state: JobState, _ answer: JobAnswer) -> JobSnapshot {
    var s = JobSnapshot(state: state)
    if let value = statusPath?.first(answer), case .string(let text) = value { s.rawStatus = text }
    if let progress {
      let (fraction, phase) = progress.evaluate(answer)
      s.progress = fraction
      s.phase = phase.map(Messages.clean)
    }
    s.stage = stagePaths.lazy.compactMap { $0.first(answer)?.stringValue }.first
    if let value = updatedPath?.first(answer) { s.updatedAt = Self.updateTime(value) }
    s.id =
      idPaths.lazy.compactMap { operand -> String? in
        guard let value = operand.first(answer), value.stringValue != "" else { return nil }
        return value.displayText
      }.first
    // Messages are read only where they are shown: not at every poll of a running job.
    switch state {
    case .failed, .canceled:
      let messages = self.messages(answer)
      s.error = messages.isEmpty ? nil : Messages.joined(messages)
    case .completed:
      if warnWhen.isEmpty {
        s.warnings = messages(answer)
      } else if let held = warnWhen.first(where: { $0.holds(answer) }) {
        // A warning that holds always shows: its messages, or what the condition read.
        let found = messages(answer)
        s.warnings = found.isEmpty ? [held.reading(answer)] : found
      }
    case .pending, .running:
      break
    }
    return s
  }

  /// An update time as APIs write it: a UNIX time (a number, or a string holding one) or an
  /// RFC 3339 time (`2026-12-01T20:00:00.5Z`, read as `--until` reads it).
  ///
  /// `1e400`, "nan" or any other text is no time: without one, staleness is judged by what the
  /// job shows.
  static func updateTime(_ value: JSON) -> Double? {
    var time = value.doubleValue
    if time == nil, let text = value.stringValue {
      // `@UNIXTIME` is --until's own spelling, not a document's.
      time = Double(text) ?? (text.hasPrefix("@") ? nil : Instant.parse(text))
    }
    return time.flatMap { $0.isFinite ? $0 : nil }
  }

  /// The messages at the shape's message paths (each item of a list), or by the general rules
  /// when it names none.
  func messages(_ answer: JobAnswer) -> [String] {
    guard let document = answer.document else { return [] }
    guard !messagePaths.isEmpty else { return Messages.all(in: document) }
    var found: [String] = []
    for path in messagePaths {
      for value in path.values(in: document) {
        for item in value.arrayValue ?? [value] {
          if let text = Messages.describe(item, code: nil), !text.isEmpty {
            // The same words at two paths (Athena's reason and its error) are one message.
            if !found.contains(text) { found.append(text) }
          } else if item.isScalarNumberOrBool {
            // A number or boolean says little alone: named by its path (Slurm's `jobs.0.exit_code=768`).
            found.append("\(Text.oneLine(path.description, limit: 80))=\(item.displayText)")
          }
        }
      }
    }
    return found
  }

  /// `keys: a, b; status "x"`: what a document that fits no condition holds.
  func unknownText(_ answer: JobAnswer) -> String {
    guard let document = answer.document else { return "an answer with no JSON body" }
    guard case .object(let members) = document else { return "JSON, but not an object" }
    var seen = Set<String>()
    let keys = members.map(\.key).filter { seen.insert($0).inserted }.prefix(12).map { Text.oneLine($0, limit: 40) }
    var text = keys.isEmpty ? "an empty object" : "keys " + keys.joined(separator: ", ")
    if let status = statusPath ?? JSONPath("status").map(Operand.path), let value = status.first(answer) {
      text += "; \(status) \(Text.oneLine(value.serialized(), limit: 60))"
    }
    return text
  }

  /// Reads a job document on its own, or nil when it is not one this shape understands.
  package func read(_ document: JSON) -> JobSnapshot? {
    guard document.isObject, case .state(let snapshot, _) = judge(JobAnswer(document: document)) else { return nil }
    return snapshot
  }

  /// Whether `document` carries this shape's markers, for `auto`.
  package func matches(_ document: JSON) -> Bool {
    let answer = JobAnswer(document: document)
    return detection.contains { $0.holds(answer) }
  }

  /// Why `text` is not curl's `--aws-sigv4` value, `PROVIDER1[:PROVIDER2[:REGION[:SERVICE]]]`
  /// (nil when it is): one to four parts, the providers letters and digits, the region and
  /// service also `-`, `_` and `.`, none empty or over 64 bytes, as libcurl takes them.
  static func sigV4Problem(_ text: String) -> String? {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    let shown = "'\(Text.oneLine(text, limit: 80))'"
    guard (1...4).contains(parts.count) else {
      return "takes PROVIDER1[:PROVIDER2[:REGION[:SERVICE]]] such as aws:amz:us-east-1:states, not \(shown)"
    }
    for (i, part) in parts.enumerated() {
      let allowed = part.utf8.allSatisfy {
        ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A)
          || (i >= 2 && ($0 == 0x2D || $0 == 0x5F || $0 == 0x2E))
      }
      guard !part.isEmpty, part.utf8.count <= 64, allowed else {
        let what = ["the first provider", "the second provider", "the region", "the service"][i]
        return
          "\(what) in \(shown) must be 1 to 64 letters or digits\(i >= 2 ? " (or - _ .)" : ""): such as aws:amz:us-east-1:states"
      }
    }
    return nil
  }
}
