/// Human-readable messages found in job documents and error bodies, across all shapes.
public enum Messages {
  /// A message without HotCRP's format marker (`<0>`, `<5>`) and safe for one log line.
  public static func clean(_ text: String) -> String {
    var t = Substring(text)
    if t.hasPrefix("<"), let close = t.firstIndex(of: ">"), t.distance(from: t.startIndex, to: close) <= 3,
      t[t.index(after: t.startIndex)..<close].allSatisfy(\.isNumber)
    {
      t = t[t.index(after: close)...]
    }
    return Text.oneLine(String(t))
  }

  /// Every message a document carries, most specific first: `error` (a string, or an object with
  /// `message` and `code`), `errors` (strings or such objects), HotCRP's `message_list` (errors
  /// before warnings), then a top-level `message`.
  public static func all(in document: JSON) -> [String] {
    var found: [String] = []
    if let error = document["error"] {
      if let text = describe(error, code: document["code"]) { found.append(text) }
    }
    for item in document["errors"]?.arrayValue ?? [] {
      if let text = describe(item, code: nil) { found.append(text) }
    }
    let list = (document["message_list"]?.arrayValue ?? []).compactMap { item -> (Double, String)? in
      guard let message = item["message"]?.stringValue else { return nil }
      var text = clean(message)
      if let field = item["field"]?.stringValue, !field.isEmpty { text += " (\(Text.oneLine(field)))" }
      return (item["status"]?.doubleValue ?? 0, text)
    }
    found += list.filter { $0.0 >= 2 }.map(\.1) + list.filter { $0.0 < 2 }.map(\.1)
    if found.isEmpty, let message = document["message"]?.stringValue {
      found.append(clean(message))
    }
    return found.filter { !$0.isEmpty }
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
    return messages.isEmpty ? described : "\(described): \(messages.joined(separator: "; "))"
  }
}
