/// `list`: one page of jobs, or every page with `--all` (README "Starting, cancelling, listing,
/// fetching output").
enum ListCommand {
  /// A page never followed twice, and never more than this many pages.
  static let maximumPages = 10_000

  static func run(_ invocation: Invocation, environment: [String: String], services: Services) throws(JobctlError)
    -> Int32
  {
    let context = try NetworkContext.make(invocation, environment: environment, services: services)
    let path = invocation.arguments.first ?? "/jobs"
    let start = try StartCommand.startURL(path, settings: context.settings)
    var query: [(String, String)] = []
    for (name, option) in [("page", OptionKey.page), ("limit", .limit)] {
      if let v = invocation.value(option) {
        guard let n = Int(v), n >= 1 else {
          throw .usage(
            "--\(option.spec.long) takes a whole number of at least 1, not '\(Text.oneLine(v, limit: 40))'")
        }
        query.append((name, String(n)))
      }
    }
    if let t = invocation.value(.type) { query.append(("type", t)) }
    for q in invocation.all(.query) {
      guard let eq = q.firstIndex(of: "="), eq != q.startIndex else {
        throw .usage("--query takes NAME=VALUE, not '\(Text.oneLine(q, limit: 60))'")
      }
      query.append((String(q[..<eq]), String(q[q.index(after: eq)...])))
    }
    // The list's own query before the base URL's (README "Addressing a job").
    var url =
      query.isEmpty
      ? start.url : try StartCommand.startURL(path + encode(query, after: path), settings: context.settings).url
    var jobs: [JSON] = []
    var seen: Set<String> = []
    while true {
      guard seen.insert(url).inserted, seen.count <= maximumPages else {
        throw .rejected("pagination loops back to \(Text.oneLine(url, limit: 200))")
      }
      let request = context.request(url: url, credentialHost: start.credentialHost)
      let answer: HTTPResponse
      switch context.send(request, subject: "the job list at \(start.label)", label: start.label, judgesGone: false) {
      case .failure(let error): throw error
      case .success(let response): answer = response
      }
      guard let document = try? JSON.parse(answer.body) else {
        throw .rejected("the job list at \(start.label) is not JSON")
      }
      let listPath = context.settings.shape.listPath
      guard let page = document.arrayValue ?? (listPath ?? defaultListPath)?.value(in: document)?.arrayValue else {
        throw .rejected(
          "the answer at \(start.label) holds no job list (\"\(listPath?.description ?? "jobs")\": [...] or an array)")
      }
      jobs += page
      // The next page as the server named it, even signed with an echoed secret.
      let source = answer.documentAsSent() ?? document
      guard invocation.has(.allPages),
        let next = try nextPage(source, answer: answer, current: url, query: query, label: start.label)
      else {
        break
      }
      url = next
    }
    return print(jobs, context: context)
  }

  /// Where a list answer holds its jobs when the shape does not say.
  static let defaultListPath = JSONPath("jobs")

  /// The largest page number taken from `pagination.nextPage`: beyond 2^53 a double is no longer
  /// a whole number for certain.
  static let maximumPageNumber: Double = 9_007_199_254_740_992

  /// The next page's URL from `pagination.nextPage`, else `Link: rel="next"`; nil on the last.
  ///
  /// `nextPage` is a page number (a JSON number or a string of decimal digits, put into
  /// `page=`), a URL or a path (`http(s)://...`, `/...`, `?...`, resolved against the current
  /// page), or any other string, a cursor sent back as `cursor=`. `null`, `false` and `""` mean
  /// the last page. Anything else (`true`, an object, a list, `-1`, `2.5`, `1e1`, `"0x10"`) is
  /// refused (exit 6), naming it: a page guessed wrong would print the wrong jobs as all of them.
  static func nextPage(
    _ document: JSON, answer: HTTPResponse, current: String, query: [(String, String)], label: String
  ) throws(JobctlError) -> String? {
    if let next = document["pagination"]?["nextPage"] {
      func refuse() -> JobctlError {
        .rejected(
          "the job list at \(label) gives pagination.nextPage \(Text.oneLine(next.serialized(), limit: 60)), "
            + "which is neither a page number (decimal digits), a URL or path, nor a cursor")
      }
      // The current URL's other query values stay (a base URL's `api-version`).
      func with(_ name: String, _ value: String) -> String {
        let (base, currentQuery) = URLParts.splitQuery(current)
        let kept = (currentQuery ?? "").split(separator: "&").filter {
          !$0.hasPrefix("page=") && $0 != "page" && !$0.hasPrefix("cursor=") && $0 != "cursor"
        }
        return base + "?" + (["\(name)=\(value)"] + kept.map(String.init)).joined(separator: "&")
      }
      func pageNumber(_ digits: String) throws(JobctlError) -> String {
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Double(digits),
          n <= maximumPageNumber
        else { throw refuse() }
        return with("page", String(Int(n)))
      }
      switch next {
      case .null, .bool(false): return nil
      case .number(let text):
        // `3.0` is page 3; an exponent (`1e1`) or a sign (`-1`) is not decimal digits.
        var digits = Substring(text)
        if let dot = digits.firstIndex(of: "."), digits[digits.index(after: dot)...].allSatisfy({ $0 == "0" }) {
          digits = digits[..<dot]
        }
        return try pageNumber(String(digits))
      case .string(let text):
        if text.isEmpty { return nil }
        if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return try pageNumber(text) }
        if Self.looksNumeric(text) { throw refuse() }
        let lower = Text.lowercased(text)
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return text }
        if text.hasPrefix("/") || text.hasPrefix("?") {
          guard URLParts(current) != nil else { throw refuse() }
          return URLParts.resolving(text, against: current)
        }
        if Text.hasControlCharacters(text) || text.unicodeScalars.contains(" ") { throw refuse() }
        return with("cursor", PercentEncoding.component(text))
      default: throw refuse()
      }
    }
    guard let link = answer.header("Link") else { return nil }
    for part in link.split(separator: ",") {
      let pieces = part.split(separator: ";").map { Text.trimmed($0) }
      guard let first = pieces.first, first.hasPrefix("<"), first.hasSuffix(">"),
        pieces.dropFirst().contains(where: {
          Text.lowercased(String($0)).replacingOccurrences(of: " ", with: "") == "rel=\"next\""
            || Text.lowercased(String($0)) == "rel=next"
        })
      else { continue }
      let target = String(first.dropFirst().dropLast())
      let lower = Text.lowercased(target)
      if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return target }
      guard URLParts(current) != nil, !target.isEmpty else { return nil }
      return URLParts.resolving(target, against: current)
    }
    return nil
  }

  /// A string that reads as a number but not as decimal digits (`-1`, `2.5`, `1e1`, `0x10`,
  /// `+3`, `nan`): no page number, and too like one to be taken for a cursor.
  static func looksNumeric(_ text: String) -> Bool {
    let lower = Text.lowercased(text)
    if ["nan", "inf", "infinity", "-inf", "+inf", "-infinity", "+infinity"].contains(lower) { return true }
    var body = Substring(lower)
    if body.hasPrefix("-") || body.hasPrefix("+") { body = body.dropFirst() }
    if body.hasPrefix("0x") {
      return body.count > 2 && body.dropFirst(2).allSatisfy { $0.isHexDigit }
    }
    guard let first = body.first, first.isNumber || first == "." else { return false }
    return Double(String(body)) != nil
  }

  static func encode(_ query: [(String, String)], after url: String) -> String {
    guard !query.isEmpty else { return "" }
    let joined = query.map { "\(PercentEncoding.component($0.0))=\(PercentEncoding.component($0.1))" }.joined(
      separator: "&")
    return (url.contains("?") ? "&" : "?") + joined
  }

  static func print(_ jobs: [JSON], context: NetworkContext) -> Int32 {
    let output = context.settings.output
    let stdout = context.services.streams.stdout
    let array = JSON.array(jobs)
    if let field = output.field {
      guard let value = field.value(in: array) else {
        context.diagnostics.error("the job list has no field '\(field)'\(field.whatIsThere(in: array))")
        return JobctlError.Ending.rejected.code
      }
      // Through a `*`, one value a line (raw, as one job's --field prints it); --json keeps the array.
      if field.isMultiple, output.format == .text, case .array(let items) = value {
        for item in items { stdout.write(Renderer.fieldText(item, on: stdout) + "\n") }
      } else {
        stdout.write(Renderer.fieldText(value, on: stdout) + "\n")
      }
      return 0
    }
    // -q: the ids only, one a line, ready for `jobctl wait -`.
    if output.quiet && output.format == .text {
      var missing = 0
      for job in jobs {
        let answer = JobAnswer(document: job)
        let id = context.settings.shape.idPaths.lazy.compactMap { $0.first(answer)?.displayText }.first { $0 != "" }
        if let id { stdout.write(Text.oneLine(id) + "\n") } else { missing += 1 }
      }
      if missing > 0 {
        context.diagnostics.error("\(missing) of \(jobs.count) jobs in the list have no id (id-path)")
        return JobctlError.Ending.rejected.code
      }
      return 0
    }
    switch output.format {
    case .json:
      stdout.write(array.serialized() + "\n")
    case .ndjson:
      for job in jobs { stdout.write(job.serialized() + "\n") }
    case .text:
      stdout.write(context.settings.output.forPeople(table(jobs, context: context)))
    }
    return 0
  }

  /// The text form: an aligned table of id, type, status and progress.
  static func table(_ jobs: [JSON], context: NetworkContext) -> String {
    var rows = [["ID", "TYPE", "STATUS", "PROGRESS"]]
    for job in jobs {
      let answer = JobAnswer(document: job)
      let id = context.settings.shape.idPaths.lazy.compactMap { $0.first(answer)?.displayText }.first ?? "-"
      let type = ["type", "kind"].lazy.compactMap { job[$0]?.displayText }.first ?? "-"
      let status =
        (context.settings.shape.statusPath?.first(answer) ?? job["status"]).map { $0.displayText } ?? "-"
      rows.append(
        [id, type, status, progressText(job, dialect: context.settings.dialect)].map { Text.oneLine($0, limit: 80) })
    }
    let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
      let cells = row.enumerated().map { i, cell in
        i == 3 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
      }
      return cells.joined(separator: "  ") + "\n"
    }.joined()
  }

  /// Progress as a percentage: by the shape's progress path when it has one; otherwise a
  /// `progress` up to 1 is a fraction and a larger one a percentage.
  static func progressText(_ job: JSON, dialect: Dialect?) -> String {
    if let expression = dialect?.progress {
      let (fraction, phase) = expression.evaluate(JobAnswer(document: job))
      return fraction.map(Text.percent) ?? phase ?? "-"
    }
    guard let value = job["progress"]?.doubleValue, value.isFinite, value >= 0 else {
      return job["progress"]?.stringValue ?? "-"
    }
    return Text.percent(value <= 1 ? value : min(value / 100, 1))
  }
}
