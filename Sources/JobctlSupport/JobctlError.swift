#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Every way a jobctl command can end other than success, each mapped to one exit code.
///
/// Each case ends with a row of the exit-code table (README "Exit codes", `jobctl help
/// exit-codes`): `ending`; the rows' codes and meanings are written once, in `Ending`.
package enum JobctlError: Error, Sendable, Equatable {
  /// Bad command line or configuration; nothing was sent.
  case usage(Cause)
  /// The job ended failed.
  case jobFailed(Cause)
  /// The job ended canceled.
  case jobCanceled(Cause)
  /// 401 or 403.
  case authRefused(Cause)
  /// 404 or 410.
  case notFound(Cause)
  /// Another 4xx, an answer that is not a job document, a missing `--field`.
  case rejected(Cause)
  /// Network errors or 5xx beyond `--max-errors`, TLS failures.
  case unreachable(Cause)
  /// `--stale-after` passed without change.
  case stalled(Cause)
  /// The job is still pending or running: `status` says so by the document it prints (the
  /// message is not shown), `output` by the message (`shown`).
  case stillRunning(Cause, shown: Bool = false)
  /// A local file or stream could not be written (disk full, a closed stdout, `-o` into a missing
  /// folder), or standard input could not be read after something was sent; the message names
  /// what was lost.
  case localWrite(Cause)
  /// `--timeout`, `--until` or `--max-attempts` ran out.
  case timedOut(Cause)
  /// The reader of stdout went away (`| head -1`) before the command had its result; quiet.
  case readerGone
  /// A signal ended the command (SIGINT 130, SIGTERM 143, SIGHUP 129).
  case interrupted(signal: Int32)

  /// The error for a wait that `signal` cut short: SIGPIPE, which jobctl ignores, stands for the
  /// reader of stdout going away (see `Signals.pending`).
  package static func signaled(_ signal: Int32) -> JobctlError {
    signal == SIGPIPE ? .readerGone : .interrupted(signal: signal)
  }

  /// The exit code: the ending's, or 128 + the signal for one a signal ended (SIGTERM 143 has no
  /// row of its own: the SIGINT row names it).
  package var exitCode: Int32 {
    if case .interrupted(let signal) = self { return 128 + signal }
    return ending.code
  }

  /// The row of the exit-code table this error ends with.
  package var ending: Ending {
    switch self {
    case .usage: return .usage
    case .jobFailed: return .jobFailed
    case .jobCanceled: return .jobCanceled
    case .authRefused: return .authRefused
    case .notFound: return .notFound
    case .rejected: return .rejected
    case .unreachable: return .unreachable
    case .stalled: return .stalled
    case .stillRunning: return .stillRunning
    case .localWrite: return .localWrite
    case .timedOut: return .timedOut
    case .readerGone: return .readerGone
    case .interrupted(let signal): return signal == SIGHUP ? .hangup : .interrupted
    }
  }

  /// The same error with `prefix` before its message (where it has one).
  package func prefixed(_ prefix: String) -> JobctlError {
    switch self {
    case .usage(let m): return .usage(.within(prefix, m))
    case .jobFailed(let m): return .jobFailed(.within(prefix, m))
    case .jobCanceled(let m): return .jobCanceled(.within(prefix, m))
    case .authRefused(let m): return .authRefused(.within(prefix, m))
    case .notFound(let m): return .notFound(.within(prefix, m))
    case .rejected(let m): return .rejected(.within(prefix, m))
    case .unreachable(let m): return .unreachable(.within(prefix, m))
    case .stalled(let m): return .stalled(.within(prefix, m))
    case .localWrite(let m): return .localWrite(.within(prefix, m))
    case .timedOut(let m): return .timedOut(.within(prefix, m))
    case .stillRunning(let m, let shown): return .stillRunning(.within(prefix, m), shown: shown)
    case .interrupted, .readerGone: return self
    }
  }

  /// The text after `jobctl: error: `, or nil where the exit code says it all.
  package var message: String? {
    if case .stillRunning(_, shown: false) = self { return nil }
    return cause?.message
  }

  /// Why the command ended so, or nil for an ending a signal or the reader decided.
  package var cause: Cause? {
    switch self {
    case .usage(let m), .jobFailed(let m), .jobCanceled(let m), .authRefused(let m), .notFound(let m),
      .rejected(let m), .unreachable(let m), .stalled(let m), .localWrite(let m), .timedOut(let m),
      .stillRunning(let m, _):
      return m
    case .interrupted, .readerGone:
      return nil
    }
  }
}

extension JobctlError {
  /// Every way a command ends, success included: the rows of the exit-code table.
  ///
  /// Each says its code and meaning here, and only here; in code order, as the table lists them.
  package enum Ending: CaseIterable, Sendable {
    case success, jobFailed, usage, jobCanceled, authRefused, notFound, rejected, unreachable, stalled
    case stillRunning, localWrite, timedOut, hangup, interrupted, readerGone

    package var code: Int32 {
      switch self {
      case .success: return 0
      case .jobFailed: return 1
      case .usage: return 2
      case .jobCanceled: return 3
      case .authRefused: return 4
      case .notFound: return 5
      case .rejected: return 6
      case .unreachable: return 7
      case .stalled: return 8
      case .stillRunning: return 9
      case .localWrite: return 10
      case .timedOut: return 124
      case .hangup: return 128 + SIGHUP
      case .interrupted: return 128 + SIGINT
      case .readerGone: return 128 + SIGPIPE
      }
    }

    package var meaning: String {
      switch self {
      case .success: return "the job completed (or the command succeeded)"
      case .jobFailed: return "the job failed"
      case .usage: return "usage or configuration error; nothing was sent"
      case .jobCanceled: return "the job was canceled"
      case .authRefused: return "authentication or permission refused (401, 403)"
      case .notFound: return "job not found or expired (404, 410)"
      case .rejected:
        return
          "request rejected or answer not understood (other 4xx, 409, not a job document, a missing --field)"
      case .unreachable:
        return
          "the server stayed unreachable or failing (network errors or 5xx beyond --max-errors, TLS failure)"
      case .stalled: return "the job looks stalled (--stale-after)"
      case .stillRunning: return "the job is still pending or running (status, and output of an unfinished job)"
      case .localWrite:
        return "a local file or stream could not be written (disk full, closed stdout, -o into a missing folder)"
      case .timedOut: return "--timeout, --until or --max-attempts ran out"
      case .hangup: return "ended by SIGHUP (a closed terminal), handled as SIGTERM"
      case .interrupted: return "interrupted (SIGINT); 143 for SIGTERM"
      case .readerGone: return "the reader of stdout went away (| head -1) before the result was decided"
      }
    }

    /// The meaning of `code`, for an ending told by its code alone (an ndjson `done` line).
    package static func meaning(of code: Int32) -> String? {
      allCases.first { $0.code == code }?.meaning
    }
  }
}

/// The exit-code table as `jobctl help exit-codes` and the manual print it: made from the endings.
package let exitCodeTable: [(code: Int32, meaning: String)] = JobctlError.Ending.allCases.map { ($0.code, $0.meaning) }

extension JobctlError {
  /// Why a command ended as it did, with the data that says so; its text, `message`, is written
  /// here and nowhere else, so tests compare causes and this file decides what a user reads.
  ///
  /// A cause is no string literal: a throw site names a case, so new prose gets a case here.
  /// `text` is for a rare one-off, written out as `.text("...")` where it is thrown.
  package indirect enum Cause: Sendable, Equatable {
    /// A one-off message, written where it is thrown.
    case text(String)
    /// `cause` said after `context` ("no output: ").
    case within(String, Cause)
    /// `cause`, and the job that was created all the same (`job`: its id and URL), so it is not lost.
    case jobWasCreated(Cause, job: String)
    /// `cause`, then where the job can be found again (its id and URL).
    case naming(Cause, whereabouts: String)

    // How a job ended, and waits that ran out.
    /// The job ended failed; `detail` is what its document says.
    case failed(job: String, detail: String?)
    /// The job ended canceled; `detail` is what its document says.
    case canceled(job: String, detail: String?)
    /// A one-shot look (`status`) found the job not finished; `still` says how it was.
    case unfinished(still: String)
    /// `--stale-after`: the job showed no change for `quiet` seconds.
    case looksStalled(still: String, quiet: Double)
    /// `--max-attempts` ran out.
    case attemptsRanOut(attempts: Int, still: String)
    /// `--timeout` (`after`) or `--until` (`until`, when it is what passed) ran out.
    case timeLimit(until: Double?, after: Double?, still: String)
    /// A `Retry-After` of `wait` seconds (`capped`: cut to the most jobctl honours) reaches past
    /// the `left` seconds of `limit`.
    case retryAfterPastDeadline(wait: Double, capped: Bool, left: Double, limit: String, still: String)

    // What the server answered.
    /// `document` ("the job list") has no value at `path`; `there` says what is near it.
    case missingField(in: String, path: JSONPath, there: String)
    /// A created job's id holds control characters.
    case idHasControlCharacters
    /// `count` of the `of` jobs in a list have no id.
    case idsMissing(count: Int, of: Int)
    /// stdout failed (`reason`) before the command's result was written.
    case resultNotWritten(reason: String)
    /// Something (`what`: "the job id to stdout") could not be written.
    case notWritten(String, reason: String)
    /// `--max-errors` consecutive failures; `last` is the last one.
    case failuresRanOut(failures: Int, last: String)
    /// An answer that is not a job document; `answer` names it ("the answer (HTTP 200 OK)").
    case notAJobDocument(answer: String, why: String?)
    /// 401 or 403; `answer` says the status and the server's message.
    case credentialsRefused(answer: String)
    /// 404.
    case missing(subject: String, answer: String)
    /// 410.
    case expired(subject: String, answer: String)
    /// The shape's `gone-when` holds.
    case gone(subject: String, answer: String)
    /// An error answer no rule places, said as the server said it.
    case errorAnswer(String)
    /// A request that failed below HTTP (the transport's message).
    case transport(String)
    /// A TLS failure, with the way out.
    case untrustedServer(String)
    /// A start that failed once sent, to an API that does not honour `Idempotency-Key`.
    case startMayHaveBeenMade(subject: String, reason: String, idempotencyKey: String?)

    // Starting, waiting on and listing jobs.
    /// A start answer in which the shape finds no job: none of `places` is in it (`found`: what is).
    case namesNoJob(target: String, status: Int, places: String, found: String)
    /// `cause`, and the answer is on stdout (or could not be written there: `lost`).
    case answerOnStdout(Cause, lost: String?)
    /// The job URL of a start answer is unusable.
    case unusableJobURL(String)
    /// No base URL to start a path at.
    case noBaseURLToStart(String)
    /// No base URL for a job given by id.
    case noBaseURL(job: String)
    /// `--method` is no method in capitals.
    case notAMethod(String)
    /// `--idempotency-key` empty or with control characters.
    case badIdempotencyKey
    /// An option of `start --wait` without `--wait`.
    case needsWait(String)
    /// Two options that exclude each other.
    case exclusive(String, String)
    /// `origin` takes NAME=VALUE.
    case notNameValue(origin: String, value: String)
    /// `-o` with several jobs.
    case outputOfManyJobs
    /// `-` given twice.
    case stdinTwice
    /// The job references on stdin are no UTF-8 text.
    case stdinNotUTF8
    /// More job references on stdin than jobctl reads.
    case tooManyReferences(limit: Int)
    /// A line on stdin longer than one reference may be.
    case referenceTooLong(limit: Int)
    /// stdin held no job reference.
    case noReferences
    /// An empty job reference.
    case emptyReference
    /// A job URL that does not parse (`shown` with its userinfo hidden).
    case unusableURL(shown: String)
    /// A job id that cannot go into the jobs path.
    case notForJobsPath(job: String, problem: String)
    /// A `/path` JOB that does not parse.
    case unusablePath(String)
    /// `list --page` or `--limit` is no whole number of at least 1.
    case notAPageCount(origin: String, value: String)
    /// A list's pagination comes back to a page seen.
    case paginationLoops(url: String)
    /// A list answer that is not JSON.
    case listNotJSON(at: String)
    /// A list answer without a list.
    case noJobList(at: String, path: String)
    /// A `pagination.nextPage` jobctl cannot follow.
    case badNextPage(at: String, next: String)

    // Downloads in pieces (206).
    /// A 206 that brought no bytes before the end (`size` of `total`).
    case emptyPiece(subject: String, size: Int, total: Int)
    /// A 206 without Content-Range.
    case pieceWithoutRange(subject: String)
    /// A 206 whose Content-Range does not parse.
    case unreadableRange(subject: String, range: String)
    /// A 206 whose bytes start at `first`, not at `end` where the file ends.
    case pieceElsewhere(subject: String, first: Int, end: Int)
    /// A 206 for another total size.
    case otherTotal(subject: String, theirs: Int, ours: Int)

    // More cancels, polls, help and input.
    /// The cancel URL answered 404 while the job's own URL answers.
    case noCancelAt(job: String, url: String)
    /// A cancel answer no rule reads (`job` nil: said within a wait that names it).
    case cancelNotUnderstood(job: String?)
    /// The cancel URL comes from a job document that was not seen.
    case cancelURLUnseen
    /// A start sent again was refused; the first attempt may have made the job.
    case resentAndRefused(subject: String, answer: String, idempotencyKey: String)
    /// GitHub step outputs could not be written (`problem`), `names` lost.
    case stepOutputsLost(String, names: String)
    /// The shape's poll reads the start answer, which only `start --wait` has.
    case pollReadsStartAnswer(shape: String)
    /// The poll request (`line`) cannot be made for `job`.
    case pollUnusable(String, job: String, problem: String)
    /// `--dialect` names no shape.
    case unknownShape(String, origin: String, hint: String, known: [String])
    /// `help` with more than one topic.
    case helpTopics
    /// `help TOPIC` of no topic.
    case noHelp(String, hint: String, commands: [String])
    /// `help dialects NAME` of no shape.
    case noShapeHelp(String, hint: String, known: [String])
    /// `completion` of no shell jobctl knows.
    case notAShell(String)
    /// Input (`what`) larger than jobctl reads.
    case inputTooLarge(String, limit: String)
    /// `--timeout` or `--until` ran out while reading input.
    case deadlineWhileReading(String)
    /// A pipe that sent nothing to its end within `patience` seconds.
    case silentPipe(String, patience: Int)
    /// Input that could not be read.
    case cannotReadInput(String, reason: String)

    // AWS signing (`--aws-sigv4`).
    /// Another credential (the token, userinfo, `-H Authorization`) would replace the signature.
    case awsSignatureReplaced(tokenVariable: String)
    /// The provider leaves region and service to a host name that names none.
    case awsScopeUnknown(provider: String, host: String)
    /// An AWS key (`name`: "access key id") holds a control character.
    case awsKeyControl(String)
    /// The AWS session token holds a control character.
    case awsSessionTokenControl
    /// One of the two key variables is set (`missing`: the other).
    case awsHalfKeys(missing: String)
    /// No key variables and no HOME.
    case awsNoHome
    /// The credentials file could not be read.
    case awsUnreadable(path: String, reason: String)
    /// The credentials file has no section for the profile.
    case awsNoProfile(path: String, profile: String)
    /// The profile's section has no static keys.
    case awsNoStaticKeys(path: String, profile: String)

    // Output (`output`, `-o`).
    /// The job has no output yet; `still` says how it is.
    case noOutputYet(still: String)
    /// An answer the shape cannot place, so the job is not known to be completed.
    case notPlaceable(job: String, status: Int, shape: String)
    /// A template (`what`: "output-url", "cancel template") that cannot be expanded for `job`.
    case templateUnusable(String, String, job: String, problem: String)
    /// `-o ""`.
    case emptyOutputName
    /// `--continue` without `-o FILE`.
    case continueWithoutFile
    /// `-o json`: a format word given as the file.
    case outputIsAFile(word: String)
    /// `--continue` into something that is no regular file (`shown`).
    case continueNeedsRegularFile(String)
    /// `--as` or `--continue` without `-o`.
    case outputOptionsWithoutFile
    /// `wait -o -`: stdout carries the final document.
    case outputToStdoutAfterWait(command: String)
    /// `--continue` with a shape whose output is a value of a JSON answer.
    case cannotResumeOutputPath(shape: String)
    /// The shape says nowhere where output is.
    case noOutputLocation(shape: String)
    /// A 416 whose range is not the partial file's.
    case partialDoesNotFit(answer: String)
    /// Output bound for a terminal holds control characters.
    case outputDrivesTerminal(job: String)
    /// The output answer has no value at the shape's `output-path`.
    case noOutputValue(job: String, path: JSONPath)
    /// A `--as string` or `json` answer has no `output` member.
    case noOutputMember(kind: String, job: String)
    /// `file` (as shown) could not be written: `reason`.
    case cannotWrite(String, reason: String)
    /// The folder `-o` names does not exist.
    case missingFolder(file: String, folder: String)
    /// The partial file (as shown) could not be read back.
    case cannotReadBack(String, reason: String)
    /// The partial file (as shown) could not be copied.
    case cannotCopy(String, reason: String)
    /// A request that got no answer (`subject`: "job j1", "POST /jobs").
    case noAnswer(String)

    // Cancels.
    /// The cancel template expands to nothing for this job.
    case cancelNamesNothing(job: String, template: String)
    /// The job's current stage refuses a cancel, with the code the API gave.
    case cancelRefused(job: String, stage: String?, code: String)
    /// The API has no cancel.
    case noCancel(job: String)
    /// The cancel request was answered with `status`: the API has no such cancel.
    case noSuchCancel(job: String, status: Int)
    /// The shape says its API has no cancel (`cancel = none`).
    case shapeHasNoCancel(job: String, shape: String)
    /// The API answered the cancel with a refusal (`reason`).
    case cancelDeclined(job: String, reason: String)

    // The command line and configuration.
    /// Line `line` of the config file at `path` is wrong: `cause`.
    case configLine(path: String, line: Int, Cause)
    /// A config file's section header has no `]`.
    case unclosedSection
    /// A config file's section is none jobctl knows (`inner`: what is between the brackets).
    case unknownSection(String)
    /// A config file's line is no `key = value`, section or comment.
    case notKeyValue
    /// A `[dialect NAME]` section holds a key that is no shape key.
    case unknownShapeKey(String, section: String)
    /// A profile holds a key that is no option.
    case unknownConfigKey(String)
    /// A key comes before any section.
    case keyBeforeSection(String)
    /// `what` ("the token file") at `path` (given at `origin`) could not be read.
    case cannotRead(String, path: String, origin: String? = nil, reason: String)
    /// `what` ("the config file") at `path` is not UTF-8 text.
    case notUTF8(String, path: String)
    /// No profile `name` in the config file at `configFile` (nil: there is none).
    case noProfile(String, configFile: String?, hint: String)
    /// The base URL (`shown` with its userinfo hidden) is no http(s) URL with a host.
    case badBaseURL(origin: String, shown: String)
    /// The token holds a line break or another control character.
    case tokenHasControlCharacters
    /// `--unix-socket` given empty.
    case noSocketPath(origin: String)
    /// No file at the socket's path.
    case socketMissing(path: String, origin: String)
    /// The file at the socket's path is no socket.
    case notASocket(path: String, origin: String)
    /// `--key` without `--cert`.
    case keyWithoutCertificate(origin: String)
    /// `--field` given something that is no path.
    case notAFieldPath(origin: String, value: String)
    /// A shape (`auto` read with flags) without conditions.
    case shapeWithoutCondition(String)
    /// A header value with CR or LF.
    case headerLineBreak
    /// A header without `:` (given at `origin`, `-H` on the command line).
    case headerWithoutColon(origin: String)
    /// A header name that is no token.
    case badHeaderName(String)
    /// A header value with a control character.
    case headerValueControl(name: String)
    /// A shape key (written at `origin`: a flag, a config line, or nowhere for a built-in) is
    /// wrong: `problem`.
    case badShapeKey(origin: String, key: String, shape: String, problem: String)
    /// No option so spelled (`--name`, `-c`); `hint` is a "did you mean", `help` where to look.
    case unknownOption(String, hint: String, help: String)
    /// A flag (`--name`) given a value.
    case takesNoValue(String)
    /// An option given last without its value (`value`: what it takes).
    case needsValue(String, value: String)
    /// An option of another command.
    case notForCommand(String, command: String)
    /// Fewer arguments than `command` needs (`arguments`: what it takes).
    case missingArguments(command: String, arguments: String)
    /// More arguments than `command` takes; `extra` is the first one too many.
    case extraArgument(command: String, arguments: String, extra: String)
    /// No command of that name; `hint` is a "did you mean" (may be empty).
    case unknownCommand(name: String, hint: String, commands: [String])
    /// `origin` (an option or a config line) wants true or false.
    case notBoolean(origin: String, value: String)
    /// `origin` wants one of `choices`.
    case notAChoice(origin: String, choices: [String], value: String)
    /// `origin` wants a duration.
    case notADuration(origin: String, value: String)
    /// `origin` wants a duration more than zero.
    case notPositive(origin: String)
    /// `origin` wants a time.
    case notATime(origin: String, value: String)
    /// `origin` wants a whole number of at least `lowest`.
    case notAWholeNumber(origin: String, lowest: Int, value: String)
    /// The token (from `variable` or the file `option` names) is empty.
    case emptyToken(variable: String, option: String)
    /// `--until` (`origin`) names a time that has passed before anything was sent.
    case untilPassed(origin: String, until: Double)

    /// The text after `jobctl: error: `.
    ///
    /// The switch names every case, so a new cause does not compile until it is given to one of
    /// the groups below, which writes its words.
    package var message: String {
      switch self {
      case .text(let text): return text
      case .within(let context, let cause): return context + cause.message
      case .naming(let cause, let whereabouts): return cause.message + "; " + whereabouts
      case .jobWasCreated(let cause, let job): return cause.message + "; the job was created: " + job
      case .failed, .canceled, .unfinished, .looksStalled, .attemptsRanOut, .timeLimit,
        .retryAfterPastDeadline:
        return waitMessage ?? ""
      case .failuresRanOut, .missingField, .idHasControlCharacters, .idsMissing, .resultNotWritten,
        .notWritten, .notAJobDocument, .credentialsRefused, .missing, .expired, .gone, .errorAnswer,
        .transport, .untrustedServer, .startMayHaveBeenMade, .cancelRefused, .noSuchCancel,
        .shapeHasNoCancel, .noCancel, .cancelNamesNothing, .cancelDeclined:
        return answerMessage ?? ""
      case .unknownOption, .takesNoValue, .needsValue, .notForCommand, .missingArguments, .extraArgument,
        .unknownCommand, .notBoolean, .notAChoice, .notADuration, .notPositive, .notAWholeNumber, .notATime,
        .emptyToken, .untilPassed:
        return settingMessage ?? ""
      case .configLine, .unclosedSection, .unknownSection, .notKeyValue, .unknownShapeKey, .unknownConfigKey,
        .keyBeforeSection, .badShapeKey:
        return configMessage ?? ""
      case .cannotRead, .notUTF8, .noProfile, .badBaseURL, .tokenHasControlCharacters, .noSocketPath,
        .socketMissing, .notASocket, .keyWithoutCertificate, .notAFieldPath, .shapeWithoutCondition,
        .headerLineBreak, .headerWithoutColon, .badHeaderName, .headerValueControl:
        return inputMessage ?? ""
      case .noOutputYet, .notPlaceable, .templateUnusable, .emptyOutputName, .continueWithoutFile,
        .outputIsAFile, .continueNeedsRegularFile, .outputOptionsWithoutFile, .outputToStdoutAfterWait,
        .cannotResumeOutputPath, .noOutputLocation, .partialDoesNotFit, .outputDrivesTerminal,
        .noOutputValue, .noOutputMember, .cannotWrite, .missingFolder, .cannotReadBack, .cannotCopy,
        .noAnswer:
        return outputMessage ?? ""
      case .namesNoJob, .answerOnStdout, .unusableJobURL, .noBaseURLToStart, .noBaseURL, .notAMethod,
        .badIdempotencyKey, .needsWait, .exclusive, .notNameValue:
        return jobsMessage ?? ""
      case .outputOfManyJobs, .stdinTwice, .stdinNotUTF8, .tooManyReferences, .referenceTooLong,
        .noReferences, .emptyReference, .unusableURL, .notForJobsPath, .unusablePath, .notAPageCount,
        .paginationLoops, .listNotJSON, .noJobList, .badNextPage:
        return referencesMessage ?? ""
      case .awsSignatureReplaced, .awsScopeUnknown, .awsKeyControl, .awsSessionTokenControl, .awsHalfKeys,
        .awsNoHome, .awsUnreadable, .awsNoProfile, .awsNoStaticKeys:
        return awsMessage ?? ""
      case .emptyPiece, .pieceWithoutRange, .unreadableRange, .pieceElsewhere, .otherTotal, .noCancelAt,
        .cancelNotUnderstood, .cancelURLUnseen, .resentAndRefused, .stepOutputsLost:
        return otherMessage ?? ""
      case .pollReadsStartAnswer, .pollUnusable, .unknownShape, .helpTopics, .noHelp, .noShapeHelp,
        .notAShell, .inputTooLarge, .deadlineWhileReading, .silentPipe, .cannotReadInput:
        return helpAndInputMessage ?? ""
      }
    }

    private var waitMessage: String? {
      switch self {
      case .failed(let job, let detail): return "job \(job) failed" + (detail.map { ": \($0)" } ?? "")
      case .canceled(let job, let detail): return "job \(job) was canceled" + (detail.map { ": \($0)" } ?? "")
      case .unfinished(let still): return still
      case .looksStalled(let still, let quiet):
        return "the job looks stalled: \(still) with no change for \(DurationText.format(quiet))"
      case .attemptsRanOut(let attempts, let still):
        return "gave up after \(attempts) attempt\(attempts == 1 ? "" : "s"); \(still)"
      case .timeLimit(let until?, _, let still):
        return "timed out: --until \(HTTPDate.iso8601(until)) has passed; \(still)"
      case .timeLimit(nil, let after, let still):
        return "timed out after \(after.map(DurationText.format) ?? ""); \(still)"
      case .retryAfterPastDeadline(let wait, let capped, let left, let limit, let still):
        let most = capped ? ", the most jobctl honours" : ""
        return
          "timed out: the server asks to wait \(DurationText.format(wait))\(most) (Retry-After) but only \(DurationText.format(max(0, left))) of \(limit) is left; \(still)"
      default: return nil
      }
    }

    private var answerMessage: String? {
      switch self {
      case .failuresRanOut(let failures, let last):
        return "gave up after \(failures) consecutive failure\(failures == 1 ? "" : "s"); the last: \(last)"
      case .missingField(let document, let path, let there): return "\(document) has no field '\(path)'\(there)"
      case .idHasControlCharacters: return "the job id in the answer holds control characters"
      case .idsMissing(let count, let of): return "\(count) of \(of) jobs in the list have no id (id-path)"
      case .resultNotWritten(let reason):
        return "cannot write to stdout (\(reason)): the command's result was not written"
      case .notWritten(let what, let reason): return "cannot write \(what) (\(reason))"
      case .notAJobDocument(let answer, let why):
        return "\(answer) is not a job document" + (why.map { " (\($0))" } ?? "")
      case .credentialsRefused(let answer): return answer + " (check the token: JOBCTL_TOKEN or --token-file)"
      case .missing(let subject, let answer): return "\(subject) not found: \(answer)"
      case .expired(let subject, let answer): return "\(subject) expired: \(answer)"
      case .gone(let subject, let answer): return "\(subject) is gone: \(answer)"
      case .errorAnswer(let text), .transport(let text): return text
      case .untrustedServer(let text): return "\(text) (use --cacert FILE to trust a private CA)"
      case .startMayHaveBeenMade(let subject, let reason, let key):
        let sent = key.map { " (it was sent with Idempotency-Key \(Text.oneLine($0, limit: 80)))" } ?? ""
        return
          "\(subject) failed after it was sent (\(reason)); the job may have been created\(sent), and this API is not known to honour Idempotency-Key (idempotent-start false), so it is not sent again: check before starting another"
      case .cancelRefused(let job, let stage, let code):
        let place = stage.map { "in stage \($0)" } ?? "in its current stage"
        return "job \(job) cannot be canceled \(place) (\(code)); retry later, or use --wait"
      case .noSuchCancel(let job, let status):
        return "job \(job) cannot be canceled: this API has no such cancel (\(HTTPStatus.describe(status)))"
      case .shapeHasNoCancel(let job, let shape):
        return "job \(job) cannot be canceled: the \(shape) API has no cancel (cancel = none)"
      case .noCancel(let job): return "job \(job) cannot be canceled: the API has no cancel"
      case .cancelNamesNothing(let job, let template):
        return "job \(job) cannot be canceled: its cancel template \(template) names nothing"
      case .cancelDeclined(let job, let reason): return "the cancel of job \(job) was refused: \(reason)"
      default: return nil
      }
    }

    private var settingMessage: String? {
      switch self {
      case .unknownOption(let spelled, let hint, let help):
        return "unknown option \(Text.oneLine(spelled, limit: 62))\(hint) (see '\(help)')"
      case .takesNoValue(let option): return "option \(option) takes no value"
      case .needsValue(let option, let value): return "option \(option) needs a value (\(value))"
      case .notForCommand(let option, let command):
        return "option \(option) does not apply to '\(command)' (see 'jobctl help \(command)')"
      case .missingArguments(let command, let arguments):
        return "'\(command)' needs \(arguments) (see 'jobctl help \(command)')"
      case .extraArgument(let command, let arguments, let extra):
        let takes = arguments.isEmpty ? "no arguments" : arguments
        return "'\(command)' takes \(takes), got extra '\(Text.oneLine(extra, limit: 60))'"
      case .unknownCommand(let name, let hint, let commands):
        return "unknown command '\(Text.oneLine(name, limit: 60))'"
          + (hint.isEmpty ? " (commands: \(commands.joined(separator: ", ")))" : hint)
      case .notBoolean(let origin, let value):
        return "\(origin) takes true or false, not '\(Text.oneLine(value, limit: 40))'"
      case .notAChoice(let origin, let choices, let value):
        return "\(origin) takes one of \(choices.joined(separator: ", ")), not '\(Text.oneLine(value, limit: 60))'"
      case .notADuration(let origin, let value):
        return "\(origin) takes a duration such as 250ms, 2s, 1m30s or 1h, not '\(Text.oneLine(value, limit: 60))'"
      case .notPositive(let origin): return "\(origin) must be more than zero"
      case .notAWholeNumber(let origin, let lowest, let value):
        return "\(origin) takes a whole number of at least \(lowest), not '\(Text.oneLine(value, limit: 60))'"
      case .notATime(let origin, let value):
        return
          "\(origin) takes an RFC 3339 time such as 2026-12-01T20:00:00Z (or with an offset, +01:00) or @UNIXTIME, not '\(Text.oneLine(value, limit: 60))'"
      case .emptyToken(let variable, let option): return "the token is empty (\(variable) or \(option))"
      case .untilPassed(let origin, let until):
        return "\(origin) \(HTTPDate.iso8601(until)) has already passed; nothing was sent"
      default: return nil
      }
    }

    private var configMessage: String? {
      switch self {
      case .configLine(let path, let line, let cause):
        return "\(Text.oneLine(path, limit: 200)):\(line): \(cause.message)"
      case .unclosedSection: return "a section header must end with ]"
      case .unknownSection(let inner):
        return
          "expected [default], [profile NAME] or [dialect NAME] (a NAME is letters, digits, '.', '_', ':' and '-'), not [\(Text.oneLine(inner, limit: 60))]"
      case .notKeyValue: return "expected key = value, a [section] or a # comment"
      case .unknownShapeKey(let key, let section):
        return
          "unknown key '\(Text.oneLine(key, limit: 60))' in [dialect \(section)] (keys are shape keys such as completed-when, failed-when, status-path; jobctl help dialects)"
      case .unknownConfigKey(let key):
        return
          "unknown key '\(Text.oneLine(key, limit: 60))' (keys are long option names such as base-url, token-file, dialect, interval)"
      case .keyBeforeSection(let key): return "'\(key)' comes before any [default] or [profile NAME] section"
      case .badShapeKey(let origin, let key, let shape, let problem):
        if origin.hasPrefix("--") { return "\(origin): \(problem)" }
        return (origin.isEmpty ? "" : "\(origin): ") + "\(key) of the \(shape) shape: \(problem)"
      default: return nil
      }
    }

    private var inputMessage: String? {
      switch self {
      case .cannotRead(let what, let path, let origin, let reason):
        let named = (what.isEmpty ? "" : what + " ") + Text.oneLine(path, limit: 200)
        return "cannot read \(named)\(origin.map { " (\($0))" } ?? ""): \(reason)"
      case .notUTF8(let what, let path): return "\(what) \(Text.oneLine(path, limit: 200)) is not UTF-8 text"
      case .noProfile(let name, let file, let hint):
        let place = file.map { " in \(Text.oneLine($0, limit: 200))" } ?? " (there is no config file)"
        return "no profile '\(Text.oneLine(name, limit: 60))'\(place)\(hint)"
      case .badBaseURL(let origin, let shown):
        return "the base URL (\(origin)) must be an http:// or https:// URL with a host, not '\(shown)'"
      case .tokenHasControlCharacters: return "the token contains a line break or control character"
      case .noSocketPath(let origin): return "\(origin) takes the path of a UNIX socket"
      case .socketMissing(let path, let origin):
        return "the UNIX socket \(Text.oneLine(path, limit: 200)) (\(origin)) does not exist; nothing was sent"
      case .notASocket(let path, let origin):
        return "\(Text.oneLine(path, limit: 200)) (\(origin)) is not a UNIX socket"
      case .keyWithoutCertificate(let origin): return "\(origin) needs --cert: it is the key of that certificate"
      case .notAFieldPath(let origin, let value):
        return
          "\(origin) takes a dotted path such as result.address or jobs.0.jobId, not '\(Text.oneLine(value, limit: 60))'"
      case .shapeWithoutCondition(let name):
        return "the \(name) shape has no condition: give it completed-when and failed-when (jobctl help dialects)"
      case .headerLineBreak: return "a header value may not contain CR or LF (nothing was sent)"
      case .headerWithoutColon(let origin): return "\(origin) takes 'Name: value' (the value given has no colon)"
      case .badHeaderName(let name): return "'\(Text.oneLine(name, limit: 60))' is not a valid header name"
      case .headerValueControl(let name): return "the value of header \(name) contains a control character"
      default: return nil
      }
    }

    private var outputMessage: String? {
      switch self {
      case .noOutputYet(let still): return "\(still): it has no output yet"
      case .notPlaceable(let job, let status, let shape):
        return
          "the answer for job \(job) (\(HTTPStatus.describe(status))) is not a document the \(shape) shape can place, so it is not known to be completed: no output fetched"
      case .templateUnusable(let what, let template, let job, let problem):
        return "the \(what) \(template) cannot be used for job \(job): \(problem)"
      case .emptyOutputName: return "-o needs a file name (or - for stdout)"
      case .continueWithoutFile: return "--continue needs -o FILE (the partial file to resume)"
      case .outputIsAFile(let word):
        let shown = Text.oneLine(word, limit: 20)
        return
          "-o takes a FILE, as curl's does; for \(shown) output use --json or --format (or -o ./\(shown) for a file of that name)"
      case .continueNeedsRegularFile(let shown): return "--continue needs a regular FILE; \(shown) is not one"
      case .outputOptionsWithoutFile: return "--as and --continue go with -o FILE"
      case .outputToStdoutAfterWait(let command):
        return "\(command) -o needs a FILE: stdout carries the job's final document"
      case .cannotResumeOutputPath(let shape):
        return
          "--continue cannot resume the output of the \(shape) shape: it is taken from a JSON answer (output-path)"
      case .noOutputLocation(let shape):
        return "the \(shape) shape has no output location; give one with --output-url TEMPLATE (jobctl help dialects)"
      case .partialDoesNotFit(let answer): return answer + " (the partial file does not fit the output)"
      case .outputDrivesTerminal(let job):
        return
          "the output of job \(job) holds control characters, which would drive the terminal: not shown; use -o FILE to save it, or -o - to print it anyway"
      case .noOutputValue(let job, let path):
        return "the output answer of job \(job) is not a JSON document with a value at \(path)"
      case .noOutputMember(let kind, let job):
        return "the \(kind) output of job \(job) is not a JSON document with an \"output\" member"
      case .cannotWrite(let file, let reason): return "cannot write \(file): \(reason)"
      case .missingFolder(let file, let folder):
        return "cannot write \(file): the folder \(Text.oneLine(folder, limit: 200)) does not exist"
      case .cannotReadBack(let file, let reason): return "cannot read \(file): \(reason)"
      case .cannotCopy(let file, let reason): return "cannot copy \(file): \(reason)"
      case .noAnswer(let subject): return "\(subject): no answer"
      default: return nil
      }
    }

    private var jobsMessage: String? {
      switch self {
      case .namesNoJob(let target, let status, let places, let found):
        return
          "the answer to \(target) (\(HTTPStatus.describe(status))) names no job: none of \(places) is in it (\(found))"
      case .answerOnStdout(let cause, nil):
        return cause.message + "; a job may have been created: the answer is on stdout"
      case .answerOnStdout(let cause, let lost?):
        return cause.message + "; a job may have been created, and the answer could not be written to stdout (\(lost))"
      case .unusableJobURL(let url): return "the answer's job URL is unusable: \(Text.oneLine(url, limit: 200))"
      case .noBaseURLToStart(let path):
        return
          "no base URL to start '\(Text.oneLine(path, limit: 200))' at: set --base-url or JOBCTL_BASE_URL, or give a full URL"
      case .noBaseURL(let job):
        return
          "no base URL for job '\(Text.oneLine(job, limit: 200))': set --base-url or JOBCTL_BASE_URL, or give the job's full URL"
      case .notAMethod(let method):
        return "--method takes an HTTP method in capitals such as POST or PUT, not '\(Text.oneLine(method, limit: 40))'"
      case .badIdempotencyKey: return "--idempotency-key may not be empty or contain control characters"
      case .needsWait(let option): return "\(option) goes with --wait"
      case .exclusive(let one, let other): return "\(one) and \(other) cannot be used together"
      case .notNameValue(let origin, let value):
        return "\(origin) takes NAME=VALUE, not '\(Text.oneLine(value, limit: 60))'"
      default: return nil
      }
    }

    private var referencesMessage: String? {
      switch self {
      case .outputOfManyJobs: return "-o fetches the output of one JOB only"
      case .stdinTwice: return "- (read jobs from stdin) may be given once"
      case .stdinNotUTF8: return "the job references on stdin are not UTF-8 text"
      case .tooManyReferences(let limit):
        return "more than \(limit) job references on stdin, the most jobctl reads: split the list"
      case .referenceTooLong(let limit):
        return "a line on stdin is longer than \(limit) bytes, the most jobctl reads for one job reference"
      case .noReferences: return "no job references (stdin was empty)"
      case .emptyReference: return "the job reference is empty"
      case .unusableURL(let shown):
        return "'\(shown)' is not a usable URL (spaces and control characters must be percent-encoded)"
      case .notForJobsPath(let job, let problem):
        return "job '\(Text.oneLine(job, limit: 200))' cannot go into the jobs path: \(problem)"
      case .unusablePath(let path):
        return
          "'\(Text.oneLine(path, limit: 200))' is not a usable path (spaces and control characters must be percent-encoded)"
      case .notAPageCount(let origin, let value):
        return "\(origin) takes a whole number of at least 1, not '\(Text.oneLine(value, limit: 40))'"
      case .paginationLoops(let url): return "pagination loops back to \(Text.oneLine(url, limit: 200))"
      case .listNotJSON(let label): return "the job list at \(label) is not JSON"
      case .noJobList(let label, let path):
        return "the answer at \(label) holds no job list (\"\(path)\": [...] or an array)"
      case .badNextPage(let label, let next):
        return
          "the job list at \(label) gives pagination.nextPage \(Text.oneLine(next, limit: 60)), which is neither a page number (decimal digits), a URL or path, nor a cursor"
      default: return nil
      }
    }

    /// What every AWS keys message ends with: where keys are read from.
    private static let awsHowTo =
      "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (eval \"$(aws configure export-credentials --format env)\" exports them), or put aws_access_key_id and aws_secret_access_key in ~/.aws/credentials; nothing was sent"

    private var awsMessage: String? {
      switch self {
      case .awsSignatureReplaced(let variable):
        return
          "--aws-sigv4 signs with an Authorization header of its own: drop the token (\(variable), --token-file), the base URL's user and password, or -H Authorization"
      case .awsScopeUnknown(let provider, let host):
        return
          "--aws-sigv4 \(Text.oneLine(provider, limit: 80)) leaves the region and service to libcurl, which reads them from an AWS host name (states.us-east-1.amazonaws.com), not from \(Text.oneLine(host, limit: 80)): give them, --aws-sigv4 aws:amz:REGION:SERVICE; nothing was sent"
      case .awsKeyControl(let name): return "the AWS \(name) contains a control character"
      case .awsSessionTokenControl: return "the AWS session token contains a line break or control character"
      case .awsHalfKeys(let missing):
        return "--aws-sigv4: \(missing) is not set while the other key is; \(Self.awsHowTo)"
      case .awsNoHome:
        return
          "--aws-sigv4: no AWS keys found (no AWS_ACCESS_KEY_ID, and no HOME for ~/.aws/credentials); \(Self.awsHowTo)"
      case .awsUnreadable(let path, let reason):
        return "--aws-sigv4: no AWS keys: cannot read \(Text.oneLine(path, limit: 200)): \(reason); \(Self.awsHowTo)"
      case .awsNoProfile(let path, let profile):
        return
          "--aws-sigv4: \(Text.oneLine(path, limit: 200)) has no [\(Text.oneLine(profile, limit: 60))] section (AWS_PROFILE); \(Self.awsHowTo)"
      case .awsNoStaticKeys(let path, let profile):
        return
          "--aws-sigv4: the [\(Text.oneLine(profile, limit: 60))] section of \(Text.oneLine(path, limit: 200)) has no aws_access_key_id and aws_secret_access_key (static keys only: SSO, roles and credential_process are not read); \(Self.awsHowTo)"
      default: return nil
      }
    }

    private var otherMessage: String? {
      switch self {
      case .emptyPiece(let subject, let size, let total):
        return "\(subject) answered 206 with no bytes before the end (\(size) of \(total))"
      case .pieceWithoutRange(let subject):
        return "\(subject) answered 206 Partial Content without a Content-Range: nothing was written"
      case .unreadableRange(let subject, let range):
        return "\(subject) answered 206 with an unreadable Content-Range '\(Text.oneLine(range, limit: 80))'"
      case .pieceElsewhere(let subject, let first, let end):
        return
          "\(subject) answered 206 with bytes from \(first), not from \(end) where the file ends: nothing was written"
      case .otherTotal(let subject, let theirs, let ours):
        return "\(subject) answered 206 for a total of \(theirs) bytes, not \(ours): nothing was written"
      case .noCancelAt(let job, let url):
        return
          "job \(job) cannot be canceled: this API has no such cancel (\(HTTPStatus.describe(404)) at \(url), while the job's own URL answers)"
      case .cancelNotUnderstood(let job?): return "the cancel answer for job \(job) was not understood"
      case .cancelNotUnderstood(nil): return "the cancel answer was not understood"
      case .cancelURLUnseen: return "its cancel URL comes from a job document, and none was seen"
      case .resentAndRefused(let subject, let answer, let key):
        let shown = Text.oneLine(key, limit: 80)
        return
          "\(subject) was sent again and answered \(answer); the first attempt may have created the job (Idempotency-Key \(shown)): check before starting another, or resend with --idempotency-key \(shown)"
      case .stepOutputsLost(let problem, let names): return "\(problem): the step outputs \(names) are lost"
      default: return nil
      }
    }

    private var helpAndInputMessage: String? {
      switch self {
      case .pollReadsStartAnswer(let shape):
        return
          "the \(shape) shape's poll reads {.PATH} of the start answer, which only start --wait has: use {id} (the job's id) in poll and poll-data instead"
      case .pollUnusable(let line, let job, let problem):
        return
          "the poll request '\(Text.oneLine(line, limit: 120))' cannot be used for job \(Text.oneLine(job, limit: 120)): \(problem)"
      case .unknownShape(let name, let origin, let hint, let known):
        return
          "\(origin) names no shape '\(Text.oneLine(name, limit: 60))'\(hint) (known: \(known.joined(separator: ", ")); or a [dialect NAME] section of the config file)"
      case .helpTopics: return "help takes one topic, or dialects NAME"
      case .noHelp(let topic, let hint, let commands):
        return
          "no help for '\(Text.oneLine(topic, limit: 60))'\(hint) (commands: \(commands.joined(separator: ", ")), exit-codes, or dialects)"
      case .noShapeHelp(let name, let hint, let known):
        return "no shape '\(Text.oneLine(name, limit: 60))'\(hint) (known: \(known.joined(separator: ", ")))"
      case .notAShell(let shell): return "completion takes bash, zsh or fish, not '\(Text.oneLine(shell, limit: 40))'"
      case .inputTooLarge(let what, let limit): return "\(what) is larger than \(limit), the most jobctl reads"
      case .deadlineWhileReading(let what): return "--timeout or --until ran out while reading \(what)"
      case .silentPipe(let what, let patience):
        return "\(what) is a pipe that sent nothing to its end within \(patience) s"
      case .cannotReadInput(let what, let reason): return "cannot read \(what): \(reason)"
      default: return nil
      }
    }
  }
}

extension DefaultStringInterpolation {
  /// A cause is said by its `message`: written into text as it is, it would read as Swift.
  @available(*, unavailable, message: "interpolate cause.message")
  package mutating func appendInterpolation(_ cause: JobctlError.Cause) {}
}
