/// A dotted path into a JSON document, as `--field` takes it: `result.address`, `jobs.0.jobId`.
///
/// A segment that is a whole number indexes an array; on an object it is an ordinary member name,
/// so `{"0": ...}` stays reachable.
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
  public let segments: [String]
  public let description: String

  /// Parses PATH; empty paths and empty segments (`a..b`, `.a`) are refused.
  public init?(_ text: String) {
    // Split by scalar: a dot followed by a combining mark is one Character, which is not ".".
    let parts = text.unicodeScalars.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard !text.isEmpty, !parts.contains(where: \.isEmpty) else { return nil }
    segments = parts
    description = text
  }

  /// The value at this path, or nil when any step is missing.
  public func value(in document: JSON) -> JSON? {
    var current = document
    for segment in segments {
      switch current {
      case .object:
        guard let next = current[segment] else { return nil }
        current = next
      case .array(let items):
        guard let index = Int(segment), index >= 0, index < items.count,
          segment.allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        current = items[index]
      default:
        return nil
      }
    }
    return current
  }
}
