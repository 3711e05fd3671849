import JobctlSupport

/// Reads the keys of one shape description over the defaults, each piece checked as it is read:
/// what `Dialect.init` is made of.
///
/// A bad piece is a usage error naming the key, and where it was written when that is known (a
/// flag, a config file line).
struct ShapeReader {
  /// The description's own name, for messages.
  let name: String
  /// The description over `Dialect.defaults`.
  let d: ShapeDescription

  init(_ description: ShapeDescription) {
    name = description.name
    d = Dialect.defaults.overlaid(with: description)
  }

  package func fail(_ key: String, _ error: ShapeSyntaxError) -> JobctlError {
    .usage(.badShapeKey(origin: d.entry(key)?.origin ?? "", key: key, shape: name, problem: error.message))
  }

  /// Each of `texts` (by default the key's values) parsed by `parse`, a failure blamed on `key`.
  func each<T>(_ key: String, _ texts: [String]? = nil, _ parse: (String) throws(ShapeSyntaxError) -> T)
    throws(JobctlError) -> [T]
  {
    var list: [T] = []
    for text in texts ?? d.values(key) ?? [] {
      do throws(ShapeSyntaxError) {
        list.append(try parse(text))
      } catch {
        throw fail(key, error)
      }
    }
    return list
  }

  func conditions(_ key: String, _ texts: [String]? = nil) throws(JobctlError) -> [Condition] {
    try each(key, texts) { text throws(ShapeSyntaxError) in try Condition(parsing: text) }
  }

  func operands(_ key: String) throws(JobctlError) -> [Operand] {
    try each(key) { text throws(ShapeSyntaxError) in try Operand.parse(Substring(text)) }
  }

  /// The key's one value; nil when it is not given.
  func single(_ key: String) throws(JobctlError) -> String? {
    guard let values = d.values(key) else { return nil }
    guard values.count == 1 else { throw fail(key, ShapeSyntaxError("takes one value, not \(values.count)")) }
    return values[0]
  }

  func template(_ key: String, _ text: String, _ allowed: Set<URLTemplate.Variable>, literalBraces: Bool = false)
    throws(JobctlError) -> URLTemplate
  {
    do throws(ShapeSyntaxError) {
      return try URLTemplate(parsing: text, allowing: allowed, literalBraces: literalBraces)
    } catch {
      throw fail(key, error)
    }
  }

  /// `[METHOD ]TEMPLATE`, METHOD `fallback` when not given.
  func requestLine(_ key: String, _ text: String, fallback: String) throws(JobctlError) -> (String, URLTemplate) {
    var method = fallback
    var rest = Substring(text)
    if let space = text.firstIndex(of: " ") {
      method = String(text[..<space])
      rest = Text.trimmed(text[space...])
      guard !method.isEmpty, method.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) else {
        throw fail(key, ShapeSyntaxError("'\(Text.oneLine(method, limit: 40))' is no HTTP method in capitals"))
      }
    }
    guard !rest.isEmpty else { throw fail(key, ShapeSyntaxError("'\(Text.oneLine(text, limit: 80))' names no URL")) }
    return (method, try template(key, String(rest), [.id, .url, .value]))
  }

  /// `Name: value` lines, each value a template.
  func headerTemplates(_ key: String, _ allowed: Set<URLTemplate.Variable>) throws(JobctlError) -> [HeaderTemplate] {
    var list: [HeaderTemplate] = []
    for text in d.values(key) ?? [] {
      guard !text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }),
        let (name, rest) = Text.splitHeader(Substring(text)), Text.isHeaderName(name)
      else {
        throw fail(key, ShapeSyntaxError("takes 'Name: value' on one line, not '\(Text.oneLine(text, limit: 80))'"))
      }
      list.append(HeaderTemplate(name: String(name), value: try template(key, String(Text.trimmed(rest)), allowed)))
    }
    return list
  }

  func bodyTemplate(_ key: String) throws(JobctlError) -> URLTemplate? {
    guard let text = try single(key) else { return nil }
    return try template(key, text, [.id, .url, .value], literalBraces: true)
  }

  /// A key that takes one JSON path (`list-path`, `output-path`).
  func jsonPath(_ key: String) throws(JobctlError) -> JSONPath? {
    guard let text = try single(key) else { return nil }
    guard let path = JSONPath(text) else {
      throw fail(key, ShapeSyntaxError("'\(Text.oneLine(text, limit: 60))' is not a path"))
    }
    return path
  }

  // MARK: The keys that take more than a list

  /// `status-path`, else what the first completed condition reads.
  func statusPath(completedWhen: [Condition]) throws(JobctlError) -> Operand? {
    guard try single("status-path") != nil else { return completedWhen.first?.terms.first?.operand }
    return try operands("status-path").first
  }

  func progress() throws(JobctlError) -> ProgressExpression? {
    guard let text = try single("progress-path") else { return nil }
    do throws(ShapeSyntaxError) {
      return try ProgressExpression(parsing: text)
    } catch {
      throw fail("progress-path", error)
    }
  }

  func messagePaths() throws(JobctlError) -> [JSONPath] {
    var messages: [JSONPath] = []
    for operand in try operands("message-path") {
      guard case .path(let path) = operand else {
        throw fail("message-path", ShapeSyntaxError("reads the document only, not \(operand)"))
      }
      messages.append(path)
    }
    return messages
  }

  func updatedPath() throws(JobctlError) -> Operand? {
    guard try single("updated-path") != nil else { return nil }
    return try operands("updated-path").first
  }

  /// `none`: the API names no id (or URL) in its start answers.
  func idPaths() throws(JobctlError) -> [Operand] {
    d.values("id-path") == ["none"] ? [] : try operands("id-path")
  }

  /// Where a start answer names the job's URL, each with the shape that polls it (nil: this one).
  func urlPaths() throws(JobctlError) -> [(Operand, String?)] {
    try each("url-path", d.values("url-path") == ["none"] ? [] : nil) { text throws(ShapeSyntaxError) in
      try Dialect.parseURLPath(text)
    }
  }

  func jobsPath() throws(JobctlError) -> URLTemplate {
    let jobs = try template("jobs-path", try single("jobs-path") ?? "/jobs/{id}", [.id])
    guard jobs.usesID else {
      throw fail(
        "jobs-path",
        ShapeSyntaxError("'\(Text.oneLine(jobs.description, limit: 80))' must contain {id} or {+id}, as in /jobs/{id}"))
    }
    return jobs
  }

  /// `cancel`, `cancel-data`, `cancel-header`; nil for `cancel = none`.
  func cancel() throws(JobctlError) -> CancelRequest? {
    let text = Text.trimmed(try single("cancel") ?? "POST {url}/cancel")
    if text == "none" { return nil }
    let (method, target) = try requestLine("cancel", text, fallback: "POST")
    return CancelRequest(
      method: method, template: target, body: try bodyTemplate("cancel-data"),
      headers: try headerTemplates("cancel-header", [.id, .url, .value]))
  }

  /// `poll`, `poll-data`, `poll-header`; nil when they say no more than `GET {url}`.
  func poll() throws(JobctlError) -> PollRequest? {
    let line = try single("poll").map { Text.trimmed($0) }
    let data = try bodyTemplate("poll-data")
    let headers = try headerTemplates("poll-header", [.id, .url, .value])
    if line == nil || line == "GET {url}" || line == "{url}", data == nil, headers.isEmpty { return nil }
    let (method, target) = try requestLine("poll", line ?? "GET {url}", fallback: "GET")
    return PollRequest(method: method, url: target, body: data, headers: headers)
  }

  func outputURL() throws(JobctlError) -> URLTemplate? {
    guard let text = try single("output-url"), Text.trimmed(Substring(text)) != "none" else { return nil }
    return try template("output-url", text, [.id, .url, .value, .outputKind])
  }

  func idempotentStart() throws(JobctlError) -> Bool {
    switch try single("idempotent-start").map(Text.lowercased) ?? "false" {
    case "true": return true
    case "false": return false
    case let other:
      throw fail("idempotent-start", ShapeSyntaxError("takes true or false, not '\(Text.oneLine(other, limit: 40))'"))
    }
  }

  func awsSigV4() throws(JobctlError) -> String? {
    let text = try single("aws-sigv4").map { Text.trimmed($0) }
    if let text, let problem = Dialect.sigV4Problem(text) { throw fail("aws-sigv4", ShapeSyntaxError(problem)) }
    return text
  }

  func finalURLs() throws(JobctlError) -> [FinalURL] {
    let texts = (d.values("final-url") ?? []).filter { Text.trimmed(Substring($0)) != "none" }
    return try each("final-url", texts) { text throws(ShapeSyntaxError) in try FinalURL(parsing: text) }
  }

  func shapeHeaders() -> [ShapeDescription.Entry] {
    (d.values("shape-header") ?? []).map {
      ShapeDescription.Entry("shape-header", [$0], origin: d.entry("shape-header")?.origin ?? "")
    }
  }
}
