import FuzzSupport

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// Header lines both ways: a user's `--header 'Name: value'` and a line of a response head as
/// libcurl hands it over; and the redaction of credential headers in `--verbose` traces.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHeader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = fuzzBytes(data, size)
  guard let text = fuzzText(bytes) else { return 0 }

  // A response head line: the name is what comes before the first colon, the value is
  // trimmed of HTTP's whitespace (SP, HT) and the line break (CR, LF); nothing else is
  // whitespace to HTTP.
  if case .header(let header) = ResponseHeadLine(text) {
    let edge: Set<Unicode.Scalar> = [" ", "\t", "\r", "\n"]
    check(!header.name.unicodeScalars.contains(":"), "response header name '\(header.name)' holds a colon")
    check(
      header.value.unicodeScalars.first.map { !edge.contains($0) } ?? true
        && header.value.unicodeScalars.last.map { !edge.contains($0) } ?? true,
      "response header value '\(header.value.debugDescription)' is not trimmed")
  }

  // A user's header: anything accepted can be sent as one line and reads back the same.
  let header: HTTPHeader
  do {
    header = try Settings.parseHeader(Layers.Found(value: text, origin: "--header"))
  } catch {
    check(error.message.map { !$0.contains("\n") && !$0.contains("\r") } ?? true, "multi-line error message")
    return 0
  }
  check(!header.name.isEmpty && header.name.unicodeScalars.allSatisfy(\.isASCII), "bad name '\(header.name)'")
  check(
    !header.value.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }),
    "header value \(header.value.debugDescription) holds a control character")
  let line = "\(header.name): \(header.value)"  // as the transport hands it to libcurl
  check(
    ResponseHeadLine(line + "\r\n") == .header(header),
    "'\(line)' reads back as \(ResponseHeadLine(line + "\r\n"))")

  // The trace shows a credential header's name, never its value.
  let shown = Credentials.redactHeaderLine(line)
  if Credentials.isCredentialHeader(header.name) {
    check(shown == "\(header.name): \(Credentials.redacted)", "credential header traced as '\(shown)'")
  } else {
    check(shown == line, "a plain header traced as '\(shown)'")
  }
  return 0
}
