import FuzzSupport

@testable import JobctlEngine
@testable import JobctlHTTP
@testable import JobctlKit
@testable import JobctlOutput
@testable import JobctlShapes
@testable import JobctlSupport
@testable import JobctlTransport

/// A job document or job list as a server might send it: parsed, re-printed, read in every
/// shape, auto-detected, and shown every way jobctl shows a job.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDocument(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = fuzzBytes(data, size)
  // The message for an error answer parses the body on its own, whatever it holds.
  _ = Messages.forErrorAnswer(status: 503, body: bytes)
  let document: JSON
  do {
    document = try JSON.parse(bytes)
  } catch {
    check(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) outside the input")
    return 0
  }

  // Re-printing gives a document that parses to the same value and re-prints the same way.
  let text = document.serialized()
  let again: JSON
  do {
    again = try JSON.parse(text)
  } catch {
    check(false, "re-printed document does not parse: \(error.reason) at \(error.offset) in \(text)")
    return 0
  }
  check(again == document, "re-printed document differs: \(text)")
  check(again.serialized() == text, "re-printing is not stable: \(text)")

  // Scrubbing secrets out of an answer changes its strings (and numbers that are a secret)
  // only: what is left parses, and is the document so scrubbed; with nothing to scrub it is the
  // same bytes.
  let secrets = ["2345", "true", "null", "ab/c", "Bearer x-1"].map { Array($0.utf8) }
  let scrubbed = Credentials.scrubAnswer(bytes, secrets)
  let expected = Credentials.redacting(document, secrets)
  if expected == document {
    check(scrubbed == bytes, "scrubbing changed an answer holding no secret: \(text)")
  } else {
    check((try? JSON.parse(scrubbed)) == expected, "scrubbed answer is not the scrubbed document: \(text)")
  }

  for dialect in Dialects.all {
    guard let snapshot = dialect.read(document) else { continue }
    checkSnapshot(snapshot, dialect: dialect)
    check(dialect.read(again) == snapshot, "\(dialect.name): the re-printed document reads differently: \(text)")
    show(snapshot, document: document, dialect: dialect)
  }
  if let detected = Dialects.detect(document) {
    check(detected.matches(document) && detected.read(document) != nil, "detect chose a shape that does not fit")
  }

  // The same bytes as a page of `jobctl list`.
  let page = document.arrayValue ?? document["jobs"]?.arrayValue ?? []
  for job in page.prefix(50) {
    for dialect in [nil] + Dialects.all {
      _ = Presenter.progressText(job, dialect: dialect)
    }
  }
  let answer = HTTPResponse(status: 200, headers: [HTTPHeader("Link", "</jobs?page=2>; rel=\"next\"")])
  do {
    _ = try ListCommand.nextPage(
      document, answer: answer, current: "https://api.example.com/jobs?page=1", query: [], label: "/jobs")
  } catch {
    check(error.exitCode == 6, "an unusable next page is not a rejected answer: \(error)")
  }
  return 0
}

private func checkSnapshot(_ s: JobSnapshot, dialect: Dialect) {
  if let p = s.progress { check(p.isFinite && p >= 0 && p <= 1, "\(dialect.name): progress \(p) outside [0, 1]") }
  if let u = s.updatedAt { check(u.isFinite, "\(dialect.name): update time \(u) is not a finite number") }
  if !s.state.isTerminal { check(s.error == nil, "\(dialect.name): a job still running has an error") }
}

private func show(_ s: JobSnapshot, document: JSON, dialect: Dialect) {
  let text = Presenter.text(s, document: document, dialect: dialect, job: "job-1")
  // Every line is one `key: value` line: server text cannot add lines or escape sequences.
  for line in text.split(separator: "\n") {
    check(
      !line.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
      "a text output line holds a control character: \(line.debugDescription)")
  }
  _ = ProgressReporter.describe(s)
  _ = NDJSON.event(.state(s, httpStatus: 200), job: "job-1", time: 1_800_000_000)
  for terminal in [Terminal(colors: false, unicode: false), Terminal(colors: true, unicode: true)] {
    for width in [20, 80] {
      let line = ProgressReporter.liveLine(
        job: "job-1", snapshot: s, notice: nil, elapsed: 75, eta: 30, frame: 3, width: width, terminal: terminal)
      check(!line.contains("\n"), "the live line holds a line break")
      if !terminal.colors { check(line.count <= width, "the live line is wider than \(width): \(line)") }
    }
  }
}
