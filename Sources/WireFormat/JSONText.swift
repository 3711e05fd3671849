/// Writing JSON text, shared by jobctl's `JSON` and the simulator's `SimJSON`.
///
/// Only the writer is shared: each keeps its own parser, so the simulator stays an independent
/// oracle for what jobctl reads. What is written must agree byte for byte (the simulator's
/// answers are what jobctl's tests compare against), so there is one copy of it.
public enum JSONText {
  /// Appends `s` as a JSON string literal: quotes, backslashes and control characters (C0 and
  /// DEL) escaped, everything else as it is.
  ///
  /// Runs that need no escape are appended whole, not scalar by scalar: a many-job wait writes
  /// every job's document this way, and appending one scalar at a time was most of its cost.
  @inlinable
  public static func appendString(_ s: String, to out: inout String) {
    out += "\""
    var text = s
    text.withUTF8 { bytes in
      var run = 0
      for i in bytes.indices {
        let byte = bytes[i]
        // UTF-8 bytes of non-ASCII scalars are all 0x80 or more: they stay in the run.
        guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F else { continue }
        if run < i { out += String(decoding: UnsafeBufferPointer(rebasing: bytes[run..<i]), as: UTF8.self) }
        switch byte {
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        default:
          let hex = String(byte, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        run = i + 1
      }
      if run < bytes.count {
        out += String(decoding: UnsafeBufferPointer(rebasing: bytes[run..<bytes.count]), as: UTF8.self)
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
