import FuzzSupport

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// `--field PATH` against a document: the first line of the input is the path, the rest the
/// document.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONPath(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let (first, rest) = splitFirstLine(fuzzBytes(data, size))
  guard let pathText = fuzzText(first) else { return 0 }
  let path = JSONPath(pathText)
  if let path {
    check(path.description == pathText, "path '\(pathText)' describes itself as '\(path.description)'")
    // A bracketed name (`["a.b"]`, `[""]`) is the one way a segment is written other than as
    // itself, and the one way to name an empty key.
    if !pathText.unicodeScalars.contains("[") {
      check(!path.segments.contains(where: \.isEmpty), "path '\(pathText)' has an empty segment")
      check(path.segments.joined(separator: ".") == pathText, "path '\(pathText)' splits as \(path.segments)")
    }
    check(path.isMultiple == path.steps.contains(.anyItem), "path '\(pathText)': isMultiple disagrees with its steps")
  }
  guard let document = try? JSON.parse(rest) else { return 0 }
  if let path {
    let value = path.value(in: document)
    let again = try? JSON.parse(document.serialized())
    check(again.flatMap { path.value(in: $0) } == value, "'\(pathText)' finds another value after re-printing")
  }

  // A path built by walking the document (steered by the path bytes) finds what the walk found.
  // Any key can be written: as itself when it is plain, else as a bracketed JSON string.
  var node = document
  var segments: [String] = []
  var starAt: Int?  // where the first array index is, for the same path with `*` there
  for byte in first.prefix(16) {
    switch node {
    case .array(let items) where !items.isEmpty:
      let index = Int(byte) % items.count
      if starAt == nil { starAt = segments.count }
      segments.append(String(index))
      node = items[index]
    case .object(let members) where !members.isEmpty:
      let key = members[Int(byte) % members.count].key
      guard let value = node[key] else {
        check(false, "member '\(key)' listed but not found")
        return 0
      }
      segments.append(isPlain(key) ? key : "[\(JSON.string(key).serialized())]")
      node = value
    default:
      break
    }
  }
  guard !segments.isEmpty else { return 0 }
  let built = segments.joined(separator: ".")
  guard let walk = JSONPath(built) else {
    check(false, "the path '\(built)' built from the document does not parse")
    return 0
  }
  check(!walk.isMultiple, "'\(built)' names no `*` but is taken as several values")
  check(walk.value(in: document) == node, "'\(built)' does not find the value the walk reached")

  // `*` in place of the first index stands for every item: its values hold the one the index
  // found, and a single value is never more than the array had items.
  if let starAt {
    var starred = segments
    starred[starAt] = "*"
    let text = starred.joined(separator: ".")
    guard let star = JSONPath(text) else {
      check(false, "the path '\(text)' built from the document does not parse")
      return 0
    }
    check(star.isMultiple, "'\(text)' is not taken as several values")
    let found = star.values(in: document)
    check(found.contains(node), "'\(text)' does not find the value '\(built)' found")
    check(star.value(in: document) == .array(found), "'\(text)': value is not the array of its values")
    check(star.slots(in: document).compactMap { $0 } == found, "'\(text)': slots disagree with values")
  }
  return 0
}

/// Whether a key is written as itself in a path: not empty, no dot, not `*`, no `["`.
private func isPlain(_ key: String) -> Bool {
  let s = Array(key.unicodeScalars)
  guard !s.isEmpty, s != ["*"], !s.contains(".") else { return false }
  return !zip(s, s.dropFirst()).contains { $0 == "[" && $1 == "\"" }
}
