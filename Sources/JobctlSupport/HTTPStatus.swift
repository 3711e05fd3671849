import WireFormat

/// How jobctl names a status code in messages.
package enum HTTPStatus {
  /// `HTTP 503 Service Unavailable`.
  package static func describe(_ code: Int) -> String {
    HTTPReason.phrase(code).map { "HTTP \(code) \($0)" } ?? "HTTP \(code)"
  }
}
