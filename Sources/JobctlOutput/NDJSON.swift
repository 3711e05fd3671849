import JobctlEngine
import JobctlShapes
import JobctlSupport

/// The `--format ndjson` event lines (docs/behaviour.md "Output").
///
/// Every line has `time`, `job` (the reference as given, on every line), `event` and what the
/// event knows; a job's last line is `event: "done"` with `exit_code`, `error` (the message, when
/// the code is not 0) and the job's last answer under `document` (absent when none came).
enum NDJSON {
  static func event(_ event: PollEvent, job: String, time: Double) -> String {
    var members: [(key: String, value: JSON)] = [
      ("time", .string(HTTPDate.iso8601(time))), ("job", .string(job)),
    ]
    switch event {
    case .state(let s, let http):
      members.append(("event", .string("state")))
      members += fields(s)
      members.append(("http_status", .number(String(http))))
    case .retry(let reason, let delay, let failures):
      members += [
        ("event", .string("retry")), ("reason", .string(reason)), ("delay", number(delay)),
        ("failures", .number(String(failures))),
      ]
    case .rateLimited(let reason, let delay):
      members += [("event", .string("rate_limited")), ("reason", .string(reason)), ("delay", number(delay))]
    }
    return JSON.object(members).serialized()
  }

  static func done(job: String, outcome: WaitOutcome, exitCode: Int32, time: Double) -> String {
    var members: [(key: String, value: JSON)] = [
      ("time", .string(HTTPDate.iso8601(time))), ("job", .string(job)), ("event", .string("done")),
    ]
    if let s = outcome.snapshot { members += fields(s) }
    members.append(("exit_code", .number(String(exitCode))))
    if exitCode != 0 {
      // A code without a message (a signal, a job still running) still says why.
      let message = outcome.error?.message ?? JobctlError.Ending.meaning(of: exitCode)
      members.append(("error", message.map(JSON.string) ?? .null))
    }
    if let document = outcome.document { members.append(("document", document)) }
    // The result was fetched after the job completed (`final-url`): the last poll's answer too.
    if let url = outcome.resultURL {
      members.append(("result_url", .string(url)))
      members.append(("monitor", outcome.monitorBody.map(JSON.reparsed) ?? .null))
    }
    return JSON.object(members).serialized()
  }

  private static func fields(_ s: JobSnapshot) -> [(key: String, value: JSON)] {
    var members: [(key: String, value: JSON)] = [("state", .string(s.state.rawValue))]
    members.append(("status", s.rawStatus.map(JSON.string) ?? .null))
    members.append(("progress", s.progress.map(number) ?? .null))
    members.append(("stage", s.stage.map(JSON.string) ?? .null))
    if let phase = s.phase { members.append(("phase", .string(phase))) }
    return members
  }

  private static func number(_ d: Double) -> JSON {
    let rounded = (d * 1000).rounded() / 1000
    return .number(rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded))
  }
}
