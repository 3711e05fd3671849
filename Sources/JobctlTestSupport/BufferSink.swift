import JobctlEngine
import JobctlHTTP
import JobctlKit
import JobctlOutput
import JobctlShapes
import JobctlSupport
import JobctlTransport

/// Collects text in memory, for tests; `failure` set beforehand makes every write fail.
package final class BufferSink: TextSink {
  package private(set) var text = ""
  package var isTerminal: Bool
  package var failure: WriteFailure?
  /// The errors said here, in order (see `TextSink.told`).
  package private(set) var errors: [JobctlError] = []

  package init(isTerminal: Bool = false, failure: WriteFailure? = nil) {
    self.isTerminal = isTerminal
    self.failure = failure
  }

  package func write(_ text: String) {
    if failure == nil { self.text += text }
  }
  package func writeBytes(_ bytes: [UInt8]) {
    if failure == nil { self.text += String(decoding: bytes, as: UTF8.self) }
  }
  package func told(_ error: JobctlError) { errors.append(error) }
}
