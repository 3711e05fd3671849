/// A `Content-Range` value: `bytes FIRST-LAST/TOTAL` (TOTAL `*` when unknown), or `bytes */TOTAL`
/// in a 416.
package struct ContentRange: Sendable, Equatable {
  /// The first and last byte sent; nil for `bytes */TOTAL`.
  package var first: Int?
  package var last: Int?
  package var total: Int?

  package init?(_ text: String) {
    let value = Text.trimmed(Substring(text))
    guard value.hasPrefix("bytes ") else { return nil }
    let spec = value.dropFirst(6)
    guard let slash = spec.firstIndex(of: "/") else { return nil }
    let range = spec[..<slash]
    let totalText = spec[spec.index(after: slash)...]
    if totalText == "*" {
      total = nil
    } else {
      guard let n = Int(totalText), n >= 0 else { return nil }
      total = n
    }
    if range == "*" {
      guard total != nil else { return nil }
      return
    }
    guard let dash = range.firstIndex(of: "-"), let a = Int(range[..<dash]),
      let b = Int(range[range.index(after: dash)...]), a >= 0, b >= a, total.map({ b < $0 }) ?? true
    else { return nil }
    first = a
    last = b
  }
}
