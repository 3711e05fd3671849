import Glibc
import JobctlTestSupport
import Testing

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// The resume rules of a download (docs/behaviour.md "Starting, cancelling, listing, fetching
/// output"), fed by hand: what the transport would have written to the file, then the result it
/// would have returned.
@Suite struct DownloadWatchTests {
  private let body = Array((0..<100).map { UInt8($0) })

  /// A stream over an anonymous temporary file.
  private func stream() -> BodyStream {
    var template = Array("/tmp/.jobctl-test-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
    template.withUnsafeBufferPointer { buffer in _ = buffer.baseAddress.map { unlink($0) } }
    return BodyStream(fd: fd, keep: 0)
  }

  /// One attempt: the answer's head, then `bytes` of body, then `result`.
  private func attempt(
    _ watch: inout DownloadWatch, status: Int, headers: [HTTPHeader], bytes: ArraySlice<UInt8>,
    result: Result<HTTPResponse, TransportFailure>
  ) -> (request: HTTPRequest, step: PollStep) {
    let request = watch.nextRequest()
    if let stream = watch.stream {
      stream.begin()
      stream.answer(status: status, headers: headers)
      _ = Array(bytes).withUnsafeBytes { stream.write($0) }
    }
    return (request, watch.absorb(result, now: 0, wall: 0, random: FixedRandom(), report: { _ in }))
  }

  private func range(_ request: HTTPRequest) -> String? {
    request.headers.first(where: { $0.name == "Range" })?.value
  }

  private let cut = Result<HTTPResponse, TransportFailure>.failure(
    TransportFailure(.network, detail: "connection reset"))

  @Test func aCutIsResumedFromWhereItStoppedWhenTheServerTakesRanges() {
    let stream = stream()
    var watch = DownloadWatch(
      request: HTTPRequest(url: "http://x/out"), subject: "job 1", policy: PollPolicy(), stream: stream, prefix: 0)
    let accepts = [HTTPHeader("Accept-Ranges", "bytes"), HTTPHeader("Content-Length", "100")]
    let first = attempt(&watch, status: 200, headers: accepts, bytes: body[0..<30], result: cut)
    #expect(range(first.request) == nil)
    guard case .again = first.step else { return #expect(Bool(false), "\(first.step)") }
    // The rest comes in two pieces: the first short of the end is followed by a request for more.
    let piece = HTTPResponse(status: 206, headers: [HTTPHeader("Content-Range", "bytes 30-59/100")])
    let second = attempt(&watch, status: 206, headers: piece.headers, bytes: body[30..<60], result: .success(piece))
    #expect(range(second.request) == "bytes=30-")
    #expect(second.step == .again(after: 0, firm: false))
    let last = HTTPResponse(status: 206, headers: [HTTPHeader("Content-Range", "bytes 60-99/100")])
    let third = attempt(&watch, status: 206, headers: last.headers, bytes: body[60...], result: .success(last))
    #expect(range(third.request) == "bytes=60-")
    #expect(third.step == .finish(nil))
    #expect(stream.size == 100)
  }

  @Test func withoutRangesACutStartsAgainAndTheSameCutTwiceIsNoProgress() {
    var policy = PollPolicy()
    policy.maxErrors = 2
    var watch = DownloadWatch(
      request: HTTPRequest(url: "http://x/out"), subject: "job 1", policy: policy, stream: stream(), prefix: 0)
    let first = attempt(&watch, status: 200, headers: [], bytes: body[0..<30], result: cut)
    guard case .again = first.step else { return #expect(Bool(false), "\(first.step)") }
    let second = attempt(&watch, status: 200, headers: [], bytes: body[0..<30], result: cut)
    #expect(range(second.request) == nil)
    guard case .finish(let error?) = second.step else { return #expect(Bool(false), "\(second.step)") }
    #expect(error.exitCode == 7)
  }

  @Test func aRangeThatDisagreesOnTheTotalIsRefused() {
    var watch = DownloadWatch(
      request: HTTPRequest(url: "http://x/out"), subject: "job 1", policy: PollPolicy(), stream: stream(), prefix: 0)
    let accepts = [HTTPHeader("Accept-Ranges", "bytes"), HTTPHeader("Content-Length", "100")]
    _ = attempt(&watch, status: 200, headers: accepts, bytes: body[0..<30], result: cut)
    let other = HTTPResponse(status: 206, headers: [HTTPHeader("Content-Range", "bytes 30-119/120")])
    let step = attempt(&watch, status: 206, headers: other.headers, bytes: body[30...], result: .success(other)).step
    #expect(step == .finish(.rejected(.otherTotal(subject: "job 1", theirs: 120, ours: 100))))
  }

  @Test func contentRangeIsReadStrictly() {
    #expect(ContentRange("bytes 30-59/100") == ContentRange("bytes 30-59/100"))
    #expect(ContentRange("bytes 30-59/100")?.first == 30)
    #expect(ContentRange("bytes */40")?.total == 40)
    #expect(ContentRange("bytes */40")?.first == nil)
    #expect(ContentRange("bytes 30-59/*")?.total == nil)
    for bad in ["bytes 59-30/100", "bytes 30-100/100", "items 0-1/2", "bytes 1-2", "bytes */*", "bytes a-b/3"] {
      #expect(ContentRange(bad) == nil, "\(bad)")
    }
  }
}
