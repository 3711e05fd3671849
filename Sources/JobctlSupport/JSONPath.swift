/// A dotted path into a JSON document, as `--field` takes it: `result.address`, `jobs.0.jobId`.
///
/// A segment that is a whole number indexes an array; on an object it is an ordinary member name,
/// so `{"0": ...}` stays reachable. `["a.b"]` names a member whose name holds a dot (a JSON
/// string between brackets), and `*` stands for every item of an array.
package struct JSONPath: Sendable, Equatable, CustomStringConvertible {
  /// One step of the walk.
  package enum Step: Sendable, Equatable {
    case name(String)
    /// `*`: every item of an array.
    case anyItem
  }

  package let steps: [Step]
  package let description: String

  /// The steps as names, `*` standing for every item.
  package var segments: [String] {
    steps.map {
      if case .name(let name) = $0 { return name }
      return "*"
    }
  }

  /// Whether the path can find several values (it has a `*`).
  package let isMultiple: Bool

  /// Parses PATH; empty paths and empty segments (`a..b`, `.a`) are refused, and so is a
  /// bracketed name that is not a JSON string.
  package init?(_ text: String) {
    guard let steps = JSONPath.parse(Array(text.unicodeScalars)) else { return nil }
    self.steps = steps
    isMultiple = steps.contains(.anyItem)
    description = text
  }

  /// Steps split by scalar: a dot followed by a combining mark is one Character, which is not ".".
  private static func parse(_ s: [Unicode.Scalar]) -> [Step]? {
    guard !s.isEmpty else { return nil }
    var steps: [Step] = []
    var i = 0
    while true {
      if s[i] == "[", i + 1 < s.count, s[i + 1] == "\"" {
        var j = i + 2
        var escaped = false
        while j < s.count {
          if escaped {
            escaped = false
          } else if s[j] == "\\" {
            escaped = true
          } else if s[j] == "\"" {
            break
          }
          j += 1
        }
        guard j + 1 < s.count, s[j + 1] == "]" else { return nil }
        var literal = String.UnicodeScalarView()
        literal.append(contentsOf: s[(i + 1)...j])
        guard case .string(let name)? = try? JSON.parse(String(literal)) else { return nil }
        steps.append(.name(name))
        i = j + 2
      } else {
        var j = i
        while j < s.count, s[j] != ".", !(s[j] == "[" && j + 1 < s.count && s[j + 1] == "\"") { j += 1 }
        guard j > i else { return nil }
        var name = String.UnicodeScalarView()
        name.append(contentsOf: s[i..<j])
        steps.append(name.count == 1 && name.first == "*" ? .anyItem : .name(String(name)))
        i = j
      }
      if i == s.count { return steps }
      if s[i] == "." {
        i += 1
        guard i < s.count else { return nil }
      } else if s[i] != "[" {
        return nil
      }
    }
  }

  /// The value at this path, or nil when any step is missing; with a `*`, the array of every
  /// value found.
  package func value(in document: JSON) -> JSON? {
    if isMultiple { return .array(values(in: document)) }
    var current = document
    for case .name(let segment) in steps {
      guard let next = JSONPath.child(current, segment) else { return nil }
      current = next
    }
    return current
  }

  /// Every value the path reaches: none when a step is missing, several through a `*`.
  package func values(in document: JSON) -> [JSON] {
    // One value at most: walked directly, with no array at each step (every condition of a
    // shape reads its paths at every poll).
    guard isMultiple else { return value(in: document).map { [$0] } ?? [] }
    var current = [document]
    for step in steps {
      var next: [JSON] = []
      for node in current {
        switch step {
        case .anyItem:
          if case .array(let items) = node { next += items }
        case .name(let segment):
          if let value = JSONPath.child(node, segment) { next.append(value) }
        }
      }
      current = next
      if current.isEmpty { break }
    }
    return current
  }

  /// One entry per place the path can reach, nil where a step is missing: through a `*`, each
  /// item has its entry, so "absent in one item" can be told from "present in all".
  package func slots(in document: JSON) -> [JSON?] {
    var current: [JSON?] = [document]
    for step in steps {
      var next: [JSON?] = []
      for node in current {
        switch step {
        case .anyItem:
          if case .array(let items)? = node { next += items.map { $0 } } else { next.append(nil) }
        case .name(let segment):
          next.append(node.flatMap { JSONPath.child($0, segment) })
        }
      }
      current = next
    }
    return current
  }

  /// For the error of a missing field: what the level holds where the walk stopped, as
  /// "; result has: address, city" ("the document has: ..." at the top, "result is an array of 2
  /// items" where there are no keys); "" when the path is found or has a `*`.
  package func whatIsThere(in document: JSON) -> String {
    guard !isMultiple else { return "" }
    var current = document
    var walked: [String] = []
    for case .name(let segment) in steps {
      guard let next = JSONPath.child(current, segment) else {
        let at = walked.isEmpty ? "the document" : Text.oneLine(walked.joined(separator: "."), limit: 80)
        switch current {
        case .object(let members):
          var keys: [String] = []
          for member in members where !keys.contains(member.key) { keys.append(member.key) }
          guard !keys.isEmpty else { return "; \(at) is an empty object" }
          let shown = keys.prefix(20).map { Text.oneLine($0, limit: 60) }.joined(separator: ", ")
          return "; \(at) has: \(shown)\(keys.count > 20 ? ", ... (\(keys.count) keys)" : "")"
        case .array(let items):
          return "; \(at) is an array of \(items.count) item\(items.count == 1 ? "" : "s")"
        case .string: return "; \(at) is a string"
        case .number: return "; \(at) is a number"
        case .bool: return "; \(at) is true or false"
        case .null: return "; \(at) is null"
        }
      }
      walked.append(segment)
      current = next
    }
    return ""
  }

  private static func child(_ node: JSON, _ segment: String) -> JSON? {
    switch node {
    case .object:
      return node[segment]
    case .array(let items):
      guard let index = Int(segment), index >= 0, index < items.count,
        segment.allSatisfy({ $0.isASCII && $0.isNumber })
      else { return nil }
      return items[index]
    default:
      return nil
    }
  }
}
