import JobctlKit

/// Collects text in memory, for tests; `failure` set beforehand makes every write fail.
public final class BufferSink: TextSink {
  public private(set) var text = ""
  public var isTerminal: Bool
  public var failure: WriteFailure?
  /// The errors said here, in order (see `TextSink.told`).
  public private(set) var errors: [JobctlError] = []

  public init(isTerminal: Bool = false, failure: WriteFailure? = nil) {
    self.isTerminal = isTerminal
    self.failure = failure
  }

  public func write(_ text: String) {
    if failure == nil { self.text += text }
  }
  public func writeBytes(_ bytes: [UInt8]) {
    if failure == nil { self.text += String(decoding: bytes, as: UTF8.self) }
  }
  public func told(_ error: JobctlError) { errors.append(error) }
}
