import FuzzSupport

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// The config file (`[default]` and `[profile NAME]` sections of `key = value` lines).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  // jobctl refuses a config file that is not UTF-8 before parsing it.
  guard let text = fuzzText(fuzzBytes(data, size), strict: true) else { return 0 }
  let parsed = parse(text)
  let lineCount = text.unicodeScalars.filter { $0 == "\n" }.count + 1
  switch parsed {
  case .failure(let message):
    check(message.hasPrefix("/c:"), "error without the file name: \(message)")
    check(
      !message.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
      "error message holds a control character: \(message.debugDescription)")
  case .success(let profiles):
    for (name, entries) in profiles {
      check(name == "default" || ConfigFile.isName(Substring(name)), "profile name '\(name)'")
      var previous = 0
      for entry in entries {
        check(Settings.configKeys.contains(entry.key), "unknown key '\(entry.key)' accepted")
        check(!entry.value.unicodeScalars.contains("\n"), "value \(entry.value.debugDescription) spans lines")
        check(entry.line > previous && entry.line <= lineCount, "line \(entry.line) after \(previous)")
        previous = entry.line
      }
    }
    // Written back out, quoting every value, the file reads the same.
    var out = ""
    for (name, entries) in profiles.sorted(by: { $0.key < $1.key }) {
      out += name == "default" ? "[default]\n" : "[profile \(name)]\n"
      for entry in entries { out += "\(entry.key) = \"\(entry.value)\"\n" }
    }
    check(values(parse(out)) == values(parsed), "written back as\n\(out)\nit reads differently")
  }

  // A file saved with CRLF line ends reads as the same file.
  if !text.unicodeScalars.contains("\r") {
    let crlf = text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
    let crlfParsed = parse(crlf)
    check(
      values(crlfParsed) == values(parsed),
      "with CRLF line ends the file reads differently: \(crlfParsed) instead of \(parsed)")
  }
  return 0
}

private enum Parsed: CustomStringConvertible {
  case success([String: [ConfigFile.Entry]])
  case failure(String)

  var description: String {
    switch self {
    case .success(let profiles): return "\(profiles)"
    case .failure(let message): return message
    }
  }
}

private func parse(_ text: String) -> Parsed {
  do {
    return .success(try ConfigFile(path: "/c", text: text, keys: Settings.configKeys).profiles)
  } catch {
    return .failure(error.message ?? "")
  }
}

/// What the file says, without line numbers: profile, key and value in order, or the error.
private func values(_ parsed: Parsed) -> [String: [String]] {
  switch parsed {
  case .success(let profiles): return profiles.mapValues { $0.map { "\($0.key)=\($0.value)" } }
  case .failure(let message): return ["error": [message]]
  }
}
