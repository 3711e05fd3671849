/// One HTTP request as the server received it, kept in the server's log.
public struct Request: Sendable {
  /// The request method as sent, such as `GET`.
  public let method: String
  /// The request target as sent: path plus `?` and query when there is one.
  public let target: String
  /// The target up to the first `?`, still percent-encoded.
  public let path: String
  /// The target after the first `?` (without it), still percent-encoded; empty when absent.
  public let query: String
  /// Header fields in arrival order, names and values as received (values trimmed).
  public let headers: [(name: String, value: String)]
  /// The request body, decoded from chunked transfer coding when the client used it.
  public let body: [UInt8]
  /// Which connection carried the request, numbered from 1 in accept order.
  public let connectionID: Int
  /// When the request head was complete, in CLOCK_MONOTONIC seconds.
  ///
  /// Compare with `LoopbackServer.monotonicNow()`.
  public let time: Double

  /// Builds a request by hand, mainly to drive handlers such as `JobSimulator` without sockets.
  public init(
    method: String, target: String, headers: [(name: String, value: String)] = [],
    body: [UInt8] = [], connectionID: Int = 0, time: Double = 0
  ) {
    self.method = method
    self.target = target
    if let mark = target.firstIndex(of: "?") {
      path = String(target[..<mark])
      query = String(target[target.index(after: mark)...])
    } else {
      path = target
      query = ""
    }
    self.headers = headers
    self.body = body
    self.connectionID = connectionID
    self.time = time
  }

  /// The first header value named `name`, compared case-insensitively.
  public func header(_ name: String) -> String? {
    let wanted = name.lowercased()
    return headers.first { $0.name.lowercased() == wanted }?.value
  }

  /// The body decoded as UTF-8, with invalid sequences repaired.
  public var bodyText: String {
    String(decoding: body, as: UTF8.self)
  }

  /// The first query value named `name`, percent-decoded with `+` read as a space.
  ///
  /// A parameter given without `=` has the empty string as its value.
  public func queryValue(_ name: String) -> String? {
    FormDecoding.value(name, in: query)
  }
}

/// Decoding of `application/x-www-form-urlencoded` text, shared by queries and form bodies.
enum FormDecoding {
  /// All name/value pairs of `text` in order, both percent-decoded with `+` as a space.
  static func pairs(_ text: String) -> [(name: String, value: String)] {
    text.split(separator: "&", omittingEmptySubsequences: true).map { field in
      if let equals = field.firstIndex(of: "=") {
        return (
          decode(field[..<equals]), decode(field[field.index(after: equals)...])
        )
      }
      return (decode(field), "")
    }
  }

  /// The first value named `name` in `text`, or nil when absent.
  static func value(_ name: String, in text: String) -> String? {
    pairs(text).first { $0.name == name }?.value
  }

  /// Percent-decodes `text`, reading `+` as a space; malformed escapes are kept literally.
  static func decode<S: StringProtocol>(_ text: S) -> String {
    percentDecode(text, plusAsSpace: true)
  }
}

/// Percent-decodes `text`; `+` becomes a space only in form encoding, not in paths.
///
/// Malformed escapes are kept literally, as browsers and most servers do.
func percentDecode<S: StringProtocol>(_ text: S, plusAsSpace: Bool) -> String {
  var bytes: [UInt8] = []
  let source = Array(text.utf8)
  var index = 0
  while index < source.count {
    let byte = source[index]
    if byte == UInt8(ascii: "+") && plusAsSpace {
      bytes.append(UInt8(ascii: " "))
    } else if byte == UInt8(ascii: "%"), index + 2 < source.count,
      let high = hexValue(source[index + 1]), let low = hexValue(source[index + 2])
    {
      bytes.append(high << 4 | low)
      index += 2
    } else {
      bytes.append(byte)
    }
    index += 1
  }
  return String(decoding: bytes, as: UTF8.self)
}

private func hexValue(_ byte: UInt8) -> UInt8? {
  switch byte {
  case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
  case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
  case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
  default: return nil
  }
}
