import JobctlHTTP
import JobctlOutput
import JobctlSupport

/// `list`: one page of jobs, or every page with `--all` (docs/behaviour.md "Starting, cancelling,
/// listing, fetching output").
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
          throw .usage(.notAPageCount(origin: "--\(option.spec.long)", value: v))
        }
        query.append((name, String(n)))
      }
    }
    if let t = invocation.value(.type) { query.append(("type", t)) }
    for q in invocation.all(.query) {
      guard let eq = q.firstIndex(of: "="), eq != q.startIndex else {
        throw .usage(.notNameValue(origin: "--query", value: q))
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
        throw .rejected(.paginationLoops(url: url))
      }
      let request = context.request(url: url, credentialHost: start.credentialHost)
      let answer: HTTPResponse
      switch context.send(request, subject: "the job list at \(start.label)", label: start.label, judgesGone: false) {
      case .failure(let error): throw error
      case .success(let response): answer = response
      }
      guard let document = try? JSON.parse(answer.body) else {
        throw .rejected(.listNotJSON(at: start.label))
      }
      let listPath = context.settings.shape.listPath
      guard let page = document.arrayValue ?? (listPath ?? defaultListPath)?.value(in: document)?.arrayValue else {
        throw .rejected(.noJobList(at: start.label, path: listPath?.description ?? "jobs"))
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
    return context.presenter.present(
      .listing(Listing(jobs: jobs, shape: context.settings.shape, dialect: context.settings.dialect)))
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
        .rejected(.badNextPage(at: label, next: next.serialized()))
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
}
