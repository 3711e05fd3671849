import FuzzSupport

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// URLs as `--base-url`, a job reference or a `Location` header give them, and ids encoded into
/// a path segment.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzURL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  guard let text = fuzzText(fuzzBytes(data, size)) else { return 0 }

  if let parts = URLParts(text) {
    check(parts.scheme == "http" || parts.scheme == "https", "'\(text)' has scheme \(parts.scheme)")
    check(!parts.host.isEmpty, "'\(text)' has an empty host")
    check(
      !parts.host.unicodeScalars.contains { "/?#@".unicodeScalars.contains($0) || $0.value <= 0x20 },
      "'\(text)' has host '\(parts.host)'")
    check((1...65535).contains(parts.port), "'\(text)' has port \(parts.port)")
    // By scalar, as URLParts reads it: a "/" followed by a combining mark is no "/" Character.
    check(
      parts.target.unicodeScalars.first == "/" && !parts.target.unicodeScalars.contains("#"),
      "'\(text)' has target '\(parts.target)'")
    // Origin and target put together name the same place.
    let again = URLParts(parts.origin + parts.target)
    check(
      again?.hostKey == parts.hostKey && again?.target == parts.target && again?.scheme == parts.scheme,
      "'\(text)' → '\(parts.origin + parts.target)' reads as \(String(describing: again))")
  }

  // An id becomes one path segment whatever it holds, and decodes back to itself.
  let encoded = PercentEncoding.component(text)
  check(encoded != "." && encoded != "..", "'\(text)' encodes to a dot segment")
  let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%".utf8)
  check(encoded.utf8.allSatisfy(unreserved.contains), "'\(text)' encodes to '\(encoded)'")
  check(decode(encoded) == Array(text.utf8), "'\(text)' encodes to '\(encoded)', which decodes to something else")
  return 0
}

private func decode(_ text: String) -> [UInt8]? {
  var out: [UInt8] = []
  var bytes = text.utf8.makeIterator()
  while let b = bytes.next() {
    guard b == UInt8(ascii: "%") else {
      out.append(b)
      continue
    }
    guard let h = bytes.next(), let l = bytes.next(), let v = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16)
    else { return nil }
    out.append(v)
  }
  return out
}
