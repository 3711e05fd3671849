/// Small text helpers shared by the output and error paths.
package enum Text {
  /// Server-provided text made safe for one log line, its control characters shown escaped.
  ///
  /// ESC becomes `\x1b`, LF `\n` and so on, so a hostile answer can neither move the cursor nor
  /// forge lines in a CI log, and what it sent can still be read. At most `limit` scalars of `s`
  /// are kept, then "...".
  /// A word as a POSIX shell reads it back: as it is when it holds only safe characters, else
  /// in single quotes (control characters escaped first, as `oneLine` shows them).
  package static func shellWord(_ s: String) -> String {
    let line = oneLine(s)
    let safe =
      !line.isEmpty
      && line.unicodeScalars.allSatisfy { c in
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
          || "_./:@%+=,-".unicodeScalars.contains(c)
      }
    if safe { return line }
    return "'" + line.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  package static func oneLine(_ s: String, limit: Int = 500) -> String {
    // Printable ASCII within the limit, the common case, is already one safe line.
    if s.utf8.count <= limit, s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return s }
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

  /// `s` cut to `width` columns (at least 10), ending with "..." when it was cut.
  package static func fitted(_ s: String, width: Int) -> String {
    let width = max(width, 10)
    return columns(s) <= width ? s : prefix(s, columns: width - 3) + "..."
  }

  /// The terminal columns a scalar takes.
  ///
  /// 0 for combining marks, format characters and other zero-width scalars, 2 for East Asian wide
  /// and fullwidth ones (CJK, Hangul, kana, most emoji), else 1: a table of our own, close to
  /// what terminals' `wcwidth` says.
  package static func columns(_ scalar: Unicode.Scalar) -> Int {
    let v = scalar.value
    if v < 0x300 { return v < 0x20 || (v >= 0x7F && v < 0xA0) ? 0 : 1 }
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return 0
    default: break
    }
    if (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return 0 }  // Hangul vowels and finals
    var low = 0
    var high = wideRanges.count - 1
    while low <= high {
      let mid = (low + high) / 2
      let range = wideRanges[mid]
      if v < range.lowerBound {
        high = mid - 1
      } else if v > range.upperBound {
        low = mid + 1
      } else {
        return 2
      }
    }
    return 1
  }

  /// East Asian Wide and Fullwidth (Unicode's EastAsianWidth.txt, W and F), merged and sorted.
  private static let wideRanges: [ClosedRange<UInt32>] = [
    0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
    0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
    0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
    0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
    0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
    0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55, 0x2E80...0x303E,
    0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
    0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4,
    0x16FF0...0x16FF1, 0x17000...0x18CFF, 0x18D00...0x18D08, 0x1AFF0...0x1B2FF, 0x1F004...0x1F004,
    0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F202, 0x1F210...0x1F23B,
    0x1F240...0x1F248, 0x1F250...0x1F251, 0x1F260...0x1F265, 0x1F300...0x1F320, 0x1F32D...0x1F335,
    0x1F337...0x1F37C, 0x1F37E...0x1F393, 0x1F3A0...0x1F3CA, 0x1F3CF...0x1F3D3, 0x1F3E0...0x1F3F0,
    0x1F3F4...0x1F3F4, 0x1F3F8...0x1F43E, 0x1F440...0x1F440, 0x1F442...0x1F4FC, 0x1F4FF...0x1F53D,
    0x1F54B...0x1F54E, 0x1F550...0x1F567, 0x1F57A...0x1F57A, 0x1F595...0x1F596, 0x1F5A4...0x1F5A4,
    0x1F5FB...0x1F64F, 0x1F680...0x1F6C5, 0x1F6CC...0x1F6CC, 0x1F6D0...0x1F6D2, 0x1F6D5...0x1F6D7,
    0x1F6DC...0x1F6DF, 0x1F6EB...0x1F6EC, 0x1F6F4...0x1F6FC, 0x1F7E0...0x1F7EB, 0x1F7F0...0x1F7F0,
    0x1F90C...0x1F93A, 0x1F93C...0x1F945, 0x1F947...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD,
    0x30000...0x3FFFD,
  ]

  /// The terminal columns `s` takes (see `columns(_:)` for a scalar).
  package static func columns<S: StringProtocol>(_ s: S) -> Int {
    // ASCII, the common case (a 100,000-row table), by its bytes.
    var ascii = 0
    for b in s.utf8 {
      guard b < 0x80 else { return s.unicodeScalars.reduce(0) { $0 + columns($1) } }
      if b >= 0x20 && b != 0x7F { ascii += 1 }
    }
    return ascii
  }

  /// The longest start of `s` that fits in `columns`, cut between characters.
  package static func prefix(_ s: String, columns limit: Int) -> String {
    var used = 0
    var end = s.startIndex
    for index in s.indices {
      let w = columns(s[index...index])
      if used + w > limit { break }
      used += w
      end = s.index(after: index)
    }
    return String(s[..<end])
  }

  /// The longest end of `s` that fits in `columns`, cut between characters.
  package static func suffix(_ s: String, columns limit: Int) -> String {
    var used = 0
    var start = s.endIndex
    while start > s.startIndex {
      let before = s.index(before: start)
      let w = columns(s[before..<start])
      if used + w > limit { break }
      used += w
      start = before
    }
    return String(s[start...])
  }

  /// Where `needle` first occurs in `haystack` at or after `start` (an empty needle at `start`),
  /// byte for byte.
  package static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
    guard let first = needle.first else { return start }
    var i = start
    while i + needle.count <= haystack.count {
      if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
      i += 1
    }
    return nil
  }

  /// The parts of `text` between the `separator`s that stand outside double-quoted strings.
  ///
  /// In a quoted string a backslash escapes the next character; the quotes stay in the parts. The
  /// lists of a condition and of a structured header field are split this way.
  package static func split(_ text: some StringProtocol, outsideQuotesAt separator: Unicode.Scalar) -> [Substring] {
    var parts: [Substring] = []
    var current = String.UnicodeScalarView()
    var quoted = false
    var escaped = false
    for scalar in text.unicodeScalars {
      if quoted {
        if escaped {
          escaped = false
        } else if scalar == "\\" {
          escaped = true
        } else if scalar == "\"" {
          quoted = false
        }
      } else if scalar == "\"" {
        quoted = true
      } else if scalar == separator {
        parts.append(Substring(String(current)))
        current = String.UnicodeScalarView()
        continue
      }
      current.append(scalar)
    }
    parts.append(Substring(String(current)))
    return parts
  }

  /// Whether `s` holds `part`, byte for byte: String's own search goes through generic
  /// collection algorithms, slow for a message of any length (docs/performance.md), and a
  /// many-job wait that gives up asks it once a job.
  package static func contains(_ s: String, _ part: String) -> Bool {
    firstIndex(of: Array(part.utf8), in: Array(s.utf8)) != nil
  }

  /// Whether `s` holds anything `oneLine` would escape.
  package static func hasControlCharacters(_ s: String) -> Bool {
    s.unicodeScalars.contains { escape($0) != nil }
  }

  /// The escaped form of a scalar that may not reach a terminal or log as it is, else nil: C0 and
  /// C1 controls, DEL, the line separators, and every format character (Unicode's Cf: the
  /// bidirectional marks, overrides and isolates that reorder a line, U+061C, the zero-width
  /// U+200B...U+200F and U+2060...U+2064, U+FEFF, the invisible tags), plus the Hangul fillers
  /// that show as blanks: nothing a server sends is invisible or reorders what jobctl prints.
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
    case 0x2028, 0x2029, 0x115F, 0x1160, 0x3164, 0xFFA0: return "\\u" + hex(scalar.value, digits: 4)
    case 0..<0xAD: return nil
    default:
      guard scalar.properties.generalCategory == .format else { return nil }
      return scalar.value > 0xFFFF ? "\\U" + hex(scalar.value, digits: 8) : "\\u" + hex(scalar.value, digits: 4)
    }
  }

  /// Without leading spaces and tabs, and trailing spaces, tabs and line breaks.
  ///
  /// By scalar, not Character: "\r\n" is one Character, and so is a space followed by a combining
  /// mark, which equals neither " " nor "\t" and would keep `Name: \u{301}x` from losing its space.
  @inlinable package static func trimmed(_ s: Substring) -> Substring {
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

  @inlinable package static func trimmed(_ s: String) -> String { String(trimmed(Substring(s))) }

  /// Whether `s` holds a CR or an LF, by scalar: `"\r\n"` is one Character, equal to neither.
  package static func hasLineBreak(_ s: String) -> Bool {
    s.utf8.contains { $0 == 0x0A || $0 == 0x0D }
  }

  /// Whether `s` ends with an LF (a CRLF included), by byte: `"a\r\n".hasSuffix("\n")` is false.
  package static func endsWithNewline(_ s: String) -> Bool { s.utf8.last == 0x0A }

  /// `Name: value` split at the first colon, found by scalar: as a Character, a colon followed by
  /// a combining mark is not ":", so a Character search would skip it and take a later one.
  package static func splitHeader(_ line: Substring) -> (name: String, value: Substring)? {
    let scalars = line.unicodeScalars
    guard let colon = scalars.firstIndex(of: ":") else { return nil }
    return (String(scalars[..<colon]), Substring(scalars[scalars.index(after: colon)...]))
  }

  /// Whether `name` is an HTTP field name (an RFC 9110 token): what `-H` and `@header:NAME` take.
  package static func isHeaderName<S: StringProtocol>(_ name: S) -> Bool {
    let tokenChars = "!#$%&'*+-.^_`|~".unicodeScalars
    return !name.isEmpty
      && name.unicodeScalars.allSatisfy {
        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || tokenChars.contains($0))
      }
  }

  /// ASCII case-insensitive equality, for header names.
  ///
  /// A plain loop over the two views: `zip` and `allSatisfy` cost many times more a call
  /// (docs/performance.md), and every header of every answer is compared a few times.
  @inlinable package static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
    guard a.utf8.count == b.utf8.count else { return false }
    var x = a.utf8.makeIterator()
    var y = b.utf8.makeIterator()
    while let p = x.next(), let q = y.next() {
      if lower(p) != lower(q) { return false }
    }
    return true
  }

  /// "a", "a or b", "a, b or c": items as a sentence names them.
  package static func listed(_ items: [String]) -> String {
    guard let last = items.last else { return "" }
    return items.count == 1 ? last : items.dropLast().joined(separator: ", ") + " or " + last
  }

  package static func lowercased(_ s: String) -> String {
    String(decoding: s.utf8.map(lower), as: UTF8.self)
  }

  @usableFromInline static func lower(_ b: UInt8) -> UInt8 {
    b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b + 32 : b
  }

  /// Wraps `text` in lines of at most `width` columns.
  ///
  /// The first line starts with `first`, the others with `indent` spaces. Line breaks in `text` count as spaces; a word longer than a line is cut
  /// (see `pieces`) unless `cut` is false (a shell command, whose words must stay whole). Every
  /// line ends with a newline.
  package static func wrap(_ text: String, width: Int, first: String = "", indent: Int = 0, cut: Bool = true) -> String
  {
    let margin = String(repeating: " ", count: indent)
    let room = max(1, width - indent)
    var out = ""
    var line = first
    // A first line that ends in a word (`Usage: jobctl`) goes on with a space.
    var lineHasWord = !(first.last?.isWhitespace ?? true)
    for word in text.split(whereSeparator: { $0 == " " || $0.isNewline }) {
      if lineHasWord && columns(line) + 1 + columns(word) > width {
        out += line + "\n"
        line = margin
        lineHasWord = false
      }
      // Too long for any line: its pieces each start a line of their own.
      let long = cut && columns(line) + (lineHasWord ? 1 : 0) + columns(word) > width
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

  /// A word cut into pieces of at most `room` columns, after a `/`, `,` or `-` where one
  /// falls in reach, so that a long path still fits the line.
  private static func pieces(_ word: Substring, _ room: Int) -> [Substring] {
    var out: [Substring] = []
    var rest = word
    while columns(rest) > room {
      var limit = rest.startIndex
      var used = 0
      while limit < rest.endIndex {
        let w = columns(rest[limit...limit])
        if used + w > room { break }
        used += w
        limit = rest.index(after: limit)
      }
      // A character wider than the room still goes, alone, so the loop ends.
      if limit == rest.startIndex { limit = rest.index(after: limit) }
      let cut = rest[..<limit].lastIndex { $0 == "/" || $0 == "," || $0 == "-" }.map { rest.index(after: $0) }
      let end = cut.flatMap { $0 > rest.startIndex ? $0 : nil } ?? limit
      out.append(rest[..<end])
      rest = rest[end...]
    }
    return out + [rest]
  }

  /// A count with its thousands grouped: `99,980`.
  package static func grouped(_ n: Int) -> String {
    let digits = Array(String(n.magnitude))
    var out = n < 0 ? "-" : ""
    for (i, d) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
      out.append(d)
    }
    return out
  }

  /// The percent form of a fraction: `45%`, `99.5%`.
  package static func percent(_ fraction: Double) -> String {
    let p = (fraction * 1000).rounded() / 10
    return p == p.rounded() ? "\(Int(p))%" : "\(p)%"
  }
}

extension String {
  /// Every `target` replaced (Foundation's method, which jobctl does without).
  package func replacingOccurrences(of target: String, with replacement: String) -> String {
    split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
