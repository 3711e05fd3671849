import JobctlOutput
import JobctlShapes
import JobctlSupport

/// `explain`: judges one job document offline, as a wait would, and says which condition decided.
///
/// A description can be written and checked without a live job: nothing is sent.
enum ExplainCommand {
  static func run(_ invocation: Invocation, environment: [String: String], services: Services) throws(JobctlError)
    -> Int32
  {
    let settings = try Settings.resolve(invocation, environment: environment, services: services)
    let source = invocation.arguments.first ?? "-"
    let bytes: [UInt8]
    if source == "-" {
      switch services.streams.readStdin(limit: BoundedInput.stdinLimit) {
      case .success(let b): bytes = b
      case .failure(let e): throw e.error(reading: "the document on stdin", limit: "16 MiB")
      }
    } else {
      switch services.readFile(source) {
      case .success(let b): bytes = b
      case .failure(let e): throw e.error(.cannotRead("", path: source, reason: e.reason))
      }
    }
    let name = source == "-" ? "the document on stdin" : Text.oneLine(source, limit: 200)
    let document: JSON
    do {
      document = try JSON.parse(bytes)
    } catch {
      throw .rejected(.notAJobDocument(answer: name, why: "not JSON: \(error.reason) at byte \(error.offset)"))
    }
    let answer = JobAnswer(document: document)
    let judgement: Judgement
    let shape: Dialect?
    if let dialect = settings.dialect {
      shape = dialect
      judgement = dialect.judge(answer)
    } else if let found = Dialects.detect(document) {
      shape = found
      judgement = found.judge(answer)
    } else {
      shape = nil
      judgement = .notUnderstood(Dialects.autoFailure(answer))
    }
    guard case .state(let snapshot, let decidedBy) = judgement, let shape else {
      if case .notUnderstood(let why) = judgement {
        let detail = shape.map { "it fits none of the \($0.name) shape's conditions: \(why)" } ?? why
        throw .rejected(.notAJobDocument(answer: name, why: detail))
      }
      throw .rejected(.notAJobDocument(answer: name, why: nil))
    }
    let diagnostics = services.diagnostics(environment)
    let presenter = Presenter(settings: settings.output, stdout: services.streams.stdout, diagnostics: diagnostics)
    return presenter.present(
      .explanation(Explanation(snapshot: snapshot, decidedBy: decidedBy.description, shape: shape.name)))
  }
}
