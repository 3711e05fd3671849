import WireFormat

/// A JSON value with ordered object keys, enough to write the simulator's documents and read
/// the small bodies clients post.
///
/// Key order is kept so that answers read like the APIs they imitate and stay byte-stable.
public indirect enum SimJSON: Sendable, Equatable {
  case null
  case bool(Bool)
  /// A number kept as its literal text, so `0.637` and `1` print exactly as given.
  case number(String)
  case string(String)
  case array([SimJSON])
  case object([Field])

  /// One member of an object.
  public struct Field: Sendable, Equatable {
    public var key: String
    public var value: SimJSON

    public init(_ key: String, _ value: SimJSON) {
      self.key = key
      self.value = value
    }
  }

  /// An integer number.
  public static func int(_ value: Int) -> SimJSON { .number(String(value)) }

  /// An object from key/value pairs, in the given order.
  public static func obj(_ fields: (String, SimJSON)...) -> SimJSON {
    .object(fields.map { Field($0.0, $0.1) })
  }

  /// The member `key` of an object (the last one when repeated, as jobctl reads it); nil for
  /// other values.
  public subscript(key: String) -> SimJSON? {
    guard case .object(let fields) = self else { return nil }
    return fields.last { $0.key == key }?.value
  }

  /// The deepest nesting of arrays and objects accepted, the same as jobctl's.
  public static let maximumDepth = 256

  /// Compact JSON text.
  public var text: String {
    var out = ""
    write(to: &out)
    return out
  }

  private func write(to out: inout String) {
    switch self {
    case .null: out += "null"
    case .bool(let value): out += value ? "true" : "false"
    case .number(let literal): out += literal
    case .string(let value): JSONText.appendString(value, to: &out)
    case .array(let items): JSONText.appendArray(items, to: &out) { $0.write(to: &$1) }
    case .object(let fields): JSONText.appendObject(fields, to: &out, key: \.key) { $0.value.write(to: &$1) }
    }
  }

  /// Parses JSON text; nil when it is not exactly one valid JSON value.
  ///
  /// Written apart from jobctl's parser (the simulator is a test oracle) but to the same rules:
  /// RFC 8259 numbers, invalid UTF-8 refused, at most `maximumDepth` nested containers.
  public static func parse(_ bytes: [UInt8]) -> SimJSON? {
    var parser = Parser(bytes: bytes)
    guard let value = parser.value(depth: 0) else { return nil }
    parser.skipSpace()
    return parser.index == bytes.count ? value : nil
  }

  /// A recursive-descent parser over UTF-8 bytes.
  private struct Parser {
    let bytes: [UInt8]
    var index = 0

    mutating func skipSpace() {
      while index < bytes.count, [9, 10, 13, 32].contains(bytes[index]) { index += 1 }
    }

    /// `depth`: the containers around this value.
    mutating func value(depth: Int) -> SimJSON? {
      skipSpace()
      guard index < bytes.count else { return nil }
      // Deep nesting only comes from hostile input; refuse it rather than overflow the stack.
      switch bytes[index] {
      case UInt8(ascii: "{"): return depth < SimJSON.maximumDepth ? object(depth: depth) : nil
      case UInt8(ascii: "["): return depth < SimJSON.maximumDepth ? array(depth: depth) : nil
      case UInt8(ascii: "\""): return string().map(SimJSON.string)
      case UInt8(ascii: "t"): return literal("true", .bool(true))
      case UInt8(ascii: "f"): return literal("false", .bool(false))
      case UInt8(ascii: "n"): return literal("null", .null)
      default: return number()
      }
    }

    mutating func literal(_ word: String, _ value: SimJSON) -> SimJSON? {
      let expected = Array(word.utf8)
      guard index + expected.count <= bytes.count,
        Array(bytes[index..<(index + expected.count)]) == expected
      else { return nil }
      index += expected.count
      return value
    }

    /// RFC 8259's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    mutating func number() -> SimJSON? {
      let start = index
      func digits(_ index: inout Int, _ bytes: [UInt8]) -> Bool {
        let first = index
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
        return index > first
      }
      if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
      if index < bytes.count, bytes[index] == UInt8(ascii: "0") {
        index += 1
      } else if !digits(&index, bytes) {
        return nil
      }
      if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
        index += 1
        guard digits(&index, bytes) else { return nil }
      }
      if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digits(&index, bytes) else { return nil }
      }
      return .number(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    mutating func string() -> String? {
      index += 1
      var scalars = String.UnicodeScalarView()
      var raw: [UInt8] = []
      /// False when `raw` is not UTF-8: refused, not repaired, as jobctl does.
      func flush(_ raw: inout [UInt8], into scalars: inout String.UnicodeScalarView) -> Bool {
        guard let text = String(validating: raw, as: UTF8.self) else { return false }
        scalars.append(contentsOf: text.unicodeScalars)
        raw.removeAll()
        return true
      }
      while index < bytes.count {
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""):
          guard flush(&raw, into: &scalars) else { return nil }
          return String(scalars)
        case UInt8(ascii: "\\"):
          guard flush(&raw, into: &scalars), index < bytes.count else { return nil }
          let escape = bytes[index]
          index += 1
          switch escape {
          case UInt8(ascii: "\""): scalars.append("\"")
          case UInt8(ascii: "\\"): scalars.append("\\")
          case UInt8(ascii: "/"): scalars.append("/")
          case UInt8(ascii: "b"): scalars.append("\u{08}")
          case UInt8(ascii: "f"): scalars.append("\u{0C}")
          case UInt8(ascii: "n"): scalars.append("\n")
          case UInt8(ascii: "r"): scalars.append("\r")
          case UInt8(ascii: "t"): scalars.append("\t")
          case UInt8(ascii: "u"):
            guard let unit = hex4() else { return nil }
            if (0xD800..<0xDC00).contains(unit), index + 1 < bytes.count,
              bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            {
              index += 2
              guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
              let combined = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
              scalars.append(Unicode.Scalar(combined) ?? "\u{FFFD}")
            } else {
              scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
            }
          default: return nil
          }
        case 0..<0x20:
          return nil
        default:
          raw.append(byte)
        }
      }
      return nil
    }

    mutating func hex4() -> UInt32? {
      guard index + 4 <= bytes.count,
        let value = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16)
      else { return nil }
      index += 4
      return value
    }

    mutating func array(depth: Int) -> SimJSON? {
      index += 1
      var items: [SimJSON] = []
      skipSpace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
        index += 1
        return .array(items)
      }
      while true {
        guard let item = value(depth: depth + 1) else { return nil }
        items.append(item)
        skipSpace()
        guard index < bytes.count else { return nil }
        index += 1
        if bytes[index - 1] == UInt8(ascii: "]") { return .array(items) }
        guard bytes[index - 1] == UInt8(ascii: ",") else { return nil }
      }
    }

    mutating func object(depth: Int) -> SimJSON? {
      index += 1
      var fields: [Field] = []
      skipSpace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
        index += 1
        return .object(fields)
      }
      while true {
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = string() else {
          return nil
        }
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
        index += 1
        guard let item = value(depth: depth + 1) else { return nil }
        fields.append(Field(key, item))
        skipSpace()
        guard index < bytes.count else { return nil }
        index += 1
        if bytes[index - 1] == UInt8(ascii: "}") { return .object(fields) }
        guard bytes[index - 1] == UInt8(ascii: ",") else { return nil }
      }
    }
  }
}
