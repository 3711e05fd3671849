/// Human-readable messages found in job documents and error bodies, across all shapes.
///
/// A document may carry hundreds (a HotCRP autoassign: about 500, half of them HTML): stderr shows
/// the first few of them as text (`shownLimit`), and the whole list stays in `--json` and ndjson.
public enum Messages {
  /// How many messages of one list stderr shows; the rest are counted.
  public static let shownLimit = 5

  /// A message as one line of text: HotCRP's format marker (`<0>` plain, `<5>` HTML) removed,
  /// HTML turned into text, control characters escaped.
  public static func clean(_ text: String) -> String {
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
  public static func all(in document: JSON) -> [String] {
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
  public static func shown(_ messages: [String]) -> [String] {
    guard messages.count > shownLimit else { return messages }
    return messages.prefix(shownLimit) + ["and \(messages.count - shownLimit) more (see --json)"]
  }

  /// A list of messages for one error line: the first few, then how many more.
  public static func joined(_ messages: [String]) -> String {
    shown(messages).joined(separator: "; ")
  }

  /// `message (CODE)` for an error object, the text for a string.
  static func describe(_ value: JSON, code: JSON?) -> String? {
    switch value {
    case .string(let s):
      guard let code, code != .null else { return clean(s) }
      return "\(clean(s)) (code \(Text.oneLine(code.displayText)))"
    case .object:
      let message = value["message"]?.stringValue.map(clean)
      let codeText = value["code"].flatMap { $0 == .null ? nil : Text.oneLine($0.displayText) }
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

  /// The message for a non-2xx answer: the most specific one its body gives, else the status.
  public static func forErrorAnswer(status: Int, body: [UInt8]) -> String {
    let described = HTTPStatus.describe(status)
    guard let document = try? JSON.parse(body), document.isObject else { return described }
    let messages = all(in: document)
    return messages.isEmpty ? described : "\(described): \(joined(messages))"
  }
}
