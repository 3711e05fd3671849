import FuzzSupport

@testable import JobctlKit

/// `--field PATH` against a document: the first line of the input is the path, the rest the
/// document.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONPath(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let (first, rest) = splitFirstLine(fuzzBytes(data, size))
  guard let pathText = fuzzText(first) else { return 0 }
  let path = JSONPath(pathText)
  if let path {
    check(path.description == pathText, "path '\(pathText)' describes itself as '\(path.description)'")
    check(!path.segments.contains(where: \.isEmpty), "path '\(pathText)' has an empty segment")
    // A bracketed name (`["a.b"]`) is the one way a segment is written other than as itself.
    if !pathText.unicodeScalars.contains("[") {
      check(path.segments.joined(separator: ".") == pathText, "path '\(pathText)' splits as \(path.segments)")
    }
  }
  guard let document = try? JSON.parse(rest) else { return 0 }
  if let path {
    let value = path.value(in: document)
    let again = try? JSON.parse(document.serialized())
    check(again.flatMap { path.value(in: $0) } == value, "'\(pathText)' finds another value after re-printing")
  }

  // A path built by walking the document (steered by the path bytes) finds what the walk found.
  var node = document
  var segments: [String] = []
  for byte in first.prefix(16) {
    switch node {
    case .array(let items) where !items.isEmpty:
      let index = Int(byte) % items.count
      segments.append(String(index))
      node = items[index]
    case .object(let members) where !members.isEmpty:
      let key = members[Int(byte) % members.count].key
      // Keys with a dot, or empty ones, cannot be written as a path.
      // `*` stands for every item, and `["` starts a bracketed name.
      guard !key.isEmpty, !key.unicodeScalars.contains("."), key != "*", !key.contains("[\"") else { return 0 }
      guard let value = node[key] else {
        check(false, "member '\(key)' listed but not found")
        return 0
      }
      segments.append(key)
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
  check(walk.value(in: document) == node, "'\(built)' does not find the value the walk reached")
  return 0
}
