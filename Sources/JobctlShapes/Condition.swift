import JobctlHTTP
import JobctlSupport

/// What a shape's conditions are judged against: the job document and the answer that brought it.
package struct JobAnswer: Sendable {
  /// The parsed body; nil when it is not JSON (or there is none).
  package var document: JSON?
  /// The HTTP status; nil when the document came from elsewhere (`explain` reading a file).
  package var status: Int?
  package var headers: [HTTPHeader]

  package init(document: JSON?, status: Int? = nil, headers: [HTTPHeader] = []) {
    self.document = document
    self.status = status
    self.headers = headers
  }

  package init(_ response: HTTPResponse, document: JSON?) {
    self.init(document: document, status: response.status, headers: response.headers)
  }

  /// A header's first value.
  package func header(_ name: String) -> String? {
    headers.first(where: { Text.equalsIgnoringCase($0.name, name) })?.value
  }
}

/// Why a piece of a shape description cannot be read; the caller names where it was written.
package struct ShapeSyntaxError: Error, Sendable, Equatable {
  package let message: String
  package init(_ message: String) { self.message = message }
}

/// Where a condition, a progress expression or a start reads a value: a `--field` path into the
/// document, `@http` (the answer's status code) or `@header:NAME`.
package enum Operand: Sendable, Equatable, CustomStringConvertible {
  case path(JSONPath)
  case http
  case header(String)

  /// Parses PATH, `@http` or `@header:NAME`.
  package static func parse(_ text: Substring) throws(ShapeSyntaxError) -> Operand {
    let t = Text.trimmed(text)
    if t == "@http" { return .http }
    if t.hasPrefix("@header:") {
      let name = Text.trimmed(t.dropFirst("@header:".count))
      guard Text.isHeaderName(name) else {
        throw ShapeSyntaxError("'\(Text.oneLine(String(t), limit: 60))' names no valid header")
      }
      return .header(String(name))
    }
    if t.hasPrefix("@") {
      throw ShapeSyntaxError("'\(Text.oneLine(String(t), limit: 60))' is neither @http nor @header:NAME")
    }
    guard let path = JSONPath(String(t)) else {
      throw ShapeSyntaxError(
        "'\(Text.oneLine(String(t), limit: 60))' is not a path (keys joined by '.', [\"a.b\"] for a key with a dot, * for every item)"
      )
    }
    return .path(path)
  }

  package var description: String {
    switch self {
    case .path(let path): return path.description
    case .http: return "@http"
    case .header(let name): return "@header:\(name)"
    }
  }

  /// The values it reads: none when absent, several through a `*`.
  package func values(_ answer: JobAnswer) -> [JSON] {
    switch self {
    case .path(let path): return answer.document.map { path.values(in: $0) } ?? []
    case .http: return answer.status.map { [.number(String($0))] } ?? []
    case .header(let name): return answer.header(name).map { [.string($0)] } ?? []
    }
  }

  /// The first value it reads that is not null.
  package func first(_ answer: JobAnswer) -> JSON? {
    values(answer).first(where: { $0 != .null })
  }

  /// Whether it reads the document (not only the answer's status and headers).
  package var readsDocument: Bool {
    if case .path = self { return true }
    return false
  }
}

/// One value of a condition, as written: a JSON string (quoted) or a bare word or number.
package struct ConditionValue: Sendable, Equatable {
  package let text: String
  package let quoted: Bool
  /// The number a bare value reads as.
  package let number: Double?

  init(text: String, quoted: Bool) {
    self.text = text
    self.quoted = quoted
    if !quoted, case .number(let n)? = try? JSON.parse(text) { number = Double(n) } else { number = nil }
  }

  /// `true`, `false` and `null` match those values, a number matches numerically, and anything
  /// matches a string holding the same text without regard to case.
  func matches(_ value: JSON) -> Bool {
    switch value {
    case .string(let s): return Text.equalsIgnoringCase(s, text)
    case .number(let n): return number != nil && number == Double(n)
    case .bool(let b): return !quoted && Text.lowercased(text) == (b ? "true" : "false")
    case .null: return !quoted && Text.lowercased(text) == "null"
    case .array, .object: return false
    }
  }
}

/// One `&`-joined part of a condition.
package struct ConditionTerm: Sendable, Equatable {
  package enum Operator: String, Sendable {
    case present = ""
    case absent = "!"
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
  }

  package let operand: Operand
  package let op: Operator
  package let values: [ConditionValue]

  /// Whether the value is there and not `null`, `false`, `""`, `[]` or `{}`.
  static func isSet(_ value: JSON) -> Bool {
    switch value {
    case .null, .bool(false): return false
    case .string(let s): return !s.isEmpty
    case .array(let items): return !items.isEmpty
    case .object(let members): return !members.isEmpty
    default: return true
    }
  }

  /// Through a `*`, the term holds when it holds for one item.
  ///
  /// `<`, `<=`, `>` and `>=` compare numbers. A value there that is no finite number (a string,
  /// `true`, an array, `1e309`; `null` is no value) is doubtful: it holds only when
  /// `doubtfulHolds` (a failure condition), so a doubt never turns a failure into a success.
  package func holds(_ answer: JobAnswer, doubtfulHolds: Bool = false) -> Bool {
    if doubtfulHolds, doubtful(answer) != nil { return true }
    let found = operand.values(answer)
    switch op {
    case .absent:
      guard case .path(let path) = operand, let document = answer.document else {
        return found.isEmpty || found.contains(where: { !Self.isSet($0) })
      }
      return path.slots(in: document).contains { $0.map { !Self.isSet($0) } ?? true }
    default: return found.contains(where: holdsFor)
    }
  }

  /// Whether the term holds for this one value (`*` reads several).
  func holdsFor(_ value: JSON) -> Bool {
    switch op {
    case .present: return Self.isSet(value)
    case .absent: return !Self.isSet(value)
    case .equal: return values.contains { $0.matches(value) }
    case .notEqual: return !values.contains { $0.matches(value) }
    case .less, .lessOrEqual, .greater, .greaterOrEqual:
      guard let limit = values.first?.number, let x = value.doubleValue, x.isFinite else { return false }
      switch op {
      case .less: return x < limit
      case .lessOrEqual: return x <= limit
      case .greater: return x > limit
      default: return x >= limit
      }
    }
  }

  /// The first value an ordering comparison cannot compare (see `holds`), or nil.
  package func doubtful(_ answer: JobAnswer) -> JSON? {
    switch op {
    case .less, .lessOrEqual, .greater, .greaterOrEqual:
      return operand.values(answer).first { value in
        if value == .null { return false }
        guard let x = value.doubleValue else { return true }
        return !x.isFinite
      }
    default: return nil
    }
  }

  /// Parses `PATH`, `!PATH` or `PATH OP VALUES` (`!=` is read before `=`).
  static func parse(_ text: Substring) throws(ShapeSyntaxError) -> ConditionTerm {
    let t = Text.trimmed(text)
    guard !t.isEmpty else { throw ShapeSyntaxError("an empty term (nothing between two '&')") }
    let s = Array(t.unicodeScalars)
    var opIndex: Int?
    var inQuote = false
    var escaped = false
    for (i, c) in s.enumerated() {
      if inQuote {
        if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inQuote = false }
        continue
      }
      if c == "\"" {
        inQuote = true
      } else if c == "=" || c == "!" || c == "<" || c == ">" {
        opIndex = i
        break
      }
    }
    func piece(_ range: Range<Int>) -> Substring {
      var v = String.UnicodeScalarView()
      v.append(contentsOf: s[range])
      return Substring(String(v))
    }
    guard let at = opIndex else { return ConditionTerm(operand: try .parse(t), op: .present, values: []) }
    if at == 0, s[0] == "!", s.count == 1 || s[1] != "=" {
      return ConditionTerm(operand: try .parse(piece(1..<s.count)), op: .absent, values: [])
    }
    guard at > 0 else { throw ShapeSyntaxError("'\(Text.oneLine(String(t), limit: 60))' has no path before '\(s[0])'") }
    let next = at + 1 < s.count ? s[at + 1] : nil
    let op: Operator
    switch (s[at], next) {
    case ("!", "="): op = .notEqual
    case ("!", _):
      throw ShapeSyntaxError("'\(Text.oneLine(String(t), limit: 60))': '!' stands before a path or in '!='")
    case ("<", "="): op = .lessOrEqual
    case (">", "="): op = .greaterOrEqual
    case ("<", _): op = .less
    case (">", _): op = .greater
    default: op = .equal
    }
    let operand = try Operand.parse(piece(0..<at))
    let rest = piece((at + op.rawValue.unicodeScalars.count)..<s.count)
    let values = try parseValues(rest, term: t)
    if op != .equal && op != .notEqual {
      guard values.count == 1, values[0].number != nil else {
        throw ShapeSyntaxError("'\(Text.oneLine(String(t), limit: 60))': \(op.rawValue) compares with one number")
      }
    }
    return ConditionTerm(operand: operand, op: op, values: values)
  }

  /// `V1,V2,...`: JSON strings or bare words, trimmed.
  private static func parseValues(_ text: Substring, term: Substring) throws(ShapeSyntaxError) -> [ConditionValue] {
    var values: [ConditionValue] = []
    for raw in Text.split(text, outsideQuotesAt: ",") {
      let v = Text.trimmed(raw)
      guard !v.isEmpty else {
        throw ShapeSyntaxError("'\(Text.oneLine(String(term), limit: 60))' has an empty value")
      }
      if v.hasPrefix("\"") {
        guard case .string(let s)? = try? JSON.parse(String(v)) else {
          throw ShapeSyntaxError("\(Text.oneLine(String(v), limit: 60)) is not a JSON string")
        }
        values.append(ConditionValue(text: s, quoted: true))
      } else {
        guard !v.unicodeScalars.contains("\"") else {
          throw ShapeSyntaxError("'\(Text.oneLine(String(v), limit: 60))': a bare value holds no quote")
        }
        values.append(ConditionValue(text: String(v), quoted: false))
      }
    }
    return values
  }
}

/// A condition (COND of docs/shapes.md "Any job API"): terms joined by `&`, all of which must hold.
package struct Condition: Sendable, Equatable, CustomStringConvertible {
  package let terms: [ConditionTerm]
  /// As written, trimmed: what `explain` and `-v` show as the deciding condition.
  package let description: String

  package init(parsing text: String) throws(ShapeSyntaxError) {
    var terms: [ConditionTerm] = []
    for part in Text.split(text, outsideQuotesAt: "&") { terms.append(try .parse(part)) }
    self.terms = terms
    description = Text.trimmed(text)
  }

  /// Whether every term holds; in a failure condition (`doubtfulHolds`) a doubtful comparison holds.
  package func holds(_ answer: JobAnswer, doubtfulHolds: Bool = false) -> Bool {
    terms.allSatisfy { $0.holds(answer, doubtfulHolds: doubtfulHolds) }
  }

  /// Why a failure condition held on a doubt: the first doubtful comparison and its value, or nil.
  package func doubt(_ answer: JobAnswer) -> String? {
    for term in terms {
      guard let value = term.doubtful(answer) else { continue }
      let shown = Text.oneLine(value.serialized(), limit: 40)
      return "\(term.operand) is \(shown), not a number: a doubtful value counts as failure"
    }
    return nil
  }

  /// What the condition read, for a warning with no message of its own: `request_counts.failed = 2`
  /// (each term's first value that holds it; `PATH absent` for a missing one), joined by ", ".
  package func reading(_ answer: JobAnswer) -> String {
    terms.map { term -> String in
      let found = term.operand.values(answer).filter { $0 != .null }
      guard let value = found.first(where: { term.holdsFor($0) }) ?? found.first else {
        return "\(term.operand) absent"
      }
      let shown = value.stringValue ?? value.serialized()
      return "\(term.operand) = \(Text.oneLine(shown, limit: 60))"
    }.joined(separator: ", ")
  }

  /// Whether a term reads the document (not only the status and headers).
  package var readsDocument: Bool { terms.contains { $0.operand.readsDocument } }
}

/// A progress expression (EXPR of docs/shapes.md "Any job API").
///
/// `PATH` (a fraction), `PATH / NUMBER` or `PATH / PATH`. A string at PATH is a phase in words (HotCRP's `progress`).
package struct ProgressExpression: Sendable, Equatable, CustomStringConvertible {
  package enum Divisor: Sendable, Equatable {
    case number(Double)
    case operand(Operand)
  }

  package let value: Operand
  package let divisor: Divisor?
  package let description: String

  package init(parsing text: String) throws(ShapeSyntaxError) {
    let parts = Text.split(text, outsideQuotesAt: "/")
    guard parts.count <= 2 else {
      throw ShapeSyntaxError(
        "'\(Text.oneLine(text, limit: 60))' divides more than once (PATH, PATH / NUMBER or PATH / PATH)")
    }
    value = try Operand.parse(parts[0])
    if parts.count == 2 {
      let d = Text.trimmed(parts[1])
      if case .number(let n)? = try? JSON.parse(String(d)), let x = Double(n) {
        guard x.isFinite, x > 0 else {
          throw ShapeSyntaxError("'\(Text.oneLine(text, limit: 60))' divides by \(n) (a number above zero is needed)")
        }
        divisor = .number(x)
      } else {
        divisor = .operand(try Operand.parse(d))
      }
    } else {
      divisor = nil
    }
    description = Text.trimmed(text)
  }

  /// The fraction done, clamped to [0, 1], or the phase named in words.
  package func evaluate(_ answer: JobAnswer) -> (fraction: Double?, phase: String?) {
    guard let found = value.first(answer) else { return (nil, nil) }
    if case .string(let s) = found, divisor == nil { return (nil, s) }
    guard let x = found.doubleValue, x.isFinite else { return (nil, nil) }
    var d = 1.0
    switch divisor {
    case .number(let n)?: d = n
    case .operand(let operand)?:
      guard let n = operand.first(answer)?.doubleValue, n.isFinite, n > 0 else { return (nil, nil) }
      d = n
    case nil: break
    }
    return (min(max(x / d, 0), 1), nil)
  }
}
