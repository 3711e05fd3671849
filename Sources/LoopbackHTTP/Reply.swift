import WireFormat

/// One scripted or handled answer: a normal HTTP response, or a fault that breaks the exchange.
public struct Reply: Sendable {
  /// The status code; the reason phrase is chosen by the server.
  public var status: Int
  /// Extra header fields, sent in order; the server computes `Content-Length` itself.
  public var headers: [(name: String, value: String)]
  /// The body; dropped for 1xx, 204 and 304 answers and for HEAD requests.
  public var body: [UInt8]
  /// Seconds to wait before answering; `stop()` cuts the wait short and the reply is never sent.
  public var delay: Double
  /// When set, the exchange breaks in this way instead of (or while) answering normally.
  public var fault: Fault?

  /// Ways to break an exchange, as a flaky server or network would.
  public enum Fault: Sendable {
    /// Reads the request, then closes with RST (SO_LINGER 0); nothing is sent.
    case resetBeforeStatus
    /// Sends the status line and part of the headers, then RST.
    case resetInHeaders
    /// Sends the full headers (true Content-Length) and half the body, then RST.
    case resetInBody
    /// Sends a Content-Length larger than the body, the body, then closes normally (FIN).
    case shortBody
    /// Sends the status line, then nothing until `stop()`.
    case stallInHeaders
    /// Sends the full headers (true Content-Length) and half the body, then nothing until `stop()`.
    case stallInBody
    /// Sends the full headers, then the body in `pieces` parts with `every` seconds between them
    /// (a slow but live download), then closes.
    case dribble(pieces: Int, every: Double)
    /// Sends nothing until `stop()`.
    case hang
    /// Answers normally with `Connection: close`, then closes.
    case closeAfterReply
    /// Sends these bytes verbatim, then closes.
    case raw([UInt8])
    /// Sends these bytes verbatim, then nothing until `stop()` (a malformed answer whose framing
    /// leaves the client waiting).
    case rawThenStall([UInt8])
  }

  /// A reply of the given parts; without arguments, an empty 200.
  public init(
    status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
    delay: Double = 0, fault: Fault? = nil
  ) {
    self.status = status
    self.headers = headers
    self.body = body
    self.delay = delay
    self.fault = fault
  }

  /// A JSON reply: `body` as UTF-8 with `Content-Type: application/json` ahead of `headers`.
  public static func json(
    _ status: Int = 200, _ body: String, headers: [(name: String, value: String)] = [],
    delay: Double = 0
  ) -> Reply {
    Reply(
      status: status, headers: [("Content-Type", "application/json")] + headers,
      body: Array(body.utf8), delay: delay)
  }

  /// A 200 JSON reply; Swift cannot skip the defaulted status of `json(_:_:headers:delay:)` when
  /// it comes before an unlabeled argument, so `.json("{}")` needs this overload.
  public static func json(
    _ body: String, headers: [(name: String, value: String)] = [], delay: Double = 0
  ) -> Reply {
    json(200, body, headers: headers, delay: delay)
  }

  /// A text reply: `body` as UTF-8 with the given `Content-Type` ahead of `headers`.
  public static func text(
    _ status: Int, _ body: String, contentType: String = "text/plain",
    headers: [(name: String, value: String)] = [], delay: Double = 0
  ) -> Reply {
    Reply(
      status: status, headers: [("Content-Type", contentType)] + headers, body: Array(body.utf8),
      delay: delay)
  }

  /// A reply that only breaks the exchange in the given way.
  public static func fault(_ fault: Fault) -> Reply {
    Reply(fault: fault)
  }

  /// Whether HTTP forbids a body for this status (RFC 9110 sections 15.2, 15.3.5, 15.4.5).
  var forbidsBody: Bool {
    (100..<200).contains(status) || status == 204 || status == 304
  }
}

/// The standard reason phrase for `status`, or a generic one for codes without a registered name.
func reasonPhrase(_ status: Int) -> String {
  if let phrase = HTTPReason.phrase(status) { return phrase }
  switch status / 100 {
  case 1: return "Informational"
  case 2: return "Success"
  case 3: return "Redirection"
  case 4: return "Client Error"
  default: return "Server Error"
  }
}
