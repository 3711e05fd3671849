import JobctlHTTP
import JobctlSupport

/// One output download repeated until it is answered, with the retry rules of a wait, resuming a
/// transfer cut short where it stopped (docs/behaviour.md "Starting, cancelling, listing, fetching
/// output").
///
/// A cut that brought bytes is resumed with `Range` when the server accepts ranges (it said
/// `Accept-Ranges: bytes`, or answered a range with 206), else the download starts again; bytes
/// that arrived end the failure streak, so a long download on a flaky line still finishes. A 206
/// is only good when its `Content-Range` starts where the file ends and agrees on the total; a
/// piece that stops short of the total is followed by a request for the rest.
package struct DownloadWatch: PollStepper {
  package let request: HTTPRequest
  package let subject: String
  /// Where the body goes; nil for answers read from memory (they are not resumed).
  package let stream: BodyStream?
  /// The size of the partial file to continue (`--continue`), 0 for a whole download.
  package let prefix: Int
  private var retrier: Retrier
  /// Where the next request starts, and the whole size once an answer told it.
  private var from: Int
  private var total: Int?
  private var resumable = false
  /// The largest the file has been, to tell progress from an attempt that broke where another did.
  private var furthest = 0
  /// The answer that ended the download (2xx, or 416 to a range).
  package private(set) var response: HTTPResponse?

  package var policy: PollPolicy { retrier.policy }
  package var stillText: String { "\(subject) was not answered" }

  package init(request: HTTPRequest, subject: String, policy: PollPolicy, stream: BodyStream?, prefix: Int) {
    self.request = request
    self.subject = subject
    self.stream = stream
    self.prefix = prefix
    self.from = prefix
    self.retrier = Retrier(policy: policy)
  }

  package mutating func nextRequest() -> HTTPRequest {
    var next = request
    next.headers.removeAll(where: { Text.equalsIgnoringCase($0.name, "Range") })
    if from > 0 { next.headers.append(HTTPHeader("Range", "bytes=\(from)-")) }
    stream?.keep = from
    return next
  }

  package mutating func absorb(
    _ result: Result<HTTPResponse, TransportFailure>, now: Double, wall: Double, random: RandomSource,
    report: (PollEvent) -> Void
  ) -> PollStep {
    switch result {
    case .success(let answer):
      response = answer
      return retrier.counted(afterAnswer(answer, wall: wall, random: random, report: report))
        ?? retrier.ranOut(stillText)
    case .failure(let failure):
      return retrier.counted(afterCut(failure, random: random, report: report)) ?? retrier.ranOut(stillText)
    }
  }

  /// A transfer that failed: what it brought is kept when the server takes ranges.
  private mutating func afterCut(_ failure: TransportFailure, random: RandomSource, report: (PollEvent) -> Void)
    -> PollStep
  {
    if let stream, (200..<300).contains(stream.status), stream.received > 0 {
      if let refusal = rangeRefusal(status: stream.status, headers: stream.headers) { return .finish(refusal) }
      learn(status: stream.status, headers: stream.headers)
      // Further than ever: the streak of failures is over (an attempt that starts again from zero
      // and breaks at the same place is no progress).
      if stream.size > furthest {
        furthest = stream.size
        retrier.succeeded()
      }
      from = resumable ? stream.size : prefix
    }
    return retrier.handle(.of(failure), retryAfter: nil, random: random, report: report)
  }

  /// An answer: done, refused, or a piece short of the end that asks for the rest.
  private mutating func afterAnswer(
    _ answer: HTTPResponse, wall: Double, random: RandomSource, report: (PollEvent) -> Void
  ) -> PollStep {
    if answer.status == 416 && from > 0 { return .finish(nil) }
    let retryAfter = answer.retryAfter(now: wall)
    let verdict = Verdict.of(answer, subject: subject, retryAfter: retryAfter, rules: retrier.policy.answerRules)
    guard verdict == .answered else {
      return retrier.handle(verdict, retryAfter: retryAfter, random: random, report: report)
    }
    if let refusal = rangeRefusal(status: answer.status, headers: answer.headers) { return .finish(refusal) }
    learn(status: answer.status, headers: answer.headers)
    guard answer.status == 206, let stream, let total, stream.size < total else {
      return retrier.handle(verdict, retryAfter: retryAfter, random: random, report: report)
    }
    // As long as pieces bring bytes.
    guard stream.size > furthest else {
      return .finish(.rejected(.emptyPiece(subject: subject, size: stream.size, total: total)))
    }
    furthest = stream.size
    retrier.succeeded()
    from = stream.size
    return .again(after: 0, firm: false)
  }

  /// What a 2xx answer teaches about the server: whether it takes ranges, and the whole size.
  private mutating func learn(status: Int, headers: [HTTPHeader]) {
    let header = { (name: String) in headers.first(where: { Text.equalsIgnoringCase($0.name, name) })?.value }
    if status == 206 || header("Accept-Ranges").map({ Text.lowercased(Text.trimmed($0)) == "bytes" }) == true {
      resumable = true
    }
    if status == 206 {
      total = total ?? header("Content-Range").flatMap(ContentRange.init)?.total
    } else {
      total = total ?? header("Content-Length").flatMap { Int(Text.trimmed($0)) }
    }
  }

  /// Why a 206 cannot be appended (nil when it can, or the answer is no 206).
  private func rangeRefusal(status: Int, headers: [HTTPHeader]) -> JobctlError? {
    guard status == 206 else { return nil }
    let text = headers.first(where: { Text.equalsIgnoringCase($0.name, "Content-Range") })?.value
    guard let text else {
      return .rejected(.pieceWithoutRange(subject: subject))
    }
    guard let range = ContentRange(text), let first = range.first else {
      return .rejected(.unreadableRange(subject: subject, range: text))
    }
    if first != from {
      return .rejected(.pieceElsewhere(subject: subject, first: first, end: from))
    }
    if let total, let theirs = range.total, theirs != total {
      return .rejected(.otherTotal(subject: subject, theirs: theirs, ours: total))
    }
    return nil
  }
}
