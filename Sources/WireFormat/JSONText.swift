/// Writing JSON text, shared by jobctl's `JSON` and the simulator's `SimJSON`.
///
/// Only the writer is shared: each keeps its own parser, so the simulator stays an independent
/// oracle for what jobctl reads. What is written must agree byte for byte (the simulator's
/// answers are what jobctl's tests compare against), so there is one copy of it.
public enum JSONText {
  /// Appends `s` as a JSON string literal: quotes, backslashes and control characters (C0 and
  /// DEL) escaped, everything else as it is.
  @inlinable
  public static func appendString(_ s: String, to out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20 || scalar.value == 0x7F:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }

  /// Appends a JSON array, each element written by `element`.
  @inlinable
  public static func appendArray<C: Collection>(
    _ items: C, to out: inout String, _ element: (C.Element, inout String) -> Void
  ) {
    out += "["
    var first = true
    for item in items {
      if !first { out += "," }
      first = false
      element(item, &out)
    }
    out += "]"
  }

  /// Appends a JSON object, in the members' order, each value written by `value`.
  @inlinable
  public static func appendObject<C: Collection>(
    _ members: C, to out: inout String, key: (C.Element) -> String, value: (C.Element, inout String) -> Void
  ) {
    out += "{"
    var first = true
    for member in members {
      if !first { out += "," }
      first = false
      appendString(key(member), to: &out)
      out += ":"
      value(member, &out)
    }
    out += "}"
  }
}
