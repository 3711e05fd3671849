/// Small text helpers shared by the output and error paths.
enum Text {
  /// Server-provided text made safe for one log line, its control characters shown escaped.
  ///
  /// ESC becomes `\x1b`, LF `\n` and so on, so a hostile answer can neither move the cursor nor
  /// forge lines in a CI log, and what it sent can still be read. At most `limit` scalars of `s`
  /// are kept, then "...".
  static func oneLine(_ s: String, limit: Int = 500) -> String {
    var out = String.UnicodeScalarView()
    var count = 0
    for scalar in s.unicodeScalars {
      if count >= limit {
        out.append(contentsOf: "...".unicodeScalars)
        break
      }
      if let escaped = escape(scalar) {
        out.append(contentsOf: escaped.unicodeScalars)
      } else {
        out.append(scalar)
      }
      count += 1
    }
    return String(out)
  }

  /// `s` cut to `width` characters (at least 10), ending with "..." when it was cut.
  static func fitted(_ s: String, width: Int) -> String {
    let width = max(width, 10)
    return s.count <= width ? s : String(s.prefix(width - 3)) + "..."
  }

  /// Whether `s` holds anything `oneLine` would escape.
  static func hasControlCharacters(_ s: String) -> Bool {
    s.unicodeScalars.contains { escape($0) != nil }
  }

  /// The escaped form of a scalar that may not reach a terminal or log as it is, else nil: C0 and
  /// C1 controls, DEL, and the line separators and bidirectional overrides that reorder a line.
  private static func escape(_ scalar: Unicode.Scalar) -> String? {
    func hex(_ value: UInt32, digits: Int) -> String {
      let text = String(value, radix: 16)
      return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
    switch scalar.value {
    case 0x09: return "\\t"
    case 0x0A: return "\\n"
    case 0x0D: return "\\r"
    case 0..<0x20, 0x7F, 0x80..<0xA0: return "\\x" + hex(scalar.value, digits: 2)
    case 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return "\\u" + hex(scalar.value, digits: 4)
    default: return nil
    }
  }

  /// Without leading spaces and tabs, and trailing spaces, tabs and line breaks.
  ///
  /// By scalar, not Character: "\r\n" is one Character, and so is a space followed by a combining
  /// mark, which equals neither " " nor "\t" and would keep `Name: \u{301}x` from losing its space.
  static func trimmed(_ s: Substring) -> Substring {
    let scalars = s.unicodeScalars
    var start = scalars.startIndex
    var end = scalars.endIndex
    while start < end, scalars[start] == " " || scalars[start] == "\t" { scalars.formIndex(after: &start) }
    while start < end {
      let last = scalars[scalars.index(before: end)]
      guard last == " " || last == "\t" || Character(last).isNewline else { break }
      scalars.formIndex(before: &end)
    }
    return Substring(scalars[start..<end])
  }

  static func trimmed(_ s: String) -> String { String(trimmed(Substring(s))) }

  /// Whether `s` holds a CR or an LF, by scalar: `"\r\n"` is one Character, equal to neither.
  static func hasLineBreak(_ s: String) -> Bool {
    s.utf8.contains { $0 == 0x0A || $0 == 0x0D }
  }

  /// Whether `s` ends with an LF (a CRLF included), by byte: `"a\r\n".hasSuffix("\n")` is false.
  static func endsWithNewline(_ s: String) -> Bool { s.utf8.last == 0x0A }

  /// `Name: value` split at the first colon, found by scalar: as a Character, a colon followed by
  /// a combining mark is not ":", so a Character search would skip it and take a later one.
  static func splitHeader(_ line: Substring) -> (name: String, value: Substring)? {
    let scalars = line.unicodeScalars
    guard let colon = scalars.firstIndex(of: ":") else { return nil }
    return (String(scalars[..<colon]), Substring(scalars[scalars.index(after: colon)...]))
  }

  /// Whether `name` is an HTTP field name (an RFC 9110 token): what `-H` and `@header:NAME` take.
  static func isHeaderName<S: StringProtocol>(_ name: S) -> Bool {
    let tokenChars = "!#$%&'*+-.^_`|~".unicodeScalars
    return !name.isEmpty
      && name.unicodeScalars.allSatisfy {
        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || tokenChars.contains($0))
      }
  }

  /// ASCII case-insensitive equality, for header names.
  ///
  /// A plain loop over the two views: `zip` and `allSatisfy` cost some 500 instructions a call,
  /// and every header of every answer is compared a few times.
  static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
    guard a.utf8.count == b.utf8.count else { return false }
    var x = a.utf8.makeIterator()
    var y = b.utf8.makeIterator()
    while let p = x.next(), let q = y.next() {
      if lower(p) != lower(q) { return false }
    }
    return true
  }

  static func lowercased(_ s: String) -> String {
    String(decoding: s.utf8.map(lower), as: UTF8.self)
  }

  private static func lower(_ b: UInt8) -> UInt8 {
    b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b + 32 : b
  }

  /// Wraps `text` in lines of at most `width` columns.
  ///
  /// The first line starts with `first`, the others with `indent` spaces. Line breaks in `text` count as spaces; a word longer than a line is cut
  /// (see `pieces`) unless `cut` is false (a shell command, whose words must stay whole). Every
  /// line ends with a newline.
  static func wrap(_ text: String, width: Int, first: String = "", indent: Int = 0, cut: Bool = true) -> String {
    let margin = String(repeating: " ", count: indent)
    let room = max(1, width - indent)
    var out = ""
    var line = first
    // A first line that ends in a word (`Usage: jobctl`) goes on with a space.
    var lineHasWord = !(first.last?.isWhitespace ?? true)
    for word in text.split(whereSeparator: { $0 == " " || $0.isNewline }) {
      if lineHasWord && line.count + 1 + word.count > width {
        out += line + "\n"
        line = margin
        lineHasWord = false
      }
      // Too long for any line: its pieces each start a line of their own.
      let long = cut && line.count + (lineHasWord ? 1 : 0) + word.count > width
      for (i, piece) in (long ? pieces(word, room) : [word]).enumerated() {
        if i > 0 {
          out += line + "\n"
          line = margin
          lineHasWord = false
        }
        line += (lineHasWord ? " " : "") + piece
        lineHasWord = true
      }
    }
    return out + line + "\n"
  }

  /// A word cut into pieces of at most `room` characters, after a `/`, `,` or `-` where one
  /// falls in reach, so that a long path still fits the line.
  private static func pieces(_ word: Substring, _ room: Int) -> [Substring] {
    var out: [Substring] = []
    var rest = word
    while rest.count > room {
      let limit = rest.index(rest.startIndex, offsetBy: room)
      let cut = rest[..<limit].lastIndex { $0 == "/" || $0 == "," || $0 == "-" }.map { rest.index(after: $0) }
      let end = cut.flatMap { $0 > rest.startIndex ? $0 : nil } ?? limit
      out.append(rest[..<end])
      rest = rest[end...]
    }
    return out + [rest]
  }

  /// The percent form of a fraction: `45%`, `99.5%`.
  static func percent(_ fraction: Double) -> String {
    let p = (fraction * 1000).rounded() / 10
    return p == p.rounded() ? "\(Int(p))%" : "\(p)%"
  }
}
