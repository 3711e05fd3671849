import WireFormat

/// How jobctl names a status code in messages.
public enum HTTPStatus {
  /// `HTTP 503 Service Unavailable`.
  public static func describe(_ code: Int) -> String {
    HTTPReason.phrase(code).map { "HTTP \(code) \($0)" } ?? "HTTP \(code)"
  }
}
