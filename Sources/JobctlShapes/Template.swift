import JobctlHTTP
import JobctlSupport

/// A URL template (TEMPLATE of docs/shapes.md "Any job API"): `/jobs/{id}`, `{url}:cancel`,
/// `/v1/files/{.output_file_id}/content`, `{+.results_url}`, `{url}&output={as}`.
package struct URLTemplate: Sendable, Equatable, CustomStringConvertible {
  package enum Part: Sendable, Equatable {
    case literal(String)
    /// `{id}`, or `{+id}` keeping `/`.
    case id(keepSlashes: Bool)
    /// `{url}`: the job's poll URL.
    case url
    /// `{.PATH}`, or `{+.PATH}` kept as it is: a value of the job's last document.
    case value(JSONPath, verbatim: Bool)
    /// `{as}`: the `--as` value.
    case outputKind
    /// `{start-url}`: the URL the start was sent to.
    case startURL
    /// `{start-header:NAME}`: a header of the start's answer (`{start-header:Location}`).
    case startHeader(String)
  }

  /// The variables a template may use where it stands.
  package enum Variable: Sendable {
    case id, url, value, outputKind
    /// `{start-url}` and `{start-header:NAME}`: known only to a wait that began with a start.
    case start
  }

  package let parts: [Part]
  package let description: String

  /// `literalBraces`: a body template, where JSON's own braces are text; there a `{` opens a
  /// variable only when what follows up to the `}` could name one (`{id}`, `{.PATH}`, `{+...}`,
  /// a bare word), so `{"executionArn":"{id}"}` is an object with one variable in it.
  package init(parsing text: String, allowing allowed: Set<Variable>, literalBraces: Bool = false)
    throws(ShapeSyntaxError)
  {
    var parts: [Part] = []
    var literal = ""
    var rest = Substring(text)
    while let open = rest.firstIndex(of: "{") {
      literal += rest[..<open]
      let close = rest[open...].firstIndex(of: "}")
      if literalBraces, !Self.namesVariable(close.map { rest[rest.index(after: open)..<$0] }) {
        literal.append("{")
        rest = rest[rest.index(after: open)...]
        continue
      }
      guard let close else {
        throw ShapeSyntaxError("'\(Text.oneLine(text, limit: 80))' has a '{' without its '}'")
      }
      let name = String(rest[rest.index(after: open)..<close])
      let part: Part
      let variable: Variable
      switch name {
      case "id", "+id": (part, variable) = (.id(keepSlashes: name == "+id"), .id)
      case "url": (part, variable) = (.url, .url)
      case "as": (part, variable) = (.outputKind, .outputKind)
      case "start-url": (part, variable) = (.startURL, .start)
      case _ where name.hasPrefix("start-header:") && Text.isHeaderName(Substring(name.dropFirst(13))):
        (part, variable) = (.startHeader(String(name.dropFirst(13))), .start)
      default:
        let verbatim = name.hasPrefix("+.")
        guard name.hasPrefix(".") || verbatim, let path = JSONPath(String(name.dropFirst(verbatim ? 2 : 1))) else {
          throw ShapeSyntaxError(
            "'\(Text.oneLine(text, limit: 80))' uses {\(Text.oneLine(name, limit: 40))} (known: {id}, {+id}, {url}, {.PATH}, {+.PATH}, {as}, {start-url}, {start-header:NAME})"
          )
        }
        (part, variable) = (.value(path, verbatim: verbatim), .value)
      }
      guard allowed.contains(variable) else {
        throw ShapeSyntaxError("'\(Text.oneLine(text, limit: 80))' cannot use {\(name)} here")
      }
      if !literal.isEmpty { parts.append(.literal(literal)) }
      literal = ""
      parts.append(part)
      rest = rest[rest.index(after: close)...]
    }
    literal += rest
    if !literal.isEmpty { parts.append(.literal(literal)) }
    self.parts = parts
    description = text
  }

  /// Where a body or header template's text goes: how its values are written.
  package enum TextContext: Sendable {
    /// A request body (`poll-data`, `cancel-data`): a value inside a JSON string is escaped for
    /// it; one outside any string is written as JSON (`{id}` and `{url}` as strings, `{.PATH}`
    /// as the value itself: a number, a string, an object).
    case body
    /// A header value (`poll-header`): the value as text, refused when it holds a control
    /// character.
    case header
  }

  /// Expands a body or header template: no percent-encoding, no URL joining.
  ///
  /// A `{.PATH}` absent or null in `document` is an error: a request that silently said
  /// nothing where the shape expects a value would ask about another job.
  package func expandText(_ context: TextContext, id: String?, url: String?, document: JSON?)
    throws(ShapeSyntaxError) -> String
  {
    var out = ""
    // Whether the text so far stands inside a JSON string, read from the literal parts.
    var inString = false
    var escaped = false
    for part in parts {
      let value: JSON
      switch part {
      case .literal(let s):
        out += s
        guard context == .body else { continue }
        for scalar in s.unicodeScalars {
          if escaped {
            escaped = false
          } else if inString && scalar == "\\" {
            escaped = true
          } else if scalar == "\"" {
            inString.toggle()
          }
        }
        continue
      case .id: value = .string(id ?? "")
      case .url: value = .string(url ?? "")
      case .outputKind: value = .string("body")
      case .startURL, .startHeader:
        // Parsing allows these in final-url alone, which is a URL and never expanded as text.
        throw ShapeSyntaxError(
          "'\(Text.oneLine(description, limit: 80))' reads the start, which a body or header cannot")
      case .value(let path, _):
        guard let found = document.flatMap({ path.value(in: $0) }), found != .null else {
          throw ShapeSyntaxError("{.\(path)} is absent or null in the document it reads")
        }
        value = found
      }
      switch context {
      case .header:
        let text = value.displayText
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
          throw ShapeSyntaxError("the value '\(Text.oneLine(text, limit: 80))' holds a control character")
        }
        out += text
      case .body where inString:
        // The string's contents, escaped: `a"b\c` stays one string.
        let quoted = JSON.string(value.displayText).serialized()
        out += quoted.dropFirst().dropLast()
      case .body:
        out += value.serialized()
      }
    }
    return out
  }

  /// Whether the text between braces of a body template is meant as a variable: `.PATH` or
  /// `+...`, or a bare word (`{id}`, a misspelt `{idd}`, which is then refused as unknown).
  private static func namesVariable(_ name: Substring?) -> Bool {
    guard let name, let first = name.unicodeScalars.first else { return false }
    if first == "." || first == "+" { return true }
    return name.unicodeScalars.allSatisfy {
      ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
    }
  }

  /// Whether the template reads the job's document (`{.PATH}`), so the job is polled first.
  package var readsDocument: Bool {
    parts.contains { if case .value = $0 { return true } else { return false } }
  }

  /// Whether the template reads the start (`{start-url}`, `{start-header:NAME}`).
  package var readsStart: Bool {
    parts.contains {
      switch $0 {
      case .startURL, .startHeader: return true
      default: return false
      }
    }
  }

  /// Whether the template names the job's id.
  package var usesID: Bool { parts.contains { if case .id = $0 { return true } else { return false } } }

  /// Whether a value is a URL to fetch: an http(s) URL, or an absolute path on the job's server.
  ///
  /// Neither may hold spaces or control characters. A word of text ("The") is a relative
  /// reference by RFC 3986 too, so only these two forms count.
  static func isURLReference(_ value: JSON) -> Bool {
    guard case .string(let s) = value else { return false }
    if URLParts(s) != nil { return true }
    return s.hasPrefix("/") && !s.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F }
  }

  /// Expands the template; nil when a `{.PATH}` is absent or null, or when the whole template is
  /// a `{+.PATH}` whose value is not a URL (there is nothing to fetch).
  ///
  /// `{url}` at the start followed by `/` or `:` puts the suffix on the URL's path, before its
  /// query (`{url}/cancel`); followed by `&` it adds to the query (`{url}&output=body`).
  ///
  /// `{start-url}` and `{start-header:NAME}` expand to nil without a start, or without that header.
  package func expand(
    id: String? = nil, url: String? = nil, document: JSON? = nil, outputKind: String = "body",
    start: StartRecord? = nil
  ) throws(ShapeSyntaxError) -> String? {
    var pieces: [String] = []
    for part in parts {
      switch part {
      case .literal(let s): pieces.append(s)
      case .id(let keep):
        let raw = id ?? ""
        if keep {
          guard let kept = PercentEncoding.keepingSlashes(raw) else {
            throw ShapeSyntaxError("the id '\(Text.oneLine(raw, limit: 80))' holds a '.' or '..' segment")
          }
          pieces.append(kept)
        } else {
          pieces.append(PercentEncoding.component(raw))
        }
      case .url: pieces.append(url ?? "")
      case .value(let path, let verbatim):
        // A list stands for its first item (Replicate's `output` is one URL or a list of them).
        var value = document.flatMap { path.value(in: $0) }
        if case .array(let items)? = value { value = items.first }
        guard let value, value != .null else { return nil }
        // A template that is one kept value is a URL only when the value is one: Replicate's
        // `output` is file URLs for some models and plain text (or numbers) for others.
        if verbatim && parts.count == 1 && !Self.isURLReference(value) { return nil }
        let text = value.displayText
        pieces.append(verbatim ? text : PercentEncoding.component(text))
      case .outputKind: pieces.append(PercentEncoding.component(outputKind))
      case .startURL:
        guard let start else { return nil }
        pieces.append(start.url)
      case .startHeader(let name):
        guard let value = start?.answer.header(name), !value.isEmpty else { return nil }
        pieces.append(value)
      }
    }
    guard parts.first == .url, let url, pieces.count > 1 else { return pieces.joined() }
    let suffix = pieces.dropFirst().joined()
    let (path, query) = URLParts.splitQuery(url)
    if suffix.hasPrefix("/") || suffix.hasPrefix(":") {
      var trimmed = path
      if suffix.hasPrefix("/") { while trimmed.hasSuffix("/") { trimmed.removeLast() } }
      let (ownPath, ownQuery) = URLParts.splitQuery(suffix)
      let joined = [ownQuery, query].compactMap { $0 }.joined(separator: "&")
      return trimmed + ownPath + (joined.isEmpty ? "" : "?" + joined)
    }
    if suffix.hasPrefix("&") && query == nil { return path + "?" + suffix.dropFirst() }
    if suffix.hasPrefix("?") && query != nil { return url + "&" + suffix.dropFirst() }
    return url + suffix
  }
}

/// A start as a wait that follows it remembers it: the method and URL it was sent with, and the
/// answer, for `final-url` templates (`PUT,PATCH {start-url}`, `{start-header:Location}`).
package struct StartRecord: Sendable {
  package let method: String
  package let url: String
  package let answer: HTTPResponse

  package init(method: String, url: String, answer: HTTPResponse) {
    self.method = method
    self.url = url
    self.answer = answer
  }
}
