/// `retry-when` and `gone-when` of a shape: what a non-2xx answer means, judged before the HTTP
/// rules (AWS throttles with a 400 naming `ThrottlingException`; Slurm says a job it no longer
/// knows with a 500 holding error 2017).
package struct AnswerRules: Sendable, Equatable {
  /// The answer is a rate limit: waited out, never counted toward `--max-errors`.
  package let retryWhen: [Condition]
  /// The job no longer exists: exit 5.
  package let goneWhen: [Condition]

  package static let none = AnswerRules(retryWhen: [], goneWhen: [])

  package init(retryWhen: [Condition], goneWhen: [Condition]) {
    self.retryWhen = retryWhen
    self.goneWhen = goneWhen
  }
}
