/// Stops the run when an invariant does not hold: the trap is a crash to libFuzzer, which saves
/// the input that caused it.
public func check(
  _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID,
  line: UInt = #line
) {
  if !condition() { fatalError("invariant failed: \(message())", file: file, line: line) }
}

/// The bytes libFuzzer hands a target.
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
  guard let data, size > 0 else { return [] }
  return Array(UnsafeBufferPointer(start: data, count: size))
}

/// The input as text the way jobctl receives text from outside: arguments, environment values
/// and header values are decoded leniently; nil when `strict` and the bytes are not UTF-8 (files
/// jobctl reads as text are refused then).
public func fuzzText(_ bytes: [UInt8], strict: Bool = false) -> String? {
  strict ? String(validating: bytes, as: UTF8.self) : String(decoding: bytes, as: UTF8.self)
}

/// Splits the input at its first newline: a short parameter (a path, a name) and the rest.
public func splitFirstLine(_ bytes: [UInt8]) -> (first: [UInt8], rest: [UInt8]) {
  guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return (bytes, []) }
  return (Array(bytes[..<newline]), Array(bytes[(newline + 1)...]))
}
