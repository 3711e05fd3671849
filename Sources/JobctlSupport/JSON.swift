import WireFormat

/// A parsed JSON value that keeps what a faithful re-print needs.
///
/// Numbers keep their source text, so `--field code` prints `40026` as the server wrote it, and
/// objects keep member order and duplicates (lookups take the last, as JavaScript does).
package enum JSON: Sendable, Equatable {
  case null
  case bool(Bool)
  case number(String)
  case string(String)
  case array([JSON])
  case object([(key: String, value: JSON)])

  package static func == (a: JSON, b: JSON) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.number(let x), .number(let y)): return x == y || Double(x) == Double(y)
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)): return x == y
    case (.object(let x), .object(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: return false
    }
  }

  /// The member named `key` of an object (the last one when the key repeats); nil otherwise.
  package subscript(key: String) -> JSON? {
    guard case .object(let members) = self else { return nil }
    return members.last(where: { $0.key == key })?.value
  }

  package var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  package var doubleValue: Double? {
    if case .number(let n) = self { return Double(n) }
    return nil
  }

  /// A number, `true` or `false`: what `--message-path` shows as `PATH=VALUE`.
  package var isScalarNumberOrBool: Bool {
    switch self {
    case .number, .bool: return true
    default: return false
    }
  }

  package var arrayValue: [JSON]? {
    if case .array(let a) = self { return a }
    return nil
  }

  package var isObject: Bool {
    if case .object = self { return true }
    return false
  }

  /// A scalar as readable text (strings raw, numbers as written); containers as compact JSON.
  package var displayText: String {
    switch self {
    case .string(let s): return s
    case .number(let n): return n
    default: return serialized()
    }
  }

  /// Compact JSON text.
  package func serialized() -> String {
    var out = ""
    write(to: &out)
    return out
  }

  /// Appends the compact JSON text to `out`.
  package func write(to out: inout String) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .number(let n): out += n
    case .string(let s): JSONText.appendString(s, to: &out)
    case .array(let items): JSONText.appendArray(items, to: &out) { $0.write(to: &$1) }
    case .object(let members): JSONText.appendObject(members, to: &out, key: \.key) { $0.value.write(to: &$1) }
    }
  }
}

/// Why a byte sequence is not JSON.
package struct JSONParseError: Error, Sendable, Equatable {
  package let offset: Int
  package let reason: String
}

extension JSON {
  /// The deepest nesting accepted; deeper documents are refused rather than recursed into.
  package static let maximumDepth = 256

  /// Parses RFC 8259 JSON from UTF-8 bytes; invalid UTF-8, trailing data and excess depth are errors.
  package static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSON {
    var parser = JSONParser(bytes: bytes)
    return try parser.parseDocument()
  }

  package static func parse(_ text: String) throws(JSONParseError) -> JSON {
    try parse(Array(text.utf8))
  }

  /// A job document kept as its bytes, parsed again when it is needed: `null` when it is no JSON
  /// (a shape that takes any body), as it was the first time.
  package static func reparsed(_ bytes: [UInt8]) -> JSON {
    (try? parse(bytes)) ?? .null
  }
}

private struct JSONParser {
  let bytes: [UInt8]
  var i = 0
  var depth = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  mutating func parseDocument() throws(JSONParseError) -> JSON {
    // A leading UTF-8 byte order mark, which some servers and editors write, is not the document.
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
    skipSpace()
    let value = try parseValue()
    skipSpace()
    if i != bytes.count { throw fail("unexpected data after the document") }
    return value
  }

  package func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: i, reason: reason) }

  mutating func skipSpace() {
    while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 {
      i += 1
    }
  }

  mutating func parseValue() throws(JSONParseError) -> JSON {
    guard i < bytes.count else { throw fail("unexpected end of input") }
    switch bytes[i] {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"):
      try literal("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try literal("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try literal("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default: throw fail("unexpected character")
    }
  }

  mutating func literal(_ word: StaticString) throws(JSONParseError) {
    let count = word.utf8CodeUnitCount
    guard i + count <= bytes.count else { throw fail("unexpected end of input") }
    let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
    for k in 0..<count where bytes[i + k] != expected[k] { throw fail("invalid literal") }
    i += count
  }

  mutating func enter() throws(JSONParseError) {
    depth += 1
    if depth > JSON.maximumDepth { throw fail("nested deeper than \(JSON.maximumDepth) levels") }
  }

  mutating func parseObject() throws(JSONParseError) -> JSON {
    try enter()
    defer { depth -= 1 }
    i += 1
    var members: [(key: String, value: JSON)] = []
    skipSpace()
    if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
      i += 1
      return .object(members)
    }
    while true {
      skipSpace()
      guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
      let key = try parseString()
      skipSpace()
      guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
      i += 1
      skipSpace()
      let value = try parseValue()
      members.append((key, value))
      skipSpace()
      guard i < bytes.count else { throw fail("unexpected end of input") }
      if bytes[i] == UInt8(ascii: ",") {
        i += 1
        continue
      }
      if bytes[i] == UInt8(ascii: "}") {
        i += 1
        return .object(members)
      }
      throw fail("expected ',' or '}'")
    }
  }

  mutating func parseArray() throws(JSONParseError) -> JSON {
    try enter()
    defer { depth -= 1 }
    i += 1
    var items: [JSON] = []
    skipSpace()
    if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
      i += 1
      return .array(items)
    }
    while true {
      skipSpace()
      items.append(try parseValue())
      skipSpace()
      guard i < bytes.count else { throw fail("unexpected end of input") }
      if bytes[i] == UInt8(ascii: ",") {
        i += 1
        continue
      }
      if bytes[i] == UInt8(ascii: "]") {
        i += 1
        return .array(items)
      }
      throw fail("expected ',' or ']'")
    }
  }

  mutating func parseNumber() throws(JSONParseError) -> JSON {
    let start = i
    if bytes[i] == UInt8(ascii: "-") { i += 1 }
    guard i < bytes.count, isDigit(bytes[i]) else { throw fail("invalid number") }
    if bytes[i] == UInt8(ascii: "0") {
      i += 1
    } else {
      while i < bytes.count, isDigit(bytes[i]) { i += 1 }
    }
    if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
      i += 1
      guard i < bytes.count, isDigit(bytes[i]) else { throw fail("invalid number") }
      while i < bytes.count, isDigit(bytes[i]) { i += 1 }
    }
    if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
      i += 1
      if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
      guard i < bytes.count, isDigit(bytes[i]) else { throw fail("invalid number") }
      while i < bytes.count, isDigit(bytes[i]) { i += 1 }
    }
    return .number(String(decoding: bytes[start..<i], as: UTF8.self))
  }

  func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

  mutating func parseString() throws(JSONParseError) -> String {
    i += 1
    var result = ""
    var runStart = i
    // Bytes of the current run at or above 0x80: a run without any needs no UTF-8 validation.
    var nonASCII = false
    while true {
      guard i < bytes.count else { throw fail("unterminated string") }
      let b = bytes[i]
      if b == UInt8(ascii: "\"") {
        let run = try validated(from: runStart, to: i, ascii: !nonASCII)
        i += 1
        // Most strings have no escapes: their one run is the string.
        if result.isEmpty { return run }
        result += run
        return result
      }
      if b < 0x20 { throw fail("control character in a string") }
      if b == UInt8(ascii: "\\") {
        result += try validated(from: runStart, to: i, ascii: !nonASCII)
        nonASCII = false
        i += 1
        guard i < bytes.count else { throw fail("unterminated string") }
        let e = bytes[i]
        i += 1
        switch e {
        case UInt8(ascii: "\""): result.unicodeScalars.append("\"")
        case UInt8(ascii: "\\"): result.unicodeScalars.append("\\")
        case UInt8(ascii: "/"): result.unicodeScalars.append("/")
        case UInt8(ascii: "b"): result.unicodeScalars.append("\u{08}")
        case UInt8(ascii: "f"): result.unicodeScalars.append("\u{0C}")
        case UInt8(ascii: "n"): result.unicodeScalars.append("\n")
        case UInt8(ascii: "r"): result.unicodeScalars.append("\r")
        case UInt8(ascii: "t"): result.unicodeScalars.append("\t")
        case UInt8(ascii: "u"):
          var code = try hex4()
          if (0xD800...0xDBFF).contains(code) {
            guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
              throw fail("unpaired surrogate")
            }
            i += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          } else if (0xDC00...0xDFFF).contains(code) {
            throw fail("unpaired surrogate")
          }
          guard let scalar = Unicode.Scalar(code) else { throw fail("invalid escape") }
          result.unicodeScalars.append(scalar)
        default: throw fail("invalid escape")
        }
        runStart = i
        continue
      }
      if b >= 0x80 { nonASCII = true }
      i += 1
    }
  }

  /// An unescaped run, validated as UTF-8 in one go unless it is all ASCII.
  ///
  /// ASCII is valid UTF-8 as it is, and most runs are (keys, status words): decoding them
  /// directly skips the generic validation, which was most of the cost of parsing a job document.
  func validated(from start: Int, to end: Int, ascii: Bool) throws(JSONParseError) -> String {
    guard end > start else { return "" }
    if ascii {
      return bytes.withUnsafeBufferPointer {
        String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self)
      }
    }
    guard let run = String(validating: bytes[start..<end], as: UTF8.self) else {
      throw fail("invalid UTF-8 in a string")
    }
    return run
  }

  mutating func hex4() throws(JSONParseError) -> UInt32 {
    guard i + 4 <= bytes.count else { throw fail("invalid \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let b = bytes[i]
      let d: UInt32
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
      default: throw fail("invalid \\u escape")
      }
      v = v * 16 + d
      i += 1
    }
    return v
  }
}
