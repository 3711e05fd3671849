import JobctlSupport

/// Human-readable messages found in job documents and error bodies, across all shapes.
///
/// A document may carry hundreds (a HotCRP autoassign: about 500, half of them HTML): stderr shows
/// the first few of them as text (`shownLimit`), and the whole list stays in `--json` and ndjson.
package enum Messages {
  /// How many messages of one list stderr shows; the rest are counted.
  package static let shownLimit = 5

  /// A message as one line of text: HotCRP's format marker (`<0>` plain, `<5>` HTML) removed,
  /// HTML turned into text, control characters escaped.
  package static func clean(_ text: String) -> String {
    var t = Substring(text)
    var html = false
    if t.hasPrefix("<"), let close = t.firstIndex(of: ">"), t.distance(from: t.startIndex, to: close) <= 3,
      t[t.index(after: t.startIndex)..<close].allSatisfy(\.isNumber)
    {
      html = t[t.index(after: t.startIndex)..<close] == "5"
      t = t[t.index(after: close)...]
    }
    return Text.oneLine(html ? plainText(html: String(t)) : String(t))
  }

  /// HTML as the text it shows, as HotCRP's own command-line client prints it: tags dropped (a
  /// block-level tag becomes a space), entities decoded, runs of white space made one space.
  static func plainText(html: String) -> String {
    let scalars = Array(html.unicodeScalars)
    var out = String.UnicodeScalarView()
    // A `<` after the last `>` opens no tag: known once, so text full of `<` stays linear.
    let lastClose = scalars.lastIndex(of: ">") ?? -1
    var i = 0
    func space() {
      if let last = out.last, last != " " { out.append(" ") }
    }
    while i < scalars.count {
      let c = scalars[i]
      if c == "<", i < lastClose, let end = scalars[i...].firstIndex(of: ">") {
        let name = scalars[(i + 1)..<end].drop(while: { $0 == "/" }).prefix(while: {
          $0.properties.isAlphabetic || ("0"..."9").contains($0)
        })
        if blockTags.contains(Text.lowercased(String(String.UnicodeScalarView(name)))) { space() }
        i = end + 1
      } else if c == "&", let semicolon = scalars[i...].prefix(12).firstIndex(of: ";"),
        let decoded = entity(String(String.UnicodeScalarView(scalars[(i + 1)..<semicolon])))
      {
        out.append(decoded)
        i = semicolon + 1
      } else {
        if c == " " || c == "\t" || c == "\n" || c == "\r" { space() } else { out.append(c) }
        i += 1
      }
    }
    return Text.trimmed(String(out))
  }

  /// Tags that end a line or a cell when HTML is shown, so the words on either side stay apart.
  private static let blockTags: Set<String> = [
    "br", "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5",
    "h6", "blockquote", "pre", "hr",
  ]

  /// The character an entity's name (between `&` and `;`) stands for: the common named ones and
  /// every numeric one; nil for anything else, which is then shown as it is.
  private static func entity(_ name: String) -> Unicode.Scalar? {
    switch name {
    case "amp": return "&"
    case "lt": return "<"
    case "gt": return ">"
    case "quot": return "\""
    case "apos": return "'"
    case "nbsp": return " "
    default:
      guard name.hasPrefix("#") else { return nil }
      let digits = name.dropFirst()
      let hex = digits.first == "x" || digits.first == "X"
      return UInt32(hex ? String(digits.dropFirst()) : String(digits), radix: hex ? 16 : 10).flatMap(
        Unicode.Scalar.init)
    }
  }

  /// Every message a document carries, most specific first: `error` (a string, or an object with
  /// `message` and `code`), `errors` (strings or such objects), HotCRP's `message_list` (errors,
  /// then warnings, then plain messages; its informational ones, status below 0, are left out),
  /// then a top-level `message`.
  package static func all(in document: JSON) -> [String] {
    var found: [String] = []
    if let error = document["error"] {
      if let text = describe(error, code: document["code"]) { found.append(text) }
    }
    for item in document["errors"]?.arrayValue ?? [] {
      if let text = describe(item, code: nil) { found.append(text) }
    }
    // HotCRP's status: 2 and up an error, 1 a warning, 0 plain, below 0 informational.
    let list = (document["message_list"]?.arrayValue ?? []).compactMap { item -> (rank: Int, text: String)? in
      guard let message = item["message"]?.stringValue else { return nil }
      let status = item["status"]?.doubleValue ?? 0
      guard status >= 0 else { return nil }
      var text = clean(message)
      if let field = item["field"]?.stringValue, !field.isEmpty { text += " (\(Text.oneLine(field)))" }
      return (status >= 2 ? 0 : status >= 1 ? 1 : 2, text)
    }
    for rank in 0...2 { found += list.filter { $0.rank == rank }.map(\.text) }
    if found.isEmpty, let message = document["message"]?.stringValue {
      found.append(clean(message))
    }
    return found.filter { !$0.isEmpty }
  }

  /// The lines stderr shows for a list: the first few messages, then how many more there are.
  package static func shown(_ messages: [String]) -> [String] {
    guard messages.count > shownLimit else { return messages }
    return messages.prefix(shownLimit) + ["and \(messages.count - shownLimit) more (see --json)"]
  }

  /// A list of messages for one error line: the first few, then how many more.
  package static func joined(_ messages: [String]) -> String {
    shown(messages).joined(separator: "; ")
  }

  /// `message (CODE)` for an error object, the text for a string.
  ///
  /// An object's message is its `message`, else its `error` and `description` (Slurm's
  /// `{"error_number": 2017, "error": "Invalid job id specified", "description": "..."}`); its
  /// code is `code`, else `error_number`.
  static func describe(_ value: JSON, code: JSON?) -> String? {
    switch value {
    case .string(let s):
      guard let code, code != .null else { return clean(s) }
      return "\(clean(s)) (code \(Text.oneLine(code.displayText)))"
    case .object:
      var message = value["message"]?.stringValue.map(clean)
      if message == nil {
        let words = [value["error"]?.stringValue, value["description"]?.stringValue].compactMap { $0 }.map(clean)
          .filter { !$0.isEmpty }
        if !words.isEmpty {
          message = (words.count == 2 && words[0] == words[1] ? [words[0]] : words).joined(separator: ": ")
        }
      }
      let codeText = (value["code"] ?? value["error_number"]).flatMap {
        $0 == .null ? nil : Text.oneLine($0.displayText)
      }
      switch (message, codeText) {
      case (let m?, let c?): return "\(m) (\(c))"
      case (let m?, nil): return m
      case (nil, let c?): return c
      default: return nil
      }
    default:
      return nil
    }
  }

  /// How much of a server's words an error shows.
  static let wordsLimit = 400

  /// The message for a non-2xx answer: the status, with the server's own words whatever their
  /// form (`serverWords`).
  package static func forErrorAnswer(status: Int, body: [UInt8]) -> String {
    let described = HTTPStatus.describe(status)
    let words = serverWords(body)
    return words.isEmpty ? described : "\(described): \(words)"
  }

  /// What an error answer's body says, as one bounded line with control characters escaped.
  ///
  /// A JSON document's messages (`all(in:)`; AWS's `__type` and `message`/`Message` as
  /// `ExecutionDoesNotExist: Execution Does Not Exist: ...`), a JSON string, an HTML page as
  /// the text it shows (its title, then its body's text), or plain text. Empty when there is
  /// nothing to show.
  package static func serverWords(_ body: [UInt8]) -> String {
    if let document = try? JSON.parse(body) {
      switch document {
      case .object:
        let message = (document["message"] ?? document["Message"])?.stringValue.map(clean)
        if let type = document["__type"]?.stringValue {
          // `com.amazonaws.swf.base.model#ThrottlingException` is shown as its last part.
          let name = Text.oneLine(String(type.split(separator: "#").last ?? Substring(type)), limit: 80)
          return Text.oneLine(
            [name, message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": "), limit: wordsLimit)
        }
        var messages = all(in: document)
        if messages.isEmpty, let message, !message.isEmpty { messages = [message] }
        return Text.oneLine(joined(messages), limit: wordsLimit)
      case .string(let s):
        return Text.oneLine(clean(s), limit: wordsLimit)
      default:
        return ""
      }
    }
    // Text: read a bounded prefix (a proxy's page is small; a huge body is no message).
    let text = String(decoding: body.prefix(64 * 1024), as: UTF8.self)
    let trimmed = Text.trimmed(text)
    guard !trimmed.isEmpty else { return "" }
    let lower = Text.lowercased(String(trimmed.prefix(512)))
    let isHTML =
      lower.hasPrefix("<!doctype html") || lower.hasPrefix("<html") || lower.contains("<body")
      || lower.contains("<title")
    guard isHTML else { return Text.oneLine(foldedSpace(trimmed), limit: wordsLimit) }
    return Text.oneLine(pageText(trimmed), limit: wordsLimit)
  }

  /// White space runs made one space: plain text over several lines as one line.
  static func foldedSpace(_ text: String) -> String {
    text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
      .joined(separator: " ")
  }

  /// An HTML page as the words it shows: its title, then the text of its body (scripts and
  /// styles left out), the title said once when the body repeats it (nginx's `502 Bad Gateway`).
  static func pageText(_ html: String) -> String {
    let bytes = Array(html.utf8)
    let title = section(bytes, tag: "title").map { plainText(html: String(decoding: $0, as: UTF8.self)) } ?? ""
    var rest = section(bytes, tag: "body") ?? bytes
    for tag in ["head", "script", "style"] {
      while let range = sectionRange(rest, tag: tag) { rest.removeSubrange(range) }
    }
    let text = plainText(html: String(decoding: rest, as: UTF8.self))
    if title.isEmpty || text.hasPrefix(title) { return text.isEmpty ? title : text }
    return text.isEmpty ? title : "\(title): \(text)"
  }

  /// Where `needle` (lowercase ASCII) first stands in `bytes` from `from` on, in any case.
  private static func find(_ needle: String, in bytes: [UInt8], from: Int = 0) -> Int? {
    let n = Array(needle.utf8)
    guard !n.isEmpty, bytes.count >= n.count, from <= bytes.count - n.count else { return nil }
    for i in from...(bytes.count - n.count) {
      var j = 0
      while j < n.count {
        let b = bytes[i + j]
        if (b >= 0x41 && b <= 0x5A ? b + 32 : b) != n[j] { break }
        j += 1
      }
      if j == n.count { return i }
    }
    return nil
  }

  /// Where the first `<tag` opens: the name ends there (`<head>`, not `<header>`).
  private static func openTag(_ tag: String, in bytes: [UInt8]) -> Int? {
    var from = 0
    while let at = find("<\(tag)", in: bytes, from: from) {
      let next = at + tag.utf8.count + 1
      if next >= bytes.count || [0x3E, 0x20, 0x09, 0x0A, 0x0D, 0x2F].contains(bytes[next]) { return at }
      from = at + 1
    }
    return nil
  }

  /// The inside of the first `<tag ...>...</tag>` (to the end when it is not closed).
  private static func section(_ bytes: [UInt8], tag: String) -> [UInt8]? {
    guard let open = openTag(tag, in: bytes),
      let openEnd = bytes[(open + tag.utf8.count + 1)...].firstIndex(of: UInt8(ascii: ">"))
    else { return nil }
    let close = find("</\(tag)", in: bytes, from: openEnd + 1) ?? bytes.count
    return Array(bytes[(openEnd + 1)..<close])
  }

  /// Where the first `<tag ...>...</tag>` stands, tags included (to the end when not closed).
  private static func sectionRange(_ bytes: [UInt8], tag: String) -> Range<Int>? {
    guard let open = openTag(tag, in: bytes) else { return nil }
    let closing = "</\(tag)>"
    let end = find(closing, in: bytes, from: open + 1).map { $0 + closing.utf8.count } ?? bytes.count
    return open..<end
  }
}
