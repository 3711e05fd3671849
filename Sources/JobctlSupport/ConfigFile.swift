/// The config file: `[default]` and `[profile NAME]` sections of `key = value` lines, and
/// `[dialect NAME]` sections describing response shapes (docs/shapes.md "Any job API").
///
/// Keys are long option names; `#` starts a comment (at the start of a line, or after white space
/// in a value). Parsing is strict: an unknown key or a line that is not a section, a setting or a
/// comment is an error naming the file and line.
package struct ConfigFile: Sendable {
  /// One setting, with where it was written.
  package struct Entry: Sendable, Equatable {
    package let key: String
    package let value: String
    package let line: Int
  }

  package let path: String
  /// Entries by profile name (`default` for `[default]`), in file order.
  package private(set) var profiles: [String: [Entry]] = [:]
  /// Entries of each `[dialect NAME]` section, in file order.
  package private(set) var dialects: [String: [Entry]] = [:]

  /// Parses `text`; `keys` are the key names profiles accept, `shapeKeys` those of dialect
  /// sections.
  package init(path: String, text: String, keys: Set<String>, shapeKeys: Set<String> = []) throws(JobctlError) {
    self.path = path
    var current: String?
    var inDialect = false
    var number = 0
    // A leading byte order mark (Windows editors write one) is no part of the first line.
    let text = text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
    // "\r\n" is one Character, not "\n": a file saved with CRLF line ends would be one line.
    for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
      number += 1
      var line = Text.trimmed(Substring(raw))
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      if line.hasPrefix("[") {
        guard line.hasSuffix("]") else { throw error(number, .unclosedSection) }
        let inner = Text.trimmed(line.dropFirst().dropLast())
        let words = inner.split(separator: " ", omittingEmptySubsequences: true)
        inDialect = false
        if words.count == 1, words[0] == "default" {
          current = "default"
        } else if words.count == 2, words[0] == "profile", Self.isName(words[1]) {
          current = String(words[1])
        } else if words.count == 2, words[0] == "dialect", Self.isName(words[1]) {
          current = String(words[1])
          inDialect = true
        } else {
          throw error(number, .unknownSection(String(inner)))
        }
        if let current {
          if inDialect {
            if dialects[current] == nil { dialects[current] = [] }
          } else if profiles[current] == nil {
            profiles[current] = []
          }
        }
        continue
      }
      guard let eq = line.firstIndex(of: "=") else {
        throw error(number, .notKeyValue)
      }
      let key = Text.lowercased(String(Text.trimmed(line[..<eq])))
      line = Text.trimmed(line[line.index(after: eq)...])
      if let hash = line.firstRange(of: " #") { line = Text.trimmed(line[..<hash.lowerBound]) }
      var value = String(line)
      // Quotes found by scalar: a quote followed by a combining mark is one Character, not "\"".
      let scalars = value.unicodeScalars
      if scalars.count >= 2, scalars.first == "\"", scalars.last == "\"" {
        value = String(scalars.dropFirst().dropLast())
      }
      if inDialect, let section = current {
        guard shapeKeys.contains(key) else {
          throw error(number, .unknownShapeKey(key, section: section))
        }
        dialects[section, default: []].append(Entry(key: key, value: value, line: number))
        continue
      }
      guard keys.contains(key) else {
        throw error(number, .unknownConfigKey(key))
      }
      guard let section = current else {
        throw error(number, .keyBeforeSection(key))
      }
      profiles[section, default: []].append(Entry(key: key, value: value, line: number))
    }
  }

  private func error(_ line: Int, _ cause: JobctlError.Cause) -> JobctlError {
    .usage(.configLine(path: path, line: line, cause))
  }

  /// A profile or dialect name: ASCII letters, digits, `.`, `_`, `:` and `-` (`prod:eu`, `eu-west.2`).
  static func isName(_ s: Substring) -> Bool {
    !s.isEmpty
      && s.unicodeScalars.allSatisfy {
        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.:".unicodeScalars.contains($0))
      }
  }

  /// Profile names in the file, for shell completion.
  package var profileNames: [String] { profiles.keys.sorted() }
}
